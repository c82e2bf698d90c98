//! The registration audit: the product's [`Requirements`] (from its target
//! profile) against what is in the tenant ([`Snapshot`]). One function per
//! check, one registry ([`CHECKS`]). Each check reports its findings — a
//! stable code, the portal blade with its deep link, and the exact Graph
//! request that repairs it — and applies its repair to the draft of the
//! registration, from which [`super::plan`] builds the plan. Repairs only
//! add or correct what the product needs; they never remove another
//! product's redirect URIs, roles, scopes or permissions.

use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use serde_json::{json, Value};

use super::graph::GraphRequest;
use super::model::{AppRole, Application, PermissionScope, RequiredResourceAccess, ResourceAccess};
use super::snapshot::Snapshot;
use super::token::{WRITE_APPLICATIONS, WRITE_ASSIGNMENTS, WRITE_GRANTS};
use crate::findings::{Finding, FindingCode, Severity};
use crate::targets::graph_permissions::GRAPH_APP_ID;
use crate::targets::portal::{admin_consent_link, blade_link, enterprise_app_link, Blade};
use crate::targets::{
    Audience, Cloud, PermissionKind, Platform, Requirements, Target, TargetInputs,
};

/// A secret within this many days of its end date is "expiring".
pub const EXPIRING_DAYS: i64 = 30;
/// A new secret's lifetime: the portal recommends less than 12 months (application-addpassword; docs/graph.md#changing-a-registration).
pub const NEW_SECRET_DAYS: i64 = 365;
/// Default Access: the app role ID of an assignment when no role is chosen
/// (serviceprincipal-post-approleassignedto; docs/graph.md#changing-a-registration).
pub const DEFAULT_ACCESS: &str = "00000000-0000-0000-0000-000000000000";

/// Where the admin sees it in the portal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PortalLink {
    /// The portal's words: "App registrations → Authentication".
    pub location: String,
    pub url: String,
}

/// One thing wrong with the registration, and how to repair it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegistrationFinding {
    pub code: FindingCode,
    pub severity: Severity,
    pub message: String,
    pub fix: Option<String>,
    pub portal: PortalLink,
    /// The Graph requests that repair it (empty when only the product's
    /// configuration or the admin can).
    pub requests: Vec<GraphRequest>,
}

impl RegistrationFinding {
    /// The plain finding (code, severity, message, fix).
    pub fn finding(&self) -> Finding {
        Finding {
            code: self.code,
            severity: self.severity,
            message: self.message.clone(),
            fix: self.fix.clone(),
        }
    }
}

/// What the audit compares against, beyond the snapshot.
pub struct AuditInput<'a> {
    pub target: &'a dyn Target,
    /// The product's inputs; `client_id` names the registration.
    pub inputs: &'a TargetInputs,
    /// Now, Unix seconds.
    pub now: i64,
    /// The client secret the product uses (from the keychain), to match its hint.
    pub secret: Option<&'a SecretString>,
    /// The keychain name a new secret goes to; without it no secret is added.
    pub secret_name: Option<&'a str>,
    /// A user or group object ID to assign when assignment is required.
    pub assignee: Option<&'a str>,
    /// The tenant segment of the authority the product uses (`common`,
    /// `organizations` or a tenant); default: the inputs' authority.
    pub product_tenant: Option<&'a str>,
    /// Microsoft Graph's root, for the requests.
    pub graph_root: &'a str,
}

/// Non-PATCH steps a repair needs, in order after the PATCH of the application.
#[derive(Debug, Clone, Default)]
pub struct Draft {
    /// The registration as it will be.
    pub app: Application,
    /// Service principal creation, consent, assignment, new secret.
    pub steps: Vec<GraphRequest>,
    /// What the repair cannot do, and why.
    pub notes: Vec<String>,
    /// The service principal's ID, or `{sp.id}` once its creation is planned.
    sp_id: Option<String>,
    password_planned: bool,
}

/// What the checks look at.
pub struct Ctx<'a> {
    pub input: &'a AuditInput<'a>,
    pub req: Requirements,
    pub snapshot: &'a Snapshot,
    pub before: &'a Application,
    pub product: &'static str,
}

impl Ctx<'_> {
    fn cloud(&self) -> Cloud {
        self.input.inputs.cloud
    }
    fn tenant(&self) -> Option<&str> {
        self.input
            .inputs
            .tenant
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
    }
    fn blade(&self, blade: Blade, location: &str) -> PortalLink {
        PortalLink {
            location: format!(
                "App registrations → {} → {location}",
                self.before.display_name
            ),
            url: blade_link(
                self.cloud(),
                self.tenant(),
                Some(&self.before.app_id),
                blade,
            ),
        }
    }
    fn enterprise(&self) -> PortalLink {
        PortalLink {
            location: format!(
                "Enterprise applications → {} → Users and groups",
                self.before.display_name
            ),
            url: enterprise_app_link(self.cloud(), self.tenant(), Some(&self.before.app_id)),
        }
    }
    fn url(&self, path: &str) -> String {
        format!("{}/v1.0{path}", self.input.graph_root.trim_end_matches('/'))
    }
    /// `PATCH /applications/{id}` with these properties as they are in the draft.
    fn patch(&self, draft: &Draft, props: &[&str], summary: String) -> GraphRequest {
        let mut body = serde_json::Map::new();
        for p in props {
            body.insert((*p).to_string(), draft.app.property(p));
        }
        GraphRequest {
            method: "PATCH",
            url: self.url(&format!("/applications/{}", self.before.id)),
            body: Some(Value::Object(body)),
            summary,
            permission: WRITE_APPLICATIONS,
        }
    }
}

