//! The scheduler: every check starts as soon as the checks it depends on have
//! passed, runs under its own timeout and the caller's cancellation, and is
//! reported the moment it ends. A check whose dependency did not pass is
//! blocked (not run). The root causes are the checks that did not pass while
//! all their dependencies did.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Instant;

use tokio::task::JoinSet;

use super::context::{Context, Environment};
use super::{
    CheckKind, CheckResult, CheckStatus, Credentials, DiagnoseEvent, DiagnoseFinding,
    DiagnoseRequest, Diagnosis, Overall, PlannedCheck, RootCause,
};
use crate::findings::Severity;
use crate::login::CancellationToken;

/// What a check function returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Outcome {
    pub status: CheckStatus,
    pub summary: String,
    pub details: Vec<super::Detail>,
    pub findings: Vec<DiagnoseFinding>,
}

impl Outcome {
    pub fn passed(summary: impl Into<String>) -> Outcome {
        Outcome {
            status: CheckStatus::Passed,
            summary: summary.into(),
            details: Vec::new(),
            findings: Vec::new(),
        }
    }

    /// Not applicable to this request; `reason` says why.
    pub fn skipped(reason: impl Into<String>) -> Outcome {
        Outcome {
            status: CheckStatus::Skipped,
            ..Outcome::passed(reason)
        }
    }

    /// Failed with a finding (its message is the summary when none is given).
    pub fn failed(summary: impl Into<String>, finding: DiagnoseFinding) -> Outcome {
        Outcome {
            status: CheckStatus::Failed,
            findings: vec![finding],
            ..Outcome::passed(summary)
        }
    }

    /// Works, with something to look at.
    pub fn warning(summary: impl Into<String>, finding: DiagnoseFinding) -> Outcome {
        Outcome {
            status: CheckStatus::Warning,
            findings: vec![finding],
            ..Outcome::passed(summary)
        }
    }

    pub fn detail(mut self, label: impl Into<String>, value: impl Into<String>) -> Outcome {
        self.details.push(super::Detail::new(label, value));
        self
    }

    pub fn finding(mut self, finding: DiagnoseFinding) -> Outcome {
        self.findings.push(finding);
        self
    }

    /// The status from the findings: an error fails, a warning warns.
    pub fn graded(mut self) -> Outcome {
        let worst = self.findings.iter().map(|f| f.severity).max();
        self.status = match worst {
            Some(Severity::Error) => CheckStatus::Failed,
            Some(Severity::Warning) if self.status == CheckStatus::Passed => CheckStatus::Warning,
            _ => self.status,
        };
        self
    }
}

