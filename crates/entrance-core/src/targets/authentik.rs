//! authentik's Entra ID OAuth source (docs/products/authentik.md#what-it-needs-from-entra).

use super::verdict::{check_aud, client_id, error_check, str_claim};
use super::{
    graph_permissions as gp, secret_text, Audience, CheckStatus, Cloud, ConfigBlock, ConfigEntry,
    ConfigFormat, Configuration, Field, FieldKind, FieldMessage, MessageLevel, Platform,
    RedirectRequirement, Requirements, Step, StepKind, Target, TargetInfo, TargetInputs, TokenSet,
    VerdictCheck,
};
use crate::inspect::TargetNeeds;
use crate::secrets::SecretString;

const SEED: &str = "docs/products/authentik.md#what-it-needs-from-entra";
const FACTS: &str = "docs/products/authentik.md#what-it-needs-from-entra";

/// authentik.
pub struct Authentik;

fn slug(inputs: &TargetInputs) -> String {
    inputs.setting("slug").unwrap_or("entra-id").to_string()
}

fn sync_groups(inputs: &TargetInputs) -> bool {
    inputs.flag("sync_groups", true)
}

impl Target for Authentik {
    fn info(&self) -> TargetInfo {
        TargetInfo {
            name: "authentik",
            display_name: "authentik",
            summary: "an Entra ID OAuth source in authentik (sign-in and group sync)",
            source: SEED,
        }
    }

    fn fields(&self) -> Vec<Field> {
        vec![
            Field {
                key: "slug",
                label: "Source slug",
                kind: FieldKind::Text,
                default: Some("entra-id"),
                help: "Must match the slug in the redirect URI.",
                source: SEED,
            },
            Field {
                key: "sync_groups",
                label: "Sync group membership",
                kind: FieldKind::Flag,
                default: Some("true"),
                help: "Adds GroupMember.Read.All (admin consent) and its scope.",
                source: SEED,
            },
        ]
    }

    fn requirements(&self, inputs: &TargetInputs) -> Requirements {
        let mut r = Requirements::new("authentik", inputs.audience);
        r.redirects = vec![RedirectRequirement {
            uri: format!("{}/source/oauth/callback/{}/", inputs.base(), slug(inputs)),
            platform: Platform::Web,
            note: Some("with the trailing slash".into()),
            source: SEED,
        }];
        r.secret = true;
        r.api_permissions = vec![gp::EMAIL, gp::PROFILE, gp::OPENID, gp::USER_READ];
        if sync_groups(inputs) {
            r.api_permissions.push(gp::GROUP_MEMBER_READ_ALL);
            r.admin_consent = true;
            r.notes.push("GroupMember.Read.All must be a Delegated permission, not Application (docs/products/authentik.md#what-it-needs-from-entra).".into());
            r.notes.push("authentik reads groups from GET /v1.0/me/memberOf: direct memberships, first page only (docs/products/authentik.md#what-it-needs-from-entra).".into());
        }
        r.notes.push("Machine-to-machine: request scope=api://<client_id>/.default; a Graph scope gives a token authentik cannot use (docs/products/authentik.md#what-it-needs-from-entra).".into());
        if inputs.cloud != Cloud::Global {
            r.notes.push("authentik hard-codes graph.microsoft.com: national clouds need the Profile URL changed by hand (docs/products/authentik.md#what-it-needs-from-entra).".into());
        }
        r
    }

    fn configuration(&self, inputs: &TargetInputs, secret: Option<&SecretString>) -> Configuration {
        let host = inputs.cloud.authority_host();
        let t = match inputs.audience {
            Audience::SingleTenant => inputs.tenant_or_placeholder(),
            Audience::MultiTenant => "common".into(),
        };
        let mut e = vec![
            ConfigEntry::new("Name", "Entra ID", SEED),
            ConfigEntry::new("Slug", slug(inputs), SEED),
            ConfigEntry::new("Consumer key", inputs.client_id_or_placeholder(), SEED),
            ConfigEntry::secret(
                "Consumer secret",
                secret_text(inputs, "authentik", secret),
                SEED,
            ),
        ];
        if sync_groups(inputs) {
            e.push(ConfigEntry::new(
                "Scopes",
                format!("https://{}/GroupMember.Read.All", inputs.cloud.graph_host()),
                SEED,
            ));
        }
        e.push(ConfigEntry::new(
            "Authorization URL",
            format!("https://{host}/{t}/oauth2/v2.0/authorize"),
            SEED,
        ));
        e.push(ConfigEntry::new(
            "Access token URL",
            format!("https://{host}/{t}/oauth2/v2.0/token"),
            SEED,
        ));
        e.push(ConfigEntry::new(
            "Profile URL",
            format!("https://{}/v1.0/me", inputs.cloud.graph_host()),
            SEED,
        ));
        e.push(ConfigEntry::new(
            "OIDC JWKS URL",
            format!("https://{host}/{t}/discovery/v2.0/keys"),
            SEED,
        ));
        Configuration {
            blocks: vec![ConfigBlock::new("authentik: Directory → Federation and Social login → Create → Entra ID OAuth Source", ConfigFormat::Fields, e)],
            notes: vec!["Consumer secret is the secret's Value.".into()],
        }
    }

