//! `/{tenant}/oauth2/v2.0/authorize` (and v1 `/{tenant}/oauth2/authorize`):
//! request validation in Entra's order, the sign-in page, SSO sessions,
//! assignment and consent, and the response to the redirect URI.
//!
//! Errors before the redirect URI is validated are shown on the sandbox's
//! own error page, like Entra's (tenant 90002, client 700016, redirect URI
//! 500113/900971/90102/50011 — docs/entra.md#errors: "A redirect URI mismatch
//! (50011) is shown on Entra's own error page"). Afterwards they go to the
//! redirect URI as `error`, `error_description`, `state` (ACF "Error response").

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::directory::{Directory, Resource, ResourceScopes, ScopeError, ScopeRequest, TenantSel};
use crate::errors::{StsError, Trace};
use crate::html::{self, escape};
use crate::redirect::{self, Platform};
use crate::scenario::User;
use crate::server::{form_map, html_response, page_error, query_map, AppState};
use crate::store::{lock, AuthCode, Pending, PendingConsent, PendingKind, Session};
use crate::tokens::{half_hash, random_b64, ClientAuth, UserContext};

/// The session cookie (Entra's is `ESTSAUTH`).
pub const SESSION_COOKIE: &str = "ESTSAUTH";

/// How the response reaches the redirect URI (ACF `response_mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseMode {
    Query,
    Fragment,
    FormPost,
}

/// A validated authorization request.
#[derive(Debug, Clone)]
pub struct AuthorizeRequest {
    pub segment: String,
    pub sel: TenantSel,
    /// 1 for `/oauth2/authorize`, 2 for `/oauth2/v2.0/authorize` (ID token version, docs/entra.md#token-versions-and-issuers).
    pub version: u8,
    pub client_id: String,
    pub redirect_uri: String,
    pub platform: Platform,
    pub code: bool,
    pub id_token: bool,
    pub token: bool,
    pub mode: ResponseMode,
    pub scope: ScopeRequest,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub prompt: Option<String>,
    pub login_hint: Option<String>,
    pub domain_hint: Option<String>,
    /// (challenge, method `S256` | `plain`).
    pub code_challenge: Option<(String, String)>,
}

/// Why a request is refused, and where the refusal goes.
#[derive(Debug)]
pub enum Rejection {
    /// Entra's error page; nothing is sent to the app.
    Page(StsError),
    /// Sent to the validated redirect URI.
    Redirect {
        redirect_uri: String,
        mode: ResponseMode,
        state: Option<String>,
        error: StsError,
    },
}

