//! Token-signing keys: RSA 2048, each with a self-signed certificate so the
//! JWKS carries `x5c` and `x5t` like Entra's; rotation on demand; RS256
//! signing, including the Microsoft Graph token quirk.
//!
//! Entra's `kid` and `x5t` are the same value, the base64url SHA-1 thumbprint
//! of the certificate (access-tokens.md: "x5t … functions the same (in use and
//! value) as kid"). Its JWKS entries have `kty`, `use`, `kid`, `x5t`, `n`,
//! `e`, `x5c`, and under v2 an `issuer` (docs/toolchain.md#jwt-verification; docs/entra.md#token-versions-and-issuers), no `alg`.

use std::sync::{Arc, RwLock};

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::{self, KeyPair as _, UnparsedPublicKey};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use serde_json::{json, Map, Value};

/// How many retired keys stay published after a rotation, so tokens they
/// signed still verify.
const RETIRED_KEYS_KEPT: usize = 2;

/// Keys could not be made (a crypto library failure; not expected).
#[derive(Debug, thiserror::Error)]
#[error("could not generate the sandbox's signing key: {0}")]
pub struct KeyError(pub String);

/// One RSA signing key with its certificate.
pub struct SigningKey {
    pub kid: String,
    pub x5t: String,
    n: String,
    e: String,
    x5c: String,
    pair: KeyPair,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// A fresh 2048-bit key and a self-signed certificate for it, valid from
    /// last year to five years on.
    pub fn generate(now: i64) -> Result<SigningKey, KeyError> {
        let err = |what: &str| KeyError(what.to_string());
        let pair =
            KeyPair::generate(KeySize::Rsa2048).map_err(|_| err("RSA key generation failed"))?;
        let pkcs8 = pair.as_der().map_err(|_| err("PKCS#8 encoding failed"))?;
        let der = rustls::pki_types::PrivatePkcs8KeyDer::from(pkcs8.as_ref().to_vec());
        let cert_key = rcgen::KeyPair::from_pkcs8_der_and_sign_algo(&der, &rcgen::PKCS_RSA_SHA256)
            .map_err(|e| KeyError(e.to_string()))?;
        let mut params = rcgen::CertificateParams::default();
        params.distinguished_name = rcgen::DistinguishedName::new();
        params.distinguished_name.push(
            rcgen::DnType::CommonName,
            "accounts.sandbox.entrance.invalid",
        );
        let year = crate::clock::year_of(now) as i32;
        params.not_before = rcgen::date_time_ymd(year - 1, 1, 1);
        params.not_after = rcgen::date_time_ymd(year + 5, 1, 1);
        let cert = params
            .self_signed(&cert_key)
            .map_err(|e| KeyError(e.to_string()))?;
        let cert_der = cert.der().as_ref().to_vec();
        let thumb =
            aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY, &cert_der);
        let x5t = URL_SAFE_NO_PAD.encode(thumb.as_ref());
        let public = pair.public_key();
        let n = URL_SAFE_NO_PAD.encode(public.modulus().big_endian_without_leading_zero());
        let e = URL_SAFE_NO_PAD.encode(public.exponent().big_endian_without_leading_zero());
        Ok(SigningKey {
            kid: x5t.clone(),
            x5t,
            n,
            e,
            x5c: STANDARD.encode(&cert_der),
            pair,
        })
    }

    /// The JWK as Entra publishes it; `issuer` is added by v2 key sets.
    pub fn jwk(&self, issuer: Option<&str>, cloud_instance_name: &str) -> Value {
        let mut k = Map::new();
        k.insert("kty".into(), json!("RSA"));
        k.insert("use".into(), json!("sig"));
        k.insert("kid".into(), json!(self.kid));
        k.insert("x5t".into(), json!(self.x5t));
        k.insert("n".into(), json!(self.n));
        k.insert("e".into(), json!(self.e));
        k.insert("x5c".into(), json!([self.x5c]));
        // On every key, as in Entra's published key sets (field: docs/entra.md#national-clouds;
        // per-key placement observed, unconfirmed in docs — ATK's sample omits it).
        k.insert("cloud_instance_name".into(), json!(cloud_instance_name));
        if let Some(i) = issuer {
            k.insert("issuer".into(), json!(i));
        }
        Value::Object(k)
    }

    fn sign(&self, input: &[u8]) -> Result<Vec<u8>, KeyError> {
        let mut sig = vec![0u8; self.pair.public_modulus_len()];
        self.pair
            .sign(
                &signature::RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                input,
                &mut sig,
            )
            .map_err(|_| KeyError("RS256 signing failed".into()))?;
        Ok(sig)
    }

    fn verify(&self, input: &[u8], sig: &[u8]) -> bool {
        UnparsedPublicKey::new(
            &signature::RSA_PKCS1_2048_8192_SHA256,
            self.pair.public_key().as_ref(),
        )
        .verify(input, sig)
        .is_ok()
    }
}

/// The tenant-wide key set: the current signing key first, then retired ones.
#[derive(Debug)]
pub struct KeyStore {
    keys: RwLock<Vec<Arc<SigningKey>>>,
}

impl KeyStore {
    pub fn new(now: i64) -> Result<KeyStore, KeyError> {
        Ok(KeyStore {
            keys: RwLock::new(vec![Arc::new(SigningKey::generate(now)?)]),
        })
    }

    /// The key that signs new tokens.
    pub fn current(&self) -> Arc<SigningKey> {
        let keys = self.keys.read().unwrap_or_else(|p| p.into_inner());
        Arc::clone(&keys[0])
    }

