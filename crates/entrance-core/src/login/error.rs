//! Every way a sign-in fails, typed by cause, each with what to do next.
//!
//! An OAuth error from the redirect (`error`, `error_description`) or from the
//! token endpoint (Entra's JSON) becomes [`LoginError::Rejected`]: the AADSTS
//! code, Entra's own message, and Entrance's cause and fix from the one
//! AADSTS catalog ([`crate::aadsts`], docs/entra.md#errors) — sharpened with what
//! this sign-in knows (the redirect URI sent, the client kind, the secret's
//! name) by [`super::explain`].

use std::time::Duration;

use serde::Serialize;

use crate::aadsts::{self, EntraError};
use crate::ErrorCode;

use super::RedirectAdvice;

/// The step of a sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Reading the provider's discovery document and keys.
    Discovery,
    /// The browser at the authorize endpoint (or the redirect back).
    Authorize,
    /// Redeeming a code, a device code, a refresh token or client credentials.
    Token,
    /// Asking for a device code.
    DeviceCode,
}

impl Phase {
    fn words(self) -> &'static str {
        match self {
            Phase::Discovery => "discovery",
            Phase::Authorize => "sign-in",
            Phase::Token => "token request",
            Phase::DeviceCode => "device code request",
        }
    }
}

/// The ID token checks of OpenID Connect Core 3.1.3.7.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum IdTokenCheck {
    /// The token could not be read as a signed JWT.
    Format,
    /// The signature does not verify with the provider's keys.
    Signature,
    /// `alg` is not one the provider announced.
    Algorithm,
    /// `iss` is not the provider's issuer (for Entra's `common` /
    /// `organizations` template: not the issuer of the token's `tid`).
    Issuer,
    /// `aud` does not contain the client ID.
    Audience,
    /// `exp` has passed (beyond the allowed clock skew).
    Expiry,
    /// `nbf` is in the future (beyond the skew).
    NotBefore,
    /// `iat` is in the future (beyond the skew).
    IssuedAt,
    /// `nonce` is missing or not the one sent.
    Nonce,
}

impl IdTokenCheck {
    fn words(self) -> &'static str {
        match self {
            IdTokenCheck::Format => "format",
            IdTokenCheck::Signature => "signature",
            IdTokenCheck::Algorithm => "algorithm",
            IdTokenCheck::Issuer => "issuer (iss)",
            IdTokenCheck::Audience => "audience (aud)",
            IdTokenCheck::Expiry => "expiry (exp)",
            IdTokenCheck::NotBefore => "not-before (nbf)",
            IdTokenCheck::IssuedAt => "issued-at (iat)",
            IdTokenCheck::Nonce => "nonce",
        }
    }
}

/// What Entrance adds to a provider's refusal: a fix for this sign-in, and
/// the redirect URI to register when the refusal is about one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rejection {
    /// A fix that names this sign-in's URI, platform or secret.
    pub fix: Option<String>,
    /// Which redirect URI to register and where.
    pub redirect: Option<RedirectAdvice>,
}

/// Why a sign-in failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoginError {
    /// The request cannot be made as given (authority, redirect URI, scope…).
    #[error("{field}: {reason}")]
    InvalidRequest {
        field: &'static str,
        reason: String,
        fix: String,
    },
    /// The provider refused: an OAuth error, with its AADSTS code for Entra.
    #[error("{}", rejected_message(*.phase, .entra))]
    Rejected {
        phase: Phase,
        entra: Box<EntraError>,
        context: Box<Rejection>,
    },
    /// The chosen port is taken.
    #[error("port {port} on the loopback interface is already in use")]
    PortInUse { port: u16 },
    /// The loopback listener could not start for another reason.
    #[error("cannot listen on {addr}: {detail}")]
    Listener { addr: String, detail: String },
    /// Nothing came back in time.
    #[error("no answer within {} seconds while waiting for the {}", .waited.as_secs(), .phase.words())]
    Timeout { waited: Duration, phase: Phase },
    /// The admin (or the app) cancelled.
    #[error("the sign-in was cancelled")]
    Cancelled,
    /// The provider could not be reached.
    #[error("cannot reach {url}: {detail}")]
    Network { url: String, detail: String },
    /// TLS with the provider failed (certificate, handshake).
    #[error("TLS with {url} failed: {detail}")]
    Tls { url: String, detail: String },
    /// The discovery document or the key set is unusable.
    #[error("{url}: {detail}")]
    Discovery { url: String, detail: String },
    /// The ID token failed a check of OpenID Connect Core 3.1.3.7.
    #[error("the ID token failed the {} check: {detail}", .check.words())]
    InvalidIdToken { check: IdTokenCheck, detail: String },
    /// The provider's answer breaks the protocol (a callback without a code,
    /// a mix-up `iss`, a token response that cannot be read).
    #[error("{detail}")]
    Protocol { detail: String },
}

