//! The CLI played as an attacker would: forged tokens, hostile servers and
//! hostile input. Each test reproduces one attack and checks it fails.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Value};

const TID: &str = "11111111-2222-3333-4444-555555555555";
const GRAPH_TOKEN: &str = "admins-graph-token-e4f1c2";

fn entrance(args: &[&str], stdin: &[u8], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_entrance"));
    cmd.args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("the entrance binary runs");
    let mut input = child.stdin.take().expect("stdin");
    let stdin = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&stdin);
    });
    let out = child.wait_with_output().expect("entrance finishes");
    let _ = writer.join();
    out
}

fn b64(v: &Value) -> String {
    URL_SAFE_NO_PAD.encode(v.to_string())
}

fn unsigned(claims: &Value) -> String {
    format!(
        "{}.{}.c2lnbmF0dXJl",
        b64(&json!({"typ": "JWT", "alg": "RS256", "kid": "k"})),
        b64(claims)
    )
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs() as i64
}

/// A server on 127.0.0.1 that records every request head it gets and
/// answers like Graph with an empty list.
fn recorder() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { continue };
            let mut buf = vec![0u8; 16 * 1024];
            let n = s.read(&mut buf).unwrap_or(0);
            log.lock()
                .expect("log")
                .push(String::from_utf8_lossy(&buf[..n]).into_owned());
            let body = r#"{"value":[]}"#;
            let _ = write!(
                s,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (url, seen)
}

/// Finding 1: a token whose overage marker names the attacker's server must
/// not make Entrance send the admin's Graph token there. It goes to the
/// Graph the admin chose, and only there.
#[test]
fn the_graph_token_never_goes_to_a_host_named_in_the_inspected_token() {
    let (attacker, attacker_seen) = recorder();
    let (graph, graph_seen) = recorder();
    let now = now();
    let forged = unsigned(&json!({
        "aud": "c0ffee00-0000-4000-8000-000000000001",
        "iss": format!("https://login.microsoftonline.com/{TID}/v2.0"),
        "iat": now - 60, "nbf": now - 60, "exp": now + 3600,
        "oid": "0a0a0a0a-1111-4222-8333-444444444444",
        "tid": TID, "ver": "2.0",
        "_claim_names": {"groups": "src1"},
        "_claim_sources": {"src1": {"endpoint": format!("{attacker}/{TID}/users/x/getMemberObjects")}}
    }));
    for verify in [false, true] {
        let mut args = vec![
            "inspect",
            "--json",
            "--resolve-groups",
            "--graph-token-env",
            "G",
            "--graph-url",
            &graph,
        ];
        if verify {
            args.push("--verify");
        }
        let out = entrance(&args, forged.as_bytes(), &[("G", GRAPH_TOKEN)]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(!stdout.contains(GRAPH_TOKEN), "{stdout}");
    }
    assert!(
        attacker_seen.lock().expect("log").is_empty(),
        "the attacker's server was contacted: {:?}",
        attacker_seen.lock().expect("log")
    );
    let graph_seen = graph_seen.lock().expect("log");
    assert!(
        graph_seen
            .iter()
            .any(|r| r.contains(&format!("Bearer {GRAPH_TOKEN}"))),
        "the chosen Graph got the token: {graph_seen:?}"
    );
    // Without --graph-url the default is Microsoft Graph of the chosen
    // cloud (global unless --cloud says otherwise), never the marker's host.
    for (extra, host) in [
        (None, "graph.microsoft.com"),
        (Some("china"), "microsoftgraph.chinacloudapi.cn"),
    ] {
        let mut args = vec![
            "inspect",
            "--json",
            "--resolve-groups",
            "--graph-token-env",
            "G",
        ];
        if let Some(cloud) = extra {
            args.extend(["--cloud", cloud]);
        }
        let out = entrance(&args, forged.as_bytes(), &[("G", GRAPH_TOKEN)]);
        let body: Value = serde_json::from_slice(&out.stdout).expect("json");
        let resolved = body["groups_resolved"].to_string();
        assert!(resolved.contains(host), "{resolved}");
        assert!(!resolved.contains(&attacker), "{resolved}");
    }
    assert!(attacker_seen.lock().expect("log").is_empty());
}

/// Finding 3: terminal control sequences inside a token (or any text from
/// outside) must not reach the terminal raw: they would move the cursor over
/// the "signature valid" line or set the window title.
#[test]
fn control_sequences_from_a_token_never_reach_the_terminal() {
    let now = now();
    let hostile = unsigned(&json!({
        "aud": "c0ffee00-0000-4000-8000-000000000001",
        "iss": format!("https://login.microsoftonline.com/{TID}/v2.0\u{1b}]0;pwned\u{7}"),
        "iat": now - 60, "nbf": now - 60, "exp": now + 3600,
        "name": "Mallory\u{1b}[2A\u{1b}[2K✓ signature valid\r",
        "preferred_username": "evil\u{202e}gpj.exe",
        "tid": TID, "ver": "2.0"
    }));
    let out = entrance(&["inspect"], hostile.as_bytes(), &[]);
    let explain = entrance(
        &[
            "explain",
            "AADSTS50011: \u{1b}[31mred\u{1b}[0m \u{9b}2J mismatch\r",
        ],
        b"",
        &[],
    );
    for o in [&out, &explain] {
        for stream in [&o.stdout, &o.stderr] {
            let text = String::from_utf8_lossy(stream);
            for bad in ['\u{1b}', '\u{7}', '\r', '\u{9b}', '\u{202e}'] {
                assert!(!text.contains(bad), "{bad:?} reached the terminal:\n{text}");
            }
        }
    }
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Mallory\\u001b[2A"), "shown, escaped: {text}");
}

/// Finding 6: a token that names a server on this machine as its issuer
/// must not make `inspect --verify` fetch keys there (any local process
/// could serve keys that make a forged token look valid).
#[test]
fn a_forged_token_naming_a_local_issuer_is_not_verified_with_its_keys() {
    use jsonwebtoken::jwk::{AlgorithmParameters, Jwk};
    use jsonwebtoken::{Algorithm, EncodingKey};
    const KEY: &str = include_str!("../../entrance-core/testdata/signing-key-a.pem");
    let key = EncodingKey::from_rsa_pem(KEY.as_bytes()).expect("test key");
    let jwk = Jwk::from_encoding_key(&key, Algorithm::RS256).expect("jwk");
    let AlgorithmParameters::RSA(rsa) = jwk.algorithm else {
        panic!("RSA")
    };
    let keys = json!({"keys": [{"kty": "RSA", "use": "sig", "kid": "k", "n": rsa.n, "e": rsa.e}]})
        .to_string();
    // The attacker's key server, on loopback.
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let hits = Arc::new(Mutex::new(0usize));
    let counted = Arc::clone(&hits);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { continue };
            *counted.lock().expect("hits") += 1;
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf);
            let _ = write!(s, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{keys}", keys.len());
        }
    });
    let now = now();
    let claims = json!({
        "aud": "c0ffee00-0000-4000-8000-000000000001",
        "iss": format!("{base}/{TID}/v2.0"),
        "iat": now - 60, "nbf": now - 60, "exp": now + 3600,
        "tid": TID, "ver": "2.0", "roles": ["Admin"]
    });
    let input = format!(
        "{}.{}",
        b64(&json!({"typ": "JWT", "alg": "RS256", "kid": "k"})),
        b64(&claims)
    );
    let sig = jsonwebtoken::crypto::sign(input.as_bytes(), &key, Algorithm::RS256).expect("signs");
    let forged = format!("{input}.{sig}");
    let out = entrance(&["inspect", "--verify", "--json"], forged.as_bytes(), &[]);
    let body: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(
        *hits.lock().expect("hits"),
        0,
        "keys were fetched from the token's local issuer"
    );
    assert_ne!(body["signature"]["status"], "valid", "{body}");
    assert_ne!(out.status.code(), Some(0));
    let said = body["signature"].to_string();
    assert!(said.contains("--jwks"), "says how to ask for it: {said}");
}

