//! `/{tenant}/oauth2/v2.0/token` (and v1 `/{tenant}/oauth2/token`):
//! authorization_code, refresh_token, client_credentials and device_code,
//! with client authentication and Entra's platform rules:
//!
//! | redirect platform | secret sent | `Origin` header | result |
//! |---|---|---|---|
//! | Web | no (and not `isFallbackPublicClient`) | – | 7000218 |
//! | Web | yes, wrong / a Secret ID | – | 7000215 |
//! | Web | yes, expired | – | 7000222 |
//! | Web / Mobile & desktop | – | yes | 9002326 |
//! | SPA | – | no | 9002327 (checked first) |
//! | SPA (with Origin) / Mobile & desktop | yes | – | 700025 |
//!
//! (docs/entra.md#errors, docs/entra.md#redirect-uris; v2-oauth2-auth-code-flow.md "Redirect URIs for SPAs".)

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap};
use axum::response::Response;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use serde_json::{json, Map, Value};

use crate::directory::{
    Directory, Resource, ResourceScopes, ScopeError, ScopeRequest, TenantSel, GRAPH_IDENTIFIER,
};
use crate::errors::{StsError, Trace};
use crate::redirect::Platform;
use crate::scenario::{Application, User};
use crate::server::{form_map, json_error, json_ok, AppState};
use crate::store::{lock, RefreshGrant, CODE_LIFETIME, REFRESH_LIFETIME, SPA_REFRESH_LIFETIME};
use crate::tokens::{random_b64, ClientAuth, UserContext};

/// A Graph token with no scopes (what Entra issues when only OIDC scopes
/// were asked for; v2-protocols-oidc.md "Get an access token for the UserInfo endpoint").
pub fn default_graph() -> ResourceScopes {
    ResourceScopes {
        resource: Resource::Graph,
        identifier: GRAPH_IDENTIFIER.to_string(),
        scopes: Vec::new(),
    }
}

/// The `scp` of a user token: requested ∩ consented, `.default` = every
/// consented delegated permission; Graph tokens also list the OIDC scopes.
/// (AT `scp`; scopes-oidc.md ".default when the user has already given consent";
/// OIDC scopes: v2-protocols-oidc.md UserInfo sample `scope=email openid profile`.)
pub fn scp_for(
    dir: &Directory,
    client_id: &str,
    tenant_id: &str,
    user: &User,
    resource: &ResourceScopes,
    req: &ScopeRequest,
) -> Vec<String> {
    let granted = dir.granted_scopes(client_id, tenant_id, &user.id, &resource.resource);
    let mut out: Vec<String> = Vec::new();
    for s in &resource.scopes {
        if s == ".default" {
            for g in &granted {
                if !out.iter().any(|x| x.eq_ignore_ascii_case(g))
                    && !crate::directory::OIDC_SCOPES.contains(&g.as_str())
                {
                    out.push(g.clone());
                }
            }
        } else if granted.iter().any(|g| g.eq_ignore_ascii_case(s)) && !out.contains(s) {
            out.push(s.clone());
        }
    }
    if resource.resource == Resource::Graph {
        for o in &req.oidc {
            if o != "offline_access" && !out.contains(o) {
                out.push(o.clone());
            }
        }
    }
    out
}

/// Client credentials as sent: in the body or in HTTP Basic (ACF: "The
/// Basic auth pattern … is also supported").
#[derive(Debug, Default)]
struct ClientCreds {
    client_id: Option<String>,
    secret: Option<String>,
    assertion: bool,
}

fn client_creds(form: &HashMap<String, String>, headers: &HeaderMap) -> ClientCreds {
    let mut c = ClientCreds {
        client_id: form.get("client_id").filter(|v| !v.is_empty()).cloned(),
        secret: form.get("client_secret").filter(|v| !v.is_empty()).cloned(),
        assertion: form.contains_key("client_assertion"),
    };
    if let Some(basic) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Basic ")
                .or_else(|| v.strip_prefix("basic "))
        })
    {
        if let Some((id, secret)) = STANDARD
            .decode(basic.trim())
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .and_then(|s| {
                s.split_once(':')
                    .map(|(a, b)| (a.to_string(), b.to_string()))
            })
        {
            // RFC 6749 §2.3.1: both parts are form-urlencoded before Basic encoding.
            let dec = |s: &str| {
                url::form_urlencoded::parse(format!("x={s}").as_bytes())
                    .next()
                    .map(|(_, v)| v.into_owned())
                    .unwrap_or_default()
            };
            c.client_id = Some(dec(&id));
            c.secret = Some(dec(&secret)).filter(|s| !s.is_empty());
        }
    }
    c
}

