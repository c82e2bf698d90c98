//! Asking Entra about the authorize request before the browser opens.
//!
//! Some refusals never reach the redirect URI: a redirect URI mismatch
//! (50011), an unknown app (700016), an unknown tenant (90002) and others are
//! shown on Entra's own error page (docs/entra.md#errors), where Entrance's
//! listener would wait in vain. One GET of the authorize URL — no cookies, no
//! redirects followed — shows them: an error page names its AADSTS code; a
//! redirect to Entrance's own URI carries `error=`. A sign-in page means
//! "go on". Only for Entra: another provider's authorize endpoint may keep
//! state for a GET.

use url::Url;

use super::explain::Attempt;
use super::http::{read_limited, Http};
use super::{LoginError, Phase};
use crate::aadsts::{self, EntraError};

/// The most of an authorize page read.
pub(crate) const MAX_PAGE_BYTES: usize = 512 * 1024;

/// What Entra answered a GET of an authorize URL (no cookies, no redirect
/// followed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum AuthorizeAnswer {
    /// A page without an AADSTS code: its sign-in page, so the request
    /// (client ID, redirect URI, scope) was accepted.
    SignIn,
    /// A redirect that is not a refusal sent to the redirect URI (a
    /// federated sign-in page, a code when a session exists).
    Redirect { location: String },
    /// A refusal: Entra's own error page naming its AADSTS code, or `error=`
    /// on a redirect to the redirect URI (docs/entra.md#errors).
    Refused(EntraError),
}

/// Reads an authorize answer: the status, its `Location` (for a redirect)
/// and the page (for anything else, at most [`MAX_PAGE_BYTES`]).
pub(crate) fn read_answer(
    status: u16,
    location: Option<&str>,
    page: &str,
    redirect_uri: &str,
) -> AuthorizeAnswer {
    if (300..400).contains(&status) {
        let location = location.unwrap_or_default();
        if location.starts_with(redirect_uri) {
            if let Ok(entra) = EntraError::parse(location) {
                if entra.error.is_some() {
                    return AuthorizeAnswer::Refused(entra);
                }
            }
        }
        return AuthorizeAnswer::Redirect {
            location: location.to_string(),
        };
    }
    let Some(found) = aadsts::find_codes(page).into_iter().next() else {
        return AuthorizeAnswer::SignIn;
    };
    let message = message_after(page, found.code);
    AuthorizeAnswer::Refused(EntraError {
        error: None,
        aadsts: Some(found.code),
        description: message.map(|m| format!("AADSTS{}: {m}", found.code)),
        trace_id: line_value(page, "Trace ID:"),
        correlation_id: line_value(page, "Correlation ID:"),
        timestamp: None,
        error_uri: None,
    })
}

/// Fails with the refusal Entra shows for `url`, if any. Problems reaching
/// the page are left to the browser (a proxy may let it through).
pub(crate) async fn check(
    http: &Http,
    url: &Url,
    redirect_uri: &str,
    attempt: &Attempt<'_>,
) -> Result<(), LoginError> {
    let Ok(response) = http.client.inner().get(url.clone()).send().await else {
        return Ok(());
    };
    let status = response.status().as_u16();
    let location = response
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let page = if response.status().is_redirection() {
        String::new()
    } else {
        let Ok(body) = read_limited(response, MAX_PAGE_BYTES, url.as_str()).await else {
            return Ok(());
        };
        String::from_utf8_lossy(&body).into_owned()
    };
    match read_answer(status, location.as_deref(), &page, redirect_uri) {
        AuthorizeAnswer::Refused(entra) => Err(attempt.rejected(Phase::Authorize, entra)),
        AuthorizeAnswer::SignIn | AuthorizeAnswer::Redirect { .. } => Ok(()),
    }
}

/// The text after `AADSTS{code}` on an error page: `AADSTS50011: The redirect URI…`.
fn message_after(page: &str, code: u32) -> Option<String> {
    let marker = format!("AADSTS{code}");
    let start = page.find(&marker)? + marker.len();
    let rest = &page[start..];
    let rest = rest.strip_prefix("</span>").unwrap_or(rest);
    let rest = rest.trim_start_matches([':', ' ']);
    let text: String = rest
        .chars()
        .take_while(|c| !matches!(c, '<' | '"' | '\n' | '\r'))
        .take(600)
        .collect();
    let text = unescape(text.trim());
    (!text.is_empty()).then_some(text)
}

fn line_value(page: &str, label: &str) -> Option<String> {
    let start = page.find(label)? + label.len();
    let value: String = page[start..]
        .trim_start()
        .chars()
        .take_while(|c| c.is_ascii_hexdigit() || *c == '-')
        .collect();
    (!value.is_empty()).then_some(value)
}

fn unescape(s: &str) -> String {
    s.replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_read_as_sign_in_refusal_or_redirect() {
        let uri = "http://localhost:1/cb";
        let page = r#"<p id="error"><span id="error-code">AADSTS50011</span>: The redirect URI &#39;x&#39; does not match.</p>"#;
        match read_answer(200, None, page, uri) {
            AuthorizeAnswer::Refused(e) => assert_eq!(e.aadsts, Some(50011)),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            read_answer(200, None, "<form>Sign in</form>", uri),
            AuthorizeAnswer::SignIn
        );
        let refused =
            "http://localhost:1/cb?error=invalid_request&error_description=AADSTS90014%3A+missing";
        match read_answer(302, Some(refused), "", uri) {
            AuthorizeAnswer::Refused(e) => {
                assert_eq!(e.error.as_deref(), Some("invalid_request"));
                assert_eq!(e.aadsts, Some(90014));
            }
            other => panic!("{other:?}"),
        }
        // An error parameter on someone else's URL is not a refusal of this request.
        let elsewhere = "https://idp.example.com/login?error=x";
        assert_eq!(
            read_answer(302, Some(elsewhere), "", uri),
            AuthorizeAnswer::Redirect {
                location: elsewhere.into()
            }
        );
    }

    #[test]
    fn the_message_and_trace_are_read_from_an_error_page() {
        let page = r#"<p id="error"><span id="error-code">AADSTS50011</span>: The redirect URI &#39;http://localhost:1/x&#39; does not match.<br><span class="trace">Trace ID: 0c1d2e3f-0000-4000-8000-000000000001</span>"#;
        assert_eq!(
            message_after(page, 50011).as_deref(),
            Some("The redirect URI 'http://localhost:1/x' does not match.")
        );
        assert_eq!(
            line_value(page, "Trace ID:").as_deref(),
            Some("0c1d2e3f-0000-4000-8000-000000000001")
        );
    }
}
