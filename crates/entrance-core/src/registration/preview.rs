//! "What will this user get?": the claims of the ID token a product receives
//! for a user, predicted from Microsoft Graph data only, without a sign-in
//! (docs/graph.md#token-preview). Entra's rules, as docs/entra.md#claims and
//! docs/entra.md#groups-overage state them:
//!
//! - `groups` per `groupMembershipClaims`: `SecurityGroup` → transitive
//!   security groups, `All` → every transitive group, `ApplicationGroup` →
//!   groups assigned to the app that the user is a DIRECT member of; more than
//!   200 → `_claim_names`/`_claim_sources` and no `groups`;
//! - `wids` (directory role template IDs, and the default user role for
//!   members) with `All`, `DirectoryRole` or `SecurityGroup`;
//! - `roles`: app roles assigned to the user directly or through a group the
//!   user is a direct member of;
//! - `oid`, `preferred_username` with `profile`; `email` for guests, the
//!   `email` scope or the optional claim, when `mail` is set; `upn` as an
//!   optional claim; `tid` always;
//! - let in: enabled account in the tenant, and — when assignment is
//!   required — assigned directly or through a group it is a direct member of.
//!
//! Independent Graph requests run concurrently.

use std::collections::HashSet;

use serde::Serialize;
use serde_json::{json, Map, Value};

use super::graph::GraphClient;
use super::model::Application;
use super::snapshot::Snapshot;
use super::token::Permission;
use crate::error::{Error, Result};

/// The default user role's template ID, in every member's `wids`
/// (docs/entra.md#directory-role-templates).
pub const DEFAULT_USER_ROLE: &str = "b79fbf4d-3ef9-4689-8143-76b194e85509";

/// Reading users, their groups, roles and assignments.
pub const READ_USERS: Permission = Permission {
    least: "User.Read.All",
    any_of: &[
        "User.Read.All",
        "Directory.Read.All",
        "Directory.ReadWrite.All",
    ],
};

/// More groups than this: the overage markers instead of `groups`.
pub const OVERAGE: usize = 200;

/// The user as Graph describes them.
#[derive(Debug, Clone, Default)]
struct UserFacts {
    id: String,
    upn: String,
    mail: Option<String>,
    enabled: bool,
    guest: bool,
    /// Transitive group IDs (security-enabled only, or all).
    transitive_security: Vec<String>,
    transitive_all: Vec<String>,
    /// Direct groups: (id, displayName, securityEnabled).
    direct: Vec<(String, Option<String>, bool)>,
    /// Directory role template IDs.
    role_templates: Vec<String>,
    /// appRoleIds assigned to the user directly on this app's service principal.
    direct_app_roles: Vec<String>,
}

/// The predicted sign-in.
#[derive(Debug, Clone, Serialize)]
pub struct Preview {
    /// The ID token's claims that matter (no times, nonces or signatures).
    pub claims: Value,
    /// The access token for the product's own API, when the product reads
    /// one: its claims (from the same registration's `accessToken`
    /// optional claims, version by `requestedAccessTokenVersion`).
    pub access_token: Option<Value>,
    /// Whether Entra lets the user in.
    pub assigned: bool,
    /// Why not, when not.
    pub refusal: Option<String>,
}

fn text(v: &Value, k: &str) -> Option<String> {
    v[k].as_str().map(str::to_string)
}

async fn get(client: &GraphClient, path: &str, action: &str) -> Result<Option<Value>> {
    client.get(path, READ_USERS, action).await
}

/// Every page of a collection (bounded: 20 pages).
async fn all_pages(client: &GraphClient, path: &str, action: &str) -> Result<Vec<Value>> {
    let mut out = Vec::new();
    let mut url = client.url(path);
    for _ in 0..20 {
        let r = client.send("GET", &url, None).await?;
        if !r.ok() {
            return Err(client.failure(&r, READ_USERS, action));
        }
        if let Some(a) = r.body["value"].as_array() {
            out.extend(a.iter().cloned());
        }
        match r.body["@odata.nextLink"].as_str() {
            Some(n) => url = n.to_string(),
            None => return Ok(out),
        }
    }
    Ok(out)
}

