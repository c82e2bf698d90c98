//! OpenMetadata / Collate Azure SSO, public (SPA) or confidential (Web)
//! client (docs/products/openmetadata.md#what-it-needs-from-entra).

use super::verdict::{check_aud, client_id, error_check, str_claim};
use super::{
    graph_permissions as gp, secret_text, CheckStatus, ClientType, ConfigBlock, ConfigEntry,
    ConfigFormat, Configuration, Platform, RedirectRequirement, Requirements, Target, TargetInfo,
    TargetInputs, TokenSet, VerdictCheck,
};
use crate::inspect::TargetNeeds;
use crate::secrets::SecretString;

const SEED: &str = "docs/products/openmetadata.md#what-it-needs-from-entra";
const FACTS: &str = "docs/products/openmetadata.md#what-it-needs-from-entra";

/// OpenMetadata.
pub struct OpenMetadata;

impl Target for OpenMetadata {
    fn info(&self) -> TargetInfo {
        TargetInfo {
            name: "openmetadata",
            display_name: "OpenMetadata",
            summary: "OpenMetadata's Azure SSO as a public (SPA) or confidential (Web) client",
            source: SEED,
        }
    }

    fn default_client_type(&self) -> ClientType {
        ClientType::Public
    }

    fn requirements(&self, inputs: &TargetInputs) -> Requirements {
        let public = inputs.client_type_for(self) == ClientType::Public;
        let platform = if public { Platform::Spa } else { Platform::Web };
        let base = inputs.base();
        let mut r = Requirements::new("OpenMetadata", inputs.audience);
        r.redirects = vec![
            RedirectRequirement {
                uri: format!("{base}/callback"),
                platform,
                note: Some("the callback the UI shows".into()),
                source: SEED,
            },
            RedirectRequirement {
                uri: format!("{base}/auth/callback"),
                platform,
                note: Some("some versions send this one (AADSTS50011 otherwise)".into()),
                source: FACTS,
            },
        ];
        r.secret = !public;
        r.api_permissions = vec![
            gp::OPENID,
            gp::PROFILE,
            gp::EMAIL,
            gp::OFFLINE_ACCESS,
            gp::USER_READ,
        ];
        r.notes.push(if public {
            "Public client: SPA redirect URIs and no secret; a secret with SPA fails (docs/products/openmetadata.md#what-it-needs-from-entra).".into()
        } else {
            "Confidential client: Web redirect URIs and a secret; Web without a secret fails (docs/products/openmetadata.md#what-it-needs-from-entra).".into()
        });
        r.notes.push("AUTHENTICATION_AUTHORITY is https://login.microsoftonline.com/{tenant} — without /oauth2/v2.0/authorize (docs/products/openmetadata.md#what-it-needs-from-entra).".into());
        r
    }

    fn configuration(&self, inputs: &TargetInputs, secret: Option<&SecretString>) -> Configuration {
        let public = inputs.client_type_for(self) == ClientType::Public;
        let host = inputs.cloud.authority_host();
        let tenant = inputs.tenant_or_placeholder();
        let base = inputs.base();
        let cid = inputs.client_id_or_placeholder();
        let mut e = vec![
            ConfigEntry::new("AUTHENTICATION_PROVIDER", "azure", FACTS),
            ConfigEntry::new(
                "AUTHENTICATION_PUBLIC_KEYS",
                format!("[https://{host}/common/discovery/keys, {base}/api/v1/system/config/jwks]"),
                FACTS,
            ),
            ConfigEntry::new(
                "AUTHENTICATION_AUTHORITY",
                format!("https://{host}/{tenant}"),
                SEED,
            ),
            ConfigEntry::new("AUTHENTICATION_CLIENT_ID", cid.clone(), SEED),
            ConfigEntry::new(
                "AUTHENTICATION_CALLBACK_URL",
                format!("{base}/callback"),
                FACTS,
            ),
            ConfigEntry::new(
                "AUTHENTICATION_CLIENT_TYPE",
                if public { "public" } else { "confidential" },
                FACTS,
            ),
        ];
        if !public {
            e.extend([
                ConfigEntry::new("OIDC_CLIENT_ID", cid, FACTS),
                ConfigEntry::new("OIDC_TYPE", "azure", FACTS),
                ConfigEntry::new("OIDC_TENANT", tenant.clone(), FACTS),
                ConfigEntry::secret(
                    "OIDC_CLIENT_SECRET",
                    secret_text(inputs, "openmetadata", secret),
                    FACTS,
                ),
                ConfigEntry::new(
                    "OIDC_DISCOVERY_URI",
                    format!("https://{host}/{tenant}/v2.0/.well-known/openid-configuration"),
                    FACTS,
                ),
                ConfigEntry::new("OIDC_CALLBACK", format!("{base}/callback"), FACTS),
            ]);
        }
        Configuration {
            blocks: vec![ConfigBlock::new(
                format!(
                    "OpenMetadata server ({} client)",
                    if public { "public" } else { "confidential" }
                ),
                ConfigFormat::Env,
                e,
            )],
            notes: Vec::new(),
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
        let public = inputs.client_type_for(self) == ClientType::Public;
        if let Some(code) = tokens.error {
            let mut c = error_check(code, tokens.error_description);
            match (code, public) {
                (7000218 | 9002326, true) => {
                    c.message = format!("Entra answered AADSTS{code}: the redirect URI is registered under Web, but OpenMetadata's public client redeems the code from the browser without a secret.");
                    c.fix = Some("Authentication → move /callback and /auth/callback from Web to Single-page application.".into());
                    c.source = SEED.into();
                }
                (9002327 | 700025, false) => {
                    c.message = format!("Entra answered AADSTS{code}: the redirect URI is registered as Single-page application, but the confidential client redeems with a secret from the server.");
                    c.fix = Some("Authentication → move the redirect URIs to Web.".into());
                    c.source = SEED.into();
                }
                (50011, _) => {
                    c.fix = Some(format!(
                        "Register both {0}/callback and {0}/auth/callback.",
                        inputs.base()
                    ));
                    c.source = FACTS.into();
                }
                _ => {}
            }
            return vec![c];
        }
        let Some(id) = tokens.id else {
            return vec![VerdictCheck::new(
                "openmetadata.id_token.missing",
                CheckStatus::Unknown,
                "OpenMetadata validates the ID token; none was pasted.",
                FACTS,
            )];
        };
        let mut out = Vec::new();
        if let Some(cid) = client_id(inputs) {
            out.push(check_aud(
                id,
                &[cid],
                "openmetadata.aud",
                "AUTHENTICATION_CLIENT_ID must be the ID token's aud",
                SEED,
            ));
        }
        match str_claim(id, "email").or_else(|| str_claim(id, "preferred_username")) {
            Some(e) => out.push(VerdictCheck::new("openmetadata.user", CheckStatus::Pass, format!("User name: {e}."), FACTS)),
            None => out.push(VerdictCheck::new("openmetadata.email.absent", CheckStatus::Fail,
                "Neither `email` nor `preferred_username` in the ID token: OpenMetadata cannot name the user.", FACTS)
                .fix("Request the email and profile scopes.")),
        }
        out
    }
}
