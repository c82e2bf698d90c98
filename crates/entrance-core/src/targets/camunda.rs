//! Camunda Self-Managed: `CAMUNDA_IDENTITY_*` per component
//! (docs/products/camunda.md#what-it-needs-from-entra).

use super::verdict::{check_aud, client_id, error_check, str_claim, token_version};
use super::{
    graph_permissions as gp, secret_text, CheckStatus, ClientType, ConfigBlock, ConfigEntry,
    ConfigFormat, Configuration, Field, FieldKind, Platform, RedirectRequirement, Requirements,
    Target, TargetInfo, TargetInputs, TokenSet, VerdictCheck,
};
use crate::inspect::TargetNeeds;
use crate::secrets::SecretString;

const SEED: &str = "docs/products/camunda.md#what-it-needs-from-entra";
const FACTS: &str = "docs/products/camunda.md#what-it-needs-from-entra";

/// Camunda Self-Managed.
pub struct Camunda;

/// The components, their redirect paths and platforms (docs/products/camunda.md#what-it-needs-from-entra).
pub const COMPONENTS: &[(&str, &str, &[&str], Platform)] = &[
    (
        "identity",
        "Identity",
        &["/auth/login-callback"],
        Platform::Web,
    ),
    (
        "operate",
        "Operate",
        &["/auth/login-callback", "/identity-callback"],
        Platform::Web,
    ),
    (
        "tasklist",
        "Tasklist",
        &["/identity-callback"],
        Platform::Web,
    ),
    (
        "optimize",
        "Optimize",
        &["/api/authentication/callback"],
        Platform::Web,
    ),
    (
        "web_modeler",
        "Web Modeler",
        &["/login-callback"],
        Platform::Spa,
    ),
    ("console", "Console", &[""], Platform::Spa),
];

fn component(
    inputs: &TargetInputs,
) -> &'static (
    &'static str,
    &'static str,
    &'static [&'static str],
    Platform,
) {
    let want = inputs
        .setting("component")
        .unwrap_or("operate")
        .to_ascii_lowercase()
        .replace('-', "_");
    COMPONENTS
        .iter()
        .find(|c| c.0 == want)
        .unwrap_or(&COMPONENTS[1])
}

impl Target for Camunda {
    fn info(&self) -> TargetInfo {
        TargetInfo {
            name: "camunda",
            display_name: "Camunda Self-Managed",
            summary: "one registration per Camunda component (Operate, Tasklist, Optimize, Identity, Web Modeler, Console)",
            source: SEED,
        }
    }

    fn fields(&self) -> Vec<Field> {
        vec![Field {
            key: "component",
            label: "Component",
            kind: FieldKind::Choice {
                options: COMPONENTS.iter().map(|c| c.0).collect(),
            },
            default: Some("operate"),
            help: "Each component gets its own app registration.",
            source: SEED,
        }]
    }

    fn default_client_type(&self) -> ClientType {
        ClientType::Confidential
    }

    fn requirements(&self, inputs: &TargetInputs) -> Requirements {
        let (key, name, paths, platform) = component(inputs);
        let mut r = Requirements::new(format!("Camunda {name}"), inputs.audience);
        for p in paths.iter() {
            let note = match (*key, *p) {
                ("operate", "/auth/login-callback") => {
                    Some("Operate as in the seed guide (older versions)".to_string())
                }
                ("operate", "/identity-callback") => {
                    Some("Operate in newer versions: register both".to_string())
                }
                _ => None,
            };
            r.redirects.push(RedirectRequirement {
                uri: format!("{}{p}", inputs.base()),
                platform: *platform,
                note,
                source: if *key == "operate" { SEED } else { FACTS },
            });
        }
        r.secret = *platform == Platform::Web;
        r.api_permissions = vec![gp::EMAIL, gp::OPENID, gp::OFFLINE_ACCESS, gp::PROFILE];
        r.admin_consent = true;
        r.access_token_version = Some(2);
        r.notes.push(format!("Camunda requests the scopes email openid offline_access profile {}/.default (docs/products/camunda.md#what-it-needs-from-entra).", inputs.client_id_or_placeholder()));
        r.notes.push(
            "The issuer must end in /v2.0: set requestedAccessTokenVersion to 2 (docs/products/camunda.md#what-it-needs-from-entra)."
                .into(),
        );
        r
    }

