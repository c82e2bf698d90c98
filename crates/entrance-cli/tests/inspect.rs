//! `entrance inspect` as an admin runs it: tokens piped in, JSON out, exit codes.
//!
//! Tokens are built here by code; signed ones use the test-only key in
//! `crates/entrance-core/testdata/` (see its README).

use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::{Command, Output, Stdio};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::jwk::{AlgorithmParameters, Jwk};
use jsonwebtoken::{Algorithm, EncodingKey};
use serde_json::{json, Value};

const KEY_A: &str = include_str!("../../entrance-core/testdata/signing-key-a.pem");
const KEY_B: &str = include_str!("../../entrance-core/testdata/signing-key-b.pem");
const KID: &str = "cli-test-kid";
const TID: &str = "11111111-2222-3333-4444-555555555555";
const CLIENT_ID: &str = "c0ffee00-0000-4000-8000-000000000001";

fn entrance(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_entrance"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the entrance binary runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("entrance finishes")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn json_of(o: &Output) -> Value {
    serde_json::from_str(stdout(o).trim())
        .unwrap_or_else(|e| panic!("one JSON object ({e}): {}", stdout(o)))
}

fn codes(body: &Value) -> Vec<String> {
    body["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|f| f["code"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs() as i64
}

fn id_claims() -> Value {
    let now = now();
    json!({
        "aud": CLIENT_ID,
        "iss": format!("https://login.microsoftonline.com/{TID}/v2.0"),
        "iat": now - 60, "nbf": now - 60, "exp": now + 3600,
        "email": "ada@contoso.com",
        "groups": ["aaaaaaaa-0000-1111-2222-bbbbbbbbbbbb"],
        "name": "Ada Lovelace",
        "nonce": "n-1",
        "oid": "0a0a0a0a-1111-4222-8333-444444444444",
        "preferred_username": "ada@contoso.com",
        "sub": "pairwise",
        "tid": TID,
        "ver": "2.0"
    })
}

fn b64(v: &Value) -> String {
    URL_SAFE_NO_PAD.encode(v.to_string())
}

fn header() -> Value {
    json!({"typ": "JWT", "alg": "RS256", "kid": KID})
}

fn mint(pem: &str, claims: &Value) -> String {
    let input = format!("{}.{}", b64(&header()), b64(claims));
    let key = EncodingKey::from_rsa_pem(pem.as_bytes()).expect("test key");
    let sig = jsonwebtoken::crypto::sign(input.as_bytes(), &key, Algorithm::RS256).expect("signs");
    format!("{input}.{sig}")
}

fn unsigned(claims: &Value) -> String {
    format!("{}.{}.c2lnbmF0dXJl", b64(&header()), b64(claims))
}

fn jwks() -> String {
    let key = EncodingKey::from_rsa_pem(KEY_A.as_bytes()).expect("test key");
    let jwk = Jwk::from_encoding_key(&key, Algorithm::RS256).expect("jwk");
    let AlgorithmParameters::RSA(rsa) = jwk.algorithm else {
        panic!("RSA")
    };
    json!({"keys": [{"kty": "RSA", "use": "sig", "kid": KID, "x5t": KID, "n": rsa.n, "e": rsa.e,
        "issuer": "https://login.microsoftonline.com/{tenantid}/v2.0"}]})
    .to_string()
}

fn jwks_file(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("entrance-cli-inspect-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, jwks()).expect("write jwks");
    path
}

/// Serves the JWKS on 127.0.0.1 for `max` requests.
fn serve_jwks(max: usize) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}/keys", listener.local_addr().expect("addr"));
    let body = jwks();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(max) {
            let Ok(mut s) = stream else { continue };
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf);
            let _ = write!(s, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len());
        }
    });
    url
}

