//! A Microsoft Graph subset: what overage resolution, sign-in profiles and
//! the registration audit need. Served on its own listener (the discovery's
//! `msgraph_host`) and under `/graph` on the main one.
//!
//! Sources (docs/entra.md#microsoft-graph-api-reference = microsoft-graph-docs-contrib `api-reference/v1.0/api/…`):
//! - `/me`, `/users/{id}` — user-get.md.
//! - `POST …/getMemberObjects`, `…/getMemberGroups` — transitive IDs;
//!   `/me` needs User.Read or higher (docs/entra.md#groups-overage); over 11,000 →
//!   `Directory_ResultSizeLimitExceeded` (docs/entra.md#groups-overage).
//! - `GET …/transitiveMemberOf[/microsoft.graph.group]`, `…/memberOf` — paged
//!   by `@odata.nextLink`, default 100, `$top` ≤ 999 (docs/entra.md#groups-overage;
//!   user-list-transitivememberof.md). With only User.Read the objects come
//!   back with limited information (the doc's `limited-info` note).
//! - `/applications(appId='…')` GET/PATCH, `/servicePrincipals(appId='…')` —
//!   Application.Read.All / Application.ReadWrite.All (docs/entra.md#azure-cli-and-graph-equivalents).
//! - Registration repair and creation (docs/graph.md; learn.microsoft.com/graph/api/<page>):
//!   `POST /applications` (application-post-applications), `addPassword` /
//!   `removePassword` (application-addpassword, application-removepassword),
//!   `POST/GET/PATCH /servicePrincipals` (serviceprincipal-post-serviceprincipals,
//!   serviceprincipal-get, serviceprincipal-update), `appRoleAssignedTo`
//!   (serviceprincipal-post-approleassignedto, serviceprincipal-list-approleassignedto),
//!   `oauth2PermissionGrants` (oauth2permissiongrant-post, oauth2permissiongrant-update,
//!   serviceprincipal-list-oauth2permissiongrants), `users/{id}/appRoleAssignments`
//!   (user-list-approleassignments), `auditLogs/signIns` (signin-list: the
//!   sandbox's interactive sign-ins, AuditLog.Read.All) and JSON batching (json-batching).
//!   A delegated write also needs a directory role that may manage apps.
//! - Errors: `{"error": {"code", "message", "innerError": {"date",
//!   "request-id", "client-request-id"}}}` with 401 `InvalidAuthenticationToken`
//!   and 403 `Authorization_RequestDenied` (Graph errors.md).
//! - The overage claim's endpoint `…/{tid}/users/{oid}/getMemberObjects`
//!   (the Azure AD Graph path form of real tokens, docs/entra.md#groups-overage) and
//!   Grafana's rewrite `/v1.0/{tid}/users/{oid}/getMemberObjects` both answer.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{OriginalUri, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Map, Value};

use crate::clock::{graph_date, iso8601, parse_rfc3339};
use crate::directory::{
    DirGroup, Directory, Grant, Resource, SpRef, WriteError, GRAPH_APP_ID, GRAPH_APP_ROLES,
    GRAPH_SCOPES,
};
use crate::scenario::{
    AppRole, Application, OptionalClaims, PermissionScope, RequiredResourceAccess, User,
};
use crate::server::{query_map, AppState};
use crate::tokens::pairwise_sub;

/// Who is calling, from a verified Graph access token.
#[derive(Debug)]
struct Caller {
    tid: String,
    app_id: String,
    /// The signed-in user for delegated tokens.
    user_oid: Option<String>,
    scopes: Vec<String>,
    roles: Vec<String>,
}

impl Caller {
    fn has_scope(&self, any: &[&str]) -> bool {
        self.scopes
            .iter()
            .any(|s| any.iter().any(|a| a.eq_ignore_ascii_case(s)))
    }
    fn has_role(&self, any: &[&str]) -> bool {
        self.roles
            .iter()
            .any(|s| any.iter().any(|a| a.eq_ignore_ascii_case(s)))
    }
    /// Delegated tokens are checked against `delegated`, app-only ones against `app`.
    fn allows(&self, delegated: &[&str], app: &[&str]) -> bool {
        if self.user_oid.is_some() {
            self.has_scope(delegated)
        } else {
            self.has_role(app)
        }
    }
}

struct Req<'a> {
    st: &'a Arc<AppState>,
    headers: &'a HeaderMap,
    /// Root for `@odata.nextLink` and `@odata.context`.
    base: String,
}

