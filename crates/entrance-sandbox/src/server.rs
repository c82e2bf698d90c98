//! The HTTP side: shared state, the routes, the accept loops (plain or TLS,
//! with a per-connection handle so a fault can drop the connection), and
//! small response helpers. Handlers live in their own modules and stay thin.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::clock::Clock;
use crate::directory::Directory;
use crate::errors::{StsError, Trace};
use crate::faults::{DropConnection, FaultRule, Faults};
use crate::keys::KeyStore;
use crate::store::Store;
use crate::tokens::Minter;
use crate::{authorize, device, discovery, faults, graph, token_endpoint};

/// Everything the handlers share.
pub struct AppState {
    dir: RwLock<Directory>,
    pub keys: KeyStore,
    pub clock: Arc<Clock>,
    pub faults: Arc<Faults>,
    pub store: Store,
    /// `http(s)://127.0.0.1:PORT`.
    pub base: String,
    /// The Graph listener's root, `http(s)://127.0.0.1:PORT`.
    pub graph_base: String,
}

impl AppState {
    pub(crate) fn new(
        dir: Directory,
        keys: KeyStore,
        clock: Arc<Clock>,
        faults: Arc<Faults>,
        base: String,
        graph_base: String,
    ) -> AppState {
        AppState {
            dir: RwLock::new(dir),
            keys,
            clock,
            faults,
            store: Store::default(),
            base,
            graph_base,
        }
    }

    pub fn dir(&self) -> RwLockReadGuard<'_, Directory> {
        self.dir.read().unwrap_or_else(|p| p.into_inner())
    }

    pub fn dir_mut(&self) -> RwLockWriteGuard<'_, Directory> {
        self.dir.write().unwrap_or_else(|p| p.into_inner())
    }

    pub fn now(&self) -> i64 {
        self.clock.now()
    }

    /// Trace and correlation IDs for a request (`client-request-id` becomes
    /// the correlation ID, as MSAL sends it).
    /// (ERR sample: `trace_id`, `correlation_id`; the header mapping is unconfirmed in docs.)
    pub fn trace(&self, headers: &HeaderMap) -> Trace {
        Trace::new(
            headers
                .get("client-request-id")
                .and_then(|v| v.to_str().ok()),
            self.now(),
        )
    }

    pub fn minter<'a>(&'a self, dir: &'a Directory) -> Minter<'a> {
        Minter {
            dir,
            keys: &self.keys,
            base: &self.base,
            graph_base: &self.graph_base,
            now: self.now(),
        }
    }
}

/// Form fields (`application/x-www-form-urlencoded`); the first of a repeated name wins.
pub fn form_map(body: &Bytes) -> HashMap<String, String> {
    let mut m = HashMap::new();
    for (k, v) in url::form_urlencoded::parse(body) {
        m.entry(k.into_owned()).or_insert_with(|| v.into_owned());
    }
    m
}

/// Query parameters.
pub fn query_map(q: Option<&str>) -> HashMap<String, String> {
    form_map(&Bytes::copy_from_slice(q.unwrap_or("").as_bytes()))
}

/// RFC 6749 §5.1: responses with tokens carry `Cache-Control: no-store` and
/// `Pragma: no-cache`.
fn no_store(r: &mut Response) {
    let h = r.headers_mut();
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-store, no-cache"),
    );
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
}

/// 200 with a JSON body, not cached (token responses, discovery).
pub fn json_ok(body: Value) -> Response {
    let mut r = (StatusCode::OK, Json(body)).into_response();
    no_store(&mut r);
    r
}

/// An Entra error as JSON with its catalog status (docs/entra.md#errors).
pub fn json_error(e: &StsError, trace: &Trace) -> Response {
    let mut r = (e.status(), Json(e.body(trace))).into_response();
    no_store(&mut r);
    // The trace ID as `x-ms-request-id`, as Entra's responses carry it
    // (observed; unconfirmed in docs).
    if let Ok(v) = HeaderValue::from_str(&trace.trace_id) {
        r.headers_mut().insert("x-ms-request-id", v);
    }
    r
}

/// Entra's error page (status 400 so scripts notice; a browser shows the page).
pub fn page_error(e: &StsError, trace: &Trace) -> Response {
    html_response(StatusCode::BAD_REQUEST, e.page(trace))
}

pub fn html_response(status: StatusCode, html: String) -> Response {
    let mut r = (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        html,
    )
        .into_response();
    no_store(&mut r);
    r
}

