//! Tokens as Entra mints them: which claims, in which version, from which
//! app's manifest.
//!
//! - ID tokens: version by endpoint (`/oauth2/v2.0/…` → v2, `/oauth2/…` →
//!   v1), claims from the **client's** manifest (docs/entra.md#token-versions-and-issuers, docs/entra.md#claims).
//! - Access tokens: version by the **resource's** `requestedAccessTokenVersion`,
//!   claims (groups, optional claims) from the **resource's** manifest
//!   (docs/entra.md#token-versions-and-issuers; docs/entra.md#configure-optional-claims "Access tokens are built from the resource's manifest").
//! - Microsoft Graph access tokens are v1, carry a header `nonce` and do not
//!   verify with a standard library (docs/entra.md#token-versions-and-issuers).

use std::collections::HashSet;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Map, Value};

use crate::directory::{
    Directory, Resource, ResourceScopes, DEFAULT_USER_ROLE_TEMPLATE, GRAPH_APP_ID,
};
use crate::keys::{KeyError, KeyStore};
use crate::scenario::{Application, OptionalClaim, Tenant, User};

/// Random bytes as base64url, for opaque values (codes, `uti`, `aio`, nonces).
pub fn random_b64(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    // SystemRandom only fails if the OS has no entropy source; fall back to a UUID then.
    if aws_lc_rs::rand::fill(&mut buf).is_err() {
        return uuid::Uuid::new_v4().simple().to_string();
    }
    URL_SAFE_NO_PAD.encode(buf)
}

fn random_below(n: u32) -> u32 {
    let mut b = [0u8; 4];
    let _ = aws_lc_rs::rand::fill(&mut b);
    u32::from_le_bytes(b) % n.max(1)
}

/// The `groupMembershipClaims` setting, parsed (docs/entra.md#app-manifest-microsoft-graph-format, docs/entra.md#group-claims; docs/entra.md#groups-overage).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GroupClaimFlags {
    pub security_group: bool,
    pub directory_role: bool,
    pub application_group: bool,
    pub all: bool,
}

impl GroupClaimFlags {
    /// Accepts `None`, `SecurityGroup`, `DirectoryRole`, `ApplicationGroup`,
    /// `All` and comma lists such as `"ApplicationGroup, SecurityGroup"`
    /// (the portal's form, docs/entra.md#groups-overage unconfirmed).
    pub fn parse(s: &str) -> Result<GroupClaimFlags, String> {
        let mut f = GroupClaimFlags::default();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            match part {
                "None" => {}
                "SecurityGroup" => f.security_group = true,
                "DirectoryRole" => f.directory_role = true,
                "ApplicationGroup" => f.application_group = true,
                "All" => f.all = true,
                other => {
                    return Err(format!(
                        "`{other}`: groupMembershipClaims takes None, SecurityGroup, DirectoryRole, ApplicationGroup or All"
                    ))
                }
            }
        }
        Ok(f)
    }

    pub fn of(app: &Application) -> GroupClaimFlags {
        app.group_membership_claims
            .as_deref()
            .and_then(|g| GroupClaimFlags::parse(g).ok())
            .unwrap_or_default()
    }

    fn emits_wids(self) -> bool {
        // docs/entra.md#claims (`wids`: All or DirectoryRole) and docs/entra.md#groups-overage (SecurityGroup
        // includes directory roles).
        self.all || self.directory_role || self.security_group
    }
}

/// The signed-in user, for user tokens.
#[derive(Debug, Clone)]
pub struct UserContext<'a> {
    pub user: &'a User,
    /// The tenant the token is issued in (the user's own for `/common`).
    pub tenant: &'a Tenant,
    pub sid: &'a str,
    pub auth_time: i64,
    pub nonce: Option<&'a str>,
    /// OIDC scopes of the request (`profile` unlocks profile claims, docs/entra.md#claims).
    pub oidc: &'a [String],
    /// Implicit flow (tokens in the URL): `hasgroups` instead of > 5 groups.
    pub implicit: bool,
}

/// A minted token and what the token response says about it.
#[derive(Debug, Clone)]
pub struct Minted {
    pub token: String,
    pub claims: Value,
    /// Seconds until `exp`.
    pub expires_in: i64,
}

