//! Target products: what each self-hosted product needs from an Entra app
//! registration, the portal steps to get there, the product's own
//! configuration, and what the product will do with a given token.
//!
//! ```text
//! TargetInputs ──Target::requirements──▶ Requirements ──portal::steps──▶ [Step]
//!      │        └─Target::configuration──▶ Configuration (env / ini / yaml / fields)
//!      └── + Inspection ──verdict()──▶ Verdict (works / degraded / fails, with reasons)
//! ```
//!
//! One product is one file implementing [`Target`] plus one line in
//! [`all`]. Product-specific inputs (Grafana's role mapping, Keep's group IDs,
//! the Camunda component…) are declared by the product as [`Field`]s and
//! carried in [`TargetInputs::settings`], so the shared types never grow a
//! field per product. Every value a product encodes cites its source: a seed
//! page (`docs/products/grafana.md#what-it-needs-from-entra`) or a heading of `docs/entra.md`.

pub mod authentik;
pub mod camunda;
mod checks;
mod config;
pub mod generic_oidc;
pub mod grafana;
pub mod keep;
pub mod openmetadata;
pub mod portal;
mod verdict;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use checks::{
    check_base_url, check_client_id, check_group_ids, check_inputs, check_secret_value,
    check_tenant, FieldMessage, MessageLevel,
};
pub use config::{ConfigBlock, ConfigEntry, ConfigFormat, Configuration};
pub use portal::{steps, Step, StepKind};
pub use verdict::{
    verdict, verdict_on, verdicts, CheckStatus, Outcome, TokenSet, Verdict, VerdictCheck,
};

use crate::inspect::TargetNeeds;
use crate::secrets::SecretString;

/// Every target product Entrance knows, in the order the app lists them.
/// Adding a product: one file in this folder and one line here.
pub fn all() -> &'static [&'static dyn Target] {
    &[
        &keep::Keep,
        &authentik::Authentik,
        &grafana::Grafana,
        &camunda::Camunda,
        &openmetadata::OpenMetadata,
        &generic_oidc::GenericOidc,
    ]
}

/// The target named `name` (case-insensitive), if Entrance knows it.
pub fn by_name(name: &str) -> Option<&'static dyn Target> {
    all()
        .iter()
        .copied()
        .find(|t| t.info().name.eq_ignore_ascii_case(name.trim()))
}

/// The names of all targets, for help texts and error messages.
pub fn names() -> Vec<&'static str> {
    all().iter().map(|t| t.info().name).collect()
}

/// [`by_name`], or an input error listing the known targets.
pub fn require(name: &str) -> crate::Result<&'static dyn Target> {
    by_name(name).ok_or_else(|| crate::Error::InvalidInput {
        field: "target".into(),
        reason: format!("`{name}` is not a target Entrance knows"),
        fix: Some(format!("Use one of: {}.", names().join(", "))),
    })
}

/// One self-hosted product.
pub trait Target: Send + Sync {
    /// Name, display name and source.
    fn info(&self) -> TargetInfo;
    /// The product-specific inputs (keys of [`TargetInputs::settings`]).
    fn fields(&self) -> Vec<Field> {
        Vec::new()
    }
    /// The client type when the admin did not choose one.
    fn default_client_type(&self) -> ClientType {
        ClientType::Confidential
    }
    /// What the app registration must look like for these inputs.
    fn requirements(&self, inputs: &TargetInputs) -> Requirements;
    /// The product's own configuration. `secret` is the client secret's
    /// Value when the admin asked to reveal it; otherwise a placeholder names
    /// where the Value is kept.
    fn configuration(&self, inputs: &TargetInputs, secret: Option<&SecretString>) -> Configuration;
    /// What the product requires of a token (the inspector's findings).
    fn needs(&self, inputs: &TargetInputs) -> TargetNeeds;
    /// What the product will do with these tokens.
    fn verdict(&self, tokens: &TokenSet<'_>, inputs: &TargetInputs) -> Vec<VerdictCheck>;
    /// Product-specific checks of the inputs (beyond base URL, tenant, client ID).
    fn check(&self, _inputs: &TargetInputs) -> Vec<FieldMessage> {
        Vec::new()
    }
    /// Steps the product itself needs after the portal (e.g. authentik's
    /// source form). Shown last.
    fn product_steps(&self, _inputs: &TargetInputs) -> Vec<Step> {
        Vec::new()
    }
}

/// Who a target is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
pub struct TargetInfo {
    /// The stable name used on the command line (`grafana`).
    pub name: &'static str,
    /// The product's name as its vendor writes it.
    pub display_name: &'static str,
    /// One line: what is being set up.
    pub summary: &'static str,
    /// Where its facts come from (`docs/products/grafana.md#what-it-needs-from-entra`).
    pub source: &'static str,
}

/// The Azure cloud the tenant lives in (docs/entra.md#national-clouds): one type for
/// sign-in, targets and diagnostics.
pub use crate::login::Cloud;

/// Who may sign in (the registration's Supported account types).
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type,
)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// Accounts in this organizational directory only (`AzureADMyOrg`).
    #[default]
    SingleTenant,
    /// Accounts in any organizational directory (`AzureADMultipleOrgs`).
    MultiTenant,
}