/// Checks a client secret: wrong or a Secret ID → 7000215, expired → 7000222
/// (docs/entra.md#errors).
fn check_secret(app: &Application, secret: &str, now: i64) -> Result<(), StsError> {
    match app
        .password_credentials
        .iter()
        .find(|c| c.value.expose() == secret)
    {
        Some(c) => {
            let end = crate::clock::parse_rfc3339(&c.end_date_time).unwrap_or(i64::MAX);
            if end <= now {
                Err(StsError::secret_expired(&app.app_id))
            } else {
                Ok(())
            }
        }
        None => Err(StsError::wrong_secret(&app.app_id)),
    }
}

/// Client authentication for a grant whose platform is known.
fn authenticate(
    app: &Application,
    platform: Platform,
    creds: &ClientCreds,
    origin: Option<&str>,
    now: i64,
) -> Result<ClientAuth, StsError> {
    if creds.assertion {
        return Err(StsError::assertion_not_supported());
    }
    match platform {
        Platform::Spa => {
            // docs/entra.md#errors: a server redeeming a `spa` code (it sends a
            // secret, but no Origin) meets 9002327 first; a browser that
            // sends a secret meets 700025 (docs/products/openmetadata.md#what-it-needs-from-entra "SPA + secret fails").
            if origin.is_none() {
                return Err(StsError::spa_needs_cross_origin());
            }
            if creds.secret.is_some() {
                return Err(StsError::public_client_with_secret());
            }
            Ok(ClientAuth::Public)
        }
        Platform::PublicClient => {
            if creds.secret.is_some() {
                return Err(StsError::public_client_with_secret());
            }
            if let Some(o) = origin {
                return Err(StsError::cross_origin_not_spa(o));
            }
            Ok(ClientAuth::Public)
        }
        Platform::Web => {
            // docs/entra.md#redirect-uris: the secret is checked first; with "Allow public
            // client flows" a Web code may be redeemed without one, and then
            // an Origin header still fails with 9002326.
            let auth = match &creds.secret {
                Some(s) => {
                    check_secret(app, s, now)?;
                    ClientAuth::Secret
                }
                None if app.is_fallback_public_client => ClientAuth::Public,
                None => return Err(StsError::secret_required()),
            };
            if let Some(o) = origin {
                return Err(StsError::cross_origin_not_spa(o));
            }
            Ok(auth)
        }
    }
}

/// POST `/{tenant}/oauth2/v2.0/token`.
pub async fn token_v2(
    State(st): State<Arc<AppState>>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    token(st, 2, tenant, headers, body)
}

/// POST `/{tenant}/oauth2/token` (v1: `resource` instead of `scope`).
pub async fn token_v1(
    State(st): State<Arc<AppState>>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    token(st, 1, tenant, headers, body)
}

/// GET on the token endpoint: ERR 900561.
pub async fn token_get(State(st): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    let trace = st.trace(&headers);
    json_error(&StsError::post_only("GET"), &trace)
}

struct Ctx<'a> {
    st: &'a Arc<AppState>,
    version: u8,
    sel: TenantSel,
    form: HashMap<String, String>,
    creds: ClientCreds,
    origin: Option<String>,
    trace: Trace,
    now: i64,
}

impl Ctx<'_> {
    fn get(&self, k: &str) -> Option<&str> {
        self.form
            .get(k)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }
    fn fail(&self, e: StsError) -> Response {
        json_error(&e, &self.trace)
    }
}