impl Draft {
    /// The service principal's ID, planning its creation when it is missing.
    fn sp_id(&mut self, ctx: &Ctx<'_>) -> String {
        if let Some(id) = &self.sp_id {
            return id.clone();
        }
        self.steps.push(GraphRequest {
            method: "POST",
            url: ctx.url("/servicePrincipals"),
            body: Some(json!({"appId": ctx.before.app_id})),
            summary: "Create the Enterprise application (service principal)".into(),
            permission: WRITE_APPLICATIONS,
        });
        self.sp_id = Some("{sp.id}".into());
        "{sp.id}".into()
    }
}

fn finding(
    code: FindingCode,
    severity: Severity,
    message: String,
    fix: String,
    portal: PortalLink,
    requests: Vec<GraphRequest>,
) -> RegistrationFinding {
    RegistrationFinding {
        code,
        severity,
        message,
        fix: Some(fix),
        portal,
        requests,
    }
}

/// One check: inspects the draft, reports, repairs the draft.
pub type Check = fn(&Ctx<'_>, &mut Draft) -> Vec<RegistrationFinding>;

/// Every check, in the order the portal's blades come.
pub const CHECKS: &[(&str, Check)] = &[
    ("sign-in audience", sign_in_audience),
    ("redirect URIs", redirects),
    ("ID token issuance", id_token_issuance),
    ("app roles", app_roles),
    ("groups claim", groups_claim),
    ("groups claim format", groups_format),
    ("access token version", token_version),
    ("Application ID URI", identifier_uri),
    ("exposed scope", exposed_scope),
    ("API permissions", permissions),
    ("admin consent", consent),
    ("assignment", assignment),
    ("client secret", secrets),
];

/// The audit of one registration: its findings and the repaired draft.
pub fn audit(snapshot: &Snapshot, input: &AuditInput<'_>) -> (Vec<RegistrationFinding>, Draft) {
    let info = input.target.info();
    let Some(before) = &snapshot.app else {
        let app_id = input.inputs.client_id.as_deref().unwrap_or_default();
        let f = finding(
            FindingCode::RegistrationNotFound,
            Severity::Error,
            format!("No app registration has the Application (client) ID {app_id} in this tenant (AADSTS700016 at sign-in)."),
            format!("Check the client ID and the tenant, or create the registration: `entrance registration create --target {}`.", info.name),
            PortalLink {
                location: "App registrations → New registration".into(),
                url: blade_link(input.inputs.cloud, input.inputs.tenant.as_deref(), None, Blade::Overview),
            },
            Vec::new(),
        );
        return (vec![f], Draft::default());
    };
    let mut inputs = input.inputs.clone();
    inputs.client_id = Some(before.app_id.clone());
    let ctx = Ctx {
        input,
        req: input.target.requirements(&inputs),
        snapshot,
        before,
        product: info.display_name,
    };
    let mut draft = Draft {
        app: before.clone(),
        sp_id: snapshot.sp.as_ref().map(|sp| sp.id.clone()),
        ..Draft::default()
    };
    let mut out = Vec::new();
    for (_, check) in CHECKS {
        out.extend(check(&ctx, &mut draft));
    }
    (out, draft)
}

fn platform_property(p: Platform) -> &'static str {
    match p {
        Platform::Web => "web",
        Platform::Spa => "spa",
        Platform::MobileDesktop => "publicClient",
    }
}

fn list_mut(app: &mut Application, p: Platform) -> &mut Vec<String> {
    match p {
        Platform::Web => &mut app.web.redirect_uris,
        Platform::Spa => &mut app.spa.redirect_uris,
        Platform::MobileDesktop => &mut app.public_client.redirect_uris,
    }
}

const PLATFORMS: [Platform; 3] = [Platform::Web, Platform::Spa, Platform::MobileDesktop];

