//! The one error type of Entrance.
//!
//! [`Error`] is typed by cause inside Rust. Where it leaves Rust — across IPC to
//! the UI, or as `--json` from the CLI — it becomes an [`IpcError`]: a stable
//! [`ErrorCode`], a human message and, where there is one, the fix. The UI and
//! the CLI map codes to their own wording; the code strings never change
//! meaning once released.

use serde::{Deserialize, Serialize};

/// Result with Entrance's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Stable, machine-readable error codes. Serialized as dotted lowercase strings
/// (`"input.invalid"`); the TypeScript bindings turn this into a string union,
/// so the UI's code-to-text table fails to compile when a code is added here
/// without text there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type)]
#[non_exhaustive]
pub enum ErrorCode {
    /// A bug in Entrance: something that should not happen did.
    #[serde(rename = "internal")]
    Internal,
    /// What the admin typed or pasted cannot be used; the message says which
    /// field and why.
    #[serde(rename = "input.invalid")]
    InputInvalid,
    /// The feature exists in the interface but is not part of this build.
    #[serde(rename = "not_built")]
    NotBuilt,
    /// Reading or writing a local file failed.
    #[serde(rename = "io")]
    Io,
    /// Linux: no D-Bus session bus, so no keychain.
    #[serde(rename = "keychain.no_session_bus")]
    KeychainNoSessionBus,
    /// Linux: no Secret Service (gnome-keyring, KWallet) on the session bus.
    #[serde(rename = "keychain.no_secret_service")]
    KeychainNoSecretService,
    /// The keychain has no default keyring yet.
    #[serde(rename = "keychain.no_keyring")]
    KeychainNoKeyring,
    /// The keychain is locked.
    #[serde(rename = "keychain.locked")]
    KeychainLocked,
    /// The keychain refused for another reason.
    #[serde(rename = "keychain.unavailable")]
    KeychainUnavailable,
    /// No secret is saved under that name.
    #[serde(rename = "secret.not_found")]
    SecretNotFound,
    /// The value looks like a mistake (e.g. the Secret ID instead of the
    /// Value); not stored unless the admin confirms.
    #[serde(rename = "secret.suspicious_value")]
    SecretSuspiciousValue,
    /// The admin did not confirm, in the system's own dialog, that a saved
    /// secret's value may be shown or copied.
    #[serde(rename = "secret.reveal_declined")]
    SecretRevealDeclined,
    /// The identity provider refused the sign-in or token request (an OAuth
    /// error; for Entra an AADSTS code with Entrance's cause and fix).
    #[serde(rename = "login.rejected")]
    LoginRejected,
    /// The loopback port chosen for the redirect is taken by another program.
    #[serde(rename = "login.port_in_use")]
    LoginPortInUse,
    /// The loopback listener for the redirect could not start.
    #[serde(rename = "login.listener")]
    LoginListener,
    /// Nothing came back from the browser or the provider in time.
    #[serde(rename = "login.timeout")]
    LoginTimeout,
    /// The sign-in was cancelled.
    #[serde(rename = "login.cancelled")]
    LoginCancelled,
    /// The identity provider could not be reached (DNS, refused, proxy).
    #[serde(rename = "login.network")]
    LoginNetwork,
    /// TLS with the identity provider failed (certificate, handshake).
    #[serde(rename = "login.tls")]
    LoginTls,
    /// The provider's discovery document or signing keys are unusable.
    #[serde(rename = "login.discovery")]
    LoginDiscovery,
    /// The ID token failed verification (OpenID Connect Core 3.1.3.7).
    #[serde(rename = "login.token_invalid")]
    LoginTokenInvalid,
    /// The provider's answer breaks the OAuth / OpenID Connect protocol.
    #[serde(rename = "login.protocol")]
    LoginProtocol,
    /// Microsoft Graph refused to list groups: the token lacks
    /// GroupMember.Read.All (delegated, admin consent).
    #[serde(rename = "graph.forbidden")]
    GraphForbidden,
    /// Microsoft Graph did not accept the token (not a Graph token, expired).
    #[serde(rename = "graph.unauthorized")]
    GraphUnauthorized,
    /// Microsoft Graph could not be reached or answered with another error.
    #[serde(rename = "graph.failed")]
    GraphFailed,
    /// The Microsoft Graph token lacks a permission the action needs; the
    /// message names it.
    #[serde(rename = "graph.permission_missing")]
    GraphPermissionMissing,
    /// The saved setup profiles file cannot be read; it was not overwritten.
    #[serde(rename = "profiles.corrupt")]
    ProfilesCorrupt,
}