fn rejected_message(phase: Phase, entra: &EntraError) -> String {
    let what = match (entra.aadsts, entra.message()) {
        (Some(code), Some(message)) => format!("AADSTS{code}: {message}"),
        (Some(code), None) => match aadsts::lookup(code) {
            Some(e) => format!("AADSTS{code}: {}", e.title),
            None => format!("AADSTS{code}"),
        },
        (None, Some(message)) => match &entra.error {
            Some(error) => format!("{error}: {message}"),
            None => message,
        },
        (None, None) => entra.error.clone().unwrap_or_else(|| "an error".into()),
    };
    format!(
        "the identity provider refused the {}: {what}",
        phase.words()
    )
}

fn id_token_cause(check: IdTokenCheck) -> &'static str {
    match check {
        IdTokenCheck::Expiry | IdTokenCheck::NotBefore | IdTokenCheck::IssuedAt => {
            "This machine's clock and the provider's disagree by more than the allowed skew."
        }
        IdTokenCheck::Signature => {
            "The token was not signed by a key the provider publishes (a wrong authority, another cloud, or a tampered token)."
        }
        IdTokenCheck::Issuer => {
            "The token comes from another tenant or provider than the authority names."
        }
        IdTokenCheck::Audience => "The token was issued to another client ID.",
        IdTokenCheck::Nonce => {
            "The answer does not belong to this sign-in (a replayed or mixed-up response)."
        }
        IdTokenCheck::Format | IdTokenCheck::Algorithm => {
            "The provider's token is not what OpenID Connect requires."
        }
    }
}

impl LoginError {
    /// The stable code.
    pub fn code(&self) -> ErrorCode {
        match self {
            LoginError::InvalidRequest { .. } => ErrorCode::InputInvalid,
            LoginError::Rejected { .. } => ErrorCode::LoginRejected,
            LoginError::PortInUse { .. } => ErrorCode::LoginPortInUse,
            LoginError::Listener { .. } => ErrorCode::LoginListener,
            LoginError::Timeout { .. } => ErrorCode::LoginTimeout,
            LoginError::Cancelled => ErrorCode::LoginCancelled,
            LoginError::Network { .. } => ErrorCode::LoginNetwork,
            LoginError::Tls { .. } => ErrorCode::LoginTls,
            LoginError::Discovery { .. } => ErrorCode::LoginDiscovery,
            LoginError::InvalidIdToken { .. } => ErrorCode::LoginTokenInvalid,
            LoginError::Protocol { .. } => ErrorCode::LoginProtocol,
        }
    }

    /// The AADSTS code, when the provider sent one.
    pub fn aadsts(&self) -> Option<u32> {
        match self {
            LoginError::Rejected { entra, .. } => entra.aadsts,
            _ => None,
        }
    }

    /// The provider's OAuth `error` (`invalid_client`…), when it sent one.
    pub fn oauth_error(&self) -> Option<&str> {
        match self {
            LoginError::Rejected { entra, .. } => entra.error.as_deref(),
            _ => None,
        }
    }

    /// Why it usually happens (the AADSTS catalog's cause).
    pub fn cause(&self) -> Option<String> {
        match self {
            LoginError::Rejected { entra, .. } => entra
                .aadsts
                .and_then(aadsts::lookup)
                .map(|e| e.cause.to_string()),
            LoginError::InvalidIdToken { check, .. } => Some(id_token_cause(*check).into()),
            _ => None,
        }
    }

