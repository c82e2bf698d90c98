//! The loopback listener under adversarial callbacks: wrong state, missing
//! code, error parameters, a second callback, a non-GET request, an
//! oversized request line, a client that connects and sends nothing, a
//! mix-up `iss` — none yields a token, a crash or a hang — and the listener
//! is not reachable on a non-loopback address.

mod support;

use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::time::Duration;

use entrance_core::login::{ClientCredential, LoginError, Phase};
use support::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_util::sync::CancellationToken;

/// `(port, state)` from the authorize URL and the redirect URI.
fn port_and_state(url: &str, redirect_uri: &str) -> (u16, String) {
    let u = url::Url::parse(url).unwrap();
    let state = u
        .query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .into_owned();
    let port = url::Url::parse(redirect_uri).unwrap().port().unwrap();
    (port, state)
}

/// Sends raw bytes to the listener and returns what it answered (or why not).
async fn raw(port: u16, bytes: &[u8]) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect");
    s.write_all(bytes).await.expect("write");
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(15), s.read_to_end(&mut out)).await;
    String::from_utf8_lossy(&out).into_owned()
}

async fn get(port: u16, target: &str) -> String {
    raw(
        port,
        format!("GET {target} HTTP/1.1\r\nHost: localhost:{port}\r\n\r\n").as_bytes(),
    )
    .await
}

fn status(response: &str) -> u16 {
    response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

/// Runs a public sign-in where `attack(port, state)` happens first; then
/// `alice` signs in for real unless `finish` is false. Returns the result.
async fn attacked<F, Fut>(
    finish: bool,
    attack: F,
) -> (
    Result<entrance_core::login::LoginOutcome, LoginError>,
    Vec<&'static str>,
    String,
)
where
    F: Fn(u16, String) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let sb = sandbox().await;
    let req = request(
        authority(&sb),
        &app_id(&sb, "entrance"),
        ClientCredential::Public,
        None,
    );
    let (base, upn, pw) = (
        sb.base_url().to_string(),
        upn(&sb, "alice"),
        password(&sb, "alice"),
    );
    let attack = std::sync::Arc::new(attack);
    let redirect = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let (r2, a2) = (redirect.clone(), attack.clone());
    let (result, events, visit) = sign_in_with(req, CancellationToken::new(), move |url| {
        let (base, upn, pw, attack, redirect) = (
            base.clone(),
            upn.clone(),
            pw.clone(),
            a2.clone(),
            r2.clone(),
        );
        async move {
            let redirect_uri = url::Url::parse(&url)
                .unwrap()
                .query_pairs()
                .find(|(k, _)| k == "redirect_uri")
                .unwrap()
                .1
                .into_owned();
            *redirect.lock().unwrap() = redirect_uri.clone();
            let (port, state) = port_and_state(&url, &redirect_uri);
            attack(port, state).await;
            if finish {
                http_browser(&base, &url, &upn, &pw).await
            } else {
                String::new()
            }
        }
    })
    .await;
    let _ = attack;
    (result, events.names(), visit.page)
}

#[tokio::test]
async fn a_wrong_state_is_answered_400_and_ignored() {
    let (result, events, _) = attacked(true, |port, _| async move {
        let r = get(port, "/?code=stolen&state=not-this-one").await;
        assert_eq!(status(&r), 400, "{r}");
        assert!(r.contains("another sign-in"));
        let r = get(port, "/?code=stolen").await;
        assert_eq!(status(&r), 400, "{r}");
        let r = get(port, "/favicon.ico").await;
        assert_eq!(status(&r), 404, "{r}");
    })
    .await;
    success(result);
    assert_eq!(
        events.iter().filter(|e| **e == "request_ignored").count(),
        3,
        "{events:?}"
    );
}

