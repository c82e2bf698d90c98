//! The running tenant's directory: the scenario resolved into lookups, plus
//! what changes while the sandbox runs (consents granted on the consent page,
//! app registrations PATCHed through Graph).
//!
//! Also the catalog of Microsoft Graph's own permissions, which every tenant
//! has: the delegated scopes and application roles that Entrance's targets
//! and Entrance itself ask for.

use std::collections::{HashMap, HashSet, VecDeque};

use crate::scenario::{
    Application, ConsentType, GroupKind, Scenario, ServicePrincipal, Tenant, User,
};

/// Microsoft Graph's application ID (docs/entra.md#token-versions-and-issuers, docs/entra.md#azure-cli-and-graph-equivalents).
pub const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";
/// Microsoft Graph's identifier URI (docs/entra.md#token-versions-and-issuers).
pub const GRAPH_IDENTIFIER: &str = "https://graph.microsoft.com";
/// OpenID Connect scopes, which are Graph delegated permissions too (docs/entra.md#azure-cli-and-graph-equivalents).
pub const OIDC_SCOPES: [&str; 4] = ["openid", "profile", "email", "offline_access"];
/// The default member "User" directory role seen in members' `wids`
/// (docs/entra.md#groups-overage: seen in real tokens; unconfirmed in docs).
pub const DEFAULT_USER_ROLE_TEMPLATE: &str = "b79fbf4d-3ef9-4689-8143-76b194e85509";
/// The personal-account (MSA) tenant (docs/entra.md#token-versions-and-issuers).
pub const MSA_TENANT: &str = "9188040d-6c67-4c5b-b112-36a304b66dad";

/// A Microsoft Graph delegated permission.
#[derive(Debug, Clone, Copy)]
pub struct GraphScope {
    pub value: &'static str,
    pub id: &'static str,
    /// Admin consent required.
    pub admin: bool,
}

/// Graph delegated permissions the sandbox knows. IDs: docs/entra.md#azure-cli-and-graph-equivalents for
/// openid/profile/email/offline_access/User.Read/GroupMember.Read.All;
/// Application.*: Microsoft Graph permissions reference (Find-MgGraphPermission
/// output in "Using Find-MgGraphPermission cmdlet"); the rest: Microsoft Graph
/// permissions reference (permissions-reference.md).
pub const GRAPH_SCOPES: &[GraphScope] = &[
    GraphScope {
        value: "openid",
        id: "37f7f235-527c-4136-accd-4a02d197296e",
        admin: false,
    },
    GraphScope {
        value: "profile",
        id: "14dad69e-099b-42c9-810b-d002981feec1",
        admin: false,
    },
    GraphScope {
        value: "email",
        id: "64a6cdd6-aab1-4aaf-94b8-3cc8405e90d0",
        admin: false,
    },
    GraphScope {
        value: "offline_access",
        id: "7427e0e9-2fba-42fe-b0c0-848c9e6a8182",
        admin: false,
    },
    GraphScope {
        value: "User.Read",
        id: "e1fe6dd8-ba31-4d61-89e7-88639da4683d",
        admin: false,
    },
    GraphScope {
        value: "User.ReadBasic.All",
        id: "b340eb25-3456-403f-be2f-af7a0d370277",
        admin: false,
    },
    GraphScope {
        value: "User.Read.All",
        id: "a154be20-db9c-4678-8ab7-66f6cc099a59",
        admin: true,
    },
    GraphScope {
        value: "GroupMember.Read.All",
        id: "bc024368-1153-4739-b217-4326f2e966d0",
        admin: true,
    },
    GraphScope {
        value: "Group.Read.All",
        id: "5f8c59db-677d-491f-a6b8-5f174b11ec1d",
        admin: true,
    },
    GraphScope {
        value: "Directory.Read.All",
        id: "06da0dbc-49e2-44d2-8312-53f166ab848a",
        admin: true,
    },
    GraphScope {
        value: "Application.Read.All",
        id: "c79f8feb-a9db-4090-85f9-90d820caa0eb",
        admin: true,
    },
    GraphScope {
        value: "Application.ReadWrite.All",
        id: "bdfbf15f-ee85-4955-8675-146e8e5296b5",
        admin: true,
    },
    GraphScope {
        value: "AppRoleAssignment.ReadWrite.All",
        id: "84bccea3-f856-4a8a-967b-dbe0a3d53a64",
        admin: true,
    },
    GraphScope {
        value: "DelegatedPermissionGrant.ReadWrite.All",
        id: "41ce6ca6-6826-4807-84f1-1c82854f7ee5",
        admin: true,
    },
    GraphScope {
        value: "AuditLog.Read.All",
        id: "e4c9e354-4dc5-45b8-9e7c-e1393b0b1a20",
        admin: true,
    },
];

/// Graph application permissions (app roles) the sandbox knows. IDs as seen
/// in public code against the Microsoft Graph permissions reference.
pub const GRAPH_APP_ROLES: &[(&str, &str)] = &[
    (
        "Application.Read.All",
        "9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30",
    ),
    (
        "Application.ReadWrite.All",
        "1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9",
    ),
    (
        "GroupMember.Read.All",
        "98830695-27a2-44f7-8c18-0c3ebc9698f6",
    ),
    ("Group.Read.All", "5b567255-7703-4780-807c-7be8301ae99b"),
    ("User.Read.All", "df021288-bdef-4463-88db-98f22de89214"),
    ("Directory.Read.All", "7ab1d382-f21e-4acd-a863-ba3e13f7da61"),
    (
        "AppRoleAssignment.ReadWrite.All",
        "06b708a9-e830-4db3-a914-8e69da51d44f",
    ),
    (
        "DelegatedPermissionGrant.ReadWrite.All",
        "8e8e4742-1d95-4f68-9d56-6ee75648c72a",
    ),
    ("AuditLog.Read.All", "b0afded3-3588-46d8-8b3d-9842eff778da"),
];

