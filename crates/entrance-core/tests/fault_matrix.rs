//! Every network step Entrance takes, against every fault a network or a
//! server can throw at it: each ends within its time limit, says what went
//! wrong, and can be cancelled. The table in `docs/fault-matrix.md` is
//! written from this test (`ENTRANCE_UPDATE_FAULT_MATRIX=1`) and checked
//! against it otherwise, like the TypeScript bindings.
//!
//! Faults come from one server on 127.0.0.1 whose answer on the step's path
//! is the fault; every other path answers as a healthy OpenID provider (and
//! Microsoft Graph) would. A name that cannot resolve is under `.invalid`
//! (RFC 6761 §6.4: no query leaves the machine); "blackhole" is a server
//! that accepts and never answers (no address off this machine is used).

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use entrance_core::diagnose::{self, CheckStatus, Credentials, DiagnoseRequest, Environment};
use entrance_core::groups::{self, GroupMethod, GroupQuery, GroupSubject};
use entrance_core::login::{
    self, Authority, ClientCredential, DeviceCodeRequest, HttpOptions, LoginError, RefreshRequest,
};
use entrance_core::secrets::SecretString;
use entrance_core::verify::{self, JwksSource, SignatureCheck, VerifyOptions};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_util::sync::CancellationToken;

/// Each step's time limit here (the steps' own defaults are longer).
const LIMIT: Duration = Duration::from_secs(3);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    Dns,
    Refused,
    Blackhole,
    Tls,
    ServerError,
    TooManyRequests,
    Truncated,
    Endless,
    Slowloris,
}

const FAULTS: &[Fault] = &[
    Fault::Dns,
    Fault::Refused,
    Fault::Blackhole,
    Fault::Tls,
    Fault::ServerError,
    Fault::TooManyRequests,
    Fault::Truncated,
    Fault::Endless,
    Fault::Slowloris,
];

impl Fault {
    fn label(self) -> &'static str {
        match self {
            Fault::Dns => "DNS failure",
            Fault::Refused => "connection refused",
            Fault::Blackhole => "blackhole (no answer)",
            Fault::Tls => "TLS failure",
            Fault::ServerError => "HTTP 503",
            Fault::TooManyRequests => "HTTP 429 + Retry-After",
            Fault::Truncated => "truncated body",
            Fault::Endless => "endless body",
            Fault::Slowloris => "slowloris body",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Discovery,
    Jwks,
    Token,
    DevicePolling,
    Graph,
    DiagnoseProbe,
}

const STEPS: &[Step] = &[
    Step::Discovery,
    Step::Jwks,
    Step::Token,
    Step::DevicePolling,
    Step::Graph,
    Step::DiagnoseProbe,
];

impl Step {
    fn label(self) -> &'static str {
        match self {
            Step::Discovery => "discovery",
            Step::Jwks => "signing keys (JWKS)",
            Step::Token => "token endpoint",
            Step::DevicePolling => "device code polling",
            Step::Graph => "Microsoft Graph",
            Step::DiagnoseProbe => "diagnose probes",
        }
    }

    /// The path whose answer is the fault.
    fn path(self) -> &'static str {
        match self {
            Step::Discovery | Step::DiagnoseProbe => "/.well-known/openid-configuration",
            Step::Jwks => "/keys",
            Step::Token | Step::DevicePolling => "/token",
            Step::Graph => "/v1.0/me/transitiveMemberOf/microsoft.graph.group",
        }
    }
}

/// The fault server: `path` answers with `fault`, the rest as a healthy
/// provider whose endpoints all point back here.
async fn fault_server(path: &'static str, fault: Fault) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = vec![0u8; 16 * 1024];
                let n = s.read(&mut buf).await.unwrap_or(0);
                let head = String::from_utf8_lossy(&buf[..n]).to_string();
                let target = head.split(' ').nth(1).unwrap_or("/").to_string();
                let target_path = target.split('?').next().unwrap_or("/").to_string();
                if target_path == path {
                    faulty(&mut s, fault).await;
                } else {
                    let body = healthy(&target_path, addr);
                    let _ = s
                        .write_all(
                            format!(
                                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                                body.len()
                            )
                            .as_bytes(),
                        )
                        .await;
                }
            });
        }
    });
    addr
}

fn healthy(path: &str, addr: SocketAddr) -> String {
    let base = format!("http://{addr}");
    match path {
        "/.well-known/openid-configuration" => serde_json::json!({
            "issuer": base,
            "authorization_endpoint": format!("{base}/authorize"),
            "token_endpoint": format!("{base}/token"),
            "device_authorization_endpoint": format!("{base}/devicecode"),
            "jwks_uri": format!("{base}/keys"),
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
        })
        .to_string(),
        "/devicecode" => serde_json::json!({
            "device_code": "dc", "user_code": "ABCD-EFGH",
            "verification_uri": format!("{base}/device"), "expires_in": 900, "interval": 1
        })
        .to_string(),
        _ => r#"{"keys":[]}"#.to_string(),
    }
}