#[tokio::test]
async fn a_callback_with_the_state_but_no_code_fails_without_a_token() {
    let (result, _, _) = attacked(false, |port, state| async move {
        let r = get(port, &format!("/?state={state}")).await;
        assert_eq!(status(&r), 200);
        assert!(r.contains(r#"data-result="failure""#), "{r}");
    })
    .await;
    match failure(&result) {
        LoginError::Protocol { detail } => assert!(detail.contains("without a code"), "{detail}"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn error_parameters_are_explained_not_redeemed() {
    let (result, events, _) = attacked(false, |port, state| async move {
        let r = get(
            port,
            &format!("/?error=access_denied&error_description=AADSTS65004%3A+User+declined+to+consent+to+access+the+app.%0D%0ATrace+ID%3A+11111111-2222-4333-8444-555555555555&state={state}"),
        )
        .await;
        assert!(r.contains("AADSTS65004"), "{r}");
    })
    .await;
    let e = failure(&result);
    assert_eq!(e.aadsts(), Some(65004));
    assert!(matches!(
        e,
        LoginError::Rejected {
            phase: Phase::Authorize,
            ..
        }
    ));
    assert_eq!(
        e.report().trace_id.as_deref(),
        Some("11111111-2222-4333-8444-555555555555")
    );
    assert!(!events.contains(&"exchanging"));
}

#[tokio::test]
async fn a_second_callback_finds_the_listener_closed() {
    let sb = sandbox().await;
    let req = request(
        authority(&sb),
        &app_id(&sb, "entrance"),
        ClientCredential::Public,
        None,
    );
    let (result, _, visit) = sign_in(&sb, req, "alice").await;
    success(result);
    let (port, state) = port_and_state(&visit.url, &visit.redirect_uri);
    let second = TcpStream::connect(("127.0.0.1", port)).await;
    assert!(
        second.is_err(),
        "the listener closed after the first valid callback"
    );
    let _ = state;
}

#[tokio::test]
async fn a_non_get_request_is_405_and_ignored() {
    let (result, _, _) = attacked(true, |port, state| async move {
        let body = format!("code=x&state={state}");
        let r = raw(
            port,
            format!("POST /?state={state} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}", body.len()).as_bytes(),
        )
        .await;
        assert_eq!(status(&r), 405, "{r}");
        assert!(r.contains("Allow: GET"));
    })
    .await;
    success(result);
}

#[tokio::test]
async fn an_oversized_request_line_is_refused() {
    let (result, _, _) = attacked(true, |port, state| async move {
        let long = "a".repeat(16 * 1024);
        let r = raw(
            port,
            format!("GET /?state={state}&code={long} HTTP/1.1\r\n\r\n").as_bytes(),
        )
        .await;
        assert_eq!(status(&r), 414, "{}", &r[..r.len().min(200)]);
        let headers = format!(
            "GET /?state={state} HTTP/1.1\r\n{}\r\n",
            "X-Pad: b\r\n".repeat(1200)
        );
        let r = raw(port, headers.as_bytes()).await;
        assert_eq!(status(&r), 431, "{}", &r[..r.len().min(200)]);
    })
    .await;
    success(result);
}

#[tokio::test]
async fn a_client_that_connects_and_sends_nothing_does_not_block_the_sign_in() {
    let (result, _, _) = attacked(true, |port, _| async move {
        // Idle connections stay open while the real callback goes through.
        for _ in 0..5 {
            let s = TcpStream::connect(("127.0.0.1", port))
                .await
                .expect("connect");
            std::mem::forget(s);
        }
    })
    .await;
    success(result);
}

#[tokio::test]
async fn an_idle_connection_is_closed_after_the_read_timeout() {
    let (result, _, _) = attacked(true, |port, _| async move {
        let mut s = TcpStream::connect(("127.0.0.1", port))
            .await
            .expect("connect");
        let mut out = Vec::new();
        let started = std::time::Instant::now();
        let read = tokio::time::timeout(Duration::from_secs(20), s.read_to_end(&mut out)).await;
        assert!(read.is_ok(), "closed by the listener, not by the test");
        assert!(
            started.elapsed() >= Duration::from_secs(9),
            "{:?}",
            started.elapsed()
        );
        assert_eq!(status(&String::from_utf8_lossy(&out)), 408);
    })
    .await;
    success(result);
}

#[tokio::test]
async fn an_iss_from_another_issuer_is_a_mix_up() {
    let (result, _, _) = attacked(false, |port, state| async move {
        let r = get(
            port,
            &format!("/?code=abc&state={state}&iss=https%3A%2F%2Fevil.example"),
        )
        .await;
        assert!(r.contains(r#"data-result="failure""#), "{r}");
    })
    .await;
    match failure(&result) {
        LoginError::Protocol { detail } => assert!(detail.contains("RFC 9207"), "{detail}"),
        other => panic!("{other:?}"),
    }
}

/// A non-loopback address of this machine, if it has one.
fn outward_address() -> Option<IpAddr> {
    let s = UdpSocket::bind("0.0.0.0:0").ok()?;
    s.connect("10.255.255.255:9").ok()?;
    let ip = s.local_addr().ok()?.ip();
    (!ip.is_loopback() && !ip.is_unspecified()).then_some(ip)
}

#[tokio::test]
async fn the_listener_is_not_reachable_on_a_non_loopback_address() {
    let Some(ip) = outward_address() else {
        eprintln!("skipped: this machine has no non-loopback address");
        return;
    };
    let (result, _, _) = attacked(true, move |port, _| async move {
        let outward = tokio::time::timeout(
            Duration::from_secs(3),
            TcpStream::connect(SocketAddr::new(ip, port)),
        )
        .await;
        assert!(
            !matches!(outward, Ok(Ok(_))),
            "{ip}:{port} must not accept connections"
        );
        assert!(
            TcpStream::connect(("127.0.0.1", port)).await.is_ok(),
            "loopback does"
        );
    })
    .await;
    success(result);
}

/// Connections that came and went must leave the listener's count at once:
/// once 300 short-lived connections have closed, the browser's callback is
/// still served (it used to be reset after 64).
#[tokio::test]
async fn connections_that_came_and_went_never_crowd_out_the_callback() {
    let (result, _, _) = attacked(true, |port, _| async move {
        let mut held = Vec::new();
        for _ in 0..300 {
            held.push(
                TcpStream::connect(("127.0.0.1", port))
                    .await
                    .expect("connect"),
            );
        }
        drop(held);
        tokio::time::sleep(Duration::from_millis(300)).await;
    })
    .await;
    success(result);
}

/// How many times the flood test signs in (`ENTRANCE_LISTENER_LOAD_RUNS`,
/// default 2; `cargo xtask test` runs it more in its security suite).
fn load_runs() -> usize {
    std::env::var("ENTRANCE_LISTENER_LOAD_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2)
}

/// 1,000 hostile connections from other local clients — idle ones that hold
/// a slot, garbage, forged callbacks with a wrong state, and slow ones that
/// trickle a byte at a time — arrive while a real sign-in completes; the
/// sign-in succeeds every time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_hostile_local_connections_does_not_stop_a_real_sign_in() {
    for run in 0..load_runs() {
        let sent = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = sent.clone();
        let (result, _, _) = attacked(true, move |port, _| {
            let counter = counter.clone();
            async move {
                // Another client, on its own threads: the flood goes on while
                // the browser signs in.
                let during = counter.clone();
                std::thread::spawn(move || flood(port, &during));
                // The browser goes once the flood is well under way.
                let started = std::time::Instant::now();
                while counter.load(std::sync::atomic::Ordering::Relaxed) < 300
                    && started.elapsed() < Duration::from_secs(10)
                {
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
            }
        })
        .await;
        let outcome = success(result);
        assert!(outcome.summary.signed_in_as.is_some(), "run {run}");
        assert!(
            sent.load(std::sync::atomic::Ordering::Relaxed) >= 300,
            "the flood was under way before the browser came (run {run})"
        );
    }
}

/// 1,000 connections in four kinds, from 4 threads of blocking sockets.
fn flood(port: u16, sent: &std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::io::{Read, Write};
    use std::sync::atomic::Ordering;
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let workers: Vec<_> = (0..4)
        .map(|w| {
            let sent = sent.clone();
            std::thread::spawn(move || {
                let mut held = Vec::new();
                for i in 0..250 {
                    let Ok(mut s) = std::net::TcpStream::connect_timeout(&addr, Duration::from_secs(2))
                    else {
                        continue; // the listener closed: the sign-in is over
                    };
                    let _ = s.set_read_timeout(Some(Duration::from_millis(200)));
                    sent.fetch_add(1, Ordering::Relaxed);
                    match (w + i) % 4 {
                        0 => held.push(s),
                        1 => {
                            let _ = s.write_all(b"\x16\x03\x01garbage\r\n\r\n");
                        }
                        2 => {
                            let _ = s.write_all(
                                b"GET /?code=forged&state=guess HTTP/1.1\r\nHost: localhost\r\n\r\n",
                            );
                            let mut buf = [0u8; 256];
                            let _ = s.read(&mut buf);
                        }
                        _ => {
                            let _ = s.write_all(b"G");
                            held.push(s);
                        }
                    }
                }
            })
        })
        .collect();
    for w in workers {
        let _ = w.join();
    }
}