/// Validates an authorization request in Entra's order.
pub fn validate(
    dir: &Directory,
    version: u8,
    segment: &str,
    p: &HashMap<String, String>,
) -> Result<AuthorizeRequest, Rejection> {
    let get = |k: &str| p.get(k).map(String::as_str).filter(|v| !v.is_empty());
    let Some(sel) = dir.resolve_tenant(segment) else {
        return Err(Rejection::Page(StsError::tenant_not_found(segment)));
    };
    let Some(client_id) = get("client_id") else {
        return Err(Rejection::Page(StsError::missing_parameter("client_id")));
    };
    let tenant_label = match &sel {
        TenantSel::Tenant(i) => dir
            .tenant_by_index(*i)
            .map(|t| t.id.clone())
            .unwrap_or_default(),
        _ => segment.to_string(),
    };
    let app = match dir.app(client_id) {
        Some(app) => app,
        None => {
            return Err(Rejection::Page(StsError::app_not_found(
                client_id,
                &tenant_label,
            )))
        }
    };
    // A tenant-specific authority only knows apps with a service principal there.
    let tenant_id = match &sel {
        TenantSel::Tenant(i) => {
            let tid = dir
                .tenant_by_index(*i)
                .map(|t| t.id.to_ascii_lowercase())
                .unwrap_or_default();
            if dir.service_principal(&app.app_id, &tid).is_none()
                && !app.sign_in_audience.is_multi_tenant()
            {
                return Err(Rejection::Page(StsError::app_not_found(
                    client_id,
                    &tenant_label,
                )));
            }
            Some(tid)
        }
        _ => None,
    };
    let matched = redirect::find(app, get("redirect_uri")).map_err(Rejection::Page)?;
    let redirect_uri = get("redirect_uri").unwrap_or_default().to_string();
    let state = p.get("state").cloned();

    // response_type and response_mode come first: they say how to send errors.
    let rt = get("response_type").unwrap_or("");
    let (mut code, mut id_token, mut token, mut bad_rt) = (false, false, false, None);
    for t in rt.split_whitespace() {
        match t {
            "code" => code = true,
            "id_token" => id_token = true,
            "token" => token = true,
            other => bad_rt = Some(other.to_string()),
        }
    }
    let default_mode = if id_token || token {
        ResponseMode::Fragment
    } else {
        ResponseMode::Query
    };
    let fail = |mode: ResponseMode, error: StsError| Rejection::Redirect {
        redirect_uri: redirect_uri.clone(),
        mode,
        state: state.clone(),
        error,
    };
    let mode = match get("response_mode") {
        None => default_mode,
        Some("query") if !(id_token || token) => ResponseMode::Query,
        Some("fragment") => ResponseMode::Fragment,
        Some("form_post") => ResponseMode::FormPost,
        // ACF: `query` isn't supported when an ID token or token is requested.
        Some(other) => {
            return Err(fail(
                default_mode,
                StsError::unsupported_response_mode(other),
            ))
        }
    };
    if rt.is_empty() {
        return Err(fail(mode, StsError::missing_parameter("response_type")));
    }
    if let Some(bad) = bad_rt {
        return Err(fail(mode, StsError::unsupported_response_type(&bad)));
    }
    if !(code || id_token || token) {
        return Err(fail(mode, StsError::unsupported_response_type(rt)));
    }
    let implicit = &app.web.implicit_grant_settings;
    if id_token && !implicit.enable_id_token_issuance {
        // docs/entra.md#errors 700054; ACF hybrid flow.
        return Err(fail(mode, StsError::id_token_not_enabled()));
    }
    if token && !implicit.enable_access_token_issuance {
        return Err(fail(mode, StsError::token_not_enabled()));
    }

    // The v1 endpoint takes `resource`; the v2 one refuses it (docs/entra.md#errors 901002).
    let scope = if version == 2 {
        if get("resource").is_some() {
            return Err(fail(mode, StsError::resource_param_not_supported()));
        }
        let Some(raw) = get("scope") else {
            return Err(fail(mode, StsError::missing_parameter("scope")));
        };
        match dir.parse_scopes(tenant_id.as_deref(), raw) {
            Ok(s) => s,
            Err(ScopeError::Invalid(s)) => return Err(fail(mode, StsError::invalid_scope(&s))),
            Err(ScopeError::ResourceNotFound(r)) => {
                return Err(fail(mode, StsError::resource_not_found(&r, &tenant_label)))
            }
        }
    } else {
        // v1-protocols-oauth-code.md "Request an authorization code": `resource`, no scopes.
        v1_scope(dir, tenant_id.as_deref(), get("resource"), &tenant_label)
            .map_err(|e| fail(mode, e))?
    };
    if id_token && !scope.has("openid") {
        return Err(fail(
            mode,
            StsError::unsupported_response_type("id_token (without the openid scope)"),
        ));
    }
    let nonce = p.get("nonce").cloned();
    if id_token && nonce.is_none() {
        // ACF hybrid flow: `nonce` is required with `id_token`.
        return Err(fail(mode, StsError::missing_parameter("nonce")));
    }

    let code_challenge = match (get("code_challenge"), get("code_challenge_method")) {
        (None, None) => None,
        (None, Some(_)) => return Err(fail(mode, StsError::missing_parameter("code_challenge"))),
        (Some(c), m) => {
            // ACF: without a method, the challenge is plain.
            let m = m.unwrap_or("plain");
            if m != "S256" && m != "plain" {
                return Err(fail(
                    mode,
                    StsError::invalid_parameter("code_challenge_method"),
                ));
            }
            // RFC 7636: 43–128 characters (ERR 501491).
            if !(43..=128).contains(&c.len()) {
                return Err(fail(mode, StsError::bad_code_challenge()));
            }
            Some((c.to_string(), m.to_string()))
        }
    };
    let prompt = get("prompt").map(str::to_string);
    // ACF `prompt`: login, none, consent, select_account ("the only valid values",
    // v2-protocols-oidc.md); anything else → 90100 (ERR InvalidRequestParameter).
    if let Some(pr) = &prompt {
        if !["login", "none", "consent", "select_account"].contains(&pr.as_str()) {
            return Err(fail(mode, StsError::invalid_parameter("prompt")));
        }
    }
    // docs/entra.md#errors 50194: a single-tenant app cannot use /common or /organizations.
    if matches!(sel, TenantSel::Common | TenantSel::Organizations)
        && !app.sign_in_audience.is_multi_tenant()
    {
        return Err(fail(
            mode,
            StsError::not_multi_tenant(&app.app_id, &app.display_name),
        ));
    }
    Ok(AuthorizeRequest {
        segment: segment.to_string(),
        sel,
        version,
        client_id: app.app_id.to_ascii_lowercase(),
        redirect_uri,
        platform: matched.platform,
        code,
        id_token,
        token,
        mode,
        scope,
        state,
        nonce,
        prompt,
        login_hint: p.get("login_hint").cloned(),
        domain_hint: p.get("domain_hint").cloned(),
        code_challenge,
    })
}