    fn configuration(&self, inputs: &TargetInputs, secret: Option<&SecretString>) -> Configuration {
        let (_, name, _, platform) = component(inputs);
        let issuer = format!(
            "https://{}/{}/v2.0",
            inputs.cloud.authority_host(),
            inputs.tenant_or_placeholder()
        );
        let cid = inputs.client_id_or_placeholder();
        let mut e = vec![
            ConfigEntry::new("CAMUNDA_IDENTITY_TYPE", "AZUREAD", SEED),
            ConfigEntry::new("CAMUNDA_IDENTITY_ISSUER", issuer.clone(), SEED),
            ConfigEntry::new("CAMUNDA_IDENTITY_ISSUER_BACKEND_URL", issuer, SEED),
            ConfigEntry::new("CAMUNDA_IDENTITY_CLIENT_ID", cid.clone(), SEED),
        ];
        if *platform == Platform::Web {
            e.push(ConfigEntry::secret(
                "CAMUNDA_IDENTITY_CLIENT_SECRET",
                secret_text(inputs, "camunda", secret),
                SEED,
            ));
        }
        e.push(ConfigEntry::new("CAMUNDA_IDENTITY_AUDIENCE", cid, SEED));
        Configuration {
            blocks: vec![ConfigBlock::new(
                format!("Camunda {name}"),
                ConfigFormat::Env,
                e,
            )],
            notes: vec!["Newer Camunda versions spell CAMUNDA_IDENTITY_TYPE=MICROSOFT.".into()],
        }
    }

    fn needs(&self, _inputs: &TargetInputs) -> TargetNeeds {
        TargetNeeds {
            roles: false,
            groups: false,
            email: true,
        }
    }

    fn verdict(&self, tokens: &TokenSet<'_>, inputs: &TargetInputs) -> Vec<VerdictCheck> {
        if let Some(code) = tokens.error {
            return vec![error_check(code, tokens.error_description)];
        }
        let Some(at) = tokens.access else {
            return vec![VerdictCheck::new("camunda.access_token.missing", CheckStatus::Unknown,
                if tokens.graph.is_some() { "Only a Microsoft Graph access token was pasted: Camunda validates an access token for its own client ID." } else { "Camunda validates the access token; none was pasted." }, FACTS)
                .fix(format!("Request the scope {}/.default and paste the token response.", inputs.client_id_or_placeholder()))];
        };
        let mut out = Vec::new();
        let iss = str_claim(at, "iss").unwrap_or_default();
        if token_version(at).as_deref() == Some("1.0")
            || !iss.trim_end_matches('/').ends_with("/v2.0")
        {
            out.push(VerdictCheck::new("camunda.token.v1", CheckStatus::Fail,
                format!("The access token is v1.0 (issuer {iss}); Camunda's CAMUNDA_IDENTITY_ISSUER ends in /v2.0, so the issuer does not match."), FACTS)
                .fix("Manifest → set \"requestedAccessTokenVersion\": 2 (accessTokenAcceptedVersion in the older format)."));
        } else {
            out.push(VerdictCheck::new(
                "camunda.iss",
                CheckStatus::Pass,
                format!("v2.0 issuer {iss}."),
                FACTS,
            ));
        }
        if let Some(cid) = client_id(inputs) {
            out.push(check_aud(
                at,
                &[cid],
                "camunda.aud",
                "CAMUNDA_IDENTITY_AUDIENCE is the client ID",
                SEED,
            ));
        }
        out
    }
}
