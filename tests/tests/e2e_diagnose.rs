//! The Diagnose page of the real app against the sandbox tenant: the admin
//! opens Diagnose, clicks "Try with the sandbox tenant" (the app starts its
//! in-process sandbox and fills the form with its authority and the Grafana
//! app with its demo secret), and runs a diagnosis. The correct app's checks
//! pass; with a tenant that does not exist, the live list ends with the
//! tenant check failed, the checks after it blocked by it, and the root cause
//! with AADSTS90002 and its fix. Screenshots in light and dark.

use anyhow::{Context, Result};
use entrance_e2e::App;
use fantoccini::Locator;

/// A tenant ID that is not in the sandbox's directory.
const UNKNOWN_TENANT: &str = "0badc0de-0000-4000-8000-00000000d1a6";

async fn open_diagnose_with_sandbox(app: &App) -> Result<String> {
    app.open_area("Diagnose").await?;
    app.wait_for(Locator::XPath(
        "//button[normalize-space()='Try with the sandbox tenant']",
    ))
    .await?
    .click()
    .await?;
    let picker = app.wait_for(Locator::Id("sandbox-app")).await?;
    picker.select_by_value("grafana").await?;
    app.wait_for_value("secret-name", "sandbox-grafana").await?;
    let authority = app.value_of("authority").await?;
    assert!(
        authority.starts_with("http://127.0.0.1:") && authority.ends_with("/v2.0"),
        "the form has the sandbox's authority: {authority}"
    );
    Ok(authority)
}

async fn run_diagnosis(app: &App) -> Result<()> {
    app.client
        .find(Locator::XPath(
            "//button[normalize-space()='Run diagnosis']",
        ))
        .await?
        .click()
        .await?;
    Ok(())
}

/// Waits for the summary heading (the run has ended) and returns it.
async fn finished(app: &App) -> Result<String> {
    app.wait_for_text(Locator::Css("p.progress"), "Diagnosis finished")
        .await
        .context("the diagnosis never finished")?;
    Ok(app
        .wait_for(Locator::Id("summary-heading"))
        .await?
        .text()
        .await?)
}

/// `id → state` of every check in the live list.
async fn states(app: &App) -> Result<Vec<(String, String)>> {
    let value = app
        .client
        .execute(
            "return [...document.querySelectorAll('li.item[data-check]')].map(li => [li.dataset.check, li.dataset.state]);",
            vec![],
        )
        .await?;
    Ok(serde_json::from_value(value)?)
}

fn state_of<'a>(states: &'a [(String, String)], id: &str) -> &'a str {
    states
        .iter()
        .find(|(check, _)| check == id)
        .map_or("absent", |(_, state)| state.as_str())
}

