//! Group overage resolution through Microsoft Graph (docs/entra.md#groups-overage).
//!
//! Over 200 groups (150 in SAML) Entra drops the `groups` claim and puts the
//! overage markers `_claim_names` / `_claim_sources` in its place. The product
//! must then ask Microsoft Graph, with a delegated token holding `User.Read` +
//! `GroupMember.Read.All` (admin consent). [`resolve_groups`] makes that call
//! the way a product would:
//!
//! - [`GroupMethod::GetMemberObjects`]: one `POST …/getMemberObjects`
//!   `{"securityEnabledOnly": false}` — transitive, IDs only;
//! - [`GroupMethod::TransitiveMemberOf`]: `GET …/transitiveMemberOf/microsoft.graph.group?$top=N`
//!   following `@odata.nextLink` (`$top` ≤ 999) — full objects with names.
//!
//! 401/403 come back as a typed [`GroupsError`] that names the permission and
//! the admin-consent fix. HTTP: reqwest 0.12, no redirects, 15 s per request,
//! https only (plain http only for loopback hosts such as the sandbox).

use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::token::JsonObject;
use crate::verify::{check_url, is_loopback};

/// Microsoft Graph's largest page for `transitiveMemberOf` (docs/entra.md#groups-overage).
pub const MAX_PAGE_SIZE: u32 = 999;
/// Each Graph request's time limit.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);
/// The most pages followed (999 × 50 ≈ 50,000 groups) before giving up.
pub const MAX_PAGES: u32 = 50;
/// The largest response body read.
const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// How to ask Graph for the groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum GroupMethod {
    /// `POST …/getMemberObjects`: one call, IDs only (groups, administrative
    /// units and directory roles), transitive.
    GetMemberObjects,
    /// `GET …/transitiveMemberOf/microsoft.graph.group`: paged, with names.
    TransitiveMemberOf,
}

/// Whose groups: the token's own user (`/me`), or a user by object ID, as
/// Grafana and other products ask (`/users/{oid}`, which needs
/// GroupMember.Read.All even for oneself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum GroupSubject {
    /// `/me/…`
    Me,
    /// `/users/{oid}/…`
    User { oid: String },
}

/// What to resolve, and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct GroupQuery {
    /// Microsoft Graph's root, e.g. `https://graph.microsoft.com` (`/v1.0` is added).
    pub graph_base: String,
    pub method: GroupMethod,
    pub subject: GroupSubject,
    /// `$top` for transitiveMemberOf; default and maximum 999.
    pub page_size: Option<u32>,
}

/// The groups Graph returned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct GroupResolution {
    pub method: GroupMethod,
    /// Object IDs, in Graph's order.
    pub ids: Vec<String>,
    /// Display names, aligned with `ids` (transitiveMemberOf only; `None`
    /// where Graph gave no name).
    pub names: Vec<Option<String>>,
    /// `ids.len()`.
    pub count: u32,
    /// Requests made.
    pub pages: u32,
    /// The URL asked first (no token in it).
    pub url: String,
    /// Set when Graph answered with limited information (IDs without names):
    /// the token lacks a group permission.
    pub note: Option<String>,
}

/// Why the groups could not be resolved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum GroupsError {
    /// 403: the token may not read group memberships.
    #[error("Microsoft Graph refused to list the groups (HTTP 403 {graph_code}): {graph_message}")]
    Forbidden {
        graph_code: String,
        graph_message: String,
        /// Delegated scopes the token carries (`scp`), when readable.
        scopes: Vec<String>,
    },
    /// 401: not a usable Graph token.
    #[error("Microsoft Graph did not accept the token (HTTP 401 {graph_code}): {graph_message}")]
    Unauthorized {
        graph_code: String,
        graph_message: String,
    },
    /// Any other answer from Graph.
    #[error("Microsoft Graph answered HTTP {status} {graph_code}: {graph_message}")]
    Graph {
        status: u16,
        graph_code: String,
        graph_message: String,
    },
    /// The request could not be made or the answer not read.
    #[error("Microsoft Graph at {url} could not be reached: {reason}")]
    Network { url: String, reason: String },
    /// The Graph URL is not acceptable.
    #[error("the Microsoft Graph address {url} is not usable: {reason}")]
    BadUrl { url: String, reason: String },
}

