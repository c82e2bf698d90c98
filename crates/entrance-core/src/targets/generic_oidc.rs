//! Any product with a generic OpenID Connect login (authorization code,
//! Web platform, client secret). Facts from docs/entra.md#token-versions-and-issuers, docs/entra.md#redirect-uris.

use super::verdict::{
    check_aud, client_id, error_check, str_claim, tenant_guid, token_tenant, token_version,
};
use super::{
    graph_permissions as gp, secret_text, CheckStatus, ClientType, ConfigBlock, ConfigEntry,
    ConfigFormat, Configuration, Field, FieldKind, Platform, RedirectRequirement, Requirements,
    Target, TargetInfo, TargetInputs, TokenSet, VerdictCheck,
};
use crate::inspect::TargetNeeds;
use crate::secrets::SecretString;

const FACTS: &str = "docs/entra.md#token-versions-and-issuers, docs/entra.md#redirect-uris";

/// A generic OpenID Connect relying party.
pub struct GenericOidc;

fn redirect_path(inputs: &TargetInputs) -> String {
    let p = inputs
        .setting("redirect_path")
        .unwrap_or("/oauth2/callback");
    if p.starts_with('/') {
        p.to_string()
    } else {
        format!("/{p}")
    }
}

impl Target for GenericOidc {
    fn info(&self) -> TargetInfo {
        TargetInfo {
            name: "generic-oidc",
            display_name: "Generic OpenID Connect",
            summary:
                "any product with an OpenID Connect login (issuer, client ID, secret, redirect URI)",
            source: FACTS,
        }
    }

    fn fields(&self) -> Vec<Field> {
        vec![Field {
            key: "redirect_path",
            label: "Redirect path",
            kind: FieldKind::Text,
            default: Some("/oauth2/callback"),
            help: "The callback path the product documents.",
            source: "the product's documentation",
        }, Field {
            key: "response_type",
            label: "Response type",
            kind: FieldKind::Choice {
                options: vec!["code", "code id_token", "id_token"],
            },
            default: Some("code"),
            help: "What the product asks the authorization endpoint for; with id_token, ID tokens must be enabled under Authentication.",
            source: "docs/entra.md#errors (700054)",
        }]
    }

    fn requirements(&self, inputs: &TargetInputs) -> Requirements {
        let public = inputs.client_type_for(self) == ClientType::Public;
        let mut r = Requirements::new("OpenID Connect app", inputs.audience);
        r.redirects = vec![RedirectRequirement {
            uri: format!("{}{}", inputs.base(), redirect_path(inputs)),
            platform: if public { Platform::Spa } else { Platform::Web },
            note: None,
            source: FACTS,
        }];
        r.secret = !public;
        r.api_permissions = vec![gp::OPENID, gp::PROFILE, gp::EMAIL, gp::OFFLINE_ACCESS];
        r.implicit_id_token = inputs
            .setting("response_type")
            .is_some_and(|t| t.split_whitespace().any(|p| p == "id_token"));
        r
    }

    fn configuration(&self, inputs: &TargetInputs, secret: Option<&SecretString>) -> Configuration {
        let host = inputs.cloud.authority_host();
        let t = inputs.authority_tenant();
        let mut e = vec![
            ConfigEntry::new(
                "Issuer",
                format!("https://{host}/{t}/v2.0"),
                "docs/entra.md#token-versions-and-issuers",
            ),
            ConfigEntry::new(
                "Discovery URL",
                format!("https://{host}/{t}/v2.0/.well-known/openid-configuration"),
                "docs/entra.md#token-versions-and-issuers",
            ),
            ConfigEntry::new("Client ID", inputs.client_id_or_placeholder(), FACTS),
        ];
        if inputs.client_type_for(self) == ClientType::Confidential {
            e.push(ConfigEntry::secret(
                "Client secret",
                secret_text(inputs, "generic-oidc", secret),
                FACTS,
            ));
        }
        e.push(ConfigEntry::new(
            "Redirect URI",
            format!("{}{}", inputs.base(), redirect_path(inputs)),
            FACTS,
        ));
        e.push(ConfigEntry::new(
            "Scopes",
            "openid profile email offline_access",
            FACTS,
        ));
        Configuration { blocks: vec![ConfigBlock::new("OpenID Connect settings", ConfigFormat::Fields, e)], notes: vec!["Multi-tenant apps: the discovery issuer is a template with {tenantid}; strict issuer checks fail.".into()] }
    }

    fn needs(&self, _inputs: &TargetInputs) -> TargetNeeds {
        TargetNeeds::default()
    }

    fn verdict(&self, tokens: &TokenSet<'_>, inputs: &TargetInputs) -> Vec<VerdictCheck> {
        if let Some(code) = tokens.error {
            return vec![error_check(code, tokens.error_description)];
        }
        let Some(id) = tokens.id else {
            return vec![VerdictCheck::new(
                "oidc.id_token.missing",
                CheckStatus::Unknown,
                "No ID token was pasted.",
                FACTS,
            )];
        };
        let mut out = Vec::new();
        if let Some(cid) = client_id(inputs) {
            out.push(check_aud(
                id,
                &[cid],
                "oidc.aud",
                "The ID token's aud",
                FACTS,
            ));
        }
        if token_version(id).as_deref() == Some("1.0") {
            out.push(VerdictCheck::new("oidc.token.v1", CheckStatus::Warn,
                "A v1.0 ID token: its issuer (sts.windows.net) differs from the v2.0 discovery document's.", "docs/entra.md#token-versions-and-issuers")
                .fix("Use the /oauth2/v2.0/ endpoints."));
        }
        if let (Some(want), Some(got)) = (tenant_guid(inputs), token_tenant(id)) {
            if want != got {
                out.push(VerdictCheck::new(
                    "oidc.tenant",
                    CheckStatus::Fail,
                    format!("The token is from tenant {got}, not {want}."),
                    "docs/entra.md#claims",
                ));
            }
        }
        if str_claim(id, "iss").is_some() && out.iter().all(|c| c.status != CheckStatus::Fail) {
            out.push(VerdictCheck::new(
                "oidc.ok",
                CheckStatus::Pass,
                "The ID token fits this registration.",
                FACTS,
            ));
        }
        out
    }
}
