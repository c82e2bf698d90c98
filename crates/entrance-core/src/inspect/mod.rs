//! The token inspector: what a pasted token is, what its claims mean, what is
//! wrong with it, and (when asked) whether its signature holds.
//!
//! ```text
//! text ──token::recognize──▶ Pasted ──(verify::verify_pasted, async, optional)──▶ [SignatureCheck]
//!                               └───────────────inspect()──────────────────────▶ Inspection
//! ```
//!
//! [`inspect_text`] and [`inspect_and_verify`] are the two entry points the
//! CLI and the app call. Findings come from the rules in `rules.rs`, one
//! function per finding family, listed in one registry.
//!
//! Extension points: [`TargetNeeds`] is what a target product requires of a
//! token (filled by the target profiles); overage resolution through Microsoft
//! Graph plugs in after `groups.overage`.

mod facts;
mod rules;

use serde::{Deserialize, Serialize};

pub use facts::{
    audiences, is_graph_token, kind_of, parse_issuer, version_claim, Cloud, Issuer, IssuerForm,
    TokenKind, TokenVersion,
};

use crate::aadsts::{find_codes, EntraError, FoundCode};
use crate::claims::{explain_claims, AppRoleName, ClaimExplanation};
use crate::findings::{Finding, FindingCode};
use crate::token::{self, Content, JsonObject, Pasted, SamlSummary, Source, Wrapper};
use crate::verify::{self, SignatureCheck, VerifyOptions};

/// The default allowance for clock skew: 5 minutes.
pub const DEFAULT_SKEW_SECONDS: u32 = 300;
/// The most clock skew Entrance allows, whatever is asked: 15 minutes.
pub const MAX_SKEW_SECONDS: u32 = 900;

/// What a target product requires of a token. The target profiles fill it;
/// with the default (nothing required) only universal findings fire.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct TargetNeeds {
    /// The product maps app roles from `roles` (Grafana role mapping).
    pub roles: bool,
    /// The product authorizes on `groups` (Keep, Grafana `allowed_groups`).
    pub groups: bool,
    /// The product needs `email` (user matching, display).
    pub email: bool,
}

/// What the admin told Entrance about the token's purpose. All optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct InspectOptions {
    /// The Application (client) ID the token should be for (`aud`).
    pub client_id: Option<String>,
    /// The Directory (tenant) ID the token should come from (a GUID).
    pub tenant: Option<String>,
    /// What the target product needs.
    pub needs: TargetNeeds,
    /// The registration's app roles, to name the values of `roles`.
    pub app_roles: Vec<AppRoleName>,
    /// Allowed clock skew in seconds; default 300, at most 900.
    pub skew_seconds: Option<u32>,
}

impl InspectOptions {
    /// Checks what the admin typed.
    pub fn validate(&self) -> crate::Result<()> {
        if let Some(tenant) = &self.tenant {
            if !token::is_guid(tenant.trim()) {
                return Err(crate::Error::InvalidInput {
                    field: "tenant".into(),
                    reason: format!("must be the Directory (tenant) ID, a GUID; got {} characters that are not one", tenant.chars().count()),
                    fix: Some("Copy the Directory (tenant) ID from App registration → Overview. Domain names cannot be compared with a token offline.".into()),
                });
            }
        }
        if self
            .client_id
            .as_deref()
            .is_some_and(|c| c.trim().is_empty())
        {
            return Err(crate::Error::InvalidInput {
                field: "client ID".into(),
                reason: "is empty".into(),
                fix: Some(
                    "Copy the Application (client) ID from App registration → Overview.".into(),
                ),
            });
        }
        Ok(())
    }

    /// The clock skew in effect, bounded.
    pub fn skew(&self) -> i64 {
        i64::from(
            self.skew_seconds
                .unwrap_or(DEFAULT_SKEW_SECONDS)
                .min(MAX_SKEW_SECONDS),
        )
    }
}

/// Everything Entrance found in one paste.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct Inspection {
    /// How the paste was wrapped.
    pub wrapper: Wrapper,
    /// One report per item found, in order (a token response gives two).
    pub tokens: Vec<TokenReport>,
}