/// The main listener's routes.
pub fn main_router(st: Arc<AppState>) -> Router {
    Router::new()
        .route("/", get(index))
        .route(
            "/{tenant}/v2.0/.well-known/openid-configuration",
            get(discovery::v2),
        )
        .route(
            "/{tenant}/.well-known/openid-configuration",
            get(discovery::v1),
        )
        .route("/{tenant}/discovery/v2.0/keys", get(discovery::keys_v2))
        .route("/{tenant}/discovery/keys", get(discovery::keys_v1))
        .route(
            "/{tenant}/oauth2/v2.0/authorize",
            get(authorize::authorize_v2).post(authorize::authorize_v2_post),
        )
        .route(
            "/{tenant}/oauth2/authorize",
            get(authorize::authorize_v1).post(authorize::authorize_v1_post),
        )
        .route(
            "/{tenant}/oauth2/v2.0/token",
            post(token_endpoint::token_v2).get(token_endpoint::token_get),
        )
        .route(
            "/{tenant}/oauth2/token",
            post(token_endpoint::token_v1).get(token_endpoint::token_get),
        )
        .route("/{tenant}/oauth2/v2.0/devicecode", post(device::devicecode))
        .route("/{tenant}/oauth2/v2.0/logout", get(logout))
        .route("/{tenant}/oauth2/logout", get(logout))
        .route("/{tenant}/login", post(authorize::login))
        .route("/{tenant}/consent", post(authorize::consent))
        .route(
            "/devicelogin",
            get(device::devicelogin_page).post(device::devicelogin),
        )
        .route("/graph/{*rest}", any(graph::main_listener))
        .route(
            "/_sandbox/faults",
            get(faults_get)
                .put(faults_put)
                .post(faults_post)
                .delete(faults_delete),
        )
        .route("/_sandbox/rotate-keys", post(rotate_keys))
        .route("/_sandbox/scenario", get(scenario_summary))
        .fallback(not_found)
        .layer(from_fn_with_state(Arc::clone(&st), faults::main_layer))
        .with_state(st)
}

/// The Graph listener's routes: everything goes to the Graph dispatcher.
pub fn graph_router(st: Arc<AppState>) -> Router {
    Router::new()
        .fallback(graph::own_listener)
        .layer(from_fn_with_state(Arc::clone(&st), faults::graph_layer))
        .with_state(st)
}

async fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "Not found: the sandbox tenant serves Entra ID's /{tenant}/… endpoints, /devicelogin and /graph/v1.0/….\n").into_response()
}

/// A landing page for people: the tenants and where to start.
async fn index(State(st): State<Arc<AppState>>) -> Response {
    let dir = st.dir();
    let tenants: String = dir
        .scenario()
        .tenants
        .iter()
        .map(|t| {
            format!(
                r#"<li><strong>{name}</strong> — {id} ({domains})<br><a href="/{id}/v2.0/.well-known/openid-configuration">v2 discovery</a></li>"#,
                name = crate::html::escape(&t.display_name),
                id = t.id,
                domains = crate::html::escape(&t.domains.join(", "))
            )
        })
        .collect();
    html_response(
        StatusCode::OK,
        crate::html::page(
            "Entrance sandbox tenant",
            &format!(
                r#"<h1>Sandbox tenant</h1><p>An identity provider that behaves like Microsoft Entra ID, for trying Entrance without a tenant.</p><ul id="tenants">{tenants}</ul><p>Microsoft Graph: {}</p>"#,
                crate::html::escape(&st.graph_base)
            ),
        ),
    )
}

