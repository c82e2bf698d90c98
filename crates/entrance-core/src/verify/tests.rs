//! Verification against JWKS files and a JWKS served on 127.0.0.1.

use super::*;
use crate::testkit::*;
use crate::token::recognize;
use serde_json::json;

fn jws_of(token: &str) -> Jws {
    match recognize(token).expect("decodes").items.remove(0).content {
        Content::Jws(jws) => *jws,
        _ => panic!("not a JWS"),
    }
}

fn file_options(file: &TempFile) -> VerifyOptions {
    VerifyOptions {
        jwks: Some(JwksSource::File(file.0.clone())),
        ..VerifyOptions::default()
    }
}

#[tokio::test]
async fn a_token_signed_by_the_tenant_key_verifies_from_a_jwks_file() {
    let file = TempFile::new("valid.json", &jwks(&[(KEY_B, KID_B), (KEY_A, KID_A)]));
    let token = mint(KEY_A, &rs256_header(Some(KID_A)), &id_token_v2());
    let check = verify_token(&jws_of(&token), &file_options(&file), None).await;
    assert!(
        matches!(&check, SignatureCheck::Valid { kid: Some(k), alg, .. } if k == KID_A && alg == "RS256"),
        "{check:?}"
    );
}

#[tokio::test]
async fn the_keys_of_a_trusted_loopback_issuer_are_fetched_from_its_discovery_path_once() {
    let body = jwks(&[(KEY_A, KID_A)]);
    let (base, hits) = serve(
        vec![Route::json(&format!("/{TID}/discovery/v2.0/keys"), &body)],
        8,
    );
    let mut claims = id_token_v2();
    claims.insert("iss".into(), json!(format!("{base}/{TID}/v2.0")));
    let id = mint(KEY_A, &rs256_header(Some(KID_A)), &claims);
    let mut at_claims = access_token_v2();
    at_claims.insert("iss".into(), json!(format!("{base}/{TID}/v2.0")));
    let at = mint(KEY_A, &rs256_header(Some(KID_A)), &at_claims);
    let response = json!({"id_token": id, "access_token": at}).to_string();
    let pasted = recognize(&response).unwrap();
    // Not trusted: nothing is fetched on the token's word.
    let checks = verify_pasted(&pasted, &VerifyOptions::default(), None).await;
    for check in &checks {
        assert!(
            matches!(check, SignatureCheck::Unverifiable { reason: Unverifiable::NoKeyLocation, explanation } if explanation.contains("--jwks")),
            "{check:?}"
        );
    }
    assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), 0);
    // The running sandbox's origin is trusted.
    let trusted = VerifyOptions {
        local_issuers: vec![format!("{base}/")],
        ..VerifyOptions::default()
    };
    let checks = verify_pasted(&pasted, &trusted, None).await;
    assert_eq!(checks.len(), 2);
    for check in &checks {
        assert!(
            matches!(check, SignatureCheck::Valid { keys_from, .. } if keys_from.ends_with("/discovery/v2.0/keys")),
            "{check:?}"
        );
    }
    assert_eq!(
        hits.load(std::sync::atomic::Ordering::SeqCst),
        1,
        "one fetch for both tokens"
    );
}

#[tokio::test]
async fn a_jwks_url_override_is_used_instead_of_the_tenant() {
    let (base, _) = serve(vec![Route::json("/keys.json", &jwks(&[(KEY_A, KID_A)]))], 4);
    let options = VerifyOptions {
        jwks: Some(JwksSource::parse(&format!("{base}/keys.json")).unwrap()),
        ..VerifyOptions::default()
    };
    let token = mint(KEY_A, &rs256_header(Some(KID_A)), &access_token_v2());
    assert!(matches!(
        verify_token(&jws_of(&token), &options, None).await,
        SignatureCheck::Valid { .. }
    ));
}