#[test]
fn a_token_piped_in_is_decoded_and_explained() {
    let out = entrance(
        &["inspect"],
        &format!("Bearer {}\n", unsigned(&id_claims())),
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = stdout(&out);
    assert!(text.starts_with("ID token v2.0"), "{text}");
    for expected in [
        "Header",
        "Claims",
        "Audience: who the token is for.",
        "signature not checked (add --verify)",
        "Findings",
        "none",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
}

#[test]
fn json_is_one_object_with_kind_header_claims_explanations_signature_findings_and_verdicts() {
    let mut claims = id_claims();
    claims["exp"] = json!(now() - 7200);
    let out = entrance(&["inspect", "-", "--json"], &unsigned(&claims));
    assert_eq!(out.status.code(), Some(0));
    let body = json_of(&out);
    assert_eq!(body["kind"], "id_token");
    assert_eq!(body["version"], "2.0");
    assert_eq!(body["header"]["kid"], KID);
    assert_eq!(body["claims"]["tid"], TID);
    assert!(body["explanations"]
        .as_array()
        .is_some_and(|a| a.len() == 14));
    assert_eq!(body["signature"]["status"], "not_checked");
    assert_eq!(body["verdicts"], json!([]));
    assert_eq!(codes(&body), ["token.expired"]);
    let f = &body["findings"][0];
    assert_eq!(f["severity"], "warning");
    assert!(f["message"].as_str().is_some_and(|m| m.contains("expired")));
    assert!(f["fix"].is_string());
}

#[test]
fn a_token_as_an_argument_also_works() {
    let out = entrance(&["inspect", &unsigned(&id_claims()), "--json"], "");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(json_of(&out)["kind"], "id_token");
}

#[test]
fn help_recommends_standard_input() {
    let out = entrance(&["inspect", "--help"], "");
    let text = stdout(&out);
    assert!(
        text.contains("standard input is the recommended way"),
        "{text}"
    );
    assert!(
        text.contains("--verify")
            && text.contains("--jwks")
            && text.contains("--client-id")
            && text.contains("--tenant")
    );
}

#[test]
fn verification_with_a_jwks_file_passes_for_the_tenant_key_and_exits_1_otherwise() {
    let file = jwks_file("keys.json");
    let file = file.to_str().expect("utf-8 path");
    let good = entrance(
        &["inspect", "--jwks", file, "--json"],
        &mint(KEY_A, &id_claims()),
    );
    assert_eq!(good.status.code(), Some(0), "{}", stdout(&good));
    let body = json_of(&good);
    assert_eq!(body["signature"]["status"], "valid");
    assert_eq!(body["verified"], true);
    assert_eq!(codes(&body), ["signature.valid"]);

    let forged = entrance(
        &["inspect", "--verify", "--jwks", file, "--json"],
        &mint(KEY_B, &id_claims()),
    );
    assert_eq!(forged.status.code(), Some(1));
    assert_eq!(codes(&json_of(&forged)), ["signature.invalid"]);

    let wrong_client = entrance(
        &[
            "inspect",
            "--jwks",
            file,
            "--client-id",
            "c0ffee00-0000-4000-8000-0000000000ff",
            "--json",
        ],
        &mint(KEY_A, &id_claims()),
    );
    assert_eq!(wrong_client.status.code(), Some(1));
    assert_eq!(
        codes(&json_of(&wrong_client)),
        ["signature.valid", "aud.mismatch"]
    );
}

#[test]
fn verification_fetches_a_jwks_url_on_loopback() {
    let url = serve_jwks(2);
    let out = entrance(
        &["inspect", "--verify", "--jwks", &url, "--json"],
        &mint(KEY_A, &id_claims()),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert_eq!(json_of(&out)["signature"]["keys_from"], url);
}

#[test]
fn a_plain_http_jwks_url_off_loopback_is_refused_before_any_request() {
    let out = entrance(
        &["inspect", "--jwks", "http://keys.example.com/k", "--json"],
        &unsigned(&id_claims()),
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(json_of(&out)["error"]["code"], "input.invalid");
}

#[test]
fn a_client_id_mismatch_without_verify_is_a_finding_not_a_failure() {
    let out = entrance(
        &[
            "inspect",
            "--client-id",
            "c0ffee00-0000-4000-8000-0000000000ff",
            "--json",
        ],
        &unsigned(&id_claims()),
    );
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(codes(&json_of(&out)), ["aud.mismatch"]);
}

#[test]
fn unusable_input_exits_2_with_the_reason() {
    let not_token = entrance(&["inspect", "--json"], "hello there");
    assert_eq!(not_token.status.code(), Some(2));
    assert_eq!(codes(&json_of(&not_token)), ["input.not_a_token"]);

    let code = entrance(
        &["inspect", "--json"],
        "https://grafana.contoso.com/login/azuread?code=0.AXoA&state=x",
    );
    assert_eq!(code.status.code(), Some(2));
    assert_eq!(codes(&json_of(&code)), ["input.authorization_code"]);

    let malformed = entrance(&["inspect", "--json"], "eyJhbGciOiJSUzI1NiJ9.eyJhIjo!.c2ln");
    assert_eq!(malformed.status.code(), Some(2));
    let body = json_of(&malformed);
    assert_eq!(body["error"]["code"], "input.invalid");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("payload") && m.contains("byte 7")),
        "{body}"
    );

    let empty = entrance(&["inspect"], "   \n");
    assert_eq!(empty.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&empty.stderr).contains("empty"));

    let bad_tenant = entrance(
        &["inspect", "--tenant", "contoso.com", "--json"],
        &unsigned(&id_claims()),
    );
    assert_eq!(bad_tenant.status.code(), Some(2));
    assert_eq!(json_of(&bad_tenant)["error"]["code"], "input.invalid");
}

#[test]
fn a_token_response_reports_the_id_token_first_and_the_rest_under_others() {
    let mut at = id_claims();
    at["aud"] = json!("api://c0ffee00-0000-4000-8000-000000000009");
    at["scp"] = json!("default");
    at.as_object_mut().map(|m| m.remove("nonce"));
    let response = json!({"token_type": "Bearer", "access_token": unsigned(&at), "refresh_token": "0.AXoA-opaque", "id_token": unsigned(&id_claims())});
    let out = entrance(&["inspect", "--json"], &response.to_string());
    assert_eq!(out.status.code(), Some(0));
    let body = json_of(&out);
    assert_eq!(body["wrapper"], "json");
    assert_eq!(body["kind"], "id_token");
    assert_eq!(body["source"]["field"], "id_token");
    let others: Vec<&str> = body["others"]
        .as_array()
        .expect("others")
        .iter()
        .filter_map(|o| o["kind"].as_str())
        .collect();
    assert_eq!(others, ["access_token", "not_a_token"]);
}

#[test]
fn saml_is_recognized_and_its_attributes_listed() {
    let xml = r#"<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"><Assertion Version="2.0"><Issuer>https://sts.windows.net/t/</Issuer><AttributeStatement><Attribute Name="http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"><AttributeValue>ada@contoso.com</AttributeValue></Attribute></AttributeStatement></Assertion></samlp:Response>"#;
    let out = entrance(&["inspect"], xml);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(
        text.contains("input.saml")
            && text.contains("ada@contoso.com")
            && text.contains("(= email)"),
        "{text}"
    );
}
