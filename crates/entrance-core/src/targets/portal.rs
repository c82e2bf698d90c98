//! The portal steps, deep links and `az` / Microsoft Graph equivalents built
//! from a target's [`Requirements`].
//!
//! Deep links follow the portal's observed conventions (docs/entra.md#portal-deep-links, not a
//! contract) on the cloud's portal host (docs/entra.md#national-clouds). Before the app exists (no
//! client ID), each link goes to the New registration blade. Commands follow
//! docs/entra.md#azure-cli-and-graph-equivalents: `az ad app update --web-redirect-uris` replaces the whole list, there
//! is no `--spa-redirect-uris` (a Graph PATCH through `az rest` instead), and
//! `az ad app credential reset` needs `--append` to keep existing secrets.

use serde::Serialize;

use super::{Audience, Cloud, PermissionKind, Platform, Requirements, Target, TargetInputs};

/// What a step does, for icons and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    /// App registrations → New registration.
    Register,
    /// Authentication → Add a platform.
    RedirectUris,
    /// Certificates & secrets → New client secret.
    ClientSecret,
    /// Token configuration → Add groups claim.
    GroupsClaim,
    /// Token configuration → Add optional claim.
    OptionalClaims,
    /// Expose an API.
    ExposeApi,
    /// App roles → Create app role.
    AppRoles,
    /// API permissions → Add a permission.
    ApiPermissions,
    /// API permissions → Grant admin consent.
    AdminConsent,
    /// Manifest → `requestedAccessTokenVersion`.
    TokenVersion,
    /// Enterprise applications → Users and groups.
    AssignUsers,
    /// Something done in the product itself.
    Product,
}

/// One step of the setup, in the portal's own words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct Step {
    /// What the step does.
    pub kind: StepKind,
    /// The step's title.
    pub title: String,
    /// Where in the portal ("App registrations → {app} → Authentication").
    pub portal_path: String,
    /// What to click and type, in order.
    pub actions: Vec<String>,
    /// A deep link to the blade (the New registration blade before the app exists).
    pub link: Option<String>,
    /// The `az` / Graph equivalent, one command per line.
    pub commands: Vec<String>,
    /// Where the facts come from.
    pub source: String,
}

/// The portal blades of an app registration (docs/entra.md#portal-deep-links).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Blade {
    /// Overview.
    Overview,
    /// Authentication.
    Authentication,
    /// Certificates & secrets.
    Credentials,
    /// Token configuration.
    TokenConfiguration,
    /// API permissions.
    CallAnApi,
    /// Expose an API.
    ProtectAnApi,
    /// App roles.
    AppRoles,
    /// Manifest.
    Manifest,
}

impl Blade {
    fn segment(self) -> &'static str {
        match self {
            Blade::Overview => "Overview",
            Blade::Authentication => "Authentication",
            Blade::Credentials => "Credentials",
            Blade::TokenConfiguration => "TokenConfiguration",
            Blade::CallAnApi => "CallAnAPI",
            Blade::ProtectAnApi => "ProtectAnAPI",
            Blade::AppRoles => "AppRoles",
            Blade::Manifest => "Manifest",
        }
    }
}

fn known_tenant(inputs: &TargetInputs) -> Option<String> {
    inputs
        .tenant
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
}

fn known_client_id(inputs: &TargetInputs) -> Option<String> {
    inputs
        .client_id
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_string)
}

/// `https://{portal}/#view/` or, with a tenant, `https://{portal}/#@{tenant}/view/` (docs/entra.md#portal-deep-links).
fn view_base(cloud: Cloud, tenant: Option<&str>) -> String {
    match tenant {
        Some(t) => format!("https://{}/#@{}/view/", cloud.portal_host(), t),
        None => format!("https://{}/#view/", cloud.portal_host()),
    }
}

/// The New registration blade (observed portal URL, docs/entra.md#portal-deep-links conventions).
pub fn new_registration_link(cloud: Cloud, tenant: Option<&str>) -> String {
    format!(
        "{}Microsoft_AAD_RegisteredApps/CreateApplicationBlade/quickStartType~/null/isMSAApp~/false",
        view_base(cloud, tenant)
    )
}

/// A blade of the app registration `app_id`, or the New registration blade
/// when the app does not exist yet (docs/entra.md#portal-deep-links).
pub fn blade_link(
    cloud: Cloud,
    tenant: Option<&str>,
    app_id: Option<&str>,
    blade: Blade,
) -> String {
    match app_id {
        Some(app) => format!(
            "{}Microsoft_AAD_RegisteredApps/ApplicationMenuBlade/~/{}/appId/{}",
            view_base(cloud, tenant),
            blade.segment(),
            app
        ),
        None => new_registration_link(cloud, tenant),
    }
}

