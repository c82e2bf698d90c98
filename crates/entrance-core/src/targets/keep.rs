//! Keep (AIOps platform): `AUTH_TYPE=AZUREAD` (docs/products/keep.md#what-it-needs-from-entra).

use super::verdict::{
    check_aud, client_id, error_check, has_overage, list_claim, str_claim, tenant_guid,
    token_tenant,
};
use super::{
    graph_permissions as gp, secret_text, CheckStatus, ConfigBlock, ConfigEntry, ConfigFormat,
    Configuration, ExposedScopeRequirement, Field, FieldKind, FieldMessage, GroupsClaimRequirement,
    MessageLevel, Platform, RedirectRequirement, Requirements, Target, TargetInfo, TargetInputs,
    TokenSet, VerdictCheck,
};
use crate::inspect::TargetNeeds;
use crate::secrets::SecretString;

const SEED: &str = "docs/products/keep.md#what-it-needs-from-entra";
const FACTS: &str = "docs/products/keep.md#what-it-needs-from-entra";

/// Keep.
pub struct Keep;

/// Keep's 403 when no authorized group is in the token (docs/products/keep.md#what-it-needs-from-entra).
pub const NOT_AUTHORIZED: &str = "User not a member of any authorized groups";

impl Target for Keep {
    fn info(&self) -> TargetInfo {
        TargetInfo {
            name: "keep",
            display_name: "Keep",
            summary: "Keep's Azure AD authentication: Web app, admin and NOC groups, api://{clientId}/default",
            source: SEED,
        }
    }

    fn fields(&self) -> Vec<Field> {
        vec![
            Field {
                key: "admin_group_id",
                label: "Admin group (read + write) object ID",
                kind: FieldKind::GroupId,
                default: None,
                help: "KEEP_AZUREAD_ADMIN_GROUP_ID",
                source: SEED,
            },
            Field {
                key: "noc_group_id",
                label: "NOC group (read only) object ID",
                kind: FieldKind::GroupId,
                default: None,
                help: "KEEP_AZUREAD_NOC_GROUP_ID",
                source: SEED,
            },
        ]
    }

    fn requirements(&self, inputs: &TargetInputs) -> Requirements {
        let base = inputs.base();
        let mut r = Requirements::new("Keep", inputs.audience);
        r.redirects = vec![RedirectRequirement {
            uri: format!("{base}/api/auth/callback/microsoft-entra-id"),
            platform: Platform::Web,
            note: Some("the Keep frontend's NextAuth callback".into()),
            source: SEED,
        }];
        r.secret = true;
        r.groups_claim = Some(GroupsClaimRequirement {
            membership: "SecurityGroup, ApplicationGroup",
            portal_choices: vec!["Security groups", "Groups assigned to the application"],
            format: "Group ID",
            tokens: vec!["ID", "Access"],
            source: SEED,
        });
        r.exposed_scope = Some(ExposedScopeRequirement {
            identifier_uri: format!("api://{}", inputs.client_id_or_placeholder()),
            scope: "default",
            source: SEED,
        });
        r.api_permissions = vec![gp::OPENID, gp::PROFILE, gp::EMAIL, gp::USER_READ];
        r.assign_users = true;
        r.notes.push("Keep has no group overage handling: users in more than 200 groups are refused; use \"Groups assigned to the application\" (docs/products/keep.md#what-it-needs-from-entra, docs/entra.md#groups-overage).".into());
        r.notes.push("\"Groups assigned to the application\" counts direct members only: assign the admin and NOC groups in Enterprise applications → Users and groups (docs/entra.md#groups-overage).".into());
        if inputs.audience == super::Audience::MultiTenant {
            r.notes
                .push("Keep's guide recommends Single tenant (docs/products/keep.md#what-it-needs-from-entra).".into());
        }
        r
    }

