//! The connectivity doctor's network checks (environment, DNS, TCP, TLS,
//! HTTP, clock) against real sockets on 127.0.0.1: each fault an admin meets
//! between a server and Entra ID, staged by a small server in the test (or
//! the sandbox tenant), and what the diagnosis says about it.
//!
//! Names that must not resolve are under `.invalid`: the resolver answers
//! NXDOMAIN for them itself (RFC 6761 §6.4), without a query leaving the
//! machine, so `dns.unresolvable` is certain on any machine. Hosts behind a
//! proxy are never resolved here: only the proxy (on 127.0.0.1) is.

#[path = "support/net_faults.rs"]
mod net_faults;

use std::time::{Duration, Instant};

use entrance_core::diagnose::{
    run, CancellationToken, CheckResult, CheckStatus, Credentials, DiagnoseCode, DiagnoseFinding,
    DiagnoseRequest, Diagnosis, Environment,
};
use entrance_core::findings::Severity;
use entrance_sandbox::{Endpoint, FaultRule, Options, Sandbox, Scenario};
use net_faults::*;

/// Every check here ends within its 2-second timeout.
const TIMEOUT_SECS: u32 = 2;

fn request(authority: &str) -> DiagnoseRequest {
    DiagnoseRequest {
        authority: Some(authority.to_string()),
        timeout_secs: Some(TIMEOUT_SECS),
        ..DiagnoseRequest::default()
    }
}

async fn diagnose(request: DiagnoseRequest, env: Environment) -> Diagnosis {
    let started = Instant::now();
    let d = run(
        request,
        Credentials::default(),
        env,
        CancellationToken::new(),
        |_| {},
    )
    .await
    .expect("the request can be diagnosed");
    // dns → tcp → tls → http, each bounded by the check timeout.
    assert!(
        started.elapsed() < Duration::from_secs(u64::from(TIMEOUT_SECS) * 4 + 2),
        "the diagnosis took {:?}",
        started.elapsed()
    );
    d
}

fn check<'a>(d: &'a Diagnosis, id: &str) -> &'a CheckResult {
    d.results.iter().find(|r| r.id == id).unwrap_or_else(|| {
        panic!(
            "no check {id} in {:?}",
            d.results.iter().map(|r| &r.id).collect::<Vec<_>>()
        )
    })
}

fn finding(r: &CheckResult, code: DiagnoseCode) -> &DiagnoseFinding {
    r.findings
        .iter()
        .find(|f| f.code == code)
        .unwrap_or_else(|| panic!("{} has no {code:?} finding: {:#?}", r.id, r))
}

fn detail<'a>(r: &'a CheckResult, label: &str) -> &'a str {
    r.details
        .iter()
        .find(|d| d.label == label)
        .map(|d| d.value.as_str())
        .unwrap_or_else(|| panic!("{} has no detail {label:?}: {:#?}", r.id, r.details))
}

fn assert_status(r: &CheckResult, status: CheckStatus) {
    assert_eq!(
        r.status, status,
        "{}: {} {:#?}",
        r.id, r.summary, r.findings
    );
}

fn assert_blocked_by(d: &Diagnosis, id: &str, by: &str) {
    let r = check(d, id);
    assert_status(r, CheckStatus::Blocked);
    assert_eq!(r.blocked_by, [by], "{id}");
}

fn root_cause(d: &Diagnosis) -> &str {
    &d.root_causes.first().expect("a root cause").check_id
}

fn discovery_json() -> String {
    r#"{"issuer":"https://idp.contoso.test/contoso/v2.0","authorization_endpoint":"https://idp.contoso.test/contoso/oauth2/v2.0/authorize"}"#.into()
}

// ---------------------------------------------------------------- DNS