/// Enterprise applications → Users and groups, found by app ID (the service
/// principal's object ID is not known offline, so the link opens the
/// Enterprise applications list filtered by the app; docs/entra.md#portal-deep-links).
pub fn enterprise_app_link(cloud: Cloud, tenant: Option<&str>, app_id: Option<&str>) -> String {
    match app_id {
        Some(app) => format!(
            "{}Microsoft_AAD_IAM/StartboardApplicationsMenuBlade/~/AppAppsPreview/menuId~/null/searchQuery/{}",
            view_base(cloud, tenant),
            app
        ),
        None => new_registration_link(cloud, tenant),
    }
}

/// The v1 admin consent URL (docs/entra.md#portal-deep-links).
pub fn admin_consent_link(cloud: Cloud, tenant: &str, app_id: &str) -> String {
    format!(
        "https://{}/{}/adminconsent?client_id={}",
        cloud.authority_host(),
        tenant,
        app_id
    )
}

/// Single-quotes a value for a POSIX shell.
pub fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@,+".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// The ordered steps for `target` with these inputs: the portal's steps
/// from the requirements, then the product's own.
pub fn steps(target: &dyn Target, inputs: &TargetInputs) -> Vec<Step> {
    let req = target.requirements(inputs);
    let mut out = portal_steps(&req, inputs);
    out.extend(target.product_steps(inputs));
    out
}

