//! Helpers: start a sandbox, sign in through the HTML form, redeem codes,
//! decode tokens, check Entra's error shape.

#![allow(dead_code)]

use std::collections::HashMap;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use entrance_sandbox::scenario::Application;
use entrance_sandbox::Sandbox;
use reqwest::header::{HeaderMap, LOCATION};
use reqwest::StatusCode;
use serde_json::Value;

pub async fn sandbox() -> Sandbox {
    Sandbox::start_default()
        .await
        .expect("the built-in sandbox starts")
}

/// A client that does not follow redirects (we look at them).
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// A client that keeps cookies (the SSO session).
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .expect("client")
}

pub fn app(sb: &Sandbox, name: &str) -> Application {
    sb.scenario()
        .app(name)
        .cloned()
        .unwrap_or_else(|| panic!("no app {name}"))
}

pub fn secret(app: &Application) -> String {
    app.password_credentials[0].value.expose().to_string()
}

pub fn tenant_id(sb: &Sandbox, name: &str) -> String {
    sb.scenario().tenant(name).expect("tenant").id.clone()
}

pub fn upn(sb: &Sandbox, user: &str) -> String {
    sb.scenario()
        .user(user)
        .expect("user")
        .user_principal_name
        .clone()
}

pub fn password(sb: &Sandbox, user: &str) -> String {
    sb.scenario()
        .user(user)
        .expect("user")
        .password
        .expose()
        .to_string()
}

/// PKCE verifier and S256 challenge.
pub struct Pkce {
    pub verifier: String,
    pub challenge: String,
}

pub fn pkce() -> Pkce {
    let verifier = format!("{}{}", uuid_like(), uuid_like());
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, verifier.as_bytes());
    Pkce {
        challenge: URL_SAFE_NO_PAD.encode(digest.as_ref()),
        verifier,
    }
}

fn uuid_like() -> String {
    let mut b = [0u8; 24];
    aws_lc_rs::rand::fill(&mut b).expect("random");
    URL_SAFE_NO_PAD.encode(b)
}

pub fn url_with(base: &str, params: &[(&str, &str)]) -> String {
    let mut u = url::Url::parse(base).expect("url");
    {
        let mut q = u.query_pairs_mut();
        for (k, v) in params {
            q.append_pair(k, v);
        }
    }
    u.to_string()
}

/// `{authority}/oauth2/v2.0/authorize?…`
pub fn authorize_url(sb: &Sandbox, tenant: &str, params: &[(&str, &str)]) -> String {
    url_with(
        &format!("{}/oauth2/v2.0/authorize", sb.authority(tenant)),
        params,
    )
}

/// The hidden `ctx` of a sign-in or consent page.
pub fn ctx_of(html: &str) -> String {
    let marker = r#"name="ctx" value=""#;
    let start = html
        .find(marker)
        .unwrap_or_else(|| panic!("no ctx in page:\n{html}"))
        + marker.len();
    html[start..].split('"').next().unwrap_or("").to_string()
}

/// `action="/…"` of the first form.
pub fn form_action(html: &str) -> String {
    let marker = r#"action=""#;
    let start = html.find(marker).expect("a form") + marker.len();
    html[start..].split('"').next().unwrap_or("").to_string()
}

/// Query and fragment parameters of a redirect.
pub fn location_params(headers: &HeaderMap) -> HashMap<String, String> {
    let loc = headers
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .expect("a Location header");
    let u = url::Url::parse(loc).expect("absolute Location");
    let mut m: HashMap<String, String> = u
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if let Some(f) = u.fragment() {
        for (k, v) in url::form_urlencoded::parse(f.as_bytes()) {
            m.insert(k.into_owned(), v.into_owned());
        }
    }
    m
}

pub fn location(headers: &HeaderMap) -> String {
    headers
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .expect("Location")
        .to_string()
}

/// Opens the authorize URL and signs in on the page. Returns the response to the form POST.
pub async fn sign_in(
    c: &reqwest::Client,
    sb: &Sandbox,
    authorize: &str,
    user: &str,
) -> reqwest::Response {
    sign_in_with(c, sb, authorize, &upn(sb, user), &password(sb, user)).await
}

pub async fn sign_in_with(
    c: &reqwest::Client,
    sb: &Sandbox,
    authorize: &str,
    upn: &str,
    password: &str,
) -> reqwest::Response {
    let page = c.get(authorize).send().await.expect("authorize");
    assert_eq!(page.status(), StatusCode::OK, "the sign-in page");
    let html = page.text().await.expect("html");
    let ctx = ctx_of(&html);
    let action = form_action(&html);
    c.post(format!("{}{}", sb.base_url(), action))
        .form(&[("ctx", ctx.as_str()), ("user", upn), ("password", password)])
        .send()
        .await
        .expect("sign in")
}