impl Req<'_> {
    fn error(&self, status: StatusCode, code: &str, message: &str) -> Response {
        let request_id = uuid::Uuid::new_v4().to_string();
        let client_request_id = self
            .headers
            .get("client-request-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
            .unwrap_or_else(|| request_id.clone());
        let body = json!({
            "error": {
                "code": code,
                "message": message,
                "innerError": {
                    "date": graph_date(self.st.now()),
                    "request-id": request_id,
                    "client-request-id": client_request_id,
                }
            }
        });
        let mut r = (status, axum::Json(body)).into_response();
        if let Ok(v) = HeaderValue::from_str(&request_id) {
            r.headers_mut().insert("request-id", v);
        }
        r
    }

    fn forbidden(&self) -> Response {
        self.error(
            StatusCode::FORBIDDEN,
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation.",
        )
    }

    fn not_found(&self, what: &str) -> Response {
        self.error(
            StatusCode::NOT_FOUND,
            "Request_ResourceNotFound",
            &format!("Resource '{what}' does not exist or one of its queried reference-property objects are not present."),
        )
    }

    fn ok(&self, body: Value) -> Response {
        (StatusCode::OK, axum::Json(body)).into_response()
    }

    fn context(&self, what: &str) -> String {
        format!("{}/v1.0/$metadata#{what}", self.base)
    }

    /// Verifies the bearer token: ours, for Graph, in its lifetime.
    fn caller(&self) -> Result<Caller, Box<Response>> {
        let unauthorized = |m: &str| {
            Err(Box::new(self.error(
                StatusCode::UNAUTHORIZED,
                "InvalidAuthenticationToken",
                m,
            )))
        };
        let Some(auth) = self
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
        else {
            return unauthorized("Access token is empty.");
        };
        let token = auth
            .strip_prefix("Bearer ")
            .or_else(|| auth.strip_prefix("bearer "))
            .unwrap_or("")
            .trim();
        if token.is_empty() {
            return unauthorized("Access token is empty.");
        }
        let Some((_, claims)) = self.st.keys.verify(token) else {
            return unauthorized(
                "IDX14100: JWT is not well formed, or its signature is not valid.",
            );
        };
        let aud = claims["aud"].as_str().unwrap_or("");
        if !crate::directory::is_graph_resource(aud) {
            return unauthorized("Access token validation failure. Invalid audience.");
        }
        let now = self.st.now();
        // Clock skew allowed (docs/entra.md#claims, docs/entra.md#access-token-claims-reference); 300 s is Microsoft.IdentityModel's
        // DefaultClockSkew — Graph's own allowance is unconfirmed in docs.
        let skew = 300;
        if claims["exp"].as_i64().unwrap_or(0) + skew < now {
            return unauthorized("Lifetime validation failed, the token is expired.");
        }
        if claims["nbf"].as_i64().unwrap_or(0) - skew > now {
            return unauthorized("Lifetime validation failed, the token is not yet valid.");
        }
        let scopes: Vec<String> = claims["scp"]
            .as_str()
            .unwrap_or("")
            .split_whitespace()
            .map(str::to_string)
            .collect();
        let roles: Vec<String> = claims["roles"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|r| r.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        let delegated = claims.get("scp").is_some();
        Ok(Caller {
            tid: claims["tid"].as_str().unwrap_or("").to_string(),
            app_id: claims["appid"]
                .as_str()
                .or(claims["azp"].as_str())
                .unwrap_or("")
                .to_string(),
            user_oid: if delegated {
                claims["oid"].as_str().map(str::to_ascii_lowercase)
            } else {
                None
            },
            scopes,
            roles,
        })
    }
}

const READ_USER_SELF: &[&str] = &[
    "User.Read",
    "User.ReadWrite",
    "User.ReadBasic.All",
    "User.Read.All",
    "Directory.Read.All",
];
const READ_USERS: &[&str] = &["User.ReadBasic.All", "User.Read.All", "Directory.Read.All"];
const APP_READ_USERS: &[&str] = &["User.Read.All", "Directory.Read.All"];
const MEMBERS_SELF: &[&str] = &[
    "User.Read",
    "User.Read.All",
    "GroupMember.Read.All",
    "Group.Read.All",
    "Directory.Read.All",
];
const MEMBERS_ANY: &[&str] = &[
    "User.Read.All",
    "GroupMember.Read.All",
    "Group.Read.All",
    "Directory.Read.All",
];
const GROUP_DETAILS: &[&str] = &[
    "GroupMember.Read.All",
    "Group.Read.All",
    "Directory.Read.All",
];
const APPS_READ: &[&str] = &[
    "Application.Read.All",
    "Application.ReadWrite.All",
    "Directory.Read.All",
];
const APPS_WRITE: &[&str] = &["Application.ReadWrite.All"];
/// serviceprincipal-post-approleassignedto: AppRoleAssignment.ReadWrite.All (least), Directory.ReadWrite.All.
const ASSIGN_WRITE: &[&str] = &["AppRoleAssignment.ReadWrite.All", "Directory.ReadWrite.All"];
/// serviceprincipal-list-oauth2permissiongrants / oauth2permissiongrant-list.
const GRANTS_READ: &[&str] = &[
    "DelegatedPermissionGrant.Read.All",
    "DelegatedPermissionGrant.ReadWrite.All",
    "Application.Read.All",
    "Application.ReadWrite.All",
    "Directory.Read.All",
];
/// oauth2permissiongrant-post / -update: DelegatedPermissionGrant.ReadWrite.All (least), Directory.ReadWrite.All.
const GRANTS_WRITE: &[&str] = &[
    "DelegatedPermissionGrant.ReadWrite.All",
    "Directory.ReadWrite.All",
];
/// JSON batching: at most 20 requests per batch (json-batching).
const BATCH_LIMIT: usize = 20;

/// Graph under `/graph/…` on the main listener.
pub async fn main_listener(
    State(st): State<Arc<AppState>>,
    method: Method,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri
        .path()
        .strip_prefix("/graph")
        .unwrap_or(uri.path())
        .to_string();
    let base = format!("{}/graph", st.base);
    if method == Method::POST && path == "/v1.0/$batch" {
        return batch(&st, &headers, &body, base).await;
    }
    dispatch(&st, method, &path, uri.query(), &headers, &body, base)
}

/// Graph at the root of its own listener (`msgraph_host`).
pub async fn own_listener(
    State(st): State<Arc<AppState>>,
    method: Method,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let base = st.graph_base.clone();
    if method == Method::POST && uri.path() == "/v1.0/$batch" {
        return batch(&st, &headers, &body, base).await;
    }
    dispatch(&st, method, uri.path(), uri.query(), &headers, &body, base)
}

/// `POST /$batch` (json-batching): up to 20 requests, run in order, each
/// answered with its own status, headers and body; a request whose
/// `dependsOn` failed is answered 424 Failed Dependency.
async fn batch(st: &Arc<AppState>, headers: &HeaderMap, body: &Bytes, base: String) -> Response {
    let rq = Req {
        st,
        headers,
        base: base.clone(),
    };
    if let Err(r) = rq.caller() {
        return *r;
    }
    let requests = match serde_json::from_slice::<Value>(body) {
        Ok(v) => match v["requests"].as_array() {
            Some(a) => a.clone(),
            None => {
                return rq.error(
                    StatusCode::BAD_REQUEST,
                    "BadRequest",
                    "Invalid batch payload format.",
                )
            }
        },
        Err(_) => {
            return rq.error(
                StatusCode::BAD_REQUEST,
                "BadRequest",
                "Invalid batch payload format.",
            )
        }
    };
    if requests.len() > BATCH_LIMIT {
        return rq.error(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            &format!("The number of requests in the batch exceeds the limit of {BATCH_LIMIT}."),
        );
    }
    let mut failed: Vec<String> = Vec::new();
    let mut responses = Vec::new();
    for r in &requests {
        let id = r["id"].as_str().unwrap_or_default().to_string();
        let depends: Vec<&str> = r["dependsOn"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if depends.iter().any(|d| failed.iter().any(|f| f == d)) {
            failed.push(id.clone());
            responses.push(json!({"id": id, "status": 424, "body": {"error": {"code": "FailedDependency", "message": "A request this request depends on failed."}}}));
            continue;
        }
        let method = r["method"]
            .as_str()
            .and_then(|m| Method::from_bytes(m.to_ascii_uppercase().as_bytes()).ok())
            .unwrap_or(Method::GET);
        let url = r["url"].as_str().unwrap_or("/");
        let (path, query) = match url.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (url, None),
        };
        let path = format!("/v1.0/{}", path.trim_start_matches('/'));
        let inner = if r["body"].is_null() {
            Bytes::new()
        } else {
            Bytes::from(r["body"].to_string())
        };
        let resp = dispatch(st, method, &path, query, headers, &inner, base.clone());
        let status = resp.status().as_u16();
        let bytes = axum::body::to_bytes(resp.into_body(), 4 * 1024 * 1024)
            .await
            .unwrap_or_default();
        let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        if status >= 400 {
            failed.push(id.clone());
        }
        let mut entry =
            json!({"id": id, "status": status, "headers": {"Content-Type": "application/json"}});
        if !body.is_null() {
            entry["body"] = body;
        }
        responses.push(entry);
    }
    rq.ok(json!({"responses": responses}))
}

fn dispatch(
    st: &Arc<AppState>,
    method: Method,
    path: &str,
    query: Option<&str>,
    headers: &HeaderMap,
    body: &Bytes,
    base: String,
) -> Response {
    let rq = Req { st, headers, base };
    let segs: Vec<String> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| {
            url::form_urlencoded::parse(format!("x={s}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default()
        })
        .collect();
    let segs: Vec<&str> = segs.iter().map(String::as_str).collect();
    let caller = match rq.caller() {
        Ok(c) => c,
        Err(r) => return *r,
    };
    let q = query_map(query);
    let is_tid = |s: &str| crate::scenario::is_guid(s) && st.dir().tenant_by_id(s).is_some();
    match (method.clone(), segs.as_slice()) {
        // userinfo.md: the endpoint answers GET and POST alike.
        (Method::GET | Method::POST, ["oidc", "userinfo"]) => userinfo(&rq, &caller),
        (Method::GET, ["v1.0", "me"]) => me(&rq, &caller),
        (Method::GET, ["v1.0", "users", id]) => user_get(&rq, &caller, id),
        (Method::POST, ["v1.0", "me", op @ ("getMemberObjects" | "getMemberGroups")]) => {
            member_ids(&rq, &caller, None, op, body)
        }
        (Method::POST, ["v1.0", "users", id, op @ ("getMemberObjects" | "getMemberGroups")]) => {
            member_ids(&rq, &caller, Some(id), op, body)
        }
        (
            Method::POST,
            ["v1.0", tid, "users", id, op @ ("getMemberObjects" | "getMemberGroups")],
        ) if is_tid(tid) => member_ids(&rq, &caller, Some(id), op, body),
        (Method::POST, [tid, "users", id, op @ ("getMemberObjects" | "getMemberGroups")])
            if is_tid(tid) =>
        {
            member_ids(&rq, &caller, Some(id), op, body)
        }
        (Method::GET, ["v1.0", "me", rel @ ("memberOf" | "transitiveMemberOf")]) => {
            member_of(&rq, &caller, None, rel, false, &q, path)
        }
        (
            Method::GET,
            ["v1.0", "me", rel @ ("memberOf" | "transitiveMemberOf"), "microsoft.graph.group"],
        ) => member_of(&rq, &caller, None, rel, true, &q, path),
        (Method::GET, ["v1.0", "users", id, rel @ ("memberOf" | "transitiveMemberOf")]) => {
            member_of(&rq, &caller, Some(id), rel, false, &q, path)
        }
        (
            Method::GET,
            ["v1.0", "users", id, rel @ ("memberOf" | "transitiveMemberOf"), "microsoft.graph.group"],
        ) => member_of(&rq, &caller, Some(id), rel, true, &q, path),
        (
            Method::GET,
            ["v1.0", "users", id, "memberOf" | "transitiveMemberOf", "microsoft.graph.directoryRole"],
        ) => directory_roles(&rq, &caller, id),
        (Method::POST, ["v1.0", "applications"]) => create_application(&rq, &caller, body),
        (Method::GET, ["v1.0", "applications"]) => list_applications(&rq, &caller, &q),
        (Method::POST, ["v1.0", app, op @ ("addPassword" | "removePassword")])
            if app.starts_with("applications(") =>
        {
            match key_of(app, "applications") {
                Some(id) => password(&rq, &caller, &id, true, op, body),
                None => bad_id(&rq),
            }
        }
        (Method::POST, ["v1.0", "applications", id, op @ ("addPassword" | "removePassword")]) => {
            password(&rq, &caller, id, false, op, body)
        }
        (Method::POST, ["v1.0", "servicePrincipals"]) => {
            create_service_principal(&rq, &caller, body)
        }
        (Method::GET, ["v1.0", "servicePrincipals"]) => list_service_principals(&rq, &caller, &q),
        (m @ (Method::GET | Method::PATCH), ["v1.0", "servicePrincipals", id]) => {
            service_principal_by_id(&rq, &caller, m, id, body)
        }
        (m @ (Method::GET | Method::POST), ["v1.0", sp, "appRoleAssignedTo"]) => {
            match sp_ref(&caller, sp) {
                Some(r) => app_role_assigned_to(&rq, &caller, m, &r, body),
                None => rq.not_found(sp),
            }
        }
        (Method::GET, ["v1.0", sp, "oauth2PermissionGrants"]) => match sp_ref(&caller, sp) {
            Some(r) => sp_grants(&rq, &caller, &r),
            None => rq.not_found(sp),
        },
        (Method::GET, ["v1.0", "servicePrincipals", sp, "oauth2PermissionGrants"]) => {
            match rq.st.dir().sp_by_id(sp) {
                Some(r) => sp_grants(&rq, &caller, &r),
                None => rq.not_found(sp),
            }
        }
        (
            m @ (Method::GET | Method::POST),
            ["v1.0", "servicePrincipals", sp, "appRoleAssignedTo"],
        ) => {
            let found = rq.st.dir().sp_by_id(sp);
            match found {
                Some(r) => app_role_assigned_to(&rq, &caller, m, &r, body),
                None => rq.not_found(sp),
            }
        }
        (Method::GET, ["v1.0", "oauth2PermissionGrants"]) => list_grants(&rq, &caller, &q),
        (Method::GET, ["v1.0", "auditLogs", "signIns"]) => sign_ins(&rq, &caller, &q),
        (Method::POST, ["v1.0", "oauth2PermissionGrants"]) => create_grant(&rq, &caller, body),
        (Method::PATCH, ["v1.0", "oauth2PermissionGrants", id]) => {
            update_grant(&rq, &caller, id, body)
        }
        (Method::GET, ["v1.0", "users", id, "appRoleAssignments"]) => {
            user_app_role_assignments(&rq, &caller, id)
        }
        (m, ["v1.0", app]) if app.starts_with("applications(") => match key_of(app, "applications")
        {
            Some(id) => application(&rq, &caller, m, &id, true, body),
            None => rq.error(
                StatusCode::BAD_REQUEST,
                "Request_BadRequest",
                "Invalid object identifier.",
            ),
        },
        (m, ["v1.0", "applications", id]) => application(&rq, &caller, m, id, false, body),
        (Method::GET, ["v1.0", sp]) if sp.starts_with("servicePrincipals(") => {
            match key_of(sp, "servicePrincipals") {
                Some(id) => service_principal(&rq, &caller, &id),
                None => rq.error(
                    StatusCode::BAD_REQUEST,
                    "Request_BadRequest",
                    "Invalid object identifier.",
                ),
            }
        }
        _ => rq.error(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            &format!(
                "Resource not found for the segment '{}'.",
                segs.last().copied().unwrap_or("")
            ),
        ),
    }
}

/// `applications(appId='…')` → the appId.
fn key_of(seg: &str, entity: &str) -> Option<String> {
    let inner = seg
        .strip_prefix(entity)?
        .strip_prefix('(')?
        .strip_suffix(')')?;
    let v = inner.strip_prefix("appId=")?.trim_matches('\'');
    Some(v.to_string())
}

fn user_json(rq: &Req<'_>, u: &User) -> Value {
    json!({
        "@odata.context": rq.context("users/$entity"),
        "businessPhones": [],
        "displayName": u.display_name,
        "givenName": u.given_name,
        "jobTitle": null,
        "mail": u.mail,
        "mobilePhone": null,
        "officeLocation": null,
        "preferredLanguage": null,
        "surname": u.surname,
        "userPrincipalName": u.user_principal_name,
        "id": u.id.to_ascii_lowercase(),
        // Not in Graph's default set; served always (user-get `$select`).
        "accountEnabled": u.account_enabled,
        "userType": if u.guest { "Guest" } else { "Member" },
    })
}

/// `/oidc/userinfo` (userinfo.md): `sub`, names and `picture` with `profile`,
/// `email` with `email` — the same values as the ID token.
fn userinfo(rq: &Req<'_>, caller: &Caller) -> Response {
    let dir = rq.st.dir();
    let Some(u) = caller.user_oid.as_deref().and_then(|o| dir.user_by_oid(o)) else {
        return rq.error(
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationToken",
            "The userinfo endpoint needs a delegated token.",
        );
    };
    let mut m = Map::new();
    m.insert(
        "sub".into(),
        json!(pairwise_sub(&u.id, &caller.app_id, &caller.tid)),
    );
    if caller.has_scope(&["profile"]) {
        m.insert("name".into(), json!(u.display_name));
        if let Some(g) = &u.given_name {
            m.insert("given_name".into(), json!(g));
        }
        if let Some(s) = &u.surname {
            m.insert("family_name".into(), json!(s));
        }
        m.insert(
            "picture".into(),
            json!(format!("{}/v1.0/me/photo/$value", rq.base)),
        );
    }
    if caller.has_scope(&["email"]) {
        if let Some(mail) = &u.mail {
            m.insert("email".into(), json!(mail));
        }
    }
    rq.ok(Value::Object(m))
}

fn me(rq: &Req<'_>, caller: &Caller) -> Response {
    let Some(oid) = &caller.user_oid else {
        return rq.error(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "/me request is only valid with delegated authentication flow.",
        );
    };
    if !caller.has_scope(READ_USER_SELF) {
        return rq.forbidden();
    }
    let dir = rq.st.dir();
    match dir.user_by_oid(oid) {
        Some(u) => rq.ok(user_json(rq, u)),
        None => rq.not_found(oid),
    }
}

/// Resolves `{id | userPrincipalName}`.
/// A user of the caller's tenant by object ID or UPN: Graph sees only its
/// own tenant's users (a member of another tenant is 404 until invited).
fn find_user<'d>(dir: &'d Directory, caller: &Caller, key: &str) -> Option<&'d User> {
    dir.user_by_oid(key)
        .or_else(|| dir.user_by_upn(key))
        .filter(|u| dir.user_tenant_id(u).eq_ignore_ascii_case(&caller.tid))
}

