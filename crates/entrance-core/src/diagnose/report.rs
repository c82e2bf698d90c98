//! A finished [`Diagnosis`] as an admin hands it on: Markdown to paste into a
//! ticket, or JSON for a tool. Secret values were scrubbed when the
//! diagnosis was made ([`super::run`]); every string passes
//! [`crate::redact`] once more here, which removes token signatures.
//!
//! The Markdown reads top-down the way a ticket is triaged: the verdict, the
//! ranked root causes with their fix and links, a table of every check, then
//! the findings and details of each check that has a problem.

use std::fmt::Write as _;

use serde_json::Value;

pub use crate::redact::{Redactor, REDACTED};

use super::{CheckResult, CheckStatus, DiagnoseFinding, DiagnoseRequest, Diagnosis, Link, Overall};

/// The diagnosis as Markdown, token signatures removed. The one way a
/// report is made, in the app and the CLI alike.
pub fn to_markdown(diagnosis: &Diagnosis) -> String {
    Markdown {
        r: &Redactor::default(),
        d: diagnosis,
    }
    .render()
}

/// The diagnosis as pretty JSON, token signatures removed.
pub fn to_json(diagnosis: &Diagnosis) -> String {
    serde_json::to_string_pretty(&to_json_value(diagnosis)).unwrap_or_default()
}

/// The diagnosis as a JSON value, every string through the redactor.
pub fn to_json_value(diagnosis: &Diagnosis) -> Value {
    let mut value = serde_json::to_value(diagnosis).unwrap_or_else(|e| {
        serde_json::json!({ "error": format!("the diagnosis could not be written as JSON: {e}") })
    });
    Redactor::default().value(&mut value);
    value
}

/// `passed`, `failed`, `timed out`, … as the admin reads a check's status.
pub fn status_word(status: CheckStatus) -> &'static str {
    match status {
        CheckStatus::Pending => "pending",
        CheckStatus::Running => "running",
        CheckStatus::Passed => "passed",
        CheckStatus::Warning => "warning",
        CheckStatus::Failed => "failed",
        CheckStatus::TimedOut => "timed out",
        CheckStatus::Blocked => "blocked",
        CheckStatus::Skipped => "skipped",
        CheckStatus::Cancelled => "cancelled",
    }
}

/// A symbol for the status, for reports and lists.
pub fn status_icon(status: CheckStatus) -> &'static str {
    match status {
        CheckStatus::Pending => "⏳",
        CheckStatus::Running => "▶️",
        CheckStatus::Passed => "✅",
        CheckStatus::Warning => "⚠️",
        CheckStatus::Failed => "❌",
        CheckStatus::TimedOut => "⏱️",
        CheckStatus::Blocked => "⛔",
        CheckStatus::Skipped => "➖",
        CheckStatus::Cancelled => "⏹️",
    }
}

/// The verdict in words ("problems found").
pub fn overall_words(overall: Overall) -> &'static str {
    match overall {
        Overall::Healthy => "healthy",
        Overall::Warnings => "works, with warnings",
        Overall::Problems => "problems found",
        Overall::Cancelled => "stopped before it finished",
    }
}

fn overall_icon(overall: Overall) -> &'static str {
    match overall {
        Overall::Healthy => "✅",
        Overall::Warnings => "⚠️",
        Overall::Problems => "❌",
        Overall::Cancelled => "⏹️",
    }
}

/// How many checks ended in each status, in a fixed order ("2 failed, 5 blocked, 3 passed").
pub fn status_counts(results: &[CheckResult]) -> String {
    const ORDER: [CheckStatus; 9] = [
        CheckStatus::Failed,
        CheckStatus::TimedOut,
        CheckStatus::Warning,
        CheckStatus::Blocked,
        CheckStatus::Cancelled,
        CheckStatus::Passed,
        CheckStatus::Skipped,
        CheckStatus::Running,
        CheckStatus::Pending,
    ];
    let parts: Vec<String> = ORDER
        .iter()
        .filter_map(|s| {
            let n = results.iter().filter(|r| r.status == *s).count();
            (n > 0).then(|| format!("{n} {}", status_word(*s)))
        })
        .collect();
    if parts.is_empty() {
        "no checks ran".into()
    } else {
        parts.join(", ")
    }
}