fn token(
    st: Arc<AppState>,
    version: u8,
    segment: String,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let trace = st.trace(&headers);
    let now = st.now();
    st.store.sweep(now);
    // A JSON body parses to no form fields: Entra then reports the first
    // missing parameter (docs/entra.md#errors 900144, "often JSON sent instead of
    // form encoding").
    let form = form_map(&body);
    let sel = match st.dir().resolve_tenant(&segment) {
        Some(s) => s,
        None => return json_error(&StsError::tenant_not_found(&segment), &trace),
    };
    let Some(grant_type) = form.get("grant_type").filter(|g| !g.is_empty()).cloned() else {
        return json_error(&StsError::missing_parameter("grant_type"), &trace);
    };
    let creds = client_creds(&form, &headers);
    let origin = headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let cx = Ctx {
        st: &st,
        version,
        sel,
        form,
        creds,
        origin,
        trace,
        now,
    };
    let Some(client_id) = cx.creds.client_id.clone() else {
        return cx.fail(StsError::missing_parameter("client_id"));
    };
    {
        let dir = st.dir();
        let tenant_label = match &cx.sel {
            TenantSel::Tenant(i) => dir
                .tenant_by_index(*i)
                .map(|t| t.id.clone())
                .unwrap_or_default(),
            _ => segment.clone(),
        };
        let known = match (dir.app(&client_id), &cx.sel) {
            (None, _) => false,
            (Some(app), TenantSel::Tenant(i)) => {
                let tid = dir
                    .tenant_by_index(*i)
                    .map(|t| t.id.to_ascii_lowercase())
                    .unwrap_or_default();
                dir.service_principal(&app.app_id, &tid).is_some()
                    || app.sign_in_audience.is_multi_tenant()
            }
            (Some(_), _) => true,
        };
        if !known {
            return cx.fail(StsError::app_not_found(&client_id, &tenant_label));
        }
    }
    match grant_type.as_str() {
        "authorization_code" => authorization_code(&cx, &client_id),
        "refresh_token" => refresh_token(&cx, &client_id),
        "client_credentials" => client_credentials(&cx, &client_id),
        "urn:ietf:params:oauth:grant-type:device_code" | "device_code" => crate::device::redeem(
            cx.st,
            &cx.sel,
            cx.get("device_code"),
            &client_id,
            cx.creds.secret.as_deref(),
            cx.creds.assertion,
            cx.origin.as_deref(),
            &cx.trace,
        ),
        other => cx.fail(StsError::unsupported_grant_type(other)),
    }
}

fn authorization_code(cx: &Ctx<'_>, client_id: &str) -> Response {
    let Some(code_value) = cx.get("code") else {
        return cx.fail(StsError::missing_parameter("code"));
    };
    let Some(code) = lock(&cx.st.store.codes).get(code_value).cloned() else {
        return cx.fail(StsError::malformed_grant());
    };
    if !code.client_id.eq_ignore_ascii_case(client_id) {
        return cx.fail(StsError::grant_not_for_client());
    }
    let auth = {
        let dir = cx.st.dir();
        let Some(app) = dir.app(client_id) else {
            return cx.fail(StsError::app_not_found(client_id, &code.tenant_id));
        };
        match authenticate(app, code.platform, &cx.creds, cx.origin.as_deref(), cx.now) {
            Ok(a) => a,
            Err(e) => return cx.fail(e),
        }
    };
    if code.platform == Platform::Spa && code.code_challenge.is_none() {
        return cx.fail(StsError::spa_needs_pkce());
    }
    if code.redeemed {
        return cx.fail(StsError::code_redeemed());
    }
    if cx.now - code.issued_at > CODE_LIFETIME {
        return cx.fail(StsError::grant_expired(code.issued_at));
    }
    let same_authority = match (&cx.sel, &code.sel) {
        (TenantSel::Tenant(a), TenantSel::Tenant(b)) => a == b,
        (TenantSel::Tenant(a), _) => cx
            .st
            .dir()
            .tenant_by_index(*a)
            .is_some_and(|t| t.id.eq_ignore_ascii_case(&code.tenant_id)),
        (_, TenantSel::Tenant(_)) => false,
        _ => true,
    };
    if !same_authority {
        return cx.fail(StsError::code_other_tenant());
    }
    match cx.get("redirect_uri") {
        None => return cx.fail(StsError::missing_parameter("redirect_uri")),
        Some(r) if r != code.redirect_uri => return cx.fail(StsError::redirect_uri_differs()),
        _ => {}
    }
    if let Some((challenge, method)) = &code.code_challenge {
        let Some(verifier) = cx.get("code_verifier") else {
            return cx.fail(StsError::pkce_mismatch());
        };
        let computed = if method == "S256" {
            URL_SAFE_NO_PAD.encode(
                aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, verifier.as_bytes()).as_ref(),
            )
        } else {
            verifier.to_string()
        };
        if &computed != challenge {
            return cx.fail(StsError::pkce_mismatch());
        }
    }
    // Redeem before issuing: a concurrent second POST sees 54005.
    {
        let mut codes = lock(&cx.st.store.codes);
        match codes.get_mut(code_value) {
            Some(c) if !c.redeemed => c.redeemed = true,
            _ => return cx.fail(StsError::code_redeemed()),
        }
    }
    let resource =
        match requested_resource(cx, &code.tenant_id, &code.scope, client_id, &code.user_oid) {
            Ok(r) => r,
            Err(e) => return cx.fail(e),
        };
    issue_user_tokens(
        cx,
        client_id,
        auth,
        Grant {
            user_oid: &code.user_oid,
            tenant_id: &code.tenant_id,
            scope: &code.scope,
            resource,
            nonce: code.nonce.as_deref(),
            sid: &code.sid,
            auth_time: code.auth_time,
            id_token_version: code.id_token_version,
            spa: code.platform == Platform::Spa,
            platform: code.platform,
            family_issued_at: cx.now,
        },
    )
}