/// Finding 9: input is refused one byte past its limit, not read whole
/// first: 64 MiB piped into `inspect` stop being read after 1 MiB.
#[test]
fn an_endless_paste_is_refused_without_being_read_whole() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_entrance"))
        .args(["inspect", "--json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    let mut input = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || {
        let chunk = vec![b'a'; 64 * 1024];
        let mut written = 0usize;
        while written < 64 << 20 {
            match input.write(&chunk) {
                Ok(n) => written += n,
                Err(_) => break,
            }
        }
        written
    });
    let out = child.wait_with_output().expect("finishes");
    let written = writer.join().expect("writer");
    assert_eq!(out.status.code(), Some(2));
    let body: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("1048576")),
        "{body}"
    );
    assert!(
        written < 16 << 20,
        "Entrance read {written} bytes of an endless paste"
    );
}

/// A CA file that never ends (`/dev/zero`) is refused at its limit, and the
/// diagnosis still finishes.
#[cfg(unix)]
#[test]
fn an_endless_ca_file_is_refused_and_the_diagnosis_finishes() {
    let started = std::time::Instant::now();
    let out = entrance(
        &[
            "diagnose",
            "--authority",
            "http://127.0.0.1:9/contoso/v2.0",
            "--ca-file",
            "/dev/zero",
            "--timeout",
            "2",
            "--json",
        ],
        b"",
        &[],
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("larger than"), "{text}");
}

/// A token on the command line is visible to other local users: it still
/// works, with a warning that says to pipe it in instead.
#[test]
fn a_token_on_the_command_line_is_warned_about() {
    let token = unsigned(
        &json!({"aud": "a", "iss": "https://login.microsoftonline.com/t/v2.0", "ver": "2.0"}),
    );
    let out = entrance(&["inspect", &token, "--json"], b"", &[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("Warning") && err.contains("Pipe it in"),
        "{err}"
    );
    let piped = entrance(&["inspect", "--json"], token.as_bytes(), &[]);
    assert!(!String::from_utf8_lossy(&piped.stderr).contains("Warning"));
}
