//! The Inspect page of the real app with a real token: the sandbox tenant
//! (in process) signs in its 250-group user to Grafana; the ID token carries
//! the overage markers instead of `groups` (docs/entra.md#groups-overage). Pasted into the
//! app, it shows the claims, the `groups.overage` finding and what each
//! product will do with the token.

use anyhow::{bail, Context, Result};
use entrance_e2e::App;
use entrance_sandbox::Sandbox;
use fantoccini::Locator;

const GRAFANA_CB: &str = "http://localhost:3000/login/azuread";

fn attr_after(html: &str, marker: &str) -> Option<String> {
    let start = html.find(marker)? + marker.len();
    Some(html[start..].split('"').next().unwrap_or("").to_string())
}

/// An authorization code flow over plain HTTP: the sandbox's sign-in page
/// is filled in as a browser would, the code redeemed with Grafana's secret.
async fn id_token_of(sb: &Sandbox, user: &str) -> Result<String> {
    let app = sb
        .scenario()
        .app("grafana")
        .cloned()
        .context("grafana app")?;
    let u = sb.scenario().user(user).cloned().context("user")?;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let mut authorize = url::Url::parse(&format!(
        "{}/oauth2/v2.0/authorize",
        sb.authority("contoso")
    ))?;
    authorize
        .query_pairs_mut()
        .append_pair("client_id", &app.app_id)
        .append_pair("response_type", "code")
        .append_pair("redirect_uri", GRAFANA_CB)
        .append_pair("scope", "openid profile email User.Read")
        .append_pair("state", "e2e")
        .append_pair("nonce", "e2e-nonce");
    let html = http.get(authorize).send().await?.text().await?;
    let (Some(ctx), Some(action)) = (
        attr_after(&html, r#"name="ctx" value=""#),
        attr_after(&html, r#"action=""#),
    ) else {
        bail!("no sign-in form: {html}");
    };
    let r = http
        .post(format!("{}{action}", sb.base_url()))
        .form(&[
            ("ctx", ctx.as_str()),
            ("user", u.user_principal_name.as_str()),
            ("password", u.password.expose()),
        ])
        .send()
        .await?;
    let location = r
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .context("a redirect with the code")?;
    let code = url::Url::parse(location)?
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .with_context(|| format!("no code in {location}"))?;
    let body: serde_json::Value = http
        .post(format!("{}/oauth2/v2.0/token", sb.authority("contoso")))
        .form(&[
            ("grant_type", "authorization_code"),
            ("client_id", app.app_id.as_str()),
            ("client_secret", app.password_credentials[0].value.expose()),
            ("code", code.as_str()),
            ("redirect_uri", GRAFANA_CB),
        ])
        .send()
        .await?
        .json()
        .await?;
    body["id_token"]
        .as_str()
        .map(str::to_string)
        .with_context(|| format!("no id_token: {body}"))
}

#[tokio::test]
#[ignore = "needs a display and tauri-driver: run through `cargo xtask test`"]
async fn a_250_group_users_token_shows_overage_and_its_claims() -> Result<()> {
    let sb = Sandbox::start_default().await?;
    let token = id_token_of(&sb, "many-groups").await?;
    let oid = sb
        .scenario()
        .user("many-groups")
        .context("user")?
        .id
        .clone();

    let app = App::start().await?;
    app.open_area("Inspect").await?;
    let paste = app.wait_for(Locator::Css("textarea#paste")).await?;
    // Set the value as a paste does (one input event), not key by key.
    app.client
        .execute(
            "const el = arguments[0]; el.value = arguments[1]; el.dispatchEvent(new Event('input', {bubbles: true}));",
            vec![serde_json::to_value(&paste)?, serde_json::json!(format!("\n  {token}\n"))],
        )
        .await?;
    app.client
        .find(Locator::XPath("//button[normalize-space()='Inspect']"))
        .await?
        .click()
        .await?;

    // Claims (the first tab): the user's oid and the overage markers.
    let claims = app
        .wait_for_text(Locator::Css("main"), "_claim_names")
        .await?;
    assert!(claims.contains(&oid), "the oid claim is shown: {claims}");
    assert!(claims.contains("preferred_username"), "{claims}");
    assert!(!claims.contains("mock"), "the real core answered");
    app.screenshot("inspect-claims").await?;

    app.client
        .find(Locator::Css("#tab-findings"))
        .await?
        .click()
        .await?;
    let findings = app
        .wait_for_text(Locator::Css("main"), "groups.overage")
        .await?;
    assert!(findings.contains("Microsoft Graph"), "{findings}");
    assert!(
        findings.contains("Resolve through Microsoft Graph"),
        "the resolve action is offered: {findings}"
    );
    app.client
        .execute(
            "document.querySelector('#tab-findings').scrollIntoView({block: 'start'});",
            vec![],
        )
        .await?;
    app.screenshot("inspect-overage").await?;

    // What each product does with this ID token, judged by the real core.
    let verdicts = app
        .wait_for_text(
            Locator::Css("section.verdicts"),
            "What the products will do",
        )
        .await?;
    for product in ["Keep", "authentik", "Grafana", "Camunda", "OpenMetadata"] {
        assert!(
            verdicts.contains(product),
            "{product} has a verdict: {verdicts}"
        );
    }
    let keep = app
        .client
        .find(Locator::Css("section.verdicts li[data-target='keep']"))
        .await?
        .text()
        .await?;
    assert!(
        keep.contains("Cannot tell") && keep.contains("access token"),
        "Keep reads the access token, which was not pasted: {keep}"
    );
    app.client
        .execute(
            "document.querySelector('section.verdicts').scrollIntoView({block: 'start'});",
            vec![],
        )
        .await?;
    app.screenshot("inspect-verdicts").await?;

    app.close().await?;
    sb.stop().await;
    Ok(())
}
