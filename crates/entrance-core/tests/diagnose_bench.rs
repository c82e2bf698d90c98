//! Benchmark: a diagnosis costs its longest dependency chain, not the sum of
//! its requests. The sandbox delays every request by L; the full diagnosis
//! (app, secret, three redirect URIs, a Graph token) must end within
//! 1.2 × C × L, C being the longest chain of the plan counted in requests.
//!
//! `cargo test -p entrance-core --release --test diagnose_bench -- --ignored --nocapture`

mod support;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use entrance_core::diagnose::{
    plan, run, CancellationToken, CheckKind, CheckStatus, Credentials, DiagnoseRequest,
    Environment, PlannedCheck,
};
use entrance_core::login::SecretMethod;
use entrance_core::secrets::{ExposeSecret, SecretString};
use entrance_sandbox::faults::{Endpoint, FaultRule};
use entrance_sandbox::Sandbox;
use support::*;

const LATENCY: Duration = Duration::from_millis(200);
const RUNS: usize = 3;

/// Sequential requests to the sandbox each check makes on its path:
/// several requests inside one check run concurrently and count once.
fn chain_weight(check: &PlannedCheck, request: &DiagnoseRequest, graph_token: bool) -> u32 {
    match check.kind {
        CheckKind::Http | CheckKind::Tenant | CheckKind::Jwks | CheckKind::AppSecret => 1,
        CheckKind::RedirectUri => u32::from(!request.redirect_uris.is_empty()),
        // The Graph root (when no http.graph probed it) and /me, at once.
        CheckKind::Graph => {
            u32::from(graph_token || check.depends_on.iter().any(|d| d == "tenant"))
        }
        _ => 0,
    }
}

/// Every request the checks make, as if each waited for the one before.
fn request_count(check: &PlannedCheck, request: &DiagnoseRequest, graph_token: bool) -> u32 {
    match check.kind {
        CheckKind::RedirectUri => request.redirect_uris.len() as u32,
        CheckKind::Graph => {
            u32::from(check.depends_on.iter().any(|d| d == "tenant")) + u32::from(graph_token)
        }
        _ => chain_weight(check, request, graph_token),
    }
}

/// The longest chain of the plan in requests (the plan lists every check
/// after its dependencies).
fn longest_chain(plan: &[PlannedCheck], request: &DiagnoseRequest, graph_token: bool) -> u32 {
    let mut depth: HashMap<&str, u32> = HashMap::new();
    for c in plan {
        let before = c
            .depends_on
            .iter()
            .filter_map(|d| depth.get(d.as_str()))
            .max()
            .copied()
            .unwrap_or(0);
        depth.insert(&c.id, before + chain_weight(c, request, graph_token));
    }
    depth.values().max().copied().unwrap_or(0)
}

async fn graph_token(sb: &Sandbox) -> SecretString {
    let mut req = request(
        authority(sb),
        &app_id(sb, "grafana"),
        secret(&secret_value(sb, "grafana"), SecretMethod::Post),
        Some("http://localhost/login/azuread"),
    );
    req.scopes = vec![
        "openid".into(),
        "profile".into(),
        "User.Read".into(),
        "GroupMember.Read.All".into(),
    ];
    let (result, _, _) = sign_in(sb, req, "alice").await;
    success(result).tokens.access_token
}

async fn one_run(request: &DiagnoseRequest, secret: &str, token: &SecretString) -> Duration {
    let credentials = Credentials {
        client_secret: Some(SecretString::from(secret.to_string())),
        graph_token: Some(SecretString::from(token.expose_secret().to_string())),
        ..Credentials::default()
    };
    let t0 = Instant::now();
    let d = run(
        request.clone(),
        credentials,
        Environment::default(),
        CancellationToken::new(),
        |_| {},
    )
    .await
    .expect("diagnosable");
    let wall = t0.elapsed();
    for r in &d.results {
        assert!(
            !matches!(
                r.status,
                CheckStatus::Failed | CheckStatus::TimedOut | CheckStatus::Blocked
            ),
            "{} ended {:?}: {}",
            r.id,
            r.status,
            r.summary
        );
    }
    wall
}

async fn median_run(request: &DiagnoseRequest, secret: &str, token: &SecretString) -> Duration {
    let mut walls = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        walls.push(one_run(request, secret, token).await);
    }
    walls.sort();
    walls[RUNS / 2]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark: run with --release -- --ignored --nocapture"]
async fn a_diagnosis_costs_its_longest_chain_not_its_request_count() {
    let sb = Sandbox::start_default().await.expect("sandbox");
    let token = graph_token(&sb).await;
    let secret = secret_value(&sb, "grafana");
    let request = DiagnoseRequest {
        authority: Some(format!("{}/v2.0", sb.authority("contoso"))),
        client_id: Some(app_id(&sb, "grafana")),
        secret_name: Some("grafana".into()),
        redirect_uris: vec![
            "https://grafana.contoso.sandbox/login/azuread".into(),
            "https://grafana.contoso.sandbox".into(),
            "http://localhost:3000/login/azuread".into(),
        ],
        timeout_secs: Some(10),
        ..DiagnoseRequest::default()
    };
    let planned = plan(&request).expect("plan");
    let chain = longest_chain(&planned, &request, true);
    let total: u32 = planned
        .iter()
        .map(|c| request_count(c, &request, true))
        .sum();
    assert!(chain >= 3, "the chain http → tenant → app checks: {chain}");

    let baseline = median_run(&request, &secret, &token).await;
    sb.faults().add(FaultRule {
        endpoint: Endpoint::Any,
        latency_ms: Some(LATENCY.as_millis() as u64),
        ..FaultRule::default()
    });
    let wall = median_run(&request, &secret, &token).await;

    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let chain_cost = LATENCY * chain;
    let serial_cost = LATENCY * total;
    println!("latency per request L       {:>8.1} ms", ms(LATENCY));
    println!("longest chain C             {chain:>8} requests");
    println!("all requests                {total:>8}");
    println!("wall time W (median of {RUNS})   {:>8.1} ms", ms(wall));
    println!("C × L                       {:>8.1} ms", ms(chain_cost));
    println!(
        "W / (C × L)                 {:>8.3}",
        wall.as_secs_f64() / chain_cost.as_secs_f64()
    );
    println!("all requests × L (serial)   {:>8.1} ms", ms(serial_cost));
    println!("baseline W at L = 0         {:>8.1} ms", ms(baseline));
    println!(
        "W / baseline                {:>8.2}",
        wall.as_secs_f64() / baseline.as_secs_f64().max(1e-9)
    );
    assert!(
        wall.as_secs_f64() <= 1.2 * chain_cost.as_secs_f64(),
        "W = {:.1} ms exceeds 1.2 × C × L = {:.1} ms",
        ms(wall),
        1.2 * ms(chain_cost)
    );
}