/// v1 requests name one `resource`; they always get an ID token with the
/// profile claims (v1 has no scopes for them).
/// (v1-protocols-oauth-code.md: `resource` names the API; `scope` is "ignored".)
fn v1_scope(
    dir: &Directory,
    tenant_id: Option<&str>,
    resource: Option<&str>,
    tenant_label: &str,
) -> Result<ScopeRequest, StsError> {
    let mut req = ScopeRequest {
        oidc: vec!["openid".into(), "profile".into()],
        resources: Vec::new(),
    };
    if let Some(r) = resource {
        let rs = if crate::directory::is_graph_resource(r) {
            Resource::Graph
        } else {
            match dir.resource_app(r) {
                Some(a)
                    if tenant_id.is_none_or(|t| dir.service_principal(&a.app_id, t).is_some()) =>
                {
                    Resource::App(a.app_id.to_ascii_lowercase())
                }
                _ => return Err(StsError::resource_not_found(r, tenant_label)),
            }
        };
        req.resources.push(ResourceScopes {
            resource: rs,
            identifier: r.to_string(),
            scopes: vec![".default".into()],
        });
    }
    Ok(req)
}

/// Sends a response (or an error) to the redirect URI the Entra way.
pub fn deliver(redirect_uri: &str, mode: ResponseMode, params: Vec<(String, String)>) -> Response {
    match mode {
        ResponseMode::FormPost => {
            html_response(StatusCode::OK, html::form_post(redirect_uri, &params))
        }
        ResponseMode::Query | ResponseMode::Fragment => {
            let mut url = match url::Url::parse(redirect_uri) {
                Ok(u) => u,
                Err(_) => return StatusCode::BAD_REQUEST.into_response(),
            };
            if mode == ResponseMode::Query {
                {
                    let mut q = url.query_pairs_mut();
                    for (k, v) in &params {
                        q.append_pair(k, v);
                    }
                }
            } else {
                let frag: String = url::form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(params.iter())
                    .finish();
                url.set_fragment(Some(&frag));
            }
            (StatusCode::FOUND, [(header::LOCATION, url.to_string())]).into_response()
        }
    }
}

fn reject(r: Rejection, trace: &Trace) -> Response {
    match r {
        Rejection::Page(e) => page_error(&e, trace),
        Rejection::Redirect {
            redirect_uri,
            mode,
            state,
            error,
        } => {
            let mut p = error.redirect_params(trace);
            if let Some(s) = state {
                p.push(("state".into(), s));
            }
            deliver(&redirect_uri, mode, p)
        }
    }
}

fn redirect_error(req: &AuthorizeRequest, e: StsError, trace: &Trace) -> Response {
    reject(
        Rejection::Redirect {
            redirect_uri: req.redirect_uri.clone(),
            mode: req.mode,
            state: req.state.clone(),
            error: e,
        },
        trace,
    )
}