impl Audience {
    /// The Graph `signInAudience` value.
    pub fn sign_in_audience(self) -> &'static str {
        match self {
            Audience::SingleTenant => "AzureADMyOrg",
            Audience::MultiTenant => "AzureADMultipleOrgs",
        }
    }
    /// The portal's wording.
    pub fn portal_label(self) -> &'static str {
        match self {
            Audience::SingleTenant => {
                "Accounts in this organizational directory only (Single tenant)"
            }
            Audience::MultiTenant => "Accounts in any organizational directory (Multitenant)",
        }
    }
}

/// Whether the product keeps a client secret (docs/entra.md#redirect-uris).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ClientType {
    /// A server that redeems codes with a client secret (Web platform).
    Confidential,
    /// A browser or native app without a secret (SPA or Mobile & desktop).
    Public,
}

/// What the admin told Entrance about the product. Everything but the base
/// URL is optional: steps and configuration use placeholders for what is
/// missing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct TargetInputs {
    /// The product's public URL (`https://grafana.example.com`).
    pub base_url: String,
    /// The Directory (tenant) ID or a verified domain.
    #[serde(default)]
    pub tenant: Option<String>,
    /// The Application (client) ID, once the app is registered.
    #[serde(default)]
    pub client_id: Option<String>,
    /// The cloud the tenant lives in.
    #[serde(default)]
    pub cloud: Cloud,
    /// Single or multi-tenant.
    #[serde(default)]
    pub audience: Audience,
    /// Confidential or public; `None` = the product's default.
    #[serde(default)]
    pub client_type: Option<ClientType>,
    /// The keychain name of the client secret (for the placeholder).
    #[serde(default)]
    pub secret_name: Option<String>,
    /// Product-specific inputs, keyed by [`Field::key`]. Lists are comma- or
    /// space-separated.
    #[serde(default)]
    pub settings: BTreeMap<String, String>,
}

impl TargetInputs {
    /// Inputs with only a base URL.
    pub fn new(base_url: impl Into<String>) -> Self {
        TargetInputs {
            base_url: base_url.into(),
            ..TargetInputs::default()
        }
    }

    /// Sets one product-specific input (builder style).
    pub fn with(mut self, key: &str, value: impl Into<String>) -> Self {
        self.settings.insert(key.to_string(), value.into());
        self
    }

    /// The base URL without trailing slashes.
    pub fn base(&self) -> String {
        self.base_url.trim().trim_end_matches('/').to_string()
    }

    /// A setting, trimmed; `None` when absent or empty.
    pub fn setting(&self, key: &str) -> Option<&str> {
        self.settings
            .get(key)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
    }

    /// A list setting (comma- or space-separated).
    pub fn list(&self, key: &str) -> Vec<String> {
        self.setting(key)
            .map(|v| {
                v.split([',', ' ', '\n', ';'])
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// A yes/no setting; `default` when absent.
    pub fn flag(&self, key: &str, default: bool) -> bool {
        match self.setting(key).map(str::to_ascii_lowercase).as_deref() {
            Some("true" | "yes" | "1" | "on") => true,
            Some("false" | "no" | "0" | "off") => false,
            _ => default,
        }
    }

    /// The client type in effect for `target`.
    pub fn client_type_for(&self, target: &dyn Target) -> ClientType {
        self.client_type
            .unwrap_or_else(|| target.default_client_type())
    }

    /// The client ID, or the placeholder the portal's wording names.
    pub fn client_id_or_placeholder(&self) -> String {
        self.client_id
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_string)
            .unwrap_or_else(|| "<Application (client) ID>".into())
    }

    /// The tenant, or `organizations`/`common` for multi-tenant apps, or the
    /// placeholder.
    pub fn tenant_or_placeholder(&self) -> String {
        match self
            .tenant
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            Some(t) => t.to_string(),
            None => "<Directory (tenant) ID>".into(),
        }
    }

    /// The tenant segment of the authority: the tenant for single-tenant
    /// apps, `common` for multi-tenant ones (docs/products/authentik.md#what-it-needs-from-entra).
    pub fn authority_tenant(&self) -> String {
        match self.audience {
            Audience::SingleTenant => self.tenant_or_placeholder(),
            Audience::MultiTenant => "common".into(),
        }
    }

    /// `https://{authority host}/{tenant}` for the chosen cloud.
    pub fn authority(&self) -> String {
        format!(
            "https://{}/{}",
            self.cloud.authority_host(),
            self.authority_tenant()
        )
    }
}

/// One product-specific input the UI renders and the CLI accepts as
/// `--set key=value`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct Field {
    /// Key in [`TargetInputs::settings`].
    pub key: &'static str,
    /// The label the admin reads.
    pub label: &'static str,
    /// What kind of value.
    pub kind: FieldKind,
    /// The product's default, when it has one.
    pub default: Option<&'static str>,
    /// One line of help.
    pub help: &'static str,
    /// Where the fact comes from.
    pub source: &'static str,
}

