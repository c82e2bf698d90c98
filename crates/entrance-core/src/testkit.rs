//! Test fixtures built by code: Entra-shaped claims, tokens signed with the
//! test-only keys in `testdata/` (see its README), Entra-shaped JWKS, and a
//! tiny HTTP server on 127.0.0.1 that serves them.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::jwk::{AlgorithmParameters, Jwk};
use jsonwebtoken::{Algorithm, EncodingKey};
use serde_json::{json, Map, Value};

/// The "tenant" key (RSA-2048, test only).
pub const KEY_A: &str = include_str!("../testdata/signing-key-a.pem");
/// Another key: an attacker's, or one Entra rotated away.
pub const KEY_B: &str = include_str!("../testdata/signing-key-b.pem");
pub const KID_A: &str = "test-kid-a";
pub const KID_B: &str = "test-kid-b";

pub const TID: &str = "11111111-2222-3333-4444-555555555555";
pub const OTHER_TID: &str = "99999999-8888-7777-6666-555555555555";
pub const CLIENT_ID: &str = "c0ffee00-0000-4000-8000-000000000001";
pub const API_ID: &str = "c0ffee00-0000-4000-8000-000000000009";
pub const OID: &str = "0a0a0a0a-1111-4222-8333-444444444444";
/// 2024-05-01T10:00:00Z
pub const NOW: i64 = 1_714_557_600;

pub fn v2_issuer(tid: &str) -> String {
    format!("https://login.microsoftonline.com/{tid}/v2.0")
}

pub fn v1_issuer(tid: &str) -> String {
    format!("https://sts.windows.net/{tid}/")
}

fn obj(v: Value) -> Map<String, Value> {
    v.as_object().cloned().unwrap_or_default()
}

/// A v2 ID token's claims that raise no finding: groups and email present.
pub fn id_token_v2() -> Map<String, Value> {
    obj(json!({
        "aud": CLIENT_ID,
        "iss": v2_issuer(TID),
        "iat": NOW - 300,
        "nbf": NOW - 300,
        "exp": NOW + 3300,
        "email": "ada@contoso.com",
        "groups": ["aaaaaaaa-0000-1111-2222-bbbbbbbbbbbb"],
        "name": "Ada Lovelace",
        "nonce": "n-0S6_WzA2Mj",
        "oid": OID,
        "preferred_username": "ada@contoso.com",
        "rh": "0.AXoA-opaque",
        "sid": "00000000-aaaa-bbbb-cccc-000000000000",
        "sub": "pairwise-sub-for-grafana",
        "tid": TID,
        "uti": "AbCdEf123",
        "ver": "2.0"
    }))
}

/// A v2 delegated access token for the API `API_ID`.
pub fn access_token_v2() -> Map<String, Value> {
    obj(json!({
        "aud": API_ID,
        "iss": v2_issuer(TID),
        "iat": NOW - 300,
        "nbf": NOW - 300,
        "exp": NOW + 4200,
        "azp": CLIENT_ID,
        "azpacr": "1",
        "email": "ada@contoso.com",
        "groups": ["aaaaaaaa-0000-1111-2222-bbbbbbbbbbbb"],
        "name": "Ada Lovelace",
        "oid": OID,
        "preferred_username": "ada@contoso.com",
        "scp": "default",
        "sub": "pairwise-sub-for-keep",
        "tid": TID,
        "ver": "2.0"
    }))
}

/// A v1 access token for a Graph-style call: Microsoft Graph, v1, nonce in
/// the header (see [`graph_header`]).
pub fn graph_access_token() -> Map<String, Value> {
    obj(json!({
        "aud": "00000003-0000-0000-c000-000000000000",
        "iss": v1_issuer(TID),
        "iat": NOW - 300,
        "nbf": NOW - 300,
        "exp": NOW + 4200,
        "app_displayname": "Grafana",
        "appid": CLIENT_ID,
        "appidacr": "1",
        "idtyp": "user",
        "name": "Ada Lovelace",
        "oid": OID,
        "scp": "openid profile email User.Read",
        "tid": TID,
        "unique_name": "ada@contoso.com",
        "upn": "ada@contoso.com",
        "ver": "1.0"
    }))
}

pub fn rs256_header(kid: Option<&str>) -> Map<String, Value> {
    let mut h = obj(json!({"typ": "JWT", "alg": "RS256"}));
    if let Some(kid) = kid {
        h.insert("kid".into(), json!(kid));
        h.insert("x5t".into(), json!(kid));
    }
    h
}