#[tokio::test]
async fn a_host_that_does_not_exist_fails_dns_and_blocks_everything_after_it() {
    let d = diagnose(
        request("https://no-such-host.invalid/contoso/v2.0"),
        Environment::default(),
    )
    .await;
    let dns = check(&d, "dns.authority");
    assert_status(dns, CheckStatus::Failed);
    let f = finding(dns, DiagnoseCode::DnsUnresolvable);
    assert_eq!(f.severity, Severity::Error);
    assert!(
        f.message.contains("no-such-host.invalid") && f.message.contains("NXDOMAIN"),
        "{}",
        f.message
    );
    for words in ["typo", "split DNS", "/etc/hosts", "DNS filter"] {
        assert!(f.fix.contains(words), "the fix names {words}: {}", f.fix);
    }
    assert_blocked_by(&d, "tcp.authority", "dns.authority");
    assert_status(check(&d, "tls.authority"), CheckStatus::Blocked);
    assert_status(check(&d, "http.authority"), CheckStatus::Blocked);
    assert_status(check(&d, "clock"), CheckStatus::Blocked);
    assert_eq!(root_cause(&d), "dns.authority");
    assert!(d.root_causes[0]
        .explains
        .contains(&"http.authority".to_string()));
}

#[tokio::test]
async fn an_ip_address_needs_no_lookup() {
    let addr = http_server(Reply::json(200, &discovery_json())).await;
    let d = diagnose(
        request(&format!("http://{addr}/contoso/v2.0")),
        Environment::default(),
    )
    .await;
    let dns = check(&d, "dns.authority");
    assert_status(dns, CheckStatus::Passed);
    assert!(dns.summary.contains("no lookup needed"), "{}", dns.summary);
    assert_eq!(detail(dns, "Address"), "127.0.0.1");
}

#[tokio::test]
async fn localhost_resolves_to_a_loopback_address() {
    let addr = http_server(Reply::json(200, &discovery_json())).await;
    let d = diagnose(
        request(&format!("http://localhost:{}/contoso/v2.0", addr.port())),
        Environment::default(),
    )
    .await;
    let dns = check(&d, "dns.authority");
    assert_status(dns, CheckStatus::Passed);
    assert!(
        detail(dns, "Addresses").contains("127.0.0.1"),
        "{:?}",
        dns.details
    );
    assert!(
        dns.findings.is_empty(),
        "loopback for a non-Microsoft host is not a finding: {:?}",
        dns.findings
    );
}

// ---------------------------------------------------------------- TCP

#[tokio::test]
async fn a_port_nobody_listens_on_is_refused() {
    let port = free_port().await;
    let d = diagnose(
        request(&format!("http://127.0.0.1:{port}/contoso/v2.0")),
        Environment::default(),
    )
    .await;
    let tcp = check(&d, "tcp.authority");
    assert_status(tcp, CheckStatus::Failed);
    let f = finding(tcp, DiagnoseCode::TcpRefused);
    assert!(
        f.message.contains(&format!("127.0.0.1:{port}")),
        "{}",
        f.message
    );
    assert!(
        f.fix.contains("port") && f.fix.contains("REJECT"),
        "{}",
        f.fix
    );
    assert_blocked_by(&d, "http.authority", "tcp.authority");
    assert_eq!(root_cause(&d), "tcp.authority");
}

// ---------------------------------------------------------------- HTTP

#[tokio::test]
async fn a_server_that_accepts_and_never_answers_times_out_at_http() {
    let addr = silent_server().await;
    let d = diagnose(
        request(&format!("http://{addr}/contoso/v2.0")),
        Environment::default(),
    )
    .await;
    assert_status(check(&d, "tcp.authority"), CheckStatus::Passed);
    let http = check(&d, "http.authority");
    assert_status(http, CheckStatus::TimedOut);
    let f = finding(http, DiagnoseCode::HttpNoAnswer);
    assert!(f.message.contains("2 s"), "{}", f.message);
    assert!(f.fix.contains("proxy"), "{}", f.fix);
    assert_blocked_by(&d, "clock", "http.authority");
    assert_status(check(&d, "tenant"), CheckStatus::Blocked);
    assert_eq!(root_cause(&d), "http.authority");
    let explains = &d.root_causes[0].explains;
    assert!(
        explains.contains(&"clock".to_string()) && explains.contains(&"tenant".to_string()),
        "{explains:?}"
    );
}