    /// What to do next.
    pub fn fix(&self) -> Option<String> {
        Some(match self {
            LoginError::InvalidRequest { fix, .. } => fix.clone(),
            LoginError::Rejected { entra, context, .. } => {
                let catalog = entra.aadsts.and_then(aadsts::lookup);
                match (&context.fix, catalog) {
                    (Some(own), _) => own.clone(),
                    (None, Some(e)) => e.fix.to_string(),
                    (None, None) => match entra.aadsts {
                        Some(code) => format!(
                            "AADSTS{code} is not in Entrance's catalog; Entra's page says more: {}",
                            aadsts::lookup_url(code)
                        ),
                        None => "Read the provider's message above; check the client's registration at the provider.".into(),
                    },
                }
            }
            LoginError::PortInUse { .. } => "Pick another port (CLI: --port), or let the system pick a free one. Entra ignores the port of a localhost redirect URI (docs/entra.md#redirect-uris), so the same registration works on any port.".into(),
            LoginError::Listener { .. } => "Check that the loopback interface (127.0.0.1) is up and that no security software blocks local listening sockets.".into(),
            LoginError::Timeout { phase: Phase::Authorize, .. } => "Finish signing in within the time limit (CLI: --timeout), in a browser on this machine: open the URL Entrance printed if no browser opened. If the browser shows an Entra error page, run `entrance explain` with its AADSTS code.".into(),
            LoginError::Timeout { .. } => "Try again; if it keeps timing out, check the network path to the provider (proxy, firewall).".into(),
            LoginError::Cancelled => "Start the sign-in again when ready.".into(),
            LoginError::Network { .. } => "Check this machine's network, DNS, proxy (HTTPS_PROXY) and firewall towards the provider, and that the authority's host name is right.".into(),
            LoginError::Tls { .. } => "Check this machine's clock and the host name. Behind a TLS-inspecting proxy, trust the proxy's CA certificate.".into(),
            LoginError::Discovery { .. } => "Check the authority: for Entra ID https://login.microsoftonline.com/{tenant}/v2.0 (the tenant ID or a verified domain; another host in the national clouds), for another provider its issuer URL.".into(),
            LoginError::InvalidIdToken { check, .. } => match check {
                IdTokenCheck::Expiry | IdTokenCheck::NotBefore | IdTokenCheck::IssuedAt => "Set this machine's clock right (enable NTP), then sign in again.".into(),
                IdTokenCheck::Issuer => "Use the authority of the tenant the user belongs to, or `organizations` for a multi-tenant app.".into(),
                IdTokenCheck::Audience => "Check the client ID: it must be the Application (client) ID the token was issued to.".into(),
                IdTokenCheck::Nonce => "Sign in again from a fresh start; never reuse a sign-in URL or an old browser tab.".into(),
                _ => "Check the authority (tenant, cloud) and try again; if it persists the provider's tokens are not standard OpenID Connect.".into(),
            },
            LoginError::Protocol { .. } => "Try again. If it persists, the provider's answer is not standard OAuth 2.0 / OpenID Connect; check its logs.".into(),
        })
    }

    /// The failure as it leaves Rust: the app's progress channel, `--json`.
    pub fn report(&self) -> LoginFailure {
        let (entra, redirect, blade) = match self {
            LoginError::Rejected { entra, context, .. } => (
                Some((**entra).clone()),
                context.redirect.clone(),
                entra
                    .aadsts
                    .and_then(aadsts::lookup)
                    .and_then(|e| e.blade.label())
                    .map(str::to_string),
            ),
            _ => (None, None, None),
        };
        LoginFailure {
            code: self.code(),
            aadsts: self.aadsts(),
            oauth_error: self.oauth_error().map(str::to_string),
            message: self.to_string(),
            cause: self.cause(),
            fix: self.fix(),
            blade,
            cli: self
                .aadsts()
                .and_then(aadsts::lookup)
                .map(|e| e.cli)
                .filter(|c| !c.starts_with('('))
                .map(str::to_string),
            lookup_url: self.aadsts().map(aadsts::lookup_url),
            trace_id: entra.as_ref().and_then(|e| e.trace_id.clone()),
            correlation_id: entra.as_ref().and_then(|e| e.correlation_id.clone()),
            timestamp: entra.as_ref().and_then(|e| e.timestamp.clone()),
            redirect,
        }
    }
}

impl From<LoginError> for crate::Error {
    fn from(error: LoginError) -> Self {
        crate::Error::Login(Box::new(error))
    }
}

/// A failed sign-in, explained: what the CLI prints under `--json` as
/// `error` and the app shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct LoginFailure {
    pub code: ErrorCode,
    /// The AADSTS code, when Entra sent one.
    pub aadsts: Option<u32>,
    /// The OAuth `error` (`invalid_client`, `access_denied`…).
    pub oauth_error: Option<String>,
    /// What happened, with the provider's own message.
    pub message: String,
    /// Why it usually happens.
    pub cause: Option<String>,
    /// What to do.
    pub fix: Option<String>,
    /// Where in the portal the fix is made.
    pub blade: Option<String>,
    /// The same fix with the Azure CLI or Microsoft Graph, when there is one.
    pub cli: Option<String>,
    /// Entra's page for the code.
    pub lookup_url: Option<String>,
    /// Entra's trace ID (give it to Microsoft support or search the sign-in logs).
    pub trace_id: Option<String>,
    pub correlation_id: Option<String>,
    pub timestamp: Option<String>,
    /// The redirect URI to register, when the failure is about one.
    pub redirect: Option<RedirectAdvice>,
}
