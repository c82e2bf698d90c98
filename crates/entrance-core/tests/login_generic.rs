//! Sign-in against a standards OpenID provider that is not Entra: its own
//! discovery (a plain issuer, no `cloud_instance_name`), its own JWKS (no
//! `x5c`, with `alg`), RFC 9207 `iss` on the redirect, opaque access tokens.
//! The provider is a few axum handlers here; its keys and RS256 signatures
//! come from the sandbox's key store.

mod support;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use entrance_core::login::{
    self, Authority, Browser, ClientCredential, IdTokenCheck, InteractiveRequest, LoginError,
};
use entrance_sandbox::keys::KeyStore;
use openidconnect::{PkceCodeChallenge, PkceCodeVerifier};
use serde_json::{json, Value};
use support::*;
use tokio_util::sync::CancellationToken;

const CLIENT_ID: &str = "entrance-test-client";

/// How the provider misbehaves, if at all.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Quirk {
    None,
    /// Signs with a key it does not publish.
    ForeignKey,
    /// Puts another nonce in the ID token.
    WrongNonce,
    /// Its discovery names another issuer.
    OtherIssuer,
    /// The ID token's `aud` is another client.
    OtherAudience,
}

struct Provider {
    base: String,
    keys: KeyStore,
    foreign: KeyStore,
    quirk: Quirk,
    /// code → (redirect_uri, nonce, code_challenge)
    codes: Mutex<HashMap<String, (String, String, String)>>,
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

async fn discovery(State(p): State<Arc<Provider>>) -> Json<Value> {
    let issuer = if p.quirk == Quirk::OtherIssuer {
        "https://someone-else.example".to_string()
    } else {
        p.base.clone()
    };
    Json(json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{}/authorize", p.base),
        "token_endpoint": format!("{}/token", p.base),
        "jwks_uri": format!("{}/jwks", p.base),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "code_challenge_methods_supported": ["S256"],
        "authorization_response_iss_parameter_supported": true,
    }))
}

async fn jwks(State(p): State<Arc<Provider>>) -> Json<Value> {
    // A plain JWK: only the standard members, with `alg`.
    let full = p.keys.current().jwk(None, "");
    let mut k = serde_json::Map::new();
    for m in ["kty", "use", "kid", "n", "e"] {
        k.insert(m.into(), full[m].clone());
    }
    k.insert("alg".into(), json!("RS256"));
    Json(json!({ "keys": [k] }))
}

/// Signs the user in at once (no page) and redirects with `iss` (RFC 9207).
async fn authorize(
    State(p): State<Arc<Provider>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    assert_eq!(q.get("client_id").map(String::as_str), Some(CLIENT_ID));
    assert_eq!(
        q.get("code_challenge_method").map(String::as_str),
        Some("S256")
    );
    let code = format!(
        "code-{}",
        q["state"].len() + q["nonce"].len() + now() as usize
    );
    p.codes.lock().unwrap().insert(
        code.clone(),
        (
            q["redirect_uri"].clone(),
            q["nonce"].clone(),
            q["code_challenge"].clone(),
        ),
    );
    let mut to = url::Url::parse(&q["redirect_uri"]).unwrap();
    to.query_pairs_mut()
        .append_pair("code", &code)
        .append_pair("state", &q["state"])
        .append_pair("iss", &p.base);
    (StatusCode::FOUND, [(header::LOCATION, to.to_string())]).into_response()
}

async fn token(State(p): State<Arc<Provider>>, Form(f): Form<HashMap<String, String>>) -> Response {
    let bad = |e: &str| (StatusCode::BAD_REQUEST, Json(json!({ "error": e }))).into_response();
    let Some((redirect_uri, nonce, challenge)) = f
        .get("code")
        .and_then(|c| p.codes.lock().unwrap().remove(c))
    else {
        return bad("invalid_grant");
    };
    if f.get("redirect_uri") != Some(&redirect_uri)
        || f.get("client_id").map(String::as_str) != Some(CLIENT_ID)
    {
        return bad("invalid_grant");
    }
    let verifier = PkceCodeVerifier::new(f.get("code_verifier").cloned().unwrap_or_default());
    if PkceCodeChallenge::from_code_verifier_sha256(&verifier).as_str() != challenge {
        return bad("invalid_grant");
    }
    let claims = json!({
        "iss": p.base,
        "sub": "user-1234",
        "aud": if p.quirk == Quirk::OtherAudience { "another-client" } else { CLIENT_ID },
        "exp": now() + 600,
        "iat": now(),
        "nonce": if p.quirk == Quirk::WrongNonce { "not-the-nonce".to_string() } else { nonce },
        "name": "Grace Generic",
        "email": "grace@idp.example",
    });
    let signer = if p.quirk == Quirk::ForeignKey {
        &p.foreign
    } else {
        &p.keys
    };
    let id_token = signer.sign(&claims, false).unwrap();
    Json(json!({
        "access_token": "opaque-access-token-of-a-generic-provider",
        "token_type": "Bearer",
        "expires_in": 3600,
        "id_token": id_token,
    }))
    .into_response()
}

