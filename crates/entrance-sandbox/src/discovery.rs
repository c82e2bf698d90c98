//! OpenID Connect discovery and JWKS, v2 and v1, per tenant, verified
//! domain, `common` and `organizations` (docs/entra.md#token-versions-and-issuers, docs/entra.md#national-clouds).
//!
//! - `/{t}/v2.0/.well-known/openid-configuration`: issuer `{host}/{tid}/v2.0`;
//!   for `common`/`organizations` the template `{host}/{tenantid}/v2.0`
//!   (docs/entra.md#token-versions-and-issuers) — a strict "issuer equals discovery URL" check rejects it,
//!   exactly as it rejects Entra's.
//! - `/{t}/.well-known/openid-configuration`: v1, issuer `https://sts.windows.net/{tid}/`.
//! - `cloud_instance_name`, `tenant_region_scope`, `msgraph_host` (docs/entra.md#national-clouds);
//!   `msgraph_host` names the sandbox's Graph listener.
//! - An unknown tenant: 400 with AADSTS90002 in Entra's error body (docs/entra.md#errors).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{json, Value};

use crate::directory::TenantSel;
use crate::errors::StsError;
use crate::server::{json_error, json_ok, AppState};
use crate::tokens::{v1_issuer, v2_issuer};

/// What the path segment stands for in a document.
struct Resolved {
    /// The segment as endpoints repeat it (`common`, or the tenant ID).
    segment: String,
    /// The tenant ID for issuers, or the `{tenantid}` template.
    tid: String,
    cloud_instance_name: &'static str,
    cloud_graph_host_name: &'static str,
    region: Option<String>,
    sub_scope: Option<&'static str>,
}

fn resolve(st: &AppState, segment: &str) -> Option<Resolved> {
    let dir = st.dir();
    match dir.resolve_tenant(segment)? {
        TenantSel::Tenant(i) => {
            let t = dir.tenant_by_index(i)?;
            Some(Resolved {
                // Entra writes the tenant ID into the endpoints even when the
                // document was fetched by domain name.
                segment: t.id.to_ascii_lowercase(),
                tid: t.id.to_ascii_lowercase(),
                cloud_instance_name: t.cloud.cloud_instance_name(),
                cloud_graph_host_name: t.cloud.cloud_graph_host_name(),
                region: Some(t.region_scope.clone()),
                sub_scope: t.cloud.region_sub_scope(),
            })
        }
        sel => Some(Resolved {
            segment: if sel == TenantSel::Common {
                "common".into()
            } else {
                "organizations".into()
            },
            tid: "{tenantid}".into(),
            cloud_instance_name: "microsoftonline.com",
            cloud_graph_host_name: "graph.windows.net",
            region: None,
            sub_scope: None,
        }),
    }
}

fn graph_host(st: &AppState) -> String {
    st.graph_base
        .split("://")
        .nth(1)
        .unwrap_or(&st.graph_base)
        .to_string()
}

/// GET `/{t}/v2.0/.well-known/openid-configuration`.
pub async fn v2(
    State(st): State<Arc<AppState>>,
    Path(segment): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some(r) = resolve(&st, &segment) else {
        return json_error(&StsError::tenant_not_found(&segment), &st.trace(&headers));
    };
    let b = &st.base;
    let s = &r.segment;
    // Fields: v2-protocols-oidc.md "Fetch the OpenID configuration document" (Graph's
    // /oidc/userinfo included), OpenID Connect Discovery 1.0 §3; the rest as Entra serves.
    let mut doc = json!({
        "token_endpoint": format!("{b}/{s}/oauth2/v2.0/token"),
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "jwks_uri": format!("{b}/{s}/discovery/v2.0/keys"),
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": v2_issuer(b, &r.tid),
        "request_uri_parameter_supported": false,
        "userinfo_endpoint": format!("{}/oidc/userinfo", st.graph_base),
        "authorization_endpoint": format!("{b}/{s}/oauth2/v2.0/authorize"),
        "device_authorization_endpoint": format!("{b}/{s}/oauth2/v2.0/devicecode"),
        "http_logout_supported": true,
        "frontchannel_logout_supported": true,
        "end_session_endpoint": format!("{b}/{s}/oauth2/v2.0/logout"),
        "claims_supported": ["sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name", "msgraph_host", "aud", "exp", "iat", "auth_time", "acr", "nonce", "preferred_username", "name", "tid", "ver", "at_hash", "c_hash", "email"],
        "kerberos_endpoint": format!("{b}/{s}/kerberos"),
    });
    add_cloud_fields(&mut doc, &r, &st);
    json_ok(doc)
}