#[tokio::test]
async fn a_server_that_closes_without_answering() {
    let addr = closing_server().await;
    let d = diagnose(
        request(&format!("http://{addr}/contoso/v2.0")),
        Environment::default(),
    )
    .await;
    let http = check(&d, "http.authority");
    assert_status(http, CheckStatus::Failed);
    let f = finding(http, DiagnoseCode::HttpConnectionClosed);
    assert!(
        f.message
            .contains("closed the connection without answering"),
        "{}",
        f.message
    );
    assert!(f.fix.contains("firewall"), "{}", f.fix);
}

#[tokio::test]
async fn a_server_error_fails_http_with_the_aadsts_code() {
    let sb = Sandbox::start_default().await.expect("sandbox");
    sb.faults().add(FaultRule {
        endpoint: Endpoint::Discovery,
        status: Some(503),
        ..FaultRule::default()
    });
    let d = diagnose(
        request(&format!("{}/v2.0", sb.authority("contoso"))),
        Environment::default(),
    )
    .await;
    let http = check(&d, "http.authority");
    assert_status(http, CheckStatus::Failed);
    let f = finding(http, DiagnoseCode::HttpServerError);
    assert!(
        f.message.contains("503") && f.message.contains("AADSTS"),
        "{}",
        f.message
    );
    assert!(f.aadsts.is_some(), "the Entra error body's code is kept");
    assert!(!f.links.is_empty(), "the AADSTS lookup is linked");
    assert!(
        f.fix.contains("retry") || f.fix.contains("Retry"),
        "{}",
        f.fix
    );
}

#[tokio::test]
async fn an_entra_400_is_an_answer_not_a_failure() {
    let body = r#"{"error":"invalid_tenant","error_description":"AADSTS90002: Tenant 'nope' not found.","error_codes":[90002]}"#;
    let addr = http_server(Reply::json(400, body)).await;
    let d = diagnose(
        request(&format!("http://{addr}/nope/v2.0")),
        Environment::default(),
    )
    .await;
    let http = check(&d, "http.authority");
    assert_status(http, CheckStatus::Passed);
    assert!(
        http.summary.contains("400") && http.summary.contains("AADSTS90002"),
        "{}",
        http.summary
    );
    assert_status(check(&d, "clock"), CheckStatus::Passed);
}

// ---------------------------------------------------------------- Clock

#[tokio::test]
async fn a_clock_ten_minutes_off_the_servers_is_clock_skew() {
    let sb = Sandbox::start_default().await.expect("sandbox");
    sb.faults().set_clock_offset(600);
    let d = diagnose(
        request(&format!("{}/v2.0", sb.authority("contoso"))),
        Environment::default(),
    )
    .await;
    assert_status(check(&d, "http.authority"), CheckStatus::Passed);
    let clock = check(&d, "clock");
    assert_status(clock, CheckStatus::Failed);
    let f = finding(clock, DiagnoseCode::ClockSkew);
    assert!(
        f.message.contains("behind") && f.message.contains("min"),
        "{}",
        f.message
    );
    assert!(f.message.contains("5 minutes"), "{}", f.message);
    assert!(
        f.fix.contains("timedatectl set-ntp true") || f.fix.contains("Set time"),
        "{}",
        f.fix
    );
    assert!(!f.links.is_empty(), "the 5-minute tolerance is sourced");
    let offset = detail(clock, "Offset");
    assert!(
        offset.starts_with("+59") || offset.starts_with("+60"),
        "{offset}"
    );
}

#[tokio::test]
async fn a_clock_two_minutes_off_is_drift_and_in_sync_passes() {
    let sb = Sandbox::start_default().await.expect("sandbox");
    let authority = format!("{}/v2.0", sb.authority("contoso"));
    sb.faults().set_clock_offset(-120);
    let d = diagnose(request(&authority), Environment::default()).await;
    let clock = check(&d, "clock");
    assert_status(clock, CheckStatus::Warning);
    assert!(finding(clock, DiagnoseCode::ClockDrift)
        .message
        .contains("ahead of"));

    sb.faults().set_clock_offset(0);
    let d = diagnose(request(&authority), Environment::default()).await;
    assert_status(check(&d, "clock"), CheckStatus::Passed);
}