/// A Graph delegated permission by value (case-insensitive, as Entra treats scopes).
/// (Unconfirmed in docs: MSAL.js lowercased scopes and Entra still issued tokens,
/// AzureAD/microsoft-authentication-library-for-js#1922.)
pub fn graph_scope(value: &str) -> Option<&'static GraphScope> {
    GRAPH_SCOPES
        .iter()
        .find(|s| s.value.eq_ignore_ascii_case(value))
}

/// A Graph application permission by value.
pub fn graph_app_role(value: &str) -> Option<&'static (&'static str, &'static str)> {
    GRAPH_APP_ROLES
        .iter()
        .find(|r| r.0.eq_ignore_ascii_case(value))
}

/// Whether a resource identifier names Microsoft Graph.
pub fn is_graph_resource(s: &str) -> bool {
    let s = s.trim_end_matches('/');
    s.eq_ignore_ascii_case("microsoft-graph")
        || s.eq_ignore_ascii_case(GRAPH_APP_ID)
        || s.eq_ignore_ascii_case(GRAPH_IDENTIFIER)
        || s.eq_ignore_ascii_case("https://graph.microsoft.com/v1.0")
}

/// An API a token can be for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Resource {
    Graph,
    /// An app registration, by appId.
    App(String),
}

impl Resource {
    pub fn app_id(&self) -> &str {
        match self {
            Resource::Graph => GRAPH_APP_ID,
            Resource::App(id) => id,
        }
    }
}

/// The `{tenant}` path segment, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TenantSel {
    /// A tenant, by index into `Scenario::tenants`.
    Tenant(usize),
    Common,
    Organizations,
}

/// Scopes of one resource in a request, in the order requested.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceScopes {
    pub resource: Resource,
    /// How the request named it (`api://…`, the GUID, `https://graph.microsoft.com`);
    /// a v1 access token's `aud` (docs/entra.md#claims).
    pub identifier: String,
    /// Scope values as the resource defines them; `.default` stays `.default`.
    pub scopes: Vec<String>,
}

/// A parsed `scope` parameter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScopeRequest {
    /// `openid`, `profile`, `email`, `offline_access` as requested.
    pub oidc: Vec<String>,
    pub resources: Vec<ResourceScopes>,
}

impl ScopeRequest {
    pub fn has(&self, oidc_scope: &str) -> bool {
        self.oidc.iter().any(|s| s == oidc_scope)
    }
    /// The first resource (the one a token is issued for, per
    /// v2-oauth2-auth-code-flow.md "Refresh the access token").
    pub fn primary(&self) -> Option<&ResourceScopes> {
        self.resources.first()
    }
}

/// Why a `scope` parameter cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScopeError {
    /// AADSTS70011: a scope that is not a scope (`groups`, a typo, a custom
    /// scope without its `api://` prefix) — docs/entra.md#errors.
    Invalid(String),
    /// AADSTS500011: the resource has no service principal in the tenant — docs/entra.md#errors.
    ResourceNotFound(String),
}

/// A group, generated ones included.
#[derive(Debug, Clone)]
pub struct DirGroup {
    pub id: String,
    pub name: String,
    pub display_name: String,
    pub kind: GroupKind,
    pub mail: Option<String>,
    pub tenant_id: String,
    /// Groups this group is a member of.
    pub parents: Vec<usize>,
}

impl DirGroup {
    pub fn security_enabled(&self) -> bool {
        self.kind == GroupKind::Security
    }
}

/// A resolved delegated/application consent: Graph's `oauth2PermissionGrant`
/// (delegated `scopes`) and the client's app role assignments on the
/// resource (application `roles`).
#[derive(Debug, Clone)]
pub struct Grant {
    /// The `oauth2PermissionGrant`'s `id`.
    pub id: String,
    /// The client's appId.
    pub client: String,
    pub tenant_id: String,
    pub resource: Resource,
    pub scopes: Vec<String>,
    pub roles: Vec<String>,
    /// `None` = AllPrincipals; `Some(oid)` = that user's consent.
    pub principal: Option<String>,
}

impl Grant {
    fn derive_id(
        client: &str,
        tenant_id: &str,
        resource: &Resource,
        principal: Option<&str>,
    ) -> String {
        Directory::derived_id(&[
            "grant",
            &client.to_ascii_lowercase(),
            &tenant_id.to_ascii_lowercase(),
            resource.app_id(),
            principal.unwrap_or(""),
        ])
    }
}

/// The running directory.
#[derive(Debug, Clone)]
pub struct Directory {
    scenario: Scenario,
    groups: Vec<DirGroup>,
    group_index: HashMap<String, usize>,
    user_direct: Vec<Vec<usize>>,
    grants: Vec<Grant>,
    /// Apps created through `POST /applications` that have no service
    /// principal yet (application-post-applications: creating an app does
    /// not create its service principal; serviceprincipal-post-serviceprincipals does).
    without_sp: HashSet<String>,
}