#[tokio::test]
async fn an_altered_payload_or_a_foreign_key_is_an_invalid_signature() {
    let file = TempFile::new("invalid.json", &jwks(&[(KEY_A, KID_A)]));
    let token = mint(KEY_A, &rs256_header(Some(KID_A)), &id_token_v2());
    let mut parts: Vec<String> = token.split('.').map(str::to_string).collect();
    let mut claims = id_token_v2();
    claims.insert("email".into(), json!("mallory@contoso.com"));
    parts[1] = unsigned(&rs256_header(None), &claims)
        .split('.')
        .nth(1)
        .unwrap()
        .to_string();
    let altered = parts.join(".");
    let forged = mint(KEY_B, &rs256_header(Some(KID_A)), &id_token_v2());
    for t in [altered, forged] {
        let check = verify_token(&jws_of(&t), &file_options(&file), None).await;
        assert!(
            matches!(&check, SignatureCheck::Invalid { explanation, .. } if explanation.contains("does not match")),
            "{check:?}"
        );
    }
}

#[tokio::test]
async fn an_unknown_kid_lists_the_known_ones_and_names_app_specific_keys() {
    let (base, _) = serve(vec![Route::json("/k", &jwks(&[(KEY_A, KID_A)]))], 4);
    let options = VerifyOptions {
        jwks: Some(JwksSource::parse(&format!("{base}/k")).unwrap()),
        ..VerifyOptions::default()
    };
    let token = mint(KEY_B, &rs256_header(Some("rotated-kid")), &id_token_v2());
    let check = verify_token(&jws_of(&token), &options, Some(CLIENT_ID)).await;
    match check {
        SignatureCheck::KidUnknown {
            kid,
            known_kids,
            explanation,
            ..
        } => {
            assert_eq!(kid.as_deref(), Some("rotated-kid"));
            assert_eq!(known_kids, [KID_A]);
            assert!(explanation.contains("rotated"), "{explanation}");
            assert!(
                explanation.contains(&format!("?appid={CLIENT_ID}")),
                "{explanation}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_token_without_kid_uses_x5t_or_the_only_key() {
    let single = TempFile::new("single.json", &jwks(&[(KEY_A, KID_A)]));
    let two = TempFile::new("two.json", &jwks(&[(KEY_A, KID_A), (KEY_B, KID_B)]));
    let no_kid = mint(KEY_A, &rs256_header(None), &id_token_v2());
    assert!(matches!(
        verify_token(&jws_of(&no_kid), &file_options(&single), None).await,
        SignatureCheck::Valid { .. }
    ));
    assert!(matches!(
        verify_token(&jws_of(&no_kid), &file_options(&two), None).await,
        SignatureCheck::KidUnknown { kid: None, .. }
    ));
    let mut header = rs256_header(None);
    header.insert("x5t".into(), json!(KID_A));
    let with_x5t = mint(KEY_A, &header, &id_token_v2());
    assert!(matches!(
        verify_token(&jws_of(&with_x5t), &file_options(&two), None).await,
        SignatureCheck::Valid { .. }
    ));
}

#[tokio::test]
async fn a_graph_access_token_is_unverifiable_by_design_and_fetches_nothing() {
    let (base, hits) = serve(vec![Route::json("/k", &jwks(&[(KEY_A, KID_A)]))], 4);
    let options = VerifyOptions {
        jwks: Some(JwksSource::parse(&format!("{base}/k")).unwrap()),
        ..VerifyOptions::default()
    };
    let token = mint(KEY_A, &graph_header(), &graph_access_token());
    let check = verify_token(&jws_of(&token), &options, None).await;
    assert!(
        matches!(
            check,
            SignatureCheck::Unverifiable {
                reason: Unverifiable::GraphAccessToken,
                ..
            }
        ),
        "{check:?}"
    );
    assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), 0);
}

#[tokio::test]
async fn algorithms_entra_does_not_use_are_unverifiable() {
    for alg in ["HS256", "none", "ES256"] {
        let mut header = rs256_header(Some(KID_A));
        header.insert("alg".into(), json!(alg));
        let check = verify_token(
            &jws_of(&unsigned(&header, &id_token_v2())),
            &VerifyOptions::default(),
            None,
        )
        .await;
        assert!(
            matches!(
                check,
                SignatureCheck::Unverifiable {
                    reason: Unverifiable::UnsupportedAlgorithm,
                    ..
                }
            ),
            "{alg}: {check:?}"
        );
    }
}

#[tokio::test]
async fn an_issuer_entrance_does_not_know_needs_a_jwks_override() {
    let mut claims = id_token_v2();
    claims.insert("iss".into(), json!("https://accounts.example.com"));
    let check = verify_token(
        &jws_of(&unsigned(&rs256_header(Some(KID_A)), &claims)),
        &VerifyOptions::default(),
        None,
    )
    .await;
    assert!(
        matches!(&check, SignatureCheck::Unverifiable { reason: Unverifiable::NoKeyLocation, explanation } if explanation.contains("--jwks")),
        "{check:?}"
    );
    claims.remove("iss");
    let check = verify_token(
        &jws_of(&unsigned(&rs256_header(Some(KID_A)), &claims)),
        &VerifyOptions::default(),
        None,
    )
    .await;
    assert!(matches!(
        check,
        SignatureCheck::Unverifiable {
            reason: Unverifiable::NoKeyLocation,
            ..
        }
    ));
}

#[tokio::test]
async fn redirects_are_refused_and_http_errors_reported() {
    let mut redirect = Route::json("/moved", "");
    redirect.status = 302;
    redirect.headers = vec![("Location".into(), "https://evil.example/keys".into())];
    let (base, _) = serve(vec![redirect], 4);
    for (path, expect) in [
        ("/moved", "does not follow redirects"),
        ("/missing", "HTTP 404"),
    ] {
        let options = VerifyOptions {
            jwks: Some(JwksSource::parse(&format!("{base}{path}")).unwrap()),
            ..VerifyOptions::default()
        };
        let token = unsigned(&rs256_header(Some(KID_A)), &id_token_v2());
        let check = verify_token(&jws_of(&token), &options, None).await;
        assert!(
            matches!(&check, SignatureCheck::Unverifiable { reason: Unverifiable::KeysUnavailable, explanation } if explanation.contains(expect)),
            "{check:?}"
        );
    }
}

#[tokio::test]
async fn a_file_that_is_not_a_jwks_is_reported() {
    let file = TempFile::new("bad.json", r#"{"hello": 1}"#);
    let token = unsigned(&rs256_header(Some(KID_A)), &id_token_v2());
    let check = verify_token(&jws_of(&token), &file_options(&file), None).await;
    assert!(
        matches!(&check, SignatureCheck::Unverifiable { reason: Unverifiable::KeysUnavailable, explanation } if explanation.contains("not a JWKS")),
        "{check:?}"
    );
    let missing = VerifyOptions {
        jwks: Some(JwksSource::File("/nonexistent/entrance/keys.json".into())),
        ..VerifyOptions::default()
    };
    assert!(matches!(
        verify_token(&jws_of(&token), &missing, None).await,
        SignatureCheck::Unverifiable {
            reason: Unverifiable::KeysUnavailable,
            ..
        }
    ));
}

#[test]
fn jwks_locations_allow_https_and_loopback_http_only() {
    assert!(matches!(
        JwksSource::parse("keys.json"),
        Ok(JwksSource::File(_))
    ));
    assert!(matches!(
        JwksSource::parse("https://login.microsoftonline.com/t/discovery/v2.0/keys"),
        Ok(JwksSource::Url(_))
    ));
    for ok in [
        "http://127.0.0.1:9/k",
        "http://localhost/k",
        "http://[::1]:8080/k",
        "http://127.8.9.10/k",
    ] {
        assert!(JwksSource::parse(ok).is_ok(), "{ok}");
    }
    for bad in [
        "http://keys.example.com/k",
        "http://10.0.0.1/k",
        "ftp://x/k",
        "https://",
        "",
    ] {
        let err = JwksSource::parse(bad).unwrap_err();
        assert_eq!(err.code(), crate::ErrorCode::InputInvalid, "{bad}");
    }
}

#[test]
fn a_single_jwk_is_read_as_a_set_of_one() {
    let keys = parse_jwks(jwk(KEY_A, KID_A).to_string().as_bytes()).unwrap();
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0].kid.as_deref(), Some(KID_A));
    assert!(parse_jwks(b"[1]").is_err());
    assert!(parse_jwks(br#"{"keys": 5}"#).is_err());
}
