//! Each target's verdict on real tokens from the sandbox tenant: the
//! correctly registered app's tokens work; the misconfigured twin's tokens
//! (or the error Entra answers instead) name the exact problem.
//!
//! The sign-in is done over plain HTTP the way each product does it:
//! authorize → the sandbox's sign-in form → (consent) → code → token
//! endpoint, with the product's scopes, redirect URI and client type.

use entrance_core::inspect::{self, InspectOptions};
use entrance_core::targets::{self, CheckStatus, Outcome, TargetInputs, Verdict};
use entrance_sandbox::scenario::{Scenario, BUILTIN_TOML};
use entrance_sandbox::Sandbox;
use openidconnect::PkceCodeChallenge;
use reqwest::header::LOCATION;

const KEEP_CB: &str = "http://localhost:3000/api/auth/callback/microsoft-entra-id";
const GRAFANA_CB: &str = "https://grafana.contoso.sandbox/login/azuread";
const AUTHENTIK_CB: &str = "http://localhost:9000/source/oauth/callback/entra-id/";
const AUTHENTIK_TWIN_CB: &str = "http://localhost:9000/source/oauth/callback/entra-id";
const CAMUNDA_CB: &str = "http://localhost:8081/auth/login-callback";
const CAMUNDA_TWIN_CB: &str = "https://operate.contoso.sandbox/auth/login-callback";
const OM_CB: &str = "http://localhost:8585/callback";
const OM_ORIGIN: &str = "http://localhost:8585";

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// How the product redeems the code.
#[derive(Clone, Copy, PartialEq)]
enum Redeem {
    /// A server with its client secret (Web).
    Secret,
    /// A browser app: PKCE, `Origin`, no secret (SPA).
    Spa,
}

fn attr(html: &str, marker: &str) -> Option<String> {
    let start = html.find(marker)? + marker.len();
    Some(html[start..].split('"').next().unwrap_or("").to_string())
}

fn app_id(sb: &Sandbox, app: &str) -> String {
    sb.scenario().app(app).expect("app").app_id.clone()
}

fn tenant_id(sb: &Sandbox) -> String {
    sb.scenario().tenant("contoso").expect("tenant").id.clone()
}

fn group_id(sb: &Sandbox, name: &str) -> String {
    sb.scenario().group(name).expect("group").id.clone()
}