/// `12 ms`, `1.4 s`.
pub fn duration_words(ms: impl Into<u64>) -> String {
    let ms: u64 = ms.into();
    if ms < 1000 {
        format!("{ms} ms")
    } else {
        let secs = ms as f64 / 1000.0;
        format!("{secs:.1} s")
    }
}

struct Markdown<'a> {
    r: &'a Redactor,
    d: &'a Diagnosis,
}

impl Markdown<'_> {
    /// Redacted, then escaped for inline Markdown on one line.
    fn inline(&self, text: &str) -> String {
        escape_inline(&self.r.text(text))
    }

    /// Redacted, then as inline code.
    fn code(&self, text: &str) -> String {
        code_span(&self.r.text(text))
    }

    fn title_of(&self, id: &str) -> String {
        self.d
            .results
            .iter()
            .find(|r| r.id == id)
            .map_or_else(|| id.to_string(), |r| r.title.clone())
    }

    fn render(&self) -> String {
        let d = self.d;
        let mut out = String::new();
        let _ = writeln!(out, "# Entrance diagnosis: {}\n", overall_words(d.overall));
        self.header(&mut out);
        self.root_causes(&mut out);
        self.table(&mut out);
        self.problems(&mut out);
        let _ = writeln!(
            out,
            "---\n\nWritten by Entrance {}. Token signatures and secret values are removed from this report.",
            self.inline(&d.entrance_version)
        );
        out
    }

    fn header(&self, out: &mut String) {
        let d = self.d;
        let _ = writeln!(
            out,
            "- **Verdict:** {} {} ({})",
            overall_icon(d.overall),
            capitalize(overall_words(d.overall)),
            status_counts(&d.results)
        );
        let _ = writeln!(
            out,
            "- **When:** {} (took {})",
            self.inline(&d.started_at),
            duration_words(d.duration_ms)
        );
        let _ = writeln!(out, "- **Authority:** {}", self.code(&d.authority));
        for (label, value) in request_lines(&d.request) {
            let _ = writeln!(out, "- **{label}:** {}", self.code(&value));
        }
        out.push('\n');
    }

    fn root_causes(&self, out: &mut String) {
        let d = self.d;
        out.push_str("## Root causes\n\n");
        if d.root_causes.is_empty() {
            out.push_str(match d.overall {
                Overall::Cancelled => {
                    "None among the checks that finished before the diagnosis was stopped.\n\n"
                }
                _ => "None: every check that ran passed.\n\n",
            });
            return;
        }
        for (i, cause) in d.root_causes.iter().enumerate() {
            let result = d.results.iter().find(|r| r.id == cause.check_id);
            let what = match (&cause.finding, result) {
                (Some(f), _) => self.inline(&f.message),
                (None, Some(r)) => self.inline(&r.summary),
                (None, None) => String::new(),
            };
            let _ = writeln!(
                out,
                "{}. {} **{}** ({}): {what}",
                i + 1,
                status_icon(cause.status),
                self.inline(&cause.title),
                status_word(cause.status)
            );
            if let Some(f) = &cause.finding {
                self.finding_lines(out, f, "   ");
            }
            if !cause.explains.is_empty() {
                let names: Vec<String> = cause
                    .explains
                    .iter()
                    .map(|id| format!("“{}”", self.inline(&self.title_of(id))))
                    .collect();
                let _ = writeln!(
                    out,
                    "   - **Explains:** {} blocked check{}: {}",
                    names.len(),
                    if names.len() == 1 { "" } else { "s" },
                    names.join(", ")
                );
            }
        }
        out.push('\n');
    }

    /// Fix, AADSTS code and links of a finding, as sub-items.
    fn finding_lines(&self, out: &mut String, f: &DiagnoseFinding, indent: &str) {
        if !f.fix.trim().is_empty() {
            let _ = writeln!(out, "{indent}- **Fix:** {}", self.inline(&f.fix));
        }
        if let Some(code) = f.aadsts {
            let _ = writeln!(out, "{indent}- **Entra error:** AADSTS{code}");
        }
        if !f.links.is_empty() {
            let links: Vec<String> = f.links.iter().map(|l| self.link(l)).collect();
            let _ = writeln!(out, "{indent}- **Links:** {}", links.join(" · "));
        }
    }

    /// A Markdown link for http(s) URLs; anything else is shown as code.
    fn link(&self, link: &Link) -> String {
        let label = self.inline(&link.label);
        let url = self.r.text(&link.url);
        match url::Url::parse(&url) {
            Ok(u) if matches!(u.scheme(), "https" | "http") => {
                let safe = u.as_str().replace('(', "%28").replace(')', "%29");
                format!("[{label}]({safe})")
            }
            _ => format!("{label}: {}", code_span(&url)),
        }
    }

    fn table(&self, out: &mut String) {
        out.push_str("## Checks\n\n| Status | Check | Summary | Time |\n|---|---|---|---|\n");
        for r in &self.d.results {
            let time = match r.status {
                CheckStatus::Blocked | CheckStatus::Skipped | CheckStatus::Pending => "—".into(),
                CheckStatus::Cancelled if r.duration_ms == 0 => "—".into(),
                _ => duration_words(r.duration_ms),
            };
            let _ = writeln!(
                out,
                "| {} {} | {} | {} | {time} |",
                status_icon(r.status),
                status_word(r.status),
                self.inline(&r.title),
                self.inline(&r.summary)
            );
        }
        out.push('\n');
    }

    fn problems(&self, out: &mut String) {
        let problems: Vec<&CheckResult> = self
            .d
            .results
            .iter()
            .filter(|r| r.status.is_problem())
            .collect();
        if problems.is_empty() {
            return;
        }
        out.push_str("## Problems in detail\n\n");
        for r in problems {
            let _ = writeln!(
                out,
                "### {} {} ({})\n",
                status_icon(r.status),
                self.inline(&r.title),
                status_word(r.status)
            );
            let _ = writeln!(out, "{}\n", self.inline(&r.summary));
            let _ = writeln!(
                out,
                "Check `{}`, {}.\n",
                r.id,
                duration_words(r.duration_ms)
            );
            if !r.findings.is_empty() {
                out.push_str("Findings:\n\n");
                for f in &r.findings {
                    let _ = writeln!(
                        out,
                        "- **{}** `{}`: {}",
                        f.severity.as_str(),
                        f.code.as_str(),
                        self.inline(&f.message)
                    );
                    self.finding_lines(out, f, "  ");
                }
                out.push('\n');
            }
            if !r.details.is_empty() {
                out.push_str("Details:\n\n");
                for detail in &r.details {
                    let value = self.r.text(&detail.value);
                    if value.contains('\n') {
                        let _ = writeln!(
                            out,
                            "- **{}:**\n\n{}",
                            self.inline(&detail.label),
                            code_block(&value, "  ")
                        );
                    } else {
                        let _ = writeln!(
                            out,
                            "- **{}:** {}",
                            self.inline(&detail.label),
                            code_span(&value)
                        );
                    }
                }
                out.push('\n');
            }
        }
    }
}