/// The kind of a [`Field`], for the form and for the checks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FieldKind {
    /// Free text.
    Text,
    /// One group object ID.
    GroupId,
    /// Group object IDs, comma-separated.
    GroupIds,
    /// Tenant IDs, comma-separated.
    TenantIds,
    /// Yes or no.
    Flag,
    /// One of the listed values.
    Choice {
        /// The values allowed.
        options: Vec<&'static str>,
    },
}

/// A redirect URI and the platform it must be registered under (docs/entra.md#redirect-uris).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct RedirectRequirement {
    /// The exact URI (case, path and trailing slash matter, docs/entra.md#errors 50011).
    pub uri: String,
    /// The platform in Authentication → Add a platform.
    pub platform: Platform,
    /// Why, when there is more to say.
    pub note: Option<String>,
    /// Where the fact comes from.
    pub source: &'static str,
}

/// The Authentication page's platforms (docs/entra.md#redirect-uris).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type)]
// `login::Platform` (the sign-in's view, with `mobile_and_desktop`) is
// exported to TypeScript as `Platform` already.
#[serde(rename_all = "snake_case", rename = "RegistrationPlatform")]
pub enum Platform {
    /// Web (confidential, secret).
    Web,
    /// Single-page application (PKCE, cross-origin redemption, no secret).
    Spa,
    /// Mobile and desktop applications (public client).
    MobileDesktop,
}

impl Platform {
    /// The portal's wording.
    pub fn portal_label(self) -> &'static str {
        match self {
            Platform::Web => "Web",
            Platform::Spa => "Single-page application",
            Platform::MobileDesktop => "Mobile and desktop applications",
        }
    }
}

/// The groups claim (Token configuration → Add groups claim, docs/entra.md#groups-overage).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct GroupsClaimRequirement {
    /// The manifest's `groupMembershipClaims` value.
    pub membership: &'static str,
    /// The portal's check boxes.
    pub portal_choices: Vec<&'static str>,
    /// The portal's claim value format ("Group ID").
    pub format: &'static str,
    /// Which tokens must carry it ("ID", "Access").
    pub tokens: Vec<&'static str>,
    /// Where the fact comes from.
    pub source: &'static str,
}

/// An app role (App roles → Create app role).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct AppRoleRequirement {
    /// The `value` (what `roles` carries).
    pub value: &'static str,
    /// The display name.
    pub display_name: &'static str,
    /// The description.
    pub description: &'static str,
    /// Where the fact comes from.
    pub source: &'static str,
}

/// Expose an API: an Application ID URI and a scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct ExposedScopeRequirement {
    /// The Application ID URI (`api://{clientId}`).
    pub identifier_uri: String,
    /// The scope name (`default`).
    pub scope: &'static str,
    /// Where the fact comes from.
    pub source: &'static str,
}

/// Delegated or application permission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum PermissionKind {
    /// Delegated permissions (on behalf of the signed-in user).
    Delegated,
    /// Application permissions (app-only).
    Application,
}

/// A Microsoft Graph permission (API permissions → Add a permission).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct ApiPermission {
    /// The permission's name (`GroupMember.Read.All`).
    pub name: &'static str,
    /// Its ID (docs/entra.md#azure-cli-and-graph-equivalents).
    pub id: &'static str,
    /// Delegated or application.
    pub kind: PermissionKind,
    /// Whether only an admin can consent to it.
    pub admin_consent: bool,
    /// Why the product needs it.
    pub why: &'static str,
    /// Where the fact comes from.
    pub source: &'static str,
}

/// An optional claim (Token configuration → Add optional claim).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct OptionalClaimRequirement {
    /// `ID` or `Access`.
    pub token: &'static str,
    /// The claim name.
    pub claim: &'static str,
    /// Where the fact comes from.
    pub source: &'static str,
}