impl ErrorCode {
    /// Every code, for tables and tests that walk them.
    pub const ALL: &'static [ErrorCode] = &[
        ErrorCode::Internal,
        ErrorCode::InputInvalid,
        ErrorCode::NotBuilt,
        ErrorCode::Io,
        ErrorCode::KeychainNoSessionBus,
        ErrorCode::KeychainNoSecretService,
        ErrorCode::KeychainNoKeyring,
        ErrorCode::KeychainLocked,
        ErrorCode::KeychainUnavailable,
        ErrorCode::SecretNotFound,
        ErrorCode::SecretSuspiciousValue,
        ErrorCode::SecretRevealDeclined,
        ErrorCode::LoginRejected,
        ErrorCode::LoginPortInUse,
        ErrorCode::LoginListener,
        ErrorCode::LoginTimeout,
        ErrorCode::LoginCancelled,
        ErrorCode::LoginNetwork,
        ErrorCode::LoginTls,
        ErrorCode::LoginDiscovery,
        ErrorCode::LoginTokenInvalid,
        ErrorCode::LoginProtocol,
        ErrorCode::GraphForbidden,
        ErrorCode::GraphUnauthorized,
        ErrorCode::GraphFailed,
        ErrorCode::GraphPermissionMissing,
        ErrorCode::ProfilesCorrupt,
    ];

    /// The code as it appears on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Internal => "internal",
            ErrorCode::InputInvalid => "input.invalid",
            ErrorCode::NotBuilt => "not_built",
            ErrorCode::Io => "io",
            ErrorCode::KeychainNoSessionBus => "keychain.no_session_bus",
            ErrorCode::KeychainNoSecretService => "keychain.no_secret_service",
            ErrorCode::KeychainNoKeyring => "keychain.no_keyring",
            ErrorCode::KeychainLocked => "keychain.locked",
            ErrorCode::KeychainUnavailable => "keychain.unavailable",
            ErrorCode::SecretNotFound => "secret.not_found",
            ErrorCode::SecretSuspiciousValue => "secret.suspicious_value",
            ErrorCode::SecretRevealDeclined => "secret.reveal_declined",
            ErrorCode::LoginRejected => "login.rejected",
            ErrorCode::LoginPortInUse => "login.port_in_use",
            ErrorCode::LoginListener => "login.listener",
            ErrorCode::LoginTimeout => "login.timeout",
            ErrorCode::LoginCancelled => "login.cancelled",
            ErrorCode::LoginNetwork => "login.network",
            ErrorCode::LoginTls => "login.tls",
            ErrorCode::LoginDiscovery => "login.discovery",
            ErrorCode::LoginTokenInvalid => "login.token_invalid",
            ErrorCode::LoginProtocol => "login.protocol",
            ErrorCode::GraphForbidden => "graph.forbidden",
            ErrorCode::GraphUnauthorized => "graph.unauthorized",
            ErrorCode::GraphFailed => "graph.failed",
            ErrorCode::GraphPermissionMissing => "graph.permission_missing",
            ErrorCode::ProfilesCorrupt => "profiles.corrupt",
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Everything that can go wrong in Entrance, typed by cause.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Input that cannot be used. `field` names what the admin filled in.
    #[error("{field}: {reason}")]
    InvalidInput {
        field: String,
        reason: String,
        fix: Option<String>,
    },
    /// A feature that is not part of this build.
    #[error("{feature} is not available in this build of Entrance yet")]
    NotBuilt { feature: String },
    /// A local file could not be read or written.
    #[error("{action} {path}: {source}")]
    Io {
        action: &'static str,
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// The OS keychain could not be used. Never falls back to plaintext.
    #[error("{}", problem.summary())]
    Keychain {
        problem: crate::secrets::KeychainProblem,
        /// The platform's own message, for the expert.
        detail: String,
    },
    /// No secret is saved under that name.
    #[error("no secret named {name} is saved")]
    SecretNotFound { name: String },
    /// The value looks like a copy mistake; nothing was stored.
    #[error("{}", warnings.first().map(|w| w.message.as_str()).unwrap_or("The secret is empty."))]
    SuspiciousSecret {
        warnings: Vec<crate::secrets::SecretWarning>,
    },
    /// Showing or copying a saved secret was not confirmed in the system's
    /// own dialog (which a script in the window cannot answer).
    #[error("the secret {name} was not revealed: it was not confirmed")]
    RevealDeclined { name: String },
    /// A sign-in or token request failed (`login` module).
    #[error("{0}")]
    Login(Box<crate::login::LoginError>),
    /// Overage resolution through Microsoft Graph failed (`groups` module).
    #[error("{0}")]
    Groups(crate::groups::GroupsError),
    /// The setup profiles file cannot be read (`profiles` module). It is
    /// left as it is; `copy` is a copy of it.
    #[error("the saved setup profiles in {path} cannot be read: {detail}")]
    ProfilesCorrupt {
        path: String,
        copy: String,
        detail: String,
    },
    /// Microsoft Graph refused or failed a request other than group
    /// resolution (e.g. reading an app registration's secrets).
    #[error("Microsoft Graph could not {action} (HTTP {status}): {detail}")]
    Graph {
        action: String,
        status: u16,
        detail: String,
        fix: Option<String>,
    },
    /// The Microsoft Graph token lacks a permission an action needs: read
    /// from the token's `scp`/`roles` before asking, or inferred after a 403
    /// (Graph does not name it, docs/graph.md#permission-errors).
    #[error("the Microsoft Graph token lacks {permission} ({kind}), which is needed to {action}{}", detail.as_deref().map(|d| format!(": {d}")).unwrap_or_default())]
    GraphPermissionMissing {
        /// The least-privileged permission that would do (`Application.ReadWrite.All`).
        permission: String,
        /// What Entrance was about to do.
        action: String,
        /// `delegated` (a user's token, `scp`) or `application` (app-only, `roles`).
        kind: String,
        /// What Graph said, when it refused.
        detail: Option<String>,
    },
    /// Microsoft Graph refused because the tenant lacks a licence the data
    /// needs: sign-in logs need Microsoft Entra ID P1 or P2
    /// (docs/graph.md#sign-in-logs-licence).
    #[error("Microsoft Graph could not {action}: the tenant has no {licence} licence ({detail})")]
    GraphLicenceMissing {
        /// The licence (`Microsoft Entra ID P1 or P2`).
        licence: String,
        /// What Entrance was about to do.
        action: String,
        /// What Graph said.
        detail: String,
    },
    /// A bug: an invariant did not hold.
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    /// The stable code of this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::InvalidInput { .. } => ErrorCode::InputInvalid,
            Error::NotBuilt { .. } => ErrorCode::NotBuilt,
            Error::Io { .. } => ErrorCode::Io,
            Error::Keychain { problem, .. } => match problem {
                crate::secrets::KeychainProblem::NoSessionBus => ErrorCode::KeychainNoSessionBus,
                crate::secrets::KeychainProblem::NoSecretService => {
                    ErrorCode::KeychainNoSecretService
                }
                crate::secrets::KeychainProblem::NoKeyring => ErrorCode::KeychainNoKeyring,
                crate::secrets::KeychainProblem::Locked => ErrorCode::KeychainLocked,
                _ => ErrorCode::KeychainUnavailable,
            },
            Error::SecretNotFound { .. } => ErrorCode::SecretNotFound,
            Error::SuspiciousSecret { .. } => ErrorCode::SecretSuspiciousValue,
            Error::RevealDeclined { .. } => ErrorCode::SecretRevealDeclined,
            Error::Login(e) => e.code(),
            Error::Groups(e) => match e {
                crate::groups::GroupsError::Forbidden { .. } => ErrorCode::GraphForbidden,
                crate::groups::GroupsError::Unauthorized { .. } => ErrorCode::GraphUnauthorized,
                _ => ErrorCode::GraphFailed,
            },
            Error::ProfilesCorrupt { .. } => ErrorCode::ProfilesCorrupt,
            Error::Graph { status: 403, .. } => ErrorCode::GraphForbidden,
            Error::Graph { status: 401, .. } => ErrorCode::GraphUnauthorized,
            Error::Graph { .. } => ErrorCode::GraphFailed,
            Error::GraphPermissionMissing { .. } => ErrorCode::GraphPermissionMissing,
            Error::GraphLicenceMissing { .. } => ErrorCode::GraphForbidden,
            Error::Internal(_) => ErrorCode::Internal,
        }
    }

    /// What the admin can do about it, when Entrance knows.
    pub fn fix(&self) -> Option<String> {
        match self {
            Error::InvalidInput { fix, .. } => fix.clone(),
            Error::NotBuilt { .. } => None,
            Error::Io { .. } => {
                Some("Check that the file exists and that Entrance may read and write it.".into())
            }
            Error::Keychain { problem, .. } => Some(problem.fix().into()),
            Error::SecretNotFound { name } => Some(format!(
                "Save it first: `entrance secret set {name}` (the value is read from standard input), or pick it in Entrance's secret field."
            )),
            Error::SuspiciousSecret { warnings } => Some(
                warnings
                    .first()
                    .map(|w| w.fix.clone())
                    .unwrap_or_else(|| "Paste the client secret's Value.".into()),
            ),
            Error::RevealDeclined { .. } => Some(
                "Click Reveal or Copy again and choose Reveal in the confirmation that opens.".into(),
            ),
            Error::Login(e) => e.fix(),
            Error::Groups(e) => e.fix(),
            Error::ProfilesCorrupt { path, copy, .. } => Some(format!(
                "Entrance left {path} untouched and kept a copy in {copy}. Repair the file, or move it aside (Setup → \"Start over\") to begin with no profiles."
            )),
            Error::Graph { fix, .. } => fix.clone(),
            Error::GraphPermissionMissing { permission, kind, .. } => Some(if kind == "application" {
                format!("In App registrations → the app that gets this token → API permissions: Add a permission → Microsoft Graph → Application permissions → {permission}, then \"Grant admin consent for <tenant>\" (a Privileged Role Administrator can). Get a new token afterwards.")
            } else {
                format!("In App registrations → the app that signs you in → API permissions: Add a permission → Microsoft Graph → Delegated permissions → {permission}, then \"Grant admin consent for <tenant>\", and sign in again. A delegated change also needs your directory role to allow it (Application Administrator or Cloud Application Administrator). An Azure CLI token carries only what the Azure CLI is pre-authorized for: use a token from an app you control (--graph-token-env).")
            }),
            Error::GraphLicenceMissing { licence, .. } => Some(format!(
                "Sign-in logs through Microsoft Graph need a {licence} licence in the tenant (Microsoft Entra admin center → Billing → Licenses). Without it, read them in the portal: Enterprise applications → the app → Sign-in logs (last 7 days)."
            )),
            Error::Internal(_) => Some(
                "This is a bug in Entrance. Please report it with the exported diagnosis.".into(),
            ),
        }
    }

    /// The form that crosses IPC and is printed by `--json`.
    pub fn to_ipc(&self) -> IpcError {
        IpcError {
            code: self.code(),
            message: self.to_string(),
            fix: self.fix(),
        }
    }
}