fn user_get(rq: &Req<'_>, caller: &Caller, key: &str) -> Response {
    let dir = rq.st.dir();
    let Some(u) = find_user(&dir, caller, key) else {
        return rq.not_found(key);
    };
    let is_self = caller
        .user_oid
        .as_deref()
        .is_some_and(|o| o.eq_ignore_ascii_case(&u.id));
    let allowed = if is_self {
        caller.has_scope(READ_USER_SELF)
    } else {
        caller.allows(READ_USERS, APP_READ_USERS)
    };
    if !allowed {
        return rq.forbidden();
    }
    rq.ok(user_json(rq, u))
}

fn member_ids(
    rq: &Req<'_>,
    caller: &Caller,
    key: Option<&str>,
    op: &str,
    body: &Bytes,
) -> Response {
    let dir = rq.st.dir();
    let user = match key {
        None => match &caller.user_oid {
            Some(o) => dir.user_by_oid(o),
            None => {
                return rq.error(
                    StatusCode::BAD_REQUEST,
                    "BadRequest",
                    "/me request is only valid with delegated authentication flow.",
                )
            }
        },
        Some(k) => find_user(&dir, caller, k),
    };
    let Some(user) = user else {
        return rq.not_found(key.unwrap_or("me"));
    };
    // docs/entra.md#groups-overage: /me needs User.Read or higher; another path to the
    // user (even one's own, as Grafana calls it) needs GroupMember.Read.All
    // or similar — a 403 there is Grafana's "Token need GroupMember.Read.All".
    let allowed = if key.is_none() {
        caller.has_scope(MEMBERS_SELF)
    } else {
        caller.allows(MEMBERS_ANY, MEMBERS_ANY)
    };
    if !allowed {
        return rq.forbidden();
    }
    let parsed: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let Some(security_only) = parsed.get("securityEnabledOnly").and_then(Value::as_bool) else {
        return rq.error(
            StatusCode::BAD_REQUEST,
            "Request_BadRequest",
            "Invalid request: the body must be {\"securityEnabledOnly\": true|false}.",
        );
    };
    let ids: Vec<String> = dir
        .transitive_groups(user)
        .into_iter()
        .filter(|g| !security_only || g.security_enabled())
        .map(|g| g.id.clone())
        .collect();
    if op == "getMemberGroups" && ids.len() > 11_000 {
        return rq.error(
            StatusCode::BAD_REQUEST,
            "Directory_ResultSizeLimitExceeded",
            "Request results in the number of objects being returned exceeding the maximum of 11000.",
        );
    }
    rq.ok(json!({"@odata.context": rq.context("Collection(Edm.String)"), "value": ids}))
}

fn group_json(g: &DirGroup, full: bool) -> Value {
    if !full {
        return json!({"@odata.type": "#microsoft.graph.group", "id": g.id});
    }
    let unified = g.kind == crate::scenario::GroupKind::Microsoft365;
    json!({
        "@odata.type": "#microsoft.graph.group",
        "id": g.id,
        "displayName": g.display_name,
        "description": null,
        "groupTypes": if unified { json!(["Unified"]) } else { json!([]) },
        "mail": g.mail,
        "mailEnabled": unified || g.mail.is_some(),
        "mailNickname": g.name,
        "securityEnabled": g.security_enabled(),
    })
}

