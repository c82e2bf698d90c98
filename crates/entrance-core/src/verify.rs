//! Signature verification of Entra tokens (RS256 and the other RSA algorithms)
//! against a JWKS.
//!
//! Where the keys come from: the token's own tenant, version and cloud
//! (`{authority}/{tid}/discovery/v2.0/keys` for v2, `/{tid}/discovery/keys` for
//! v1; docs/entra.md#access-tokens, docs/entra.md#token-versions-and-issuers, docs/entra.md#national-clouds) — or an override, a JWKS file or URL. Nothing touches the
//! network unless verification is asked. Fetches use HTTPS (plain HTTP only
//! for loopback hosts such as Entrance's sandbox), never follow redirects
//! (against SSRF, like openidconnect-rs), time out after 10 s and read at
//! most 1 MiB.
//!
//! Every outcome is a [`SignatureCheck`] that says why: an unknown `kid`
//! (rotated key, wrong tenant or cloud, app-specific signing keys), a
//! Microsoft Graph access token (unverifiable by design), keys that could not
//! be fetched.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use jsonwebtoken::{Algorithm, DecodingKey};
use serde::Serialize;
use serde_json::Value;

use crate::inspect::{is_graph_token, parse_issuer};
use crate::token::{Content, Jws, Pasted};

/// Timeout of a JWKS fetch.
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(10);
/// The largest JWKS Entrance reads (Entra's are a few KB).
pub const MAX_JWKS_BYTES: usize = 1 << 20;

/// The outcome of a signature check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(tag = "status", rename_all = "snake_case")]
#[non_exhaustive]
pub enum SignatureCheck {
    /// Verification was not asked (or the item is not a signed JWT).
    NotChecked,
    /// The signature verifies with the key named by `kid`.
    Valid {
        alg: String,
        kid: Option<String>,
        keys_from: String,
    },
    /// The key was found but the signature does not match.
    Invalid {
        alg: String,
        kid: Option<String>,
        keys_from: String,
        explanation: String,
    },
    /// No key in the set has the token's `kid`.
    KidUnknown {
        kid: Option<String>,
        keys_from: String,
        known_kids: Vec<String>,
        explanation: String,
    },
    /// The signature cannot be checked.
    Unverifiable {
        reason: Unverifiable,
        explanation: String,
    },
}

/// Why a signature cannot be checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Unverifiable {
    /// A Microsoft Graph access token: proprietary, not verifiable by design (docs/entra.md#access-tokens).
    GraphAccessToken,
    /// `alg` is not an RSA signature algorithm (or `none`).
    UnsupportedAlgorithm,
    /// Entrance cannot tell where the issuer's keys are.
    NoKeyLocation,
    /// The key set could not be read or fetched.
    KeysUnavailable,
}

/// Where to take signing keys from, instead of the token's tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JwksSource {
    /// A JWKS (or single JWK) JSON file.
    File(PathBuf),
    /// A JWKS URL: `https://`, or `http://` on a loopback host.
    Url(url::Url),
}

impl JwksSource {
    /// Reads `--jwks FILE|URL`.
    ///
    /// # Errors
    /// [`crate::Error::InvalidInput`] for a URL that is not HTTPS (or HTTP on
    /// loopback) or is malformed.
    pub fn parse(s: &str) -> crate::Result<JwksSource> {
        let s = s.trim();
        let invalid = |reason: String| crate::Error::InvalidInput {
            field: "JWKS location".into(),
            reason,
            fix: Some(
                "Give a file path, an https:// URL, or an http:// URL on 127.0.0.1 / localhost."
                    .into(),
            ),
        };
        if !s.contains("://") {
            if s.is_empty() {
                return Err(invalid("is empty".into()));
            }
            return Ok(JwksSource::File(PathBuf::from(s)));
        }
        let url = url::Url::parse(s).map_err(|e| invalid(format!("not a URL: {e}")))?;
        check_url(&url).map_err(invalid)?;
        Ok(JwksSource::Url(url))
    }

    fn label(&self) -> String {
        match self {
            JwksSource::File(p) => p.display().to_string(),
            JwksSource::Url(u) => u.to_string(),
        }
    }
}

