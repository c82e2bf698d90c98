//! The signing keys: the discovery document's `jwks_uri` answers a key set
//! with at least one RSA key a product can verify tokens with (Entra signs
//! RS256, keys carry `kid` = `x5t`, docs/entra.md#token-versions-and-issuers). Read with the token
//! verifier's own JWKS parser, so what passes here verifies there.

use jsonwebtoken::DecodingKey;

use super::context::Context;
use super::runner::Outcome;
use super::tenant::{client_for, discovery, send, server_error, unreachable, MAX_BODY_BYTES};
use super::{DiagnoseCode, DiagnoseFinding};
use crate::findings::Severity;

pub(super) async fn run(cx: &Context) -> Outcome {
    let Some(url) = discovery(cx).and_then(|d| d.jwks_uri) else {
        return Outcome::skipped("The discovery document names no jwks_uri.");
    };
    let client = match client_for(
        cx,
        DiagnoseCode::JwksUnreachable,
        "The signing keys",
        url.as_str(),
    ) {
        Ok(c) => c,
        Err(failed) => return failed,
    };
    let request = client
        .get(url.clone())
        .header(reqwest::header::ACCEPT, "application/json");
    let answer = match send(request, MAX_BODY_BYTES).await {
        Ok(a) => a,
        Err(why) => {
            return Outcome::failed(
                format!("The signing keys could not be fetched: {why}."),
                unreachable(
                    DiagnoseCode::JwksUnreachable,
                    "The signing keys",
                    url.as_str(),
                    &why,
                ),
            )
            .detail("jwks_uri", url.as_str())
        }
    };
    if answer.status >= 500 {
        return Outcome::failed(
            format!("The signing keys answered HTTP {}.", answer.status),
            server_error(
                "The signing keys endpoint",
                answer.status,
                answer.entra_error().as_ref(),
            ),
        )
        .detail("jwks_uri", url.as_str());
    }
    if !(200..300).contains(&answer.status) {
        return Outcome::failed(
            format!("The signing keys answered HTTP {}.", answer.status),
            DiagnoseFinding::new(
                DiagnoseCode::JwksUnreachable,
                Severity::Error,
                format!(
                    "{url} answered HTTP {} instead of a key set.",
                    answer.status
                ),
                "Products fetch this URL to verify every token: it must answer 200 with the keys. \
                 Check the authority (the keys belong to its tenant) and any proxy in between.",
            ),
        )
        .detail("jwks_uri", url.as_str());
    }
    let keys = match crate::verify::parse_jwks(&answer.body) {
        Ok(k) => k,
        Err(why) => return Outcome::failed(
            "The answer is not a key set.",
            DiagnoseFinding::new(
                DiagnoseCode::JwksEmpty,
                Severity::Error,
                format!("{url} did not answer a JSON Web Key Set: {why}."),
                "A proxy or captive portal answering in the provider's place is the usual cause; \
                     open the URL from this machine and compare with what the provider publishes.",
            ),
        )
        .detail("jwks_uri", url.as_str()),
    };
    let usable: Vec<&crate::verify::Key> = keys
        .iter()
        .filter(|k| match (k.kty.as_str(), &k.n, &k.e) {
            ("RSA", Some(n), Some(e)) => DecodingKey::from_rsa_components(n, e).is_ok(),
            _ => false,
        })
        .collect();
    let kids: Vec<String> = keys
        .iter()
        .map(|k| {
            k.kid
                .clone()
                .or_else(|| k.x5t.clone())
                .unwrap_or_else(|| "(no kid)".into())
        })
        .collect();
    let out = Outcome::passed("")
        .detail("jwks_uri", url.as_str())
        .detail(
            "Keys",
            format!("{} ({} usable RSA)", keys.len(), usable.len()),
        )
        .detail(
            "Key IDs (kid)",
            if kids.is_empty() {
                "(none)".into()
            } else {
                kids.join(", ")
            },
        );
    if usable.is_empty() {
        let mut out = out.finding(DiagnoseFinding::new(
            DiagnoseCode::JwksEmpty,
            Severity::Error,
            format!(
                "The key set at {url} holds {} key(s) and none is a usable RSA public key: no token can be verified.",
                keys.len()
            ),
            "Entra publishes RSA keys (kty RSA with n and e); an empty or foreign set means the URL \
             is not the provider's (a proxy answering, a wrong authority).",
        ));
        out.summary = "No usable signing key.".into();
        return out.graded();
    }
    let mut out = out;
    out.summary = format!(
        "{} signing key(s), {} usable for RS256.",
        keys.len(),
        usable.len()
    );
    out
}