/// One token (or other item) of a paste, explained.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct TokenReport {
    /// Where in the paste it was found.
    pub source: Source,
    /// What it is.
    pub kind: TokenKind,
    /// Why Entrance thinks so.
    pub kind_evidence: Vec<String>,
    /// `1.0` or `2.0`, for JWTs.
    pub version: Option<TokenVersion>,
    /// The issuer read: form, cloud, tenant, key location.
    pub issuer: Option<Issuer>,
    /// The tenant (`tid`, else from the issuer).
    pub tenant_id: Option<String>,
    /// An access token for an app acting as itself (no user).
    pub app_only: bool,
    /// The JOSE header (JWS and JWE).
    #[specta(type = Option<crate::token::JsonObjectType>)]
    pub header: Option<JsonObject>,
    /// The claims (JWS).
    #[specta(type = Option<crate::token::JsonObjectType>)]
    pub claims: Option<JsonObject>,
    /// Every claim explained, in the token's order.
    pub explanations: Vec<ClaimExplanation>,
    /// What a SAML document holds.
    pub saml: Option<SamlSummary>,
    /// An Entra error response, typed.
    pub error: Option<EntraError>,
    /// AADSTS codes in an error response, with the catalog's explanation.
    pub aadsts: Vec<FoundCode>,
    /// The signature check (`not_checked` unless verification was asked).
    pub signature: SignatureCheck,
    /// What Entrance noticed.
    pub findings: Vec<Finding>,
}

impl Inspection {
    /// Whether anything could be read (a JWT or SAML): else the paste is
    /// unusable (the CLI exits 2).
    pub fn readable(&self) -> bool {
        self.tokens
            .iter()
            .any(|t| t.claims.is_some() || t.saml.is_some())
    }

    /// `None` when no signature was checked; otherwise whether every JWT's
    /// signature is valid and none fails validation (expired, not yet valid,
    /// wrong audience, tenant or issuer version).
    pub fn verified(&self) -> Option<bool> {
        let checked: Vec<&TokenReport> = self
            .tokens
            .iter()
            .filter(|t| !matches!(t.signature, SignatureCheck::NotChecked))
            .collect();
        if checked.is_empty() {
            return None;
        }
        Some(checked.iter().all(|t| {
            matches!(t.signature, SignatureCheck::Valid { .. })
                && !t.findings.iter().any(|f| fails_validation(f.code))
        }))
    }

    /// Every finding of every item.
    pub fn findings(&self) -> impl Iterator<Item = &Finding> {
        self.tokens.iter().flat_map(|t| t.findings.iter())
    }
}

/// Findings that make a token fail validation.
pub fn fails_validation(code: FindingCode) -> bool {
    matches!(
        code,
        FindingCode::TokenExpired
            | FindingCode::TokenNotYetValid
            | FindingCode::AudMismatch
            | FindingCode::IssTenantMismatch
            | FindingCode::IssVersionMismatch
            | FindingCode::SignatureInvalid
            | FindingCode::SignatureKidUnknown
            | FindingCode::SignatureUnverifiable
    )
}

/// Decodes and explains `text` without verifying anything (no network).
///
/// # Errors
/// [`crate::Error::InvalidInput`] for unusable options or a malformed paste.
pub fn inspect_text(text: &str, options: &InspectOptions, now: i64) -> crate::Result<Inspection> {
    options.validate()?;
    let pasted = token::recognize(text)?;
    Ok(inspect(&pasted, options, &[], now))
}

/// Decodes, explains and verifies `text`: fetches the signing keys (from the
/// token's tenant, or `verify.jwks`) and checks every JWT's signature.
///
/// # Errors
/// As [`inspect_text`]. A failed verification is not an error: it is in each
/// report's `signature` and findings, and [`Inspection::verified`].
pub async fn inspect_and_verify(
    text: &str,
    options: &InspectOptions,
    verify: &VerifyOptions,
    now: i64,
) -> crate::Result<Inspection> {
    options.validate()?;
    let pasted = token::recognize(text)?;
    let signatures = verify::verify_pasted(&pasted, verify, options.client_id.as_deref()).await;
    Ok(inspect(&pasted, options, &signatures, now))
}