/// Every redirect URI the product sends, exactly, under its platform (AADSTS50011; Web / SPA / Mobile and desktop redeem differently).
fn redirects(ctx: &Ctx<'_>, d: &mut Draft) -> Vec<RegistrationFinding> {
    let mut out = Vec::new();
    for r in &ctx.req.redirects {
        if list_mut(&mut d.app, r.platform).contains(&r.uri) {
            continue;
        }
        let portal = ctx.blade(Blade::Authentication, "Authentication");
        let wrong: Vec<Platform> = PLATFORMS
            .iter()
            .copied()
            .filter(|p| *p != r.platform && list_mut(&mut d.app, *p).contains(&r.uri))
            .collect();
        list_mut(&mut d.app, r.platform).push(r.uri.clone());
        let mut props = vec![platform_property(r.platform)];
        if !wrong.is_empty() {
            for p in &wrong {
                list_mut(&mut d.app, *p).retain(|u| u != &r.uri);
                props.push(platform_property(*p));
            }
            let from = wrong
                .iter()
                .map(|p| p.portal_label())
                .collect::<Vec<_>>()
                .join(" and ");
            let to = r.platform.portal_label();
            let request = ctx.patch(d, &props, format!("Move {} from {from} to {to}", r.uri));
            out.push(finding(
                FindingCode::RegistrationRedirectWrongPlatform,
                Severity::Error,
                format!("{} is registered under {from}, but {} redeems its code as {to}: the token request fails (AADSTS9002327 for a server redeeming an SPA code, 7000218 or 9002326 for a browser redeeming a Web code).", r.uri, ctx.product),
                format!("Authentication: remove {} from {from} and add it under {to}.", r.uri),
                portal,
                vec![request],
            ));
            continue;
        }
        let near: Vec<String> = PLATFORMS
            .iter()
            .flat_map(|p| list_mut(&mut d.app, *p).clone())
            .filter(|u| {
                u != &r.uri
                    && u.trim_end_matches('/')
                        .eq_ignore_ascii_case(r.uri.trim_end_matches('/'))
            })
            .collect();
        let request = ctx.patch(
            d,
            &props,
            format!("Add {} under {}", r.uri, r.platform.portal_label()),
        );
        let nearly = if near.is_empty() {
            String::new()
        } else {
            format!(" ({} is registered, but Entra compares redirect URIs exactly: case, path and trailing slash)", near.join(", "))
        };
        out.push(finding(
            FindingCode::RegistrationRedirectMissing,
            Severity::Error,
            format!("{} sends the redirect URI {}, which is not registered{nearly}: sign-in stops at AADSTS50011.", ctx.product, r.uri),
            format!("Authentication → {} → Add URI: {}", r.platform.portal_label(), r.uri),
            portal,
            vec![request],
        ));
    }
    out
}

/// ID tokens from the authorization endpoint, when the product asks for them (AADSTS700054).
fn id_token_issuance(ctx: &Ctx<'_>, d: &mut Draft) -> Vec<RegistrationFinding> {
    if !ctx.req.implicit_id_token || d.app.web.implicit_grant_settings.enable_id_token_issuance {
        return Vec::new();
    }
    d.app.web.implicit_grant_settings.enable_id_token_issuance = true;
    let request = ctx.patch(
        d,
        &["web"],
        "Enable ID tokens (implicit and hybrid flows)".into(),
    );
    vec![finding(
        FindingCode::RegistrationIdTokenIssuance,
        Severity::Error,
        format!("{} asks the authorization endpoint for an ID token, but ID token issuance is off: AADSTS700054.", ctx.product),
        "Authentication → Implicit grant and hybrid flows: tick \"ID tokens\".".into(),
        ctx.blade(Blade::Authentication, "Authentication"),
        vec![request],
    )]
}

/// App roles with the exact values the product matches.
fn app_roles(ctx: &Ctx<'_>, d: &mut Draft) -> Vec<RegistrationFinding> {
    let mut out = Vec::new();
    for want in &ctx.req.app_roles {
        let portal = ctx.blade(Blade::AppRoles, "App roles");
        if let Some(r) = d.app.app_roles.iter_mut().find(|r| r.value == want.value) {
            let user = r.allowed_member_types.iter().any(|m| m == "User");
            if r.is_enabled && user {
                continue;
            }
            r.is_enabled = true;
            if !user {
                r.allowed_member_types.push("User".into());
            }
            let request = ctx.patch(
                d,
                &["appRoles"],
                format!("Enable the app role {} for users and groups", want.value),
            );
            out.push(finding(
                FindingCode::RegistrationAppRoleValue,
                Severity::Error,
                format!("The app role {} is disabled or not assignable to users and groups, so no user token carries it.", want.value),
                format!("App roles → {}: allowed member types \"Users/Groups\", \"Do you want to enable this app role?\" ticked.", want.value),
                portal,
                vec![request],
            ));
            continue;
        }
        if let Some(r) = d
            .app
            .app_roles
            .iter_mut()
            .find(|r| r.value.trim().eq_ignore_ascii_case(want.value))
        {
            let was = r.value.clone();
            r.value = want.value.to_string();
            let request = ctx.patch(
                d,
                &["appRoles"],
                format!("Set the app role value {was:?} to {}", want.value),
            );
            out.push(finding(
                FindingCode::RegistrationAppRoleValue,
                Severity::Warning,
                format!(
                    "The app role value is {was:?}; {} matches {:?} ({}).",
                    ctx.product, want.value, want.source
                ),
                format!("App roles → {was}: set Value to {}.", want.value),
                portal,
                vec![request],
            ));
            continue;
        }
        let mut extra = serde_json::Map::new();
        extra.insert("description".into(), json!(want.description));
        d.app.app_roles.push(AppRole {
            id: uuid::Uuid::new_v4().to_string(),
            value: want.value.to_string(),
            display_name: want.display_name.to_string(),
            is_enabled: true,
            allowed_member_types: vec!["User".into()],
            extra,
        });
        let request = ctx.patch(
            d,
            &["appRoles"],
            format!("Create the app role {}", want.value),
        );
        out.push(finding(
            FindingCode::RegistrationAppRoleMissing,
            Severity::Error,
            format!("The app role {} is not defined: {} cannot map users to it ({}).", want.value, ctx.product, want.source),
            format!("App roles → Create app role: display name {}, allowed member types Users/Groups, value {}.", want.display_name, want.value),
            portal,
            vec![request],
        ));
    }
    out
}