/// Runs a diagnosis. `on_event` sees [`DiagnoseEvent::Planned`] first, then a
/// `Started`/`Finished` pair per check as they happen, then `Done`.
///
/// Returns an error only for a request that cannot be diagnosed (no
/// authority, a malformed URL, an unknown target); every network problem is a
/// check result.
pub async fn run(
    request: DiagnoseRequest,
    credentials: Credentials,
    env: Environment,
    cancel: CancellationToken,
    on_event: impl Fn(DiagnoseEvent) + Send + Sync,
) -> crate::Result<Diagnosis> {
    let started = Instant::now();
    let started_at = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    // Secrets are scrubbed from every result as it is made: what the events,
    // the IPC answer and every report carry is clean at the source, whatever
    // a server echoed back.
    let redactor = crate::redact::Redactor::new(
        &[&credentials.client_secret, &credentials.graph_token]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>(),
    );
    let cx = Arc::new(super::plan::context(request, credentials, env)?);
    let plan = super::plan::checks(&cx);
    on_event(DiagnoseEvent::Planned {
        checks: plan.clone(),
    });

    let mut results: HashMap<String, CheckResult> = HashMap::new();
    let mut started_ids: HashSet<String> = HashSet::new();
    let mut running: JoinSet<(usize, Outcome, u32)> = JoinSet::new();
    let mut task_index: HashMap<tokio::task::Id, usize> = HashMap::new();
    let timeout = cx.timeout;

    loop {
        // Start (or block) every check whose dependencies have all ended.
        for (i, check) in plan.iter().enumerate() {
            if started_ids.contains(&check.id) {
                continue;
            }
            let deps: Vec<&CheckResult> = check
                .depends_on
                .iter()
                .filter_map(|d| results.get(d))
                .collect();
            if deps.len() < check.depends_on.len() {
                continue;
            }
            started_ids.insert(check.id.clone());
            if cancel.is_cancelled() {
                // Stopped by the admin: what had not started ends cancelled,
                // not blocked (nothing it depends on failed).
                let mut result = blocked(check, Vec::new(), &results);
                result.status = CheckStatus::Cancelled;
                result.summary = "Stopped before it started.".into();
                on_event(DiagnoseEvent::Finished {
                    result: result.clone(),
                });
                results.insert(check.id.clone(), result);
                continue;
            }
            let blocked_by: Vec<String> = deps
                .iter()
                .filter(|r| !r.status.lets_dependents_run())
                .map(|r| r.id.clone())
                .collect();
            if !blocked_by.is_empty() {
                let result = blocked(check, blocked_by, &results);
                on_event(DiagnoseEvent::Finished {
                    result: result.clone(),
                });
                results.insert(check.id.clone(), result);
                continue;
            }
            on_event(DiagnoseEvent::Started {
                id: check.id.clone(),
            });
            let cx = Arc::clone(&cx);
            let check = check.clone();
            let cancel = cancel.clone();
            let handle = running.spawn(async move {
                let t0 = Instant::now();
                let outcome = tokio::select! {
                    biased;
                    () = cancel.cancelled() => Outcome {
                        status: CheckStatus::Cancelled,
                        ..Outcome::passed("Stopped before it finished.")
                    },
                    r = tokio::time::timeout(timeout, execute(&cx, &check)) => match r {
                        Ok(outcome) => outcome,
                        Err(_) => timed_out(&check, timeout),
                    },
                };
                (
                    i,
                    outcome,
                    u32::try_from(t0.elapsed().as_millis()).unwrap_or(u32::MAX),
                )
            });
            task_index.insert(handle.id(), i);
        }
        if results.len() == plan.len() {
            break;
        }
        let Some(joined) = running.join_next_with_id().await else {
            // Nothing running and nothing startable: a dependency cycle or an
            // unknown dependency id, which the plan's tests rule out.
            for check in &plan {
                if !results.contains_key(&check.id) {
                    let result = blocked(check, check.depends_on.clone(), &results);
                    results.insert(check.id.clone(), result);
                }
            }
            break;
        };
        let (i, outcome, ms) = match joined {
            Ok((_, v)) => v,
            Err(e) => {
                // A check panicked: report it as failed rather than losing the run.
                let Some(&i) = task_index.get(&e.id()) else {
                    continue;
                };
                (
                    i,
                    Outcome {
                        status: CheckStatus::Failed,
                        ..Outcome::passed(format!("The check stopped unexpectedly: {e}"))
                    },
                    0,
                )
            }
        };
        let check = &plan[i];
        let result = CheckResult {
            id: check.id.clone(),
            kind: check.kind,
            subject: check.subject,
            title: check.title.clone(),
            status: outcome.status,
            summary: outcome.summary,
            details: outcome.details,
            findings: outcome.findings,
            blocked_by: Vec::new(),
            duration_ms: ms,
        }
        .redacted(&redactor);
        on_event(DiagnoseEvent::Finished {
            result: result.clone(),
        });
        results.insert(check.id.clone(), result);
    }

    let ordered: Vec<CheckResult> = plan.iter().filter_map(|c| results.remove(&c.id)).collect();
    let root_causes = root_causes(&plan, &ordered);
    let overall = if cancel.is_cancelled() {
        Overall::Cancelled
    } else if ordered
        .iter()
        .any(|r| matches!(r.status, CheckStatus::Failed | CheckStatus::TimedOut))
    {
        Overall::Problems
    } else if ordered.iter().any(|r| r.status == CheckStatus::Warning) {
        Overall::Warnings
    } else {
        Overall::Healthy
    };
    let diagnosis = Diagnosis {
        request: cx.request.clone(),
        authority: cx.authority.to_string(),
        started_at,
        duration_ms: u32::try_from(started.elapsed().as_millis()).unwrap_or(u32::MAX),
        overall,
        results: ordered,
        root_causes,
        entrance_version: env!("CARGO_PKG_VERSION").to_string(),
    };
    on_event(DiagnoseEvent::Done {
        diagnosis: Box::new(diagnosis.clone()),
    });
    Ok(diagnosis)
}