/// How the client authenticated: `azpacr`/`appidacr` (docs/entra.md#claims).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientAuth {
    Public = 0,
    Secret = 1,
}

/// Builds and signs tokens for one request.
pub struct Minter<'a> {
    pub dir: &'a Directory,
    pub keys: &'a KeyStore,
    /// `http(s)://127.0.0.1:PORT` — the v2 issuer is `{base}/{tid}/v2.0`.
    pub base: &'a str,
    /// The Graph root the overage claim points at.
    pub graph_base: &'a str,
    pub now: i64,
}

/// v1 issuer: `https://sts.windows.net/{tid}/` (docs/entra.md#token-versions-and-issuers). Kept literal:
/// like Entra, the v1 issuer is not the host the discovery came from.
pub fn v1_issuer(tid: &str) -> String {
    format!("https://sts.windows.net/{tid}/")
}

/// v2 issuer: `{authority host}/{tid}/v2.0` (docs/entra.md#token-versions-and-issuers).
pub fn v2_issuer(base: &str, tid: &str) -> String {
    format!("{base}/{tid}/v2.0")
}

/// Pairwise `sub`: different for every app (docs/entra.md#claims; id-token-claims-reference.md).
pub fn pairwise_sub(oid: &str, app_id: &str, tid: &str) -> String {
    let d = aws_lc_rs::digest::digest(
        &aws_lc_rs::digest::SHA256,
        format!(
            "{}|{}|{}",
            oid.to_ascii_lowercase(),
            app_id.to_ascii_lowercase(),
            tid
        )
        .as_bytes(),
    );
    let mut s = URL_SAFE_NO_PAD.encode(d.as_ref());
    s.truncate(43);
    s
}

#[derive(Debug, Default)]
struct GroupOutcome {
    groups: Option<Vec<String>>,
    overage: bool,
    hasgroups: bool,
    wids: Option<Vec<String>>,
    as_roles: bool,
}

fn optional<'b>(list: &'b [OptionalClaim], name: &str) -> Option<&'b OptionalClaim> {
    list.iter().find(|c| c.name.eq_ignore_ascii_case(name))
}

impl<'a> Minter<'a> {
    fn common(
        &self,
        claims: &mut Map<String, Value>,
        aud: &str,
        iss: &str,
        tid: &str,
        lifetime: i64,
    ) {
        claims.insert("aud".into(), json!(aud));
        claims.insert("iss".into(), json!(iss));
        claims.insert("iat".into(), json!(self.now));
        claims.insert("nbf".into(), json!(self.now));
        claims.insert("exp".into(), json!(self.now + lifetime));
        // aio, rh: opaque; uti: the token ID (AT; docs/entra.md#claims `uti`).
        claims.insert("aio".into(), json!(random_b64(48)));
        claims.insert("rh".into(), json!(format!("0.A{}.", random_b64(36))));
        claims.insert("tid".into(), json!(tid));
        claims.insert("uti".into(), json!(random_b64(16)));
    }

    /// Groups, `wids`, overage and `hasgroups` for a user under an app's
    /// manifest (docs/entra.md#claims, docs/entra.md#groups-overage).
    fn groups(
        &self,
        user: &User,
        manifest: &Application,
        optional_list: &[OptionalClaim],
        tid: &str,
        implicit: bool,
    ) -> GroupOutcome {
        let flags = GroupClaimFlags::of(manifest);
        let mut out = GroupOutcome::default();
        let groups_opt = optional(optional_list, "groups");
        let extra =
            |p: &str| groups_opt.is_some_and(|g| g.additional_properties.iter().any(|x| x == p));
        if flags.emits_wids() {
            let mut wids: Vec<String> = user
                .directory_roles
                .iter()
                .map(|r| r.to_ascii_lowercase())
                .collect();
            if !user.guest {
                wids.push(DEFAULT_USER_ROLE_TEMPLATE.to_string());
            }
            out.wids = Some(wids);
        }
        let list: Vec<String> = if flags.application_group {
            // Only groups assigned to the app that the user is a direct member
            // of; no nesting (docs/entra.md#group-claims; docs/entra.md#groups-overage).
            let assigned = self
                .dir
                .service_principal_full(&manifest.app_id, tid)
                .map(|sp| self.dir.groups_assigned_to(&sp))
                .unwrap_or_default();
            self.dir
                .direct_groups(user)
                .into_iter()
                .filter(|g| assigned.contains(&g.id))
                .filter(|g| !flags.security_group || g.security_enabled())
                .map(|g| {
                    if extra("cloud_displayname") {
                        g.display_name.clone()
                    } else {
                        g.id.clone()
                    }
                })
                .collect()
        } else if flags.all {
            self.dir
                .transitive_groups(user)
                .into_iter()
                .map(|g| g.id.clone())
                .collect()
        } else if flags.security_group {
            self.dir
                .transitive_groups(user)
                .into_iter()
                .filter(|g| g.security_enabled())
                .map(|g| g.id.clone())
                .collect()
        } else {
            return out;
        };
        if implicit && list.len() > 5 {
            // docs/entra.md#claims: hasgroups in the implicit flow from six groups on.
            out.hasgroups = true;
        } else if list.len() > 200 {
            // docs/entra.md#groups-overage: over 200 the claim is dropped; overage markers instead.
            out.overage = true;
        } else if !list.is_empty() {
            out.as_roles = extra("emit_as_roles");
            out.groups = Some(list);
        }
        out
    }