/// Signs `user` in to `app` and returns the authorization code.
pub async fn code(
    sb: &Sandbox,
    app: &Application,
    user: &str,
    redirect: &str,
    scope: &str,
    pkce: Option<&Pkce>,
) -> String {
    let mut params = vec![
        ("client_id", app.app_id.as_str()),
        ("response_type", "code"),
        ("redirect_uri", redirect),
        ("scope", scope),
        ("state", "st-1"),
        ("nonce", "n-1"),
    ];
    if let Some(p) = pkce {
        params.push(("code_challenge", p.challenge.as_str()));
        params.push(("code_challenge_method", "S256"));
    }
    let url = authorize_url(sb, "contoso", &params);
    let r = sign_in(&client(), sb, &url, user).await;
    assert_eq!(
        r.status(),
        StatusCode::FOUND,
        "redirect with a code: {:?}",
        r.text().await
    );
    let p = location_params(r.headers());
    assert_eq!(p.get("state").map(String::as_str), Some("st-1"));
    p.get("code")
        .cloned()
        .unwrap_or_else(|| panic!("no code: {p:?}"))
}

/// POSTs a form to the v2 token endpoint of `tenant`.
pub async fn token(sb: &Sandbox, tenant: &str, form: &[(&str, &str)]) -> (StatusCode, Value) {
    token_with(sb, tenant, form, &[]).await
}

pub async fn token_with(
    sb: &Sandbox,
    tenant: &str,
    form: &[(&str, &str)],
    headers: &[(&str, &str)],
) -> (StatusCode, Value) {
    let mut req = client()
        .post(format!("{}/oauth2/v2.0/token", sb.authority(tenant)))
        .form(form);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let r = req.send().await.expect("token endpoint");
    let status = r.status();
    (status, r.json().await.expect("JSON body"))
}

/// Decodes a JWT part without verifying.
pub fn part(jwt: &str, i: usize) -> Value {
    let p = jwt.split('.').nth(i).expect("JWT part");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(p).expect("base64url")).expect("JSON")
}

pub fn claims(jwt: &str) -> Value {
    part(jwt, 1)
}

pub fn header(jwt: &str) -> Value {
    part(jwt, 0)
}

fn is_guid(s: &str) -> bool {
    entrance_sandbox::scenario::is_guid(s)
}

/// Asserts Entra's token-endpoint error shape (docs/entra.md#errors).
pub fn assert_entra_error(
    status: StatusCode,
    body: &Value,
    want_status: u16,
    error: &str,
    code: u32,
) {
    assert_eq!(
        status.as_u16(),
        want_status,
        "status for AADSTS{code}: {body}"
    );
    assert_eq!(body["error"], error, "{body}");
    assert_eq!(body["error_codes"], serde_json::json!([code]), "{body}");
    let d = body["error_description"]
        .as_str()
        .expect("error_description");
    assert!(d.starts_with(&format!("AADSTS{code}: ")), "{d}");
    let lines: Vec<&str> = d.split("\r\n").collect();
    assert_eq!(
        lines.len(),
        4,
        "message + Trace ID + Correlation ID + Timestamp: {d}"
    );
    assert!(
        lines[1].starts_with("Trace ID: ") && is_guid(&lines[1][10..]),
        "{d}"
    );
    assert!(
        lines[2].starts_with("Correlation ID: ") && is_guid(&lines[2][16..]),
        "{d}"
    );
    assert!(lines[3].starts_with("Timestamp: "), "{d}");
    let ts = body["timestamp"].as_str().expect("timestamp");
    assert_eq!(ts.len(), 20, "yyyy-mm-dd hh:mm:ssZ: {ts}");
    assert!(ts.ends_with('Z') && &ts[10..11] == " ", "{ts}");
    assert_eq!(lines[3], format!("Timestamp: {ts}"));
    assert!(is_guid(body["trace_id"].as_str().expect("trace_id")));
    assert!(is_guid(
        body["correlation_id"].as_str().expect("correlation_id")
    ));
    assert_eq!(body["trace_id"].as_str(), Some(&lines[1][10..]));
    if let Some(uri) = body.get("error_uri") {
        assert_eq!(
            uri,
            &serde_json::json!(format!(
                "https://login.microsoftonline.com/error?code={code}"
            ))
        );
    }
}

/// Asserts a redirect carrying an Entra error (docs/entra.md#errors; docs/entra.md#authorization-code-flow).
pub fn assert_redirect_error(r: &reqwest::Response, error: &str, code: u32, state: Option<&str>) {
    assert_eq!(
        r.status(),
        StatusCode::FOUND,
        "an error goes back to the app"
    );
    let p = location_params(r.headers());
    assert_eq!(p.get("error").map(String::as_str), Some(error), "{p:?}");
    let d = p.get("error_description").expect("error_description");
    assert!(d.starts_with(&format!("AADSTS{code}: ")), "{d}");
    assert!(
        d.contains("\r\nTrace ID: ") && d.contains("\r\nCorrelation ID: "),
        "{d}"
    );
    assert_eq!(p.get("state").map(String::as_str), state);
    assert!(!p.contains_key("code"));
}

/// Asserts Entra's error page: the code on the page, no redirect.
pub async fn assert_error_page(r: reqwest::Response, code: u32) -> String {
    assert_eq!(
        r.status(),
        StatusCode::BAD_REQUEST,
        "error page for AADSTS{code}"
    );
    assert!(
        r.headers().get(LOCATION).is_none(),
        "an error page never redirects"
    );
    let html = r.text().await.expect("html");
    assert!(
        html.contains(&format!(r#"<span id="error-code">AADSTS{code}</span>"#)),
        "AADSTS{code} on the page:\n{html}"
    );
    html
}