async fn member_groups(client: &GraphClient, id: &str, security: bool) -> Result<Vec<String>> {
    let action = "read the user's transitive groups";
    let r = client
        .send(
            "POST",
            &client.url(&format!("/users/{id}/getMemberGroups")),
            Some(&json!({ "securityEnabledOnly": security })),
        )
        .await?;
    if !r.ok() {
        return Err(client.failure(&r, READ_USERS, action));
    }
    Ok(r.body["value"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_ascii_lowercase))
                .collect()
        })
        .unwrap_or_default())
}

/// Reads what Graph knows about `user` (UPN or object ID); `None` when the
/// tenant has no such user.
async fn facts(client: &GraphClient, user: &str, sp_id: Option<&str>) -> Result<Option<UserFacts>> {
    let key = url::form_urlencoded::byte_serialize(user.trim().as_bytes()).collect::<String>();
    let Some(u) = get(
        client,
        &format!("/users/{key}?$select=id,userPrincipalName,mail,accountEnabled,userType"),
        "read the user",
    )
    .await?
    else {
        return Ok(None);
    };
    let id = text(&u, "id").unwrap_or_default().to_ascii_lowercase();
    // Direct groups' `securityEnabled` comes from the transitive security
    // list (memberOf shows bare objects without a group permission).
    let direct_path = format!("/users/{id}/memberOf/microsoft.graph.group?$top=999");
    let roles_path = format!("/users/{id}/transitiveMemberOf/microsoft.graph.directoryRole");
    let assignments_path = format!("/users/{id}/appRoleAssignments");
    let (sec, all, direct, roles, assignments) = tokio::join!(
        member_groups(client, &id, true),
        member_groups(client, &id, false),
        all_pages(client, &direct_path, "read the user's groups"),
        all_pages(client, &roles_path, "read the user's directory roles"),
        all_pages(
            client,
            &assignments_path,
            "read the user's app role assignments"
        ),
    );
    let sec = sec?;
    let mut facts = UserFacts {
        upn: text(&u, "userPrincipalName").unwrap_or_default(),
        mail: text(&u, "mail").filter(|m| !m.is_empty()),
        enabled: u["accountEnabled"].as_bool().unwrap_or(true),
        guest: u["userType"]
            .as_str()
            .is_some_and(|t| t.eq_ignore_ascii_case("Guest")),
        transitive_security: sec,
        transitive_all: all?,
        direct: direct?
            .iter()
            .map(|g| {
                (
                    text(g, "id").unwrap_or_default().to_ascii_lowercase(),
                    text(g, "displayName"),
                    false,
                )
            })
            .collect(),
        role_templates: roles?
            .iter()
            .filter_map(|r| text(r, "roleTemplateId").map(|t| t.to_ascii_lowercase()))
            .collect(),
        direct_app_roles: assignments?
            .iter()
            .filter(|a| {
                sp_id.is_some_and(|s| {
                    a["resourceId"]
                        .as_str()
                        .is_some_and(|r| r.eq_ignore_ascii_case(s))
                })
            })
            .filter_map(|a| text(a, "appRoleId"))
            .collect(),
        id,
    };
    let security: HashSet<String> = facts.transitive_security.iter().cloned().collect();
    for g in &mut facts.direct {
        g.2 = security.contains(&g.0);
    }
    Ok(Some(facts))
}