/// The portal steps for `req`.
pub fn portal_steps(req: &Requirements, inputs: &TargetInputs) -> Vec<Step> {
    let cloud = inputs.cloud;
    let tenant = known_tenant(inputs);
    let app = known_client_id(inputs);
    let t = tenant.as_deref();
    let a = app.as_deref();
    let id = app.clone().unwrap_or_else(|| "$APP_ID".into());
    let app_label = &req.display_name;
    let reg_path =
        |blade: &str| format!("Microsoft Entra ID → App registrations → {app_label} → {blade}");
    let graph = format!("https://{}/v1.0", cloud.graph_host());
    let mut steps = Vec::new();

    // 1. Register.
    let web: Vec<&str> = req
        .redirects
        .iter()
        .filter(|r| r.platform == Platform::Web)
        .map(|r| r.uri.as_str())
        .collect();
    let spa: Vec<&str> = req
        .redirects
        .iter()
        .filter(|r| r.platform == Platform::Spa)
        .map(|r| r.uri.as_str())
        .collect();
    let public: Vec<&str> = req
        .redirects
        .iter()
        .filter(|r| r.platform == Platform::MobileDesktop)
        .map(|r| r.uri.as_str())
        .collect();
    let mut register_cmds = Vec::new();
    if cloud != Cloud::Global {
        register_cmds.push(format!("az cloud set --name {}", cloud.az_cloud_name()));
    }
    let mut create = format!(
        "az ad app create --display-name {} --sign-in-audience {}",
        shell_quote(app_label),
        req.audience.sign_in_audience()
    );
    if !web.is_empty() {
        create.push_str(" --web-redirect-uris");
        for u in &web {
            create.push(' ');
            create.push_str(&shell_quote(u));
        }
    }
    if !public.is_empty() {
        create.push_str(" --public-client-redirect-uris");
        for u in &public {
            create.push(' ');
            create.push_str(&shell_quote(u));
        }
    }
    if let Some(v) = req.access_token_version {
        create.push_str(&format!(" --requested-access-token-version {v}"));
    }
    create.push_str(" --query appId --output tsv");
    register_cmds.push(format!("APP_ID=$({create})"));
    register_cmds.push("az ad sp create --id \"$APP_ID\"".into());
    let first = req.redirects.first();
    let mut actions = vec![
        "Open Microsoft Entra ID → App registrations → New registration.".to_string(),
        format!("Name: {app_label}"),
        format!("Supported account types: {}", req.audience.portal_label()),
    ];
    if let Some(r) = first {
        actions.push(format!(
            "Redirect URI: select platform \"{}\" and enter {}",
            r.platform.portal_label(),
            r.uri
        ));
    }
    actions.push("Click Register. On the Overview page copy the Application (client) ID and the Directory (tenant) ID.".into());
    steps.push(Step {
        kind: StepKind::Register,
        title: "Register the application".into(),
        portal_path: "Microsoft Entra ID → App registrations → New registration".into(),
        actions,
        link: Some(new_registration_link(cloud, t)),
        commands: register_cmds,
        source: "docs/entra.md#portal-deep-links, docs/entra.md#azure-cli-and-graph-equivalents"
            .into(),
    });

    // 2. Redirect URIs.
    if !req.redirects.is_empty() {
        let mut actions = Vec::new();
        for platform in [Platform::Web, Platform::Spa, Platform::MobileDesktop] {
            let uris: Vec<&super::RedirectRequirement> = req
                .redirects
                .iter()
                .filter(|r| r.platform == platform)
                .collect();
            if uris.is_empty() {
                continue;
            }
            actions.push(format!(
                "Add a platform → {} (or add to the existing {} section):",
                platform.portal_label(),
                platform.portal_label()
            ));
            for r in uris {
                let note = r
                    .note
                    .as_deref()
                    .map(|n| format!(" — {n}"))
                    .unwrap_or_default();
                actions.push(format!("  {}{note} [{}]", r.uri, r.source));
            }
        }
        actions.push("Click Configure, then Save. The URI must match exactly: scheme, host, port, path, case and trailing slash (AADSTS50011).".into());
        let mut commands = Vec::new();
        if !web.is_empty() {
            commands.push(
                "# --web-redirect-uris REPLACES the whole list: include every Web URI you keep (docs/entra.md#azure-cli-and-graph-equivalents)".into(),
            );
            let mut c = format!("az ad app update --id {id} --web-redirect-uris");
            for u in &web {
                c.push(' ');
                c.push_str(&shell_quote(u));
            }
            commands.push(c);
        }
        if !spa.is_empty() {
            commands.push(
                "# az has no --spa-redirect-uris: PATCH Microsoft Graph (docs/entra.md#azure-cli-and-graph-equivalents)".into(),
            );
            let body = serde_json::json!({ "spa": { "redirectUris": spa } }).to_string();
            commands.push(format!(
                "az rest --method PATCH --uri {} --headers Content-Type=application/json --body {}",
                shell_quote(&format!("{graph}/applications(appId='{id}')")),
                shell_quote(&body)
            ));
        }
        if !public.is_empty() {
            let mut c = format!("az ad app update --id {id} --public-client-redirect-uris");
            for u in &public {
                c.push(' ');
                c.push_str(&shell_quote(u));
            }
            commands.push(c);
        }
        steps.push(Step {
            kind: StepKind::RedirectUris,
            title: "Add the redirect URIs".into(),
            portal_path: reg_path("Authentication"),
            actions,
            link: Some(blade_link(cloud, t, a, Blade::Authentication)),
            commands,
            source: "docs/entra.md#redirect-uris".into(),
        });
    }

    // 3. Client secret.
    if req.secret {
        steps.push(Step {
            kind: StepKind::ClientSecret,
            title: "Create a client secret".into(),
            portal_path: reg_path("Certificates & secrets"),
            actions: vec![
                "Client secrets → New client secret.".into(),
                format!("Description: {app_label}; Expires: choose a period (the portal caps it at 24 months, recommends less than 12)."),
                "Click Add, then copy the **Value** column at once (it is shown only once) — not the Secret ID, which is a GUID and fails with AADSTS7000215.".into(),
                "Store it: `entrance secret set NAME` (the Value is read from standard input).".into(),
            ],
            link: Some(blade_link(cloud, t, a, Blade::Credentials)),
            commands: vec![
                "# --append keeps existing secrets; without it they are overwritten (docs/entra.md#azure-cli-and-graph-equivalents)".into(),
                format!(
                    "az ad app credential reset --id {id} --display-name {} --years 1 --append --query password --output tsv",
                    shell_quote(app_label)
                ),
            ],
            source: "docs/entra.md#errors 7000215, docs/entra.md#azure-cli-and-graph-equivalents".into(),
        });
    }

    // 4. Groups claim.
    if let Some(g) = &req.groups_claim {
        steps.push(Step {
            kind: StepKind::GroupsClaim,
            title: "Add the groups claim".into(),
            portal_path: reg_path("Token configuration"),
            actions: vec![
                "Click Add groups claim.".into(),
                format!("Select: {}.", g.portal_choices.join(" and ")),
                format!(
                    "For each token type ({}) choose \"{}\" as the claim value. Click Add.",
                    g.tokens.join(", "),
                    g.format
                ),
                "Over 200 groups the claim is replaced by an overage marker (docs/entra.md#groups-overage)."
                    .into(),
            ],
            link: Some(blade_link(cloud, t, a, Blade::TokenConfiguration)),
            commands: vec![format!(
                "az ad app update --id {id} --set groupMembershipClaims={}",
                shell_quote(g.membership)
            )],
            source: g.source.into(),
        });
    }

    // 5. Optional claims.
    if !req.optional_claims.is_empty() {
        let mut by_token: std::collections::BTreeMap<&str, Vec<serde_json::Value>> =
            std::collections::BTreeMap::new();
        for c in &req.optional_claims {
            let key = if c.token == "Access" {
                "accessToken"
            } else {
                "idToken"
            };
            by_token
                .entry(key)
                .or_default()
                .push(serde_json::json!({ "name": c.claim, "essential": false }));
        }
        let body = serde_json::json!({ "optionalClaims": by_token }).to_string();
        steps.push(Step {
            kind: StepKind::OptionalClaims,
            title: "Add optional claims".into(),
            portal_path: reg_path("Token configuration"),
            actions: req
                .optional_claims
                .iter()
                .map(|c| {
                    format!(
                        "Add optional claim → {} → {} [{}]",
                        c.token, c.claim, c.source
                    )
                })
                .collect(),
            link: Some(blade_link(cloud, t, a, Blade::TokenConfiguration)),
            commands: vec![format!(
                "az rest --method PATCH --uri {} --headers Content-Type=application/json --body {}",
                shell_quote(&format!("{graph}/applications(appId='{id}')")),
                shell_quote(&body)
            )],
            source: "docs/entra.md#claims, docs/entra.md#azure-cli-and-graph-equivalents".into(),
        });
    }

    // 6. Expose an API.
    if let Some(s) = &req.exposed_scope {
        let body = serde_json::json!({ "api": { "oauth2PermissionScopes": [{
            "id": "<new GUID: uuidgen>", "value": s.scope, "type": "User", "isEnabled": true,
            "adminConsentDisplayName": format!("Access {app_label}"),
            "adminConsentDescription": format!("Access {app_label} as the signed-in user"),
        }]}})
        .to_string();
        steps.push(Step {
            kind: StepKind::ExposeApi,
            title: format!("Expose an API with the scope `{}`", s.scope),
            portal_path: reg_path("Expose an API"),
            actions: vec![
                format!("Next to Application ID URI click Add, keep the default {} and click Save.", s.identifier_uri),
                format!("Click Add a scope. Scope name: {}; Who can consent: Admins and users; fill in the display names and description.", s.scope),
                "Click Add scope.".into(),
            ],
            link: Some(blade_link(cloud, t, a, Blade::ProtectAnApi)),
            commands: vec![
                format!("az ad app update --id {id} --identifier-uris {}", shell_quote(&s.identifier_uri)),
                format!(
                    "az rest --method PATCH --uri {} --headers Content-Type=application/json --body {}",
                    shell_quote(&format!("{graph}/applications(appId='{id}')")),
                    shell_quote(&body)
                ),
            ],
            source: s.source.into(),
        });
    }

    // 7. App roles.
    if !req.app_roles.is_empty() {
        let mut actions = vec!["For each role: Create app role.".to_string()];
        for r in &req.app_roles {
            actions.push(format!(
                "  Display name: {}; Allowed member types: Users/Groups; Value: {}; Description: {} [{}]",
                r.display_name, r.value, r.description, r.source
            ));
        }
        actions.push("Then assign users or groups to the roles in Enterprise applications → Users and groups.".into());
        let roles: Vec<serde_json::Value> = req
            .app_roles
            .iter()
            .map(|r| {
                serde_json::json!({
                    "allowedMemberTypes": ["User"], "displayName": r.display_name,
                    "description": r.description, "value": r.value, "isEnabled": true,
                    "id": "<new GUID: uuidgen>",
                })
            })
            .collect();
        steps.push(Step {
            kind: StepKind::AppRoles,
            title: "Create the app roles".into(),
            portal_path: reg_path("App roles"),
            actions,
            link: Some(blade_link(cloud, t, a, Blade::AppRoles)),
            commands: vec![
                format!(
                    "cat > roles.json <<'EOF'\n{}\nEOF",
                    serde_json::Value::Array(roles)
                ),
                "# replace each <new GUID: uuidgen> first".into(),
                format!("az ad app update --id {id} --app-roles @roles.json"),
            ],
            source: "docs/products/grafana.md#what-it-needs-from-entra".into(),
        });
    }

    // 8. API permissions.
    if !req.api_permissions.is_empty() {
        let names: Vec<String> = req
            .api_permissions
            .iter()
            .map(|p| {
                let kind = match p.kind {
                    PermissionKind::Delegated => "Delegated",
                    PermissionKind::Application => "Application",
                };
                format!("  {} ({kind}) — {}", p.name, p.why)
            })
            .collect();
        let mut actions =
            vec!["Add a permission → Microsoft Graph → Delegated permissions.".to_string()];
        actions.extend(names);
        actions.push("Click Add permissions.".into());
        let list = req
            .api_permissions
            .iter()
            .map(|p| {
                format!(
                    "{}={}",
                    p.id,
                    if p.kind == PermissionKind::Delegated {
                        "Scope"
                    } else {
                        "Role"
                    }
                )
            })
            .collect::<Vec<_>>()
            .join(" ");
        steps.push(Step {
            kind: StepKind::ApiPermissions,
            title: "Add the API permissions".into(),
            portal_path: reg_path("API permissions"),
            actions,
            link: Some(blade_link(cloud, t, a, Blade::CallAnApi)),
            commands: vec![format!(
                "az ad app permission add --id {id} --api 00000003-0000-0000-c000-000000000000 --api-permissions {list}"
            )],
            source: "docs/entra.md#azure-cli-and-graph-equivalents".into(),
        });
    }

    // 9. Admin consent.
    if req.admin_consent {
        let tenant_seg = tenant
            .clone()
            .unwrap_or_else(|| "<Directory (tenant) ID>".into());
        steps.push(Step {
            kind: StepKind::AdminConsent,
            title: "Grant admin consent".into(),
            portal_path: reg_path("API permissions"),
            actions: vec![
                "Click Grant admin consent for <your organization>, then Yes.".into(),
                "Needs a Privileged Role Administrator, Cloud Application Administrator or Application Administrator (docs/entra.md#groups-overage).".into(),
                format!(
                    "Or open {}",
                    admin_consent_link(cloud, &tenant_seg, a.unwrap_or("<Application (client) ID>"))
                ),
            ],
            link: Some(blade_link(cloud, t, a, Blade::CallAnApi)),
            commands: vec![format!("az ad app permission admin-consent --id {id}")],
            source: "docs/entra.md#groups-overage, docs/entra.md#portal-deep-links, docs/entra.md#azure-cli-and-graph-equivalents".into(),
        });
    }

    // 10. Token version.
    if let Some(v) = req.access_token_version {
        let body = serde_json::json!({ "api": { "requestedAccessTokenVersion": v } }).to_string();
        steps.push(Step {
            kind: StepKind::TokenVersion,
            title: format!("Issue v{v}.0 access tokens"),
            portal_path: reg_path("Manifest"),
            actions: vec![format!(
                "In the manifest set \"requestedAccessTokenVersion\": {v} (\"accessTokenAcceptedVersion\" in the older format) and Save."
            )],
            link: Some(blade_link(cloud, t, a, Blade::Manifest)),
            commands: vec![format!(
                "az rest --method PATCH --uri {} --headers Content-Type=application/json --body {}",
                shell_quote(&format!("{graph}/applications(appId='{id}')")),
                shell_quote(&body)
            )],
            source: "docs/entra.md#token-versions-and-issuers".into(),
        });
    }

    // 11. Assign users.
    if req.assign_users {
        steps.push(Step {
            kind: StepKind::AssignUsers,
            title: "Assign users and groups".into(),
            portal_path: format!("Microsoft Entra ID → Enterprise applications → {app_label} → Users and groups"),
            actions: vec![
                "Click Add user/group, choose the users or groups (and the role), then Assign.".into(),
                "Assignment does not cascade to nested groups: assign the groups users are direct members of (docs/entra.md#groups-overage).".into(),
            ],
            link: Some(enterprise_app_link(cloud, t, a)),
            commands: vec![format!(
                "az rest --method POST --uri {} --body '{{\"principalId\":\"<user or group object ID>\",\"resourceId\":\"<service principal object ID>\",\"appRoleId\":\"<app role id>\"}}'",
                shell_quote(&format!("{graph}/servicePrincipals(appId='{id}')/appRoleAssignedTo"))
            )],
            source: "docs/entra.md#errors 50105".into(),
        });
    }

    if req.audience == Audience::MultiTenant {
        if let Some(s) = steps.first_mut() {
            s.actions.push("Multi-tenant: every other tenant's admin must consent before its users can sign in (AADSTS65001).".into());
        }
    }
    steps
}
