//! Benchmark, not a timed test: what `entrance inspect --json` does with a
//! token of a user in 200 groups (the most a JWT carries before overage,
//! docs/entra.md#groups-overage) — recognize the paste, decode, explain every claim, run
//! the finding rules, serialize to JSON — against a plain JWT decode of the
//! same token (base64url + JSON parse of header and claims), measured
//! alternately in the same run. The figure is the ratio.
//!
//! Run: `cargo test --release -p entrance-core --test inspect_bench -- --ignored --nocapture`

use std::hint::black_box;
use std::time::{Duration, Instant};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use entrance_core::inspect::{self, InspectOptions};
use serde_json::{json, Value};

const ROUNDS: usize = 15;
const PER_ROUND: usize = 200;

/// A v2 ID token of a user in 200 groups, as Entra shapes it (docs/entra.md#claims, docs/entra.md#groups-overage).
fn token_with_200_groups() -> String {
    let groups: Vec<String> = (0..200)
        .map(|i| format!("{:08x}-0000-4000-8000-{:012x}", 0x5000_0000u32 + i, i))
        .collect();
    let header = json!({"typ": "JWT", "alg": "RS256", "kid": "bench-key"});
    let claims = json!({
        "aud": "33333333-0000-4000-8000-000000000005",
        "iss": "https://login.microsoftonline.com/aaaaaaaa-0000-4000-8000-000000000001/v2.0",
        "iat": 1_795_449_438, "nbf": 1_795_449_438, "exp": 1_795_453_038,
        "groups": groups,
        "name": "Morgan Bench",
        "nonce": "n-0S6_WzA2Mj",
        "oid": "11111111-0000-4000-8000-000000000002",
        "preferred_username": "morgan@contoso.com",
        "roles": ["Editor"],
        "sub": "Hq2pW9vZx0Lr7sT1uYbN3cKe5fJ8mA4dGi6oQyXwE1s",
        "tid": "aaaaaaaa-0000-4000-8000-000000000001",
        "uti": "tQ1mZs9aKEa2vQ0xP3bLAA",
        "ver": "2.0",
        "wids": ["b79fbf4d-3ef9-4689-8143-76b194e85509"]
    });
    let enc = |v: &Value| URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap());
    format!(
        "{}.{}.{}",
        enc(&header),
        enc(&claims),
        URL_SAFE_NO_PAD.encode([1u8; 256])
    )
}

/// The baseline: decode header and claims, nothing more.
fn plain_decode(token: &str) -> (Value, Value) {
    let mut parts = token.split('.');
    let mut next = || {
        let bytes = URL_SAFE_NO_PAD.decode(parts.next().unwrap()).unwrap();
        serde_json::from_slice::<Value>(&bytes).unwrap()
    };
    (next(), next())
}

/// What `entrance inspect --json` computes (minus process start and I/O).
fn inspect_json(token: &str) -> String {
    let inspection =
        inspect::inspect_text(token, &InspectOptions::default(), 1_795_450_000).unwrap();
    serde_json::to_string(&inspection).unwrap()
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

#[test]
#[ignore = "benchmark: cargo test --release -p entrance-core --test inspect_bench -- --ignored --nocapture"]
fn inspect_json_against_a_plain_decode() {
    let token = token_with_200_groups();
    // The inspector sees all 200 groups and no overage.
    let out = inspect_json(&token);
    assert!(out.contains("\"groups\""), "the groups claim is explained");
    assert!(!out.contains("groups.overage"), "200 groups is not overage");
    assert_eq!(
        plain_decode(&token).1["groups"].as_array().unwrap().len(),
        200
    );

    let (mut base, mut full) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        let t = Instant::now();
        for _ in 0..PER_ROUND {
            black_box(plain_decode(black_box(&token)));
        }
        base.push(t.elapsed() / PER_ROUND as u32);
        let t = Instant::now();
        for _ in 0..PER_ROUND {
            black_box(inspect_json(black_box(&token)));
        }
        full.push(t.elapsed() / PER_ROUND as u32);
    }
    let (b, f) = (median(base), median(full));
    let ratio = f.as_secs_f64() / b.as_secs_f64();
    println!(
        "token: {} bytes, 200 groups\nplain JWT decode (baseline): {:.1} µs\nentrance inspect --json work: {:.1} µs\nratio: {ratio:.1}×",
        token.len(),
        b.as_secs_f64() * 1e6,
        f.as_secs_f64() * 1e6,
    );
    println!("ENTRANCE_BENCH inspect_200_groups_ratio={ratio:.2}");
}