/// The resource a redemption asks for: the `scope` parameter's (one
/// resource, consented — ACF `consent_required`; ERR 700022), else the
/// authorize request's first, else Graph.
fn requested_resource(
    cx: &Ctx<'_>,
    tenant_id: &str,
    original: &ScopeRequest,
    client_id: &str,
    user_oid: &str,
) -> Result<ResourceScopes, StsError> {
    let dir = cx.st.dir();
    let scope_param = if cx.version == 1 {
        None
    } else {
        cx.get("scope")
    };
    let Some(raw) = scope_param else {
        if cx.version == 1 {
            if let Some(r) = cx.get("resource") {
                return v1_resource(&dir, tenant_id, r);
            }
        }
        return Ok(original.primary().cloned().unwrap_or_else(default_graph));
    };
    let req = match dir.parse_scopes(Some(tenant_id), raw) {
        Ok(r) => r,
        Err(ScopeError::Invalid(s)) => return Err(StsError::invalid_scope(&s)),
        Err(ScopeError::ResourceNotFound(r)) => {
            return Err(StsError::resource_not_found(&r, tenant_id))
        }
    };
    if req.resources.len() > 1 {
        return Err(StsError::multiple_resources());
    }
    let Some(r) = req.resources.into_iter().next() else {
        return Ok(original.primary().cloned().unwrap_or_else(default_graph));
    };
    let granted = dir.granted_scopes(client_id, tenant_id, user_oid, &r.resource);
    let ok = r
        .scopes
        .iter()
        .all(|s| s == ".default" || granted.iter().any(|g| g.eq_ignore_ascii_case(s)));
    if !ok {
        let name = dir
            .app(client_id)
            .map(|a| a.display_name.clone())
            .unwrap_or_default();
        return Err(StsError::consent_missing(client_id, &name));
    }
    Ok(r)
}

fn v1_resource(dir: &Directory, tenant_id: &str, r: &str) -> Result<ResourceScopes, StsError> {
    if crate::directory::is_graph_resource(r) {
        return Ok(ResourceScopes {
            resource: Resource::Graph,
            identifier: r.to_string(),
            scopes: vec![".default".into()],
        });
    }
    match dir.resource_app(r) {
        Some(a) if dir.service_principal(&a.app_id, tenant_id).is_some() => Ok(ResourceScopes {
            resource: Resource::App(a.app_id.to_ascii_lowercase()),
            identifier: r.to_string(),
            scopes: vec![".default".into()],
        }),
        _ => Err(StsError::resource_not_found(r, tenant_id)),
    }
}

struct Grant<'a> {
    user_oid: &'a str,
    tenant_id: &'a str,
    scope: &'a ScopeRequest,
    resource: ResourceScopes,
    nonce: Option<&'a str>,
    sid: &'a str,
    auth_time: i64,
    id_token_version: u8,
    spa: bool,
    platform: Platform,
    family_issued_at: i64,
}