fn claim_flags(v: Option<&str>) -> Vec<String> {
    v.unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|f| !f.is_empty() && !f.eq_ignore_ascii_case("None"))
        .map(str::to_string)
        .collect()
}

/// `groupMembershipClaims` covers what the product reads (docs/graph.md#objects).
fn groups_claim(ctx: &Ctx<'_>, d: &mut Draft) -> Vec<RegistrationFinding> {
    let Some(g) = &ctx.req.groups_claim else {
        return Vec::new();
    };
    let mut have = claim_flags(d.app.group_membership_claims.as_deref());
    let all = have.iter().any(|f| f.eq_ignore_ascii_case("All"));
    let missing: Vec<String> = claim_flags(Some(g.membership))
        .into_iter()
        .filter(|f| {
            !have.iter().any(|h| h.eq_ignore_ascii_case(f))
                && !(all && (f == "SecurityGroup" || f == "DirectoryRole"))
        })
        .collect();
    if missing.is_empty() {
        return Vec::new();
    }
    have.extend(missing.iter().cloned());
    d.app.group_membership_claims = Some(have.join(", "));
    let request = ctx.patch(
        d,
        &["groupMembershipClaims"],
        format!("Emit the groups claim ({})", g.portal_choices.join(" + ")),
    );
    vec![finding(
        FindingCode::RegistrationGroupsClaimMissing,
        Severity::Error,
        format!(
            "{} reads the groups claim, but groupMembershipClaims is {} (missing {}): tokens carry no groups.",
            ctx.product,
            ctx.before.group_membership_claims.as_deref().map(|v| format!("{v:?}")).unwrap_or_else(|| "null".into()),
            missing.join(", ")
        ),
        format!(
            "Token configuration → Add groups claim: {}, format {}, in the {} token(s).",
            g.portal_choices.join(" + "),
            g.format,
            g.tokens.join(" and ")
        ),
        ctx.blade(Blade::TokenConfiguration, "Token configuration"),
        vec![request],
    )]
}

/// `optionalClaims.*.groups.additionalProperties` that change the groups
/// claim away from object IDs: names (`sam_account_name`…, `cloud_displayname`)
/// or `emit_as_roles`, which moves groups into `roles` and hides app roles.
const GROUP_FORMATS: &[&str] = &[
    "sam_account_name",
    "dns_domain_and_sam_account_name",
    "netbios_domain_and_sam_account_name",
    "cloud_displayname",
    "emit_as_roles",
];

/// The groups claim carries object IDs when the product matches them ("Group ID").
fn groups_format(ctx: &Ctx<'_>, d: &mut Draft) -> Vec<RegistrationFinding> {
    let Some(g) = &ctx.req.groups_claim else {
        return Vec::new();
    };
    if g.format != "Group ID" {
        return Vec::new();
    }
    let Some(Value::Object(claims)) = d.app.optional_claims.as_mut() else {
        return Vec::new();
    };
    let mut changed = Vec::new();
    for (token, list) in claims.iter_mut() {
        for c in list.as_array_mut().into_iter().flatten() {
            if c["name"] != "groups" {
                continue;
            }
            if let Some(props) = c
                .get_mut("additionalProperties")
                .and_then(Value::as_array_mut)
            {
                let before = props.len();
                let removed: Vec<String> = props
                    .iter()
                    .filter_map(Value::as_str)
                    .filter(|p| GROUP_FORMATS.contains(p))
                    .map(str::to_string)
                    .collect();
                props.retain(|p| p.as_str().is_none_or(|p| !GROUP_FORMATS.contains(&p)));
                if props.len() != before {
                    changed.push(format!("{token}: {}", removed.join(", ")));
                }
            }
        }
    }
    if changed.is_empty() {
        return Vec::new();
    }
    let request = ctx.patch(
        d,
        &["optionalClaims"],
        "Emit groups as object IDs (Group ID)".into(),
    );
    vec![finding(
        FindingCode::RegistrationGroupsClaimMissing,
        Severity::Error,
        format!(
            "The groups claim is configured with {} — {} matches group object IDs, so no group matches (emit_as_roles also hides the app roles).",
            changed.join("; "),
            ctx.product
        ),
        "Token configuration → groups → Edit: format Group ID, without \"Emit groups as role claims\".".into(),
        ctx.blade(Blade::TokenConfiguration, "Token configuration"),
        vec![request],
    )]
}