impl Directory {
    /// Resolves a checked scenario.
    pub fn new(scenario: Scenario) -> Directory {
        let first_tenant = scenario
            .tenants
            .first()
            .map(|t| t.id.to_ascii_lowercase())
            .unwrap_or_default();
        let tenant_id = |t: &Option<String>| -> String {
            scenario
                .tenant_of(t)
                .map(|t| t.id.to_ascii_lowercase())
                .unwrap_or_else(|| first_tenant.clone())
        };
        let mut groups: Vec<DirGroup> = scenario
            .groups
            .iter()
            .map(|g| DirGroup {
                id: g.id.to_ascii_lowercase(),
                name: g.name.clone(),
                display_name: g.display_name.clone(),
                kind: g.kind,
                mail: g.mail.clone(),
                tenant_id: tenant_id(&g.tenant),
                parents: Vec::new(),
            })
            .collect();
        let mut group_index: HashMap<String, usize> = HashMap::new();
        for (i, g) in groups.iter().enumerate() {
            group_index.insert(g.name.clone(), i);
            group_index.insert(g.id.clone(), i);
        }
        for (gi, g) in scenario.groups.iter().enumerate() {
            for m in &g.members {
                if let Some(&child) = group_index
                    .get(m.as_str())
                    .or_else(|| group_index.get(&m.to_ascii_lowercase()))
                {
                    groups[child].parents.push(gi);
                }
            }
        }
        let mut user_direct = Vec::new();
        for u in &scenario.users {
            let mut direct: Vec<usize> = u
                .groups
                .iter()
                .filter_map(|g| {
                    group_index
                        .get(g.as_str())
                        .or_else(|| group_index.get(&g.to_ascii_lowercase()))
                        .copied()
                })
                .collect();
            if let Some(gen) = &u.generated_groups {
                for n in 1..=gen.count {
                    let id = format!("{}{:012}", gen.id_prefix, n).to_ascii_lowercase();
                    let idx = match group_index.get(&id) {
                        Some(&i) => i,
                        None => {
                            groups.push(DirGroup {
                                id: id.clone(),
                                name: format!("{}-{:03}", gen.name, n),
                                display_name: format!("{} {:03}", gen.display_name_prefix, n),
                                kind: gen.kind,
                                mail: None,
                                tenant_id: tenant_id(&u.tenant),
                                parents: Vec::new(),
                            });
                            let i = groups.len() - 1;
                            group_index.insert(id, i);
                            group_index.insert(format!("{}-{:03}", gen.name, n), i);
                            i
                        }
                    };
                    direct.push(idx);
                }
            }
            user_direct.push(direct);
        }
        let mut dir = Directory {
            scenario,
            groups,
            group_index,
            user_direct,
            grants: Vec::new(),
            without_sp: HashSet::new(),
        };
        dir.grants = dir.resolve_grants();
        dir
    }

    fn resolve_grants(&self) -> Vec<Grant> {
        let mut out = Vec::new();
        for c in &self.scenario.consent_grants {
            let Some(client) = self.scenario.app(&c.client) else {
                continue;
            };
            let tenant_id = match &c.tenant {
                Some(t) => self.scenario.tenant(t).map(|t| t.id.to_ascii_lowercase()),
                None => self.home_tenant_id(client),
            };
            let Some(tenant_id) = tenant_id else { continue };
            let resource = if is_graph_resource(&c.resource) {
                Resource::Graph
            } else {
                match self.scenario.applications.iter().find(|a| {
                    a.name == c.resource
                        || a.app_id.eq_ignore_ascii_case(&c.resource)
                        || a.identifier_uris.iter().any(|u| u == &c.resource)
                }) {
                    Some(a) => Resource::App(a.app_id.to_ascii_lowercase()),
                    None => continue,
                }
            };
            let principal = match c.consent_type {
                ConsentType::AllPrincipals => None,
                ConsentType::Principal => c
                    .principal
                    .as_deref()
                    .and_then(|p| self.scenario.user(p))
                    .map(|u| u.id.to_ascii_lowercase()),
            };
            out.push(Grant {
                id: Grant::derive_id(&client.app_id, &tenant_id, &resource, principal.as_deref()),
                client: client.app_id.to_ascii_lowercase(),
                tenant_id,
                resource,
                scopes: c
                    .scope
                    .as_deref()
                    .unwrap_or("")
                    .split_whitespace()
                    .map(str::to_string)
                    .collect(),
                roles: c.roles.clone(),
                principal,
            });
        }
        out
    }

    /// The scenario as it is now (with PATCHes applied).
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// Resolves the `{tenant}` path segment: a tenant ID, a verified domain,
    /// `common` or `organizations` (v2-oauth2-auth-code-flow.md, `tenant` parameter).
    pub fn resolve_tenant(&self, segment: &str) -> Option<TenantSel> {
        if segment.eq_ignore_ascii_case("common") {
            return Some(TenantSel::Common);
        }
        if segment.eq_ignore_ascii_case("organizations") {
            return Some(TenantSel::Organizations);
        }
        self.scenario
            .tenants
            .iter()
            .position(|t| {
                t.id.eq_ignore_ascii_case(segment)
                    || t.domains.iter().any(|d| d.eq_ignore_ascii_case(segment))
            })
            .map(TenantSel::Tenant)
    }

    pub fn tenant_by_index(&self, i: usize) -> Option<&Tenant> {
        self.scenario.tenants.get(i)
    }

    pub fn tenant_by_id(&self, id: &str) -> Option<&Tenant> {
        self.scenario
            .tenants
            .iter()
            .find(|t| t.id.eq_ignore_ascii_case(id))
    }

    /// The ID of the tenant a user belongs to.
    pub fn user_tenant_id(&self, user: &User) -> String {
        self.scenario
            .tenant_of(&user.tenant)
            .map(|t| t.id.to_ascii_lowercase())
            .unwrap_or_default()
    }

    /// The home tenant ID of an app registration.
    pub fn home_tenant_id(&self, app: &Application) -> Option<String> {
        self.scenario
            .tenant_of(&app.tenant)
            .map(|t| t.id.to_ascii_lowercase())
    }

    pub fn app(&self, app_id: &str) -> Option<&Application> {
        self.scenario
            .applications
            .iter()
            .find(|a| a.app_id.eq_ignore_ascii_case(app_id))
    }

    pub fn app_mut(&mut self, app_id: &str) -> Option<&mut Application> {
        self.scenario
            .applications
            .iter_mut()
            .find(|a| a.app_id.eq_ignore_ascii_case(app_id))
    }

    pub fn user_by_oid(&self, oid: &str) -> Option<&User> {
        self.scenario
            .users
            .iter()
            .find(|u| u.id.eq_ignore_ascii_case(oid))
    }

    pub fn user_by_upn(&self, upn: &str) -> Option<&User> {
        self.scenario
            .users
            .iter()
            .find(|u| u.user_principal_name.eq_ignore_ascii_case(upn))
    }