/// The token response for a user grant (ACF "Successful response").
fn issue_user_tokens(cx: &Ctx<'_>, client_id: &str, auth: ClientAuth, g: Grant<'_>) -> Response {
    let dir = cx.st.dir();
    let (Some(user), Some(tenant), Some(client)) = (
        dir.user_by_oid(g.user_oid),
        dir.tenant_by_id(g.tenant_id),
        dir.app(client_id),
    ) else {
        return cx.fail(StsError::malformed_grant());
    };
    let ctx = UserContext {
        user,
        tenant,
        sid: g.sid,
        auth_time: g.auth_time,
        nonce: g.nonce,
        oidc: &g.scope.oidc,
        implicit: false,
    };
    let minter = cx.st.minter(&dir);
    let scp = scp_for(&dir, client_id, g.tenant_id, user, &g.resource, g.scope);
    let access = match minter.user_access_token(client, auth, &ctx, &g.resource, &scp) {
        Ok(t) => t,
        Err(e) => return cx.fail(StsError::injected(500).with_message(e.to_string())),
    };
    let mut body = Map::new();
    body.insert("token_type".into(), json!("Bearer"));
    let scope_str = response_scope(&g.resource, &scp, g.scope);
    body.insert("scope".into(), json!(scope_str));
    body.insert("expires_in".into(), json!(access.expires_in));
    body.insert("ext_expires_in".into(), json!(access.expires_in));
    // v1 extras: expires_on, resource (v1-protocols-oauth-code.md "Successful
    // response"); not_before (v1-oauth2-client-creds-grant-flow.md).
    if cx.version == 1 {
        body.insert(
            "expires_on".into(),
            json!((cx.now + access.expires_in).to_string()),
        );
        body.insert("not_before".into(), json!(cx.now.to_string()));
        body.insert("resource".into(), json!(g.resource.identifier));
    }
    body.insert("access_token".into(), json!(access.token));
    if g.scope.has("offline_access") || cx.version == 1 {
        let rt = format!("1.A{}", random_b64(192));
        lock(&cx.st.store.refresh).insert(
            rt.clone(),
            RefreshGrant {
                client_id: client_id.to_ascii_lowercase(),
                user_oid: g.user_oid.to_string(),
                tenant_id: g.tenant_id.to_string(),
                scope: g.scope.clone(),
                spa: g.spa,
                family_issued_at: g.family_issued_at,
                last_used: cx.now,
                sid: g.sid.to_string(),
                auth_time: g.auth_time,
                id_token_version: g.id_token_version,
                platform: g.platform,
            },
        );
        body.insert("refresh_token".into(), json!(rt));
    }
    if g.scope.has("openid") {
        match minter.id_token(
            g.id_token_version,
            client,
            &ctx,
            crate::tokens::FrontChannelHashes::default(),
        ) {
            Ok(t) => {
                body.insert("id_token".into(), json!(t.token));
            }
            Err(e) => return cx.fail(StsError::injected(500).with_message(e.to_string())),
        }
    }
    json_ok(Value::Object(body))
}

/// The response's `scope`: Graph scopes bare, other resources' as
/// `{identifier}/{scope}`, then the OIDC scopes (ACF; v2-oauth2-device-code.md sample).
fn response_scope(resource: &ResourceScopes, scp: &[String], req: &ScopeRequest) -> String {
    let mut parts: Vec<String> = scp
        .iter()
        .filter(|s| !crate::directory::OIDC_SCOPES.contains(&s.as_str()))
        .map(|s| match resource.resource {
            Resource::Graph => s.clone(),
            Resource::App(_) => format!("{}/{}", resource.identifier.trim_end_matches('/'), s),
        })
        .collect();
    if parts.is_empty() && resource.resource != Resource::Graph {
        parts.push(format!(
            "{}/.default",
            resource.identifier.trim_end_matches('/')
        ));
    }
    for o in &req.oidc {
        if o != "offline_access" {
            parts.push(o.clone());
        }
    }
    parts.join(" ")
}