#[tokio::test]
async fn a_server_without_a_date_header_warns() {
    let mut reply = Reply::json(200, &discovery_json());
    reply.date = None;
    let addr = http_server(reply).await;
    let d = diagnose(
        request(&format!("http://{addr}/contoso/v2.0")),
        Environment::default(),
    )
    .await;
    let clock = check(&d, "clock");
    assert_status(clock, CheckStatus::Warning);
    assert!(finding(clock, DiagnoseCode::ClockNoDate)
        .message
        .contains("Date"));
}

// ---------------------------------------------------------------- TLS

#[tokio::test]
async fn a_certificate_from_an_untrusted_ca_is_named_and_trusting_its_ca_passes() {
    let ca = TestCa::new("Contoso Inspection CA");
    let addr = tls_server(
        ca.valid_server(&["127.0.0.1"]),
        Reply::json(200, &discovery_json()),
    )
    .await;
    let authority = format!("https://{addr}/contoso/v2.0");

    let d = diagnose(request(&authority), Environment::default()).await;
    let tls = check(&d, "tls.authority");
    assert_status(tls, CheckStatus::Failed);
    let f = finding(tls, DiagnoseCode::TlsInterception);
    assert!(
        f.message.contains("Contoso Inspection CA"),
        "the issuing CA is named: {}",
        f.message
    );
    assert!(f.fix.contains("CA file"), "{}", f.fix);
    assert!(detail(tls, "Chain").contains("Contoso Inspection CA"));
    assert_blocked_by(&d, "http.authority", "tls.authority");
    assert_eq!(root_cause(&d), "tls.authority");

    let mut trusted = request(&authority);
    trusted.ca_file = Some(ca.write_pem("inspection-ca.pem"));
    let d = diagnose(trusted, Environment::default()).await;
    let env = check(&d, "environment");
    assert_status(env, CheckStatus::Passed);
    assert!(finding(env, DiagnoseCode::CaFileInUse)
        .message
        .contains("Contoso Inspection CA"));
    let tls = check(&d, "tls.authority");
    assert_status(tls, CheckStatus::Passed);
    assert!(tls.summary.contains("CA file"), "{}", tls.summary);
    assert!(
        tls.findings.is_empty(),
        "loopback with its own CA is not interception: {:?}",
        tls.findings
    );
    assert!(detail(tls, "Protocol").starts_with("TLS 1."));
    assert!(detail(tls, "Certificate names").contains("127.0.0.1"));
    assert_status(check(&d, "http.authority"), CheckStatus::Passed);
}

#[tokio::test]
async fn ssl_cert_file_is_the_ca_file_when_the_request_names_none() {
    let ca = TestCa::new("Contoso Env CA");
    let addr = tls_server(
        ca.valid_server(&["127.0.0.1"]),
        Reply::json(200, &discovery_json()),
    )
    .await;
    let env = Environment {
        ssl_cert_file: Some(ca.write_pem("env-ca.pem")),
        ..Environment::default()
    };
    let d = diagnose(request(&format!("https://{addr}/contoso/v2.0")), env).await;
    assert!(detail(check(&d, "environment"), "CA file").contains("SSL_CERT_FILE"));
    assert_status(check(&d, "tls.authority"), CheckStatus::Passed);
}

#[tokio::test]
async fn an_expired_certificate_says_when_it_expired() {
    let ca = TestCa::new("Contoso Test CA");
    let addr = tls_server(
        ca.server(&["127.0.0.1"], (2021, 1, 1), (2022, 3, 4)),
        Reply::json(200, &discovery_json()),
    )
    .await;
    let mut req = request(&format!("https://{addr}/contoso/v2.0"));
    req.ca_file = Some(ca.write_pem("expired-ca.pem"));
    let d = diagnose(req, Environment::default()).await;
    let tls = check(&d, "tls.authority");
    assert_status(tls, CheckStatus::Failed);
    let f = finding(tls, DiagnoseCode::TlsExpired);
    assert!(f.message.contains("expired on 2022-03-04"), "{}", f.message);
    assert!(
        f.fix.contains("Renew") && f.fix.contains("clock"),
        "{}",
        f.fix
    );
}