    /// Users who may sign in at this authority: the tenant's users (guests
    /// included) for a tenant; every member for `common`/`organizations`,
    /// narrowed by `domain_hint` (home realm discovery).
    /// (ACF `domain_hint`; v1-protocols-oauth-code.md: "a registered domain for the tenant".)
    pub fn users_for(&self, sel: &TenantSel, domain_hint: Option<&str>) -> Vec<&User> {
        let hinted = domain_hint.and_then(|d| self.resolve_tenant(d));
        self.scenario
            .users
            .iter()
            .filter(|u| match sel {
                TenantSel::Tenant(i) => self
                    .tenant_by_index(*i)
                    .is_some_and(|t| t.id.eq_ignore_ascii_case(&self.user_tenant_id(u))),
                TenantSel::Common | TenantSel::Organizations => {
                    !u.guest
                        && match &hinted {
                            Some(TenantSel::Tenant(i)) => {
                                self.tenant_by_index(*i).is_some_and(|t| {
                                    t.id.eq_ignore_ascii_case(&self.user_tenant_id(u))
                                })
                            }
                            _ => true,
                        }
                }
            })
            .collect()
    }

    fn user_index(&self, user: &User) -> Option<usize> {
        self.scenario.users.iter().position(|u| u.id == user.id)
    }