/// What the app registration must look like.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct Requirements {
    /// The name to register under.
    pub display_name: String,
    /// Supported account types.
    pub audience: Audience,
    /// Redirect URIs with their platform.
    pub redirects: Vec<RedirectRequirement>,
    /// Whether a client secret is needed (copy the **Value**).
    pub secret: bool,
    /// The groups claim, when the product reads groups from the token.
    pub groups_claim: Option<GroupsClaimRequirement>,
    /// App roles to create.
    pub app_roles: Vec<AppRoleRequirement>,
    /// A scope to expose.
    pub exposed_scope: Option<ExposedScopeRequirement>,
    /// Microsoft Graph permissions.
    pub api_permissions: Vec<ApiPermission>,
    /// Whether an admin must grant consent for the tenant.
    pub admin_consent: bool,
    /// Optional claims to add.
    pub optional_claims: Vec<OptionalClaimRequirement>,
    /// `api.requestedAccessTokenVersion` to set, when the product needs one.
    pub access_token_version: Option<u8>,
    /// Assign users or groups in Enterprise applications → Users and groups.
    pub assign_users: bool,
    /// ID tokens from the authorization endpoint (Authentication → "ID tokens
    /// (used for implicit and hybrid flows)"): the product asks for
    /// `response_type` with `id_token` (docs/entra.md#errors 700054).
    pub implicit_id_token: bool,
    /// Notes the admin must read (with their sources).
    pub notes: Vec<String>,
}

impl Requirements {
    /// A registration with only a name and the audience; products fill the rest.
    pub fn new(display_name: impl Into<String>, audience: Audience) -> Self {
        Requirements {
            display_name: display_name.into(),
            audience,
            redirects: Vec::new(),
            secret: false,
            groups_claim: None,
            app_roles: Vec::new(),
            exposed_scope: None,
            api_permissions: Vec::new(),
            admin_consent: false,
            optional_claims: Vec::new(),
            access_token_version: None,
            assign_users: false,
            implicit_id_token: false,
            notes: Vec::new(),
        }
    }
}

/// Microsoft Graph delegated permissions (IDs from docs/entra.md#azure-cli-and-graph-equivalents).
pub mod graph_permissions {
    use super::{ApiPermission, PermissionKind};

    /// Microsoft Graph's application ID: the `resourceAppId` of its
    /// permissions in `requiredResourceAccess` (docs/entra.md#azure-cli-and-graph-equivalents).
    pub const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";

    const fn delegated(
        name: &'static str,
        id: &'static str,
        admin_consent: bool,
        why: &'static str,
    ) -> ApiPermission {
        ApiPermission {
            name,
            id,
            kind: PermissionKind::Delegated,
            admin_consent,
            why,
            source: "docs/entra.md#azure-cli-and-graph-equivalents",
        }
    }

    /// `openid`.
    pub const OPENID: ApiPermission = delegated(
        "openid",
        "37f7f235-527c-4136-accd-4a02d197296e",
        false,
        "sign users in",
    );
    /// `profile`.
    pub const PROFILE: ApiPermission = delegated(
        "profile",
        "14dad69e-099b-42c9-810b-d002981feec1",
        false,
        "receive name and tenant claims",
    );
    /// `email`.
    pub const EMAIL: ApiPermission = delegated(
        "email",
        "64a6cdd6-aab1-4aaf-94b8-3cc8405e90d0",
        false,
        "receive the email claim",
    );
    /// `offline_access`.
    pub const OFFLINE_ACCESS: ApiPermission = delegated(
        "offline_access",
        "7427e0e9-2fba-42fe-b0c0-848c9e6a8182",
        false,
        "get refresh tokens",
    );
    /// `User.Read`.
    pub const USER_READ: ApiPermission = delegated(
        "User.Read",
        "e1fe6dd8-ba31-4d61-89e7-88639da4683d",
        false,
        "read the signed-in user's profile (/me)",
    );
    /// `GroupMember.Read.All` (admin consent).
    pub const GROUP_MEMBER_READ_ALL: ApiPermission = delegated(
        "GroupMember.Read.All",
        "bc024368-1153-4739-b217-4326f2e966d0",
        true,
        "read group memberships (overage, group sync)",
    );
}

/// The client-secret placeholder written into configuration when the Value
/// is not revealed.
pub fn secret_placeholder(inputs: &TargetInputs, target: &str) -> String {
    let name = inputs
        .secret_name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .unwrap_or(target);
    format!("<client secret Value from the keychain: {name}>")
}

/// The client secret as it goes into configuration: the Value when revealed,
/// else [`secret_placeholder`].
pub fn secret_text(inputs: &TargetInputs, target: &str, secret: Option<&SecretString>) -> String {
    use secrecy::ExposeSecret;
    match secret {
        Some(s) => s.expose_secret().to_string(),
        None => secret_placeholder(inputs, target),
    }
}

#[cfg(test)]
mod tests;
