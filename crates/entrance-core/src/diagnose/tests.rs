//! The plan's shape, the scheduler's promises and the root-cause ranking.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use super::context::Environment;
use super::runner::root_causes;
use super::*;
use crate::findings::Severity;
use crate::login::Cloud;

fn tenant_request(tenant: &str, cloud: Cloud) -> DiagnoseRequest {
    DiagnoseRequest {
        tenant: Some(tenant.into()),
        cloud: Some(cloud),
        ..DiagnoseRequest::default()
    }
}

/// Requests of every shape the Diagnose page sends.
fn requests() -> Vec<(&'static str, DiagnoseRequest)> {
    vec![
        (
            "global tenant",
            tenant_request("contoso.onmicrosoft.com", Cloud::Global),
        ),
        (
            "US Gov tenant",
            tenant_request("aaaaaaaa-0000-4000-8000-000000000003", Cloud::UsGov),
        ),
        (
            "China tenant with an app",
            DiagnoseRequest {
                client_id: Some("33333333-0000-4000-8000-000000000001".into()),
                ..tenant_request("contoso.partner.onmschina.cn", Cloud::China)
            },
        ),
        (
            "sandbox authority (Graph root learned from discovery)",
            DiagnoseRequest {
                authority: Some(
                    "http://127.0.0.1:9/aaaaaaaa-0000-4000-8000-000000000001/v2.0".into(),
                ),
                client_id: Some("33333333-0000-4000-8000-000000000005".into()),
                redirect_uris: vec!["http://localhost:3000/login/azuread".into()],
                ..DiagnoseRequest::default()
            },
        ),
        (
            "Grafana target with its base URL and a Graph URL",
            DiagnoseRequest {
                target: Some("grafana".into()),
                base_url: Some("https://grafana.example.com".into()),
                client_id: Some("33333333-0000-4000-8000-000000000005".into()),
                graph_url: Some("https://graph.microsoft.com".into()),
                loopback_port: Some(53682),
                ..tenant_request("contoso.onmicrosoft.com", Cloud::Global)
            },
        ),
        (
            "another OpenID provider",
            DiagnoseRequest {
                authority: Some("https://idp.example.com/realms/main".into()),
                ..DiagnoseRequest::default()
            },
        ),
    ]
}

#[test]
fn every_plan_is_ordered_acyclic_and_names_only_checks_it_has() {
    for (name, request) in requests() {
        let plan = plan(&request).unwrap_or_else(|e| panic!("{name}: {e}"));
        let mut seen: HashSet<&str> = HashSet::new();
        for check in &plan {
            for dep in &check.depends_on {
                // Listed after every dependency: the order is a topological
                // order, so the graph has no cycle and no unknown id.
                assert!(
                    seen.contains(dep.as_str()),
                    "{name}: {} depends on {dep}, which is not planned before it",
                    check.id
                );
            }
            assert!(
                seen.insert(&check.id),
                "{name}: {} is planned twice",
                check.id
            );
        }
        for id in [
            "environment",
            "tenant",
            "jwks",
            "app_secret",
            "redirect_uri",
            "graph",
            "loopback",
            "browser",
        ] {
            assert!(seen.contains(id), "{name}: no {id} check");
        }
    }
}

#[test]
fn graph_waits_for_its_own_network_chain_or_for_discovery() {
    let depends = |request: &DiagnoseRequest| {
        plan(request)
            .expect("plan")
            .into_iter()
            .find(|c| c.id == "graph")
            .expect("graph check")
            .depends_on
    };
    // Entra clouds: Graph's host is known up front (docs/entra.md#national-clouds).
    let global = tenant_request("contoso.onmicrosoft.com", Cloud::Global);
    assert_eq!(depends(&global), ["http.graph"]);
    let titles: Vec<String> = plan(&tenant_request("x.onmicrosoft.us", Cloud::UsGov))
        .expect("plan")
        .into_iter()
        .map(|c| c.title)
        .collect();
    assert!(
        titles.iter().any(|t| t == "Resolve graph.microsoft.us"),
        "{titles:?}"
    );
    // The sandbox: Graph's root comes from discovery's msgraph_host.
    let sandbox = DiagnoseRequest {
        authority: Some("http://127.0.0.1:9/aaaaaaaa-0000-4000-8000-000000000001/v2.0".into()),
        ..DiagnoseRequest::default()
    };
    assert_eq!(depends(&sandbox), ["tenant"]);
    assert!(plan(&sandbox)
        .expect("plan")
        .iter()
        .all(|c| c.id != "dns.graph"));
}

#[test]
fn a_request_without_authority_or_tenant_is_refused_with_a_fix() {
    let e = plan(&DiagnoseRequest::default()).expect_err("nothing to diagnose");
    let text = e.to_string();
    assert!(
        text.contains("authority") || text.contains("tenant"),
        "{text}"
    );
}