/// `api.requestedAccessTokenVersion` (null means v1 access tokens).
fn token_version(ctx: &Ctx<'_>, d: &mut Draft) -> Vec<RegistrationFinding> {
    let Some(want) = ctx.req.access_token_version else {
        return Vec::new();
    };
    let have = d.app.api.requested_access_token_version.unwrap_or(1);
    if have == want {
        return Vec::new();
    }
    d.app.api.requested_access_token_version = Some(want);
    let request = ctx.patch(
        d,
        &["api"],
        format!("Set requestedAccessTokenVersion to {want}"),
    );
    vec![finding(
        FindingCode::RegistrationTokenVersion,
        Severity::Error,
        format!(
            "requestedAccessTokenVersion is {}, so access tokens are v{have} (issuer sts.windows.net); {} needs v{want} tokens (issuer …/v2.0).",
            ctx.before.api.requested_access_token_version.map(|v| v.to_string()).unwrap_or_else(|| "null".into()),
            ctx.product
        ),
        format!("Manifest: set \"requestedAccessTokenVersion\": {want} (under \"api\")."),
        ctx.blade(Blade::Manifest, "Manifest"),
        vec![request],
    )]
}

fn wanted_identifier_uri(ctx: &Ctx<'_>) -> Option<String> {
    let e = ctx.req.exposed_scope.as_ref()?;
    Some(
        e.identifier_uri
            .replace("<Application (client) ID>", &ctx.before.app_id),
    )
}

/// The Application ID URI the product's scope names.
fn identifier_uri(ctx: &Ctx<'_>, d: &mut Draft) -> Vec<RegistrationFinding> {
    let Some(uri) = wanted_identifier_uri(ctx) else {
        return Vec::new();
    };
    if d.app
        .identifier_uris
        .iter()
        .any(|u| u.trim_end_matches('/') == uri)
    {
        return Vec::new();
    }
    d.app.identifier_uris.push(uri.clone());
    let request = ctx.patch(
        d,
        &["identifierUris"],
        format!("Set the Application ID URI {uri}"),
    );
    vec![finding(
        FindingCode::RegistrationIdentifierUriMissing,
        Severity::Error,
        format!("The Application ID URI {uri} is not set: {}'s scope {uri}/… cannot be requested (AADSTS500011).", ctx.product),
        format!("Expose an API → Application ID URI → Add: {uri}"),
        ctx.blade(Blade::ProtectAnApi, "Expose an API"),
        vec![request],
    )]
}

/// The scope the product requests, exposed and enabled.
fn exposed_scope(ctx: &Ctx<'_>, d: &mut Draft) -> Vec<RegistrationFinding> {
    let (Some(e), Some(uri)) = (&ctx.req.exposed_scope, wanted_identifier_uri(ctx)) else {
        return Vec::new();
    };
    if let Some(s) = d
        .app
        .api
        .oauth2_permission_scopes
        .iter_mut()
        .find(|s| s.value == e.scope)
    {
        if s.is_enabled {
            return Vec::new();
        }
        s.is_enabled = true;
    } else {
        let mut extra = serde_json::Map::new();
        extra.insert(
            "adminConsentDisplayName".into(),
            json!(format!("Access {}", ctx.product)),
        );
        extra.insert(
            "adminConsentDescription".into(),
            json!(format!(
                "Lets {} sign users in and call its API.",
                ctx.product
            )),
        );
        extra.insert(
            "userConsentDisplayName".into(),
            json!(format!("Access {}", ctx.product)),
        );
        extra.insert(
            "userConsentDescription".into(),
            json!(format!(
                "Lets {} sign you in and call its API.",
                ctx.product
            )),
        );
        d.app.api.oauth2_permission_scopes.push(PermissionScope {
            id: uuid::Uuid::new_v4().to_string(),
            value: e.scope.to_string(),
            is_enabled: true,
            kind: "User".into(),
            extra,
        });
    }
    let request = ctx.patch(d, &["api"], format!("Expose the scope {}", e.scope));
    vec![finding(
        FindingCode::RegistrationScopeMissing,
        Severity::Error,
        format!("{} requests {uri}/{}, which the registration does not expose (enabled): AADSTS70011 ({}).", ctx.product, e.scope, e.source),
        format!("Expose an API → Add a scope: name {}, who can consent Admins and users, state Enabled.", e.scope),
        ctx.blade(Blade::ProtectAnApi, "Expose an API"),
        vec![request],
    )]
}