/// GET `/{t}/.well-known/openid-configuration` (v1).
pub async fn v1(
    State(st): State<Arc<AppState>>,
    Path(segment): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some(r) = resolve(&st, &segment) else {
        return json_error(&StsError::tenant_not_found(&segment), &st.trace(&headers));
    };
    let b = &st.base;
    let s = &r.segment;
    // The v1 document (ATK "v1.0 and v2.0 tokens"); fields per OpenID Connect
    // Discovery 1.0 §3 and Entra's own v1 document.
    let mut doc = json!({
        "token_endpoint": format!("{b}/{s}/oauth2/token"),
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "jwks_uri": format!("{b}/{s}/discovery/keys"),
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "token id_token", "token"],
        "scopes_supported": ["openid"],
        "issuer": v1_issuer(&r.tid),
        "microsoft_multi_refresh_token": true,
        "authorization_endpoint": format!("{b}/{s}/oauth2/authorize"),
        "device_authorization_endpoint": format!("{b}/{s}/oauth2/devicecode"),
        "http_logout_supported": true,
        "frontchannel_logout_supported": true,
        "end_session_endpoint": format!("{b}/{s}/oauth2/logout"),
        "claims_supported": ["sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name", "msgraph_host", "aud", "exp", "iat", "auth_time", "acr", "amr", "nonce", "email", "given_name", "family_name", "nickname"],
        "check_session_iframe": format!("{b}/{s}/oauth2/checksession"),
        "userinfo_endpoint": format!("{b}/{s}/openid/userinfo"),
        "kerberos_endpoint": format!("{b}/{s}/kerberos"),
    });
    add_cloud_fields(&mut doc, &r, &st);
    json_ok(doc)
}

/// The tenant's cloud and region fields, the same in the v1 and v2
/// documents (docs/entra.md#national-clouds).
fn add_cloud_fields(doc: &mut Value, r: &Resolved, st: &AppState) {
    if let Value::Object(m) = doc {
        m.insert("tenant_region_scope".into(), json!(r.region));
        m.insert("cloud_instance_name".into(), json!(r.cloud_instance_name));
        m.insert(
            "cloud_graph_host_name".into(),
            json!(r.cloud_graph_host_name),
        );
        m.insert("msgraph_host".into(), json!(graph_host(st)));
        m.insert("rbac_url".into(), json!("https://pas.windows.net"));
        if let Some(sub) = r.sub_scope {
            m.insert("tenant_region_sub_scope".into(), json!(sub));
        }
    }
}

/// GET `/{t}/discovery/v2.0/keys`: keys with a per-key `issuer`
/// (the `{tenantid}` template for `common`).
pub async fn keys_v2(
    State(st): State<Arc<AppState>>,
    Path(segment): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some(r) = resolve(&st, &segment) else {
        return json_error(&StsError::tenant_not_found(&segment), &st.trace(&headers));
    };
    json_ok(
        st.keys
            .jwks(Some(&v2_issuer(&st.base, &r.tid)), r.cloud_instance_name),
    )
}

/// GET `/{t}/discovery/keys` (v1: no `issuer` on the keys).
pub async fn keys_v1(
    State(st): State<Arc<AppState>>,
    Path(segment): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some(r) = resolve(&st, &segment) else {
        return json_error(&StsError::tenant_not_found(&segment), &st.trace(&headers));
    };
    json_ok(st.keys.jwks(None, r.cloud_instance_name))
}