fn result(
    check: &PlannedCheck,
    status: CheckStatus,
    finding: Option<DiagnoseFinding>,
) -> CheckResult {
    CheckResult {
        id: check.id.clone(),
        kind: check.kind,
        subject: check.subject,
        title: check.title.clone(),
        status,
        summary: String::new(),
        details: Vec::new(),
        findings: finding.into_iter().collect(),
        blocked_by: Vec::new(),
        duration_ms: 0,
    }
}

/// Results for a plan: `failed` fails (with its finding), everything
/// downstream of a failure is blocked, the rest passes.
fn results_with(
    plan: &[PlannedCheck],
    problems: &[(&str, CheckStatus, DiagnoseFinding)],
) -> Vec<CheckResult> {
    let mut out: Vec<CheckResult> = Vec::new();
    for check in plan {
        let own = problems.iter().find(|(id, _, _)| *id == check.id);
        let blocked = check.depends_on.iter().any(|d| {
            out.iter()
                .any(|r| &r.id == d && !r.status.lets_dependents_run())
        });
        out.push(match (own, blocked) {
            (_, true) => result(check, CheckStatus::Blocked, None),
            (Some((_, status, f)), false) => result(check, *status, Some(f.clone())),
            (None, false) => result(check, CheckStatus::Passed, None),
        });
    }
    out
}

fn finding(code: DiagnoseCode, severity: Severity, message: &str) -> DiagnoseFinding {
    DiagnoseFinding::new(code, severity, message, "the fix")
}

#[test]
fn a_dns_failure_is_the_one_root_cause_of_everything_it_blocks() {
    let plan = plan(&tenant_request("contoso.onmicrosoft.com", Cloud::Global)).expect("plan");
    let results = results_with(
        &plan,
        &[(
            "dns.authority",
            CheckStatus::Failed,
            finding(
                DiagnoseCode::DnsUnresolvable,
                Severity::Error,
                "login.microsoftonline.com does not resolve",
            ),
        )],
    );
    let causes = root_causes(&plan, &results);
    assert_eq!(causes.len(), 1, "{causes:#?}");
    let cause = &causes[0];
    assert_eq!(cause.check_id, "dns.authority");
    assert_eq!(
        cause.finding.as_ref().map(|f| f.code),
        Some(DiagnoseCode::DnsUnresolvable)
    );
    for id in [
        "tcp.authority",
        "tls.authority",
        "http.authority",
        "clock",
        "tenant",
        "jwks",
        "app_secret",
        "redirect_uri",
    ] {
        assert!(
            cause.explains.iter().any(|e| e == id),
            "{id} not explained: {:?}",
            cause.explains
        );
    }
    // Graph has its own chain: a sign-in host failure does not explain it.
    assert!(
        !cause.explains.iter().any(|e| e == "graph"),
        "{:?}",
        cause.explains
    );
}

#[test]
fn errors_rank_before_warnings_and_wider_failures_first() {
    let plan = plan(&tenant_request("contoso.onmicrosoft.com", Cloud::Global)).expect("plan");
    let results = results_with(
        &plan,
        &[
            (
                "browser",
                CheckStatus::Warning,
                finding(
                    DiagnoseCode::BrowserNotFound,
                    Severity::Warning,
                    "no browser",
                ),
            ),
            (
                "loopback",
                CheckStatus::Failed,
                finding(
                    DiagnoseCode::LoopbackPortInUse,
                    Severity::Error,
                    "port taken",
                ),
            ),
            (
                "tenant",
                CheckStatus::Failed,
                finding(
                    DiagnoseCode::TenantUnknown,
                    Severity::Error,
                    "no such tenant",
                ),
            ),
        ],
    );
    let causes = root_causes(&plan, &results);
    let order: Vec<&str> = causes.iter().map(|c| c.check_id.as_str()).collect();
    // The tenant blocks the app, key and redirect checks; the port blocks nothing.
    assert_eq!(order, ["tenant", "loopback", "browser"]);
    let mut explained = causes[0].explains.clone();
    explained.sort();
    assert_eq!(explained, ["app_secret", "jwks", "redirect_uri"]);
    assert!(causes[1].explains.is_empty());
}

#[test]
fn a_check_that_passed_is_never_a_root_cause() {
    let plan = plan(&tenant_request("contoso.onmicrosoft.com", Cloud::Global)).expect("plan");
    let results = results_with(&plan, &[]);
    assert!(root_causes(&plan, &results).is_empty());
}