/// Builds the report. `signatures` lines up with `pasted.items` (missing
/// entries are "not checked").
pub fn inspect(
    pasted: &Pasted,
    options: &InspectOptions,
    signatures: &[SignatureCheck],
    now: i64,
) -> Inspection {
    let tokens = pasted
        .items
        .iter()
        .enumerate()
        .map(|(i, found)| {
            let signature = signatures
                .get(i)
                .cloned()
                .unwrap_or(SignatureCheck::NotChecked);
            report(&found.source, &found.content, options, signature, now)
        })
        .collect();
    Inspection {
        wrapper: pasted.wrapper,
        tokens,
    }
}

fn empty_report(source: &Source, kind: TokenKind, signature: SignatureCheck) -> TokenReport {
    TokenReport {
        source: source.clone(),
        kind,
        kind_evidence: Vec::new(),
        version: None,
        issuer: None,
        tenant_id: None,
        app_only: false,
        header: None,
        claims: None,
        explanations: Vec::new(),
        saml: None,
        error: None,
        aadsts: Vec::new(),
        signature,
        findings: Vec::new(),
    }
}

fn report(
    source: &Source,
    content: &Content,
    options: &InspectOptions,
    signature: SignatureCheck,
    now: i64,
) -> TokenReport {
    match content {
        Content::Jws(jws) => {
            let (kind, kind_evidence) = kind_of(jws);
            let version = facts::version_claim(jws);
            let issuer = jws.claim_str("iss").map(|iss| parse_issuer(iss, version));
            let version = version.or(match issuer.as_ref().map(|i| i.form) {
                Some(IssuerForm::V1) => Some(TokenVersion::V1),
                Some(IssuerForm::V2) => Some(TokenVersion::V2),
                _ => None,
            });
            let tenant_id = jws
                .claim_str("tid")
                .map(str::to_string)
                .or_else(|| issuer.as_ref().and_then(|i| i.tenant.clone()));
            let app_only = kind == TokenKind::AccessToken
                && (jws.claim_str("idtyp") == Some("app") || !jws.claims.contains_key("scp"));
            let mut r = TokenReport {
                kind,
                kind_evidence,
                version,
                issuer,
                tenant_id,
                app_only,
                header: Some(jws.header.clone()),
                claims: Some(jws.claims.clone()),
                explanations: explain_claims(&jws.claims, &options.app_roles, now),
                ..empty_report(source, kind, signature)
            };
            r.findings = rules::jws_findings(jws, &r, options, now);
            r
        }
        Content::Jwe(jwe) => {
            let mut r = empty_report(source, TokenKind::Jwe, signature);
            r.header = Some(jwe.header.clone());
            r.findings = vec![rules::jwe_finding(jwe)];
            r
        }
        Content::Saml(saml) => {
            let mut r = empty_report(source, TokenKind::Saml, signature);
            r.findings = rules::saml_findings(saml);
            r.saml = Some((**saml).clone());
            r
        }
        Content::AuthorizationCode => {
            let mut r = empty_report(source, TokenKind::AuthorizationCode, signature);
            r.findings = vec![rules::authorization_code_finding()];
            r
        }
        Content::ErrorResponse(error) => {
            let mut r = empty_report(source, TokenKind::ErrorResponse, signature);
            let text = [error.description.as_deref(), error.error_uri.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join("\n");
            let mut codes = find_codes(&text);
            if let Some(code) = error.aadsts {
                if !codes.iter().any(|c| c.code == code) {
                    codes.insert(0, FoundCode::new(code));
                }
            }
            r.findings = vec![rules::error_response_finding(error, &codes)];
            r.error = Some((**error).clone());
            r.aadsts = codes;
            r
        }
        Content::Opaque(hint) => {
            let mut r = empty_report(source, TokenKind::NotAToken, signature);
            r.findings = vec![rules::not_a_token_finding(*hint)];
            r
        }
    }
}

#[cfg(test)]
mod tests;