#[tokio::test]
async fn a_certificate_not_valid_yet_points_at_the_clock() {
    let ca = TestCa::new("Contoso Test CA");
    let addr = tls_server(
        ca.server(&["127.0.0.1"], (2085, 1, 1), (2089, 1, 1)),
        Reply::json(200, &discovery_json()),
    )
    .await;
    let mut req = request(&format!("https://{addr}/contoso/v2.0"));
    req.ca_file = Some(ca.write_pem("future-ca.pem"));
    let d = diagnose(req, Environment::default()).await;
    let f = finding(check(&d, "tls.authority"), DiagnoseCode::TlsNotYetValid);
    assert!(f.message.contains("2085-01-01"), "{}", f.message);
    assert!(f.fix.contains("clock"), "{}", f.fix);
}

#[tokio::test]
async fn a_certificate_for_other_names_lists_them() {
    let ca = TestCa::new("Contoso Test CA");
    let addr = tls_server(
        ca.valid_server(&["portal.contoso.test", "www.contoso.test"]),
        Reply::json(200, &discovery_json()),
    )
    .await;
    let mut req = request(&format!("https://{addr}/contoso/v2.0"));
    req.ca_file = Some(ca.write_pem("names-ca.pem"));
    let d = diagnose(req, Environment::default()).await;
    let f = finding(check(&d, "tls.authority"), DiagnoseCode::TlsNameMismatch);
    assert!(
        f.message.contains("portal.contoso.test, www.contoso.test")
            && f.message.contains("127.0.0.1"),
        "{}",
        f.message
    );
}

#[tokio::test]
async fn plain_http_on_an_https_url_is_a_handshake_failure() {
    let addr = http_server(Reply::json(400, "{}")).await;
    let d = diagnose(
        request(&format!("https://{addr}/contoso/v2.0")),
        Environment::default(),
    )
    .await;
    let tls = check(&d, "tls.authority");
    assert_status(tls, CheckStatus::Failed);
    let f = finding(tls, DiagnoseCode::TlsHandshakeFailed);
    assert!(
        f.message.contains("did not answer in TLS") && f.message.contains("plain-HTTP"),
        "{}",
        f.message
    );
    assert!(f.fix.contains("scheme and port"), "{}", f.fix);
}

#[tokio::test]
async fn a_server_silent_after_the_client_hello_times_out_in_tls() {
    let addr = silent_server().await;
    let d = diagnose(
        request(&format!("https://{addr}/contoso/v2.0")),
        Environment::default(),
    )
    .await;
    let tls = check(&d, "tls.authority");
    assert_status(tls, CheckStatus::TimedOut);
    let f = finding(tls, DiagnoseCode::TlsHandshakeFailed);
    assert!(f.message.contains("no TLS answer"), "{}", f.message);
    assert!(f.fix.contains("TLS"), "{}", f.fix);
    assert_eq!(root_cause(&d), "tls.authority");
}

#[tokio::test]
async fn the_sandbox_tenant_over_tls_passes_with_its_own_ca() {
    let options = Options {
        tls: true,
        ..Options::default()
    };
    let sb = Sandbox::start_with(Scenario::builtin(), options)
        .await
        .expect("sandbox");
    let mut req = request(&format!("{}/v2.0", sb.authority("contoso")));
    req.ca_file = Some(write_temp("sandbox-ca.pem", sb.ca_pem().expect("CA")));
    let d = diagnose(req, Environment::default()).await;
    let tls = check(&d, "tls.authority");
    assert_status(tls, CheckStatus::Passed);
    assert!(
        tls.summary.contains("Entrance sandbox CA") && tls.summary.contains("CA file"),
        "{}",
        tls.summary
    );
    assert_status(check(&d, "http.authority"), CheckStatus::Passed);
    assert_status(check(&d, "clock"), CheckStatus::Passed);
}

// ---------------------------------------------------------------- Environment

