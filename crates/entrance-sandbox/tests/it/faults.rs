//! Fault injection: latency, status, dropped and hanging connections, clock offset.

use std::time::{Duration, Instant};

use entrance_sandbox::{Endpoint, FaultRule};
use serde_json::Value;

use crate::support::*;

#[tokio::test]
async fn latency_delays_only_its_endpoint() {
    let sb = sandbox().await;
    sb.faults().add(FaultRule {
        endpoint: Endpoint::Discovery,
        latency_ms: Some(400),
        ..Default::default()
    });
    let t = Instant::now();
    let r = client()
        .get(sb.discovery_url("contoso"))
        .send()
        .await
        .expect("GET");
    assert_eq!(r.status(), 200);
    assert!(t.elapsed() >= Duration::from_millis(400));
    let t = Instant::now();
    client()
        .get(format!("{}/discovery/v2.0/keys", sb.authority("contoso")))
        .send()
        .await
        .expect("GET");
    assert!(
        t.elapsed() < Duration::from_millis(400),
        "JWKS is not delayed"
    );
}

#[tokio::test]
async fn an_injected_503_is_entras_temporarily_unavailable_and_times_counts() {
    let sb = sandbox().await;
    sb.faults().add(FaultRule {
        endpoint: Endpoint::Token,
        status: Some(503),
        times: Some(1),
        ..Default::default()
    });
    let (status, body) = token(&sb, "contoso", &[("grant_type", "client_credentials")]).await;
    assert_entra_error(status, &body, 503, "temporarily_unavailable", 90006);
    let (status, body) = token(&sb, "contoso", &[("grant_type", "client_credentials")]).await;
    assert_eq!(status, 400, "the fault was for one request only: {body}");
}

#[tokio::test]
async fn a_dropped_connection_gets_no_response() {
    let sb = sandbox().await;
    sb.faults().add(FaultRule {
        endpoint: Endpoint::Jwks,
        drop_connection: true,
        ..Default::default()
    });
    let r = client()
        .get(format!("{}/discovery/v2.0/keys", sb.authority("contoso")))
        .send()
        .await;
    let e = r.expect_err("the connection closes without an answer");
    assert!(!e.is_timeout(), "{e}");
}

#[tokio::test]
async fn a_hanging_response_never_finishes() {
    let sb = sandbox().await;
    sb.faults().add(FaultRule {
        endpoint: Endpoint::Graph,
        hang: true,
        ..Default::default()
    });
    let c = reqwest::Client::builder()
        .timeout(Duration::from_millis(600))
        .build()
        .expect("client");
    let r = c
        .get(format!("{}/v1.0/me", sb.graph_url()))
        .send()
        .await
        .expect("headers arrive");
    assert_eq!(r.status(), 200);
    let e = r.bytes().await.expect_err("the body never ends");
    assert!(e.is_timeout() || e.is_body(), "{e}");
}

#[tokio::test]
async fn the_clock_offset_moves_the_date_header_and_token_times() {
    let sb = sandbox().await;
    sb.faults().set_clock_offset(-7200);
    let r = client()
        .get(sb.discovery_url("contoso"))
        .send()
        .await
        .expect("GET");
    let date = r
        .headers()
        .get("date")
        .and_then(|v| v.to_str().ok())
        .expect("Date")
        .to_string();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("time")
        .as_secs() as i64;
    let auto = app(&sb, "entrance-automation");
    let (_, body) = token(
        &sb,
        "contoso",
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &auto.app_id),
            ("client_secret", &secret(&auto)),
            ("scope", "https://graph.microsoft.com/.default"),
        ],
    )
    .await;
    let iat = claims(body["access_token"].as_str().expect("token"))["iat"]
        .as_i64()
        .expect("iat");
    assert!(
        (now - 7200 - iat).abs() < 10,
        "iat follows the sandbox clock"
    );
    assert!(!date.is_empty());
    let (_, body) = token(&sb, "contoso", &[("grant_type", "nope")]).await;
    let ts = body["timestamp"].as_str().expect("timestamp");
    assert!(!ts.is_empty());
}

#[tokio::test]
async fn faults_from_the_scenario_and_from_the_admin_endpoint() {
    let mut scenario = entrance_sandbox::Scenario::builtin();
    scenario.faults.rules.push(FaultRule {
        endpoint: Endpoint::Discovery,
        status: Some(500),
        ..Default::default()
    });
    let sb = entrance_sandbox::Sandbox::start(scenario)
        .await
        .expect("start");
    let r = client()
        .get(sb.discovery_url("contoso"))
        .send()
        .await
        .expect("GET");
    assert_eq!(r.status(), 500);
    let body: Value = r.json().await.expect("JSON");
    assert_eq!(body["error"], "server_error");
    let r = client()
        .put(format!("{}/_sandbox/faults", sb.base_url()))
        .json(&serde_json::json!({"rules": [], "clockOffsetSeconds": 60}))
        .send()
        .await
        .expect("PUT");
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.expect("JSON");
    assert_eq!(body["clockOffsetSeconds"], 60);
    assert_eq!(
        client()
            .get(sb.discovery_url("contoso"))
            .send()
            .await
            .expect("GET")
            .status(),
        200
    );
    let r = client()
        .post(format!("{}/_sandbox/faults", sb.base_url()))
        .json(&serde_json::json!({"endpoint": "token", "status": 429}))
        .send()
        .await
        .expect("POST");
    assert_eq!(r.status(), 200);
    let (status, body) = token(&sb, "contoso", &[("grant_type", "x")]).await;
    assert_entra_error(status, &body, 429, "temporarily_unavailable", 90055);
}