pub fn graph_header() -> Map<String, Value> {
    let mut h = rs256_header(Some(KID_A));
    h.insert("nonce".into(), json!("graph-header-nonce"));
    h
}

fn b64_json(v: &Map<String, Value>) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).expect("a map serializes"))
}

/// A token signed with `pem` (RS256), with exactly the header given.
pub fn mint(pem: &str, header: &Map<String, Value>, claims: &Map<String, Value>) -> String {
    let input = format!("{}.{}", b64_json(header), b64_json(claims));
    let key = EncodingKey::from_rsa_pem(pem.as_bytes()).expect("test key parses");
    let sig =
        jsonwebtoken::crypto::sign(input.as_bytes(), &key, Algorithm::RS256).expect("RS256 signs");
    format!("{input}.{sig}")
}

/// A token shaped like [`mint`]'s but with a fake signature (no crypto).
pub fn unsigned(header: &Map<String, Value>, claims: &Map<String, Value>) -> String {
    format!(
        "{}.{}.{}",
        b64_json(header),
        b64_json(claims),
        URL_SAFE_NO_PAD.encode("not-a-signature")
    )
}

/// An Entra-shaped JWKS entry: kty, use, kid, x5t, n, e, x5c, issuer; no alg.
pub fn jwk(pem: &str, kid: &str) -> Value {
    let key = EncodingKey::from_rsa_pem(pem.as_bytes()).expect("test key parses");
    let jwk = Jwk::from_encoding_key(&key, Algorithm::RS256).expect("RSA JWK");
    let AlgorithmParameters::RSA(rsa) = jwk.algorithm else {
        panic!("not RSA")
    };
    json!({
        "kty": "RSA",
        "use": "sig",
        "kid": kid,
        "x5t": kid,
        "n": rsa.n,
        "e": rsa.e,
        "x5c": ["test fixture: no certificate"],
        "issuer": "https://login.microsoftonline.com/{tenantid}/v2.0"
    })
}

pub fn jwks(keys: &[(&str, &str)]) -> String {
    json!({"keys": keys.iter().map(|(pem, kid)| jwk(pem, kid)).collect::<Vec<_>>()}).to_string()
}

/// A temporary file holding `content`, in a private folder of its own
/// (`tempfile`); both are removed on drop.
pub struct TempFile(
    pub std::path::PathBuf,
    /// Held only so the folder lives as long as the file.
    #[allow(dead_code)]
    tempfile::TempDir,
);

impl TempFile {
    pub fn new(name: &str, content: &str) -> TempFile {
        let dir = tempfile::Builder::new()
            .prefix("entrance-core-test-")
            .tempdir()
            .expect("temp dir");
        let path = dir.path().join(name);
        std::fs::write(&path, content).expect("temp file");
        TempFile(path, dir)
    }
}

/// One canned response.
#[derive(Clone)]
pub struct Route {
    pub path: String,
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Route {
    pub fn json(path: &str, body: &str) -> Route {
        Route {
            path: path.into(),
            status: 200,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: body.into(),
        }
    }
}

/// Serves `routes` on 127.0.0.1 from a thread, one request per connection,
/// at most `max_requests` requests. Returns the base URL and a hit counter.
pub fn serve(routes: Vec<Route>, max_requests: usize) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(max_requests) {
            let Ok(mut stream) = stream else { continue };
            let mut buf = Vec::new();
            let mut chunk = [0u8; 1024];
            while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut chunk) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => buf.extend_from_slice(&chunk[..n]),
                }
            }
            counter.fetch_add(1, Ordering::SeqCst);
            let request = String::from_utf8_lossy(&buf);
            let path = request.split_whitespace().nth(1).unwrap_or("/").to_string();
            let route = routes.iter().find(|r| r.path == path);
            let (status, headers, body) = match route {
                Some(r) => (r.status, r.headers.clone(), r.body.clone()),
                None => (404, vec![], "not found".to_string()),
            };
            let mut response = format!(
                "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n",
                body.len()
            );
            for (k, v) in headers {
                response.push_str(&format!("{k}: {v}\r\n"));
            }
            response.push_str("\r\n");
            response.push_str(&body);
            let _ = stream.write_all(response.as_bytes());
        }
    });
    (base, hits)
}