/// How to verify.
#[derive(Debug, Clone, Default)]
pub struct VerifyOptions {
    /// Keys from here instead of the token's tenant.
    pub jwks: Option<JwksSource>,
    /// Identity providers on this machine whose keys may be fetched for a
    /// token that names them as its issuer (origins such as
    /// `http://127.0.0.1:35117`: the running sandbox tenant). Any other
    /// loopback issuer is not trusted on the token's word: a local process
    /// could serve keys that make a forged token look valid.
    pub local_issuers: Vec<String>,
}

/// Whether a URL's host is loopback (`localhost`, 127.0.0.0/8, `::1`).
pub fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// https anywhere, plain http only for loopback hosts: the rule for every
/// URL Entrance fetches keys or Graph data from.
pub(crate) fn check_url(url: &url::Url) -> Result<(), String> {
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(url) => Ok(()),
        "http" => Err(format!(
            "plain http is allowed only for loopback hosts, not {}",
            url.host_str().unwrap_or("?")
        )),
        other => Err(format!("unsupported scheme {other}:")),
    }
}

/// One key of a JWKS, as Entra publishes it (`kty, use, kid, x5t, n, e, x5c,
/// issuer`, no `alg`).
#[derive(Debug, Clone)]
pub(crate) struct Key {
    pub(crate) kid: Option<String>,
    pub(crate) x5t: Option<String>,
    pub(crate) kty: String,
    pub(crate) n: Option<String>,
    pub(crate) e: Option<String>,
}

pub(crate) type KeySet = Result<Vec<Key>, String>;

/// Verifies every JWT of a paste. The result lines up with `pasted.items`.
/// Key sets are fetched once per location.
pub async fn verify_pasted(
    pasted: &Pasted,
    options: &VerifyOptions,
    client_id: Option<&str>,
) -> Vec<SignatureCheck> {
    let mut cache: HashMap<String, KeySet> = HashMap::new();
    let mut out = Vec::with_capacity(pasted.items.len());
    for item in &pasted.items {
        out.push(match &item.content {
            Content::Jws(jws) => verify_jws(jws, options, client_id, &mut cache).await,
            _ => SignatureCheck::NotChecked,
        });
    }
    out
}

/// Verifies one JWT.
pub async fn verify_token(
    jws: &Jws,
    options: &VerifyOptions,
    client_id: Option<&str>,
) -> SignatureCheck {
    verify_jws(jws, options, client_id, &mut HashMap::new()).await
}

