//! Benchmark, not a timed test: callback received → claims ready (token
//! exchange, JWKS, ID token verification, decoding, summary), with the key
//! set cached and cold, against the sandbox on 127.0.0.1 — once as it is and
//! once with 50 ms added to every key set fetch (a WAN round trip).
//!
//! Run: `cargo test --release -p entrance-core --test login_bench -- --ignored --nocapture`

mod support;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use entrance_core::login::{self, ClientCredential, LoginProgress};
use support::*;

const RUNS: usize = 15;

/// One sign-in; returns callback-received → done.
async fn once(sb: &entrance_sandbox::Sandbox, cold: bool) -> Duration {
    let req = request(
        authority(sb),
        &app_id(sb, "entrance"),
        ClientCredential::Public,
        None,
    );
    let marks: Arc<Mutex<(Option<Instant>, Option<Instant>)>> = Arc::default();
    let m = marks.clone();
    let (upn, pw, base) = (
        upn(sb, "alice"),
        password(sb, "alice"),
        sb.base_url().to_string(),
    );
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    let progress = move |e: LoginProgress| match e {
        LoginProgress::WaitingForBrowser { url, .. } => {
            if cold {
                // Keys were fetched before the browser opened; forget them
                // so that verification has to fetch them again.
                login::clear_jwks_cache();
            }
            let _ = tx.send(url);
        }
        LoginProgress::CallbackReceived => m.lock().unwrap().0 = Some(Instant::now()),
        LoginProgress::Done { .. } => m.lock().unwrap().1 = Some(Instant::now()),
        _ => {}
    };
    let browser = tokio::spawn(async move {
        let url = rx.recv().await.unwrap();
        http_browser(&base, &url, &upn, &pw).await
    });
    success(login::interactive(req, progress, Default::default()).await);
    browser.await.unwrap();
    let (a, b) = *marks.lock().unwrap();
    b.unwrap() - a.unwrap()
}

fn stats(mut d: Vec<Duration>) -> (f64, f64) {
    d.sort();
    let ms = |x: Duration| x.as_secs_f64() * 1000.0;
    let median = ms(d[d.len() / 2]);
    let mean = d.iter().map(|x| ms(*x)).sum::<f64>() / d.len() as f64;
    (median, mean)
}

async fn measure(sb: &entrance_sandbox::Sandbox, label: &str) {
    // Warm up: first connection, first key fetch.
    once(sb, false).await;
    let mut cached = Vec::new();
    let mut cold = Vec::new();
    for _ in 0..RUNS {
        cached.push(once(sb, false).await);
        cold.push(once(sb, true).await);
    }
    let (cm, ca) = stats(cached);
    let (om, oa) = stats(cold);
    println!(
        "{label:<32} callback→claims  JWKS cached: median {cm:7.2} ms (mean {ca:7.2})   JWKS cold: median {om:7.2} ms (mean {oa:7.2})   cold/cached ×{:.2}",
        om / cm
    );
}

#[tokio::test]
#[ignore = "benchmark: run with --ignored --nocapture"]
async fn callback_to_claims_with_jwks_cached_and_cold() {
    let sb = sandbox().await;
    measure(&sb, "sandbox on 127.0.0.1").await;
    sb.faults().add(entrance_sandbox::FaultRule {
        endpoint: entrance_sandbox::Endpoint::Jwks,
        latency_ms: Some(50),
        ..Default::default()
    });
    measure(&sb, "+50 ms on every key set fetch").await;
}