fn graph_entry(app: &mut Application) -> &mut RequiredResourceAccess {
    if let Some(i) = app
        .required_resource_access
        .iter()
        .position(|r| r.resource_app_id.eq_ignore_ascii_case(GRAPH_APP_ID))
    {
        return &mut app.required_resource_access[i];
    }
    app.required_resource_access.push(RequiredResourceAccess {
        resource_app_id: GRAPH_APP_ID.into(),
        resource_access: Vec::new(),
    });
    let last = app.required_resource_access.len() - 1;
    &mut app.required_resource_access[last]
}

fn kind_of(k: PermissionKind) -> &'static str {
    match k {
        PermissionKind::Delegated => "Scope",
        PermissionKind::Application => "Role",
    }
}

/// The Microsoft Graph permissions the product needs, requested (API permissions).
fn permissions(ctx: &Ctx<'_>, d: &mut Draft) -> Vec<RegistrationFinding> {
    let mut out = Vec::new();
    for p in &ctx.req.api_permissions {
        let kind = kind_of(p.kind);
        let present = d.app.required_resource_access.iter().any(|r| {
            r.resource_app_id.eq_ignore_ascii_case(GRAPH_APP_ID)
                && r.resource_access
                    .iter()
                    .any(|a| a.id.eq_ignore_ascii_case(p.id) && a.kind == kind)
        });
        if present {
            continue;
        }
        graph_entry(&mut d.app)
            .resource_access
            .push(ResourceAccess {
                id: p.id.to_string(),
                kind: kind.to_string(),
            });
        let label = match p.kind {
            PermissionKind::Delegated => "Delegated",
            PermissionKind::Application => "Application",
        };
        let request = ctx.patch(
            d,
            &["requiredResourceAccess"],
            format!("Request Microsoft Graph {} ({label})", p.name),
        );
        // The same permission of the other kind (an Application permission
        // where the product needs a Delegated one, or the reverse), by
        // Graph's own catalog.
        let other_kind = ctx.snapshot.graph_sp.as_ref().is_some_and(|g| {
            let other_ids: Vec<&str> = match p.kind {
                PermissionKind::Delegated => g
                    .app_roles
                    .iter()
                    .filter(|r| r.value == p.name)
                    .map(|r| r.id.as_str())
                    .collect(),
                PermissionKind::Application => g
                    .oauth2_permission_scopes
                    .iter()
                    .filter(|s| s.value == p.name)
                    .map(|s| s.id.as_str())
                    .collect(),
            };
            ctx.before.required_resource_access.iter().any(|r| {
                r.resource_app_id.eq_ignore_ascii_case(GRAPH_APP_ID)
                    && r.resource_access.iter().any(|a| {
                        a.kind != kind && other_ids.iter().any(|o| o.eq_ignore_ascii_case(&a.id))
                    })
            })
        });
        let also = if other_kind {
            format!(
                " It is requested as {} permission instead, which {} does not use.",
                if p.kind == PermissionKind::Delegated {
                    "an Application"
                } else {
                    "a Delegated"
                },
                ctx.product
            )
        } else {
            String::new()
        };
        out.push(finding(
            FindingCode::RegistrationPermissionMissing,
            Severity::Error,
            format!("{} needs the Microsoft Graph permission {} ({label}) to {}, and the registration does not request it.{also}", ctx.product, p.name, p.why),
            format!("API permissions → Add a permission → Microsoft Graph → {label} permissions → {}.", p.name),
            ctx.blade(Blade::CallAnApi, "API permissions"),
            vec![request],
        ));
    }
    out
}