impl From<GroupsError> for crate::Error {
    fn from(e: GroupsError) -> Self {
        crate::Error::Groups(e)
    }
}

impl GroupsError {
    /// What the admin can do about it.
    pub fn fix(&self) -> Option<String> {
        match self {
            GroupsError::Forbidden { scopes, .. } => Some(format!(
                "Resolving overage needs the delegated Microsoft Graph permissions User.Read and GroupMember.Read.All, and GroupMember.Read.All needs admin consent. \
                 In App registrations → your app → API permissions: Add a permission → Microsoft Graph → Delegated permissions → GroupMember.Read.All, \
                 then \"Grant admin consent for <tenant>\" (a Privileged Role Administrator, Cloud Application Administrator or Application Administrator can). \
                 Sign in again so the new token carries it{}.",
                if scopes.is_empty() {
                    String::new()
                } else {
                    format!(" (this token's scp: {})", scopes.join(" "))
                }
            )),
            GroupsError::Unauthorized { .. } => Some(
                "Use a delegated access token for Microsoft Graph (aud https://graph.microsoft.com or 00000003-0000-0000-c000-000000000000), not an ID token or a token for your own API, and check it has not expired.".into(),
            ),
            GroupsError::Graph { .. } => None,
            GroupsError::Network { .. } => Some(
                "Check the network connection and any proxy; Microsoft Graph is graph.microsoft.com in the global cloud.".into(),
            ),
            GroupsError::BadUrl { .. } => Some(
                "Use https://graph.microsoft.com (or the national cloud's Graph host); plain http is allowed only for loopback test servers.".into(),
            ),
        }
    }
}

/// Microsoft Graph's root in the cloud the admin chose.
///
/// The admin's Graph token is sent only to this root, to the root in the
/// discovery document of an authority the admin gave
/// ([`graph_base_from_msgraph_host`]) or to an address the admin typed —
/// never to a host named inside the token being inspected: a token's
/// `_claim_sources` endpoint is the token issuer's word, and a forged token
/// could name any server.
pub fn graph_base_for_cloud(cloud: crate::login::Cloud) -> url::Url {
    url::Url::parse(&format!("https://{}", cloud.graph_host()))
        .unwrap_or_else(|_| unreachable!("the cloud table holds valid hosts"))
}

/// The cloud whose Microsoft Graph a token's overage marker names, when it
/// is one of Microsoft's (Azure AD Graph hosts map to Microsoft Graph's for
/// the same cloud). Only said to the admin, to pick the right cloud; nothing
/// is sent there on the token's word.
pub fn overage_cloud(claims: &JsonObject) -> Option<crate::login::Cloud> {
    use crate::login::Cloud;
    let src = claims.get("_claim_names")?.get("groups")?.as_str()?;
    let endpoint = claims
        .get("_claim_sources")?
        .get(src)?
        .get("endpoint")?
        .as_str()?;
    let url = url::Url::parse(endpoint).ok()?;
    match url.host_str()? {
        "graph.windows.net" | "graph.microsoft.com" => Some(Cloud::Global),
        "graph.chinacloudapi.cn" | "microsoftgraph.chinacloudapi.cn" => Some(Cloud::China),
        "graph.windows.us" | "graph.usgovcloudapi.net" | "graph.microsoft.us" => Some(Cloud::UsGov),
        _ => None,
    }
}

