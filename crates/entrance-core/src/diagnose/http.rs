//! The HTTP check: a GET through Entrance's own HTTP client (the proxies of
//! the environment, the CA file, no redirects followed) to the authority's
//! discovery document or Microsoft Graph's root. Any answer from the server
//! proves the path works: the tenant check judges what an Entra 400 means
//! (AADSTS90002…), and Graph's root answers 4xx without a token. Server
//! errors, connections closed without an answer and proxy refusals are what
//! fail here. The authority's `Date` header is kept for the clock check.

use std::time::Instant;

use super::context::Context;
use super::environment::proxy_label;
use super::runner::Outcome;
use super::tcp::is_microsoft_host;
use super::{CheckStatus, DiagnoseCode, DiagnoseFinding, Subject};
use crate::findings::Severity;

/// At most this much of a body is read (an error page, a discovery document).
const BODY_LIMIT: usize = 64 * 1024;

/// What came back, as the judgement needs it.
#[derive(Debug, Default, Clone)]
pub(super) struct Answer {
    pub status: u16,
    pub content_type: Option<String>,
    pub location: Option<String>,
    pub body: String,
    /// `x-ms-request-id` / `x-ms-ests-server`: Entra's front door answered.
    pub entra_headers: bool,
}

/// How a request failed, from reqwest's error and its sources.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum RequestFailure {
    Timeout,
    /// The connection closed (or was reset) before an answer.
    Closed,
    /// The proxy asked for credentials.
    ProxyAuth,
    /// The proxy refused the tunnel or could not be used.
    Proxy(String),
    Refused,
    Tls(String),
    Other(String),
}

/// The text of an error and all its sources, for matching and messages.
fn chain_text(e: &(dyn std::error::Error + 'static)) -> (String, Vec<std::io::ErrorKind>) {
    let mut parts = vec![e.to_string()];
    let mut kinds = Vec::new();
    let mut source = e.source();
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            kinds.push(io.kind());
        }
        parts.push(s.to_string());
        source = s.source();
    }
    (parts.join(": "), kinds)
}

pub(super) fn classify_error(e: &reqwest::Error) -> RequestFailure {
    if e.is_timeout() {
        return RequestFailure::Timeout;
    }
    let (text, kinds) = chain_text(e);
    classify_text(&text, &kinds)
}

/// The classification by the error chain's text and I/O kinds (pure, tested).
pub(super) fn classify_text(text: &str, kinds: &[std::io::ErrorKind]) -> RequestFailure {
    use std::io::ErrorKind as K;
    let lower = text.to_ascii_lowercase();
    if lower.contains("proxy authorization required")
        || lower.contains("proxy authentication required")
    {
        RequestFailure::ProxyAuth
    } else if lower.contains("tunnel error") || lower.contains("unsuccessful tunnel") {
        RequestFailure::Proxy(text.to_string())
    } else if lower.contains("timed out") || kinds.contains(&K::TimedOut) {
        RequestFailure::Timeout
    } else if kinds.contains(&K::ConnectionRefused) {
        RequestFailure::Refused
    } else if lower.contains("certificate") || lower.contains("handshake") || lower.contains("tls")
    {
        RequestFailure::Tls(text.to_string())
    } else if lower.contains("connection closed")
        || lower.contains("incomplete message")
        || lower.contains("incompletemessage")
        || lower.contains("connection reset")
        || kinds.iter().any(|k| {
            matches!(
                k,
                K::ConnectionReset | K::ConnectionAborted | K::UnexpectedEof | K::BrokenPipe
            )
        })
    {
        RequestFailure::Closed
    } else {
        RequestFailure::Other(text.to_string())
    }
}

/// The `<title>` of an HTML page, for naming a block page.
fn html_title(body: &str) -> Option<String> {
    let lower = body.to_ascii_lowercase();
    let start = lower.find("<title")?;
    let open_end = lower[start..].find('>')? + start + 1;
    let end = lower[open_end..].find("</title>")? + open_end;
    let t = body
        .get(open_end..end)?
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    (!t.is_empty()).then_some(t)
}