#[tokio::test]
async fn cancelling_ends_every_check_as_cancelled() {
    let request = DiagnoseRequest {
        authority: Some("http://127.0.0.1:9/aaaaaaaa-0000-4000-8000-000000000001/v2.0".into()),
        client_id: Some("33333333-0000-4000-8000-000000000005".into()),
        redirect_uris: vec!["http://localhost/callback".into()],
        ..DiagnoseRequest::default()
    };
    let cancel = CancellationToken::new();
    cancel.cancel();
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&events);
    let diagnosis = run(
        request,
        Credentials::default(),
        Environment::default(),
        cancel,
        move |e| sink.lock().unwrap_or_else(|p| p.into_inner()).push(e),
    )
    .await
    .expect("a diagnosis");
    assert_eq!(diagnosis.overall, Overall::Cancelled);
    assert!(!diagnosis.results.is_empty());
    for r in &diagnosis.results {
        assert_eq!(
            r.status,
            CheckStatus::Cancelled,
            "{} ended {:?}: {}",
            r.id,
            r.status,
            r.summary
        );
    }
    let events = events.lock().unwrap_or_else(|p| p.into_inner());
    assert!(matches!(
        events.first(),
        Some(DiagnoseEvent::Planned { .. })
    ));
    assert!(matches!(events.last(), Some(DiagnoseEvent::Done { .. })));
    let finished = events
        .iter()
        .filter(|e| matches!(e, DiagnoseEvent::Finished { .. }))
        .count();
    assert_eq!(
        finished,
        diagnosis.results.len(),
        "one Finished event per check"
    );
}

#[tokio::test]
async fn every_check_reports_started_then_finished_once() {
    // Nothing listens on port 9: the network checks fail fast, the rest is
    // blocked or local; the stream still pairs every start with an end.
    let request = DiagnoseRequest {
        authority: Some("http://127.0.0.1:9/aaaaaaaa-0000-4000-8000-000000000001/v2.0".into()),
        timeout_secs: Some(5),
        ..DiagnoseRequest::default()
    };
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&events);
    let diagnosis = run(
        request,
        Credentials::default(),
        Environment::default(),
        CancellationToken::new(),
        move |e| sink.lock().unwrap_or_else(|p| p.into_inner()).push(e),
    )
    .await
    .expect("a diagnosis");
    let events = events.lock().unwrap_or_else(|p| p.into_inner());
    for r in &diagnosis.results {
        let started = events
            .iter()
            .filter(|e| matches!(e, DiagnoseEvent::Started { id } if *id == r.id))
            .count();
        let finished = events
            .iter()
            .filter(|e| matches!(e, DiagnoseEvent::Finished { result } if result.id == r.id))
            .count();
        assert_eq!(finished, 1, "{}", r.id);
        let expected_starts = usize::from(r.status != CheckStatus::Blocked);
        assert_eq!(started, expected_starts, "{} ({:?})", r.id, r.status);
        if r.status == CheckStatus::Blocked {
            assert!(!r.blocked_by.is_empty(), "{} blocked by nothing", r.id);
        }
    }
    // Whatever broke first, the app checks did not run without a tenant.
    let tenant = diagnosis
        .results
        .iter()
        .find(|r| r.id == "tenant")
        .expect("tenant");
    assert_ne!(tenant.status, CheckStatus::Passed);
    let jwks = diagnosis
        .results
        .iter()
        .find(|r| r.id == "jwks")
        .expect("jwks");
    assert_eq!(jwks.status, CheckStatus::Blocked);
    assert_eq!(diagnosis.overall, Overall::Problems);
    assert!(!diagnosis.root_causes.is_empty());
}

async fn browser_check(browser: &str) -> CheckResult {
    let request = DiagnoseRequest {
        authority: Some("http://127.0.0.1:9/aaaaaaaa-0000-4000-8000-000000000001/v2.0".into()),
        timeout_secs: Some(5),
        ..DiagnoseRequest::default()
    };
    let env = Environment {
        browser: Some(browser.into()),
        ..Environment::default()
    };
    let d = run(
        request,
        Credentials::default(),
        env,
        CancellationToken::new(),
        |_| {},
    )
    .await
    .expect("a diagnosis");
    d.results
        .into_iter()
        .find(|r| r.id == "browser")
        .expect("browser check")
}

#[tokio::test]
async fn a_browser_command_missing_from_path_warns_with_the_ways_around_it() {
    let r = browser_check("/nonexistent/entrance-test-browser --new-window %s").await;
    assert_eq!(r.status, CheckStatus::Warning);
    let f = r
        .findings
        .iter()
        .find(|f| f.code == DiagnoseCode::BrowserNotFound)
        .expect("BrowserNotFound");
    assert!(
        f.message.contains("/nonexistent/entrance-test-browser"),
        "{}",
        f.message
    );
    assert!(f.message.contains("BROWSER"), "{}", f.message);
    assert!(
        f.fix.contains("--device-code") && f.fix.contains("by hand"),
        "{}",
        f.fix
    );
}

#[cfg(unix)]
#[tokio::test]
async fn a_browser_command_on_path_is_found_without_opening_anything() {
    // `sh` is on every Unix PATH; nothing is run.
    let r = browser_check("/nonexistent/first:sh -c true").await;
    assert_eq!(r.status, CheckStatus::Passed, "{r:#?}");
    assert!(r.summary.contains("`sh`"), "{}", r.summary);
    assert!(r
        .details
        .iter()
        .any(|d| d.label == "/nonexistent/first" && d.value == "not found"));
}