/// Microsoft Graph's root from a discovery document's `msgraph_host`
/// (`graph.microsoft.com`, or `127.0.0.1:port` for the sandbox).
pub fn graph_base_from_msgraph_host(host: &str) -> Option<url::Url> {
    let host = host.trim().trim_end_matches('/');
    if host.is_empty() || host.contains('/') {
        return None;
    }
    let https = url::Url::parse(&format!("https://{host}")).ok()?;
    if is_loopback(&https) {
        return url::Url::parse(&format!("http://{host}")).ok();
    }
    Some(https)
}

/// One page of `transitiveMemberOf`: the groups (ID, display name) and the
/// next page's link, as Graph answered them.
pub(crate) struct Page<'a> {
    pub groups: Vec<(String, Option<String>)>,
    pub next_link: Option<&'a str>,
}

/// Reads a Graph page (`value`, `@odata.nextLink`); entries without an `id`
/// are skipped.
pub(crate) fn read_page(body: &Value) -> Page<'_> {
    let groups = body
        .get("value")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|g| {
            let id = g.get("id").and_then(Value::as_str)?;
            let name = g
                .get("displayName")
                .and_then(Value::as_str)
                .map(str::to_string);
            Some((id.to_string(), name))
        })
        .collect();
    Page {
        groups,
        next_link: body.get("@odata.nextLink").and_then(Value::as_str),
    }
}

/// Whether a token has overage markers for `groups`.
pub fn has_overage(claims: &JsonObject) -> bool {
    claims
        .get("_claim_names")
        .and_then(|n| n.get("groups"))
        .is_some()
}

/// `$top` for transitiveMemberOf: 1..=999, default 999.
fn page_size(query: &GroupQuery) -> u32 {
    query
        .page_size
        .unwrap_or(MAX_PAGE_SIZE)
        .clamp(1, MAX_PAGE_SIZE)
}

/// How many transitiveMemberOf requests `count` groups take at `$top = page`.
/// A request is made even for zero groups; exactly full pages end without a
/// next link.
pub fn expected_pages(count: u32, page: u32) -> u32 {
    count.div_ceil(page.max(1)).max(1)
}

fn first_url(query: &GroupQuery) -> Result<url::Url, GroupsError> {
    let bad = |reason: String| GroupsError::BadUrl {
        url: query.graph_base.clone(),
        reason,
    };
    let base = url::Url::parse(query.graph_base.trim()).map_err(|e| bad(e.to_string()))?;
    check_url(&base).map_err(bad)?;
    let who = match &query.subject {
        GroupSubject::Me => "me".to_string(),
        GroupSubject::User { oid } => {
            let oid = oid.trim();
            if !crate::token::is_guid(oid) {
                return Err(bad(format!(
                    "the user's object ID must be a GUID, not {oid:?}"
                )));
            }
            format!("users/{oid}")
        }
    };
    let root = base.as_str().trim_end_matches('/');
    let path = match query.method {
        GroupMethod::GetMemberObjects => format!("{root}/v1.0/{who}/getMemberObjects"),
        GroupMethod::TransitiveMemberOf => format!(
            "{root}/v1.0/{who}/transitiveMemberOf/microsoft.graph.group?$top={}",
            page_size(query)
        ),
    };
    url::Url::parse(&path).map_err(|e| bad(e.to_string()))
}