/// The one error shape that leaves Rust: to the UI over IPC, and in the CLI's
/// `--json` output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type, thiserror::Error)]
#[error("{message}")]
pub struct IpcError {
    /// Stable code; the UI and CLI map it to their wording.
    pub code: ErrorCode,
    /// What went wrong, in one sentence.
    pub message: String,
    /// What to do about it, when known.
    pub fix: Option<String>,
}

impl From<Error> for IpcError {
    fn from(error: Error) -> Self {
        error.to_ipc()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_code_serializes_to_its_wire_string_and_back() {
        for code in ErrorCode::ALL {
            let json = serde_json::to_string(code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
            let back: ErrorCode = serde_json::from_str(&json).unwrap();
            assert_eq!(back, *code);
        }
    }

    #[test]
    fn codes_are_unique_lowercase_and_dotted() {
        let mut seen = HashSet::new();
        for code in ErrorCode::ALL {
            let s = code.as_str();
            assert!(seen.insert(s), "duplicate code {s}");
            assert!(
                s.chars()
                    .all(|c| c.is_ascii_lowercase() || c == '.' || c == '_'),
                "code {s} must be lowercase with dots"
            );
        }
    }

    #[test]
    fn invalid_input_names_the_field_and_carries_the_fix_across_ipc() {
        let err = Error::InvalidInput {
            field: "Client ID".into(),
            reason: "must be a GUID such as 00000000-0000-0000-0000-000000000000".into(),
            fix: Some("Copy the Application (client) ID from the app's Overview page.".into()),
        };
        let ipc = err.to_ipc();
        assert_eq!(ipc.code, ErrorCode::InputInvalid);
        assert!(ipc.message.starts_with("Client ID: must be a GUID"));
        let json = serde_json::to_value(&ipc).unwrap();
        assert_eq!(json["code"], "input.invalid");
        assert_eq!(
            json["fix"],
            "Copy the Application (client) ID from the app's Overview page."
        );
    }

    #[test]
    fn not_built_says_which_feature() {
        let err = Error::NotBuilt {
            feature: "Token inspection".into(),
        };
        assert_eq!(err.code(), ErrorCode::NotBuilt);
        assert_eq!(
            err.to_string(),
            "Token inspection is not available in this build of Entrance yet"
        );
    }
}
