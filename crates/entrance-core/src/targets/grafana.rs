//! Grafana's `[auth.azuread]` (docs/products/grafana.md#what-it-needs-from-entra).

use super::verdict::{
    check_aud, client_id, has_overage, list_claim, str_claim, tenant_guid, token_tenant,
    token_version,
};
use super::{
    graph_permissions as gp, secret_text, AppRoleRequirement, CheckStatus, ConfigBlock,
    ConfigEntry, ConfigFormat, Configuration, Field, FieldKind, FieldMessage,
    GroupsClaimRequirement, MessageLevel, Platform, RedirectRequirement, Requirements, Target,
    TargetInfo, TargetInputs, TokenSet, VerdictCheck,
};
use crate::inspect::TargetNeeds;
use crate::secrets::SecretString;

const SEED: &str = "docs/products/grafana.md#what-it-needs-from-entra";
const FACTS: &str = "docs/products/grafana.md#what-it-needs-from-entra";

/// Grafana.
pub struct Grafana;

/// Grafana's roles, lowest to highest (docs/products/grafana.md#roles-and-groups: Viewer, Editor, Admin, GrafanaAdmin).
pub const ROLES: [&str; 4] = ["Viewer", "Editor", "Admin", "GrafanaAdmin"];

/// The Grafana role named `value` (case-insensitive), as Grafana spells it.
pub fn role(value: &str) -> Option<&'static str> {
    ROLES
        .iter()
        .copied()
        .find(|r| r.eq_ignore_ascii_case(value.trim()))
}

/// How Grafana maps users to roles (the admin's choice).
fn mapping(inputs: &TargetInputs) -> (bool, bool) {
    match inputs
        .setting("role_mapping")
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("groups") => (false, true),
        Some("app_roles_and_groups" | "both") => (true, true),
        Some("none") => (false, false),
        _ => (true, false),
    }
}

fn uses_groups(inputs: &TargetInputs) -> bool {
    mapping(inputs).1 || !inputs.list("allowed_groups").is_empty()
}

impl Target for Grafana {
    fn info(&self) -> TargetInfo {
        TargetInfo {
            name: "grafana",
            display_name: "Grafana",
            summary:
                "Grafana's Entra ID login ([auth.azuread]) with app-role or group role mapping",
            source: SEED,
        }
    }

    fn fields(&self) -> Vec<Field> {
        vec![
            Field { key: "role_mapping", label: "Map Grafana roles from", kind: FieldKind::Choice { options: vec!["app_roles", "groups", "app_roles_and_groups", "none"] }, default: Some("app_roles"), help: "App roles Viewer/Editor/Admin/GrafanaAdmin in `roles`; groups through org_mapping.", source: SEED },
            Field { key: "allowed_groups", label: "Allowed groups (object IDs)", kind: FieldKind::GroupIds, default: None, help: "Only members of one of these groups may sign in; needs the groups claim.", source: SEED },
            Field { key: "allowed_organizations", label: "Allowed tenants (IDs)", kind: FieldKind::TenantIds, default: None, help: "Only users of these tenants may sign in.", source: SEED },
            Field { key: "allowed_domains", label: "Allowed email domains", kind: FieldKind::Text, default: None, help: "Only users whose email is in one of these domains.", source: SEED },
            Field { key: "org_mapping", label: "org_mapping", kind: FieldKind::Text, default: None, help: "`<group object ID>:<org>:<Role>` entries; `*` means all users.", source: SEED },
            Field { key: "allow_assign_grafana_admin", label: "Sync the Grafana server admin role", kind: FieldKind::Flag, default: Some("false"), help: "GrafanaAdmin in `roles` makes the user a server administrator.", source: SEED },
            Field { key: "role_attribute_strict", label: "Deny users without a role", kind: FieldKind::Flag, default: Some("false"), help: "Without it, users without a role get auto_assign_org_role.", source: SEED },
            Field { key: "auto_assign_org_role", label: "Role for users without one ([users] auto_assign_org_role)", kind: FieldKind::Choice { options: vec!["Viewer", "Editor", "Admin"] }, default: Some("Viewer"), help: "Grafana's default organization role.", source: FACTS },
            Field { key: "client_authentication", label: "Client authentication", kind: FieldKind::Choice { options: vec!["client_secret_post", "none", "managed_identity", "workload_identity"] }, default: Some("client_secret_post"), help: "client_secret_post uses the client secret's Value.", source: SEED },
            Field { key: "root_url", label: "Grafana's [server] root_url", kind: FieldKind::Text, default: None, help: "Must match the base URL: Grafana builds its redirect URI from it.", source: FACTS },
            Field { key: "force_use_graph_api", label: "Always read groups from Microsoft Graph", kind: FieldKind::Flag, default: Some("false"), help: "Needs GroupMember.Read.All with admin consent.", source: SEED },
        ]
    }