#[tokio::test]
async fn a_ca_file_that_does_not_exist_fails_the_environment() {
    let mut req = request("https://no-such-host.invalid/contoso/v2.0");
    req.ca_file = Some("/nonexistent/entrance/corp-ca.pem".into());
    let d = diagnose(req, Environment::default()).await;
    let env = check(&d, "environment");
    assert_status(env, CheckStatus::Failed);
    let f = finding(env, DiagnoseCode::CaFileInvalid);
    assert!(
        f.message.contains("/nonexistent/entrance/corp-ca.pem")
            && f.message.contains("cannot be read"),
        "{}",
        f.message
    );
    assert!(f.fix.contains("PEM"), "{}", f.fix);
    assert_blocked_by(&d, "dns.authority", "environment");
    assert_eq!(root_cause(&d), "environment");
}

#[tokio::test]
async fn a_ca_file_without_certificates_fails_the_environment() {
    let mut req = request("https://no-such-host.invalid/contoso/v2.0");
    req.ca_file = Some(write_temp(
        "not-a-ca.pem",
        "-----BEGIN PRIVATE KEY-----\nMAA=\n-----END PRIVATE KEY-----\n",
    ));
    let d = diagnose(req, Environment::default()).await;
    let f = finding(check(&d, "environment"), DiagnoseCode::CaFileInvalid);
    assert!(f.message.contains("no PEM certificate"), "{}", f.message);
}

#[tokio::test]
async fn a_proxy_value_that_is_not_a_url_fails_the_environment() {
    let env = Environment {
        https_proxy: Some("http://alice:s3cret@[proxy:3128".into()),
        ..Environment::default()
    };
    let d = diagnose(request("https://idp.contoso.invalid/contoso/v2.0"), env).await;
    let e = check(&d, "environment");
    assert_status(e, CheckStatus::Failed);
    let f = finding(e, DiagnoseCode::ProxyInvalid);
    assert!(f.message.contains("HTTPS_PROXY"), "{}", f.message);
    assert!(f.fix.contains("http://host:port"), "{}", f.fix);
    assert_blocked_by(&d, "dns.authority", "environment");
    let json = serde_json::to_string(&d).unwrap();
    assert!(
        !json.contains("s3cret"),
        "the proxy password is never reported"
    );
    assert!(detail(e, "HTTPS_PROXY").contains("alice:***@"));
}

#[tokio::test]
async fn a_proxy_in_use_is_reported_and_the_system_settings_are_explained() {
    let (proxy, _) = connect_proxy(ProxyMode::AskCredentials).await;
    let env = Environment {
        https_proxy: Some(format!("http://{proxy}")),
        ..Environment::default()
    };
    let d = diagnose(request("https://idp.contoso.invalid/contoso/v2.0"), env).await;
    let e = check(&d, "environment");
    assert_status(e, CheckStatus::Passed);
    let f = finding(e, DiagnoseCode::ProxyInUse);
    assert_eq!(f.severity, Severity::Info);
    assert!(
        f.message.contains("idp.contoso.invalid") && f.message.contains(&proxy.to_string()),
        "{}",
        f.message
    );
    assert!(detail(e, "System proxy settings").contains("PAC"));
    // Only the proxy is resolved (it is an address here), never the host.
    let dns = check(&d, "dns.authority");
    assert!(dns.title.contains("through the proxy"), "{}", dns.title);
    assert_status(dns, CheckStatus::Passed);
    assert_status(check(&d, "tcp.authority"), CheckStatus::Passed);
}

#[tokio::test]
async fn no_proxy_exempts_a_host_which_is_then_resolved_itself() {
    let env = Environment {
        https_proxy: Some("http://127.0.0.1:9".into()),
        no_proxy: Some("localhost,.invalid".into()),
        ..Environment::default()
    };
    let d = diagnose(request("https://login.contoso.invalid/contoso/v2.0"), env).await;
    let f = finding(check(&d, "environment"), DiagnoseCode::ProxyBypassed);
    assert!(
        f.message.contains("login.contoso.invalid") && f.message.contains(".invalid"),
        "{}",
        f.message
    );
    let dns = check(&d, "dns.authority");
    assert!(!dns.title.contains("proxy"), "{}", dns.title);
    // Resolved directly: the host itself does not exist.
    let f = finding(dns, DiagnoseCode::DnsUnresolvable);
    assert!(f.message.contains("login.contoso.invalid"), "{}", f.message);
}