    fn apply_groups(
        &self,
        claims: &mut Map<String, Value>,
        g: GroupOutcome,
        app_roles: Vec<String>,
        user: &User,
        tid: &str,
    ) {
        let mut roles = app_roles;
        if let Some(groups) = g.groups {
            if g.as_roles {
                // emit_as_roles: groups move into `roles` and hide the app roles (docs/entra.md#groups-overage).
                roles = groups;
            } else {
                claims.insert("groups".into(), json!(groups));
            }
        }
        if g.hasgroups {
            claims.insert("hasgroups".into(), json!(true));
        }
        if g.overage {
            // docs/entra.md#groups-overage: the overage shape; the endpoint uses the Azure AD
            // Graph path form of real tokens, on the sandbox's Graph host.
            claims.insert("_claim_names".into(), json!({"groups": "src1"}));
            claims.insert(
                "_claim_sources".into(),
                json!({"src1": {"endpoint": format!("{}/{}/users/{}/getMemberObjects", self.graph_base, tid, user.id.to_ascii_lowercase())}}),
            );
        }
        if !roles.is_empty() {
            claims.insert("roles".into(), json!(roles));
        }
        if let Some(w) = g.wids {
            claims.insert("wids".into(), json!(w));
        }
    }

    /// Profile and optional claims about the user.
    fn user_claims(
        &self,
        claims: &mut Map<String, Value>,
        u: &UserContext<'_>,
        version: u8,
        optional_list: &[OptionalClaim],
        id_token: bool,
    ) {
        let user = u.user;
        let profile = u.oidc.iter().any(|s| s == "profile") || version == 1;
        let tid = u.tenant.id.to_ascii_lowercase();
        if profile {
            claims.insert("oid".into(), json!(user.id.to_ascii_lowercase()));
            claims.insert("name".into(), json!(user.display_name));
        } else {
            // docs/entra.md#claims: oid/tid need `profile`; tid stays (it is in every
            // v2 token's issuer anyway) only for ID tokens of v2.
            claims.remove("tid");
            if id_token && version == 2 {
                claims.insert("tid".into(), json!(tid));
            }
        }
        if version == 2 {
            if profile {
                claims.insert("preferred_username".into(), json!(user.user_principal_name));
            }
        } else {
            // v1 defaults (docs/entra.md#claims: upn, unique_name, given/family_name, amr, ipaddr).
            claims.insert("amr".into(), json!(["pwd"]));
            if let Some(g) = &user.given_name {
                claims.insert("given_name".into(), json!(g));
            }
            if let Some(s) = &user.surname {
                claims.insert("family_name".into(), json!(s));
            }
            claims.insert("ipaddr".into(), json!("127.0.0.1"));
            claims.insert("unique_name".into(), json!(user.user_principal_name));
            claims.insert("upn".into(), json!(user.user_principal_name));
        }
        if user.guest {
            // Guests: `idp` names the home identity provider (docs/entra.md#claims).
            if let Some(idp) = &user.idp {
                claims.insert("idp".into(), json!(idp));
            }
        }
        // email: only with a populated `mail`, and for members only when the
        // optional claim or (ID tokens) the `email` scope asks (docs/entra.md#claims).
        let wants_email = user.guest
            || optional(optional_list, "email").is_some()
            || (id_token && u.oidc.iter().any(|s| s == "email"));
        if wants_email {
            if let Some(mail) = &user.mail {
                claims.insert("email".into(), json!(mail));
            }
        }
        // Optional claims as OC (optional-claims-reference.md) lists them; the
        // list comes from the manifest's `optionalClaims` for this token type (OCH).
        for oc in optional_list {
            match oc.name.as_str() {
                "upn" => {
                    claims.insert("upn".into(), json!(user.user_principal_name));
                }
                "given_name" => {
                    if let Some(g) = &user.given_name {
                        claims.insert("given_name".into(), json!(g));
                    }
                }
                "family_name" => {
                    if let Some(s) = &user.surname {
                        claims.insert("family_name".into(), json!(s));
                    }
                }
                "preferred_username" => {
                    claims.insert("preferred_username".into(), json!(user.user_principal_name));
                }
                "auth_time" => {
                    claims.insert("auth_time".into(), json!(u.auth_time));
                }
                "sid" => {
                    claims.insert("sid".into(), json!(u.sid));
                }
                "acct" => {
                    claims.insert("acct".into(), json!(if user.guest { 1 } else { 0 }));
                }
                "login_hint" => {
                    claims.insert(
                        "login_hint".into(),
                        json!(URL_SAFE_NO_PAD.encode(format!("O.{}.{}", user.id, tid))),
                    );
                }
                "ipaddr" => {
                    claims.insert("ipaddr".into(), json!("127.0.0.1"));
                }
                "idtyp"
                    if !id_token
                        && oc
                            .additional_properties
                            .iter()
                            .any(|p| p == "include_user_token") =>
                {
                    claims.insert("idtyp".into(), json!("user"));
                }
                "tenant_region_scope" => {
                    claims.insert("tenant_region_scope".into(), json!(u.tenant.region_scope));
                }
                _ => {}
            }
        }
    }