    fn requirements(&self, inputs: &TargetInputs) -> Requirements {
        let base = inputs.base();
        let (roles, _) = mapping(inputs);
        let mut r = Requirements::new("Grafana", inputs.audience);
        r.redirects = vec![
            RedirectRequirement {
                uri: format!("{base}/login/azuread"),
                platform: Platform::Web,
                note: None,
                source: SEED,
            },
            RedirectRequirement {
                uri: base.clone(),
                platform: Platform::Web,
                note: Some("the root URL".into()),
                source: SEED,
            },
        ];
        let auth = inputs
            .setting("client_authentication")
            .unwrap_or("client_secret_post");
        r.secret = auth == "client_secret_post";
        if roles {
            r.app_roles = vec![
                AppRoleRequirement {
                    value: "Viewer",
                    display_name: "Grafana Viewer",
                    description: "Grafana Viewer users",
                    source: SEED,
                },
                AppRoleRequirement {
                    value: "Editor",
                    display_name: "Grafana Editor",
                    description: "Grafana Editor users",
                    source: SEED,
                },
                AppRoleRequirement {
                    value: "Admin",
                    display_name: "Grafana Admin",
                    description: "Grafana Admin users",
                    source: SEED,
                },
                AppRoleRequirement {
                    value: "GrafanaAdmin",
                    display_name: "Grafana Server Admin",
                    description: "Grafana server administrators (needs allow_assign_grafana_admin)",
                    source: SEED,
                },
            ];
            r.assign_users = true;
        }
        r.api_permissions = vec![
            gp::OPENID,
            gp::EMAIL,
            gp::PROFILE,
            gp::OFFLINE_ACCESS,
            gp::USER_READ,
        ];
        if uses_groups(inputs) || inputs.flag("force_use_graph_api", false) {
            r.groups_claim = Some(GroupsClaimRequirement {
                membership: "SecurityGroup",
                portal_choices: vec!["Security groups"],
                format: "Group ID",
                tokens: vec!["ID", "Access"],
                source: SEED,
            });
            r.api_permissions.push(gp::GROUP_MEMBER_READ_ALL);
            r.admin_consent = true;
            r.notes.push("Users must be direct members of the groups; nested groups do not count (docs/products/grafana.md#what-it-needs-from-entra).".into());
            r.notes.push("Over 200 groups Grafana reads them from Microsoft Graph: delegated GroupMember.Read.All + User.Read with admin consent (docs/products/grafana.md#what-it-needs-from-entra).".into());
        }
        r.notes.push(
            "Grafana rejects v1.0 ID tokens: keep auth_url on /oauth2/v2.0/ (docs/entra.md#token-versions-and-issuers)."
                .into(),
        );
        r
    }