fn refresh_token(cx: &Ctx<'_>, client_id: &str) -> Response {
    let Some(rt) = cx.get("refresh_token") else {
        return cx.fail(StsError::missing_parameter("refresh_token"));
    };
    let Some(grant) = lock(&cx.st.store.refresh).get(rt).cloned() else {
        return cx.fail(StsError::malformed_grant());
    };
    let platform = grant.platform;
    if !grant.client_id.eq_ignore_ascii_case(client_id) {
        return cx.fail(StsError::grant_not_for_client());
    }
    let auth = {
        let dir = cx.st.dir();
        let Some(app) = dir.app(client_id) else {
            return cx.fail(StsError::app_not_found(client_id, &grant.tenant_id));
        };
        match authenticate(app, platform, &cx.creds, cx.origin.as_deref(), cx.now) {
            Ok(a) => a,
            Err(e) => return cx.fail(e),
        }
    };
    if grant.spa && cx.now - grant.family_issued_at > SPA_REFRESH_LIFETIME {
        return cx.fail(StsError::spa_refresh_expired(grant.family_issued_at));
    }
    if cx.now - grant.last_used > REFRESH_LIFETIME {
        return cx.fail(StsError::grant_expired(grant.last_used));
    }
    // ACF: a refresh may name another resource; the token is for the first.
    let resource = {
        let dir = cx.st.dir();
        match cx.get("scope") {
            None => grant.scope.primary().cloned().unwrap_or_else(default_graph),
            Some(raw) => match dir.parse_scopes(Some(&grant.tenant_id), raw) {
                Err(ScopeError::Invalid(s)) => return cx.fail(StsError::invalid_scope(&s)),
                Err(ScopeError::ResourceNotFound(r)) => {
                    return cx.fail(StsError::resource_not_found(&r, &grant.tenant_id))
                }
                Ok(req) => match req.resources.into_iter().next() {
                    None => grant.scope.primary().cloned().unwrap_or_else(default_graph),
                    Some(r) => {
                        let granted = dir.granted_scopes(
                            client_id,
                            &grant.tenant_id,
                            &grant.user_oid,
                            &r.resource,
                        );
                        if !r.scopes.iter().all(|s| {
                            s == ".default" || granted.iter().any(|g| g.eq_ignore_ascii_case(s))
                        }) {
                            let name = dir
                                .app(client_id)
                                .map(|a| a.display_name.clone())
                                .unwrap_or_default();
                            return cx.fail(StsError::consent_missing(client_id, &name));
                        }
                        r
                    }
                },
            },
        }
    };
    if let Some(g) = lock(&cx.st.store.refresh).get_mut(rt) {
        g.last_used = cx.now;
    }
    issue_user_tokens(
        cx,
        client_id,
        auth,
        Grant {
            user_oid: &grant.user_oid,
            tenant_id: &grant.tenant_id,
            scope: &grant.scope,
            resource,
            nonce: None,
            sid: &grant.sid,
            auth_time: grant.auth_time,
            id_token_version: grant.id_token_version,
            spa: grant.spa,
            platform,
            family_issued_at: grant.family_issued_at,
        },
    )
}

