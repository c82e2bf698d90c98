//! The pages the loopback listener answers the browser with: plain HTML, no
//! script, no remote resource, every value escaped.

use super::LoginFailure;

/// An HTTP answer of the listener.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Page {
    pub status: u16,
    pub reason: &'static str,
    pub body: String,
    pub allow_get_only: bool,
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn html(title: &str, body: &str) -> String {
    format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} — Entrance</title>
<style>
body {{ font-family: system-ui, sans-serif; background: #f4f5f7; margin: 0; color: #1f2328; }}
main {{ background: #fff; max-width: 560px; margin: 8vh auto; padding: 32px 40px; border-radius: 8px; box-shadow: 0 1px 4px rgba(0,0,0,.15); }}
h1 {{ font-size: 22px; margin: 0 0 12px; }}
.code {{ font-family: ui-monospace, monospace; background: #f0f0f0; padding: 2px 6px; border-radius: 4px; }}
.fix {{ border-left: 4px solid #0969da; padding-left: 12px; }}
.muted {{ color: #59636e; font-size: 13px; }}
</style>
</head>
<body>
<main>
{body}
</main>
</body>
</html>
"#,
        title = escape(title),
    )
}

/// The sign-in worked.
pub(crate) fn success(signed_in_as: Option<&str>) -> Page {
    let who = signed_in_as
        .map(|w| format!(" as <strong>{}</strong>", escape(w)))
        .unwrap_or_default();
    Page {
        status: 200,
        reason: "OK",
        body: html(
            "Signed in",
            &format!(
                r#"<h1 id="entrance-result" data-result="success">Signed in{who}</h1>
<p>Entrance received and verified the tokens. You can close this tab and go back to Entrance.</p>"#
            ),
        ),
        allow_get_only: false,
    }
}

/// The sign-in failed: what happened, why, and what to do.
pub(crate) fn failure(f: &LoginFailure) -> Page {
    let code = f
        .aadsts
        .map(|c| format!(r#"<p><span class="code" id="entrance-aadsts">AADSTS{c}</span></p>"#))
        .unwrap_or_default();
    let cause = f
        .cause
        .as_deref()
        .map(|c| format!("<p><strong>Why:</strong> {}</p>", escape(c)))
        .unwrap_or_default();
    let fix = f
        .fix
        .as_deref()
        .map(|c| format!(r#"<p class="fix"><strong>Fix:</strong> {}</p>"#, escape(c)))
        .unwrap_or_default();
    let redirect = f
        .redirect
        .as_ref()
        .map(|r| {
            format!(
                r#"<p>Redirect URI to register: <span class="code">{}</span><br><span class="muted">{}</span></p>"#,
                escape(&r.uri),
                escape(&r.portal)
            )
        })
        .unwrap_or_default();
    let trace = f
        .trace_id
        .as_deref()
        .map(|t| format!(r#"<p class="muted">Trace ID: {}</p>"#, escape(t)))
        .unwrap_or_default();
    Page {
        status: 200,
        reason: "OK",
        body: html(
            "Sign-in failed",
            &format!(
                r#"<h1 id="entrance-result" data-result="failure">Sign-in failed</h1>
{code}<p id="entrance-message">{}</p>
{cause}{fix}{redirect}{trace}<p class="muted">Entrance shows the same explanation. You can close this tab.</p>"#,
                escape(&f.message)
            ),
        ),
        allow_get_only: false,
    }
}

/// An answer to a request that is not this sign-in's callback.
pub(crate) fn refusal(status: u16, text: &str) -> Page {
    let reason = match status {
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        414 => "URI Too Long",
        431 => "Request Header Fields Too Large",
        _ => "Error",
    };
    Page {
        status,
        reason,
        body: html(reason, &format!("<h1>{reason}</h1><p>{}</p>", escape(text))),
        allow_get_only: status == 405,
    }
}

impl Page {
    /// The whole HTTP/1.1 response. The headers keep the page (whose URL
    /// carried a code) out of caches and referrers.
    pub(crate) fn to_http(&self) -> Vec<u8> {
        let mut head = format!(
            "HTTP/1.1 {} {}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nCache-Control: no-store\r\nPragma: no-cache\r\nReferrer-Policy: no-referrer\r\nX-Content-Type-Options: nosniff\r\nContent-Security-Policy: default-src 'none'; style-src 'unsafe-inline'\r\nConnection: close\r\n",
            self.status,
            self.reason,
            self.body.len()
        );
        if self.allow_get_only {
            head.push_str("Allow: GET\r\n");
        }
        head.push_str("\r\n");
        let mut out = head.into_bytes();
        out.extend_from_slice(self.body.as_bytes());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    #[test]
    fn failure_pages_escape_what_the_provider_sent() {
        let f = LoginFailure {
            code: ErrorCode::LoginRejected,
            aadsts: Some(50105),
            oauth_error: Some("access_denied".into()),
            message: "<script>alert(1)</script>".into(),
            cause: None,
            fix: Some("Assign \"Bob\"".into()),
            blade: None,
            cli: None,
            lookup_url: None,
            trace_id: None,
            correlation_id: None,
            timestamp: None,
            redirect: None,
        };
        let page = failure(&f);
        assert!(!page.body.contains("<script>"));
        assert!(page.body.contains("&lt;script&gt;"));
        assert!(page.body.contains("AADSTS50105"));
        let http = String::from_utf8(page.to_http()).unwrap();
        assert!(http.starts_with("HTTP/1.1 200 OK\r\n"));
        assert!(http.contains("Referrer-Policy: no-referrer"));
    }

    #[test]
    fn method_refusals_say_which_method_is_allowed() {
        let http = String::from_utf8(refusal(405, "GET only").to_http()).unwrap();
        assert!(http.starts_with("HTTP/1.1 405 Method Not Allowed\r\n"));
        assert!(http.contains("\r\nAllow: GET\r\n"));
    }
}