/// The optional claims of one token type (`idToken`, `accessToken`).
fn optional(app: &Application, kind: &str) -> Vec<(String, Vec<String>)> {
    app.optional_claims
        .as_ref()
        .and_then(|o| o[kind].as_array())
        .map(|a| {
            a.iter()
                .map(|c| {
                    (
                        text(c, "name").unwrap_or_default().to_ascii_lowercase(),
                        c["additionalProperties"]
                            .as_array()
                            .map(|p| {
                                p.iter()
                                    .filter_map(|x| x.as_str().map(str::to_string))
                                    .collect()
                            })
                            .unwrap_or_default(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Predicts the v2 ID token `snap`'s app issues to `user` for `scopes`
/// (space-separated OpenID scopes such as `openid profile email`).
///
/// # Errors
/// [`Error::InvalidInput`] when the registration does not exist; Graph failures
/// ([`Error::GraphPermissionMissing`] naming User.Read.All).
pub async fn preview(
    client: &GraphClient,
    snap: &Snapshot,
    user: &str,
    scopes: &str,
    reads_access_token: bool,
) -> Result<Preview> {
    let app = snap.app.as_ref().ok_or_else(|| Error::InvalidInput {
        field: "client ID".into(),
        reason: "no app registration with this Application (client) ID in the tenant".into(),
        fix: None,
    })?;
    client
        .token()
        .require(READ_USERS, "read the user's groups and roles")?;
    let tid = client.token().connection().tenant_id.to_ascii_lowercase();
    let sp_id = snap.sp.as_ref().map(|s| s.id.to_ascii_lowercase());
    let Some(f) = facts(client, user, sp_id.as_deref()).await? else {
        return Ok(Preview {
            claims: json!({}),
            access_token: None,
            assigned: false,
            refusal: Some(format!(
                "{user} is not a user of tenant {tid} (AADSTS50020 or 50034: a user of another tenant must be invited as a guest)"
            )),
        });
    };
    let scopes: Vec<&str> = scopes.split_whitespace().collect();
    let refusal = refusal(snap, &f);
    let access_token = reads_access_token.then(|| {
        let version = if app.api.requested_access_token_version == Some(2) {
            2
        } else {
            1
        };
        claims_of(app, snap, &f, &tid, &scopes, false, version)
    });
    Ok(Preview {
        claims: claims_of(app, snap, &f, &tid, &scopes, true, 2),
        access_token,
        assigned: refusal.is_none(),
        refusal,
    })
}

/// One token's claims: the ID token (`id_token`, v2 endpoint) or the access
/// token for the app's own API (`version` 1 or 2).
fn claims_of(
    app: &Application,
    snap: &Snapshot,
    f: &UserFacts,
    tid: &str,
    scopes: &[&str],
    id_token: bool,
    version: u8,
) -> Value {
    let profile = scopes.contains(&"profile") || version == 1;
    let oc = optional(app, if id_token { "idToken" } else { "accessToken" });
    let has_oc = |n: &str| oc.iter().find(|(name, _)| name == n);
    let mut claims = Map::new();
    if profile || id_token {
        claims.insert("tid".into(), json!(tid));
    }
    if profile {
        claims.insert("oid".into(), json!(f.id));
    }
    if version == 2 && profile {
        claims.insert("preferred_username".into(), json!(f.upn));
    }
    if version == 1 {
        claims.insert("upn".into(), json!(f.upn));
    }
    if has_oc("preferred_username").is_some() {
        claims.insert("preferred_username".into(), json!(f.upn));
    }
    if has_oc("upn").is_some() {
        claims.insert("upn".into(), json!(f.upn));
    }
    let wants_email =
        f.guest || has_oc("email").is_some() || (id_token && scopes.contains(&"email"));
    if let (true, Some(mail)) = (wants_email, &f.mail) {
        claims.insert("email".into(), json!(mail));
    }

    // groupMembershipClaims (docs/entra.md#groups-overage).
    let flags: HashSet<String> = app
        .group_membership_claims
        .as_deref()
        .unwrap_or("None")
        .split(',')
        .map(|p| p.trim().to_string())
        .collect();
    let (security, all, app_group, dir_role) = (
        flags.contains("SecurityGroup"),
        flags.contains("All"),
        flags.contains("ApplicationGroup"),
        flags.contains("DirectoryRole"),
    );
    let group_extra =
        |p: &str| has_oc("groups").is_some_and(|(_, props)| props.iter().any(|x| x == p));
    let assigned_groups: HashSet<String> = snap
        .assignments
        .iter()
        .filter(|a| a.principal_type.eq_ignore_ascii_case("Group"))
        .map(|a| a.principal_id.to_ascii_lowercase())
        .collect();
    let direct_ids: HashSet<&str> = f.direct.iter().map(|(id, _, _)| id.as_str()).collect();
    let groups: Option<Vec<String>> = if app_group {
        Some(
            f.direct
                .iter()
                .filter(|(id, _, _)| assigned_groups.contains(id))
                .filter(|(_, _, sec)| !security || *sec)
                .map(
                    |(id, name, _)| match (group_extra("cloud_displayname"), name) {
                        (true, Some(n)) => n.clone(),
                        _ => id.clone(),
                    },
                )
                .collect(),
        )
    } else if all {
        Some(f.transitive_all.clone())
    } else if security {
        Some(f.transitive_security.clone())
    } else {
        None
    };

    // roles: direct and direct-group assignments, enabled User roles only.
    let sp_assignments = snap.assignments.iter().filter(|a| {
        a.principal_id.eq_ignore_ascii_case(&f.id)
            || direct_ids.contains(a.principal_id.to_ascii_lowercase().as_str())
    });
    let role_ids: Vec<String> = f
        .direct_app_roles
        .iter()
        .cloned()
        .chain(sp_assignments.map(|a| a.app_role_id.clone()))
        .collect();
    let mut roles: Vec<String> = Vec::new();
    for id in &role_ids {
        if let Some(r) = app.app_roles.iter().find(|r| {
            r.id.eq_ignore_ascii_case(id)
                && r.is_enabled
                && r.allowed_member_types.iter().any(|m| m == "User")
        }) {
            if !roles.contains(&r.value) {
                roles.push(r.value.clone());
            }
        }
    }
    if let Some(list) = groups {
        if list.len() > OVERAGE {
            claims.insert("_claim_names".into(), json!({"groups": "src1"}));
            claims.insert(
                "_claim_sources".into(),
                json!({"src1": {"endpoint": format!("/{tid}/users/{}/getMemberObjects", f.id)}}),
            );
        } else if !list.is_empty() {
            if group_extra("emit_as_roles") {
                roles = list;
            } else {
                claims.insert("groups".into(), json!(list));
            }
        }
    }
    if !roles.is_empty() {
        claims.insert("roles".into(), json!(roles));
    }
    if all || dir_role || security {
        let mut wids = f.role_templates.clone();
        if !f.guest {
            wids.push(DEFAULT_USER_ROLE.to_string());
        }
        claims.insert("wids".into(), json!(wids));
    }

    Value::Object(claims)
}

/// Why Entra would not let the user in, if it would not.
fn refusal(snap: &Snapshot, f: &UserFacts) -> Option<String> {
    let direct_ids: HashSet<&str> = f.direct.iter().map(|(id, _, _)| id.as_str()).collect();
    let required = snap
        .sp
        .as_ref()
        .is_some_and(|s| s.app_role_assignment_required);
    let assigned_here = !f.direct_app_roles.is_empty()
        || snap.assignments.iter().any(|a| {
            a.principal_id.eq_ignore_ascii_case(&f.id)
                || direct_ids.contains(a.principal_id.to_ascii_lowercase().as_str())
        });
    if !f.enabled {
        Some(format!("{}'s account is disabled (AADSTS50057)", f.upn))
    } else if required && !assigned_here {
        Some(format!(
            "assignment is required and {} is neither assigned nor a direct member of an assigned group (AADSTS50105)",
            f.upn
        ))
    } else {
        None
    }
}

/// Predicted claims as an unsigned JWT-shaped token (`alg: none`), for the
/// token inspector and the product's verdict.
pub fn unsigned_token(
    claims: &Value,
    aud: &str,
    issuer: &str,
    ver: &str,
    scp: Option<&str>,
    now: i64,
) -> String {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    let mut claims = claims.as_object().cloned().unwrap_or_default();
    claims.insert("aud".into(), json!(aud));
    claims.insert("iss".into(), json!(issuer));
    claims.insert("iat".into(), json!(now));
    claims.insert("nbf".into(), json!(now));
    claims.insert("exp".into(), json!(now + 3600));
    claims.insert("ver".into(), json!(ver));
    if let Some(s) = scp {
        claims.insert("scp".into(), json!(s));
    }
    if let Some(oid) = claims.get("oid").cloned() {
        claims.insert("sub".into(), oid);
    }
    format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#),
        URL_SAFE_NO_PAD.encode(Value::Object(claims).to_string())
    )
}