    /// Groups the user is a direct member of.
    pub fn direct_groups(&self, user: &User) -> Vec<&DirGroup> {
        self.user_index(user)
            .map(|i| {
                self.user_direct[i]
                    .iter()
                    .map(|&g| &self.groups[g])
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Direct and nested memberships, direct ones first, each once.
    pub fn transitive_groups(&self, user: &User) -> Vec<&DirGroup> {
        let Some(ui) = self.user_index(user) else {
            return Vec::new();
        };
        let mut seen = HashSet::new();
        let mut order = Vec::new();
        let mut queue: VecDeque<usize> = self.user_direct[ui].iter().copied().collect();
        while let Some(g) = queue.pop_front() {
            if seen.insert(g) {
                order.push(g);
                queue.extend(self.groups[g].parents.iter().copied());
            }
        }
        order.into_iter().map(|g| &self.groups[g]).collect()
    }

    pub fn group(&self, key: &str) -> Option<&DirGroup> {
        self.group_index
            .get(key)
            .or_else(|| self.group_index.get(&key.to_ascii_lowercase()))
            .map(|&i| &self.groups[i])
    }

    /// A stable, derived object ID (service principals, which a scenario
    /// need not list).
    pub fn derived_id(parts: &[&str]) -> String {
        let digest =
            aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, parts.join("|").as_bytes());
        let b = digest.as_ref();
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(&b[..16]);
        bytes[6] = (bytes[6] & 0x0f) | 0x40;
        bytes[8] = (bytes[8] & 0x3f) | 0x80;
        uuid::Uuid::from_bytes(bytes).to_string()
    }

    /// The service principal (Enterprise application) of an app in a tenant:
    /// the declared one, else the implicit one in the app's home tenant.
    pub fn service_principal(&self, app_id: &str, tenant_id: &str) -> Option<SpView> {
        let app = self.app(app_id)?;
        let declared = self.scenario.service_principals.iter().find(|sp| {
            self.scenario
                .app(&sp.app)
                .is_some_and(|a| a.app_id.eq_ignore_ascii_case(app_id))
                && match &sp.tenant {
                    Some(t) => self
                        .scenario
                        .tenant(t)
                        .is_some_and(|t| t.id.eq_ignore_ascii_case(tenant_id)),
                    None => self
                        .home_tenant_id(app)
                        .is_some_and(|h| h.eq_ignore_ascii_case(tenant_id)),
                }
        });
        let home = self
            .home_tenant_id(app)
            .is_some_and(|h| h.eq_ignore_ascii_case(tenant_id));
        match declared {
            Some(sp) => Some(SpView::from_declared(sp, app, tenant_id)),
            None if home && !self.without_sp.contains(&app.app_id.to_ascii_lowercase()) => {
                Some(SpView {
                    id: Directory::derived_id(&["sp", &app.app_id.to_ascii_lowercase(), tenant_id]),
                    app_id: app.app_id.to_ascii_lowercase(),
                    app_role_assignment_required: false,
                    account_enabled: true,
                    assignments: Vec::new(),
                })
            }
            None => None,
        }
    }

    /// Graph's service principal object ID in a tenant.
    pub fn graph_sp_id(tenant_id: &str) -> String {
        Directory::derived_id(&["sp", GRAPH_APP_ID, tenant_id])
    }

    /// Whether the user is assigned to the app: directly, or through a group
    /// they are a **direct** member of (docs/entra.md#errors 50105: "no nesting").
    pub fn is_assigned(&self, user: &User, sp: &SpView) -> bool {
        let direct: HashSet<&str> = self
            .direct_groups(user)
            .iter()
            .map(|g| g.id.as_str())
            .collect();
        let app = self.app(&sp.app_id);
        let via_user = app.is_some_and(|a| {
            user.app_role_assignments.iter().any(|r| {
                self.scenario
                    .app(&r.app)
                    .is_some_and(|x| x.app_id == a.app_id)
            })
        });
        via_user
            || sp.assignments.iter().any(|(principal, _)| {
                principal.eq_ignore_ascii_case(&user.id) || direct.contains(principal.as_str())
            })
    }

    /// App role values assigned to the user on this app: directly or through
    /// a directly joined group (howto-add-app-roles-in-apps.md; docs/entra.md#claims `roles`).
    pub fn app_roles_for_user(
        &self,
        user: &User,
        app: &Application,
        tenant_id: &str,
    ) -> Vec<String> {
        let mut roles: Vec<String> = user
            .app_role_assignments
            .iter()
            .filter(|r| {
                self.scenario
                    .app(&r.app)
                    .is_some_and(|x| x.app_id == app.app_id)
            })
            .map(|r| r.role.clone())
            .collect();
        if let Some(sp) = self.service_principal_full(&app.app_id, tenant_id) {
            let direct: HashSet<&str> = self
                .direct_groups(user)
                .iter()
                .map(|g| g.id.as_str())
                .collect();
            for (principal, role) in &sp.assignments {
                if let Some(role) = role {
                    if principal.eq_ignore_ascii_case(&user.id)
                        || direct.contains(principal.as_str())
                    {
                        roles.push(role.clone());
                    }
                }
            }
        }
        let enabled: HashSet<&str> = app
            .app_roles
            .iter()
            .filter(|r| r.is_enabled && r.allowed_member_types.iter().any(|m| m == "User"))
            .map(|r| r.value.as_str())
            .collect();
        let mut out: Vec<String> = Vec::new();
        for r in roles {
            if enabled.contains(r.as_str()) && !out.contains(&r) {
                out.push(r);
            }
        }
        out
    }

    /// Group object IDs assigned to the app's service principal.
    pub fn groups_assigned_to(&self, sp: &SpView) -> HashSet<String> {
        sp.assignments
            .iter()
            .filter(|(p, _)| self.group(p).is_some())
            .map(|(p, _)| p.to_ascii_lowercase())
            .collect()
    }

    /// Parses a `scope` parameter into OIDC scopes and resources. Bare scope
    /// values (`User.Read`) are Microsoft Graph's; `{identifier}/{value}`
    /// names another resource by App ID URI or appId.
    /// (scopes-oidc.md: "`scope=User.Read` is equivalent to …/User.Read".)
    pub fn parse_scopes(
        &self,
        tenant_id: Option<&str>,
        scope: &str,
    ) -> Result<ScopeRequest, ScopeError> {
        let mut req = ScopeRequest::default();
        for token in scope.split_whitespace() {
            if let Some(o) = OIDC_SCOPES.iter().find(|o| o.eq_ignore_ascii_case(token)) {
                if !req.oidc.iter().any(|x| x == o) {
                    req.oidc.push(o.to_string());
                }
                continue;
            }
            let (identifier, value) = match token.rfind('/') {
                Some(i) if i > 0 && i + 1 < token.len() => (&token[..i], &token[i + 1..]),
                Some(_) => return Err(ScopeError::Invalid(token.to_string())),
                None => (GRAPH_IDENTIFIER, token),
            };
            let resource = if is_graph_resource(identifier) {
                Resource::Graph
            } else {
                match self.resource_app(identifier) {
                    Some(app) => {
                        let exists_here = match tenant_id {
                            Some(t) => self.service_principal(&app.app_id, t).is_some(),
                            None => true,
                        };
                        if !exists_here {
                            return Err(ScopeError::ResourceNotFound(identifier.to_string()));
                        }
                        Resource::App(app.app_id.to_ascii_lowercase())
                    }
                    // A bare word with a slash that names nothing: `https://foo/x`.
                    None if identifier.contains("://") || crate::scenario::is_guid(identifier) => {
                        return Err(ScopeError::ResourceNotFound(identifier.to_string()))
                    }
                    None => return Err(ScopeError::Invalid(token.to_string())),
                }
            };
            // Matched case-insensitively, kept in the resource's own casing
            // (unconfirmed in docs; see `graph_scope`).
            let canonical = if value == ".default" {
                ".default".to_string()
            } else {
                match &resource {
                    Resource::Graph => match graph_scope(value) {
                        Some(s) => s.value.to_string(),
                        None => return Err(ScopeError::Invalid(token.to_string())),
                    },
                    Resource::App(id) => match self.app(id).and_then(|a| {
                        a.api
                            .oauth2_permission_scopes
                            .iter()
                            .find(|s| s.is_enabled && s.value.eq_ignore_ascii_case(value))
                    }) {
                        Some(s) => s.value.clone(),
                        None => return Err(ScopeError::Invalid(token.to_string())),
                    },
                }
            };
            match req.resources.iter_mut().find(|r| r.resource == resource) {
                Some(r) => {
                    if !r.scopes.contains(&canonical) {
                        r.scopes.push(canonical)
                    }
                }
                None => req.resources.push(ResourceScopes {
                    resource,
                    identifier: identifier.to_string(),
                    scopes: vec![canonical],
                }),
            }
        }
        Ok(req)
    }

    /// An app registration by appId or identifier URI (trailing slash ignored).
    pub fn resource_app(&self, identifier: &str) -> Option<&Application> {
        let id = identifier.trim_end_matches('/');
        self.scenario.applications.iter().find(|a| {
            a.app_id.eq_ignore_ascii_case(id)
                || a.identifier_uris
                    .iter()
                    .any(|u| u.trim_end_matches('/') == id)
        })
    }

    /// Whether a delegated scope of a resource needs admin consent.
    pub fn scope_needs_admin(&self, resource: &Resource, scope: &str) -> bool {
        match resource {
            Resource::Graph => graph_scope(scope).is_some_and(|s| s.admin),
            Resource::App(id) => self.app(id).is_some_and(|a| {
                a.api
                    .oauth2_permission_scopes
                    .iter()
                    .any(|s| s.value.eq_ignore_ascii_case(scope) && s.kind == "Admin")
            }),
        }
    }

    /// The delegated scopes a `.default` request stands for: the client's
    /// statically configured permissions on that resource (API permissions).
    /// (scopes-oidc.md "The .default scope": "all required permissions listed in
    /// the application registration"; permissions-consent-overview.md.)
    pub fn static_scopes(&self, client: &Application, resource: &Resource) -> Vec<String> {
        let mut out = Vec::new();
        for rra in &client.required_resource_access {
            if !rra.resource_app_id.eq_ignore_ascii_case(resource.app_id()) {
                continue;
            }
            for ra in rra.resource_access.iter().filter(|ra| ra.kind == "Scope") {
                let value = match resource {
                    Resource::Graph => GRAPH_SCOPES
                        .iter()
                        .find(|s| s.id.eq_ignore_ascii_case(&ra.id))
                        .map(|s| s.value.to_string()),
                    Resource::App(id) => self.app(id).and_then(|a| {
                        a.api
                            .oauth2_permission_scopes
                            .iter()
                            .find(|s| s.id.eq_ignore_ascii_case(&ra.id))
                            .map(|s| s.value.clone())
                    }),
                };
                if let Some(v) = value {
                    if !OIDC_SCOPES.iter().any(|o| o.eq_ignore_ascii_case(&v)) {
                        out.push(v);
                    }
                }
            }
        }
        out
    }

    /// Delegated scopes consented for this client, resource and user.
    pub fn granted_scopes(
        &self,
        client_id: &str,
        tenant_id: &str,
        user_oid: &str,
        resource: &Resource,
    ) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for g in self.grants.iter().filter(|g| {
            g.client.eq_ignore_ascii_case(client_id)
                && g.tenant_id.eq_ignore_ascii_case(tenant_id)
                && &g.resource == resource
                && g.principal
                    .as_deref()
                    .is_none_or(|p| p.eq_ignore_ascii_case(user_oid))
        }) {
            for s in &g.scopes {
                if !out.iter().any(|x| x.eq_ignore_ascii_case(s)) {
                    out.push(s.clone());
                }
            }
        }
        out
    }

    /// Application permissions (app role values) admin-consented for this
    /// client on this resource.
    pub fn granted_roles(
        &self,
        client_id: &str,
        tenant_id: &str,
        resource: &Resource,
    ) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for g in self.grants.iter().filter(|g| {
            g.client.eq_ignore_ascii_case(client_id)
                && g.tenant_id.eq_ignore_ascii_case(tenant_id)
                && &g.resource == resource
                && g.principal.is_none()
        }) {
            for r in &g.roles {
                if !out.contains(r) {
                    out.push(r.clone());
                }
            }
        }
        out
    }