/// Lists the groups of the token's user through Microsoft Graph.
///
/// # Errors
/// [`GroupsError`]: 403 (the permission, with the admin-consent fix), 401,
/// other Graph errors, network failures, an unusable URL.
pub async fn resolve_groups(
    query: &GroupQuery,
    access_token: &SecretString,
) -> Result<GroupResolution, GroupsError> {
    let first = first_url(query)?;
    let client = crate::http::client_builder(REQUEST_TIMEOUT)
        .build()
        .map_err(|e| GroupsError::Network {
            url: first.to_string(),
            reason: e.to_string(),
        })?;
    let scopes = scopes_of(access_token);
    let mut out = GroupResolution {
        method: query.method,
        ids: Vec::new(),
        names: Vec::new(),
        count: 0,
        pages: 0,
        url: first.to_string(),
        note: None,
    };
    match query.method {
        GroupMethod::GetMemberObjects => {
            let body = send(
                client
                    .post(first.clone())
                    .json(&serde_json::json!({"securityEnabledOnly": false})),
                access_token,
                &first,
                &scopes,
            )
            .await?;
            out.pages = 1;
            out.ids = body
                .get("value")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
        }
        GroupMethod::TransitiveMemberOf => {
            let mut next = Some(first.clone());
            let mut limited = false;
            while let Some(url) = next.take() {
                if out.pages >= MAX_PAGES {
                    return Err(GroupsError::Graph {
                        status: 200,
                        graph_code: "TooManyPages".into(),
                        graph_message: format!(
                            "more than {MAX_PAGES} pages; Entrance stopped following @odata.nextLink"
                        ),
                    });
                }
                let body = send(client.get(url.clone()), access_token, &url, &scopes).await?;
                out.pages += 1;
                let page = read_page(&body);
                for (id, name) in page.groups {
                    limited |= name.is_none();
                    out.ids.push(id);
                    out.names.push(name);
                }
                if let Some(link) = page.next_link {
                    let link = url::Url::parse(link).map_err(|e| GroupsError::BadUrl {
                        url: link.to_string(),
                        reason: e.to_string(),
                    })?;
                    // Follow only links to the same Graph host (no token elsewhere).
                    if link.origin() != first.origin() {
                        return Err(GroupsError::BadUrl {
                            url: link.to_string(),
                            reason: "@odata.nextLink points to another host; the token is not sent there".into(),
                        });
                    }
                    next = Some(link);
                }
            }
            if limited {
                out.note = Some("Graph returned the groups with limited information (IDs without names): the token lacks GroupMember.Read.All (or Group.Read.All / Directory.Read.All).".into());
            }
        }
    }
    out.count = u32::try_from(out.ids.len()).unwrap_or(u32::MAX);
    Ok(out)
}

pub(crate) async fn send(
    request: reqwest::RequestBuilder,
    token: &SecretString,
    url: &url::Url,
    scopes: &[String],
) -> Result<Value, GroupsError> {
    let network = |reason: String| GroupsError::Network {
        url: url.to_string(),
        reason,
    };
    let mut response = request
        .bearer_auth(token.expose_secret())
        .header(reqwest::header::ACCEPT, "application/json")
        .send()
        .await
        .map_err(|e| network(describe(&e)))?;
    let status = response.status();
    let bytes = crate::http::read_body(&mut response, MAX_BODY_BYTES)
        .await
        .map_err(|e| match e {
            crate::http::BodyError::Transport(e) => network(describe(&e)),
            other => network(other.to_string()),
        })?;
    let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    if status.is_success() {
        return Ok(body);
    }
    let graph_code = body["error"]["code"]
        .as_str()
        .unwrap_or("(no error code)")
        .to_string();
    let graph_message = body["error"]["message"]
        .as_str()
        .unwrap_or("(no message)")
        .to_string();
    Err(match status.as_u16() {
        403 => GroupsError::Forbidden {
            graph_code,
            graph_message,
            scopes: scopes.to_vec(),
        },
        401 => GroupsError::Unauthorized {
            graph_code,
            graph_message,
        },
        s if status.is_redirection() => GroupsError::Graph {
            status: s,
            graph_code: "Redirect".into(),
            graph_message: "Graph answered with a redirect; Entrance does not follow redirects"
                .into(),
        },
        s => GroupsError::Graph {
            status: s,
            graph_code,
            graph_message,
        },
    })
}