async fn verify_jws(
    jws: &Jws,
    options: &VerifyOptions,
    client_id: Option<&str>,
    cache: &mut HashMap<String, KeySet>,
) -> SignatureCheck {
    if is_graph_token(jws) {
        return SignatureCheck::Unverifiable {
            reason: Unverifiable::GraphAccessToken,
            explanation: "A Microsoft Graph access token (Graph audience or a nonce in the header) cannot be verified outside Graph: its signature covers a hashed nonce, by design (docs/entra.md#access-tokens). It is not meant for your app.".into(),
        };
    }
    let alg_name = jws.alg().unwrap_or("(none)").to_string();
    let alg = match alg_name.as_str() {
        "RS256" => Algorithm::RS256,
        "RS384" => Algorithm::RS384,
        "RS512" => Algorithm::RS512,
        "PS256" => Algorithm::PS256,
        "PS384" => Algorithm::PS384,
        "PS512" => Algorithm::PS512,
        other => {
            let why = if other.starts_with("HS") {
                "a shared-secret MAC: Entra never signs tokens with one"
            } else if other.eq_ignore_ascii_case("none") || other == "(none)" {
                "no signature at all"
            } else {
                "not an RSA signature algorithm, which Entra uses"
            };
            return SignatureCheck::Unverifiable {
                reason: Unverifiable::UnsupportedAlgorithm,
                explanation: format!("alg is {other}: {why}."),
            };
        }
    };
    let (location, derived) = match &options.jwks {
        Some(source) => (source.clone(), false),
        None => match derived_location(jws, &options.local_issuers) {
            Ok(url) => (JwksSource::Url(url), true),
            Err(why) => {
                return SignatureCheck::Unverifiable {
                    reason: Unverifiable::NoKeyLocation,
                    explanation: why,
                }
            }
        },
    };
    let keys_from = location.label();
    let keys = match cache.get(&keys_from) {
        Some(keys) => keys.clone(),
        None => {
            let keys = load(&location).await;
            cache.insert(keys_from.clone(), keys.clone());
            keys
        }
    };
    let keys = match keys {
        Ok(keys) => keys,
        Err(why) => {
            return SignatureCheck::Unverifiable {
                reason: Unverifiable::KeysUnavailable,
                explanation: format!("The signing keys could not be read from {keys_from}: {why}."),
            }
        }
    };
    let kid = jws.kid().map(str::to_string);
    let x5t = jws.header.get("x5t").and_then(Value::as_str);
    let key = match (&kid, x5t) {
        (Some(kid), _) => keys.iter().find(|k| k.kid.as_deref() == Some(kid.as_str())),
        (None, Some(x5t)) => keys.iter().find(|k| k.x5t.as_deref() == Some(x5t)),
        (None, None) if keys.len() == 1 => keys.first(),
        (None, None) => None,
    };
    let Some(key) = key else {
        let known_kids: Vec<String> = keys.iter().filter_map(|k| k.kid.clone()).collect();
        return SignatureCheck::KidUnknown {
            explanation: kid_unknown_explanation(
                kid.as_deref(),
                &keys_from,
                &known_kids,
                derived,
                jws,
                client_id,
            ),
            kid,
            keys_from,
            known_kids,
        };
    };
    let decoding_key = match (&key.kty[..], &key.n, &key.e) {
        ("RSA", Some(n), Some(e)) => DecodingKey::from_rsa_components(n, e),
        _ => {
            return SignatureCheck::Unverifiable {
                reason: Unverifiable::KeysUnavailable,
                explanation: format!(
                    "The key {} in {keys_from} is not an RSA public key (kty {}, n and e).",
                    kid.as_deref().unwrap_or("(no kid)"),
                    key.kty
                ),
            }
        }
    };
    let decoding_key = match decoding_key {
        Ok(k) => k,
        Err(e) => {
            return SignatureCheck::Unverifiable {
                reason: Unverifiable::KeysUnavailable,
                explanation: format!(
                    "The key {} in {keys_from} cannot be used: {e}.",
                    kid.as_deref().unwrap_or("(no kid)")
                ),
            }
        }
    };
    let ok = jsonwebtoken::crypto::verify(
        jws.signature_b64(),
        jws.signing_input().as_bytes(),
        &decoding_key,
        alg,
    )
    .unwrap_or(false);
    if ok {
        SignatureCheck::Valid {
            alg: alg_name,
            kid,
            keys_from,
        }
    } else {
        SignatureCheck::Invalid {
            explanation: format!(
                "The key {} exists in {keys_from}, but the signature does not match: the token was altered after signing (a claim edited, a character lost in copying), or it was signed by someone else with the same kid.",
                kid.as_deref().unwrap_or("(no kid)")
            ),
            alg: alg_name,
            kid,
            keys_from,
        }
    }
}

fn kid_unknown_explanation(
    kid: Option<&str>,
    keys_from: &str,
    known: &[String],
    derived: bool,
    jws: &Jws,
    client_id: Option<&str>,
) -> String {
    let Some(kid) = kid else {
        return format!("The token has no kid or x5t header and the key set at {keys_from} has {} keys: Entrance cannot tell which one signed it.", known.len());
    };
    let known_text = if known.is_empty() {
        "none".to_string()
    } else {
        known.join(", ")
    };
    let mut s = format!("No key with kid {kid} in {keys_from} (it has: {known_text}). Possible causes: Entra rotated its signing keys and this token is old or the key set is stale; ");
    if derived {
        s.push_str("the token was minted by another issuer that copied Entra's claims; ");
    } else {
        s.push_str("the key set given belongs to another tenant or cloud; ");
    }
    let app = client_id
        .or_else(|| jws.claim_str("azp"))
        .or_else(|| jws.claim_str("appid"))
        .or_else(|| jws.claim_str("aud"));
    match app {
        Some(app) if keys_from.starts_with("http") => s.push_str(&format!(
            "or the app uses app-specific signing keys (claims mapping), which are published at {keys_from}?appid={app}."
        )),
        _ => s.push_str("or the app uses app-specific signing keys (claims mapping), published at the key URL with ?appid={client-id}."),
    }
    if let Some(note) = jws
        .claim_str("iss")
        .and_then(|iss| parse_issuer(iss, None).cloud_note)
    {
        s.push_str(&format!(
            " Note: {note}; a US Government token needs login.microsoftonline.us's keys."
        ));
    }
    s
}

