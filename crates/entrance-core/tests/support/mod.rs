//! Helpers for the sign-in tests: the sandbox tenant, and a "browser" that
//! completes the sandbox's sign-in page over plain HTTP (the Chromium runs
//! are in `entrance-cli/tests/login.rs`).

#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use entrance_core::login::{
    self, Authority, Browser, ClientCredential, InteractiveRequest, LoginError, LoginOutcome,
    LoginProgress, RedirectSpec, SecretMethod,
};
use entrance_core::secrets::SecretString;
use entrance_sandbox::Sandbox;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

pub async fn sandbox() -> Sandbox {
    Sandbox::start_default()
        .await
        .expect("the built-in sandbox starts")
}

/// `{base}/{contoso's tenant ID}/v2.0`.
pub fn authority(sb: &Sandbox) -> Authority {
    Authority::parse(&format!("{}/v2.0", sb.authority("contoso"))).expect("authority")
}

pub fn app_id(sb: &Sandbox, name: &str) -> String {
    sb.scenario().app(name).expect("app").app_id.clone()
}

/// The Value of the app's first client secret.
pub fn secret_value(sb: &Sandbox, name: &str) -> String {
    sb.scenario().app(name).expect("app").password_credentials[0]
        .value
        .expose()
        .to_string()
}

/// The Secret ID (keyId) of the app's first client secret: the classic mistake.
pub fn secret_id(sb: &Sandbox, name: &str) -> String {
    sb.scenario().app(name).expect("app").password_credentials[0]
        .key_id
        .clone()
}

pub fn secret(value: &str, method: SecretMethod) -> ClientCredential {
    ClientCredential::Secret {
        secret: SecretString::from(value.to_string()),
        method,
        label: Some("test-secret".into()),
    }
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

/// A request with no browser opened (the test drives it) and a short timeout.
pub fn request(
    authority: Authority,
    client_id: &str,
    credential: ClientCredential,
    redirect: Option<&str>,
) -> InteractiveRequest {
    let mut r = InteractiveRequest::new(authority, client_id, credential);
    r.browser = Browser::None;
    r.timeout = Duration::from_secs(60);
    r.redirect = redirect.map(|u| RedirectSpec::parse(u).expect("redirect URI"));
    r
}

/// Every event of a sign-in, in order.
#[derive(Clone, Default)]
pub struct Events(Arc<Mutex<Vec<LoginProgress>>>);

impl Events {
    pub fn all(&self) -> Vec<LoginProgress> {
        self.0.lock().unwrap().clone()
    }

    pub fn names(&self) -> Vec<&'static str> {
        self.all()
            .iter()
            .map(|e| match e {
                LoginProgress::WaitingForBrowser { .. } => "waiting_for_browser",
                LoginProgress::BrowserOpened { .. } => "browser_opened",
                LoginProgress::BrowserNotOpened { .. } => "browser_not_opened",
                LoginProgress::RequestIgnored { .. } => "request_ignored",
                LoginProgress::CallbackReceived => "callback_received",
                LoginProgress::DeviceCode { .. } => "device_code",
                LoginProgress::Exchanging { .. } => "exchanging",
                LoginProgress::Verifying => "verifying",
                LoginProgress::Done { .. } => "done",
                LoginProgress::Failed { .. } => "failed",
                _ => "other",
            })
            .collect()
    }
}

/// What a test's browser did.
#[derive(Debug, Default, Clone)]
pub struct BrowserVisit {
    /// The authorize URL the sign-in showed.
    pub url: String,
    /// The redirect URI with the port bound.
    pub redirect_uri: String,
    /// The page Entrance answered the browser with.
    pub page: String,
}

/// Runs `request`; when the URL is shown, `user` signs in on the sandbox's
/// page over HTTP and the browser follows the redirect to Entrance.
pub async fn sign_in(
    sb: &Sandbox,
    request: InteractiveRequest,
    user: &str,
) -> (Result<LoginOutcome, LoginError>, Events, BrowserVisit) {
    let (upn, password) = (upn(sb, user), password(sb, user));
    let base = sb.base_url().to_string();
    sign_in_with(request, CancellationToken::new(), move |url| {
        let (upn, password, base) = (upn.clone(), password.clone(), base.clone());
        async move { http_browser(&base, &url, &upn, &password).await }
    })
    .await
}