    fn configuration(&self, inputs: &TargetInputs, secret: Option<&SecretString>) -> Configuration {
        let tenant = inputs.tenant_or_placeholder();
        let cid = inputs.client_id_or_placeholder();
        let group = |k: &str, what: &str| {
            inputs
                .setting(k)
                .map(str::to_string)
                .unwrap_or_else(|| format!("<{what} group object ID>"))
        };
        let frontend = ConfigBlock::new(
            "Keep frontend",
            ConfigFormat::Env,
            vec![
                ConfigEntry::new("AUTH_TYPE", "AZUREAD", SEED),
                ConfigEntry::new("KEEP_AZUREAD_CLIENT_ID", cid.clone(), SEED),
                ConfigEntry::secret(
                    "KEEP_AZUREAD_CLIENT_SECRET",
                    secret_text(inputs, "keep", secret),
                    SEED,
                ),
                ConfigEntry::new("KEEP_AZUREAD_TENANT_ID", tenant.clone(), SEED),
                ConfigEntry::new("NEXTAUTH_URL", inputs.base(), SEED),
                ConfigEntry::new(
                    "NEXTAUTH_SECRET",
                    "<random string: openssl rand -base64 32>",
                    SEED,
                ),
            ],
        );
        let backend = ConfigBlock::new(
            "Keep backend",
            ConfigFormat::Env,
            vec![
                ConfigEntry::new("AUTH_TYPE", "AZUREAD", SEED),
                ConfigEntry::new("KEEP_AZUREAD_TENANT_ID", tenant, SEED),
                ConfigEntry::new("KEEP_AZUREAD_CLIENT_ID", cid, SEED),
                ConfigEntry::new(
                    "KEEP_AZUREAD_ADMIN_GROUP_ID",
                    group("admin_group_id", "admin"),
                    SEED,
                ),
                ConfigEntry::new(
                    "KEEP_AZUREAD_NOC_GROUP_ID",
                    group("noc_group_id", "NOC"),
                    SEED,
                ),
            ],
        );
        Configuration {
            blocks: vec![frontend, backend],
            notes: vec![
                "KEEP_AZUREAD_CLIENT_SECRET is the secret's Value, not the Secret ID.".into(),
            ],
        }
    }

    fn needs(&self, _inputs: &TargetInputs) -> TargetNeeds {
        TargetNeeds {
            roles: false,
            groups: true,
            email: false,
        }
    }

    fn check(&self, inputs: &TargetInputs) -> Vec<FieldMessage> {
        let mut out = Vec::new();
        for k in ["admin_group_id", "noc_group_id"] {
            if inputs.setting(k).is_none() {
                out.push(FieldMessage {
                    field: k.into(),
                    level: MessageLevel::Warning,
                    code: "keep.group.missing".into(),
                    message: "Keep's backend requires both the admin and the NOC group ID.".into(),
                    fix: Some(
                        "Copy the group's Object ID from Microsoft Entra ID → Groups.".into(),
                    ),
                });
            }
        }
        if let (Some(a), Some(n)) = (
            inputs.setting("admin_group_id"),
            inputs.setting("noc_group_id"),
        ) {
            if a.eq_ignore_ascii_case(n) {
                out.push(FieldMessage { field: "noc_group_id".into(), level: MessageLevel::Warning, code: "keep.group.same".into(),
                    message: "The admin and NOC groups are the same group: every NOC user gets write access.".into(), fix: None });
            }
        }
        out
    }

