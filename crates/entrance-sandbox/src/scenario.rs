//! The scenario file: the sandbox tenant's directory as an admin writes it.
//!
//! TOML, with Microsoft Graph's property names (`appId`, `signInAudience`,
//! `web.redirectUris`, `groupMembershipClaims`, …) so an admin can hold a
//! real app's manifest next to it. Every object also has a `name`: a stable
//! handle that tests and the app use to find "the Grafana app" or "the
//! 250-group user" (`Scenario::app("grafana")`).
//!
//! Errors name the line and the field: serde errors carry the TOML span and
//! the field path (through `serde_path_to_error`); the checks after parsing
//! (references, GUIDs, URIs) locate their path in the parsed document.

use std::collections::HashSet;
use std::fmt;

use serde::Deserialize;
use toml::de::{DeTable, DeValue};

use crate::clock::parse_rfc3339;

/// The built-in scenario, embedded at build time. `entrance sandbox scenario`
/// prints it so an admin can copy and edit it.
pub const BUILTIN_TOML: &str = include_str!("builtin.toml");

/// A value the sandbox must never print or serialize: user passwords and
/// client secret values. `Debug` shows `<redacted>`; there is no `Serialize`.
#[derive(Clone, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }
    /// The value itself, for the one place that needs it (a test, a form).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// A whole scenario: one or more tenants and their directory objects.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Scenario {
    pub tenants: Vec<Tenant>,
    #[serde(default)]
    pub users: Vec<User>,
    #[serde(default)]
    pub groups: Vec<Group>,
    #[serde(default)]
    pub applications: Vec<Application>,
    #[serde(default)]
    pub service_principals: Vec<ServicePrincipal>,
    #[serde(default)]
    pub consent_grants: Vec<ConsentGrant>,
    #[serde(default)]
    pub faults: FaultsConfig,
}

/// National cloud of a tenant (docs/entra.md#national-clouds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Cloud {
    #[default]
    Global,
    /// US Government GCC High.
    Usgov,
    /// US Government DoD.
    Usgovdod,
    /// China, operated by 21Vianet.
    China,
}

