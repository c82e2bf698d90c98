//! The OS keychain, through the `keyring` crate: macOS Keychain, Windows
//! Credential Manager, the Secret Service (gnome-keyring, KWallet) on Linux.
//!
//! Items are stored under service [`SERVICE`] with the secret's name as the
//! user, so `secret-tool lookup service entrance username NAME` finds one on
//! Linux. Platform errors are translated into [`KeychainProblem`]s that say
//! what is wrong in one sentence and how to fix it; there is never a
//! plaintext fallback.

use secrecy::{ExposeSecret, SecretString};

use super::{Backend, SecretName};
use crate::error::{Error, Result};

/// The keychain service every Entrance item is stored under.
pub const SERVICE: &str = "entrance";

/// Why the keychain could not be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeychainProblem {
    /// Linux: no D-Bus session bus to reach the Secret Service on.
    NoSessionBus,
    /// Linux: a session bus, but no Secret Service (gnome-keyring, KWallet) on it.
    NoSecretService,
    /// The Secret Service has no default keyring yet.
    NoKeyring,
    /// The keyring exists but is locked.
    Locked,
    /// Anything else the platform reported.
    Unavailable,
}

impl KeychainProblem {
    /// Classifies a platform error by the messages the platforms give
    /// (verbatim strings seen from libdbus / the Secret Service, docs/toolchain.md#keychain).
    pub fn classify(detail: &str) -> Self {
        let d = detail.to_ascii_lowercase();
        if d.contains("unable to autolaunch a dbus-daemon")
            || d.contains("dbus_session_bus_address")
            || d.contains("failed to connect to socket")
            || d.contains("no such file or directory") && d.contains("bus")
        {
            KeychainProblem::NoSessionBus
        } else if d.contains("org.freedesktop.secrets was not provided")
            || d.contains("serviceunknown")
            || d.contains("the name org.freedesktop.secrets")
        {
            KeychainProblem::NoSecretService
        } else if d.contains("locked") {
            KeychainProblem::Locked
        } else if d.contains("no result found") {
            KeychainProblem::NoKeyring
        } else {
            KeychainProblem::Unavailable
        }
    }

    /// One sentence: what is wrong.
    pub fn summary(self) -> &'static str {
        match self {
            KeychainProblem::NoSessionBus => {
                "The keychain cannot be reached: there is no D-Bus session (DBUS_SESSION_BUS_ADDRESS is not set)."
            }
            KeychainProblem::NoSecretService => {
                "The keychain cannot be reached: no Secret Service (gnome-keyring or KWallet) runs in this D-Bus session."
            }
            KeychainProblem::NoKeyring => "The keychain has no default keyring yet.",
            KeychainProblem::Locked => "The keychain is locked.",
            KeychainProblem::Unavailable => "The OS keychain refused the request.",
        }
    }

    /// What to do about it on this platform.
    pub fn fix(self) -> &'static str {
        match self {
            KeychainProblem::NoSessionBus => {
                "Run Entrance inside a desktop session, or start one for this shell: \
                 `dbus-run-session -- sh -c 'gnome-keyring-daemon --unlock --components=secrets; exec $SHELL'`. \
                 Over SSH, use a desktop session's keyring or keep the secret for this session only."
            }
            KeychainProblem::NoSecretService => {
                "Install and start a Secret Service: `sudo apt-get install gnome-keyring` (or KWallet on KDE), \
                 then log in again or run `gnome-keyring-daemon --start --components=secrets`."
            }
            KeychainProblem::NoKeyring => {
                "Create the default keyring once: open \"Passwords and Keys\" (seahorse) and create a \"Login\" \
                 keyring, or run `gnome-keyring-daemon --unlock` and type a password."
            }
            KeychainProblem::Locked => {
                if cfg!(target_os = "macos") {
                    "Unlock the login keychain in Keychain Access, then try again."
                } else if cfg!(windows) {
                    "Sign in to Windows with your account so Credential Manager is available, then try again."
                } else {
                    "Unlock the keyring (\"Passwords and Keys\", or `gnome-keyring-daemon --unlock`), then try again."
                }
            }
            KeychainProblem::Unavailable => {
                "Check that the system keychain works (Keychain Access on macOS, Credential Manager on Windows, \
                 `secret-tool search service entrance` on Linux), or keep the secret for this session only."
            }
        }
    }
}

fn to_error(e: keyring::Error) -> Error {
    let detail = match &e {
        keyring::Error::PlatformFailure(inner) | keyring::Error::NoStorageAccess(inner) => {
            inner.to_string()
        }
        other => other.to_string(),
    };
    let problem = match &e {
        keyring::Error::NoStorageAccess(_) => match KeychainProblem::classify(&detail) {
            KeychainProblem::Unavailable => KeychainProblem::Locked,
            p => p,
        },
        _ => KeychainProblem::classify(&detail),
    };
    Error::Keychain { problem, detail }
}

/// The platform keychain.
pub struct Keychain;

impl Keychain {
    fn entry(name: &SecretName) -> Result<keyring::Entry> {
        keyring::Entry::new(SERVICE, name.as_str()).map_err(to_error)
    }
}

impl Backend for Keychain {
    fn set(&self, name: &SecretName, value: &SecretString) -> Result<()> {
        Self::entry(name)?
            .set_password(value.expose_secret())
            .map_err(to_error)
    }

    fn get(&self, name: &SecretName) -> Result<Option<SecretString>> {
        match Self::entry(name)?.get_password() {
            Ok(v) => Ok(Some(SecretString::from(v))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(to_error(e)),
        }
    }

    fn delete(&self, name: &SecretName) -> Result<bool> {
        match Self::entry(name)?.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(e) => Err(to_error(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_secret_service_errors_admins_meet_are_told_apart() {
        // Verbatim messages from libdbus and the Secret Service (docs/toolchain.md#keychain).
        let cases = [
            (
                "DBus error: Unable to autolaunch a dbus-daemon without a $DISPLAY for X11",
                KeychainProblem::NoSessionBus,
            ),
            (
                "The name org.freedesktop.secrets was not provided by any .service files",
                KeychainProblem::NoSecretService,
            ),
            (
                "Secret Service: no result found",
                KeychainProblem::NoKeyring,
            ),
            (
                "Cannot create an item in a locked collection",
                KeychainProblem::Locked,
            ),
            ("something else entirely", KeychainProblem::Unavailable),
        ];
        for (detail, want) in cases {
            assert_eq!(KeychainProblem::classify(detail), want, "{detail}");
            assert!(!want.summary().is_empty() && !want.fix().is_empty());
        }
    }
}