/// The key location for the token's tenant, version and cloud.
fn derived_location(jws: &Jws, local_issuers: &[String]) -> Result<url::Url, String> {
    let Some(iss) = jws.claim_str("iss") else {
        return Err("The token has no iss claim, so Entrance cannot tell whose keys signed it. Pass the key set with --jwks.".into());
    };
    let issuer = parse_issuer(iss, crate::inspect::version_claim(jws));
    if issuer.cloud == crate::inspect::Cloud::Local {
        let origin = url::Url::parse(iss)
            .map(|u| u.origin().ascii_serialization())
            .unwrap_or_default();
        let trusted = local_issuers
            .iter()
            .any(|o| o.trim_end_matches('/').eq_ignore_ascii_case(&origin));
        if !trusted {
            return Err(format!(
                "The token names an issuer on this machine ({origin}). Entrance does not fetch keys from a local server on a token's word — any local program could make a forged token look valid. If it is your own test identity provider, pass its key set with --jwks URL."
            ));
        }
    }
    let Some(jwks) = issuer.jwks_url else {
        return Err(format!("The issuer {iss} is not a Microsoft Entra authority Entrance knows, so it cannot tell where its keys are. Pass the key set with --jwks FILE|URL."));
    };
    let url = url::Url::parse(&jwks)
        .map_err(|e| format!("The key location {jwks} is not a URL: {e}."))?;
    check_url(&url)?;
    Ok(url)
}

async fn load(source: &JwksSource) -> KeySet {
    let bytes = match source {
        JwksSource::File(path) => crate::paths::read_file_limited(path, MAX_JWKS_BYTES as u64)
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::InvalidData => {
                    format!("the file is larger than {MAX_JWKS_BYTES} bytes")
                }
                _ => e.to_string(),
            })?,
        JwksSource::Url(url) => fetch(url).await?,
    };
    parse_jwks(&bytes)
}

async fn fetch(url: &url::Url) -> Result<Vec<u8>, String> {
    check_url(url)?;
    let client = crate::http::client_builder(FETCH_TIMEOUT)
        .build()
        .map_err(|e| format!("cannot build an HTTP client: {e}"))?;
    let mut response = client
        .get(url.clone())
        .header(reqwest::header::ACCEPT, "application/json")
        .send()
        .await
        .map_err(|e| describe_reqwest(&e))?;
    let status = response.status();
    if status.is_redirection() {
        let to = response
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("?");
        return Err(format!(
            "HTTP {status} redirect to {to}; Entrance does not follow redirects"
        ));
    }
    if !status.is_success() {
        return Err(format!("HTTP {status}"));
    }
    crate::http::read_body(&mut response, MAX_JWKS_BYTES)
        .await
        .map_err(|e| match e {
            crate::http::BodyError::Transport(e) => describe_reqwest(&e),
            other => other.to_string(),
        })
}

fn describe_reqwest(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    if e.is_timeout() {
        text.push_str(&format!(" (timed out after {} s)", FETCH_TIMEOUT.as_secs()));
    }
    text
}

/// A JWKS (`{"keys": […]}`) or a single JWK.
pub(crate) fn parse_jwks(bytes: &[u8]) -> KeySet {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| format!("not JSON: {e}"))?;
    let keys = match &value {
        Value::Object(map) if map.contains_key("keys") => map
            .get("keys")
            .and_then(Value::as_array)
            .ok_or_else(|| "\"keys\" is not an array".to_string())?
            .clone(),
        Value::Object(map) if map.contains_key("kty") => vec![value.clone()],
        _ => return Err("not a JWKS: expected {\"keys\": [...]}".into()),
    };
    let s = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    Ok(keys
        .iter()
        .map(|k| Key {
            kid: s(k, "kid"),
            x5t: s(k, "x5t"),
            kty: s(k, "kty").unwrap_or_default(),
            n: s(k, "n"),
            e: s(k, "e"),
        })
        .collect())
}

#[cfg(test)]
mod tests;