impl Cloud {
    /// The discovery document's `cloud_instance_name` (docs/entra.md#national-clouds).
    pub fn cloud_instance_name(self) -> &'static str {
        match self {
            Cloud::Global => "microsoftonline.com",
            Cloud::Usgov | Cloud::Usgovdod => "microsoftonline.us",
            Cloud::China => "partner.microsoftonline.cn",
        }
    }
    /// The real authority host of the cloud (docs/entra.md#national-clouds).
    pub fn authority_host(self) -> &'static str {
        match self {
            Cloud::Global => "login.microsoftonline.com",
            Cloud::Usgov | Cloud::Usgovdod => "login.microsoftonline.us",
            Cloud::China => "login.partner.microsoftonline.cn",
        }
    }
    /// The legacy Azure AD Graph host (`cloud_graph_host_name`, docs/entra.md#national-clouds; values
    /// beyond Global unconfirmed).
    pub fn cloud_graph_host_name(self) -> &'static str {
        match self {
            Cloud::Global => "graph.windows.net",
            Cloud::Usgov | Cloud::Usgovdod => "graph.windows.net",
            Cloud::China => "graph.chinacloudapi.cn",
        }
    }
    /// `tenant_region_sub_scope` (docs/entra.md#national-clouds).
    pub fn region_sub_scope(self) -> Option<&'static str> {
        match self {
            Cloud::Usgov => Some("DODCON"),
            Cloud::Usgovdod => Some("DOD"),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Tenant {
    /// Stable handle, e.g. `contoso`.
    pub name: String,
    /// Directory (tenant) ID.
    pub id: String,
    pub display_name: String,
    /// Verified domains; the first is the default domain. Each works as the
    /// `{tenant}` path segment, like the tenant ID.
    pub domains: Vec<String>,
    #[serde(default)]
    pub cloud: Cloud,
    /// `tenant_region_scope` in discovery (`NA`, `EU`, `AS`, `OC`, `WW`, `USGov`…).
    #[serde(default = "default_region")]
    pub region_scope: String,
}

fn default_region() -> String {
    "NA".into()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct User {
    /// Stable handle, e.g. `alice`.
    pub name: String,
    /// Tenant handle; defaults to the first tenant.
    #[serde(default)]
    pub tenant: Option<String>,
    /// Object ID (`oid`).
    pub id: String,
    pub user_principal_name: String,
    pub display_name: String,
    #[serde(default)]
    pub given_name: Option<String>,
    #[serde(default)]
    pub surname: Option<String>,
    /// The `mail` attribute; absent for many guests and unlicensed users.
    #[serde(default)]
    pub mail: Option<String>,
    pub password: Secret,
    /// A B2B guest (`userType` Guest).
    #[serde(default)]
    pub guest: bool,
    /// The guest's home identity provider, for the `idp` claim.
    #[serde(default)]
    pub idp: Option<String>,
    #[serde(default = "yes")]
    pub account_enabled: bool,
    /// Direct group memberships: group names or object IDs.
    #[serde(default)]
    pub groups: Vec<String>,
    /// Many direct memberships by rule instead of one block each.
    #[serde(default)]
    pub generated_groups: Option<GeneratedGroups>,
    /// App roles assigned to this user directly.
    #[serde(default)]
    pub app_role_assignments: Vec<AppRoleRef>,
    /// Directory roles by template ID (docs/entra.md#directory-role-templates table).
    #[serde(default)]
    pub directory_roles: Vec<String>,
}

fn yes() -> bool {
    true
}

/// `count` groups named `{name}-001`… with display names `{displayNamePrefix} 001`…
/// and IDs `{idPrefix}000000000001`… (the prefix is the first 24 characters
/// of a GUID, ending in `-`).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GeneratedGroups {
    pub name: String,
    pub display_name_prefix: String,
    pub id_prefix: String,
    pub count: usize,
    #[serde(default)]
    pub kind: GroupKind,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AppRoleRef {
    /// Application name or appId.
    pub app: String,
    /// App role `value` (e.g. `Admin`).
    pub role: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub enum GroupKind {
    /// A security group (`securityEnabled`).
    #[default]
    Security,
    /// A Microsoft 365 group (`groupTypes: ["Unified"]`, mail-enabled, not security-enabled).
    Microsoft365,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Group {
    pub name: String,
    #[serde(default)]
    pub tenant: Option<String>,
    pub id: String,
    pub display_name: String,
    #[serde(default)]
    pub kind: GroupKind,
    #[serde(default)]
    pub mail: Option<String>,
    /// Nested member groups (names or IDs): their members are transitive
    /// members of this group.
    #[serde(default)]
    pub members: Vec<String>,
}

/// `signInAudience` (MAN2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
pub enum SignInAudience {
    #[default]
    AzureADMyOrg,
    AzureADMultipleOrgs,
    AzureADandPersonalMicrosoftAccount,
    PersonalMicrosoftAccount,
}

impl SignInAudience {
    pub fn as_str(self) -> &'static str {
        match self {
            SignInAudience::AzureADMyOrg => "AzureADMyOrg",
            SignInAudience::AzureADMultipleOrgs => "AzureADMultipleOrgs",
            SignInAudience::AzureADandPersonalMicrosoftAccount => {
                "AzureADandPersonalMicrosoftAccount"
            }
            SignInAudience::PersonalMicrosoftAccount => "PersonalMicrosoftAccount",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [
            SignInAudience::AzureADMyOrg,
            SignInAudience::AzureADMultipleOrgs,
            SignInAudience::AzureADandPersonalMicrosoftAccount,
            SignInAudience::PersonalMicrosoftAccount,
        ]
        .into_iter()
        .find(|a| a.as_str() == s)
    }
    /// Whether users from other tenants may sign in.
    pub fn is_multi_tenant(self) -> bool {
        self != SignInAudience::AzureADMyOrg
    }
}

/// An app registration, with the Microsoft Graph `application` property names.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Application {
    /// Stable handle, e.g. `grafana`, `grafana-misconfigured`.
    pub name: String,
    /// Which seed target this registration is for, if any
    /// (`keep`, `authentik`, `grafana`, `camunda`, `openmetadata`).
    #[serde(default)]
    pub target: Option<String>,
    /// What is deliberately wrong with it (for the misconfigured twins) or
    /// what it demonstrates. Shown to admins trying the sandbox.
    #[serde(default)]
    pub notes: Option<String>,
    #[serde(default)]
    pub tenant: Option<String>,
    pub app_id: String,
    pub object_id: String,
    pub display_name: String,
    #[serde(default)]
    pub sign_in_audience: SignInAudience,
    #[serde(default)]
    pub web: WebPlatform,
    #[serde(default)]
    pub spa: RedirectList,
    #[serde(default)]
    pub public_client: RedirectList,
    #[serde(default)]
    pub is_fallback_public_client: bool,
    #[serde(default)]
    pub password_credentials: Vec<PasswordCredential>,
    /// `None`, `SecurityGroup`, `DirectoryRole`, `ApplicationGroup`, `All`,
    /// or a comma list; absent = null (no groups).
    #[serde(default)]
    pub group_membership_claims: Option<String>,
    #[serde(default)]
    pub optional_claims: OptionalClaims,
    #[serde(default)]
    pub app_roles: Vec<AppRole>,
    #[serde(default)]
    pub identifier_uris: Vec<String>,
    #[serde(default)]
    pub api: Api,
    #[serde(default)]
    pub required_resource_access: Vec<RequiredResourceAccess>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WebPlatform {
    #[serde(default)]
    pub redirect_uris: Vec<String>,
    #[serde(default)]
    pub implicit_grant_settings: ImplicitGrantSettings,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ImplicitGrantSettings {
    #[serde(default)]
    pub enable_id_token_issuance: bool,
    #[serde(default)]
    pub enable_access_token_issuance: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RedirectList {
    #[serde(default)]
    pub redirect_uris: Vec<String>,
}

/// A client secret: the portal's "Secret ID" is `keyId`, its "Value" is `value`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PasswordCredential {
    pub key_id: String,
    #[serde(default)]
    pub display_name: Option<String>,
    /// The first characters of the value, as Graph shows them.
    pub hint: String,
    pub value: Secret,
    #[serde(default)]
    pub start_date_time: Option<String>,
    pub end_date_time: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OptionalClaims {
    #[serde(default)]
    pub id_token: Vec<OptionalClaim>,
    #[serde(default)]
    pub access_token: Vec<OptionalClaim>,
    #[serde(default)]
    pub saml2_token: Vec<OptionalClaim>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OptionalClaim {
    pub name: String,
    #[serde(default)]
    pub essential: bool,
    #[serde(default)]
    pub additional_properties: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AppRole {
    pub id: String,
    pub value: String,
    pub display_name: String,
    #[serde(default)]
    pub description: Option<String>,
    /// `User` and/or `Application`.
    pub allowed_member_types: Vec<String>,
    #[serde(default = "yes")]
    pub is_enabled: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Api {
    /// null/1 → v1 access tokens, 2 → v2 (docs/entra.md#token-versions-and-issuers).
    #[serde(default)]
    pub requested_access_token_version: Option<u8>,
    #[serde(default)]
    pub oauth2_permission_scopes: Vec<PermissionScope>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PermissionScope {
    pub id: String,
    pub value: String,
    /// `User` (users may consent) or `Admin` (admin consent required).
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub admin_consent_display_name: Option<String>,
    #[serde(default = "yes")]
    pub is_enabled: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RequiredResourceAccess {
    pub resource_app_id: String,
    pub resource_access: Vec<ResourceAccess>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ResourceAccess {
    pub id: String,
    /// `Scope` (delegated) or `Role` (application).
    #[serde(rename = "type")]
    pub kind: String,
}

/// The Enterprise application (service principal) of an app in a tenant.
/// Each app has one in its home tenant without saying so; list one here to
/// change its settings or to add it to another tenant.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ServicePrincipal {
    /// Application name or appId.
    pub app: String,
    #[serde(default)]
    pub tenant: Option<String>,
    /// Object ID; derived from the appId and tenant when absent.
    #[serde(default)]
    pub id: Option<String>,
    /// "Assignment required?" (Enterprise app → Properties).
    #[serde(default)]
    pub app_role_assignment_required: bool,
    #[serde(default = "yes")]
    pub account_enabled: bool,
    /// Enterprise app → Users and groups.
    #[serde(default)]
    pub assignments: Vec<Assignment>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Assignment {
    /// User or group name (or object ID).
    pub principal: String,
    /// App role value; absent = "Default Access".
    #[serde(default)]
    pub role: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
pub enum ConsentType {
    /// Admin consent for the whole tenant.
    #[default]
    AllPrincipals,
    /// One user's own consent.
    Principal,
}

/// A consent: delegated scopes (an `oauth2PermissionGrant`) and/or admin-
/// consented application permissions (app role assignments to the client).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConsentGrant {
    /// Client application name or appId.
    pub client: String,
    #[serde(default)]
    pub tenant: Option<String>,
    /// `microsoft-graph`, an application name, an appId or an identifier URI.
    pub resource: String,
    /// Delegated permissions, space-separated.
    #[serde(default)]
    pub scope: Option<String>,
    /// Application permissions (app role values), admin-consented.
    #[serde(default)]
    pub roles: Vec<String>,
    #[serde(default)]
    pub consent_type: ConsentType,
    /// The user, for `consentType = "Principal"`.
    #[serde(default)]
    pub principal: Option<String>,
}

/// Faults to start with; more can be set at run time.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FaultsConfig {
    /// Shifts the `Date` header and every time the sandbox writes.
    #[serde(default)]
    pub clock_offset_seconds: i64,
    #[serde(default)]
    pub rules: Vec<crate::faults::FaultRule>,
}

/// A scenario that cannot be used: where (line, field path) and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.describe())]
pub struct ScenarioError {
    /// 1-based line in the scenario file, when known.
    pub line: Option<usize>,
    /// The field path, e.g. `applications[2].web.redirectUris[0]`.
    pub field: String,
    pub message: String,
}

impl ScenarioError {
    fn describe(&self) -> String {
        let at = match (self.line, self.field.is_empty()) {
            (Some(l), false) => format!("line {l}, field `{}`", self.field),
            (Some(l), true) => format!("line {l}"),
            (None, false) => format!("field `{}`", self.field),
            (None, true) => "scenario".to_string(),
        };
        format!("{at}: {}", self.message)
    }
}

impl Scenario {
    /// The built-in scenario (`builtin.toml`).
    pub fn builtin() -> Scenario {
        match Scenario::from_toml(BUILTIN_TOML) {
            Ok(s) => s,
            // The unit test `builtin_scenario_is_valid` keeps this unreachable.
            Err(e) => panic!("the built-in scenario is invalid: {e}"),
        }
    }

    /// Parses and checks a scenario.
    pub fn from_toml(text: &str) -> Result<Scenario, ScenarioError> {
        let de = toml::Deserializer::parse(text).map_err(|e| ScenarioError {
            line: e.span().map(|s| line_of(text, s.start)),
            field: String::new(),
            message: first_line(e.message()),
        })?;
        let scenario: Scenario = serde_path_to_error::deserialize(de).map_err(|e| {
            let field = e.path().to_string();
            let field = if field == "." { String::new() } else { field };
            let inner = e.inner();
            let line = inner
                .span()
                .map(|s| line_of(text, s.start))
                .or_else(|| locate(text, &field));
            ScenarioError {
                line,
                field,
                message: first_line(inner.message()),
            }
        })?;
        scenario.check().map_err(|(field, message)| ScenarioError {
            line: locate(text, &field),
            field,
            message,
        })?;
        Ok(scenario)
    }

    /// The tenant a directory object belongs to (its `tenant`, else the first).
    pub fn tenant_of(&self, tenant: &Option<String>) -> Option<&Tenant> {
        match tenant {
            Some(t) => self.tenant(t),
            None => self.tenants.first(),
        }
    }

    /// A tenant by handle, ID or verified domain.
    pub fn tenant(&self, key: &str) -> Option<&Tenant> {
        self.tenants.iter().find(|t| {
            t.name == key
                || t.id.eq_ignore_ascii_case(key)
                || t.domains.iter().any(|d| d.eq_ignore_ascii_case(key))
        })
    }

    /// A user by handle, object ID or UPN.
    pub fn user(&self, key: &str) -> Option<&User> {
        self.users.iter().find(|u| {
            u.name == key
                || u.id.eq_ignore_ascii_case(key)
                || u.user_principal_name.eq_ignore_ascii_case(key)
        })
    }

    /// A group by handle or object ID (generated groups are not listed here;
    /// see `Sandbox::directory`).
    pub fn group(&self, key: &str) -> Option<&Group> {
        self.groups
            .iter()
            .find(|g| g.name == key || g.id.eq_ignore_ascii_case(key))
    }

    /// An app registration by handle or appId.
    pub fn app(&self, key: &str) -> Option<&Application> {
        self.applications
            .iter()
            .find(|a| a.name == key || a.app_id.eq_ignore_ascii_case(key))
    }

    /// The correctly registered app for a seed target, and its misconfigured twin.
    pub fn target_apps(&self, target: &str) -> Vec<&Application> {
        self.applications
            .iter()
            .filter(|a| a.target.as_deref() == Some(target))
            .collect()
    }

    /// Consistency checks after parsing. Errors carry the field path.
    fn check(&self) -> Result<(), (String, String)> {
        if self.tenants.is_empty() {
            return Err(("tenants".into(), "at least one tenant is required".into()));
        }
        let mut names = HashSet::new();
        let mut ids = HashSet::new();
        for (i, t) in self.tenants.iter().enumerate() {
            let p = format!("tenants[{i}]");
            unique(&mut names, &t.name, &format!("{p}.name"))?;
            guid(&t.id, &format!("{p}.id"))?;
            unique(&mut ids, &t.id.to_ascii_lowercase(), &format!("{p}.id"))?;
            if t.domains.is_empty() {
                return Err((
                    format!("{p}.domains"),
                    "a tenant needs at least one verified domain".into(),
                ));
            }
            for (j, d) in t.domains.iter().enumerate() {
                if !d.contains('.') || d.contains('/') || d.contains(' ') {
                    return Err((
                        format!("{p}.domains[{j}]"),
                        format!("`{d}` is not a domain name"),
                    ));
                }
            }
        }
        let tenant_ref = |t: &Option<String>, path: &str| -> Result<(), (String, String)> {
            match t {
                Some(t) if self.tenant(t).is_none() => Err((
                    path.to_string(),
                    format!(
                        "no tenant named `{t}` (tenants are referred to by `name`, ID or domain)"
                    ),
                )),
                _ => Ok(()),
            }
        };

        let mut group_keys: HashSet<String> = HashSet::new();
        for (i, g) in self.groups.iter().enumerate() {
            let p = format!("groups[{i}]");
            tenant_ref(&g.tenant, &format!("{p}.tenant"))?;
            unique(&mut names, &g.name, &format!("{p}.name"))?;
            guid(&g.id, &format!("{p}.id"))?;
            unique(&mut ids, &g.id.to_ascii_lowercase(), &format!("{p}.id"))?;
            group_keys.insert(g.name.clone());
            group_keys.insert(g.id.to_ascii_lowercase());
        }
        for (i, g) in self.groups.iter().enumerate() {
            for (j, m) in g.members.iter().enumerate() {
                if !group_keys.contains(m) && !group_keys.contains(&m.to_ascii_lowercase()) {
                    return Err((
                        format!("groups[{i}].members[{j}]"),
                        format!("no group named `{m}`"),
                    ));
                }
            }
        }

        for (i, a) in self.applications.iter().enumerate() {
            let p = format!("applications[{i}]");
            tenant_ref(&a.tenant, &format!("{p}.tenant"))?;
            unique(&mut names, &a.name, &format!("{p}.name"))?;
            guid(&a.app_id, &format!("{p}.appId"))?;
            unique(
                &mut ids,
                &a.app_id.to_ascii_lowercase(),
                &format!("{p}.appId"),
            )?;
            guid(&a.object_id, &format!("{p}.objectId"))?;
            unique(
                &mut ids,
                &a.object_id.to_ascii_lowercase(),
                &format!("{p}.objectId"),
            )?;
            check_app(a, &p)?;
        }

        for (i, u) in self.users.iter().enumerate() {
            let p = format!("users[{i}]");
            tenant_ref(&u.tenant, &format!("{p}.tenant"))?;
            unique(&mut names, &u.name, &format!("{p}.name"))?;
            guid(&u.id, &format!("{p}.id"))?;
            unique(&mut ids, &u.id.to_ascii_lowercase(), &format!("{p}.id"))?;
            if !u.user_principal_name.contains('@') {
                return Err((
                    format!("{p}.userPrincipalName"),
                    "a UPN looks like name@domain".into(),
                ));
            }
            for (j, g) in u.groups.iter().enumerate() {
                if !group_keys.contains(g) && !group_keys.contains(&g.to_ascii_lowercase()) {
                    return Err((format!("{p}.groups[{j}]"), format!("no group named `{g}`")));
                }
            }
            if let Some(gen) = &u.generated_groups {
                let prefix_ok = gen.id_prefix.len() == 24
                    && guid(&format!("{}000000000000", gen.id_prefix), "").is_ok();
                if !prefix_ok {
                    return Err((
                        format!("{p}.generatedGroups.idPrefix"),
                        "must be the first 24 characters of a GUID, e.g. `b0000000-0000-4000-8000-`"
                            .into(),
                    ));
                }
            }
            for (j, r) in u.app_role_assignments.iter().enumerate() {
                self.check_role_ref(
                    &r.app,
                    Some(&r.role),
                    &format!("{p}.appRoleAssignments[{j}]"),
                )?;
            }
            for (j, r) in u.directory_roles.iter().enumerate() {
                guid(r, &format!("{p}.directoryRoles[{j}]"))?;
            }
        }

        for (i, sp) in self.service_principals.iter().enumerate() {
            let p = format!("servicePrincipals[{i}]");
            tenant_ref(&sp.tenant, &format!("{p}.tenant"))?;
            if self.app(&sp.app).is_none() {
                return Err((
                    format!("{p}.app"),
                    format!("no application named `{}`", sp.app),
                ));
            }
            if let Some(id) = &sp.id {
                guid(id, &format!("{p}.id"))?;
            }
            for (j, a) in sp.assignments.iter().enumerate() {
                let q = format!("{p}.assignments[{j}]");
                if self.user(&a.principal).is_none()
                    && !group_keys.contains(&a.principal)
                    && !group_keys.contains(&a.principal.to_ascii_lowercase())
                {
                    return Err((
                        format!("{q}.principal"),
                        format!("no user or group named `{}`", a.principal),
                    ));
                }
                if let Some(role) = &a.role {
                    self.check_role_ref(&sp.app, Some(role), &q)?;
                }
            }
        }

        for (i, c) in self.consent_grants.iter().enumerate() {
            let p = format!("consentGrants[{i}]");
            tenant_ref(&c.tenant, &format!("{p}.tenant"))?;
            if self.app(&c.client).is_none() {
                return Err((
                    format!("{p}.client"),
                    format!("no application named `{}`", c.client),
                ));
            }
            let graph = crate::directory::is_graph_resource(&c.resource);
            let resource_app = self.applications.iter().find(|a| {
                a.name == c.resource
                    || a.app_id.eq_ignore_ascii_case(&c.resource)
                    || a.identifier_uris.iter().any(|u| u == &c.resource)
            });
            if !graph && resource_app.is_none() {
                return Err((
                    format!("{p}.resource"),
                    format!(
                        "`{}` is neither `microsoft-graph` nor an application",
                        c.resource
                    ),
                ));
            }
            if let Some(scope) = &c.scope {
                for s in scope.split_whitespace() {
                    let known = if graph {
                        crate::directory::graph_scope(s).is_some()
                            || crate::directory::OIDC_SCOPES.contains(&s)
                    } else {
                        resource_app.is_some_and(|a| {
                            a.api.oauth2_permission_scopes.iter().any(|x| x.value == s)
                        })
                    };
                    if !known {
                        return Err((
                            format!("{p}.scope"),
                            format!("`{s}` is not a delegated permission of `{}`", c.resource),
                        ));
                    }
                }
            }
            for (j, r) in c.roles.iter().enumerate() {
                let known = if graph {
                    crate::directory::graph_app_role(r).is_some()
                } else {
                    resource_app.is_some_and(|a| {
                        a.app_roles.iter().any(|x| {
                            x.value == *r
                                && x.allowed_member_types.iter().any(|m| m == "Application")
                        })
                    })
                };
                if !known {
                    return Err((
                        format!("{p}.roles[{j}]"),
                        format!("`{r}` is not an application permission of `{}`", c.resource),
                    ));
                }
            }
            match (c.consent_type, &c.principal) {
                (ConsentType::Principal, None) => {
                    return Err((
                        format!("{p}.principal"),
                        "consentType = \"Principal\" needs the consenting user".into(),
                    ))
                }
                (_, Some(u)) if self.user(u).is_none() => {
                    return Err((format!("{p}.principal"), format!("no user named `{u}`")))
                }
                _ => {}
            }
        }

        for (i, r) in self.faults.rules.iter().enumerate() {
            if let Some(s) = r.status {
                if !(100..=599).contains(&s) {
                    return Err((
                        format!("faults.rules[{i}].status"),
                        "an HTTP status is between 100 and 599".into(),
                    ));
                }
            }
        }
        Ok(())
    }

    fn check_role_ref(
        &self,
        app: &str,
        role: Option<&str>,
        path: &str,
    ) -> Result<(), (String, String)> {
        let Some(a) = self.app(app) else {
            return Err((
                format!("{path}.app"),
                format!("no application named `{app}`"),
            ));
        };
        if let Some(role) = role {
            if !a.app_roles.iter().any(|r| r.value == role) {
                return Err((
                    format!("{path}.role"),
                    format!("application `{}` defines no app role `{role}`", a.name),
                ));
            }
        }
        Ok(())
    }
}

/// Checks of one app registration that Entra itself enforces when you save it.
pub(crate) fn check_app(a: &Application, p: &str) -> Result<(), (String, String)> {
    let lists = [
        ("web.redirectUris", &a.web.redirect_uris),
        ("spa.redirectUris", &a.spa.redirect_uris),
        ("publicClient.redirectUris", &a.public_client.redirect_uris),
    ];
    for (field, uris) in lists {
        for (j, u) in uris.iter().enumerate() {
            if let Err(m) = crate::redirect::check_registrable(u) {
                return Err((format!("{p}.{field}[{j}]"), m));
            }
        }
    }
    for (j, c) in a.password_credentials.iter().enumerate() {
        guid(&c.key_id, &format!("{p}.passwordCredentials[{j}].keyId"))?;
        if parse_rfc3339(&c.end_date_time).is_none() {
            return Err((
                format!("{p}.passwordCredentials[{j}].endDateTime"),
                "expected an RFC 3339 date such as 2027-01-31T00:00:00Z".into(),
            ));
        }
    }
    if let Some(g) = &a.group_membership_claims {
        if let Err(m) = crate::tokens::GroupClaimFlags::parse(g) {
            return Err((format!("{p}.groupMembershipClaims"), m));
        }
    }
    // MAN2 `api.requestedAccessTokenVersion`: "Possible values … are 1, 2, or null".
    if let Some(v) = a.api.requested_access_token_version {
        if v != 1 && v != 2 {
            return Err((
                format!("{p}.api.requestedAccessTokenVersion"),
                "must be 1 or 2 (or absent, meaning null = 1)".into(),
            ));
        }
    }
    // docs/entra.md#token-versions-and-issuers: version 2 is required for AzureADandPersonalMicrosoftAccount.
    if a.sign_in_audience == SignInAudience::AzureADandPersonalMicrosoftAccount
        && a.api.requested_access_token_version != Some(2)
    {
        return Err((
            format!("{p}.api.requestedAccessTokenVersion"),
            "must be 2 when signInAudience is AzureADandPersonalMicrosoftAccount (docs/entra.md#token-versions-and-issuers)"
                .into(),
        ));
    }
    for (j, r) in a.app_roles.iter().enumerate() {
        guid(&r.id, &format!("{p}.appRoles[{j}].id"))?;
        for m in &r.allowed_member_types {
            if m != "User" && m != "Application" {
                return Err((
                    format!("{p}.appRoles[{j}].allowedMemberTypes"),
                    format!("`{m}`: allowed member types are User and Application"),
                ));
            }
        }
    }
    for (j, s) in a.api.oauth2_permission_scopes.iter().enumerate() {
        guid(&s.id, &format!("{p}.api.oauth2PermissionScopes[{j}].id"))?;
        if s.kind != "User" && s.kind != "Admin" {
            return Err((
                format!("{p}.api.oauth2PermissionScopes[{j}].type"),
                "`type` is User or Admin".into(),
            ));
        }
    }
    for (j, r) in a.required_resource_access.iter().enumerate() {
        guid(
            &r.resource_app_id,
            &format!("{p}.requiredResourceAccess[{j}].resourceAppId"),
        )?;
        for (k, ra) in r.resource_access.iter().enumerate() {
            guid(
                &ra.id,
                &format!("{p}.requiredResourceAccess[{j}].resourceAccess[{k}].id"),
            )?;
            if ra.kind != "Scope" && ra.kind != "Role" {
                return Err((
                    format!("{p}.requiredResourceAccess[{j}].resourceAccess[{k}].type"),
                    "`type` is Scope (delegated) or Role (application)".into(),
                ));
            }
        }
    }
    Ok(())
}

fn unique(seen: &mut HashSet<String>, key: &str, path: &str) -> Result<(), (String, String)> {
    if seen.insert(key.to_string()) {
        Ok(())
    } else {
        Err((
            path.to_string(),
            format!("`{key}` is used twice in this scenario"),
        ))
    }
}

/// Checks the 8-4-4-4-12 hexadecimal GUID form.
pub(crate) fn guid(s: &str, path: &str) -> Result<(), (String, String)> {
    if is_guid(s) {
        Ok(())
    } else {
        Err((
            path.to_string(),
            format!("`{s}` is not a GUID such as 00000000-0000-0000-0000-000000000000"),
        ))
    }
}

/// Whether `s` has the GUID form `8-4-4-4-12` hex digits.
pub fn is_guid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() == 5
        && parts
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(p, n)| p.len() == n && p.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or(s).trim().to_string()
}

fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Finds the line of a field path such as `applications[2].web.redirectUris[0]`
/// in the TOML text; falls back to the nearest existing parent.
fn locate(text: &str, path: &str) -> Option<usize> {
    let root = DeTable::parse(text).ok()?;
    let mut segments = Vec::new();
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let (key, mut rest) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if !key.is_empty() {
            segments.push(Segment::Key(key.to_string()));
        }
        while let Some(close) = rest.find(']') {
            if let Ok(n) = rest[1..close].parse() {
                segments.push(Segment::Index(n));
            }
            rest = &rest[close + 1..];
        }
    }
    let mut best = None;
    let mut current: Option<&DeValue<'_>> = None;
    let mut table = Some(root.get_ref());
    for seg in segments {
        let next = match (&seg, table, current) {
            (Segment::Key(k), Some(t), _) => {
                t.iter().find(|(key, _)| key.get_ref() == k).map(|(_, v)| v)
            }
            (Segment::Index(i), _, Some(DeValue::Array(a))) => a.get(*i),
            _ => None,
        };
        let Some(next) = next else { break };
        best = Some(next.span().start);
        current = Some(next.get_ref());
        table = match next.get_ref() {
            DeValue::Table(t) => Some(t),
            _ => None,
        };
    }
    best.map(|o| line_of(text, o))
}

enum Segment {
    Key(String),
    Index(usize),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_scenario_is_valid() {
        let s = Scenario::from_toml(BUILTIN_TOML).expect("builtin.toml parses and checks");
        assert!(!s.tenants.is_empty());
    }

    #[test]
    fn a_syntax_error_names_its_line() {
        let text = "[[tenants]]\nname = \"t\"\nid = \n";
        let e = Scenario::from_toml(text).unwrap_err();
        assert_eq!(e.line, Some(3), "{e}");
    }

    #[test]
    fn a_missing_field_names_the_table_and_the_field() {
        let text = "[[tenants]]\nname = \"t\"\nid = \"00000000-0000-4000-8000-000000000001\"\ndisplayName = \"T\"\n";
        let e = Scenario::from_toml(text).unwrap_err();
        assert!(e.message.contains("domains"), "{e}");
        assert_eq!(e.field, "tenants[0]", "{e}");
        // The table's header line: where the missing key belongs.
        assert_eq!(e.line, Some(1), "{e}");
    }

    #[test]
    fn an_unknown_field_is_rejected_with_its_line() {
        let text = "[[tenants]]\nname = \"t\"\nid = \"00000000-0000-4000-8000-000000000001\"\ndisplayName = \"T\"\ndomains = [\"t.example\"]\nregion = \"EU\"\n";
        let e = Scenario::from_toml(text).unwrap_err();
        assert!(e.message.contains("unknown field `region`"), "{e}");
        assert_eq!(e.line, Some(6), "{e}");
    }

    #[test]
    fn a_bad_reference_names_the_line_and_field() {
        let text = "[[tenants]]\nname = \"t\"\nid = \"00000000-0000-4000-8000-000000000001\"\ndisplayName = \"T\"\ndomains = [\"t.example\"]\n\n[[users]]\nname = \"u\"\nid = \"00000000-0000-4000-8000-000000000003\"\nuserPrincipalName = \"u@t.example\"\ndisplayName = \"U\"\npassword = \"p\"\ngroups = [\"nope\"]\n";
        let e = Scenario::from_toml(text).unwrap_err();
        assert_eq!(e.field, "users[0].groups[0]");
        assert_eq!(e.line, Some(13), "{e}");
        assert!(
            e.to_string()
                .starts_with("line 13, field `users[0].groups[0]`"),
            "{e}"
        );
    }

    #[test]
    fn an_http_redirect_uri_off_localhost_is_refused_like_the_portal_does() {
        let text = "[[tenants]]\nname = \"t\"\nid = \"00000000-0000-4000-8000-000000000001\"\ndisplayName = \"T\"\ndomains = [\"t.example\"]\n\n[[applications]]\nname = \"a\"\nappId = \"00000000-0000-4000-8000-000000000002\"\nobjectId = \"00000000-0000-4000-8000-000000000004\"\ndisplayName = \"A\"\nweb = { redirectUris = [\"http://grafana.example/login\"] }\n";
        let e = Scenario::from_toml(text).unwrap_err();
        assert_eq!(e.field, "applications[0].web.redirectUris[0]");
        assert_eq!(e.line, Some(12), "{e}");
    }

    #[test]
    fn secrets_never_print() {
        let s = Scenario::builtin();
        let dump = format!("{s:?}");
        for u in &s.users {
            assert!(!dump.contains(u.password.expose()), "{} leaked", u.name);
        }
        assert!(dump.contains("<redacted>"));
    }
}