fn member_of(
    rq: &Req<'_>,
    caller: &Caller,
    key: Option<&str>,
    rel: &str,
    cast: bool,
    q: &std::collections::HashMap<String, String>,
    path: &str,
) -> Response {
    let dir = rq.st.dir();
    let user = match key {
        None => match &caller.user_oid {
            Some(o) => dir.user_by_oid(o),
            None => {
                return rq.error(
                    StatusCode::BAD_REQUEST,
                    "BadRequest",
                    "/me request is only valid with delegated authentication flow.",
                )
            }
        },
        Some(k) => find_user(&dir, caller, k),
    };
    let Some(user) = user else {
        return rq.not_found(key.unwrap_or("me"));
    };
    let allowed = if key.is_none() {
        caller.has_scope(MEMBERS_SELF)
    } else {
        caller.allows(MEMBERS_ANY, MEMBERS_ANY)
    };
    if !allowed {
        return rq.forbidden();
    }
    // The limited-info rule: without a group permission, objects are bare.
    let full = caller.allows(GROUP_DETAILS, GROUP_DETAILS) || caller.has_role(GROUP_DETAILS);
    let top = match q.get("$top") {
        None => 100,
        Some(t) => match t.parse::<usize>() {
            Ok(n) if (1..=999).contains(&n) => n,
            _ => {
                return rq.error(
                    StatusCode::BAD_REQUEST,
                    "Request_UnsupportedQuery",
                    &format!(
                        "Invalid page size specified: '{t}'. Must be between 1 and 999 inclusive."
                    ),
                )
            }
        },
    };
    let skip = match q.get("$skiptoken") {
        None => 0,
        Some(t) => match URL_SAFE_NO_PAD
            .decode(t)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .and_then(|s| {
                s.strip_prefix("offset:")
                    .and_then(|n| n.parse::<usize>().ok())
            }) {
            Some(n) => n,
            None => {
                return rq.error(
                    StatusCode::BAD_REQUEST,
                    "Request_BadRequest",
                    "Invalid $skiptoken.",
                )
            }
        },
    };
    let groups = if rel == "memberOf" {
        dir.direct_groups(user)
    } else {
        dir.transitive_groups(user)
    };
    let page: Vec<Value> = groups
        .iter()
        .skip(skip)
        .take(top)
        .map(|g| group_json(g, full))
        .collect();
    let ctx = if cast { "groups" } else { "directoryObjects" };
    let mut body = Map::new();
    body.insert("@odata.context".into(), json!(rq.context(ctx)));
    if skip + top < groups.len() {
        let token = URL_SAFE_NO_PAD.encode(format!("offset:{}", skip + top));
        let path = path.trim_start_matches("/graph");
        body.insert(
            "@odata.nextLink".into(),
            json!(format!("{}{path}?$top={top}&$skiptoken={token}", rq.base)),
        );
    }
    body.insert("value".into(), json!(page));
    rq.ok(Value::Object(body))
}

/// The user's directory roles as `directoryRole` objects (user-list-memberof,
/// user-list-transitivememberof with the `microsoft.graph.directoryRole`
/// cast): `roleTemplateId` is what tokens carry in `wids`
/// (docs/graph.md#directory-roles).
fn directory_roles(rq: &Req<'_>, caller: &Caller, key: &str) -> Response {
    let dir = rq.st.dir();
    let Some(user) = find_user(&dir, caller, key) else {
        return rq.not_found(key);
    };
    if !caller.allows(MEMBERS_ANY, MEMBERS_ANY) {
        return rq.forbidden();
    }
    let value: Vec<Value> = user
        .directory_roles
        .iter()
        .map(|t| {
            let t = t.to_ascii_lowercase();
            json!({
                "@odata.type": "#microsoft.graph.directoryRole",
                "id": format!("{t}-role"),
                "roleTemplateId": t,
                "displayName": null,
            })
        })
        .collect();
    rq.ok(json!({"@odata.context": rq.context("directoryRoles"), "value": value}))
}