    /// An ID token for `client` (docs/entra.md#token-versions-and-issuers, docs/entra.md#claims; id-token-claims-reference.md).
    /// `hashes` bind it to a code or access token issued beside it by /authorize.
    pub fn id_token(
        &self,
        version: u8,
        client: &Application,
        u: &UserContext<'_>,
        hashes: FrontChannelHashes,
    ) -> Result<Minted, KeyError> {
        let tid = u.tenant.id.to_ascii_lowercase();
        let iss = if version == 1 {
            v1_issuer(&tid)
        } else {
            v2_issuer(self.base, &tid)
        };
        let mut claims = Map::new();
        self.common(
            &mut claims,
            &client.app_id.to_ascii_lowercase(),
            &iss,
            &tid,
            3600,
        );
        claims.insert(
            "sub".into(),
            json!(pairwise_sub(&u.user.id, &client.app_id, &tid)),
        );
        let optional_list = &client.optional_claims.id_token;
        self.user_claims(&mut claims, u, version, optional_list, true);
        // nonce: the authorize request's, echoed (IDT; docs/entra.md#claims `nonce`).
        if let Some(n) = u.nonce {
            claims.insert("nonce".into(), json!(n));
        }
        // sid: the session, for front-channel sign-out (docs/entra.md#claims; docs/entra.md#id-token-claims-reference).
        claims.insert("sid".into(), json!(u.sid));
        // c_hash: OIDC Core §3.3.2.11 (hybrid flow).
        if let Some(h) = hashes.c_hash {
            claims.insert("c_hash".into(), json!(h));
        }
        // at_hash: only when the ID token comes from /authorize together
        // with an access token (IDT `at_hash`; OIDC Core §3.3.2.11).
        if let Some(h) = hashes.at_hash {
            claims.insert("at_hash".into(), json!(h));
        }
        claims.insert(
            "ver".into(),
            json!(if version == 1 { "1.0" } else { "2.0" }),
        );
        let groups = self.groups(u.user, client, optional_list, &tid, u.implicit);
        let roles = self.dir.app_roles_for_user(u.user, client, &tid);
        self.apply_groups(&mut claims, groups, roles, u.user, &tid);
        let claims = Value::Object(claims);
        Ok(Minted {
            token: self.keys.sign(&claims, version == 1)?,
            claims,
            expires_in: 3600,
        })
    }