async fn scroll_to(app: &App, id: &str) -> Result<()> {
    app.client
        .execute(
            "document.getElementById(arguments[0]).scrollIntoView()",
            vec![id.into()],
        )
        .await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display and tauri-driver: run through `cargo xtask test`"]
async fn the_sandbox_app_passes_and_an_unknown_tenant_is_the_root_cause() -> Result<()> {
    // A home of its own: Save writes the report into its Downloads (or home) folder.
    let home = std::env::temp_dir().join(format!("entrance-e2e-diagnose-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&home);
    std::fs::create_dir_all(&home)?;
    let app = App::start_with_env(&[("HOME", home.to_str().context("temp path")?)]).await?;
    let authority = open_diagnose_with_sandbox(&app).await?;

    // The correctly registered Grafana app with its demo secret.
    run_diagnosis(&app).await?;
    finished(&app).await?;
    let correct = states(&app).await?;
    for id in [
        "dns.authority",
        "tcp.authority",
        "http.authority",
        "tenant",
        "jwks",
        "app_secret",
        "redirect_uri",
    ] {
        assert_eq!(
            state_of(&correct, id),
            "passed",
            "{id} for the correct app: {correct:?}"
        );
    }
    scroll_to(&app, "checks-heading").await?;
    app.screenshot("diagnose-sandbox-correct").await?;

    // The same app in a tenant that does not exist.
    let (base, _) = authority
        .rsplit_once('/')
        .and_then(|(rest, _)| rest.rsplit_once('/'))
        .context("authority has a tenant segment")?;
    app.set_value("authority", &format!("{base}/{UNKNOWN_TENANT}/v2.0"))
        .await?;
    run_diagnosis(&app).await?;
    app.screenshot("diagnose-unknown-tenant-running").await?;
    let heading = finished(&app).await?;
    assert_eq!(heading, "Problems found");
    let unknown = states(&app).await?;
    assert_eq!(
        state_of(&unknown, "http.authority"),
        "passed",
        "{unknown:?}"
    );
    assert_eq!(state_of(&unknown, "tenant"), "failed", "{unknown:?}");
    for id in ["jwks", "app_secret", "redirect_uri"] {
        assert_eq!(state_of(&unknown, id), "blocked", "{id}: {unknown:?}");
    }
    let blocked = app
        .client
        .find(Locator::Css("li.item[data-check='app_secret']"))
        .await?
        .text()
        .await?;
    assert!(blocked.contains("Blocked by Tenant discovery"), "{blocked}");
    let cause = app
        .wait_for(Locator::Css("li.cause[data-root='true']"))
        .await?
        .text()
        .await?;
    assert!(cause.contains("AADSTS90002"), "the root cause: {cause}");
    assert!(
        cause.contains("Fix:"),
        "the root cause has its fix: {cause}"
    );
    let picture = app
        .client
        .execute(
            "return ['tenant', 'app_secret'].map(id => document.querySelector(`g[data-check='${id}']`).dataset.tone).join(',')",
            vec![],
        )
        .await?;
    assert_eq!(picture.as_str(), Some("danger,muted"), "the chain picture");
    scroll_to(&app, "summary-heading").await?;
    app.screenshot("diagnose-unknown-tenant-light").await?;

    // Save Markdown: a file under the app's home with the root cause, and
    // never the client secret the diagnosis used.
    app.client
        .find(Locator::XPath(
            "//button[normalize-space()='Save Markdown']",
        ))
        .await?
        .click()
        .await?;
    let note = app
        .wait_for_text(Locator::Css("div.export"), "Saved to ")
        .await?;
    let path = note
        .split("Saved to ")
        .nth(1)
        .map(str::trim)
        .context("the saved path")?;
    assert!(
        path.starts_with(home.to_str().unwrap_or_default()) && path.ends_with(".md"),
        "saved under the app's home: {path}"
    );
    let report = std::fs::read_to_string(path).with_context(|| format!("reading {path}"))?;
    assert!(report.contains("AADSTS90002"), "{report}");
    let scenario = entrance_sandbox::Scenario::builtin();
    let secret = scenario
        .app("grafana")
        .and_then(|a| a.password_credentials.first())
        .context("the sandbox Grafana app's demo secret")?;
    assert!(
        !report.contains(secret.value.expose()),
        "the report holds no secret"
    );
    app.close().await?;
    let _ = std::fs::remove_dir_all(&home);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display and tauri-driver: run through `cargo xtask test`"]
async fn an_unknown_tenant_reads_in_the_dark_theme() -> Result<()> {
    let app = App::start_with_env(&[("GTK_THEME", "Adwaita:dark")]).await?;
    let authority = open_diagnose_with_sandbox(&app).await?;
    let dark = app
        .client
        .execute(
            "return matchMedia('(prefers-color-scheme: dark)').matches",
            vec![],
        )
        .await?;
    assert_eq!(
        dark.as_bool(),
        Some(true),
        "GTK_THEME=Adwaita:dark makes the window dark"
    );
    let (base, _) = authority
        .rsplit_once('/')
        .and_then(|(rest, _)| rest.rsplit_once('/'))
        .context("authority has a tenant segment")?;
    app.set_value("authority", &format!("{base}/{UNKNOWN_TENANT}/v2.0"))
        .await?;
    run_diagnosis(&app).await?;
    assert_eq!(finished(&app).await?, "Problems found");
    let cause = app
        .wait_for(Locator::Css("li.cause[data-root='true']"))
        .await?
        .text()
        .await?;
    assert!(cause.contains("AADSTS90002"), "the root cause: {cause}");
    scroll_to(&app, "summary-heading").await?;
    app.screenshot("diagnose-unknown-tenant-dark").await?;
    app.close().await
}