/// Tenant-wide (admin) consent for the delegated permissions that need it.
fn consent(ctx: &Ctx<'_>, d: &mut Draft) -> Vec<RegistrationFinding> {
    let needed: Vec<&str> = ctx
        .req
        .api_permissions
        .iter()
        .filter(|p| {
            p.kind == PermissionKind::Delegated && (p.admin_consent || ctx.req.admin_consent)
        })
        .map(|p| p.name)
        .collect();
    if needed.is_empty() {
        return Vec::new();
    }
    let portal = PortalLink {
        location: format!(
            "App registrations → {} → API permissions → Grant admin consent",
            ctx.before.display_name
        ),
        url: match ctx.tenant() {
            Some(t) => admin_consent_link(ctx.cloud(), t, &ctx.before.app_id),
            None => blade_link(
                ctx.cloud(),
                None,
                Some(&ctx.before.app_id),
                Blade::CallAnApi,
            ),
        },
    };
    let Some(graph_sp) = &ctx.snapshot.graph_sp else {
        d.notes.push(
            "Microsoft Graph's service principal could not be read, so consent cannot be checked."
                .into(),
        );
        return Vec::new();
    };
    let grant = ctx.snapshot.grants.iter().find(|g| {
        g.consent_type == "AllPrincipals" && g.resource_id.eq_ignore_ascii_case(&graph_sp.id)
    });
    let granted: Vec<&str> = grant.map(|g| g.scopes()).unwrap_or_default();
    let missing: Vec<&str> = needed
        .iter()
        .copied()
        .filter(|n| !granted.iter().any(|g| g.eq_ignore_ascii_case(n)))
        .collect();
    if missing.is_empty() {
        return Vec::new();
    }
    let request = match grant {
        Some(g) => {
            let mut scopes: Vec<String> = g.scopes().iter().map(|s| s.to_string()).collect();
            scopes.extend(missing.iter().map(|s| s.to_string()));
            GraphRequest {
                method: "PATCH",
                url: ctx.url(&format!("/oauth2PermissionGrants/{}", g.id)),
                body: Some(json!({"scope": scopes.join(" ")})),
                summary: format!("Grant admin consent for {}", missing.join(", ")),
                permission: WRITE_GRANTS,
            }
        }
        None => {
            let sp = d.sp_id(ctx);
            GraphRequest {
                method: "POST",
                url: ctx.url("/oauth2PermissionGrants"),
                body: Some(json!({
                    "clientId": sp,
                    "consentType": "AllPrincipals",
                    "resourceId": graph_sp.id,
                    "scope": needed.join(" "),
                })),
                summary: format!("Grant admin consent for {}", needed.join(", ")),
                permission: WRITE_GRANTS,
            }
        }
    };
    d.steps.push(request.clone());
    vec![finding(
        FindingCode::RegistrationConsentMissing,
        Severity::Error,
        format!("Admin consent for {} has not been granted: users see a consent prompt they cannot accept (AADSTS65001 / 90094).", missing.join(", ")),
        "API permissions → \"Grant admin consent for <tenant>\" (a Privileged Role Administrator, Cloud Application Administrator or Application Administrator can).".into(),
        portal,
        vec![request],
    )]
}

/// The supported account types against the authority the product signs in at (AADSTS50194).
fn sign_in_audience(ctx: &Ctx<'_>, d: &mut Draft) -> Vec<RegistrationFinding> {
    let segment = ctx
        .input
        .product_tenant
        .map(str::to_string)
        .unwrap_or_else(|| ctx.input.inputs.authority_tenant());
    let shared =
        segment.eq_ignore_ascii_case("common") || segment.eq_ignore_ascii_case("organizations");
    let single = d.app.sign_in_audience.is_empty() || d.app.sign_in_audience == "AzureADMyOrg";
    let wants_multi = ctx.req.audience == Audience::MultiTenant;
    if !single || !(shared || wants_multi) {
        return Vec::new();
    }
    let portal = ctx.blade(
        Blade::Authentication,
        "Authentication → Supported account types",
    );
    let (requests, fix) = if wants_multi {
        d.app.sign_in_audience = Audience::MultiTenant.sign_in_audience().into();
        (
            vec![ctx.patch(
                d,
                &["signInAudience"],
                "Allow accounts in any organizational directory (multitenant)".into(),
            )],
            format!(
                "Authentication → Supported account types: {}.",
                Audience::MultiTenant.portal_label()
            ),
        )
    } else {
        d.notes.push(format!(
            "{} must sign in at its tenant, not /{segment}: change its configuration.",
            ctx.product
        ));
        (
            Vec::new(),
            format!("Configure {} with the tenant's authority (…/{}/…) instead of /{segment}; or, if it must serve several tenants, make the registration multitenant.", ctx.product, ctx.tenant().unwrap_or("<tenant ID>")),
        )
    };
    vec![finding(
        FindingCode::RegistrationSignInAudience,
        Severity::Error,
        format!("The registration is single-tenant (AzureADMyOrg), but {} signs in at /{segment}: AADSTS50194.", ctx.product),
        fix,
        portal,
        requests,
    )]
}

/// Assignment required with nobody assigned: every sign-in is AADSTS50105.
fn assignment(ctx: &Ctx<'_>, d: &mut Draft) -> Vec<RegistrationFinding> {
    let Some(sp) = &ctx.snapshot.sp else {
        return Vec::new();
    };
    if !sp.app_role_assignment_required || !ctx.snapshot.assignments.is_empty() {
        return Vec::new();
    }
    let mut requests = Vec::new();
    match ctx.input.assignee {
        Some(principal) => {
            let role = ctx
                .req
                .app_roles
                .first()
                .and_then(|want| d.app.app_roles.iter().find(|r| r.value == want.value))
                .map(|r| r.id.clone())
                .unwrap_or_else(|| DEFAULT_ACCESS.into());
            let r = GraphRequest {
                method: "POST",
                url: ctx.url(&format!("/servicePrincipals/{}/appRoleAssignedTo", sp.id)),
                body: Some(
                    json!({"principalId": principal, "resourceId": sp.id, "appRoleId": role}),
                ),
                summary: format!("Assign {principal} to the app"),
                permission: WRITE_ASSIGNMENTS,
            };
            d.steps.push(r.clone());
            requests.push(r);
        }
        None => d.notes.push(
            "Nobody is assigned and no user or group was named: pass --assign <object ID>.".into(),
        ),
    }
    vec![finding(
        FindingCode::RegistrationAssignmentNone,
        Severity::Error,
        "\"Assignment required?\" is Yes and nobody is assigned: every sign-in ends with AADSTS50105.".into(),
        "Enterprise applications → Users and groups → Add user/group. Only direct members of an assigned group may sign in; nested groups do not count.".into(),
        ctx.enterprise(),
        requests,
    )]
}