    /// Records consent given on the consent page.
    pub fn grant(
        &mut self,
        client_id: &str,
        tenant_id: &str,
        resource: Resource,
        scopes: Vec<String>,
        principal: Option<String>,
    ) {
        let id = Grant::derive_id(client_id, tenant_id, &resource, principal.as_deref());
        self.grants.push(Grant {
            id,
            client: client_id.to_ascii_lowercase(),
            tenant_id: tenant_id.to_ascii_lowercase(),
            resource,
            scopes,
            roles: Vec::new(),
            principal: principal.map(|p| p.to_ascii_lowercase()),
        });
    }

    /// Whether the user holds a role that may grant tenant-wide consent
    /// (docs/entra.md#groups-overage: Privileged Role Administrator, Cloud Application
    /// Administrator, Application Administrator; and Global Administrator).
    pub fn can_admin_consent(&self, user: &User) -> bool {
        const ROLES: [&str; 4] = [
            "62e90394-69f5-4237-9190-012177145e10", // Global Administrator
            "e8611ab8-c189-46e8-94e1-60213ab1f814", // Privileged Role Administrator
            "158c047a-c907-4556-b7ef-446551a6b5f7", // Cloud Application Administrator
            "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3", // Application Administrator
        ];
        user.directory_roles
            .iter()
            .any(|r| ROLES.iter().any(|x| x.eq_ignore_ascii_case(r)))
    }
}

/// A service principal, resolved.
#[derive(Debug, Clone)]
pub struct SpView {
    pub id: String,
    pub app_id: String,
    pub app_role_assignment_required: bool,
    pub account_enabled: bool,
    /// (principal object ID, role value or Default Access).
    pub assignments: Vec<(String, Option<String>)>,
}

impl SpView {
    fn from_declared(sp: &ServicePrincipal, app: &Application, tenant_id: &str) -> SpView {
        SpView {
            id: sp
                .id
                .clone()
                .map(|i| i.to_ascii_lowercase())
                .unwrap_or_else(|| {
                    Directory::derived_id(&["sp", &app.app_id.to_ascii_lowercase(), tenant_id])
                }),
            app_id: app.app_id.to_ascii_lowercase(),
            app_role_assignment_required: sp.app_role_assignment_required,
            account_enabled: sp.account_enabled,
            assignments: Vec::new(),
        }
    }
}

impl Directory {
    /// Fills a declared SP's assignments with object IDs (needs the lookups).
    pub fn service_principal_full(&self, app_id: &str, tenant_id: &str) -> Option<SpView> {
        let mut sp = self.service_principal(app_id, tenant_id)?;
        let declared = self.scenario.service_principals.iter().find(|d| {
            self.scenario
                .app(&d.app)
                .is_some_and(|a| a.app_id.eq_ignore_ascii_case(app_id))
                && match &d.tenant {
                    Some(t) => self
                        .scenario
                        .tenant(t)
                        .is_some_and(|t| t.id.eq_ignore_ascii_case(tenant_id)),
                    None => self
                        .app(app_id)
                        .and_then(|a| self.home_tenant_id(a))
                        .is_some_and(|h| h.eq_ignore_ascii_case(tenant_id)),
                }
        });
        if let Some(d) = declared {
            sp.assignments = d
                .assignments
                .iter()
                .filter_map(|a| {
                    let id = self
                        .scenario
                        .user(&a.principal)
                        .map(|u| u.id.to_ascii_lowercase())
                        .or_else(|| self.group(&a.principal).map(|g| g.id.clone()))?;
                    Some((id, a.role.clone()))
                })
                .collect();
        }
        Some(sp)
    }
}

/// Why a directory write was refused (the Graph error's code and message).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteError {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
}

impl WriteError {
    fn bad(message: impl Into<String>) -> WriteError {
        WriteError {
            status: 400,
            code: "Request_BadRequest",
            message: message.into(),
        }
    }
    fn not_found(what: &str) -> WriteError {
        WriteError {
            status: 404,
            code: "Request_ResourceNotFound",
            message: format!("Resource '{what}' does not exist or one of its queried reference-property objects are not present."),
        }
    }
}

/// What a service principal object ID names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpRef {
    /// Microsoft Graph's own service principal in a tenant.
    Graph { tenant_id: String },
    /// An app registration's service principal in a tenant.
    App { app_id: String, tenant_id: String },
}

/// Changes made through Microsoft Graph while the sandbox runs
/// (docs/graph.md lists each endpoint and its Microsoft Learn page).
impl Directory {
    /// An app registration by its object ID.
    pub fn app_by_object_id(&self, object_id: &str) -> Option<&Application> {
        self.scenario
            .applications
            .iter()
            .find(|a| a.object_id.eq_ignore_ascii_case(object_id))
    }