    fn access_lifetime(&self) -> i64 {
        // docs/entra.md#token-versions-and-issuers: a random lifetime of 60–90 minutes.
        3600 + random_below(1801) as i64
    }

    /// An access token for a signed-in user.
    pub fn user_access_token(
        &self,
        client: &Application,
        auth: ClientAuth,
        u: &UserContext<'_>,
        resource: &ResourceScopes,
        scp: &[String],
    ) -> Result<Minted, KeyError> {
        let tid = u.tenant.id.to_ascii_lowercase();
        let lifetime = self.access_lifetime();
        let mut claims = Map::new();
        match &resource.resource {
            Resource::Graph => {
                // Graph tokens: v1 format, Graph's own manifest (no groups), `wids`
                // as seen in real tokens (docs/entra.md#token-versions-and-issuers, docs/entra.md#groups-overage).
                self.common(&mut claims, GRAPH_APP_ID, &v1_issuer(&tid), &tid, lifetime);
                // acr: v1 only (AT `acr`; docs/entra.md#claims).
                claims.insert("acr".into(), json!("1"));
                claims.insert("app_displayname".into(), json!(client.display_name));
                claims.insert("appid".into(), json!(client.app_id.to_ascii_lowercase()));
                claims.insert("appidacr".into(), json!((auth as u8).to_string()));
                let all_oidc = [u.oidc.to_vec(), vec!["profile".to_string()]].concat();
                let ctx = UserContext {
                    oidc: &all_oidc,
                    ..u.clone()
                };
                self.user_claims(&mut claims, &ctx, 1, &[], false);
                claims.insert("scp".into(), json!(scp.join(" ")));
                claims.insert(
                    "sub".into(),
                    json!(pairwise_sub(&u.user.id, GRAPH_APP_ID, &tid)),
                );
                claims.insert("ver".into(), json!("1.0"));
                let mut wids: Vec<String> = u
                    .user
                    .directory_roles
                    .iter()
                    .map(|r| r.to_ascii_lowercase())
                    .collect();
                if !u.user.guest {
                    wids.push(DEFAULT_USER_ROLE_TEMPLATE.to_string());
                }
                claims.insert("wids".into(), json!(wids));
                let claims = Value::Object(claims);
                Ok(Minted {
                    token: self.keys.sign_graph(&claims)?,
                    claims,
                    expires_in: lifetime,
                })
            }
            Resource::App(app_id) => {
                let Some(api) = self.dir.app(app_id) else {
                    return Err(KeyError(format!("resource {app_id} vanished")));
                };
                let v2 = api.api.requested_access_token_version == Some(2);
                let (aud, iss) = if v2 {
                    (api.app_id.to_ascii_lowercase(), v2_issuer(self.base, &tid))
                } else {
                    // v1: aud is the identifier the client asked for (docs/entra.md#claims).
                    (resource.identifier.clone(), v1_issuer(&tid))
                };
                self.common(&mut claims, &aud, &iss, &tid, lifetime);
                let version = if v2 { 2 } else { 1 };
                let optional_list = &api.optional_claims.access_token;
                self.user_claims(&mut claims, u, version, optional_list, false);
                if v2 {
                    claims.insert("azp".into(), json!(client.app_id.to_ascii_lowercase()));
                    claims.insert("azpacr".into(), json!((auth as u8).to_string()));
                } else {
                    // acr: v1 only (AT `acr`; docs/entra.md#claims).
                    claims.insert("acr".into(), json!("1"));
                    claims.insert("appid".into(), json!(client.app_id.to_ascii_lowercase()));
                    claims.insert("appidacr".into(), json!((auth as u8).to_string()));
                }
                if !scp.is_empty() {
                    claims.insert("scp".into(), json!(scp.join(" ")));
                }
                claims.insert(
                    "sub".into(),
                    json!(pairwise_sub(&u.user.id, &api.app_id, &tid)),
                );
                claims.insert("ver".into(), json!(if v2 { "2.0" } else { "1.0" }));
                let groups = self.groups(u.user, api, optional_list, &tid, u.implicit);
                let roles = self.dir.app_roles_for_user(u.user, api, &tid);
                self.apply_groups(&mut claims, groups, roles, u.user, &tid);
                let claims = Value::Object(claims);
                Ok(Minted {
                    token: self.keys.sign(&claims, !v2)?,
                    claims,
                    expires_in: lifetime,
                })
            }
        }
    }