    fn configuration(&self, inputs: &TargetInputs, secret: Option<&SecretString>) -> Configuration {
        let host = inputs.cloud.authority_host();
        let tenant = inputs.authority_tenant();
        let auth = inputs
            .setting("client_authentication")
            .unwrap_or("client_secret_post")
            .to_string();
        let (roles, _) = mapping(inputs);
        let mut e = vec![
            ConfigEntry::new("enabled", "true", "Grafana conf/defaults.ini [auth.azuread] (the seed's option table starts after it)"),
            ConfigEntry::new("allow_sign_up", "true", SEED),
            ConfigEntry::new("client_authentication", auth.clone(), SEED),
            ConfigEntry::new("client_id", inputs.client_id_or_placeholder(), SEED),
        ];
        if auth == "client_secret_post" {
            e.push(ConfigEntry::secret(
                "client_secret",
                secret_text(inputs, "grafana", secret),
                SEED,
            ));
        }
        e.push(ConfigEntry::new("scopes", "openid email profile", SEED));
        e.push(ConfigEntry::new(
            "auth_url",
            format!("https://{host}/{tenant}/oauth2/v2.0/authorize"),
            SEED,
        ));
        e.push(ConfigEntry::new(
            "token_url",
            format!("https://{host}/{tenant}/oauth2/v2.0/token"),
            SEED,
        ));
        e.push(ConfigEntry::new(
            "allowed_domains",
            inputs.list("allowed_domains").join(" "),
            SEED,
        ));
        e.push(ConfigEntry::new(
            "allowed_groups",
            inputs.list("allowed_groups").join(" "),
            SEED,
        ));
        let orgs = inputs.list("allowed_organizations");
        let orgs = if orgs.is_empty() && inputs.audience == super::Audience::SingleTenant {
            inputs
                .tenant
                .iter()
                .filter(|t| crate::secrets::is_guid(t.trim()))
                .map(|t| t.trim().to_string())
                .collect()
        } else {
            orgs
        };
        e.push(ConfigEntry::new(
            "allowed_organizations",
            orgs.join(" "),
            SEED,
        ));
        e.push(ConfigEntry::new(
            "role_attribute_strict",
            inputs.flag("role_attribute_strict", false).to_string(),
            SEED,
        ));
        e.push(ConfigEntry::new(
            "allow_assign_grafana_admin",
            (roles && inputs.flag("allow_assign_grafana_admin", false)).to_string(),
            SEED,
        ));
        e.push(ConfigEntry::new(
            "skip_org_role_sync",
            (!roles && inputs.setting("org_mapping").is_none()).to_string(),
            SEED,
        ));
        if let Some(m) = inputs.setting("org_mapping") {
            e.push(ConfigEntry::new("org_mapping", m, SEED));
        }
        e.push(ConfigEntry::new("use_pkce", "true", SEED));
        e.push(ConfigEntry::new("use_refresh_token", "true", SEED));
        e.push(ConfigEntry::new(
            "force_use_graph_api",
            inputs.flag("force_use_graph_api", false).to_string(),
            SEED,
        ));

        let mut ini = ConfigBlock::new("grafana.ini [auth.azuread]", ConfigFormat::Ini, e.clone());
        ini.section = Some("auth.azuread".into());
        let mut env = ConfigBlock::new(
            "grafana env [auth.azuread]",
            ConfigFormat::Env,
            e.iter()
                .map(|x| ConfigEntry {
                    key: format!("GF_AUTH_AZUREAD_{}", x.key.to_ascii_uppercase()),
                    ..x.clone()
                })
                .collect(),
        );
        env.equivalent = true;

        let root = format!("{}/", inputs.base());
        let mut server = ConfigBlock::new(
            "grafana.ini [server]",
            ConfigFormat::Ini,
            vec![ConfigEntry::new("root_url", root.clone(), FACTS)],
        );
        server.section = Some("server".into());
        let mut server_env = ConfigBlock::new(
            "grafana env [server]",
            ConfigFormat::Env,
            vec![ConfigEntry::new("GF_SERVER_ROOT_URL", root, FACTS)],
        );
        server_env.equivalent = true;

        let mut blocks = vec![server, server_env, ini, env];
        if let Some(r) = inputs.setting("auto_assign_org_role") {
            let mut users = ConfigBlock::new(
                "grafana.ini [users]",
                ConfigFormat::Ini,
                vec![ConfigEntry::new("auto_assign_org_role", r, FACTS)],
            );
            users.section = Some("users".into());
            let mut users_env = ConfigBlock::new(
                "grafana env [users]",
                ConfigFormat::Env,
                vec![ConfigEntry::new("GF_USERS_AUTO_ASSIGN_ORG_ROLE", r, FACTS)],
            );
            users_env.equivalent = true;
            blocks.push(users);
            blocks.push(users_env);
        }
        Configuration {
            blocks,
            notes: vec!["client_secret is the secret's Value, never the Secret ID.".into()],
        }
    }

    fn needs(&self, inputs: &TargetInputs) -> TargetNeeds {
        TargetNeeds {
            roles: mapping(inputs).0,
            groups: uses_groups(inputs),
            email: true,
        }
    }

    fn check(&self, inputs: &TargetInputs) -> Vec<FieldMessage> {
        let mut out = Vec::new();
        if let Some(root) = inputs.setting("root_url") {
            let want = format!("{}/", inputs.base());
            if root.trim_end_matches('/') != want.trim_end_matches('/') {
                out.push(FieldMessage { field: "root_url".into(), level: MessageLevel::Error, code: "grafana.root_url.mismatch".into(),
                    message: format!("root_url {root} differs from the base URL: Grafana would send {}/login/azuread as its redirect URI (AADSTS50011).", root.trim_end_matches('/')),
                    fix: Some(format!("Set [server] root_url = {want}")) });
            } else if !root.ends_with('/') {
                out.push(FieldMessage {
                    field: "root_url".into(),
                    level: MessageLevel::Info,
                    code: "grafana.root_url.slash".into(),
                    message: "Grafana's root_url is usually written with a trailing slash.".into(),
                    fix: Some(format!("root_url = {want}")),
                });
            }
        }
        if let Some(r) = inputs.setting("auto_assign_org_role") {
            out.extend(check_role_name("auto_assign_org_role", r));
        }
        out
    }