/// Runs `request`, handing the authorize URL to `browse` when it is shown.
pub async fn sign_in_with<F, Fut>(
    request: InteractiveRequest,
    cancel: CancellationToken,
    browse: F,
) -> (Result<LoginOutcome, LoginError>, Events, BrowserVisit)
where
    F: Fn(String) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = String> + Send + 'static,
{
    let events = Events::default();
    let (tx, mut rx) = mpsc::unbounded_channel::<(String, String)>();
    let recorder = events.clone();
    let progress = move |e: LoginProgress| {
        if let LoginProgress::WaitingForBrowser {
            url, redirect_uri, ..
        } = &e
        {
            let _ = tx.send((url.clone(), redirect_uri.clone()));
        }
        recorder.0.lock().unwrap().push(e);
    };
    let browser = tokio::spawn(async move {
        let Some((url, redirect_uri)) = rx.recv().await else {
            return BrowserVisit::default();
        };
        let page = browse(url.clone()).await;
        BrowserVisit {
            url,
            redirect_uri,
            page,
        }
    });
    let result = login::interactive(request, progress, cancel).await;
    let visit = tokio::time::timeout(Duration::from_secs(30), browser)
        .await
        .ok()
        .and_then(Result::ok)
        .unwrap_or_default();
    (result, events, visit)
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

fn attr_after(html: &str, marker: &str) -> Option<String> {
    let start = html.find(marker)? + marker.len();
    Some(html[start..].split('"').next().unwrap_or("").to_string())
}

/// Signs in on the sandbox's page and follows the redirect; returns the
/// body of the last page (Entrance's, or the sandbox's error page).
pub async fn http_browser(base: &str, url: &str, upn: &str, password: &str) -> String {
    let c = client();
    let page = c.get(url).send().await.expect("authorize");
    let html = page.text().await.expect("html");
    let (Some(ctx), Some(action)) = (
        attr_after(&html, r#"name="ctx" value=""#),
        attr_after(&html, r#"action=""#),
    ) else {
        return html;
    };
    let r = c
        .post(format!("{base}{action}"))
        .form(&[("ctx", ctx.as_str()), ("user", upn), ("password", password)])
        .send()
        .await
        .expect("sign in");
    follow(&c, r).await
}

/// Follows a redirect to Entrance's listener and returns what it answered.
pub async fn follow(c: &reqwest::Client, r: reqwest::Response) -> String {
    let Some(location) = r
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
    else {
        return r.text().await.unwrap_or_default();
    };
    match c.get(&location).send().await {
        Ok(r) => r.text().await.unwrap_or_default(),
        Err(e) => format!("(the listener did not answer: {e})"),
    }
}

/// Completes the device code page for `user`.
pub async fn device_browser(base: &str, user_code: &str, upn: &str, password: &str) -> String {
    let c = client();
    let r = c
        .post(format!("{base}/devicelogin"))
        .form(&[("otc", user_code)])
        .send()
        .await
        .expect("devicelogin");
    let html = r.text().await.expect("html");
    let (Some(ctx), Some(action)) = (
        attr_after(&html, r#"name="ctx" value=""#),
        attr_after(&html, r#"action=""#),
    ) else {
        return html;
    };
    c.post(format!("{base}{action}"))
        .form(&[("ctx", ctx.as_str()), ("user", upn), ("password", password)])
        .send()
        .await
        .expect("sign in")
        .text()
        .await
        .unwrap_or_default()
}

/// The failure of a result that must have failed.
pub fn failure(result: &Result<LoginOutcome, LoginError>) -> &LoginError {
    match result {
        Ok(o) => panic!(
            "expected a failure, signed in as {:?}",
            o.summary.signed_in_as
        ),
        Err(e) => e,
    }
}

/// The outcome of a result that must have succeeded.
pub fn success(result: Result<LoginOutcome, LoginError>) -> LoginOutcome {
    match result {
        Ok(o) => o,
        Err(e) => panic!("expected a sign-in, got {:#?}", e.report()),
    }
}

/// The discovery document of a minimal standards OpenID provider at `base`
/// (authorize, token, device code and keys under it), for tests that stand
/// one up.
pub fn openid_configuration(base: &str) -> serde_json::Value {
    serde_json::json!({
        "issuer": base,
        "authorization_endpoint": format!("{base}/authorize"),
        "token_endpoint": format!("{base}/token"),
        "device_authorization_endpoint": format!("{base}/devicecode"),
        "jwks_uri": format!("{base}/jwks"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
    })
}

/// A minimal standards OpenID provider on 127.0.0.1: its discovery
/// document, an empty key set, and `token` as its token endpoint. Returns
/// its base URL and the server task.
pub async fn serve_provider(
    token: axum::routing::MethodRouter,
) -> (String, tokio::task::JoinHandle<()>) {
    use axum::routing::get;
    use axum::{Json, Router};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let doc = openid_configuration(&base);
    let app = Router::new()
        .route(
            "/.well-known/openid-configuration",
            get(move || {
                let doc = doc.clone();
                async move { Json(doc) }
            }),
        )
        .route(
            "/jwks",
            get(|| async { Json(serde_json::json!({"keys": []})) }),
        )
        .route("/token", token);
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (base, task)
}