    /// An app-only access token (client credentials): `roles` are the
    /// application permissions, no `scp`, `idtyp` is `app` (docs/entra.md#claims).
    pub fn app_access_token(
        &self,
        client: &Application,
        auth: ClientAuth,
        tenant: &Tenant,
        resource: &ResourceScopes,
        roles: &[String],
    ) -> Result<Minted, KeyError> {
        let tid = tenant.id.to_ascii_lowercase();
        let lifetime = self.access_lifetime();
        let sp_oid = self
            .dir
            .service_principal(&client.app_id, &tid)
            .map(|sp| sp.id)
            .unwrap_or_else(|| {
                Directory::derived_id(&["sp", &client.app_id.to_ascii_lowercase(), &tid])
            });
        let mut claims = Map::new();
        let (graph, v2, aud) = match &resource.resource {
            Resource::Graph => (true, false, GRAPH_APP_ID.to_string()),
            Resource::App(id) => {
                let api = self.dir.app(id);
                let v2 = api.is_some_and(|a| a.api.requested_access_token_version == Some(2));
                (
                    false,
                    v2,
                    if v2 {
                        id.clone()
                    } else {
                        resource.identifier.clone()
                    },
                )
            }
        };
        let iss = if v2 {
            v2_issuer(self.base, &tid)
        } else {
            v1_issuer(&tid)
        };
        self.common(&mut claims, &aud, &iss, &tid, lifetime);
        if v2 {
            claims.insert("azp".into(), json!(client.app_id.to_ascii_lowercase()));
            claims.insert("azpacr".into(), json!((auth as u8).to_string()));
        } else {
            claims.insert("appid".into(), json!(client.app_id.to_ascii_lowercase()));
            claims.insert("appidacr".into(), json!((auth as u8).to_string()));
            claims.insert("idp".into(), json!(v1_issuer(&tid)));
        }
        if graph {
            claims.insert("app_displayname".into(), json!(client.display_name));
        }
        claims.insert("idtyp".into(), json!("app"));
        claims.insert("oid".into(), json!(sp_oid));
        if !roles.is_empty() {
            claims.insert("roles".into(), json!(roles));
        }
        claims.insert("sub".into(), json!(sp_oid));
        claims.insert("ver".into(), json!(if v2 { "2.0" } else { "1.0" }));
        let claims = Value::Object(claims);
        let token = if graph {
            self.keys.sign_graph(&claims)?
        } else {
            self.keys.sign(&claims, !v2)?
        };
        Ok(Minted {
            token,
            claims,
            expires_in: lifetime,
        })
    }
}

/// The hashes an ID token from /authorize carries of what was issued with
/// it (OIDC Core §3.3.2.11); none for an ID token from /token.
#[derive(Debug, Clone, Default)]
pub struct FrontChannelHashes {
    /// Of the authorization code (hybrid flow).
    pub c_hash: Option<String>,
    /// Of the access token (implicit or hybrid flow with `token`).
    pub at_hash: Option<String>,
}

/// OIDC `c_hash`/`at_hash`: left half of SHA-256, base64url (OIDC Core §3.3.2.11).
pub fn half_hash(value: &str) -> String {
    let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, value.as_bytes());
    URL_SAFE_NO_PAD.encode(&d.as_ref()[..16])
}