    fn verdict(&self, tokens: &TokenSet<'_>, inputs: &TargetInputs) -> Vec<VerdictCheck> {
        let mut out = Vec::new();
        let Some(id) = tokens.id else {
            if let Some(code) = tokens.error {
                return vec![super::verdict::error_check(code, tokens.error_description)];
            }
            return vec![VerdictCheck::new(
                "grafana.id_token.missing",
                CheckStatus::Unknown,
                "Grafana reads the ID token; none was pasted.",
                SEED,
            )
            .fix("Paste the whole token response, or the id_token.")];
        };
        // 1. Version: Grafana rejects v1.0 ID tokens.
        if token_version(id).as_deref() == Some("1.0") {
            out.push(VerdictCheck::new("grafana.token.v1", CheckStatus::Fail,
                "This is a v1.0 ID token; Grafana rejects `ver` 1.0.", "docs/entra.md#token-versions-and-issuers")
                .fix("Point auth_url and token_url at /oauth2/v2.0/authorize and /oauth2/v2.0/token."));
        } else {
            out.push(VerdictCheck::new(
                "grafana.token.version",
                CheckStatus::Pass,
                "v2.0 ID token.",
                "docs/entra.md#token-versions-and-issuers",
            ));
        }
        // 2. Audience.
        if let Some(cid) = client_id(inputs) {
            out.push(check_aud(
                id,
                &[cid],
                "grafana.aud",
                "Grafana compares aud with client_id",
                FACTS,
            ));
        }
        // 3. Tenant (allowed_organizations).
        let mut orgs: Vec<String> = inputs
            .list("allowed_organizations")
            .iter()
            .map(|t| t.to_ascii_lowercase())
            .collect();
        if orgs.is_empty() {
            if let Some(t) = tenant_guid(inputs) {
                if inputs.audience == super::Audience::SingleTenant {
                    orgs.push(t);
                }
            }
        }
        if !orgs.is_empty() {
            let tid = token_tenant(id).unwrap_or_default();
            if orgs.contains(&tid) {
                out.push(VerdictCheck::new(
                    "grafana.allowed_organizations",
                    CheckStatus::Pass,
                    format!("Tenant {tid} is allowed."),
                    SEED,
                ));
            } else {
                out.push(VerdictCheck::new("grafana.allowed_organizations", CheckStatus::Fail,
                    format!("Tenant {} is not in allowed_organizations ({}).", if tid.is_empty() { "(none)" } else { &tid }, orgs.join(", ")), SEED)
                    .fix("Add the tenant ID to allowed_organizations, or sign in with a user of the allowed tenant."));
            }
        }
        // 4. Email.
        match str_claim(id, "email").or_else(|| str_claim(id, "preferred_username")) {
            Some(e) => out.push(VerdictCheck::new("grafana.email", CheckStatus::Pass,
                format!("Grafana's email for the user: {e}{}.", if str_claim(id, "email").is_none() { " (from preferred_username)" } else { "" }), FACTS)),
            None => out.push(VerdictCheck::new("grafana.email.absent", CheckStatus::Fail,
                "Neither `email` nor `preferred_username` is in the ID token: Grafana cannot identify the user.", FACTS)
                .fix("Request the `email` and `profile` scopes (Grafana's scopes = openid email profile).")),
        }
        // 5. allowed_groups.
        let allowed: Vec<String> = inputs
            .list("allowed_groups")
            .iter()
            .map(|g| g.to_ascii_lowercase())
            .collect();
        if !allowed.is_empty() {
            let groups: Option<Vec<String>> = list_claim(id, "groups")
                .map(|g| g.iter().map(|x| x.to_ascii_lowercase()).collect());
            match groups {
                Some(g) if g.iter().any(|x| allowed.contains(x)) => out.push(VerdictCheck::new("grafana.allowed_groups", CheckStatus::Pass, "The user is in an allowed group.", SEED)),
                Some(_) => out.push(VerdictCheck::new("grafana.allowed_groups", CheckStatus::Fail,
                    "The user is in none of allowed_groups: Grafana answers \"user not a member of one of the required groups\".", SEED)
                    .fix("Add the user to an allowed group directly (nested groups do not count), or fix the object IDs in allowed_groups.")),
                None if has_overage(id) => {
                    let consented = tokens.graph.and_then(|g| str_claim(g, "scp")).is_some_and(|s| s.split(' ').any(|x| x.eq_ignore_ascii_case("GroupMember.Read.All")));
                    if consented {
                        out.push(VerdictCheck::new("grafana.groups.overage", CheckStatus::Unknown,
                            "Over 200 groups: Grafana reads them from Microsoft Graph (GroupMember.Read.All is consented); membership is decided there.", SEED));
                    } else {
                        out.push(VerdictCheck::new("grafana.groups.overage", CheckStatus::Fail,
                            "Over 200 groups (overage) and no GroupMember.Read.All in the access token: Graph answers 403 \"Token need GroupMember.Read.All\" and allowed_groups fails.", SEED)
                            .fix("Add delegated GroupMember.Read.All and User.Read under API permissions and Grant admin consent."));
                    }
                }
                None => out.push(VerdictCheck::new("grafana.groups.absent", CheckStatus::Fail,
                    "allowed_groups is set but the ID token has no `groups` claim: every user is refused.", SEED)
                    .fix("Token configuration → Add groups claim → Security groups, Group ID.")),
            }
        }
        // 6. Role.
        let (roles_mapping, _) = mapping(inputs);
        if roles_mapping {
            let values = list_claim(id, "roles").unwrap_or_default();
            let best = values
                .iter()
                .filter_map(|v| role(v))
                .max_by_key(|r| ROLES.iter().position(|x| x == r));
            let strict = inputs.flag("role_attribute_strict", false);
            match best {
                Some("GrafanaAdmin") if inputs.flag("allow_assign_grafana_admin", false) => out.push(VerdictCheck::new("grafana.role", CheckStatus::Info,
                    "Role: Admin and Grafana server administrator (GrafanaAdmin in `roles`).", SEED)),
                Some("GrafanaAdmin") => out.push(VerdictCheck::new("grafana.role.grafana_admin_ignored", CheckStatus::Warn,
                    "`roles` has GrafanaAdmin but allow_assign_grafana_admin is false: the user becomes Admin, not server administrator.", SEED)
                    .fix("Set allow_assign_grafana_admin = true.")),
                Some(r) => out.push(VerdictCheck::new("grafana.role", CheckStatus::Info, format!("Role: {r} (highest of `roles`: {}).", values.join(", ")), SEED)),
                None => {
                    let why = if values.is_empty() { "The ID token has no `roles` claim".to_string() } else { format!("`roles` ({}) holds no Grafana role", values.join(", ")) };
                    if strict {
                        out.push(VerdictCheck::new("grafana.roles.absent", CheckStatus::Fail,
                            format!("{why} and role_attribute_strict is true: Grafana denies the sign-in."), SEED)
                            .fix("Create the app roles Viewer, Editor, Admin (and GrafanaAdmin) and assign users or groups to them in Enterprise applications → Users and groups."));
                    } else {
                        let fallback = inputs.setting("auto_assign_org_role").and_then(role).unwrap_or("Viewer");
                        out.push(VerdictCheck::new("grafana.roles.absent", CheckStatus::Warn,
                            format!("{why}: Grafana gives the default role {fallback} (auto_assign_org_role)."), SEED)
                            .fix("Create the app roles Viewer, Editor, Admin (and GrafanaAdmin) and assign users or groups to them in Enterprise applications → Users and groups."));
                    }
                }
            }
        }
        out
    }
}

/// A Grafana role name typed by the admin (`Viewer`, `Editor`, `Admin`, `GrafanaAdmin`).
pub fn check_role_name(field: &str, value: &str) -> Vec<FieldMessage> {
    let v = value.trim();
    match role(v) {
        Some(r) if r == v => Vec::new(),
        Some(r) => vec![FieldMessage {
            field: field.into(),
            level: MessageLevel::Info,
            code: "grafana.role.case".into(),
            message: format!("Grafana matches roles case-insensitively; it writes `{r}`."),
            fix: Some(format!("Use `{r}`.")),
        }],
        None => vec![FieldMessage {
            field: field.into(),
            level: MessageLevel::Error,
            code: "grafana.role.unknown".into(),
            message: format!("`{v}` is not a Grafana role (Viewer, Editor, Admin, GrafanaAdmin)."),
            fix: Some("Use Viewer, Editor, Admin or GrafanaAdmin.".into()),
        }],
    }
}