// ---------------------------------------------------------------- Proxies

#[tokio::test]
async fn a_proxy_that_wants_credentials_fails_tls_with_the_fix() {
    let (proxy, seen) = connect_proxy(ProxyMode::AskCredentials).await;
    let env = Environment {
        https_proxy: Some(format!("http://{proxy}")),
        ..Environment::default()
    };
    let d = diagnose(request("https://login.contoso.invalid/contoso/v2.0"), env).await;
    let tls = check(&d, "tls.authority");
    assert_status(tls, CheckStatus::Failed);
    let f = finding(tls, DiagnoseCode::ProxyFailed);
    assert!(
        f.message.contains("asks for credentials") && f.message.contains("407"),
        "{}",
        f.message
    );
    assert!(
        f.message.contains("Basic realm"),
        "the challenge is shown: {}",
        f.message
    );
    assert!(
        f.fix.contains("http://user:password@host:port"),
        "{}",
        f.fix
    );
    assert!(seen.lock().unwrap()[0].starts_with("CONNECT login.contoso.invalid:443 HTTP/1.1"));
    assert_eq!(root_cause(&d), "tls.authority");

    // With credentials the proxy refuses, the message says so.
    let env = Environment {
        https_proxy: Some(format!("http://alice:wrong@{proxy}")),
        ..Environment::default()
    };
    let d = diagnose(request("https://login.contoso.invalid/contoso/v2.0"), env).await;
    let f = finding(check(&d, "tls.authority"), DiagnoseCode::ProxyFailed);
    assert!(
        f.message.contains("refused the credentials"),
        "{}",
        f.message
    );
    assert!(
        !serde_json::to_string(&d).unwrap().contains("wrong@"),
        "no password in the report"
    );
}

#[tokio::test]
async fn tls_and_http_go_through_a_connect_tunnel() {
    let ca = TestCa::new("Contoso Proxy Inspection CA");
    let server = tls_server(
        ca.valid_server(&["idp.contoso.invalid"]),
        Reply::json(200, &discovery_json()),
    )
    .await;
    // alice:s3cret, as the proxy expects it.
    let (proxy, seen) = connect_proxy(ProxyMode::Forward {
        to: server,
        basic: Some("YWxpY2U6czNjcmV0".into()),
    })
    .await;
    let env = Environment {
        https_proxy: Some(format!("http://alice:s3cret@{proxy}")),
        ..Environment::default()
    };
    let mut req = request("https://idp.contoso.invalid/contoso/v2.0");
    req.ca_file = Some(ca.write_pem("proxy-inspection-ca.pem"));
    let d = diagnose(req, env).await;

    let tls = check(&d, "tls.authority");
    // Anchored only in the CA file, on a host that is not loopback: TLS
    // inspection that is trusted explicitly — works, with a warning.
    assert_status(tls, CheckStatus::Warning);
    let f = finding(tls, DiagnoseCode::TlsInterception);
    assert_eq!(f.severity, Severity::Warning);
    assert!(
        f.message.contains("Contoso Proxy Inspection CA") && f.message.contains("inspecting"),
        "{}",
        f.message
    );
    assert!(f.fix.contains("exempt"), "{}", f.fix);
    assert!(detail(tls, "Through the proxy").contains(&proxy.to_string()));
    assert!(detail(tls, "Certificate names").contains("idp.contoso.invalid"));

    let http = check(&d, "http.authority");
    assert_status(http, CheckStatus::Passed);
    assert!(detail(http, "Through the proxy").contains(&proxy.to_string()));
    assert_status(check(&d, "clock"), CheckStatus::Passed);

    let heads = seen.lock().unwrap().clone();
    assert!(
        heads.len() >= 2,
        "the TLS check and the HTTP client each opened a tunnel: {heads:?}"
    );
    assert!(
        heads
            .iter()
            .all(|h| h.starts_with("CONNECT idp.contoso.invalid:443 ")),
        "{heads:?}"
    );
    assert!(
        !serde_json::to_string(&d).unwrap().contains("s3cret"),
        "no password in the report"
    );
}