    /// `POST /applications`: the registration exists, its service principal
    /// does not until `POST /servicePrincipals` (application-post-applications).
    pub fn add_application(&mut self, app: Application) {
        self.without_sp.insert(app.app_id.to_ascii_lowercase());
        self.scenario.applications.push(app);
    }

    /// The service principal with this object ID, in any tenant.
    pub fn sp_by_id(&self, id: &str) -> Option<SpRef> {
        for t in &self.scenario.tenants {
            let tid = t.id.to_ascii_lowercase();
            if Directory::graph_sp_id(&tid).eq_ignore_ascii_case(id) {
                return Some(SpRef::Graph { tenant_id: tid });
            }
            for a in &self.scenario.applications {
                if self
                    .service_principal(&a.app_id, &tid)
                    .is_some_and(|sp| sp.id.eq_ignore_ascii_case(id))
                {
                    return Some(SpRef::App {
                        app_id: a.app_id.to_ascii_lowercase(),
                        tenant_id: tid,
                    });
                }
            }
        }
        None
    }

    /// `POST /servicePrincipals {appId}` (serviceprincipal-post-serviceprincipals).
    /// An app that already has one in the tenant is refused (the error code
    /// for a duplicate is unconfirmed in the reference).
    pub fn create_service_principal(
        &mut self,
        app_id: &str,
        tenant_id: &str,
    ) -> Result<SpView, WriteError> {
        let Some(app) = self.app(app_id) else {
            return Err(WriteError::bad(format!(
                "The appId '{app_id}' of the service principal does not reference a valid application object."
            )));
        };
        let app_id = app.app_id.to_ascii_lowercase();
        if self.service_principal(&app_id, tenant_id).is_some() {
            return Err(WriteError {
                status: 409,
                code: "Request_MultipleObjectsWithSameKeyValue",
                message: "The service principal cannot be created because one already exists for this application in this tenant.".into(),
            });
        }
        self.without_sp.remove(&app_id);
        self.scenario.service_principals.push(ServicePrincipal {
            app: app_id.clone(),
            tenant: Some(tenant_id.to_ascii_lowercase()),
            id: Some(Directory::derived_id(&[
                "sp",
                &app_id,
                &tenant_id.to_ascii_lowercase(),
            ])),
            app_role_assignment_required: false,
            account_enabled: true,
            assignments: Vec::new(),
        });
        self.service_principal(&app_id, tenant_id)
            .ok_or_else(|| WriteError::not_found(&app_id))
    }

    /// The declared entry of a service principal, declaring the implicit one first.
    fn sp_entry_mut(&mut self, app_id: &str, tenant_id: &str) -> Option<&mut ServicePrincipal> {
        let sp = self.service_principal(app_id, tenant_id)?;
        let pos = self.scenario.service_principals.iter().position(|d| {
            self.scenario
                .app(&d.app)
                .is_some_and(|a| a.app_id.eq_ignore_ascii_case(app_id))
                && match &d.tenant {
                    Some(t) => self
                        .scenario
                        .tenant(t)
                        .is_some_and(|t| t.id.eq_ignore_ascii_case(tenant_id)),
                    None => self
                        .app(app_id)
                        .and_then(|a| self.home_tenant_id(a))
                        .is_some_and(|h| h.eq_ignore_ascii_case(tenant_id)),
                }
        });
        let pos = match pos {
            Some(p) => p,
            None => {
                self.scenario.service_principals.push(ServicePrincipal {
                    app: sp.app_id.clone(),
                    tenant: Some(tenant_id.to_ascii_lowercase()),
                    id: Some(sp.id.clone()),
                    app_role_assignment_required: sp.app_role_assignment_required,
                    account_enabled: sp.account_enabled,
                    assignments: Vec::new(),
                });
                self.scenario.service_principals.len() - 1
            }
        };
        self.scenario.service_principals.get_mut(pos)
    }

    /// `PATCH /servicePrincipals/{id}` for "Assignment required?" (serviceprincipal-update).
    pub fn set_assignment_required(
        &mut self,
        app_id: &str,
        tenant_id: &str,
        required: bool,
    ) -> Result<(), WriteError> {
        let sp = self
            .sp_entry_mut(app_id, tenant_id)
            .ok_or_else(|| WriteError::not_found(app_id))?;
        sp.app_role_assignment_required = required;
        Ok(())
    }

    /// Users and groups assigned to an app's service principal, with the
    /// role value (`None` = Default Access): the declared assignments and
    /// the users' own `appRoleAssignments`.
    pub fn assignments_of(&self, app_id: &str, tenant_id: &str) -> Vec<(String, Option<String>)> {
        let mut out = self
            .service_principal_full(app_id, tenant_id)
            .map(|sp| sp.assignments)
            .unwrap_or_default();
        for u in &self.scenario.users {
            if !self.user_tenant_id(u).eq_ignore_ascii_case(tenant_id) {
                continue;
            }
            for r in &u.app_role_assignments {
                if self
                    .scenario
                    .app(&r.app)
                    .is_some_and(|a| a.app_id.eq_ignore_ascii_case(app_id))
                {
                    out.push((u.id.to_ascii_lowercase(), Some(r.role.clone())));
                }
            }
        }
        out
    }

    /// `POST /servicePrincipals/{id}/appRoleAssignedTo` for a user or group
    /// on an app (serviceprincipal-post-approleassignedto). `role` is the
    /// app role's value; `None` = Default Access.
    pub fn assign(
        &mut self,
        app_id: &str,
        tenant_id: &str,
        principal_id: &str,
        role: Option<String>,
    ) -> Result<(), WriteError> {
        let known = self.user_by_oid(principal_id).is_some() || self.group(principal_id).is_some();
        if !known {
            return Err(WriteError::not_found(principal_id));
        }
        let principal = principal_id.to_ascii_lowercase();
        if self
            .assignments_of(app_id, tenant_id)
            .iter()
            .any(|(p, r)| p == &principal && r == &role)
        {
            return Err(WriteError::bad(
                "Permission being assigned already exists on the object",
            ));
        }
        let sp = self
            .sp_entry_mut(app_id, tenant_id)
            .ok_or_else(|| WriteError::not_found(app_id))?;
        sp.assignments
            .push(crate::scenario::Assignment { principal, role });
        Ok(())
    }