async fn execute(cx: &Context, check: &PlannedCheck) -> Outcome {
    let subject = check.subject.unwrap_or(super::Subject::Authority);
    match check.kind {
        CheckKind::Environment => super::environment::run(cx).await,
        CheckKind::Dns => super::dns::run(cx, subject).await,
        CheckKind::Tcp => super::tcp::run(cx, subject).await,
        CheckKind::Tls => super::tls::run(cx, subject).await,
        CheckKind::Http => super::http::run(cx, subject).await,
        CheckKind::Clock => super::clock::run(cx).await,
        CheckKind::Tenant => super::tenant::run(cx).await,
        CheckKind::Jwks => super::jwks::run(cx).await,
        CheckKind::AppSecret => super::app_secret::run(cx).await,
        CheckKind::RedirectUri => super::redirect_uri::run(cx).await,
        CheckKind::Graph => super::graph::run(cx).await,
        CheckKind::Loopback => super::loopback::run(cx).await,
        CheckKind::Browser => super::browser::run(cx).await,
    }
}

fn timed_out(check: &PlannedCheck, timeout: std::time::Duration) -> Outcome {
    let secs = timeout.as_secs_f32();
    let (code, message, fix) = match check.kind {
        CheckKind::Dns => (
            super::DiagnoseCode::DnsTimeout,
            format!("The resolver gave no answer within {secs:.0} s."),
            "Check the DNS servers this machine uses (/etc/resolv.conf) and that UDP/TCP 53 to them is allowed.",
        ),
        CheckKind::Tcp => (
            super::DiagnoseCode::TcpTimeout,
            format!("The connection did not open within {secs:.0} s: packets are dropped on the way."),
            "A firewall drops outbound HTTPS here: allow TCP 443 to the host, or set HTTPS_PROXY to the proxy that is allowed out.",
        ),
        _ => (
            super::DiagnoseCode::HttpNoAnswer,
            format!("No answer within {secs:.0} s: the server accepted the connection and then said nothing."),
            "A proxy or firewall that holds connections open is the usual cause; check the proxy settings, or try again with a longer timeout.",
        ),
    };
    Outcome {
        status: CheckStatus::TimedOut,
        summary: message.clone(),
        details: Vec::new(),
        findings: vec![DiagnoseFinding::new(code, Severity::Error, message, fix)],
    }
}

fn blocked(
    check: &PlannedCheck,
    blocked_by: Vec<String>,
    results: &HashMap<String, CheckResult>,
) -> CheckResult {
    let names: Vec<String> = blocked_by
        .iter()
        .map(|id| {
            results
                .get(id)
                .map_or_else(|| id.clone(), |r| format!("“{}”", r.title))
        })
        .collect();
    CheckResult {
        id: check.id.clone(),
        kind: check.kind,
        subject: check.subject,
        title: check.title.clone(),
        status: CheckStatus::Blocked,
        summary: format!("Not run: {} did not pass.", names.join(" and ")),
        details: Vec::new(),
        findings: Vec::new(),
        blocked_by,
        duration_ms: 0,
    }
}

/// The checks that did not pass although every dependency did, with the
/// checks they blocked (transitively); errors before warnings, then the one
/// that explains most.
pub(crate) fn root_causes(plan: &[PlannedCheck], results: &[CheckResult]) -> Vec<RootCause> {
    let by_id: HashMap<&str, &CheckResult> = results.iter().map(|r| (r.id.as_str(), r)).collect();
    let mut causes: Vec<(usize, RootCause)> = Vec::new();
    for (order, result) in results.iter().enumerate() {
        if !result.status.is_problem() {
            continue;
        }
        // Everything blocked downstream of this check.
        let mut explains: Vec<String> = Vec::new();
        let mut frontier = vec![result.id.clone()];
        while let Some(id) = frontier.pop() {
            for c in plan.iter().filter(|c| c.depends_on.contains(&id)) {
                if by_id
                    .get(c.id.as_str())
                    .is_some_and(|r| r.status == CheckStatus::Blocked)
                    && !explains.contains(&c.id)
                {
                    explains.push(c.id.clone());
                    frontier.push(c.id.clone());
                }
            }
        }
        let finding = result
            .findings
            .iter()
            .max_by_key(|f| (f.severity, std::cmp::Reverse(0)))
            .and_then(|worst| {
                result
                    .findings
                    .iter()
                    .find(|f| f.severity == worst.severity)
            })
            .cloned();
        causes.push((
            order,
            RootCause {
                check_id: result.id.clone(),
                title: result.title.clone(),
                status: result.status,
                finding,
                explains,
            },
        ));
    }
    let rank = |c: &RootCause| match c.status {
        CheckStatus::Failed | CheckStatus::TimedOut => 0,
        _ => 1,
    };
    causes.sort_by(|(oa, a), (ob, b)| {
        rank(a)
            .cmp(&rank(b))
            .then(b.explains.len().cmp(&a.explains.len()))
            .then(oa.cmp(ob))
    });
    causes.into_iter().map(|(_, c)| c).collect()
}