fn describe(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// The delegated scopes a JWT carries (`scp`), for the 403 explanation.
fn scopes_of(token: &SecretString) -> Vec<String> {
    use base64::Engine;
    let Some(payload) = token.expose_secret().split('.').nth(1) else {
        return Vec::new();
    };
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()
        .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
        .and_then(|v| v.get("scp").and_then(Value::as_str).map(str::to_string))
        .map(|s| s.split_whitespace().map(str::to_string).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(v: Value) -> JsonObject {
        match v {
            Value::Object(m) => m,
            _ => unreachable!(),
        }
    }

    #[test]
    fn groups_overage_marker_names_a_cloud_but_never_a_host_to_send_to() {
        use crate::login::Cloud;
        let c = obj(serde_json::json!({
            "_claim_names": {"groups": "src1"},
            "_claim_sources": {"src1": {"endpoint": "https://graph.windows.net/t/users/o/getMemberObjects"}}
        }));
        assert!(has_overage(&c));
        assert_eq!(overage_cloud(&c), Some(Cloud::Global));
        // A forged marker naming another server gives no cloud, and the
        // only roots there are are Microsoft's per cloud.
        let forged = obj(serde_json::json!({
            "_claim_names": {"groups": "src1"},
            "_claim_sources": {"src1": {"endpoint": "https://attacker.example/t/users/o/getMemberObjects"}}
        }));
        assert_eq!(overage_cloud(&forged), None);
        assert!(overage_cloud(&obj(serde_json::json!({"groups": []}))).is_none());
        assert_eq!(
            graph_base_for_cloud(Cloud::UsGov).as_str(),
            "https://graph.microsoft.us/"
        );
        assert_eq!(
            graph_base_for_cloud(Cloud::Global).as_str(),
            "https://graph.microsoft.com/"
        );
    }

    #[test]
    fn groups_msgraph_host_is_https_except_on_loopback() {
        assert_eq!(
            graph_base_from_msgraph_host("graph.microsoft.com")
                .unwrap()
                .as_str(),
            "https://graph.microsoft.com/"
        );
        assert_eq!(
            graph_base_from_msgraph_host("127.0.0.1:9000")
                .unwrap()
                .as_str(),
            "http://127.0.0.1:9000/"
        );
        assert!(graph_base_from_msgraph_host("evil/x").is_none());
    }

    #[test]
    fn groups_page_math() {
        assert_eq!(expected_pages(250, 999), 1);
        assert_eq!(expected_pages(250, 100), 3);
        assert_eq!(expected_pages(200, 100), 2);
        assert_eq!(expected_pages(0, 999), 1);
        assert_eq!(expected_pages(1998, 999), 2);
        assert_eq!(expected_pages(1999, 999), 3);
    }

    #[test]
    fn groups_urls_refuse_plain_http_off_loopback_and_non_guid_users() {
        let q = |base: &str, subject| GroupQuery {
            graph_base: base.into(),
            method: GroupMethod::TransitiveMemberOf,
            subject,
            page_size: Some(5000),
        };
        assert_eq!(
            first_url(&q("https://graph.microsoft.com", GroupSubject::Me))
                .unwrap()
                .as_str(),
            "https://graph.microsoft.com/v1.0/me/transitiveMemberOf/microsoft.graph.group?$top=999"
        );
        assert!(matches!(
            first_url(&q("http://graph.microsoft.com", GroupSubject::Me)),
            Err(GroupsError::BadUrl { .. })
        ));
        assert!(matches!(
            first_url(&q(
                "https://graph.microsoft.com",
                GroupSubject::User {
                    oid: "../../x".into()
                }
            )),
            Err(GroupsError::BadUrl { .. })
        ));
    }

    #[test]
    fn groups_forbidden_fix_names_the_permission_and_admin_consent() {
        let e = GroupsError::Forbidden {
            graph_code: "Authorization_RequestDenied".into(),
            graph_message: "Insufficient privileges to complete the operation.".into(),
            scopes: vec!["User.Read".into()],
        };
        let fix = e.fix().unwrap();
        assert!(fix.contains("GroupMember.Read.All"));
        assert!(fix.contains("Grant admin consent"));
        assert!(fix.contains("Delegated"));
        assert!(fix.contains("scp: User.Read"));
    }
}