    fn needs(&self, _inputs: &TargetInputs) -> TargetNeeds {
        // authentik reads the user and groups from Graph, not from token claims.
        TargetNeeds::default()
    }

    fn check(&self, inputs: &TargetInputs) -> Vec<FieldMessage> {
        let s = slug(inputs);
        if s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            Vec::new()
        } else {
            vec![FieldMessage {
                field: "slug".into(),
                level: MessageLevel::Error,
                code: "authentik.slug.invalid".into(),
                message: format!("`{s}` is not a valid slug (letters, digits, - and _)."),
                fix: None,
            }]
        }
    }

    fn product_steps(&self, inputs: &TargetInputs) -> Vec<Step> {
        vec![Step {
            kind: StepKind::Product,
            title: "Create the Entra ID OAuth source in authentik".into(),
            portal_path:
                "authentik Admin interface → Directory → Federation and Social login → Create"
                    .into(),
            actions: vec![
                "Select type: Entra ID OAuth Source.".into(),
                format!("Slug: {} (must match the redirect URI).", slug(inputs)),
                "Fill in the fields printed by `entrance config --target authentik`, then Save."
                    .into(),
            ],
            link: Some(format!("{}/if/admin/#/core/sources", inputs.base())),
            commands: Vec::new(),
            source: SEED.into(),
        }]
    }

    fn verdict(&self, tokens: &TokenSet<'_>, inputs: &TargetInputs) -> Vec<VerdictCheck> {
        if let Some(code) = tokens.error {
            let mut c = error_check(code, tokens.error_description);
            if code == 50011 {
                c.fix = Some(format!(
                    "Register {}/source/oauth/callback/{}/ under Web — with the trailing slash.",
                    inputs.base(),
                    slug(inputs)
                ));
                c.source = SEED.into();
            }
            return vec![c];
        }
        let mut out = Vec::new();
        if let (Some(id), Some(cid)) = (tokens.id, client_id(inputs)) {
            out.push(check_aud(
                id,
                &[cid],
                "authentik.aud",
                "The ID token's aud",
                FACTS,
            ));
        }
        // authentik calls the Profile URL (Graph /me) with the access token.
        let Some(graph) = tokens.graph else {
            out.push(VerdictCheck::new("authentik.graph_token.missing", CheckStatus::Unknown,
                "authentik reads the user from Microsoft Graph (/me) with the access token; no Graph access token was pasted.", SEED)
                .fix("Paste the token response of the source's sign-in."));
            return out;
        };
        let scp: Vec<String> = str_claim(graph, "scp")
            .unwrap_or_default()
            .split(' ')
            .map(str::to_ascii_lowercase)
            .collect();
        let has = |s: &str| scp.iter().any(|x| x == &s.to_ascii_lowercase());
        if has("User.Read") {
            out.push(VerdictCheck::new(
                "authentik.profile",
                CheckStatus::Pass,
                "User.Read is granted: the Profile URL (/v1.0/me) answers.",
                SEED,
            ));
        } else {
            out.push(VerdictCheck::new("authentik.profile", CheckStatus::Fail,
                "User.Read is not in the access token: the Profile URL (/v1.0/me) answers 403 and authentik cannot create the user.", SEED)
                .fix("API permissions → Add a permission → Microsoft Graph → Delegated → User.Read."));
        }
        for s in ["email", "profile"] {
            if !has(s) {
                out.push(VerdictCheck::new(&format!("authentik.scope.{s}"), CheckStatus::Warn,
                    format!("The delegated `{s}` permission was not granted: the user is created without it."), SEED)
                    .fix(format!("API permissions → Microsoft Graph → Delegated → {s}.")));
            }
        }
        if sync_groups(inputs) {
            if has("GroupMember.Read.All") {
                out.push(VerdictCheck::new(
                    "authentik.groups",
                    CheckStatus::Pass,
                    "GroupMember.Read.All is granted: authentik syncs groups.",
                    SEED,
                ));
            } else {
                out.push(VerdictCheck::new("authentik.groups.scope_missing", CheckStatus::Warn,
                    "GroupMember.Read.All (delegated, admin-consented) is not in the access token: authentik signs the user in but syncs no groups.", SEED)
                    .fix("Add GroupMember.Read.All as a Delegated permission (not Application), Grant admin consent, and add the scope https://graph.microsoft.com/GroupMember.Read.All to the source."));
            }
        }
        out
    }
}
