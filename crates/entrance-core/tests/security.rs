//! Entrance's core played as an attacker would: hostile servers, forged
//! tokens, local processes. Each test reproduces one attack and checks that
//! it fails.

mod support;

use std::sync::{Arc, Mutex};

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use entrance_core::diagnose::{
    report, run, CancellationToken, Credentials, DiagnoseEvent, DiagnoseRequest, Environment,
};
use entrance_core::secrets::SecretString;

const SECRET: &str = "Kq8~Echo.Me+Secret/Value=77";

/// An OpenID provider whose token endpoint, like some misbehaving servers,
/// echoes the whole request body (client secret included) in its error text.
async fn echoing_provider() -> String {
    use axum::routing::post;
    use axum::Json;
    use serde_json::json;
    let (base, _) = support::serve_provider(post(|body: String| async move {
        let decoded: String = url::form_urlencoded::parse(body.as_bytes())
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(", ");
        (
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            Json(json!({
                "error": "server_error",
                "error_description": format!("client authentication failed for {body} ({decoded}; {})", STANDARD.encode(SECRET)),
            })),
        )
    }))
    .await;
    base
}

/// Finding 2: the app's reports (Copy, Save Markdown, Save JSON) are made
/// from the diagnosis it keeps, with no secret handed to them. A token
/// endpoint that echoes the client secret must not get it into any of them,
/// nor into the live events or the IPC answer.
#[tokio::test]
async fn a_secret_echoed_by_a_server_reaches_no_event_answer_or_report() {
    let base = echoing_provider().await;
    let request = DiagnoseRequest {
        authority: Some(base),
        client_id: Some("my-client".into()),
        secret_name: Some("idp-secret".into()),
        timeout_secs: Some(10),
        ..DiagnoseRequest::default()
    };
    let events = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&events);
    let d = run(
        request,
        Credentials {
            client_secret: Some(SecretString::from(SECRET.to_string())),
            ..Credentials::default()
        },
        Environment::default(),
        CancellationToken::new(),
        move |e: DiagnoseEvent| {
            seen.lock()
                .expect("events")
                .push(serde_json::to_string(&e).expect("events serialize"));
        },
    )
    .await
    .expect("diagnosed");
    let app = d
        .results
        .iter()
        .find(|r| r.id == "app_secret")
        .expect("the app check ran");
    let said = serde_json::to_string(app).expect("serializes");
    assert!(
        said.contains("[redacted]"),
        "the echo reached the result, redacted: {said}"
    );
    let encoded: String = url::form_urlencoded::byte_serialize(SECRET.as_bytes()).collect();
    let forms = [
        SECRET.to_string(),
        encoded,
        STANDARD.encode(SECRET),
        URL_SAFE_NO_PAD.encode(SECRET),
    ];
    let mut outputs = vec![
        ("IPC answer", serde_json::to_string(&d).expect("serializes")),
        ("Markdown report", report::to_markdown(&d)),
        ("JSON report", report::to_json(&d)),
    ];
    outputs.extend(
        events
            .lock()
            .expect("events")
            .iter()
            .map(|e| ("event", e.clone())),
    );
    for (what, text) in &outputs {
        for form in &forms {
            assert!(
                !text.contains(form.as_str()),
                "the secret ({form}) is in the {what}:\n{text}"
            );
        }
    }
}

/// Finding 4: a token endpoint that answers without end is cut off at the
/// limit, within the time limit, and said so — memory does not grow with it.
#[tokio::test]
async fn an_endless_token_endpoint_answer_is_cut_off_and_explained() {
    use entrance_core::login::{
        refresh, Authority, ClientCredential, HttpOptions, LoginError, RefreshRequest,
    };
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let doc = support::openid_configuration(&base).to_string();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            let doc = doc.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 8192];
                let n = s.read(&mut buf).await.unwrap_or(0);
                let head = String::from_utf8_lossy(&buf[..n]).to_string();
                if head.starts_with("GET /.well-known/openid-configuration") {
                    let _ = s
                        .write_all(format!("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{doc}", doc.len()).as_bytes())
                        .await;
                } else {
                    // The token endpoint: 200, then a body that never ends.
                    let _ = s
                        .write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{\"access_token\":\"")
                        .await;
                    let chunk = vec![b'a'; 64 * 1024];
                    while s.write_all(&chunk).await.is_ok() {}
                }
            });
        }
    });
    let started = std::time::Instant::now();
    let result = refresh(
        RefreshRequest {
            authority: Authority::parse(&base).expect("authority"),
            client_id: "my-client".into(),
            credential: ClientCredential::Public,
            refresh_token: SecretString::from("rt".to_string()),
            scopes: Vec::new(),
            http: HttpOptions::default(),
        },
        |_| {},
        CancellationToken::new(),
    )
    .await;
    match result {
        Err(LoginError::Protocol { detail }) => {
            assert!(detail.contains("more than 1048576 bytes"), "{detail}")
        }
        other => panic!("expected the answer to be cut off: {other:?}"),
    }
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
}
