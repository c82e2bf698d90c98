//! A real sign-in in the real app: the admin opens Sign in, clicks "Try with
//! the sandbox tenant", keeps Entrance's own public app, and clicks Sign in.
//! The app starts its in-process sandbox tenant and opens the sign-in URL
//! with `BROWSER` — here a script that hands it to headless Chromium, which
//! signs in as Alice on the sandbox's page — and the window shows the
//! decoded claims.

#[path = "../../crates/entrance-cli/tests/support/chromium.rs"]
mod chromium;

use std::time::Duration;

use anyhow::{Context, Result};
use chromium::{BrowserHandoff, Chromium};
use entrance_e2e::App;
use entrance_sandbox::Scenario;
use fantoccini::Locator;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display, tauri-driver and Chromium: run through `cargo xtask test`"]
async fn a_sandbox_sign_in_through_the_browser_shows_the_claims() -> Result<()> {
    if !chromium::available() {
        return Ok(());
    }
    let scenario = Scenario::builtin();
    let alice = scenario.user("alice").context("the built-in Alice")?;
    let (upn, password) = (
        alice.user_principal_name.clone(),
        alice.password.expose().to_string(),
    );

    let handoff = BrowserHandoff::new();
    let browser = handoff.command();
    let app = App::start_with_env(&[("BROWSER", browser.as_str())]).await?;
    app.open_area("Sign in").await?;
    app.wait_for(Locator::XPath(
        "//button[normalize-space()='Try with the sandbox tenant']",
    ))
    .await?
    .click()
    .await?;
    let picker = app.wait_for(Locator::Id("sandbox-app")).await?;
    picker.select_by_value("entrance").await?;
    let authority = app
        .client
        .find(Locator::Id("authority"))
        .await?
        .prop("value")
        .await?
        .unwrap_or_default();
    assert!(
        authority.starts_with("http://127.0.0.1:") && authority.ends_with("/v2.0"),
        "the form has the sandbox's authority: {authority}"
    );
    app.client
        .find(Locator::XPath("//form//button[@type='submit']"))
        .await?
        .click()
        .await?;

    // The app opened the URL through BROWSER; Chromium signs in as Alice.
    let url = handoff
        .url(Duration::from_secs(30))
        .await
        .context("the app never opened a browser through BROWSER")?;
    let chromium = Chromium::start().await;
    let page = chromium.sign_in(&url, &upn, &password).await;
    chromium.close().await;
    assert!(
        page.contains("Signed in as"),
        "the browser's last page: {page}"
    );

    app.wait_for_text(Locator::Css("main"), "Signed in as alice@contoso.sandbox")
        .await?;
    let claim = app
        .wait_for_text(
            Locator::Css("tr[data-claim='preferred_username']"),
            "alice@contoso.sandbox",
        )
        .await?;
    assert!(claim.contains("preferred_username"), "{claim}");
    let steps = app
        .client
        .execute(
            "return [...document.querySelectorAll('li[data-step]')].map(li => li.dataset.state).join(',')",
            vec![],
        )
        .await?;
    assert_eq!(steps.as_str(), Some("done,done,done,done,done"));
    app.client
        .execute(
            "document.getElementById('result-heading').scrollIntoView()",
            vec![],
        )
        .await?;
    app.screenshot("signin-claims").await?;
    app.close().await
}