/// What was asked, besides the authority: label and value, in a fixed order.
fn request_lines(req: &DiagnoseRequest) -> Vec<(&'static str, String)> {
    let mut lines = Vec::new();
    let mut add = |label: &'static str, value: Option<String>| {
        if let Some(v) = value.filter(|v| !v.trim().is_empty()) {
            lines.push((label, v));
        }
    };
    add("Tenant", req.tenant.clone());
    add("Cloud", req.cloud.map(|c| c.label().to_string()));
    add("Client ID", req.client_id.clone());
    add("Secret (saved name)", req.secret_name.clone());
    add(
        "Target",
        req.target.clone().map(|t| match req.base_url.as_deref() {
            Some(base) if !base.trim().is_empty() => format!("{t} at {base}"),
            _ => t,
        }),
    );
    add(
        "Redirect URIs",
        (!req.redirect_uris.is_empty()).then(|| req.redirect_uris.join(", ")),
    );
    add("Microsoft Graph", req.graph_url.clone());
    add("Loopback port", req.loopback_port.map(|p| p.to_string()));
    add("CA file", req.ca_file.clone());
    add(
        "Timeout per check",
        Some(format!("{} s", req.check_timeout().as_secs())),
    );
    lines
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// One line of text that Markdown shows as written: no emphasis, links,
/// HTML, headings or table breaks from what a server answered. Code spans
/// the checks wrote (`` `value` ``, balanced backticks) stay code spans.
fn escape_inline(text: &str) -> String {
    let line: String = text
        .trim()
        .chars()
        .filter(|c| *c != '\r')
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let mut out = String::with_capacity(line.len());
    let mut rest = line.as_str();
    while let Some(c) = rest.chars().next() {
        if c == '`' {
            let fence_len = rest.len() - rest.trim_start_matches('`').len();
            let (fence, after) = rest.split_at(fence_len);
            if let Some(end) = closing_fence(after, fence_len) {
                // Inside code nothing is Markdown, but a `|` still ends a table cell.
                let _ = write!(out, "{fence}{}{fence}", after[..end].replace('|', "\\|"));
                rest = &after[end + fence_len..];
                continue;
            }
            for _ in 0..fence_len {
                out.push_str("\\`");
            }
            rest = after;
            continue;
        }
        if matches!(c, '\\' | '*' | '[' | ']' | '<' | '>' | '|') {
            out.push('\\');
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// Where a run of exactly `len` backticks starts in `text`, if one does.
fn closing_fence(text: &str, len: usize) -> Option<usize> {
    let mut i = 0;
    while let Some(at) = text[i..].find('`') {
        let start = i + at;
        let run = text[start..].len() - text[start..].trim_start_matches('`').len();
        if run == len {
            return Some(start);
        }
        i = start + run;
    }
    None
}

/// Inline code: a backtick fence longer than any run of backticks inside.
fn code_span(text: &str) -> String {
    let one_line: String = text
        .trim()
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let fence = "`".repeat(longest_backtick_run(&one_line) + 1);
    let pad = if one_line.starts_with('`') || one_line.ends_with('`') {
        " "
    } else {
        ""
    };
    // A `|` would end a table cell even inside code.
    let body = one_line.replace('|', "\\|");
    format!("{fence}{pad}{body}{pad}{fence}")
}

/// A fenced block, indented to sit inside a list item.
fn code_block(text: &str, indent: &str) -> String {
    let fence = "`".repeat(longest_backtick_run(text).max(2) + 1);
    let mut out = format!("{indent}{fence}text\n");
    for line in text.lines() {
        let _ = writeln!(out, "{indent}{line}");
    }
    let _ = write!(out, "{indent}{fence}");
    out
}

fn longest_backtick_run(text: &str) -> usize {
    text.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnose::{CheckKind, Detail, DiagnoseCode, RootCause, Subject};
    use crate::findings::Severity;
    use crate::testkit;

    fn result(id: &str, title: &str, status: CheckStatus, summary: &str) -> CheckResult {
        CheckResult {
            id: id.into(),
            kind: CheckKind::Tenant,
            subject: None,
            title: title.into(),
            status,
            summary: summary.into(),
            details: Vec::new(),
            findings: Vec::new(),
            blocked_by: Vec::new(),
            duration_ms: 42,
        }
    }

    fn unknown_tenant_finding() -> DiagnoseFinding {
        DiagnoseFinding::new(
            DiagnoseCode::TenantUnknown,
            Severity::Error,
            "The tenant contoso-typo.onmicrosoft.com does not exist.",
            "Copy the Directory (tenant) ID from Entra ID → Overview.",
        )
        .with_aadsts(90002)
    }

    /// A diagnosis where the tenant is unknown and blocks three checks.
    fn failing() -> Diagnosis {
        let mut dns = result(
            "dns.authority",
            "Resolve login.microsoftonline.com",
            CheckStatus::Passed,
            "Resolved to 20.190.151.68 in 12 ms",
        );
        dns.kind = CheckKind::Dns;
        dns.subject = Some(Subject::Authority);
        dns.details
            .push(Detail::new("Addresses", "20.190.151.68, 20.190.151.69"));
        let mut tenant = result(
            "tenant",
            "Tenant discovery at https://login.microsoftonline.com/contoso-typo.onmicrosoft.com/v2.0",
            CheckStatus::Failed,
            "AADSTS90002: the tenant does not exist.",
        );
        tenant.findings.push(unknown_tenant_finding());
        tenant.details.push(Detail::new(
            "Discovery URL",
            "https://login.microsoftonline.com/contoso-typo.onmicrosoft.com/v2.0/.well-known/openid-configuration",
        ));
        let blocked = |id: &str, title: &str| {
            let mut r = result(
                id,
                title,
                CheckStatus::Blocked,
                "Not run: “Tenant discovery” did not pass.",
            );
            r.blocked_by = vec!["tenant".into()];
            r.duration_ms = 0;
            r
        };
        let mut loopback = result(
            "loopback",
            "Loopback listener for a sign-in",
            CheckStatus::Warning,
            "Port 8400 is taken",
        );
        loopback.findings.push(DiagnoseFinding::new(
            DiagnoseCode::LoopbackPortInUse,
            Severity::Warning,
            "Port 8400 is in use by another program.",
            "Pick another port with --loopback-port.",
        ));
        let results = vec![
            dns,
            tenant.clone(),
            blocked("jwks", "Signing keys"),
            blocked("app_secret", "App registration and client secret"),
            blocked("redirect_uri", "Redirect URIs registered"),
            loopback.clone(),
        ];
        Diagnosis {
            request: DiagnoseRequest {
                tenant: Some("contoso-typo.onmicrosoft.com".into()),
                client_id: Some(testkit::CLIENT_ID.into()),
                secret_name: Some("grafana-prod".into()),
                ..DiagnoseRequest::default()
            },
            authority: "https://login.microsoftonline.com/contoso-typo.onmicrosoft.com/v2.0".into(),
            started_at: "2026-11-23T18:30:04Z".into(),
            duration_ms: 1432,
            overall: Overall::Problems,
            root_causes: vec![
                RootCause {
                    check_id: "tenant".into(),
                    title: tenant.title.clone(),
                    status: CheckStatus::Failed,
                    finding: tenant.findings.first().cloned(),
                    explains: vec!["jwks".into(), "app_secret".into(), "redirect_uri".into()],
                },
                RootCause {
                    check_id: "loopback".into(),
                    title: loopback.title.clone(),
                    status: CheckStatus::Warning,
                    finding: loopback.findings.first().cloned(),
                    explains: Vec::new(),
                },
            ],
            results,
            entrance_version: "0.1.0".into(),
        }
    }

    fn healthy() -> Diagnosis {
        Diagnosis {
            request: DiagnoseRequest {
                authority: Some("http://127.0.0.1:8080/contoso/v2.0".into()),
                ..DiagnoseRequest::default()
            },
            authority: "http://127.0.0.1:8080/contoso/v2.0".into(),
            started_at: "2026-11-23T18:30:04Z".into(),
            duration_ms: 87,
            overall: Overall::Healthy,
            results: vec![
                result(
                    "environment",
                    "Proxy and CA settings",
                    CheckStatus::Passed,
                    "No proxy set",
                ),
                result(
                    "tenant",
                    "Tenant discovery",
                    CheckStatus::Passed,
                    "Entra ID tenant",
                ),
                result(
                    "graph",
                    "Microsoft Graph",
                    CheckStatus::Skipped,
                    "No Graph token given",
                ),
            ],
            root_causes: Vec::new(),
            entrance_version: "0.1.0".into(),
        }
    }

    fn position(haystack: &str, needle: &str) -> usize {
        haystack
            .find(needle)
            .unwrap_or_else(|| panic!("`{needle}` is not in:\n{haystack}"))
    }

    #[test]
    fn markdown_puts_the_verdict_and_ranked_root_causes_before_the_table() {
        let md = to_markdown(&failing());
        assert!(
            md.starts_with("# Entrance diagnosis: problems found\n"),
            "{md}"
        );
        assert!(
            md.contains(
                "- **Verdict:** ❌ Problems found (1 failed, 1 warning, 3 blocked, 1 passed)"
            ),
            "{md}"
        );
        assert!(
            md.contains("- **When:** 2026-11-23T18:30:04Z (took 1.4 s)"),
            "{md}"
        );
        assert!(md.contains("- **Authority:** `https://login.microsoftonline.com/contoso-typo.onmicrosoft.com/v2.0`"));
        assert!(md.contains("- **Secret (saved name):** `grafana-prod`"));
        // Ranked: the failure that explains three blocked checks, then the warning.
        let first = position(&md, "1. ❌ **Tenant discovery at");
        let second = position(&md, "2. ⚠️ **Loopback listener for a sign-in** (warning)");
        let table = position(&md, "## Checks");
        assert!(first < second && second < table);
        assert!(
            md.contains("   - **Fix:** Copy the Directory (tenant) ID from Entra ID → Overview.")
        );
        assert!(md.contains("   - **Entra error:** AADSTS90002"));
        assert!(md.contains("[AADSTS90002 on Microsoft's error lookup](https://login.microsoftonline.com/error?code=90002)"));
        assert!(md.contains(
            "   - **Explains:** 3 blocked checks: “Signing keys”, “App registration and client secret”, “Redirect URIs registered”"
        ), "{md}");
    }

    #[test]
    fn markdown_lists_every_check_and_details_only_the_problems() {
        let md = to_markdown(&failing());
        let table = &md[position(&md, "## Checks")..position(&md, "## Problems in detail")];
        assert!(table.contains("| ✅ passed | Resolve login.microsoftonline.com | Resolved to 20.190.151.68 in 12 ms | 42 ms |"), "{table}");
        assert!(table.contains(
            "| ⛔ blocked | Signing keys | Not run: “Tenant discovery” did not pass. | — |"
        ));
        assert_eq!(
            table.matches("\n| ").count(),
            7,
            "header + one row per check"
        );
        let details = &md[position(&md, "## Problems in detail")..];
        assert!(details.contains("### ❌ Tenant discovery at"));
        assert!(details.contains(
            "- **error** `tenant.unknown`: The tenant contoso-typo.onmicrosoft.com does not exist."
        ));
        assert!(details.contains("- **Discovery URL:** `https://login.microsoftonline.com/contoso-typo.onmicrosoft.com/v2.0/.well-known/openid-configuration`"));
        assert!(details.contains("### ⚠️ Loopback listener for a sign-in (warning)"));
        // A passed check's details stay in the JSON, not in the ticket text.
        assert!(!details.contains("Addresses"), "{details}");
        assert!(!details.contains("Signing keys"));
    }

    #[test]
    fn a_healthy_diagnosis_says_so_and_has_no_problem_section() {
        let md = to_markdown(&healthy());
        assert!(md.starts_with("# Entrance diagnosis: healthy\n"));
        assert!(md.contains("- **Verdict:** ✅ Healthy (2 passed, 1 skipped)"));
        assert!(md.contains("## Root causes\n\nNone: every check that ran passed."));
        assert!(!md.contains("## Problems in detail"));
        let mut stopped = healthy();
        stopped.overall = Overall::Cancelled;
        let md = to_markdown(&stopped);
        assert!(md.starts_with("# Entrance diagnosis: stopped before it finished\n"));
        assert!(md.contains("None among the checks that finished"));
    }

    #[test]
    fn json_is_the_whole_diagnosis_pretty_printed() {
        let json = to_json(&failing());
        assert!(json.contains("\n  \"overall\": \"problems\""), "{json}");
        let v: Value = serde_json::from_str(&json).expect("valid JSON");
        assert_eq!(v["results"].as_array().map(Vec::len), Some(6));
        assert_eq!(v["root_causes"][0]["check_id"], "tenant");
        assert_eq!(v["root_causes"][0]["finding"]["code"], "tenant.unknown");
        assert_eq!(v["root_causes"][0]["finding"]["aadsts"], 90002);
        assert_eq!(
            v["results"][0]["details"][0]["value"],
            "20.190.151.68, 20.190.151.69"
        );
        assert_eq!(v["request"]["secret_name"], "grafana-prod");
    }

    #[test]
    fn a_jwt_anywhere_becomes_its_header_and_claims_without_the_signature() {
        let token = testkit::mint(
            testkit::KEY_A,
            &testkit::rs256_header(Some(testkit::KID_A)),
            &testkit::access_token_v2(),
        );
        let signature = token.rsplit('.').next().unwrap_or_default().to_string();
        let mut d = failing();
        d.results[1].summary = format!("Graph said 401 to Bearer {token}.");
        d.results[1].findings[0].message = format!("The redirect carried id_token={token}&state=x");
        d.results[1]
            .details
            .push(Detail::new("Authorization", format!("Bearer%20{token}")));
        for out in [to_markdown(&d), to_json(&d)] {
            assert!(!out.contains(&signature), "signature left in:\n{out}");
            assert!(!out.contains(&token));
            assert!(out.contains("JWT, signature removed; header"), "{out}");
            assert!(out.contains(testkit::KID_A));
            assert!(
                out.contains(testkit::API_ID),
                "the audience claim is readable"
            );
        }
        let v: Value = serde_json::from_str(&to_json(&d)).expect("valid JSON");
        let summary = v["results"][1]["summary"].as_str().unwrap_or_default();
        assert!(summary.starts_with("Graph said 401 to Bearer [JWT, signature removed; header {"));
        assert!(
            summary.ends_with("}]."),
            "the sentence's full stop stays: {summary}"
        );
    }

    #[test]
    fn server_text_cannot_break_the_table_or_inject_links() {
        let mut d = failing();
        d.results[0].summary = "a | b\nsecond line [click](javascript:alert(1)) <img src=x>".into();
        d.results[1].findings[0].links.push(Link {
            label: "odd".into(),
            url: "javascript:alert(1)".into(),
        });
        d.root_causes[0].finding = d.results[1].findings.first().cloned();
        let md = to_markdown(&d);
        let row = md
            .lines()
            .find(|l| l.contains("Resolve login.microsoftonline.com"))
            .unwrap_or_default();
        let cells = row
            .char_indices()
            .filter(|(i, c)| *c == '|' && !row[..*i].ends_with('\\'))
            .count();
        assert_eq!(cells, 5, "four cells, the pipe in the text escaped: {row}");
        assert!(
            row.contains("a \\| b second line \\[click\\](javascript:alert(1)) \\<img src=x\\>"),
            "{row}"
        );
        assert!(md.contains("odd: `javascript:alert(1)`"));
        assert!(
            !md.replace("\\](", "").contains("](javascript:"),
            "no live javascript: link"
        );
    }

    #[test]
    fn code_spans_written_by_checks_stay_code_and_stray_backticks_are_escaped() {
        assert_eq!(
            escape_inline("Tenant `contoso*typo` not found; *bold* `open"),
            "Tenant `contoso*typo` not found; \\*bold\\* \\`open"
        );
        assert_eq!(escape_inline("``a ` b`` | c"), "``a ` b`` \\| c");
        assert_eq!(escape_inline("`x|y`"), "`x\\|y`");
    }

    #[test]
    fn details_with_several_lines_are_fenced_code() {
        let mut d = failing();
        d.results[1].details.push(Detail::new(
            "Chain",
            "CN=Proxy CA\nCN=login.microsoftonline.com",
        ));
        let md = to_markdown(&d);
        assert!(
            md.contains(
                "- **Chain:**\n\n  ```text\n  CN=Proxy CA\n  CN=login.microsoftonline.com\n  ```"
            ),
            "{md}"
        );
    }

    #[test]
    fn words_for_statuses_and_durations() {
        assert_eq!(status_word(CheckStatus::TimedOut), "timed out");
        assert_eq!(duration_words(999_u32), "999 ms");
        assert_eq!(duration_words(1500_u64), "1.5 s");
        assert_eq!(status_counts(&[]), "no checks ran");
    }
}