async fn faulty(s: &mut tokio::net::TcpStream, fault: Fault) {
    let json = "application/json";
    match fault {
        Fault::Blackhole => tokio::time::sleep(Duration::from_secs(60)).await,
        Fault::ServerError => {
            let body =
                r#"{"error":"temporarily_unavailable","error_description":"The service is busy."}"#;
            let _ = s.write_all(format!("HTTP/1.1 503 Service Unavailable\r\nContent-Type: {json}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len()).as_bytes()).await;
        }
        Fault::TooManyRequests => {
            let body = r#"{"error":"too_many_requests","error_description":"Slow down."}"#;
            let _ = s.write_all(format!("HTTP/1.1 429 Too Many Requests\r\nRetry-After: 120\r\nContent-Type: {json}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len()).as_bytes()).await;
        }
        Fault::Truncated => {
            let _ = s.write_all(format!("HTTP/1.1 200 OK\r\nContent-Type: {json}\r\nContent-Length: 5000\r\n\r\n{{\"value\":[").as_bytes()).await;
        }
        Fault::Endless => {
            let _ = s
                .write_all(
                    format!("HTTP/1.1 200 OK\r\nContent-Type: {json}\r\n\r\n{{\"value\":\"")
                        .as_bytes(),
                )
                .await;
            let chunk = vec![b'a'; 64 * 1024];
            while s.write_all(&chunk).await.is_ok() {}
        }
        Fault::Slowloris => {
            let _ = s
                .write_all(
                    format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: {json}\r\nContent-Length: 100000\r\n\r\n"
                    )
                    .as_bytes(),
                )
                .await;
            for _ in 0..600 {
                if s.write_all(b" ").await.is_err() {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
        // These never reach the server.
        Fault::Dns | Fault::Refused | Fault::Tls => {}
    }
}

/// A port nobody listens on.
async fn closed_port() -> u16 {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    l.local_addr().expect("addr").port()
}

/// The base URL a step is pointed at for `fault`: the fault server for
/// faults it plays, or a name/port/scheme that fails before it.
async fn base_for(fault: Fault, server: SocketAddr) -> String {
    match fault {
        Fault::Dns => "https://entrance-fault-matrix.invalid".into(),
        Fault::Refused => format!("http://127.0.0.1:{}", closed_port().await),
        Fault::Tls => format!("https://{server}"),
        _ => format!("http://{server}"),
    }
}

/// What happened in one cell.
struct Cell {
    ended_in: Duration,
    said: String,
}

async fn run_cell(step: Step, fault: Fault, cancel: CancellationToken) -> Cell {
    let server = fault_server(step.path(), fault).await;
    let healthy_base = format!("http://{server}");
    let base = base_for(fault, server).await;
    let http = HttpOptions {
        timeout: LIMIT,
        extra_ca_pem: None,
    };
    let started = Instant::now();
    let said = match step {
        Step::Discovery | Step::Token | Step::DevicePolling => {
            // Discovery faults: the authority is the faulty base. Later
            // steps: discovery is healthy and names the faulty endpoints…
            // for DNS/refused/TLS the whole provider is unreachable, which
            // a discovery-time failure reports first; the endpoint path
            // still decides the HTTP-level faults.
            let authority = if step == Step::Discovery
                || matches!(fault, Fault::Dns | Fault::Refused | Fault::Tls)
            {
                base.clone()
            } else {
                healthy_base.clone()
            };
            let authority = Authority::parse(&authority).expect("authority");
            let result = if step == Step::DevicePolling {
                let mut req =
                    DeviceCodeRequest::new(authority, "fault-client", ClientCredential::Public);
                req.http = http;
                req.timeout = Some(LIMIT);
                login::device_code(req, |_| {}, cancel).await
            } else {
                login::refresh(
                    RefreshRequest {
                        authority,
                        client_id: "fault-client".into(),
                        credential: ClientCredential::Public,
                        refresh_token: SecretString::from("rt".to_string()),
                        scopes: Vec::new(),
                        http,
                    },
                    |_| {},
                    cancel,
                )
                .await
            };
            match result {
                Ok(_) => "succeeded (unexpected)".into(),
                Err(e) => login_words(&e),
            }
        }
        Step::Jwks => {
            let source = JwksSource::parse(&format!("{base}/keys")).expect("url");
            let options = VerifyOptions {
                jwks: Some(source),
                ..VerifyOptions::default()
            };
            let token = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiIsImtpZCI6ImsifQ.eyJhdWQiOiJhIn0.c2ln";
            let pasted = entrance_core::token::recognize(token).expect("a token");
            let check = tokio::select! {
                c = verify::verify_pasted(&pasted, &options, None) => c.into_iter().next(),
                () = cancel.cancelled() => None,
            };
            match check {
                None => "cancelled".into(),
                Some(SignatureCheck::Unverifiable { explanation, .. }) => {
                    format!("keys unavailable: {}", first_clause(&explanation))
                }
                Some(other) => format!("{other:?}"),
            }
        }
        Step::Graph => {
            let query = GroupQuery {
                graph_base: base.clone(),
                method: GroupMethod::TransitiveMemberOf,
                subject: GroupSubject::Me,
                page_size: None,
            };
            let token = SecretString::from("graph-token".to_string());
            tokio::select! {
                r = tokio::time::timeout(LIMIT * 6, groups::resolve_groups(&query, &token)) => match r {
                    Ok(Ok(_)) => "succeeded (unexpected)".into(),
                    Ok(Err(e)) => first_clause(&e.to_string()),
                    Err(_) => "HANGS".into(),
                },
                () = cancel.cancelled() => "cancelled".into(),
            }
        }
        Step::DiagnoseProbe => {
            let request = DiagnoseRequest {
                authority: Some(base.clone()),
                timeout_secs: Some(LIMIT.as_secs() as u32),
                ..DiagnoseRequest::default()
            };
            match diagnose::run(
                request,
                Credentials::default(),
                Environment::default(),
                cancel,
                |_| {},
            )
            .await
            {
                Ok(d) => {
                    let failed = d.results.iter().find(|r| {
                        !matches!(
                            r.status,
                            CheckStatus::Passed
                                | CheckStatus::Warning
                                | CheckStatus::Skipped
                                | CheckStatus::Blocked
                        )
                    });
                    match failed {
                        Some(r) => first_clause(&format!(
                            "{} {}: {}",
                            r.title,
                            status_word(r.status),
                            r.summary
                        )),
                        None => format!("overall {:?}", d.overall),
                    }
                }
                Err(e) => first_clause(&e.to_string()),
            }
        }
    };
    Cell {
        ended_in: started.elapsed(),
        said,
    }
}

fn status_word(s: CheckStatus) -> &'static str {
    match s {
        CheckStatus::Failed => "failed",
        CheckStatus::TimedOut => "timed out",
        CheckStatus::Cancelled => "cancelled",
        _ => "ended",
    }
}

fn login_words(e: &LoginError) -> String {
    let kind = match e {
        LoginError::Network { .. } => "network",
        LoginError::Tls { .. } => "TLS",
        LoginError::Discovery { .. } => "discovery",
        LoginError::Protocol { .. } => "protocol",
        LoginError::Timeout { .. } => "timeout",
        LoginError::Cancelled => "cancelled",
        LoginError::Rejected { .. } => "refused",
        _ => "error",
    };
    format!("{kind}: {}", first_clause(&e.to_string()))
}

/// The first line of a message as a table cell: the request's URL said
/// once (reqwest repeats it), ports that change from run to run made
/// `PORT`, at most 160 characters.
fn first_clause(text: &str) -> String {
    let mut s: String = text.lines().next().unwrap_or("").to_string();
    while let Some(at) = s.find(" for url (") {
        let Some(end) = s[at..].find("): ").map(|e| at + e + 1) else {
            break;
        };
        s.replace_range(at..end, "");
    }
    let mut out = String::new();
    let mut rest = s.as_str();
    while let Some(at) = rest.find(|c: char| c.is_ascii_digit()) {
        let (before, digits_on) = rest.split_at(at);
        let len = digits_on
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(digits_on.len());
        out.push_str(before);
        let is_port = out.ends_with(':') || out.ends_with("port ");
        out.push_str(if is_port && len >= 4 {
            "PORT"
        } else {
            &digits_on[..len]
        });
        rest = &digits_on[len..];
    }
    out.push_str(rest);
    let mut s = out.replace('|', "/");
    if s.chars().count() > 160 {
        s = s.chars().take(157).collect::<String>() + "…";
    }
    s
}

/// How a cell ends: before its limit, and with words.
fn judge(step: Step, fault: Fault, cell: &Cell) -> String {
    let bound = match step {
        // Three probes in a chain (DNS/TCP → TLS → HTTP), each within LIMIT.
        Step::DiagnoseProbe => LIMIT * 4 + Duration::from_secs(2),
        // Graph's and the key fetch's own per-request limits.
        Step::Graph => groups::REQUEST_TIMEOUT + Duration::from_secs(2),
        Step::Jwks => verify::FETCH_TIMEOUT + Duration::from_secs(2),
        _ => LIMIT * 2 + Duration::from_secs(2),
    };
    assert!(
        cell.ended_in <= bound,
        "{} × {}: took {:?} (bound {bound:?}): {}",
        step.label(),
        fault.label(),
        cell.ended_in,
        cell.said
    );
    assert!(
        !cell.said.is_empty() && !cell.said.contains("HANGS") && !cell.said.contains("unexpected"),
        "{} × {}: {}",
        step.label(),
        fault.label(),
        cell.said
    );
    let secs = cell.ended_in.as_secs_f64();
    let when = if secs < 0.5 {
        "at once".to_string()
    } else {
        format!("after {:.0} s", secs.ceil())
    };
    format!("{} ({when})", cell.said)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_step_ends_bounded_and_explained_under_every_fault() {
    let mut rows = Vec::new();
    let cells: Vec<(Step, Fault)> = STEPS
        .iter()
        .flat_map(|s| FAULTS.iter().map(move |f| (*s, *f)))
        .collect();
    // Cells run in parallel batches: each waits on its own server or timer.
    let mut results = Vec::new();
    for batch in cells.chunks(9) {
        let handles: Vec<_> = batch
            .iter()
            .map(|&(s, f)| {
                tokio::spawn(async move { (s, f, run_cell(s, f, CancellationToken::new()).await) })
            })
            .collect();
        for h in handles {
            results.push(h.await.expect("cell"));
        }
    }
    for (step, fault, cell) in &results {
        rows.push((*step, *fault, judge(*step, *fault, cell)));
    }
    let table = render(&rows);
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/fault-matrix.md");
    if std::env::var_os("ENTRANCE_UPDATE_FAULT_MATRIX").is_some() {
        std::fs::write(&path, &table).expect("write docs/fault-matrix.md");
    } else {
        // The words of a cell can differ between runs (which of two timers
        // fires first); the table must still have every step and fault, and
        // no cell that hangs.
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        for step in STEPS {
            let section = committed
                .split(&format!("\n## {}\n", step.label()))
                .nth(1)
                .and_then(|rest| rest.split("\n## ").next())
                .unwrap_or_else(|| panic!("docs/fault-matrix.md has no section for {}: run ENTRANCE_UPDATE_FAULT_MATRIX=1 cargo test -p entrance-core --test fault_matrix", step.label()));
            for fault in FAULTS {
                assert!(
                    section.contains(&format!("| {} | ", fault.label())),
                    "docs/fault-matrix.md lacks {} × {}: regenerate it",
                    step.label(),
                    fault.label()
                );
            }
            assert!(!section.contains("HANGS") && !section.contains("unbounded"));
        }
    }
}

/// Slow faults can be cancelled: each step ends at once when asked.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_step_stuck_on_a_slow_server_ends_at_once_when_cancelled() {
    for step in STEPS {
        for fault in [Fault::Blackhole, Fault::Slowloris] {
            let cancel = CancellationToken::new();
            let stop = cancel.clone();
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(300)).await;
                stop.cancel();
            });
            let cell = run_cell(*step, fault, cancel).await;
            assert!(
                cell.ended_in < Duration::from_secs(2),
                "{} × {} after cancel: {:?} ({})",
                step.label(),
                fault.label(),
                cell.ended_in,
                cell.said
            );
        }
    }
}

fn render(rows: &[(Step, Fault, String)]) -> String {
    let mut out = String::from(
        "# Fault matrix\n\n\
         What each network step of Entrance does under each fault, as measured by\n\
         `crates/entrance-core/tests/fault_matrix.rs` (regenerate with\n\
         `ENTRANCE_UPDATE_FAULT_MATRIX=1 cargo test -p entrance-core --test fault_matrix`).\n\
         Every cell ended within its step's time limit (3 s per request here; keys 10 s; Graph 15 s)\n\
         with the words shown; a step waiting on a blackhole or a slow body also ends\n\
         at once when cancelled (`a_step_stuck_on_a_slow_server_ends_at_once_when_cancelled`).\n\
         Bodies are read through one bounded reader (1 MiB for sign-in and keys, 16 MiB\n\
         for Graph), so an endless body is cut off, never held.\n\n\
         Product probes are not in this table: this build has no probe of a running\n\
         product yet.\n",
    );
    for step in STEPS {
        out.push_str(&format!(
            "\n## {}\n\n| fault | behaviour |\n|---|---|\n",
            step.label()
        ));
        for (s, f, said) in rows.iter().filter(|(s, _, _)| s == step) {
            let _ = s;
            out.push_str(&format!("| {} | {} |\n", f.label(), said));
        }
    }
    out
}