    fn verdict(&self, tokens: &TokenSet<'_>, inputs: &TargetInputs) -> Vec<VerdictCheck> {
        if let Some(code) = tokens.error {
            let mut c = error_check(code, tokens.error_description);
            if code == 70011 {
                c.message = format!("Entra answered AADSTS70011: the scope api://{}/default that Keep's frontend requests is not exposed.", inputs.client_id_or_placeholder());
                c.fix = Some("Expose an API → keep the default Application ID URI → Add a scope named `default`.".into());
                c.source = SEED.into();
            }
            return vec![c];
        }
        let Some(at) = tokens.access else {
            let mut out = Vec::new();
            if tokens.graph.is_some() {
                out.push(VerdictCheck::new("keep.access_token.graph", CheckStatus::Fail,
                    "The access token is for Microsoft Graph, not Keep: Keep's backend rejects its audience.", FACTS)
                    .fix(format!("Keep's frontend must request api://{}/default (Expose an API → scope `default`).", inputs.client_id_or_placeholder())));
            } else {
                out.push(VerdictCheck::new("keep.access_token.missing", CheckStatus::Unknown,
                    "Keep's backend authorizes on the access token; none was pasted.", FACTS)
                    .fix("Paste the token response, or the access token for api://{clientId}/default."));
            }
            if let Some(id) = tokens.id {
                if list_claim(id, "groups").is_none() && !has_overage(id) {
                    out.push(VerdictCheck::new("keep.groups.absent", CheckStatus::Fail,
                        "The ID token has no `groups` claim: the registration emits no groups, so the access token will not carry them either.", SEED)
                        .fix("Token configuration → Add groups claim → Security groups + Groups assigned to the application, Group ID."));
                }
            }
            return out;
        };
        let mut out = Vec::new();
        // Issuer: v1 sts.windows.net/{tid}/ or v2 …/{tid}/v2.0.
        let tid = token_tenant(at).unwrap_or_default();
        let expected_tid = tenant_guid(inputs).unwrap_or_else(|| tid.clone());
        let iss = str_claim(at, "iss").unwrap_or_default();
        let v1 = format!("https://sts.windows.net/{expected_tid}/");
        let v2_suffix = format!("/{expected_tid}/v2.0");
        if iss.eq_ignore_ascii_case(&v1) || iss.to_ascii_lowercase().ends_with(&v2_suffix) {
            out.push(VerdictCheck::new(
                "keep.iss",
                CheckStatus::Pass,
                format!("Issuer {iss} is accepted (v1 or v2)."),
                FACTS,
            ));
        } else {
            out.push(VerdictCheck::new("keep.iss", CheckStatus::Fail,
                format!("Issuer {iss} is neither {v1} nor https://login.microsoftonline.com{v2_suffix}."), FACTS)
                .fix("KEEP_AZUREAD_TENANT_ID must be the tenant that issues the tokens."));
        }
        if let Some(cid) = client_id(inputs) {
            out.push(check_aud(
                at,
                &[format!("api://{cid}"), cid.clone()],
                "keep.aud",
                "Keep's backend checks aud",
                FACTS,
            ));
            let azp = str_claim(at, "azp")
                .or_else(|| str_claim(at, "appid"))
                .unwrap_or_default();
            if azp.eq_ignore_ascii_case(&cid) {
                out.push(VerdictCheck::new(
                    "keep.azp",
                    CheckStatus::Pass,
                    "azp/appid is Keep's client ID.",
                    FACTS,
                ));
            } else {
                out.push(
                    VerdictCheck::new(
                        "keep.azp",
                        CheckStatus::Fail,
                        format!(
                            "azp/appid is {}, not Keep's client ID {cid}.",
                            if azp.is_empty() { "missing" } else { azp }
                        ),
                        FACTS,
                    )
                    .fix("The frontend and the backend must use the same KEEP_AZUREAD_CLIENT_ID."),
                );
            }
        }
        // Groups in the access token.
        let admin = inputs
            .setting("admin_group_id")
            .map(str::to_ascii_lowercase);
        let noc = inputs.setting("noc_group_id").map(str::to_ascii_lowercase);
        match list_claim(at, "groups") {
            None if has_overage(at) => out.push(VerdictCheck::new("keep.groups.overage", CheckStatus::Fail,
                format!("The user is in more than 200 groups: the access token has an overage marker instead of `groups`, and Keep has no overage support — 403 \"{NOT_AUTHORIZED}\"."), FACTS)
                .fix("Token configuration → groups claim → \"Groups assigned to the application\" only, and assign just the admin and NOC groups.")),
            None => out.push(VerdictCheck::new("keep.groups.absent", CheckStatus::Fail,
                format!("The access token has no `groups` claim: Keep answers 403 \"{NOT_AUTHORIZED}\"."), SEED)
                .fix("Token configuration → Add groups claim → Security groups + Groups assigned to the application, Group ID; assign the groups to the app (direct members only).")),
            Some(groups) => {
                let groups: Vec<String> = groups.iter().map(|g| g.to_ascii_lowercase()).collect();
                let is_admin = admin.as_ref().is_some_and(|a| groups.contains(a));
                let is_noc = noc.as_ref().is_some_and(|n| groups.contains(n));
                if is_admin {
                    out.push(VerdictCheck::new("keep.role", CheckStatus::Info, "Role: admin (read + write) — the admin group is in `groups`.", SEED));
                } else if is_noc {
                    out.push(VerdictCheck::new("keep.role", CheckStatus::Info, "Role: NOC (read only) — the NOC group is in `groups`.", SEED));
                } else if admin.is_none() && noc.is_none() {
                    out.push(VerdictCheck::new("keep.groups.unconfigured", CheckStatus::Unknown,
                        format!("The access token carries {} group(s); give the admin and NOC group IDs to decide the role.", groups.len()), SEED));
                } else {
                    out.push(VerdictCheck::new("keep.groups.not_member", CheckStatus::Fail,
                        format!("Neither the admin nor the NOC group is in `groups` ({}): Keep answers 403 \"{NOT_AUTHORIZED}\".", groups.join(", ")), FACTS)
                        .fix("Make the user a direct member of the admin or NOC group and assign that group to the app (nested groups do not count)."));
                }
            }
        }
        out
    }
}