async fn provider(quirk: Quirk) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let p = Arc::new(Provider {
        base: base.clone(),
        keys: KeyStore::new(now()).unwrap(),
        foreign: KeyStore::new(now()).unwrap(),
        quirk,
        codes: Mutex::new(HashMap::new()),
    });
    let app = Router::new()
        .route("/.well-known/openid-configuration", get(discovery))
        .route("/jwks", get(jwks))
        .route("/authorize", get(authorize))
        .route("/token", post(token))
        .with_state(p);
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    base
}

/// A browser that follows the provider's redirect to Entrance.
async fn follow_redirects(url: String) -> String {
    let c = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = c.get(&url).send().await.unwrap();
    follow(&c, r).await
}

async fn sign_in_generic(quirk: Quirk) -> (Result<login::LoginOutcome, LoginError>, String) {
    let base = provider(quirk).await;
    let mut req = InteractiveRequest::new(
        Authority::parse(&base).unwrap(),
        CLIENT_ID,
        ClientCredential::Public,
    );
    req.browser = Browser::None;
    let (result, _, visit) = sign_in_with(req, CancellationToken::new(), follow_redirects).await;
    (result, visit.page)
}

#[tokio::test]
async fn a_generic_openid_provider_signs_in_without_entra_assumptions() {
    let (result, page) = sign_in_generic(Quirk::None).await;
    let outcome = success(result);
    let s = outcome.summary;
    assert!(
        s.provider.entra.is_none(),
        "not Entra: no cloud_instance_name, no template"
    );
    assert_eq!(s.signed_in_as.as_deref(), Some("grace@idp.example"));
    let v = s.id_token_verification.unwrap();
    assert_eq!(v.issuer, s.provider.issuer);
    assert!(!v.issuer_from_template);
    assert!(v.nonce_checked);
    assert!(
        matches!(s.access_token, login::DecodedToken::Opaque { .. }),
        "opaque access tokens are fine"
    );
    assert_eq!(
        s.requested_scopes,
        ["openid", "profile", "email"],
        "no offline_access off Entra"
    );
    assert!(page.contains("Signed in"));
}

#[tokio::test]
async fn another_provider_gets_the_loopback_ip_on_any_port_as_rfc_8252_asks() {
    // RFC 8252 §7.3 / §8.3: http://127.0.0.1:{port}/…; Entra keeps localhost.
    let (result, _) = sign_in_generic(Quirk::None).await;
    let sent = success(result)
        .summary
        .redirect_uri
        .expect("a browser flow");
    let url = url::Url::parse(&sent).unwrap();
    assert_eq!(url.host_str(), Some("127.0.0.1"), "{sent}");
    assert!(url.port().is_some_and(|p| p > 0), "{sent}");

    // A named redirect URI wins.
    let base = provider(Quirk::None).await;
    let mut req = InteractiveRequest::new(
        Authority::parse(&base).unwrap(),
        CLIENT_ID,
        ClientCredential::Public,
    );
    req.browser = Browser::None;
    req.redirect = Some(login::RedirectSpec::parse("http://localhost/named").unwrap());
    let (result, _, _) = sign_in_with(req, CancellationToken::new(), follow_redirects).await;
    let sent = success(result).summary.redirect_uri.unwrap();
    assert!(
        sent.starts_with("http://localhost:") && sent.ends_with("/named"),
        "{sent}"
    );
}

#[tokio::test]
async fn a_token_signed_with_an_unpublished_key_fails_the_signature_check() {
    let (result, page) = sign_in_generic(Quirk::ForeignKey).await;
    match failure(&result) {
        LoginError::InvalidIdToken { check, .. } => assert_eq!(*check, IdTokenCheck::Signature),
        other => panic!("{other:?}"),
    }
    assert!(page.contains("Sign-in failed"));
}

#[tokio::test]
async fn a_replayed_nonce_fails_the_nonce_check() {
    let (result, _) = sign_in_generic(Quirk::WrongNonce).await;
    match failure(&result) {
        LoginError::InvalidIdToken { check, .. } => assert_eq!(*check, IdTokenCheck::Nonce),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_token_for_another_client_fails_the_audience_check() {
    let (result, _) = sign_in_generic(Quirk::OtherAudience).await;
    match failure(&result) {
        LoginError::InvalidIdToken { check, .. } => assert_eq!(*check, IdTokenCheck::Audience),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_discovery_issuer_that_is_not_the_authority_is_refused() {
    let (result, _) = sign_in_generic(Quirk::OtherIssuer).await;
    match failure(&result) {
        LoginError::Discovery { detail, .. } => assert!(detail.contains("§4.3"), "{detail}"),
        other => panic!("{other:?}"),
    }
}