fn client_credentials(cx: &Ctx<'_>, client_id: &str) -> Response {
    let dir = cx.st.dir();
    let tenant_id = match &cx.sel {
        TenantSel::Tenant(i) => dir
            .tenant_by_index(*i)
            .map(|t| t.id.to_ascii_lowercase())
            .unwrap_or_default(),
        // ERR 9001023: not over /common.
        TenantSel::Common => return cx.fail(StsError::grant_not_on_common()),
        TenantSel::Organizations => match dir.app(client_id).and_then(|a| dir.home_tenant_id(a)) {
            Some(t) => t,
            None => return cx.fail(StsError::grant_not_on_common()),
        },
    };
    let Some(app) = dir.app(client_id) else {
        return cx.fail(StsError::app_not_found(client_id, &tenant_id));
    };
    if cx.creds.assertion {
        return cx.fail(StsError::assertion_not_supported());
    }
    // ACF: no client credentials in the presence of an Origin header (docs/entra.md#redirect-uris 9002326).
    if let Some(o) = &cx.origin {
        return cx.fail(StsError::cross_origin_not_spa(o));
    }
    let Some(secret) = cx.creds.secret.as_deref() else {
        return cx.fail(StsError::secret_required());
    };
    if let Err(e) = check_secret(app, secret, cx.now) {
        return cx.fail(e);
    }
    let raw = if cx.version == 1 {
        match cx.get("resource") {
            Some(r) => format!("{}/.default", r.trim_end_matches('/')),
            None => return cx.fail(StsError::missing_parameter("resource")),
        }
    } else {
        match cx.get("scope") {
            Some(s) => s.to_string(),
            None => return cx.fail(StsError::missing_parameter("scope")),
        }
    };
    let tokens: Vec<&str> = raw.split_whitespace().collect();
    if let Some(bad) = tokens.iter().find(|t| !t.ends_with("/.default")) {
        return cx.fail(StsError::client_credentials_scope(bad));
    }
    if tokens.len() != 1 {
        return cx.fail(StsError::multiple_resources());
    }
    let resource = match dir.parse_scopes(Some(&tenant_id), tokens[0]) {
        Ok(r) => match r.resources.into_iter().next() {
            Some(r) => r,
            None => return cx.fail(StsError::invalid_scope(tokens[0])),
        },
        Err(ScopeError::Invalid(s)) => return cx.fail(StsError::invalid_scope(&s)),
        Err(ScopeError::ResourceNotFound(r)) => {
            return cx.fail(StsError::resource_not_found(&r, &tenant_id))
        }
    };
    if let Resource::App(id) = &resource.resource {
        // ERR 90009: an app asking for itself must use its GUID.
        if id.eq_ignore_ascii_case(&app.app_id)
            && !resource
                .identifier
                .to_ascii_lowercase()
                .contains(id.as_str())
        {
            return cx.fail(StsError::token_for_itself(&app.app_id, &app.display_name));
        }
    }
    let Some(tenant) = dir.tenant_by_id(&tenant_id) else {
        return cx.fail(StsError::tenant_not_found(&tenant_id));
    };
    let roles = dir.granted_roles(client_id, &tenant_id, &resource.resource);
    let minter = cx.st.minter(&dir);
    let t = match minter.app_access_token(app, ClientAuth::Secret, tenant, &resource, &roles) {
        Ok(t) => t,
        Err(e) => return cx.fail(StsError::injected(500).with_message(e.to_string())),
    };
    let mut body = Map::new();
    body.insert("token_type".into(), json!("Bearer"));
    body.insert("expires_in".into(), json!(t.expires_in));
    body.insert("ext_expires_in".into(), json!(t.expires_in));
    // v1 extras: v1-oauth2-client-creds-grant-flow.md "Service-to-Service Access Token Response".
    if cx.version == 1 {
        body.insert(
            "expires_on".into(),
            json!((cx.now + t.expires_in).to_string()),
        );
        body.insert("not_before".into(), json!(cx.now.to_string()));
        body.insert("resource".into(), json!(resource.identifier));
    }
    body.insert("access_token".into(), json!(t.token));
    json_ok(Value::Object(body))
}

/// Issues tokens for an approved device code (called by `device::redeem`).
#[allow(clippy::too_many_arguments)]
pub(crate) fn issue_device_tokens(
    st: &Arc<AppState>,
    trace: &Trace,
    client_id: &str,
    auth: ClientAuth,
    user_oid: &str,
    tenant_id: &str,
    scope: &ScopeRequest,
    sid: &str,
    auth_time: i64,
) -> Response {
    let now = st.now();
    let cx = Ctx {
        st,
        version: 2,
        sel: TenantSel::Common,
        form: HashMap::new(),
        creds: ClientCreds::default(),
        origin: None,
        trace: trace.clone(),
        now,
    };
    let resource = scope.primary().cloned().unwrap_or_else(default_graph);
    issue_user_tokens(
        &cx,
        client_id,
        auth,
        Grant {
            user_oid,
            tenant_id,
            scope,
            resource,
            nonce: None,
            sid,
            auth_time,
            id_token_version: 2,
            spa: false,
            platform: Platform::PublicClient,
            family_issued_at: now,
        },
    )
}

/// Client authentication for the device code grant: a public client needs
/// "Allow public client flows" (`isFallbackPublicClient`), otherwise a
/// secret is required (docs/entra.md#redirect-uris; 7000218).
pub(crate) fn authenticate_device(
    app: &Application,
    secret: Option<&str>,
    assertion: bool,
    now: i64,
) -> Result<ClientAuth, StsError> {
    if assertion {
        return Err(StsError::assertion_not_supported());
    }
    match secret {
        Some(s) => check_secret(app, s, now).map(|_| ClientAuth::Secret),
        None if app.is_fallback_public_client => Ok(ClientAuth::Public),
        None => Err(StsError::secret_required()),
    }
}