/// GET `/{tenant}/oauth2/v2.0/authorize`.
pub async fn authorize_v2(
    State(st): State<Arc<AppState>>,
    Path(tenant): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Response {
    authorize(st, 2, tenant, query_map(q.as_deref()), headers)
}

/// GET `/{tenant}/oauth2/authorize` (v1: v1 ID tokens).
pub async fn authorize_v1(
    State(st): State<Arc<AppState>>,
    Path(tenant): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Response {
    authorize(st, 1, tenant, query_map(q.as_deref()), headers)
}

/// POST to the authorize endpoint (form-encoded parameters) behaves like GET
/// (OIDC Core §3.1.2.1: the authorization endpoint supports GET and POST).
pub async fn authorize_v2_post(
    State(st): State<Arc<AppState>>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    authorize(st, 2, tenant, form_map(&body), headers)
}

/// POST to the v1 authorize endpoint, as [`authorize_v2_post`] (OIDC Core
/// §3.1.2.1).
pub async fn authorize_v1_post(
    State(st): State<Arc<AppState>>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    authorize(st, 1, tenant, form_map(&body), headers)
}

fn authorize(
    st: Arc<AppState>,
    version: u8,
    segment: String,
    p: HashMap<String, String>,
    headers: HeaderMap,
) -> Response {
    let trace = st.trace(&headers);
    let now = st.now();
    st.store.sweep(now);
    let req = {
        let dir = st.dir();
        match validate(&dir, version, &segment, &p) {
            Ok(r) => r,
            Err(r) => return reject(r, &trace),
        }
    };
    let session = session_of(&st, &headers);
    let prompt = req.prompt.as_deref();
    if prompt == Some("none") {
        // ACF: prompt=none never shows UI; without a session → login_required (50058).
        let Some(s) = session else {
            return redirect_error(&req, StsError::login_required(), &trace);
        };
        return finish(&st, req, s, &trace, false);
    }
    if let Some(s) = session {
        // SSO: with a session and no prompt, the user is signed in silently
        // (ACF: "sign in the sole current user").
        if prompt.is_none() || prompt == Some("consent") {
            // A hint naming someone else ends silent SSO (ACF `login_hint`;
            // v2-protocols-oidc.md `prompt`: "the hinted user isn't signed in").
            let hint_ok = req.login_hint.as_deref().is_none_or(|h| {
                st.dir()
                    .user_by_oid(&s.user_oid)
                    .is_some_and(|u| u.user_principal_name.eq_ignore_ascii_case(h))
            });
            if hint_ok {
                return finish(&st, req, s, &trace, true);
            }
        }
    }
    let id = random_b64(24);
    let sel = req.sel.clone();
    let hint = req.login_hint.clone();
    let domain_hint = req.domain_hint.clone();
    lock(&st.store.pending).insert(
        id.clone(),
        Pending {
            kind: PendingKind::Authorize(Box::new(req)),
            sel: sel.clone(),
            created: now,
            consent: None,
        },
    );
    let dir = st.dir();
    html_response(
        StatusCode::OK,
        sign_in_page(
            &dir,
            &segment,
            &sel,
            &id,
            hint.as_deref(),
            domain_hint.as_deref(),
            None,
            false,
        ),
    )
}

fn session_of(st: &AppState, headers: &HeaderMap) -> Option<Session> {
    let cookies = headers.get_all(header::COOKIE);
    for value in cookies.iter().filter_map(|v| v.to_str().ok()) {
        for pair in value.split(';') {
            if let Some((k, v)) = pair.trim().split_once('=') {
                if k == SESSION_COOKIE {
                    if let Some(s) = lock(&st.store.sessions).get(v) {
                        return Some(s.clone());
                    }
                }
            }
        }
    }
    None
}

/// The sign-in page: pick an account, enter its password (`#user`,
/// `#password`, `button[type=submit]`).
/// ACF: the default "show the account picker if there are multiple users";
/// `login_hint` preselects (ACF `login_hint`), `domain_hint` narrows (ACF `domain_hint`).
#[allow(clippy::too_many_arguments)]
pub fn sign_in_page(
    dir: &Directory,
    segment: &str,
    sel: &TenantSel,
    ctx: &str,
    login_hint: Option<&str>,
    domain_hint: Option<&str>,
    error: Option<(&StsError, &Trace)>,
    device: bool,
) -> String {
    let users = dir.users_for(sel, domain_hint);
    let options: String = users
        .iter()
        .map(|u| {
            let selected =
                login_hint.is_some_and(|h| h.eq_ignore_ascii_case(&u.user_principal_name));
            format!(
                r#"<option value="{upn}"{sel}>{name} ({upn})</option>"#,
                upn = escape(&u.user_principal_name),
                name = escape(&u.display_name),
                sel = if selected { " selected" } else { "" }
            )
        })
        .collect();
    let error_html = match error {
        Some((e, t)) => format!(
            r#"<p id="error" role="alert"><span id="error-code">AADSTS{}</span>: {}<br><span class="trace">Trace ID: {} · Correlation ID: {}</span></p>"#,
            e.code,
            escape(&e.message),
            t.trace_id,
            t.correlation_id
        ),
        None => String::new(),
    };
    let cancel = if device {
        r#" <button type="submit" name="cancel" value="1" class="secondary" id="cancel">Cancel</button>"#
    } else {
        ""
    };
    let body = format!(
        r#"<h1>Sign in</h1>
{error_html}<form method="post" action="/{segment}/login" id="sign-in">
<input type="hidden" name="ctx" value="{ctx}">
<label for="user">Pick an account</label>
<select id="user" name="user">{options}</select>
<label for="password">Password</label>
<input type="password" id="password" name="password" autocomplete="current-password">
<button type="submit" id="submit">Sign in</button>{cancel}
</form>"#,
        segment = escape(segment),
        ctx = escape(ctx),
    );
    html::page("Sign in to your account", &body)
}

/// POST `/{tenant}/login`: the sign-in form.
pub async fn login(
    State(st): State<Arc<AppState>>,
    Path(segment): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let trace = st.trace(&headers);
    let f = form_map(&body);
    let ctx = f.get("ctx").cloned().unwrap_or_default();
    let Some(pending) = lock(&st.store.pending).get(&ctx).cloned() else {
        // ERR 50089: the flow token expired (the page sat too long, or the sandbox restarted).
        return page_error(&StsError::flow_expired(), &trace);
    };
    if f.contains_key("cancel") {
        lock(&st.store.pending).remove(&ctx);
        return match pending.kind {
            PendingKind::Device(user_code) => crate::device::decline(&st, &user_code, &trace),
            PendingKind::Authorize(req) => redirect_error(
                &req,
                StsError::consent_declined().with_error("access_denied"),
                &trace,
            ),
        };
    }
    let upn = f.get("user").cloned().unwrap_or_default();
    let password = f.get("password").cloned().unwrap_or_default();
    let device = matches!(pending.kind, PendingKind::Device(_));
    let hint = match &pending.kind {
        PendingKind::Authorize(r) => r.login_hint.clone(),
        PendingKind::Device(_) => None,
    };
    let again = |e: StsError| {
        let dir = st.dir();
        html_response(
            StatusCode::OK,
            sign_in_page(
                &dir,
                &segment,
                &pending.sel,
                &ctx,
                Some(&upn).or(hint.as_ref()).map(String::as_str),
                None,
                Some((&e, &trace)),
                device,
            ),
        )
    };
    let (user_oid, user_ok) = {
        let dir = st.dir();
        match dir.user_by_upn(&upn) {
            None => {
                let tenant = match &pending.sel {
                    TenantSel::Tenant(i) => dir
                        .tenant_by_index(*i)
                        .map(|t| t.domains[0].clone())
                        .unwrap_or_default(),
                    _ => "common".into(),
                };
                drop(dir);
                return again(StsError::user_not_found(&upn, &tenant));
            }
            Some(u) => {
                let in_tenant = dir
                    .users_for(&pending.sel, None)
                    .iter()
                    .any(|x| x.id == u.id);
                if !in_tenant {
                    let (tid, app) = match (&pending.sel, &pending.kind) {
                        (TenantSel::Tenant(i), PendingKind::Authorize(r)) => (
                            dir.tenant_by_index(*i)
                                .map(|t| t.id.clone())
                                .unwrap_or_default(),
                            dir.app(&r.client_id)
                                .map(|a| (a.app_id.clone(), a.display_name.clone())),
                        ),
                        (TenantSel::Tenant(i), _) => (
                            dir.tenant_by_index(*i)
                                .map(|t| t.id.clone())
                                .unwrap_or_default(),
                            None,
                        ),
                        _ => (String::new(), None),
                    };
                    let idp = crate::tokens::v1_issuer(&dir.user_tenant_id(u));
                    let (app_id, app_name) = app.unwrap_or_default();
                    let e = StsError::user_from_other_tenant(&upn, &idp, &tid, &app_id, &app_name);
                    drop(dir);
                    return again(e);
                }
                if u.password.expose() != password {
                    drop(dir);
                    return again(StsError::bad_credentials());
                }
                (u.id.to_ascii_lowercase(), u.account_enabled)
            }
        }
    };
    if !user_ok {
        return again(StsError::user_disabled());
    }
    let now = st.now();
    let session = Session {
        user_oid: user_oid.clone(),
        auth_time: now,
        sid: uuid::Uuid::new_v4().to_string(),
    };
    let cookie_id = random_b64(32);
    lock(&st.store.sessions).insert(cookie_id.clone(), session.clone());
    lock(&st.store.pending).remove(&ctx);
    let mut response = match pending.kind {
        PendingKind::Authorize(req) => finish(&st, *req, session, &trace, true),
        PendingKind::Device(user_code) => crate::device::approve(&st, &user_code, session, &trace),
    };
    if let Ok(v) = format!("{SESSION_COOKIE}={cookie_id}; Path=/; HttpOnly; SameSite=Lax").parse() {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    response
}

/// The tenant tokens are issued in: the authority's, or the user's own for
/// `/common` and `/organizations` (docs/entra.md#token-versions-and-issuers: substitute the `tid`).
pub fn token_tenant(dir: &Directory, sel: &TenantSel, user: &User) -> String {
    match sel {
        TenantSel::Tenant(i) => dir
            .tenant_by_index(*i)
            .map(|t| t.id.to_ascii_lowercase())
            .unwrap_or_default(),
        _ => dir.user_tenant_id(user),
    }
}

/// What still needs consent for this user and request: (resource, scopes).
pub fn missing_consent(
    dir: &Directory,
    client_id: &str,
    tenant_id: &str,
    user: &User,
    scope: &ScopeRequest,
) -> Vec<(Resource, Vec<String>)> {
    let Some(client) = dir.app(client_id) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for r in &scope.resources {
        let wanted: Vec<String> = r
            .scopes
            .iter()
            .flat_map(|s| {
                if s == ".default" {
                    dir.static_scopes(client, &r.resource)
                } else {
                    vec![s.clone()]
                }
            })
            .collect();
        let granted = dir.granted_scopes(client_id, tenant_id, &user.id, &r.resource);
        let missing: Vec<String> = wanted
            .into_iter()
            .filter(|w| !granted.iter().any(|g| g.eq_ignore_ascii_case(w)))
            .collect();
        if !missing.is_empty() {
            out.push((r.resource.clone(), missing));
        }
    }
    out
}

/// Records an interactive sign-in for Graph's sign-in logs (signin-list):
/// `status.errorCode` 0 on success, else the AADSTS code and its message.
fn record_sign_in(
    st: &Arc<AppState>,
    user: &crate::scenario::User,
    app: &crate::scenario::Application,
    tenant_id: &str,
    trace: &Trace,
    error: Option<&StsError>,
) {
    crate::store::lock(&st.store.sign_ins).push(crate::store::SignIn {
        id: uuid::Uuid::new_v4().to_string(),
        created: trace.now,
        user_oid: user.id.to_ascii_lowercase(),
        user_principal_name: user.user_principal_name.clone(),
        user_display_name: user.display_name.clone(),
        app_id: app.app_id.to_ascii_lowercase(),
        app_display_name: app.display_name.clone(),
        tenant_id: tenant_id.to_ascii_lowercase(),
        error_code: error.map_or(0, |e| e.code),
        failure_reason: error.map_or_else(|| "Other.".to_string(), |e| e.message.clone()),
        correlation_id: trace.correlation_id.clone(),
    });
}

/// After the user is known: assignment (50105), consent (65001 / consent
/// page), then the response.
fn finish(
    st: &Arc<AppState>,
    req: AuthorizeRequest,
    session: Session,
    trace: &Trace,
    interactive: bool,
) -> Response {
    let (tenant_id, missing, can_admin) = {
        let dir = st.dir();
        let Some(user) = dir.user_by_oid(&session.user_oid) else {
            return page_error(&StsError::flow_expired(), trace);
        };
        let tenant_id = token_tenant(&dir, &req.sel, user);
        let Some(app) = dir.app(&req.client_id) else {
            return page_error(&StsError::app_not_found(&req.client_id, &tenant_id), trace);
        };
        if let Some(sp) = dir.service_principal_full(&app.app_id, &tenant_id) {
            if sp.app_role_assignment_required && !dir.is_assigned(user, &sp) {
                // docs/entra.md#errors 50105 (sent to the app as access_denied, the
                // way ADAL/MSAL apps have reported it).
                let e = StsError::not_assigned(
                    &app.display_name,
                    &app.app_id,
                    &user.user_principal_name,
                );
                record_sign_in(st, user, app, &tenant_id, trace, Some(&e));
                return redirect_error(&req, e, trace);
            }
        }
        let missing = missing_consent(&dir, &req.client_id, &tenant_id, user, &req.scope);
        (tenant_id, missing, dir.can_admin_consent(user))
    };
    let force = req.prompt.as_deref() == Some("consent");
    if missing.is_empty() && !force {
        {
            let dir = st.dir();
            if let (Some(user), Some(app)) =
                (dir.user_by_oid(&session.user_oid), dir.app(&req.client_id))
            {
                record_sign_in(st, user, app, &tenant_id, trace, None);
            }
        }
        return respond(st, &req, &session, &tenant_id, trace);
    }
    let needs_admin = {
        let dir = st.dir();
        missing
            .iter()
            .any(|(r, scopes)| scopes.iter().any(|s| dir.scope_needs_admin(r, s)))
    };
    let app_name = st
        .dir()
        .app(&req.client_id)
        .map(|a| a.display_name.clone())
        .unwrap_or_default();
    if !interactive || (needs_admin && !can_admin) {
        // docs/entra.md#errors 65001; ACF `consent_required` / admin-restricted permissions.
        return redirect_error(
            &req,
            StsError::consent_missing(&req.client_id, &app_name),
            trace,
        );
    }
    let id = random_b64(24);
    let page = consent_page(st, &req.segment, &id, &app_name, &missing, can_admin);
    lock(&st.store.pending).insert(
        id,
        Pending {
            sel: req.sel.clone(),
            kind: PendingKind::Authorize(Box::new(req)),
            created: st.now(),
            consent: Some(PendingConsent {
                user_oid: session.user_oid.clone(),
                tenant_id,
                session,
                missing,
            }),
        },
    );
    html_response(StatusCode::OK, page)
}

fn permission_label(dir: &Directory, r: &Resource, s: &str) -> String {
    let name = match r {
        Resource::Graph => "Microsoft Graph".to_string(),
        Resource::App(id) => dir
            .app(id)
            .map(|a| a.display_name.clone())
            .unwrap_or_else(|| id.clone()),
    };
    format!("{name}: {s}")
}

/// "Permissions requested": Accept or Cancel; admins may consent for the
/// whole organization.
pub(crate) fn consent_page(
    st: &AppState,
    segment: &str,
    ctx: &str,
    app_name: &str,
    missing: &[(Resource, Vec<String>)],
    can_admin: bool,
) -> String {
    let dir = st.dir();
    let items: String = missing
        .iter()
        .flat_map(|(r, scopes)| scopes.iter().map(move |s| (r, s)))
        .map(|(r, s)| format!("<li>{}</li>", escape(&permission_label(&dir, r, s))))
        .collect();
    let org = if can_admin {
        r#"<label><input type="checkbox" id="consent-org" name="consent_org" value="1"> Consent on behalf of your organization</label>"#
    } else {
        ""
    };
    let body = format!(
        r#"<h1>Permissions requested</h1>
<p><strong>{app}</strong> needs permission to:</p>
<ul id="permissions">{items}</ul>
<form method="post" action="/{segment}/consent" id="consent">
<input type="hidden" name="ctx" value="{ctx}">
{org}
<button type="submit" name="accept" value="1" id="accept">Accept</button>
<button type="submit" name="accept" value="0" id="decline" class="secondary">Cancel</button>
</form>"#,
        app = escape(app_name),
        segment = escape(segment),
        ctx = escape(ctx),
    );
    html::page("Permissions requested", &body)
}

/// POST `/{tenant}/consent`.
pub async fn consent(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let trace = st.trace(&headers);
    let f = form_map(&body);
    let ctx = f.get("ctx").cloned().unwrap_or_default();
    let Some(pending) = lock(&st.store.pending).remove(&ctx) else {
        return page_error(&StsError::flow_expired(), &trace);
    };
    let Some(c) = pending.consent else {
        return page_error(&StsError::flow_expired(), &trace);
    };
    let accept = f.get("accept").map(String::as_str) == Some("1");
    let org = f.get("consent_org").map(String::as_str) == Some("1");
    match pending.kind {
        PendingKind::Authorize(req) => {
            if !accept {
                return redirect_error(&req, StsError::consent_declined(), &trace);
            }
            {
                let mut dir = st.dir_mut();
                for (resource, scopes) in c.missing {
                    let principal = if org { None } else { Some(c.user_oid.clone()) };
                    dir.grant(&req.client_id, &c.tenant_id, resource, scopes, principal);
                }
            }
            respond(&st, &req, &c.session, &c.tenant_id, &trace)
        }
        PendingKind::Device(user_code) => {
            if !accept {
                return crate::device::decline(&st, &user_code, &trace);
            }
            let client = lock(&st.store.devices)
                .values()
                .find(|d| d.user_code == user_code)
                .map(|d| d.client_id.clone())
                .unwrap_or_default();
            {
                let mut dir = st.dir_mut();
                for (resource, scopes) in c.missing {
                    let principal = if org { None } else { Some(c.user_oid.clone()) };
                    dir.grant(&client, &c.tenant_id, resource, scopes, principal);
                }
            }
            crate::device::approve_after_consent(&st, &user_code, c.session, &c.tenant_id, &trace)
        }
    }
}

/// Issues what the request asked for and sends it to the redirect URI.
fn respond(
    st: &Arc<AppState>,
    req: &AuthorizeRequest,
    session: &Session,
    tenant_id: &str,
    trace: &Trace,
) -> Response {
    let now = st.now();
    let mut params: Vec<(String, String)> = Vec::new();
    let mut code_value = None;
    let mut at_hash = None;
    if req.code {
        let code = format!("1.A{}", random_b64(96));
        lock(&st.store.codes).insert(
            code.clone(),
            AuthCode {
                client_id: req.client_id.clone(),
                redirect_uri: req.redirect_uri.clone(),
                platform: req.platform,
                user_oid: session.user_oid.clone(),
                tenant_id: tenant_id.to_string(),
                sel: req.sel.clone(),
                scope: req.scope.clone(),
                nonce: req.nonce.clone(),
                code_challenge: req.code_challenge.clone(),
                auth_time: session.auth_time,
                sid: session.sid.clone(),
                id_token_version: req.version,
                issued_at: now,
                redeemed: false,
            },
        );
        params.push(("code".into(), code.clone()));
        code_value = Some(code);
    }
    if req.id_token || req.token {
        let dir = st.dir();
        let (Some(user), Some(tenant), Some(client)) = (
            dir.user_by_oid(&session.user_oid),
            dir.tenant_by_id(tenant_id),
            dir.app(&req.client_id),
        ) else {
            return page_error(&StsError::flow_expired(), trace);
        };
        let ctx = UserContext {
            user,
            tenant,
            sid: &session.sid,
            auth_time: session.auth_time,
            nonce: req.nonce.as_deref(),
            oidc: &req.scope.oidc,
            implicit: true,
        };
        let minter = st.minter(&dir);
        if req.token {
            let resource = req
                .scope
                .primary()
                .cloned()
                .unwrap_or_else(crate::token_endpoint::default_graph);
            let scp = crate::token_endpoint::scp_for(
                &dir,
                &req.client_id,
                tenant_id,
                user,
                &resource,
                &req.scope,
            );
            match minter.user_access_token(client, ClientAuth::Public, &ctx, &resource, &scp) {
                Ok(t) => {
                    at_hash = Some(half_hash(&t.token));
                    params.push(("access_token".into(), t.token));
                    params.push(("token_type".into(), "Bearer".into()));
                    params.push(("expires_in".into(), t.expires_in.to_string()));
                    params.push(("scope".into(), scp.join(" ")));
                }
                Err(e) => {
                    return page_error(&StsError::injected(500).with_message(e.to_string()), trace)
                }
            }
        }
        if req.id_token {
            // Hybrid flow: c_hash of the code, at_hash of the access token
            // issued beside it (OIDC Core §3.3.2.11; IDT `at_hash`).
            let hashes = crate::tokens::FrontChannelHashes {
                c_hash: code_value.as_deref().map(half_hash),
                at_hash,
            };
            match minter.id_token(req.version, client, &ctx, hashes) {
                Ok(t) => params.push(("id_token".into(), t.token)),
                Err(e) => {
                    return page_error(&StsError::injected(500).with_message(e.to_string()), trace)
                }
            }
        }
    }
    // ACF "Successful response": code, state; session_state as in
    // v1-protocols-oauth-code.md "Successful response".
    if let Some(s) = &req.state {
        params.push(("state".into(), s.clone()));
    }
    params.push(("session_state".into(), session.sid.clone()));
    deliver(&req.redirect_uri, req.mode, params)
}