/// The set of scope values, for comparisons.
pub fn scope_set(scopes: &[String]) -> HashSet<String> {
    scopes.iter().map(|s| s.to_ascii_lowercase()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Scenario;

    fn with<T>(f: impl FnOnce(&Minter<'_>, &Directory) -> T) -> T {
        let dir = Directory::new(Scenario::builtin());
        let keys = KeyStore::new(1_700_000_000).expect("key");
        let m = Minter {
            dir: &dir,
            keys: &keys,
            base: "http://127.0.0.1:1",
            graph_base: "http://127.0.0.1:2",
            now: 1_700_000_000,
        };
        f(&m, &dir)
    }

    fn ctx<'a>(
        dir: &'a Directory,
        user: &str,
        oidc: &'a [String],
        implicit: bool,
    ) -> UserContext<'a> {
        let u = dir.scenario().user(user).expect("user");
        let t = dir.tenant_by_id(&dir.user_tenant_id(u)).expect("tenant");
        UserContext {
            user: u,
            tenant: t,
            sid: "sid-1",
            auth_time: 1_700_000_000,
            nonce: Some("n-1"),
            oidc,
            implicit,
        }
    }

    #[test]
    fn flags_parse_comma_lists() {
        let f = GroupClaimFlags::parse("ApplicationGroup, SecurityGroup").expect("valid");
        assert!(f.application_group && f.security_group && !f.all);
        assert!(GroupClaimFlags::parse("Everything").is_err());
    }

    #[test]
    fn a_v2_id_token_for_grafana_has_groups_roles_and_profile() {
        with(|m, dir| {
            let oidc = vec![
                "openid".to_string(),
                "profile".to_string(),
                "email".to_string(),
            ];
            let grafana = dir.scenario().app("grafana").expect("grafana");
            let t = m
                .id_token(
                    2,
                    grafana,
                    &ctx(dir, "alice", &oidc, false),
                    FrontChannelHashes::default(),
                )
                .expect("mint");
            let c = &t.claims;
            assert_eq!(c["ver"], "2.0");
            assert_eq!(c["aud"], grafana.app_id.as_str());
            assert!(c["iss"].as_str().is_some_and(|i| i.ends_with("/v2.0")));
            assert!(c["groups"].as_array().is_some_and(|g| !g.is_empty()));
            assert!(c["roles"].as_array().is_some());
            assert_eq!(c["nonce"], "n-1");
            assert!(c.get("preferred_username").is_some());
            assert!(c.get("email").is_some(), "email scope + mail");
            assert!(c.get("upn").is_none(), "upn is optional in v2");
        });
    }

    #[test]
    fn overage_replaces_groups_above_200() {
        with(|m, dir| {
            let oidc = vec!["openid".to_string(), "profile".to_string()];
            let grafana = dir.scenario().app("grafana").expect("grafana");
            let t = m
                .id_token(
                    2,
                    grafana,
                    &ctx(dir, "many-groups", &oidc, false),
                    FrontChannelHashes::default(),
                )
                .expect("mint");
            assert!(t.claims.get("groups").is_none());
            assert_eq!(t.claims["_claim_names"]["groups"], "src1");
            assert!(t.claims["_claim_sources"]["src1"]["endpoint"]
                .as_str()
                .is_some_and(|e| e.ends_with("/getMemberObjects")));
        });
    }

    #[test]
    fn implicit_flow_says_hasgroups_from_six_groups() {
        with(|m, dir| {
            let oidc = vec!["openid".to_string()];
            let grafana = dir.scenario().app("grafana").expect("grafana");
            let t = m
                .id_token(
                    2,
                    grafana,
                    &ctx(dir, "many-groups", &oidc, true),
                    FrontChannelHashes::default(),
                )
                .expect("mint");
            assert_eq!(t.claims["hasgroups"], true);
            assert!(t.claims.get("groups").is_none());
            assert!(t.claims.get("_claim_names").is_none());
        });
    }

    #[test]
    fn sub_is_pairwise_and_oid_is_not() {
        assert_ne!(
            pairwise_sub("o", "app-a", "t"),
            pairwise_sub("o", "app-b", "t")
        );
        assert_eq!(pairwise_sub("o", "app-a", "t").len(), 43);
    }

    #[test]
    fn a_member_without_the_email_claim_configured_gets_no_email() {
        with(|m, dir| {
            let oidc = vec!["openid".to_string(), "profile".to_string()];
            let grafana = dir.scenario().app("grafana").expect("grafana");
            let t = m
                .id_token(
                    2,
                    grafana,
                    &ctx(dir, "alice", &oidc, false),
                    FrontChannelHashes::default(),
                )
                .expect("mint");
            assert!(t.claims.get("email").is_none());
        });
    }
}