/// Judges an answer (pure: the tests walk it).
pub(super) fn judge(
    subject: Subject,
    host: &str,
    answer: &Answer,
    proxied: bool,
    ms: u128,
) -> Outcome {
    let status = answer.status;
    let is_html = answer
        .content_type
        .as_deref()
        .is_some_and(|c| c.to_ascii_lowercase().contains("html"));
    let codes: Vec<u32> = crate::aadsts::find_codes(&answer.body)
        .into_iter()
        .map(|c| c.code)
        .collect();
    let aadsts_note = if codes.is_empty() {
        String::new()
    } else {
        format!(
            " ({})",
            codes
                .iter()
                .map(|c| format!("AADSTS{c}"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let mut out = match status {
        500..=599 => {
            let mut fix = if proxied && matches!(status, 502..=504) && !answer.entra_headers {
                format!("A {status} through a proxy usually comes from the proxy: it could not reach {host}. Check the proxy's logs, or ask its admins whether {host} is allowed.")
            } else if is_microsoft_host(host) {
                "Microsoft's service answered with an error: it is usually temporary. Retry in a few minutes, and check the Azure status page and the tenant's Service health in the Microsoft 365 admin center.".to_string()
            } else {
                format!("The server at {host} failed: check its logs and status, then retry.")
            };
            if !codes.is_empty() {
                fix.push_str(" Look the AADSTS code up with Microsoft's error lookup (linked).");
            }
            let mut f = DiagnoseFinding::new(
                DiagnoseCode::HttpServerError,
                Severity::Error,
                format!("{host} answered {status}{aadsts_note}: a server error."),
                fix,
            );
            if let Some(code) = codes.first() {
                f = f.with_aadsts(*code);
            }
            Outcome::failed(f.message.clone(), f)
        }
        407 => {
            let f = DiagnoseFinding::new(
                DiagnoseCode::ProxyFailed,
                Severity::Error,
                "The proxy asks for credentials (407 Proxy Authentication Required).".to_string(),
                "Put the proxy credentials in the proxy URL: HTTP_PROXY/HTTPS_PROXY=http://user:password@host:port (percent-encode special characters).",
            );
            Outcome::failed(f.message.clone(), f)
        }
        300..=399 => {
            let location = answer.location.clone().unwrap_or_default();
            let elsewhere = url::Url::parse(&location)
                .ok()
                .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
                .is_some_and(|h| h != host.to_ascii_lowercase() && !is_microsoft_host(&h));
            if elsewhere && subject == Subject::Authority {
                let f = DiagnoseFinding::new(
                    DiagnoseCode::HttpUnexpected,
                    Severity::Warning,
                    format!("{host} redirected the request to {location} (not followed): a proxy's sign-in page or a captive portal answers instead of the server."),
                    "Open the URL in a browser on this machine to see who answers; sign in to the network (captive portal), or ask the proxy's admins to let this machine through.",
                );
                Outcome::warning(f.message.clone(), f)
            } else {
                Outcome::passed(format!("{host} answered {status} in {ms} ms (a redirect, not followed): the server is reachable."))
            }
        }
        403 | 451 if is_html && !answer.entra_headers => {
            let title = html_title(&answer.body)
                .map(|t| format!(" “{t}”"))
                .unwrap_or_default();
            let f = DiagnoseFinding::new(
                DiagnoseCode::HttpUnexpected,
                Severity::Warning,
                format!("{host} answered {status} with an HTML page{title}: likely a proxy's or firewall's block page, not the server."),
                format!("Ask the network team to allow {host} (its category or URL is blocked by the web filter)."),
            );
            Outcome::warning(f.message.clone(), f)
        }
        _ => {
            let what = match (subject, status) {
                (_, 200..=299) => "",
                (Subject::Graph, 400 | 401 | 403 | 404) => {
                    " (expected without a token: the server is reachable)"
                }
                (Subject::Authority, 400..=499) => {
                    " (the server answered; the tenant check reads what it said)"
                }
                _ => " (the server answered)",
            };
            Outcome::passed(format!(
                "{host} answered {status}{aadsts_note} in {ms} ms{what}."
            ))
        }
    };
    out = out.detail("Status", status.to_string());
    if let Some(ct) = &answer.content_type {
        out = out.detail("Content type", ct.clone());
    }
    if let Some(l) = &answer.location {
        out = out.detail("Location", l.clone());
    }
    if !codes.is_empty() {
        out = out.detail(
            "AADSTS",
            codes
                .iter()
                .map(|c| format!("AADSTS{c}"))
                .collect::<Vec<_>>()
                .join(", "),
        );
    }
    out.detail("Time", format!("{ms} ms"))
}

fn failure_outcome(
    cx: &Context,
    host: &str,
    failure: RequestFailure,
    proxy: Option<&url::Url>,
) -> Outcome {
    let via = proxy
        .map(|p| format!(" through the proxy {}", proxy_label(p)))
        .unwrap_or_default();
    let secs = cx.timeout.as_secs_f32();
    let (status, code, message, fix) = match failure {
        RequestFailure::Timeout => (
            CheckStatus::TimedOut,
            DiagnoseCode::HttpNoAnswer,
            format!("No answer from {host}{via} within {secs:.0} s: the connection opened, then nothing came back."),
            "A proxy or firewall that holds connections open is the usual cause; check the proxy settings, or try again with a longer timeout.".to_string(),
        ),
        RequestFailure::Closed => (
            CheckStatus::Failed,
            DiagnoseCode::HttpConnectionClosed,
            format!("{host}{via} closed the connection without answering the request."),
            match proxy {
                Some(_) => "The proxy cut the connection: check its logs for this request (a URL filter or TLS inspection rule), or try without it (NO_PROXY) if the host is reachable directly.".to_string(),
                None => "A firewall or intrusion-prevention system that cuts connections after reading the request is the usual cause (or a server that crashed on it): check with the network team, and the server's logs.".to_string(),
            },
        ),
        RequestFailure::ProxyAuth => (
            CheckStatus::Failed,
            DiagnoseCode::ProxyFailed,
            format!("The proxy{} asks for credentials (407).", proxy.map(|p| format!(" {}", proxy_label(p))).unwrap_or_default()),
            "Put the proxy credentials in the proxy URL: HTTPS_PROXY=http://user:password@host:port (percent-encode special characters).".to_string(),
        ),
        RequestFailure::Proxy(why) => (
            CheckStatus::Failed,
            DiagnoseCode::ProxyFailed,
            format!("The proxy{} did not open a tunnel to {host}: {why}.", proxy.map(|p| format!(" {}", proxy_label(p))).unwrap_or_default()),
            format!("Ask the proxy's admins to allow HTTPS (CONNECT) to {host}:443."),
        ),
        RequestFailure::Refused => (
            CheckStatus::Failed,
            DiagnoseCode::TcpRefused,
            format!("{host}{via} refused the connection."),
            "The connection opened a moment ago in the TCP check: the server (or proxy) stopped listening, or a firewall now rejects it. Run the diagnosis again.".to_string(),
        ),
        RequestFailure::Tls(why) => (
            CheckStatus::Failed,
            DiagnoseCode::TlsHandshakeFailed,
            format!("TLS with {host}{via} failed in the HTTP client: {why}."),
            "See the TLS check; if it passed, the HTTP client and the TLS check trust different CAs here: report this to Entrance's developers.".to_string(),
        ),
        RequestFailure::Other(why) => (
            CheckStatus::Failed,
            DiagnoseCode::HttpUnexpected,
            format!("The request to {host}{via} failed: {why}."),
            "See the checks before this one; if they passed, run the diagnosis again.".to_string(),
        ),
    };
    Outcome {
        status,
        summary: message.clone(),
        details: Vec::new(),
        findings: vec![DiagnoseFinding::new(code, Severity::Error, message, fix)],
    }
}

/// The `Date` header as a time.
pub(super) fn parse_date(value: &str) -> Option<time::OffsetDateTime> {
    httpdate::parse_http_date(value.trim())
        .ok()
        .map(time::OffsetDateTime::from)
}

pub(super) async fn run(cx: &Context, subject: Subject) -> Outcome {
    let url = match subject {
        Subject::Authority => cx.authority.discovery_url(),
        Subject::Graph => match cx.url_of(Subject::Graph) {
            Some(u) => u.to_string(),
            None => return Outcome::skipped("Microsoft Graph's address is not known."),
        },
    };
    let parsed = match url::Url::parse(&url) {
        Ok(u) => u,
        Err(e) => return Outcome::skipped(format!("{url} is not a URL ({e}).")),
    };
    let host = match (parsed.host_str(), parsed.port()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_string(),
        _ => url.clone(),
    };
    let proxy = cx.proxy_for(&parsed);
    let client = match cx.http_client() {
        Ok(c) => c,
        Err(e) => {
            let f = DiagnoseFinding::new(
                DiagnoseCode::CaFileInvalid,
                Severity::Error,
                format!("The HTTP client could not be set up: {e}."),
                "See the environment check: the CA file must hold PEM certificates.",
            );
            return Outcome::failed(f.message.clone(), f);
        }
    };
    let t0 = Instant::now();
    // Bounded a little below the check's timeout, so a silent server is
    // reported here, with its name, rather than by the runner.
    let deadline = cx.timeout.mul_f64(0.9);
    let request = client
        .get(parsed.clone())
        .header(reqwest::header::ACCEPT, "application/json")
        .send();
    let response = match tokio::time::timeout(deadline, request).await {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => {
            return failure_outcome(cx, &host, classify_error(&e), proxy.as_ref())
                .detail("URL", url.clone())
        }
        Err(_) => {
            return failure_outcome(cx, &host, RequestFailure::Timeout, proxy.as_ref())
                .detail("URL", url.clone())
        }
    };
    let arrived = time::OffsetDateTime::now_utc();
    let ms = t0.elapsed().as_millis();
    let header = |name: reqwest::header::HeaderName| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let date_header = header(reqwest::header::DATE);
    let mut answer = Answer {
        status: response.status().as_u16(),
        content_type: header(reqwest::header::CONTENT_TYPE),
        location: header(reqwest::header::LOCATION),
        body: String::new(),
        entra_headers: response.headers().contains_key("x-ms-request-id")
            || response.headers().contains_key("x-ms-ests-server"),
    };
    let mut response = response;
    let left = deadline.saturating_sub(t0.elapsed());
    // A body cut short (or never finished) still tells the status; the
    // status decides.
    let body = match tokio::time::timeout(left, crate::http::read_prefix(&mut response, BODY_LIMIT))
        .await
    {
        Ok(Ok(body)) => body,
        _ => Vec::new(),
    };
    answer.body = String::from_utf8_lossy(&body).into_owned();

    if subject == Subject::Authority {
        cx.facts().server_date = date_header
            .as_deref()
            .and_then(parse_date)
            .map(|server| (server, arrived));
    }
    let mut out = judge(subject, &host, &answer, proxy.is_some(), ms).detail("URL", url);
    if let Some(d) = date_header {
        out = out.detail("Server date", d);
    }
    if let Some(p) = &proxy {
        out = out.detail("Through the proxy", proxy_label(p));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, ct: &str, body: &str) -> Answer {
        Answer {
            status,
            content_type: Some(ct.into()),
            location: None,
            body: body.into(),
            entra_headers: false,
        }
    }

    #[test]
    fn any_answer_from_the_server_passes() {
        let ok = judge(
            Subject::Authority,
            "login.microsoftonline.com",
            &answer(200, "application/json", "{}"),
            false,
            12,
        );
        assert_eq!(ok.status, CheckStatus::Passed);
        let entra_400 = judge(
            Subject::Authority,
            "login.microsoftonline.com",
            &answer(
                400,
                "application/json",
                r#"{"error":"invalid_tenant","error_description":"AADSTS90002: Tenant 'x' not found.","error_codes":[90002]}"#,
            ),
            false,
            12,
        );
        assert_eq!(entra_400.status, CheckStatus::Passed);
        assert!(
            entra_400.summary.contains("AADSTS90002"),
            "{}",
            entra_400.summary
        );
        assert!(
            entra_400.summary.contains("tenant check"),
            "{}",
            entra_400.summary
        );
        for status in [400, 401, 404] {
            let g = judge(
                Subject::Graph,
                "graph.microsoft.com",
                &answer(status, "application/json", "{}"),
                false,
                5,
            );
            assert_eq!(g.status, CheckStatus::Passed, "{status}");
            assert!(g.summary.contains("without a token"), "{}", g.summary);
        }
    }

    #[test]
    fn server_errors_fail_with_the_aadsts_code() {
        let o = judge(
            Subject::Authority,
            "login.microsoftonline.com",
            &answer(
                503,
                "application/json",
                r#"{"error":"temporarily_unavailable","error_description":"AADSTS90033: A transient error has occurred.","error_codes":[90033]}"#,
            ),
            false,
            7,
        );
        assert_eq!(o.status, CheckStatus::Failed);
        let f = &o.findings[0];
        assert_eq!(f.code, DiagnoseCode::HttpServerError);
        assert_eq!(f.aadsts, Some(90033));
        assert!(f.message.contains("503"), "{}", f.message);
        let via_proxy = judge(
            Subject::Authority,
            "login.microsoftonline.com",
            &answer(502, "text/html", "<html>"),
            true,
            7,
        );
        assert!(
            via_proxy.findings[0].fix.contains("proxy"),
            "{}",
            via_proxy.findings[0].fix
        );
    }

    #[test]
    fn block_pages_and_foreign_redirects_warn() {
        let o = judge(
            Subject::Authority,
            "login.microsoftonline.com",
            &answer(
                403,
                "text/html; charset=utf-8",
                "<html><head><title>Access Denied - Web Filter</title></head></html>",
            ),
            true,
            3,
        );
        assert_eq!(o.status, CheckStatus::Warning);
        assert!(
            o.findings[0].message.contains("Access Denied - Web Filter"),
            "{}",
            o.findings[0].message
        );
        let mut r = answer(302, "text/html", "");
        r.location = Some("http://portal.hotel.example/login".into());
        let o = judge(
            Subject::Authority,
            "login.microsoftonline.com",
            &r,
            false,
            3,
        );
        assert_eq!(o.status, CheckStatus::Warning);
        assert_eq!(o.findings[0].code, DiagnoseCode::HttpUnexpected);
        r.location = Some("https://developer.microsoft.com/graph".into());
        assert_eq!(
            judge(Subject::Graph, "graph.microsoft.com", &r, false, 3).status,
            CheckStatus::Passed
        );
    }

    #[test]
    fn request_errors_are_classified() {
        use std::io::ErrorKind as K;
        assert_eq!(
            classify_text(
                "error sending request: tunnel error: proxy authorization required",
                &[]
            ),
            RequestFailure::ProxyAuth
        );
        assert!(matches!(
            classify_text("tunnel error: unsuccessful", &[]),
            RequestFailure::Proxy(_)
        ));
        assert_eq!(
            classify_text(
                "error sending request: connection closed before message completed",
                &[]
            ),
            RequestFailure::Closed
        );
        assert_eq!(
            classify_text("error sending request", &[K::ConnectionReset]),
            RequestFailure::Closed
        );
        assert_eq!(
            classify_text("client error (Connect)", &[K::ConnectionRefused]),
            RequestFailure::Refused
        );
        assert_eq!(
            classify_text("operation timed out", &[]),
            RequestFailure::Timeout
        );
        assert!(matches!(
            classify_text("invalid peer certificate: UnknownIssuer", &[]),
            RequestFailure::Tls(_)
        ));
    }

    #[test]
    fn http_dates_parse() {
        let d = parse_date("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
        assert_eq!(d.unix_timestamp(), 784_111_777);
        assert!(parse_date("yesterday").is_none());
    }

    #[test]
    fn html_titles() {
        assert_eq!(
            html_title("<HTML><TITLE>\n Blocked \n page</TITLE>").as_deref(),
            Some("Blocked page")
        );
        assert_eq!(html_title("{}"), None);
    }
}