/// Signs `user` in to `app` as the product does; returns what the product
/// receives: the token response body, or Entra's error (body or redirect URL).
async fn sign_in(
    sb: &Sandbox,
    app: &str,
    user: &str,
    redirect: &str,
    scope: &str,
    redeem: Redeem,
) -> String {
    let scenario = sb.scenario();
    let a = scenario.app(app).expect("app");
    let u = scenario.user(user).expect("user");
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut url = url::Url::parse(&format!(
        "{}/oauth2/v2.0/authorize",
        sb.authority("contoso")
    ))
    .expect("url");
    url.query_pairs_mut()
        .append_pair("client_id", &a.app_id)
        .append_pair("response_type", "code")
        .append_pair("redirect_uri", redirect)
        .append_pair("scope", scope)
        .append_pair("state", "st-1")
        .append_pair("nonce", "n-1")
        .append_pair("code_challenge", challenge.as_str())
        .append_pair("code_challenge_method", "S256");
    let c = client();
    let page = c.get(url.as_str()).send().await.expect("authorize");
    if let Some(loc) = page.headers().get(LOCATION) {
        return loc.to_str().expect("location").to_string();
    }
    let html = page.text().await.expect("html");
    let ctx =
        attr(&html, r#"name="ctx" value=""#).unwrap_or_else(|| panic!("no sign-in form:\n{html}"));
    let action = attr(&html, r#"action=""#).expect("form action");
    let mut r = c
        .post(format!("{}{}", sb.base_url(), action))
        .form(&[
            ("ctx", ctx.as_str()),
            ("user", u.user_principal_name.as_str()),
            ("password", u.password.expose()),
        ])
        .send()
        .await
        .expect("sign in");
    if r.headers().get(LOCATION).is_none() {
        // The consent page: accept (for the organization when allowed).
        let html = r.text().await.expect("html");
        let ctx = attr(&html, r#"name="ctx" value=""#)
            .unwrap_or_else(|| panic!("no consent form:\n{html}"));
        let action = attr(&html, r#"action=""#).expect("form action");
        r = c
            .post(format!("{}{}", sb.base_url(), action))
            .form(&[("ctx", ctx.as_str()), ("accept", "1")])
            .send()
            .await
            .expect("consent");
    }
    let loc = r
        .headers()
        .get(LOCATION)
        .and_then(|l| l.to_str().ok())
        .expect("redirect")
        .to_string();
    let params: std::collections::HashMap<String, String> = url::Url::parse(&loc)
        .expect("absolute")
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let Some(code) = params.get("code") else {
        return loc;
    };
    let secret = a
        .password_credentials
        .first()
        .map(|p| p.value.expose().to_string());
    let mut form = vec![
        ("grant_type", "authorization_code".to_string()),
        ("client_id", a.app_id.clone()),
        ("code", code.clone()),
        ("redirect_uri", redirect.to_string()),
        ("code_verifier", verifier.secret().clone()),
    ];
    let mut req = c.post(format!("{}/oauth2/v2.0/token", sb.authority("contoso")));
    match redeem {
        Redeem::Secret => form.push(("client_secret", secret.expect("a secret"))),
        Redeem::Spa => req = req.header("Origin", OM_ORIGIN),
    }
    req.form(&form)
        .send()
        .await
        .expect("token")
        .text()
        .await
        .expect("body")
}

fn judge(target: &str, text: &str, inputs: &TargetInputs) -> Verdict {
    let t = targets::by_name(target).expect("target");
    let options = InspectOptions {
        needs: t.needs(inputs),
        ..InspectOptions::default()
    };
    let now = i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("time")
            .as_secs(),
    )
    .expect("i64");
    let inspection = inspect::inspect_text(text, &options, now).expect("inspect");
    targets::verdict(t, &inspection, inputs)
}

fn inputs(sb: &Sandbox, app: &str, base: &str) -> TargetInputs {
    TargetInputs {
        tenant: Some(tenant_id(sb)),
        client_id: Some(app_id(sb, app)),
        ..TargetInputs::new(base)
    }
}

fn assert_fails_with(v: &Verdict, code: &str) {
    assert_eq!(v.outcome, Outcome::Fails, "{v:#?}");
    let c = v.check(code).unwrap_or_else(|| panic!("no {code}: {v:#?}"));
    assert_eq!(c.status, CheckStatus::Fail, "{v:#?}");
}

async fn sandbox() -> Sandbox {
    Sandbox::start_default().await.expect("sandbox")
}

#[tokio::test]
async fn keep_admin_works_and_the_twin_is_refused_for_the_exact_reason() {
    let sb = sandbox().await;
    let keep = app_id(&sb, "keep");
    let i = inputs(&sb, "keep", "http://localhost:3000")
        .with("admin_group_id", group_id(&sb, "keep-admins"))
        .with("noc_group_id", group_id(&sb, "keep-noc"));
    let body = sign_in(
        &sb,
        "keep",
        "alice",
        KEEP_CB,
        &format!("api://{keep}/default openid profile email"),
        Redeem::Secret,
    )
    .await;
    let v = judge("keep", &body, &i);
    assert_eq!(v.outcome, Outcome::Works, "{v:#?}");
    assert!(
        v.check("keep.role")
            .expect("role")
            .message
            .contains("admin"),
        "{v:#?}"
    );

    // Bob is in keep-noc only through nesting: no group in his access token.
    let body = sign_in(
        &sb,
        "keep",
        "bob",
        KEEP_CB,
        &format!("api://{keep}/default openid profile email"),
        Redeem::Secret,
    )
    .await;
    let v = judge("keep", &body, &i);
    assert_fails_with(&v, "keep.groups.absent");
    assert!(
        v.summary.contains(targets::keep::NOT_AUTHORIZED),
        "{}",
        v.summary
    );

    // The twin exposes no `default` scope: Keep's frontend request is 70011.
    let twin = app_id(&sb, "keep-misconfigured");
    let ti = inputs(&sb, "keep-misconfigured", "http://localhost:3000")
        .with("admin_group_id", group_id(&sb, "keep-admins"))
        .with("noc_group_id", group_id(&sb, "keep-noc"));
    let body = sign_in(
        &sb,
        "keep-misconfigured",
        "alice",
        KEEP_CB,
        &format!("api://{twin}/default openid profile email"),
        Redeem::Secret,
    )
    .await;
    let v = judge("keep", &body, &ti);
    assert_fails_with(&v, "entra.aadsts70011");
    assert!(
        v.summary.contains(&format!("api://{twin}/default")),
        "{}",
        v.summary
    );
}

#[tokio::test]
async fn keep_twin_with_a_fresh_secret_has_no_groups_claim_in_the_access_token() {
    // The twin's only secret expired (7000222); renew it to reach its next
    // problem: no groups claim.
    let scenario =
        Scenario::from_toml(&BUILTIN_TOML.replace("2024-01-31T00:00:00Z", "2099-01-31T00:00:00Z"))
            .expect("scenario");
    let sb = Sandbox::start(scenario).await.expect("sandbox");
    let twin = app_id(&sb, "keep-misconfigured");
    let i = inputs(&sb, "keep-misconfigured", "http://localhost:3000")
        .with("admin_group_id", group_id(&sb, "keep-admins"))
        .with("noc_group_id", group_id(&sb, "keep-noc"));
    let body = sign_in(
        &sb,
        "keep-misconfigured",
        "alice",
        KEEP_CB,
        &format!("api://{twin}/.default openid profile email"),
        Redeem::Secret,
    )
    .await;
    let v = judge("keep", &body, &i);
    assert_fails_with(&v, "keep.groups.absent");
    // Judged on Keep's own access token (aud api://{twin}), not a Graph one.
    assert_eq!(
        v.check("keep.aud").map(|c| c.status),
        Some(CheckStatus::Pass),
        "{v:#?}"
    );
    assert!(
        v.summary.contains("access token has no `groups`"),
        "{}",
        v.summary
    );
}

#[tokio::test]
async fn keep_twin_expired_secret_is_named() {
    let sb = sandbox().await;
    let i = inputs(&sb, "keep-misconfigured", "http://localhost:3000");
    let body = sign_in(
        &sb,
        "keep-misconfigured",
        "alice",
        KEEP_CB,
        "openid profile email",
        Redeem::Secret,
    )
    .await;
    let v = judge("keep", &body, &i);
    assert_fails_with(&v, "entra.aadsts7000222");
}

#[tokio::test]
async fn grafana_editor_works_and_the_twin_has_no_roles() {
    let sb = sandbox().await;
    let scope = "openid email profile offline_access User.Read GroupMember.Read.All";
    let i = inputs(&sb, "grafana", "https://grafana.contoso.sandbox")
        .with("allowed_groups", group_id(&sb, "grafana-editors"));
    let body = sign_in(&sb, "grafana", "alice", GRAFANA_CB, scope, Redeem::Secret).await;
    let v = judge("grafana", &body, &i);
    assert_eq!(v.outcome, Outcome::Works, "{v:#?}");
    assert!(
        v.check("grafana.role")
            .expect("role")
            .message
            .contains("Editor"),
        "{v:#?}"
    );

    // The twin registered its redirect as SPA: Grafana's server-side
    // redemption is 9002327.
    let ti = inputs(
        &sb,
        "grafana-misconfigured",
        "https://grafana.contoso.sandbox",
    );
    let body = sign_in(
        &sb,
        "grafana-misconfigured",
        "alice",
        GRAFANA_CB,
        "openid email profile offline_access User.Read",
        Redeem::Secret,
    )
    .await;
    let v = judge("grafana", &body, &ti);
    assert_fails_with(&v, "entra.aadsts9002327");

    // Its tokens (redeemed as an SPA would) carry no `roles`.
    let body = sign_in(
        &sb,
        "grafana-misconfigured",
        "alice",
        GRAFANA_CB,
        "openid email profile offline_access User.Read",
        Redeem::Spa,
    )
    .await;
    let v = judge("grafana", &body, &ti);
    assert_eq!(v.outcome, Outcome::Degraded, "{v:#?}");
    assert_eq!(
        v.check("grafana.roles.absent").expect("roles").status,
        CheckStatus::Warn
    );
    let strict = ti.clone().with("role_attribute_strict", "true");
    assert_fails_with(&judge("grafana", &body, &strict), "grafana.roles.absent");
    // …and no groups claim for allowed_groups.
    let groups = ti.with("allowed_groups", group_id(&sb, "grafana-editors"));
    assert_fails_with(&judge("grafana", &body, &groups), "grafana.groups.absent");
}

#[tokio::test]
async fn authentik_works_and_the_twin_syncs_no_groups() {
    let sb = sandbox().await;
    let i = inputs(&sb, "authentik", "http://localhost:9000");
    let body = sign_in(
        &sb,
        "authentik",
        "alice",
        AUTHENTIK_CB,
        "openid email profile User.Read GroupMember.Read.All",
        Redeem::Secret,
    )
    .await;
    let v = judge("authentik", &body, &i);
    assert_eq!(v.outcome, Outcome::Works, "{v:#?}");

    // The twin: the documented redirect (trailing slash) is not registered…
    let ti = inputs(&sb, "authentik-misconfigured", "http://localhost:9000");
    let body = sign_in(
        &sb,
        "authentik-misconfigured",
        "alice",
        AUTHENTIK_TWIN_CB,
        "openid User.Read",
        Redeem::Secret,
    )
    .await;
    // …and what it can get carries no GroupMember.Read.All.
    let v = judge("authentik", &body, &ti);
    assert_ne!(v.outcome, Outcome::Works, "{v:#?}");
    assert_eq!(
        v.check("authentik.groups.scope_missing")
            .expect("groups")
            .status,
        CheckStatus::Warn,
        "{v:#?}"
    );
}

#[tokio::test]
async fn camunda_works_and_the_twin_issues_v1_access_tokens() {
    let sb = sandbox().await;
    let cam = app_id(&sb, "camunda");
    let i = inputs(&sb, "camunda", "http://localhost:8081");
    let body = sign_in(
        &sb,
        "camunda",
        "admin",
        CAMUNDA_CB,
        &format!("email openid offline_access profile {cam}/.default"),
        Redeem::Secret,
    )
    .await;
    let v = judge("camunda", &body, &i);
    assert_eq!(v.outcome, Outcome::Works, "{v:#?}");

    let twin = app_id(&sb, "camunda-misconfigured");
    let ti = inputs(
        &sb,
        "camunda-misconfigured",
        "https://operate.contoso.sandbox",
    );
    let body = sign_in(
        &sb,
        "camunda-misconfigured",
        "admin",
        CAMUNDA_TWIN_CB,
        &format!("email openid offline_access profile {twin}/.default"),
        Redeem::Secret,
    )
    .await;
    let v = judge("camunda", &body, &ti);
    assert_fails_with(&v, "camunda.token.v1");
}

#[tokio::test]
async fn openmetadata_spa_works_and_the_web_twin_is_named() {
    let sb = sandbox().await;
    let scope = "openid profile email offline_access User.Read";
    let i = inputs(&sb, "openmetadata", "http://localhost:8585");
    let body = sign_in(&sb, "openmetadata", "alice", OM_CB, scope, Redeem::Spa).await;
    let v = judge("openmetadata", &body, &i);
    assert_eq!(v.outcome, Outcome::Works, "{v:#?}");

    let ti = inputs(&sb, "openmetadata-misconfigured", "http://localhost:8585");
    let body = sign_in(
        &sb,
        "openmetadata-misconfigured",
        "alice",
        OM_CB,
        scope,
        Redeem::Spa,
    )
    .await;
    let v = judge("openmetadata", &body, &ti);
    assert_eq!(v.outcome, Outcome::Fails, "{v:#?}");
    let c = &v.checks[0];
    assert!(
        c.code == "entra.aadsts7000218" || c.code == "entra.aadsts9002326",
        "{v:#?}"
    );
    assert!(
        c.fix
            .as_deref()
            .unwrap_or("")
            .contains("Single-page application"),
        "{v:#?}"
    );
}