    /// Every published key, current first.
    pub fn all(&self) -> Vec<Arc<SigningKey>> {
        self.keys.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Makes a new signing key current; the previous ones stay published
    /// (up to two) so tokens they signed keep verifying, as during Entra's
    /// own rollovers (signing-key-rollover.md). Returns the new `kid`.
    pub fn rotate(&self, now: i64) -> Result<String, KeyError> {
        let fresh = Arc::new(SigningKey::generate(now)?);
        let kid = fresh.kid.clone();
        let mut keys = self.keys.write().unwrap_or_else(|p| p.into_inner());
        keys.insert(0, fresh);
        keys.truncate(1 + RETIRED_KEYS_KEPT);
        Ok(kid)
    }

    /// `{"keys": […]}` (docs/entra.md#token-versions-and-issuers; docs/toolchain.md#jwt-verification).
    pub fn jwks(&self, issuer: Option<&str>, cloud_instance_name: &str) -> Value {
        json!({ "keys": self.all().iter().map(|k| k.jwk(issuer, cloud_instance_name)).collect::<Vec<_>>() })
    }

    /// Signs a JWT with the current key. `v1` adds the legacy `x5t` header
    /// (access-tokens.md: emitted only in v1.0 tokens).
    pub fn sign(&self, claims: &Value, v1: bool) -> Result<String, KeyError> {
        let key = self.current();
        let mut header = Map::new();
        header.insert("typ".into(), json!("JWT"));
        header.insert("alg".into(), json!("RS256"));
        if v1 {
            header.insert("x5t".into(), json!(key.x5t));
        }
        header.insert("kid".into(), json!(key.kid));
        let input = format!("{}.{}", b64_json(&Value::Object(header)), b64_json(claims));
        let sig = key.sign(input.as_bytes())?;
        Ok(format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig)))
    }

    /// Signs a Microsoft Graph access token the way Entra does: the header
    /// carries a `nonce`, but the signature covers the header with the
    /// SHA-256 of that nonce instead, so a standard JWT library cannot verify
    /// it — by design (docs/entra.md#token-versions-and-issuers: "signature checks fail by design").
    pub fn sign_graph(&self, claims: &Value) -> Result<String, KeyError> {
        let key = self.current();
        let nonce = crate::tokens::random_b64(32);
        let header = |n: &str| json!({ "typ": "JWT", "nonce": n, "alg": "RS256", "x5t": key.x5t, "kid": key.kid });
        let payload = b64_json(claims);
        let signed_input = format!("{}.{payload}", b64_json(&header(&graph_nonce_hash(&nonce))));
        let sig = key.sign(signed_input.as_bytes())?;
        Ok(format!(
            "{}.{payload}.{}",
            b64_json(&header(&nonce)),
            URL_SAFE_NO_PAD.encode(sig)
        ))
    }

    /// Verifies a token the sandbox signed; for Graph tokens (a `nonce` in
    /// the header) the nonce is hashed first, as Graph itself does.
    /// Returns the header and claims.
    pub fn verify(&self, token: &str) -> Option<(Value, Value)> {
        let mut parts = token.split('.');
        let (h, p, s) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        let mut header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(h).ok()?).ok()?;
        let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(p).ok()?).ok()?;
        let sig = URL_SAFE_NO_PAD.decode(s).ok()?;
        let kid = header.get("kid")?.as_str()?.to_string();
        let key = self.all().into_iter().find(|k| k.kid == kid)?;
        let signed_input = match header
            .get("nonce")
            .and_then(Value::as_str)
            .map(str::to_string)
        {
            Some(nonce) => {
                header["nonce"] = json!(graph_nonce_hash(&nonce));
                format!("{}.{p}", b64_json(&header))
            }
            None => format!("{h}.{p}"),
        };
        if !key.verify(signed_input.as_bytes(), &sig) {
            return None;
        }
        Some((header, claims))
    }
}

fn graph_nonce_hash(nonce: &str) -> String {
    URL_SAFE_NO_PAD
        .encode(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, nonce.as_bytes()).as_ref())
}

fn b64_json(v: &Value) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_verify_and_rotation_keeps_old_keys_published() {
        let store = KeyStore::new(1_700_000_000).expect("key");
        let t1 = store.sign(&json!({"a": 1}), false).expect("sign");
        let old = store.current().kid.clone();
        let new = store.rotate(1_700_000_000).expect("rotate");
        assert_ne!(old, new);
        assert_eq!(store.current().kid, new);
        assert!(
            store.verify(&t1).is_some(),
            "a token of the retired key still verifies"
        );
        let jwks = store.jwks(None, "microsoftonline.com");
        assert_eq!(jwks["keys"].as_array().map(Vec::len), Some(2));
        assert_eq!(jwks["keys"][0]["kid"], jwks["keys"][0]["x5t"]);
        store.rotate(1_700_000_000).expect("rotate");
        store.rotate(1_700_000_000).expect("rotate");
        assert_eq!(store.all().len(), 3);
        assert!(
            store.verify(&t1).is_none(),
            "retired long enough ago, the key is gone"
        );
    }

    #[test]
    fn graph_tokens_fail_a_plain_check_but_pass_graphs() {
        let store = KeyStore::new(1_700_000_000).expect("key");
        let t = store
            .sign_graph(&json!({"aud": "00000003-0000-0000-c000-000000000000"}))
            .expect("sign");
        assert!(store.verify(&t).is_some());
        // Without the nonce hashing the signature does not match.
        let mut parts = t.split('.');
        let (h, p, s) = (
            parts.next().unwrap_or(""),
            parts.next().unwrap_or(""),
            parts.next().unwrap_or(""),
        );
        let sig = URL_SAFE_NO_PAD.decode(s).expect("b64");
        assert!(!store.current().verify(format!("{h}.{p}").as_bytes(), &sig));
    }
}
