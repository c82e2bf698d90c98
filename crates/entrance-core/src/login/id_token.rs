//! ID token verification, OpenID Connect Core 3.1.3.7.
//!
//! openidconnect checks the signature against the provider's keys (step 6,
//! only the algorithms the provider announces, step 7), the audience (step
//! 3), expiry (step 9, with [`CLOCK_SKEW`] allowed) and the nonce (step 11).
//! Entrance checks the issuer itself (step 2), because Entra's `common` /
//! `organizations` issuer is a template to fill with the token's `tid`
//! (docs/entra.md#token-versions-and-issuers), and `iat` / `nbf` against the same bounded skew.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use openidconnect::core::CoreIdTokenVerifier;
use openidconnect::{ClientId, IssuerUrl, Nonce};
use serde::Serialize;
use serde_json::Value;

use super::token_response::parse_id_token;
use super::{IdTokenCheck, LoginError, Provider};
use crate::token::{Content, JsonObject};

/// The clock difference tolerated between this machine and the provider.
pub const CLOCK_SKEW: Duration = Duration::from_secs(300);

/// What was checked, for the admin and the inspector.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct IdTokenVerification {
    /// `alg` of the signature.
    pub alg: String,
    /// `kid` of the key that verified it.
    pub kid: Option<String>,
    /// Where the keys came from (`jwks_uri`).
    pub keys_from: String,
    /// The issuer the token had to carry (for Entra's template: filled with `tid`).
    pub issuer: String,
    /// The issuer came from Entra's `{tenantid}` template.
    pub issuer_from_template: bool,
    /// The client ID found in `aud`.
    pub audience: String,
    /// `exp`, Unix seconds.
    pub expires_at: f64,
    /// `iat`, Unix seconds.
    pub issued_at: f64,
    /// `nbf`, Unix seconds, when present.
    pub not_before: Option<f64>,
    /// The nonce was required and matched (the code flow); `false` where
    /// none was sent (a refresh).
    pub nonce_checked: bool,
    /// The clock skew allowed, in seconds.
    pub skew_secs: u32,
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn invalid(check: IdTokenCheck, detail: impl Into<String>) -> LoginError {
    LoginError::InvalidIdToken {
        check,
        detail: detail.into(),
    }
}

/// Decodes a compact JWT's header and claims (without verifying).
pub(crate) fn decode_jws(text: &str) -> Option<(JsonObject, JsonObject)> {
    let pasted = crate::token::recognize(text).ok()?;
    match pasted.items.into_iter().next()?.content {
        Content::Jws(jws) => Some((jws.header, jws.claims)),
        _ => None,
    }
}

/// Verifies `text` as this provider's ID token for `client_id`. `nonce` is
/// the one sent in the authorization request (`None` for a refresh, where
/// OpenID Connect Core 12.2 sends none).
pub(crate) async fn verify(
    provider: &Provider,
    client_id: &str,
    text: &str,
    nonce: Option<&Nonce>,
) -> Result<(IdTokenVerification, JsonObject), LoginError> {
    let id_token = parse_id_token(text).map_err(|e| invalid(IdTokenCheck::Format, e))?;
    let (header, claims) = decode_jws(text).ok_or_else(|| {
        invalid(
            IdTokenCheck::Format,
            "not a signed JWT (header.payload.signature)",
        )
    })?;
    let s = |o: &JsonObject, k: &str| o.get(k).and_then(Value::as_str).map(str::to_string);
    let kid = s(&header, "kid");
    let alg = s(&header, "alg").unwrap_or_default();
    let keys = provider.keys(kid.as_deref()).await?;

    let skew = CLOCK_SKEW;
    let issuer_url = IssuerUrl::new(provider.info().issuer.clone()).map_err(|e| {
        invalid(
            IdTokenCheck::Issuer,
            format!("the provider's issuer is not a URL: {e}"),
        )
    })?;
    let verifier = CoreIdTokenVerifier::new_public_client(
        ClientId::new(client_id.to_string()),
        issuer_url,
        (*keys).clone(),
    )
    // Step 2 is Entrance's own (the Entra template), below.
    .require_issuer_match(false)
    .set_allowed_algs(
        provider
            .metadata
            .id_token_signing_alg_values_supported()
            .iter()
            .cloned(),
    )
    // Step 9 with the skew: "now" as seen by a clock `skew` behind.
    .set_time_fn(move || (SystemTime::now() - skew).into());

    let verified = match nonce {
        Some(n) => id_token.claims(&verifier, n).map(|_| ()),
        None => id_token
            .claims(&verifier, |_: Option<&Nonce>| Ok(()))
            .map(|_| ()),
    };
    if let Err(e) = verified {
        use openidconnect::ClaimsVerificationError as E;
        let (check, detail) = match &e {
            E::Expired(d) => (IdTokenCheck::Expiry, d.clone()),
            E::InvalidAudience(d) => (IdTokenCheck::Audience, d.clone()),
            E::InvalidIssuer(d) => (IdTokenCheck::Issuer, d.clone()),
            E::InvalidNonce(d) => (IdTokenCheck::Nonce, d.clone()),
            E::SignatureVerification(sig) => {
                let detail = crate::login::http::chain(sig);
                if matches!(
                    sig,
                    openidconnect::SignatureVerificationError::DisallowedAlg(_)
                ) {
                    (IdTokenCheck::Algorithm, detail)
                } else {
                    (IdTokenCheck::Signature, detail)
                }
            }
            other => (IdTokenCheck::Format, other.to_string()),
        };
        return Err(invalid(check, detail));
    }
    // Step 2: the issuer, Entra's template filled with the token's tid.
    let tid = s(&claims, "tid");
    let expected = provider
        .expected_issuer(tid.as_deref())
        .map_err(|e| invalid(IdTokenCheck::Issuer, e))?;
    let iss = s(&claims, "iss").unwrap_or_default();
    if iss != expected {
        return Err(invalid(
            IdTokenCheck::Issuer,
            format!("expected `{expected}`, found `{iss}`"),
        ));
    }

    let now = now();
    let skew_secs = skew.as_secs() as i64;
    let num = |k: &str| claims.get(k).and_then(crate::claims::number);
    let exp = num("exp").unwrap_or_default();
    let iat = num("iat").ok_or_else(|| invalid(IdTokenCheck::IssuedAt, "no iat claim"))?;
    if iat > now + skew_secs {
        return Err(invalid(
            IdTokenCheck::IssuedAt,
            format!(
                "issued {} s in the future (this machine's clock allows {skew_secs} s)",
                iat - now
            ),
        ));
    }
    let nbf = num("nbf");
    if let Some(nbf) = nbf {
        if nbf > now + skew_secs {
            return Err(invalid(
                IdTokenCheck::NotBefore,
                format!(
                    "not valid for another {} s (beyond the {skew_secs} s skew)",
                    nbf - now
                ),
            ));
        }
    }
    let audience = client_id.to_string();
    Ok((
        IdTokenVerification {
            alg,
            kid,
            keys_from: provider.info().jwks_uri.clone(),
            issuer: expected,
            issuer_from_template: provider.info().issuer.contains("{tenantid}"),
            audience,
            expires_at: exp as f64,
            issued_at: iat as f64,
            not_before: nbf.map(|n| n as f64),
            nonce_checked: nonce.is_some(),
            skew_secs: skew.as_secs() as u32,
        },
        claims,
    ))
}
