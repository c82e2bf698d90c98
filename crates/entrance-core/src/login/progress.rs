//! Sign-in progress as typed events: the app streams them over a Tauri
//! channel, the CLI prints them. No event carries a token or a secret.

use serde::Serialize;

use super::{LoginFailure, RedirectAdvice};

/// One step of a sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(tag = "event", rename_all = "snake_case")]
#[non_exhaustive]
pub enum LoginProgress {
    /// The first event of a browser sign-in: the URL to open (show it with a
    /// copy button: it also works when no browser opens), where Entrance
    /// listens, and which redirect URI must be registered.
    WaitingForBrowser {
        url: String,
        redirect_uri: String,
        listening_on: Vec<String>,
        advice: RedirectAdvice,
        timeout_secs: u32,
    },
    /// The browser was started with the URL.
    BrowserOpened { command: String },
    /// No browser could be started; the admin opens the URL themselves. The
    /// sign-in goes on.
    BrowserNotOpened {
        command: Option<String>,
        reason: String,
    },
    /// A request reached the listener that is not this sign-in's callback
    /// (a favicon, a stale tab): answered and ignored.
    RequestIgnored { reason: String },
    /// The browser came back with this sign-in's `state`.
    CallbackReceived,
    /// Device code flow: show the code and where to enter it.
    DeviceCode {
        user_code: String,
        verification_uri: String,
        message: Option<String>,
        expires_in_secs: u32,
    },
    /// Redeeming at the token endpoint.
    Exchanging { token_endpoint: String },
    /// Checking the ID token (OpenID Connect Core 3.1.3.7).
    Verifying,
    /// Done; the summary is ready.
    Done { signed_in_as: Option<String> },
    /// Failed; the error explained.
    Failed { error: Box<LoginFailure> },
}

/// Awaits one grant and, when it fails, reports the failure as the last
/// progress event — the same ending for every grant.
pub(crate) async fn ending_with_failure<T>(
    progress: &(dyn Fn(LoginProgress) + Send + Sync),
    grant: impl std::future::Future<Output = Result<T, super::LoginError>>,
) -> Result<T, super::LoginError> {
    let result = grant.await;
    if let Err(e) = &result {
        progress(LoginProgress::Failed {
            error: Box::new(e.report()),
        });
    }
    result
}