/// The Graph `application` object (MAN2; docs/entra.md#azure-cli-and-graph-equivalents "Audit"). Secret
/// values are never returned, only `hint` and `keyId`.
pub fn application_json(app: &Application) -> Value {
    json!({
        "id": app.object_id.to_ascii_lowercase(),
        "appId": app.app_id.to_ascii_lowercase(),
        "displayName": app.display_name,
        "signInAudience": app.sign_in_audience.as_str(),
        "identifierUris": app.identifier_uris,
        "groupMembershipClaims": app.group_membership_claims,
        "isFallbackPublicClient": app.is_fallback_public_client,
        "web": {
            "redirectUris": app.web.redirect_uris,
            "homePageUrl": null,
            "logoutUrl": null,
            "implicitGrantSettings": {
                "enableIdTokenIssuance": app.web.implicit_grant_settings.enable_id_token_issuance,
                "enableAccessTokenIssuance": app.web.implicit_grant_settings.enable_access_token_issuance,
            },
        },
        "spa": {"redirectUris": app.spa.redirect_uris},
        "publicClient": {"redirectUris": app.public_client.redirect_uris},
        "api": {
            "requestedAccessTokenVersion": app.api.requested_access_token_version,
            "acceptMappedClaims": null,
            "knownClientApplications": [],
            "preAuthorizedApplications": [],
            "oauth2PermissionScopes": app.api.oauth2_permission_scopes.iter().map(|s| json!({
                "id": s.id, "value": s.value, "type": s.kind, "isEnabled": s.is_enabled,
                "adminConsentDisplayName": s.admin_consent_display_name,
            })).collect::<Vec<_>>(),
        },
        "appRoles": app.app_roles.iter().map(app_role_json).collect::<Vec<_>>(),
        "optionalClaims": {
            "idToken": app.optional_claims.id_token.iter().map(oc_json).collect::<Vec<_>>(),
            "accessToken": app.optional_claims.access_token.iter().map(oc_json).collect::<Vec<_>>(),
            "saml2Token": app.optional_claims.saml2_token.iter().map(oc_json).collect::<Vec<_>>(),
        },
        "requiredResourceAccess": app.required_resource_access.iter().map(|r| json!({
            "resourceAppId": r.resource_app_id,
            "resourceAccess": r.resource_access.iter().map(|a| json!({"id": a.id, "type": a.kind})).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "passwordCredentials": app.password_credentials.iter().map(|c| json!({
            "customKeyIdentifier": null,
            "displayName": c.display_name,
            "endDateTime": parse_rfc3339(&c.end_date_time).map(iso8601).unwrap_or_else(|| c.end_date_time.clone()),
            "hint": c.hint,
            "keyId": c.key_id,
            "secretText": null,
            "startDateTime": c.start_date_time,
        })).collect::<Vec<_>>(),
        "keyCredentials": [],
    })
}

fn app_role_json(r: &AppRole) -> Value {
    json!({
        "id": r.id, "value": r.value, "displayName": r.display_name, "description": r.description,
        "allowedMemberTypes": r.allowed_member_types, "isEnabled": r.is_enabled, "origin": "Application",
    })
}

fn oc_json(c: &crate::scenario::OptionalClaim) -> Value {
    json!({"name": c.name, "source": null, "essential": c.essential, "additionalProperties": c.additional_properties})
}

fn application(
    rq: &Req<'_>,
    caller: &Caller,
    method: Method,
    key: &str,
    by_app_id: bool,
    body: &Bytes,
) -> Response {
    let find = |dir: &Directory| -> Option<String> {
        dir.scenario()
            .applications
            .iter()
            .find(|a| {
                if by_app_id {
                    a.app_id.eq_ignore_ascii_case(key)
                } else {
                    a.object_id.eq_ignore_ascii_case(key)
                }
            })
            .map(|a| a.app_id.clone())
    };
    match method {
        Method::GET => {
            if !caller.allows(APPS_READ, APPS_READ) {
                return rq.forbidden();
            }
            let dir = rq.st.dir();
            match find(&dir).and_then(|id| dir.app(&id).map(application_json)) {
                Some(mut v) => {
                    v["@odata.context"] = json!(rq.context("applications/$entity"));
                    rq.ok(v)
                }
                None => rq.not_found(key),
            }
        }
        Method::PATCH => {
            if !caller.allows(APPS_WRITE, APPS_WRITE) {
                return rq.forbidden();
            }
            let mut dir = rq.st.dir_mut();
            if let Some(oid) = &caller.user_oid {
                // Delegated writes also need a directory role that may manage apps (docs/entra.md#groups-overage roles).
                let ok = dir
                    .user_by_oid(oid)
                    .is_some_and(|u| dir.can_admin_consent(u));
                if !ok {
                    return rq.forbidden();
                }
            }
            let Some(app_id) = find(&dir) else {
                return rq.not_found(key);
            };
            let patch: Value = match serde_json::from_slice(body) {
                Ok(v @ Value::Object(_)) => v,
                _ => {
                    return rq.error(
                        StatusCode::BAD_REQUEST,
                        "BadRequest",
                        "Unable to read JSON request payload.",
                    )
                }
            };
            let Some(current) = dir.app(&app_id).cloned() else {
                return rq.not_found(key);
            };
            let updated = match apply_patch(current, &patch) {
                Ok(a) => a,
                Err(m) => return rq.error(StatusCode::BAD_REQUEST, "Request_BadRequest", &m),
            };
            if let Err((field, m)) = crate::scenario::check_app(&updated, "application") {
                return rq.error(
                    StatusCode::BAD_REQUEST,
                    "Request_BadRequest",
                    &format!("{field}: {m}"),
                );
            }
            if let Some(slot) = dir.app_mut(&app_id) {
                *slot = updated;
            }
            StatusCode::NO_CONTENT.into_response()
        }
        _ => rq.error(
            StatusCode::METHOD_NOT_ALLOWED,
            "Request_BadRequest",
            "The method is not allowed on this resource.",
        ),
    }
}

fn strings(v: &Value, field: &str) -> Result<Vec<String>, String> {
    v.as_array()
        .ok_or_else(|| format!("{field} must be an array of strings"))?
        .iter()
        .map(|s| {
            s.as_str()
                .map(str::to_string)
                .ok_or_else(|| format!("{field} must be an array of strings"))
        })
        .collect()
}

/// Keeps only `keys` of each object in an array, so a Graph-shaped value
/// (with `origin`, `@odata.type`…) fits the scenario types.
fn only(v: &Value, keys: &[&str]) -> Value {
    match v {
        Value::Array(a) => Value::Array(a.iter().map(|x| only(x, keys)).collect()),
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, _)| keys.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Applies a Graph PATCH body to an app registration (application-update.md semantics: listed properties replace).
fn apply_patch(mut app: Application, patch: &Value) -> Result<Application, String> {
    let Some(obj) = patch.as_object() else {
        return Err("Unable to read JSON request payload.".into());
    };
    for (k, v) in obj {
        match k.as_str() {
            "displayName" => app.display_name = v.as_str().ok_or("displayName must be a string")?.to_string(),
            "signInAudience" => {
                app.sign_in_audience = v
                    .as_str()
                    .and_then(crate::scenario::SignInAudience::parse)
                    .ok_or("signInAudience must be AzureADMyOrg, AzureADMultipleOrgs, AzureADandPersonalMicrosoftAccount or PersonalMicrosoftAccount")?
            }
            "identifierUris" => app.identifier_uris = strings(v, k)?,
            "groupMembershipClaims" => app.group_membership_claims = v.as_str().map(str::to_string),
            "isFallbackPublicClient" => app.is_fallback_public_client = v.as_bool().unwrap_or(false),
            "web" => {
                if let Some(r) = v.get("redirectUris") {
                    app.web.redirect_uris = strings(r, "web.redirectUris")?;
                }
                if let Some(i) = v.get("implicitGrantSettings") {
                    if let Some(b) = i.get("enableIdTokenIssuance").and_then(Value::as_bool) {
                        app.web.implicit_grant_settings.enable_id_token_issuance = b;
                    }
                    if let Some(b) = i.get("enableAccessTokenIssuance").and_then(Value::as_bool) {
                        app.web.implicit_grant_settings.enable_access_token_issuance = b;
                    }
                }
            }
            "spa" => {
                if let Some(r) = v.get("redirectUris") {
                    app.spa.redirect_uris = strings(r, "spa.redirectUris")?;
                }
            }
            "publicClient" => {
                if let Some(r) = v.get("redirectUris") {
                    app.public_client.redirect_uris = strings(r, "publicClient.redirectUris")?;
                }
            }
            "api" => {
                if let Some(ver) = v.get("requestedAccessTokenVersion") {
                    app.api.requested_access_token_version = ver.as_u64().map(|n| n as u8);
                }
                if let Some(s) = v.get("oauth2PermissionScopes") {
                    let s = only(s, &["id", "value", "type", "adminConsentDisplayName", "isEnabled"]);
                    app.api.oauth2_permission_scopes =
                        serde_json::from_value::<Vec<PermissionScope>>(s).map_err(|e| format!("api.oauth2PermissionScopes: {e}"))?;
                }
            }
            "appRoles" => {
                let r = only(v, &["id", "value", "displayName", "description", "allowedMemberTypes", "isEnabled"]);
                app.app_roles = serde_json::from_value::<Vec<AppRole>>(r).map_err(|e| format!("appRoles: {e}"))?;
            }
            "optionalClaims" => {
                let mut cleaned = Map::new();
                for key in ["idToken", "accessToken", "saml2Token"] {
                    if let Some(list) = v.get(key) {
                        cleaned.insert(key.into(), only(list, &["name", "essential", "additionalProperties"]));
                    }
                }
                app.optional_claims =
                    serde_json::from_value::<OptionalClaims>(Value::Object(cleaned)).map_err(|e| format!("optionalClaims: {e}"))?;
            }
            "requiredResourceAccess" => {
                app.required_resource_access =
                    serde_json::from_value::<Vec<RequiredResourceAccess>>(v.clone()).map_err(|e| format!("requiredResourceAccess: {e}"))?;
            }
            other => return Err(format!("Property '{other}' does not exist on type 'microsoft.graph.application' (or the sandbox cannot change it).")),
        }
    }
    Ok(app)
}

fn service_principal(rq: &Req<'_>, caller: &Caller, app_id: &str) -> Response {
    if !caller.allows(APPS_READ, APPS_READ) {
        return rq.forbidden();
    }
    let dir = rq.st.dir();
    let tid = caller.tid.to_ascii_lowercase();
    let r = if app_id.eq_ignore_ascii_case(GRAPH_APP_ID) {
        SpRef::Graph { tenant_id: tid }
    } else {
        SpRef::App {
            app_id: app_id.to_ascii_lowercase(),
            tenant_id: tid,
        }
    };
    match sp_json(rq, &dir, &r) {
        Some(v) => rq.ok(v),
        None => rq.not_found(app_id),
    }
}

fn bad_id(rq: &Req<'_>) -> Response {
    rq.error(
        StatusCode::BAD_REQUEST,
        "Request_BadRequest",
        "Invalid object identifier.",
    )
}

fn bad_body(rq: &Req<'_>) -> Response {
    rq.error(
        StatusCode::BAD_REQUEST,
        "BadRequest",
        "Unable to read JSON request payload.",
    )
}

fn write_error(rq: &Req<'_>, e: WriteError) -> Response {
    rq.error(
        StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST),
        e.code,
        &e.message,
    )
}

fn created(body: Value) -> Response {
    (StatusCode::CREATED, axum::Json(body)).into_response()
}

fn json_body(body: &Bytes) -> Option<Value> {
    match serde_json::from_slice(body) {
        Ok(v @ Value::Object(_)) => Some(v),
        _ => None,
    }
}

/// A write: the application permission (or delegated scope) and, for a
/// delegated token, a directory role that may manage apps (docs/graph.md#permission-errors).
fn may_write(dir: &Directory, caller: &Caller, perms: &[&str]) -> bool {
    if !caller.allows(perms, perms) {
        return false;
    }
    match &caller.user_oid {
        Some(oid) => dir
            .user_by_oid(oid)
            .is_some_and(|u| dir.can_admin_consent(u)),
        None => true,
    }
}

/// `servicePrincipals(appId='…')` in the caller's tenant.
fn sp_ref(caller: &Caller, seg: &str) -> Option<SpRef> {
    let app_id = key_of(seg, "servicePrincipals")?.to_ascii_lowercase();
    let tenant_id = caller.tid.to_ascii_lowercase();
    Some(if app_id.eq_ignore_ascii_case(GRAPH_APP_ID) {
        SpRef::Graph { tenant_id }
    } else {
        SpRef::App { app_id, tenant_id }
    })
}

/// The `servicePrincipal` object (serviceprincipal-get).
fn sp_json(rq: &Req<'_>, dir: &Directory, r: &SpRef) -> Option<Value> {
    match r {
        SpRef::Graph { tenant_id } => Some(json!({
            "@odata.context": rq.context("servicePrincipals/$entity"),
            "id": Directory::graph_sp_id(tenant_id),
            "appId": GRAPH_APP_ID,
            "displayName": "Microsoft Graph",
            "servicePrincipalType": "Application",
            "accountEnabled": true,
            "appRoleAssignmentRequired": false,
            "appRoles": GRAPH_APP_ROLES.iter().map(|(v, id)| json!({"id": id, "value": v, "allowedMemberTypes": ["Application"], "isEnabled": true})).collect::<Vec<_>>(),
            "oauth2PermissionScopes": GRAPH_SCOPES.iter().map(|s| json!({"id": s.id, "value": s.value, "type": if s.admin { "Admin" } else { "User" }, "isEnabled": true})).collect::<Vec<_>>(),
        })),
        SpRef::App { app_id, tenant_id } => {
            let app = dir.app(app_id)?;
            let sp = dir.service_principal_full(app_id, tenant_id)?;
            Some(json!({
                "@odata.context": rq.context("servicePrincipals/$entity"),
                "id": sp.id,
                "appId": sp.app_id,
                "displayName": app.display_name,
                "servicePrincipalType": "Application",
                "accountEnabled": sp.account_enabled,
                "appRoleAssignmentRequired": sp.app_role_assignment_required,
                "appOwnerOrganizationId": dir.home_tenant_id(app),
                "signInAudience": app.sign_in_audience.as_str(),
                "appRoles": app.app_roles.iter().map(app_role_json).collect::<Vec<_>>(),
                "oauth2PermissionScopes": app.api.oauth2_permission_scopes.iter().map(|s| json!({"id": s.id, "value": s.value, "type": s.kind, "isEnabled": s.is_enabled})).collect::<Vec<_>>(),
            }))
        }
    }
}

/// `POST /applications` (application-post-applications): `displayName` is
/// required; the other properties are those `PATCH` accepts. Graph picks
/// the `id` and `appId`; the answer is 201 with the new object.
fn create_application(rq: &Req<'_>, caller: &Caller, body: &Bytes) -> Response {
    let mut dir = rq.st.dir_mut();
    if !may_write(&dir, caller, APPS_WRITE) {
        return rq.forbidden();
    }
    let Some(body) = json_body(body) else {
        return bad_body(rq);
    };
    let Some(name) = body["displayName"]
        .as_str()
        .filter(|n| !n.trim().is_empty())
    else {
        return rq.error(
            StatusCode::BAD_REQUEST,
            "Request_BadRequest",
            "Property 'displayName' is required.",
        );
    };
    let app_id = uuid::Uuid::new_v4().to_string();
    let app = Application {
        name: app_id.clone(),
        target: None,
        notes: None,
        tenant: Some(caller.tid.to_ascii_lowercase()),
        app_id: app_id.clone(),
        object_id: uuid::Uuid::new_v4().to_string(),
        display_name: name.to_string(),
        sign_in_audience: crate::scenario::SignInAudience::AzureADMyOrg,
        web: Default::default(),
        spa: Default::default(),
        public_client: Default::default(),
        is_fallback_public_client: false,
        password_credentials: Vec::new(),
        group_membership_claims: None,
        optional_claims: Default::default(),
        app_roles: Vec::new(),
        identifier_uris: Vec::new(),
        api: Default::default(),
        required_resource_access: Vec::new(),
    };
    let app = match apply_patch(app, &body) {
        Ok(a) => a,
        Err(m) => return rq.error(StatusCode::BAD_REQUEST, "Request_BadRequest", &m),
    };
    if let Err((field, m)) = crate::scenario::check_app(&app, "application") {
        return rq.error(
            StatusCode::BAD_REQUEST,
            "Request_BadRequest",
            &format!("{field}: {m}"),
        );
    }
    let mut v = application_json(&app);
    v["@odata.context"] = json!(rq.context("applications/$entity"));
    dir.add_application(app);
    created(v)
}

/// `GET /applications?$filter=displayName eq '…'` (application-list; only
/// this filter, in the caller's tenant).
fn list_applications(
    rq: &Req<'_>,
    caller: &Caller,
    q: &std::collections::HashMap<String, String>,
) -> Response {
    if !caller.allows(APPS_READ, APPS_READ) {
        return rq.forbidden();
    }
    let Some(name) = q
        .get("$filter")
        .and_then(|f| eq_filter(f, "displayName"))
        .map(|n| n.replace("''", "'"))
    else {
        return rq.error(
            StatusCode::BAD_REQUEST,
            "Request_UnsupportedQuery",
            "The sandbox lists applications only with $filter=displayName eq '{name}'.",
        );
    };
    let dir = rq.st.dir();
    let value: Vec<Value> = dir
        .scenario()
        .applications
        .iter()
        .filter(|a| a.display_name == name)
        .filter(|a| {
            dir.home_tenant_id(a)
                .is_some_and(|t| t.eq_ignore_ascii_case(&caller.tid))
        })
        .map(application_json)
        .collect();
    rq.ok(json!({"@odata.context": rq.context("applications"), "value": value}))
}

/// `addPassword` / `removePassword` (application-addpassword,
/// application-removepassword). `secretText` is returned once, by
/// addPassword only; `hint` is its first three characters; the end date
/// defaults to two years from now.
fn password(
    rq: &Req<'_>,
    caller: &Caller,
    key: &str,
    by_app_id: bool,
    op: &str,
    body: &Bytes,
) -> Response {
    let mut dir = rq.st.dir_mut();
    if !may_write(&dir, caller, APPS_WRITE) {
        return rq.forbidden();
    }
    let app_id = if by_app_id {
        dir.app(key).map(|a| a.app_id.clone())
    } else {
        dir.app_by_object_id(key).map(|a| a.app_id.clone())
    };
    let Some(app_id) = app_id else {
        return rq.not_found(key);
    };
    let body = json_body(body).unwrap_or_else(|| json!({}));
    let now = rq.st.now();
    let Some(app) = dir.app_mut(&app_id) else {
        return rq.not_found(key);
    };
    if op == "removePassword" {
        let Some(key_id) = body["keyId"].as_str() else {
            return rq.error(
                StatusCode::BAD_REQUEST,
                "Request_BadRequest",
                "Property 'keyId' is required.",
            );
        };
        let before = app.password_credentials.len();
        app.password_credentials
            .retain(|c| !c.key_id.eq_ignore_ascii_case(key_id));
        if app.password_credentials.len() == before {
            return rq.error(
                StatusCode::BAD_REQUEST,
                "Request_BadRequest",
                &format!("No password credential found with keyId '{key_id}'."),
            );
        }
        return StatusCode::NO_CONTENT.into_response();
    }
    let cred = &body["passwordCredential"];
    let end = match cred["endDateTime"].as_str() {
        Some(t) => match parse_rfc3339(t) {
            Some(v) => v,
            None => {
                return rq.error(
                    StatusCode::BAD_REQUEST,
                    "Request_BadRequest",
                    "passwordCredential.endDateTime is not a valid date.",
                )
            }
        },
        None => now + 2 * 365 * 24 * 3600,
    };
    let random = uuid::Uuid::new_v4().simple().to_string();
    let extra = uuid::Uuid::new_v4().simple().to_string();
    let prefix: String = random.chars().take(3).collect();
    let value = format!("{prefix}8Q~{}{}", &random[3..], &extra[..8]);
    let key_id = uuid::Uuid::new_v4().to_string();
    let display_name = cred["displayName"].as_str().map(str::to_string);
    app.password_credentials
        .push(crate::scenario::PasswordCredential {
            key_id: key_id.clone(),
            display_name: display_name.clone(),
            hint: prefix.clone(),
            value: crate::scenario::Secret::new(value.clone()),
            start_date_time: Some(iso8601(now)),
            end_date_time: iso8601(end),
        });
    rq.ok(json!({
        "@odata.context": rq.context("microsoft.graph.passwordCredential"),
        "customKeyIdentifier": null,
        "displayName": display_name,
        "endDateTime": iso8601(end),
        "hint": prefix,
        "keyId": key_id,
        "secretText": value,
        "startDateTime": iso8601(now),
    }))
}

/// `POST /servicePrincipals {appId}` (serviceprincipal-post-serviceprincipals).
fn create_service_principal(rq: &Req<'_>, caller: &Caller, body: &Bytes) -> Response {
    let mut dir = rq.st.dir_mut();
    if !may_write(&dir, caller, APPS_WRITE) {
        return rq.forbidden();
    }
    let Some(app_id) = json_body(body).and_then(|b| b["appId"].as_str().map(str::to_string)) else {
        return rq.error(
            StatusCode::BAD_REQUEST,
            "Request_BadRequest",
            "Property 'appId' is required.",
        );
    };
    let tid = caller.tid.to_ascii_lowercase();
    match dir.create_service_principal(&app_id, &tid) {
        Ok(sp) => {
            let r = SpRef::App {
                app_id: sp.app_id,
                tenant_id: tid,
            };
            match sp_json(rq, &dir, &r) {
                Some(v) => created(v),
                None => rq.not_found(&app_id),
            }
        }
        Err(e) => write_error(rq, e),
    }
}

/// `GET /servicePrincipals?$filter=appId eq '…'` (serviceprincipal-list;
/// only this filter).
fn list_service_principals(
    rq: &Req<'_>,
    caller: &Caller,
    q: &std::collections::HashMap<String, String>,
) -> Response {
    if !caller.allows(APPS_READ, APPS_READ) {
        return rq.forbidden();
    }
    let Some(app_id) = q.get("$filter").and_then(|f| eq_filter(f, "appId")) else {
        return rq.error(
            StatusCode::BAD_REQUEST,
            "Request_UnsupportedQuery",
            "The sandbox lists service principals only with $filter=appId eq '{appId}'.",
        );
    };
    let dir = rq.st.dir();
    let r = sp_ref(caller, &format!("servicePrincipals(appId='{app_id}')"));
    let value: Vec<Value> = r.and_then(|r| sp_json(rq, &dir, &r)).into_iter().collect();
    rq.ok(json!({"@odata.context": rq.context("servicePrincipals"), "value": value}))
}

/// `{field} eq '{value}'` → the value.
fn eq_filter(filter: &str, field: &str) -> Option<String> {
    let rest = filter.trim().strip_prefix(field)?.trim_start();
    let rest = rest.strip_prefix("eq")?.trim();
    Some(rest.trim_matches('\'').to_string())
}

/// `GET` / `PATCH /servicePrincipals/{id}` (serviceprincipal-get,
/// serviceprincipal-update: `appRoleAssignmentRequired`).
fn service_principal_by_id(
    rq: &Req<'_>,
    caller: &Caller,
    method: Method,
    id: &str,
    body: &Bytes,
) -> Response {
    if method == Method::GET {
        if !caller.allows(APPS_READ, APPS_READ) {
            return rq.forbidden();
        }
        let dir = rq.st.dir();
        return match dir.sp_by_id(id).and_then(|r| sp_json(rq, &dir, &r)) {
            Some(v) => rq.ok(v),
            None => rq.not_found(id),
        };
    }
    let mut dir = rq.st.dir_mut();
    if !may_write(&dir, caller, APPS_WRITE) {
        return rq.forbidden();
    }
    let Some(SpRef::App { app_id, tenant_id }) = dir.sp_by_id(id) else {
        return rq.not_found(id);
    };
    let Some(body) = json_body(body) else {
        return bad_body(rq);
    };
    for (k, v) in body.as_object().into_iter().flatten() {
        match (k.as_str(), v.as_bool()) {
            ("appRoleAssignmentRequired", Some(b)) => {
                if let Err(e) = dir.set_assignment_required(&app_id, &tenant_id, b) {
                    return write_error(rq, e);
                }
            }
            _ => {
                return rq.error(
                    StatusCode::BAD_REQUEST,
                    "Request_BadRequest",
                    &format!("Property '{k}' cannot be changed in the sandbox."),
                )
            }
        }
    }
    StatusCode::NO_CONTENT.into_response()
}

const DEFAULT_ACCESS: &str = "00000000-0000-0000-0000-000000000000";

fn assignment_json(
    dir: &Directory,
    resource_id: &str,
    resource_name: &str,
    principal: &str,
    app_role_id: &str,
) -> Value {
    let (kind, name) = match dir.user_by_oid(principal) {
        Some(u) => ("User", u.display_name.clone()),
        None => match dir.group(principal) {
            Some(g) => ("Group", g.display_name.clone()),
            None => ("ServicePrincipal", principal.to_string()),
        },
    };
    json!({
        "id": Directory::derived_id(&["assignment", resource_id, principal, app_role_id]),
        "appRoleId": app_role_id,
        "createdDateTime": null,
        "deletedDateTime": null,
        "principalDisplayName": name,
        "principalId": principal,
        "principalType": kind,
        "resourceDisplayName": resource_name,
        "resourceId": resource_id,
    })
}

/// Assignments of an app's service principal as Graph shows them.
fn app_assignments(dir: &Directory, app_id: &str, tenant_id: &str) -> Vec<Value> {
    let (Some(app), Some(sp)) = (dir.app(app_id), dir.service_principal(app_id, tenant_id)) else {
        return Vec::new();
    };
    dir.assignments_of(app_id, tenant_id)
        .iter()
        .map(|(p, role)| {
            let role_id = role
                .as_deref()
                .and_then(|r| app.app_roles.iter().find(|x| x.value == r))
                .map(|r| r.id.clone())
                .unwrap_or_else(|| DEFAULT_ACCESS.to_string());
            assignment_json(dir, &sp.id, &app.display_name, p, &role_id)
        })
        .collect()
}

/// `GET` / `POST /servicePrincipals/{id}/appRoleAssignedTo`
/// (serviceprincipal-list-approleassignedto, serviceprincipal-post-approleassignedto):
/// users and groups assigned to an app; on Microsoft Graph's service
/// principal, application permissions granted to a client service principal.
fn app_role_assigned_to(
    rq: &Req<'_>,
    caller: &Caller,
    method: Method,
    r: &SpRef,
    body: &Bytes,
) -> Response {
    if method == Method::GET {
        if !caller.allows(APPS_READ, APPS_READ) {
            return rq.forbidden();
        }
        let dir = rq.st.dir();
        let value = match r {
            SpRef::App { app_id, tenant_id } => {
                if dir.service_principal(app_id, tenant_id).is_none() {
                    return rq.not_found(app_id);
                }
                app_assignments(&dir, app_id, tenant_id)
            }
            SpRef::Graph { .. } => Vec::new(),
        };
        return rq.ok(json!({"@odata.context": rq.context("appRoleAssignments"), "value": value}));
    }
    let mut dir = rq.st.dir_mut();
    if !may_write(&dir, caller, ASSIGN_WRITE) {
        return rq.forbidden();
    }
    let Some(body) = json_body(body) else {
        return bad_body(rq);
    };
    let (Some(principal), Some(role_id)) =
        (body["principalId"].as_str(), body["appRoleId"].as_str())
    else {
        return rq.error(
            StatusCode::BAD_REQUEST,
            "Request_BadRequest",
            "Properties 'principalId', 'resourceId' and 'appRoleId' are required.",
        );
    };
    let principal = principal.to_ascii_lowercase();
    match r {
        SpRef::App { app_id, tenant_id } => {
            let Some(app) = dir.app(app_id).cloned() else {
                return rq.not_found(app_id);
            };
            let Some(sp) = dir.service_principal(app_id, tenant_id) else {
                return rq.not_found(app_id);
            };
            let role = if role_id == DEFAULT_ACCESS {
                None
            } else {
                match app.app_roles.iter().find(|x| {
                    x.id.eq_ignore_ascii_case(role_id)
                        && x.is_enabled
                        && x.allowed_member_types.iter().any(|m| m == "User")
                }) {
                    Some(x) => Some(x.value.clone()),
                    None => {
                        return rq.error(
                            StatusCode::BAD_REQUEST,
                            "Request_BadRequest",
                            "Permission being assigned was not found on application",
                        )
                    }
                }
            };
            if let Err(e) = dir.assign(app_id, tenant_id, &principal, role) {
                return write_error(rq, e);
            }
            created(assignment_json(
                &dir,
                &sp.id,
                &app.display_name,
                &principal,
                role_id,
            ))
        }
        SpRef::Graph { tenant_id } => {
            let Some((value, _)) = GRAPH_APP_ROLES
                .iter()
                .find(|(_, id)| id.eq_ignore_ascii_case(role_id))
            else {
                return rq.error(
                    StatusCode::BAD_REQUEST,
                    "Request_BadRequest",
                    "Permission being assigned was not found on application",
                );
            };
            let Some(SpRef::App { app_id: client, .. }) = dir.sp_by_id(&principal) else {
                return rq.not_found(&principal);
            };
            if let Err(e) =
                dir.add_app_role_grant(&client, tenant_id, Resource::Graph, value.to_string())
            {
                return write_error(rq, e);
            }
            let graph_sp = Directory::graph_sp_id(tenant_id);
            created(assignment_json(
                &dir,
                &graph_sp,
                "Microsoft Graph",
                &principal,
                role_id,
            ))
        }
    }
}

/// The resource service principal's ID of a grant.
fn resource_sp_id(dir: &Directory, resource: &Resource, tenant_id: &str) -> Option<String> {
    match resource {
        Resource::Graph => Some(Directory::graph_sp_id(tenant_id)),
        Resource::App(id) => dir.service_principal(id, tenant_id).map(|sp| sp.id),
    }
}

fn grant_json(dir: &Directory, g: &Grant) -> Option<Value> {
    let client = dir.service_principal(&g.client, &g.tenant_id)?;
    Some(json!({
        "id": g.id,
        "clientId": client.id,
        "consentType": if g.principal.is_some() { "Principal" } else { "AllPrincipals" },
        "principalId": g.principal,
        "resourceId": resource_sp_id(dir, &g.resource, &g.tenant_id)?,
        "scope": g.scopes.join(" "),
    }))
}

fn grants_of_client(dir: &Directory, client_app_id: &str, tenant_id: &str) -> Vec<Value> {
    dir.grants_of(client_app_id, tenant_id)
        .into_iter()
        .filter(|g| !g.scopes.is_empty())
        .filter_map(|g| grant_json(dir, g))
        .collect()
}

/// `GET /servicePrincipals/{id}/oauth2PermissionGrants` (serviceprincipal-list-oauth2permissiongrants).
fn sp_grants(rq: &Req<'_>, caller: &Caller, r: &SpRef) -> Response {
    if !caller.allows(GRANTS_READ, GRANTS_READ) {
        return rq.forbidden();
    }
    let dir = rq.st.dir();
    let value = match r {
        SpRef::App { app_id, tenant_id } => grants_of_client(&dir, app_id, tenant_id),
        SpRef::Graph { .. } => Vec::new(),
    };
    rq.ok(json!({"@odata.context": rq.context("oauth2PermissionGrants"), "value": value}))
}

/// `GET /oauth2PermissionGrants?$filter=clientId eq '…'` (oauth2permissiongrant-list).
fn list_grants(
    rq: &Req<'_>,
    caller: &Caller,
    q: &std::collections::HashMap<String, String>,
) -> Response {
    if !caller.allows(GRANTS_READ, GRANTS_READ) {
        return rq.forbidden();
    }
    let Some(client) = q.get("$filter").and_then(|f| eq_filter(f, "clientId")) else {
        return rq.error(
            StatusCode::BAD_REQUEST,
            "Request_UnsupportedQuery",
            "The sandbox lists grants only with $filter=clientId eq '{servicePrincipalId}'.",
        );
    };
    let dir = rq.st.dir();
    let value = match dir.sp_by_id(&client) {
        Some(SpRef::App { app_id, tenant_id }) => grants_of_client(&dir, &app_id, &tenant_id),
        _ => Vec::new(),
    };
    rq.ok(json!({"@odata.context": rq.context("oauth2PermissionGrants"), "value": value}))
}

fn scopes_of(v: &Value) -> Vec<String> {
    v.as_str()
        .unwrap_or("")
        .split_whitespace()
        .map(str::to_string)
        .collect()
}

/// `POST /oauth2PermissionGrants {clientId, consentType, principalId?, resourceId, scope}`
/// (oauth2permissiongrant-post).
fn create_grant(rq: &Req<'_>, caller: &Caller, body: &Bytes) -> Response {
    let mut dir = rq.st.dir_mut();
    if !may_write(&dir, caller, GRANTS_WRITE) {
        return rq.forbidden();
    }
    let Some(body) = json_body(body) else {
        return bad_body(rq);
    };
    let (Some(client), Some(resource)) = (body["clientId"].as_str(), body["resourceId"].as_str())
    else {
        return rq.error(
            StatusCode::BAD_REQUEST,
            "Request_BadRequest",
            "Properties 'clientId', 'consentType' and 'resourceId' are required.",
        );
    };
    let principal = match body["consentType"].as_str() {
        Some("AllPrincipals") => None,
        Some("Principal") => match body["principalId"].as_str() {
            Some(p) if dir.user_by_oid(p).is_some() => Some(p.to_string()),
            _ => return rq.not_found(body["principalId"].as_str().unwrap_or("principalId")),
        },
        _ => {
            return rq.error(
                StatusCode::BAD_REQUEST,
                "Request_BadRequest",
                "consentType must be AllPrincipals or Principal.",
            )
        }
    };
    let Some(SpRef::App {
        app_id: client_app,
        tenant_id,
    }) = dir.sp_by_id(client)
    else {
        return rq.not_found(client);
    };
    let resource_ref = match dir.sp_by_id(resource) {
        Some(SpRef::Graph { .. }) => Resource::Graph,
        Some(SpRef::App { app_id, .. }) => Resource::App(app_id),
        None => return rq.not_found(resource),
    };
    let scopes = scopes_of(&body["scope"]);
    match dir.add_delegated_grant(&client_app, &tenant_id, resource_ref, scopes, principal) {
        Ok(id) => match dir.grant_by_id(&id).and_then(|g| grant_json(&dir, g)) {
            Some(v) => created(v),
            None => rq.not_found(&id),
        },
        Err(e) => write_error(rq, e),
    }
}

/// `PATCH /oauth2PermissionGrants/{id} {scope}` (oauth2permissiongrant-update).
fn update_grant(rq: &Req<'_>, caller: &Caller, id: &str, body: &Bytes) -> Response {
    let mut dir = rq.st.dir_mut();
    if !may_write(&dir, caller, GRANTS_WRITE) {
        return rq.forbidden();
    }
    let Some(body) = json_body(body) else {
        return bad_body(rq);
    };
    if body.get("scope").is_none() {
        return rq.error(
            StatusCode::BAD_REQUEST,
            "Request_BadRequest",
            "Only 'scope' can be updated.",
        );
    }
    match dir.set_grant_scopes(id, scopes_of(&body["scope"])) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => write_error(rq, e),
    }
}

/// `GET /users/{id}/appRoleAssignments` (user-list-approleassignments):
/// the apps a user is assigned to directly (not through groups).
fn user_app_role_assignments(rq: &Req<'_>, caller: &Caller, key: &str) -> Response {
    if !caller.allows(
        &[
            "User.Read.All",
            "Directory.Read.All",
            "AppRoleAssignment.ReadWrite.All",
        ],
        &[
            "User.Read.All",
            "Directory.Read.All",
            "AppRoleAssignment.ReadWrite.All",
        ],
    ) {
        return rq.forbidden();
    }
    let dir = rq.st.dir();
    let Some(user) = find_user(&dir, caller, key) else {
        return rq.not_found(key);
    };
    let oid = user.id.to_ascii_lowercase();
    let tid = dir.user_tenant_id(user);
    let value: Vec<Value> = dir
        .scenario()
        .applications
        .iter()
        .flat_map(|a| app_assignments(&dir, &a.app_id, &tid))
        .filter(|v| v["principalId"] == json!(oid))
        .collect();
    rq.ok(json!({"@odata.context": rq.context("appRoleAssignments"), "value": value}))
}

/// `GET /auditLogs/signIns[?$filter=appId eq '…' [and createdDateTime ge …]][&$top=N]`
/// (signin-list): the tenant's interactive sign-ins, newest first;
/// `status.errorCode` 0 = success. Needs AuditLog.Read.All.
fn sign_ins(
    rq: &Req<'_>,
    caller: &Caller,
    q: &std::collections::HashMap<String, String>,
) -> Response {
    const AUDIT: &[&str] = &["AuditLog.Read.All"];
    if !caller.allows(AUDIT, AUDIT) {
        return rq.forbidden();
    }
    let mut app_id: Option<String> = None;
    let mut since: Option<i64> = None;
    if let Some(f) = q.get("$filter") {
        for clause in f.split(" and ") {
            let clause = clause.trim();
            if let Some(v) = eq_filter(clause, "appId") {
                app_id = Some(v.to_ascii_lowercase());
            } else if let Some(t) = clause
                .strip_prefix("createdDateTime ge ")
                .and_then(|t| parse_rfc3339(t.trim().trim_matches('\'')))
            {
                since = Some(t);
            } else {
                return rq.error(
                    StatusCode::BAD_REQUEST,
                    "Request_UnsupportedQuery",
                    "The sandbox filters sign-ins by appId eq '…' and createdDateTime ge ….",
                );
            }
        }
    }
    let top = match q.get("$top").map(|t| t.parse::<usize>()) {
        None => 1000,
        Some(Ok(n)) if (1..=1000).contains(&n) => n,
        Some(_) => {
            return rq.error(
                StatusCode::BAD_REQUEST,
                "Request_UnsupportedQuery",
                "$top must be between 1 and 1000.",
            )
        }
    };
    let tid = caller.tid.to_ascii_lowercase();
    let list = crate::store::lock(&rq.st.store.sign_ins).clone();
    let value: Vec<Value> = list
        .iter()
        .rev()
        .filter(|s| s.tenant_id == tid)
        .filter(|s| app_id.as_ref().is_none_or(|a| &s.app_id == a))
        .filter(|s| since.is_none_or(|t| s.created >= t))
        .take(top)
        .map(|s| {
            json!({
                "id": s.id,
                "createdDateTime": iso8601(s.created),
                "userDisplayName": s.user_display_name,
                "userPrincipalName": s.user_principal_name,
                "userId": s.user_oid,
                "appId": s.app_id,
                "appDisplayName": s.app_display_name,
                "ipAddress": "127.0.0.1",
                "clientAppUsed": "Browser",
                "correlationId": s.correlation_id,
                "conditionalAccessStatus": "notApplied",
                "isInteractive": true,
                "resourceDisplayName": "Microsoft Graph",
                "status": {
                    "errorCode": s.error_code,
                    "failureReason": s.failure_reason,
                    "additionalDetails": null,
                },
            })
        })
        .collect();
    rq.ok(json!({"@odata.context": rq.context("auditLogs/signIns"), "value": value}))
}