/// `/{t}/oauth2/v2.0/logout`: ends the SSO session, then goes to
/// `post_logout_redirect_uri` if one was given.
/// (v2-protocols-oidc.md "Send a sign-out request": without it, a generic signed-out page.)
async fn logout(
    State(st): State<Arc<AppState>>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    for value in headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
    {
        for pair in value.split(';') {
            if let Some((k, v)) = pair.trim().split_once('=') {
                if k == authorize::SESSION_COOKIE {
                    crate::store::lock(&st.store.sessions).remove(v);
                }
            }
        }
    }
    let clear = format!("{}=; Path=/; Max-Age=0", authorize::SESSION_COOKIE);
    let mut r = match q
        .get("post_logout_redirect_uri")
        .filter(|u| url::Url::parse(u).is_ok())
    {
        Some(u) => (StatusCode::FOUND, [(header::LOCATION, u.clone())]).into_response(),
        None => html_response(
            StatusCode::OK,
            crate::html::page(
                "Signed out",
                r#"<h1>You signed out of your account</h1><p id="result">It's a good idea to close all browser windows.</p>"#,
            ),
        ),
    };
    if let Ok(v) = clear.parse() {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct FaultsBody {
    #[serde(default)]
    rules: Option<Vec<FaultRule>>,
    #[serde(default)]
    clock_offset_seconds: Option<i64>,
}

fn faults_json(st: &AppState) -> Response {
    (
        StatusCode::OK,
        Json(json!({"rules": st.faults.rules(), "clockOffsetSeconds": st.faults.clock_offset()})),
    )
        .into_response()
}

async fn faults_get(State(st): State<Arc<AppState>>) -> Response {
    faults_json(&st)
}

/// PUT `/_sandbox/faults`: replaces the rules and/or sets the clock offset.
async fn faults_put(State(st): State<Arc<AppState>>, body: Bytes) -> Response {
    match serde_json::from_slice::<FaultsBody>(&body) {
        Ok(b) => {
            if let Some(rules) = b.rules {
                st.faults.clear();
                for r in rules {
                    st.faults.add(r);
                }
            }
            if let Some(o) = b.clock_offset_seconds {
                st.faults.set_clock_offset(o);
            }
            faults_json(&st)
        }
        Err(e) => (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": e.to_string()})),
        )
            .into_response(),
    }
}

/// POST `/_sandbox/faults`: adds one rule.
async fn faults_post(State(st): State<Arc<AppState>>, body: Bytes) -> Response {
    match serde_json::from_slice::<FaultRule>(&body) {
        Ok(r) => {
            st.faults.add(r);
            faults_json(&st)
        }
        Err(e) => (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": e.to_string()})),
        )
            .into_response(),
    }
}

async fn faults_delete(State(st): State<Arc<AppState>>) -> Response {
    st.faults.clear();
    st.faults.set_clock_offset(0);
    faults_json(&st)
}

async fn rotate_keys(State(st): State<Arc<AppState>>) -> Response {
    let now = st.now();
    match st.keys.rotate(now) {
        Ok(kid) => (StatusCode::OK, Json(json!({"kid": kid}))).into_response(),
        Err(e) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            Json(json!({"error": e.to_string()})),
        )
            .into_response(),
    }
}

/// The scenario's tenants, users and apps, without passwords or secret values.
async fn scenario_summary(State(st): State<Arc<AppState>>) -> Response {
    let dir = st.dir();
    let s = dir.scenario();
    Json(json!({
        "tenants": s.tenants.iter().map(|t| json!({"name": t.name, "id": t.id, "domains": t.domains})).collect::<Vec<_>>(),
        "users": s.users.iter().map(|u| json!({"name": u.name, "id": u.id, "userPrincipalName": u.user_principal_name, "tenant": s.tenant_of(&u.tenant).map(|t| t.name.clone())})).collect::<Vec<_>>(),
        "applications": s.applications.iter().map(|a| json!({"name": a.name, "appId": a.app_id, "target": a.target, "notes": a.notes})).collect::<Vec<_>>(),
    }))
    .into_response()
}

/// Accepts connections until shutdown. Each connection gets a
/// [`DropConnection`] handle; firing it closes the socket unanswered.
pub(crate) async fn serve(
    listener: TcpListener,
    router: Router,
    tls: Option<tokio_rustls::TlsAcceptor>,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        tokio::select! {
            _ = shutdown.changed() => break,
            accepted = listener.accept() => {
                let Ok((stream, _peer)) = accepted else { continue };
                let _ = stream.set_nodelay(true);
                tokio::spawn(connection(stream, router.clone(), tls.clone(), shutdown.clone()));
            }
        }
    }
}

async fn connection(
    stream: tokio::net::TcpStream,
    router: Router,
    tls: Option<tokio_rustls::TlsAcceptor>,
    mut shutdown: watch::Receiver<bool>,
) {
    use hyper_util::rt::TokioIo;
    use tower::ServiceExt;

    let kill = Arc::new(tokio::sync::Notify::new());
    let handle = DropConnection(Arc::clone(&kill));
    let service =
        hyper::service::service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
            req.extensions_mut().insert(handle.clone());
            router.clone().oneshot(req)
        });
    let builder = hyper::server::conn::http1::Builder::new();
    match tls {
        None => {
            let conn = builder.serve_connection(TokioIo::new(stream), service);
            tokio::select! {
                _ = conn => {}
                _ = kill.notified() => {}
                _ = shutdown.changed() => {}
            }
        }
        Some(acceptor) => {
            let Ok(Ok(stream)) =
                tokio::time::timeout(Duration::from_secs(10), acceptor.accept(stream)).await
            else {
                return;
            };
            let conn = builder.serve_connection(TokioIo::new(stream), service);
            tokio::select! {
                _ = conn => {}
                _ = kill.notified() => {}
                _ = shutdown.changed() => {}
            }
        }
    }
}

/// Binds `addr`, naming the address in the error.
pub(crate) async fn bind(addr: SocketAddr) -> Result<TcpListener, crate::SandboxError> {
    TcpListener::bind(addr)
        .await
        .map_err(|source| crate::SandboxError::Bind { addr, source })
}