fn end_of(c: &super::model::PasswordCredential) -> Option<i64> {
    let t = c.end_date_time.as_deref()?;
    time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339)
        .ok()
        .map(|t| t.unix_timestamp())
}

fn date_of(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .map(|t| t.date().to_string())
        .unwrap_or_else(|_| unix.to_string())
}

/// The addPassword step; the new Value goes to the keychain.
fn add_password(ctx: &Ctx<'_>, d: &mut Draft) -> Vec<GraphRequest> {
    let end = date_of(ctx.input.now + NEW_SECRET_DAYS * 86_400);
    let r = GraphRequest {
        method: "POST",
        url: ctx.url(&format!("/applications/{}/addPassword", ctx.before.id)),
        body: Some(
            json!({"passwordCredential": {"displayName": "Entrance", "endDateTime": format!("{end}T00:00:00Z")}}),
        ),
        summary: match ctx.input.secret_name {
            Some(n) => {
                format!("Add a client secret (until {end}); its Value goes to the keychain as {n}")
            }
            None => format!("Add a client secret (until {end})"),
        },
        permission: WRITE_APPLICATIONS,
    };
    if !d.password_planned {
        d.password_planned = true;
        match ctx.input.secret_name {
            Some(_) => d.steps.push(r.clone()),
            None => d.notes.push("A new client secret is added only with a keychain name for its Value (--secret-name).".into()),
        }
    }
    vec![r]
}

/// Client secrets: expired, expiring, or the saved Value matching none (AADSTS7000215, AADSTS7000222).
fn secrets(ctx: &Ctx<'_>, d: &mut Draft) -> Vec<RegistrationFinding> {
    if !ctx.req.secret {
        return Vec::new();
    }
    let now = ctx.input.now;
    let portal = ctx.blade(Blade::Credentials, "Certificates & secrets");
    let creds = &ctx.before.password_credentials;
    let mut out = Vec::new();
    let mut relevant = None;
    if let Some(value) = ctx.input.secret {
        let v = value.expose_secret();
        let head: String = v.chars().take(3).collect();
        match creds
            .iter()
            .find(|c| c.hint.as_deref() == Some(head.as_str()))
        {
            Some(c) => relevant = Some(c),
            None => {
                let is_id = creds
                    .iter()
                    .any(|c| c.key_id.eq_ignore_ascii_case(v.trim()));
                let message = if is_id {
                    "The saved secret is the Secret ID, not the Value: the token request fails with AADSTS7000215.".to_string()
                } else {
                    format!("The saved secret starts with none of the registration's secret hints ({}): it is from another app or was deleted (AADSTS7000215).",
                        creds.iter().filter_map(|c| c.hint.clone()).collect::<Vec<_>>().join(", "))
                };
                let requests = add_password(ctx, d);
                out.push(finding(
                    FindingCode::RegistrationSecretHintMismatch,
                    Severity::Error,
                    message,
                    "Certificates & secrets → New client secret, and copy its Value (not the Secret ID) into the keychain.".into(),
                    portal.clone(),
                    requests,
                ));
                return out;
            }
        }
    }
    let relevant = relevant.or_else(|| creds.iter().max_by_key(|c| end_of(c).unwrap_or(i64::MIN)));
    let Some(c) = relevant else {
        let requests = add_password(ctx, d);
        out.push(finding(
            FindingCode::RegistrationSecretExpired,
            Severity::Error,
            format!(
                "{} signs in with a client secret, and the registration has none.",
                ctx.product
            ),
            "Certificates & secrets → New client secret, and copy its Value.".into(),
            portal,
            requests,
        ));
        return out;
    };
    let Some(end) = end_of(c) else {
        return out;
    };
    let name = c
        .display_name
        .clone()
        .or_else(|| c.hint.clone())
        .unwrap_or_else(|| c.key_id.clone());
    if end <= now {
        let requests = add_password(ctx, d);
        out.push(finding(
            FindingCode::RegistrationSecretExpired,
            Severity::Error,
            format!("The client secret {name:?} expired on {}: token requests fail with AADSTS7000222.", date_of(end)),
            "Certificates & secrets → New client secret; put its Value into the product and the keychain, then delete the expired one.".into(),
            portal,
            requests,
        ));
    } else if end - now <= EXPIRING_DAYS * 86_400 {
        let requests = add_password(ctx, d);
        out.push(finding(
            FindingCode::RegistrationSecretExpiring,
            Severity::Warning,
            format!("The client secret {name:?} expires on {}, within {EXPIRING_DAYS} days.", date_of(end)),
            "Certificates & secrets → New client secret before then; put its Value into the product and the keychain.".into(),
            portal,
            requests,
        ));
    }
    out
}