    /// Every consent recorded for a client in a tenant.
    pub fn grants_of(&self, client_app_id: &str, tenant_id: &str) -> Vec<&Grant> {
        self.grants
            .iter()
            .filter(|g| {
                g.client.eq_ignore_ascii_case(client_app_id)
                    && g.tenant_id.eq_ignore_ascii_case(tenant_id)
            })
            .collect()
    }

    /// A consent by its `oauth2PermissionGrant` ID.
    pub fn grant_by_id(&self, id: &str) -> Option<&Grant> {
        self.grants.iter().find(|g| g.id.eq_ignore_ascii_case(id))
    }

    /// `POST /oauth2PermissionGrants` (oauth2permissiongrant-post): one grant
    /// per client, resource, consent type and principal; a second one is refused.
    pub fn add_delegated_grant(
        &mut self,
        client_app_id: &str,
        tenant_id: &str,
        resource: Resource,
        scopes: Vec<String>,
        principal: Option<String>,
    ) -> Result<String, WriteError> {
        let principal = principal.map(|p| p.to_ascii_lowercase());
        let id = Grant::derive_id(client_app_id, tenant_id, &resource, principal.as_deref());
        if self
            .grants
            .iter()
            .any(|g| g.id == id && !g.scopes.is_empty())
        {
            return Err(WriteError {
                status: 409,
                code: "Request_MultipleObjectsWithSameKeyValue",
                message: "Permission entry already exists.".into(),
            });
        }
        if let Some(g) = self.grants.iter_mut().find(|g| g.id == id) {
            g.scopes = scopes;
        } else {
            self.grants.push(Grant {
                id: id.clone(),
                client: client_app_id.to_ascii_lowercase(),
                tenant_id: tenant_id.to_ascii_lowercase(),
                resource,
                scopes,
                roles: Vec::new(),
                principal,
            });
        }
        Ok(id)
    }

    /// `PATCH /oauth2PermissionGrants/{id} {scope}` (oauth2permissiongrant-update).
    pub fn set_grant_scopes(&mut self, id: &str, scopes: Vec<String>) -> Result<(), WriteError> {
        let g = self
            .grants
            .iter_mut()
            .find(|g| g.id.eq_ignore_ascii_case(id))
            .ok_or_else(|| WriteError::not_found(id))?;
        g.scopes = scopes;
        Ok(())
    }

    /// An application permission granted to a client: `POST
    /// /servicePrincipals/{resource}/appRoleAssignedTo {principalId: client SP}`.
    pub fn add_app_role_grant(
        &mut self,
        client_app_id: &str,
        tenant_id: &str,
        resource: Resource,
        role: String,
    ) -> Result<(), WriteError> {
        let id = Grant::derive_id(client_app_id, tenant_id, &resource, None);
        if let Some(g) = self.grants.iter_mut().find(|g| g.id == id) {
            if g.roles.contains(&role) {
                return Err(WriteError::bad(
                    "Permission being assigned already exists on the object",
                ));
            }
            g.roles.push(role);
        } else {
            self.grants.push(Grant {
                id,
                client: client_app_id.to_ascii_lowercase(),
                tenant_id: tenant_id.to_ascii_lowercase(),
                resource,
                scopes: Vec::new(),
                roles: vec![role],
                principal: None,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir() -> Directory {
        Directory::new(Scenario::builtin())
    }

    #[test]
    fn the_many_groups_user_has_250_direct_groups() {
        let d = dir();
        let u = d.scenario().user("many-groups").expect("many-groups user");
        assert_eq!(d.direct_groups(u).len(), 250);
        assert_eq!(d.transitive_groups(u).len(), 250);
    }

    #[test]
    fn nested_groups_are_transitive() {
        let d = dir();
        let bob = d.scenario().user("bob").expect("bob");
        let direct: Vec<_> = d
            .direct_groups(bob)
            .iter()
            .map(|g| g.name.clone())
            .collect();
        let all: Vec<_> = d
            .transitive_groups(bob)
            .iter()
            .map(|g| g.name.clone())
            .collect();
        assert!(direct.contains(&"sre".to_string()));
        assert!(!direct.contains(&"keep-noc".to_string()));
        assert!(all.contains(&"keep-noc".to_string()), "{all:?}");
    }

    #[test]
    fn tenant_segments_resolve_by_id_domain_and_alias() {
        let d = dir();
        let t = &d.scenario().tenants[0];
        assert_eq!(
            d.resolve_tenant(&t.id.to_uppercase()),
            Some(TenantSel::Tenant(0))
        );
        assert_eq!(d.resolve_tenant(&t.domains[0]), Some(TenantSel::Tenant(0)));
        assert_eq!(d.resolve_tenant("common"), Some(TenantSel::Common));
        assert_eq!(
            d.resolve_tenant("organizations"),
            Some(TenantSel::Organizations)
        );
        assert_eq!(d.resolve_tenant("nope.example"), None);
    }

    #[test]
    fn scopes_parse_into_resources() {
        let d = dir();
        let keep = d.scenario().app("keep").expect("keep").clone();
        let tid = d.home_tenant_id(&keep).expect("home");
        let req = d
            .parse_scopes(
                Some(&tid),
                &format!("openid profile api://{}/default user.read", keep.app_id),
            )
            .expect("valid");
        assert_eq!(req.oidc, vec!["openid", "profile"]);
        assert_eq!(req.resources.len(), 2);
        assert_eq!(
            req.resources[0].resource,
            Resource::App(keep.app_id.clone())
        );
        assert_eq!(req.resources[1].scopes, vec!["User.Read"]);
        assert_eq!(
            d.parse_scopes(Some(&tid), "openid groups"),
            Err(ScopeError::Invalid("groups".into()))
        );
        assert!(matches!(
            d.parse_scopes(Some(&tid), "api://nothing-here/read"),
            Err(ScopeError::ResourceNotFound(_))
        ));
    }
}
