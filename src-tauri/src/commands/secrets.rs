//! Client secrets in the OS keychain: the app's adapters over
//! [`entrance_core::secrets`].
//!
//! - A value arrives from the webview as a string and is wrapped in a
//!   [`SecretString`] at once; nothing here logs or stores it.
//! - [`secret_reveal`] is the one command that sends a value back to the
//!   webview. The UI calls it only when the admin clicks Reveal or Copy
//!   (ARCHITECTURE.md, "Secrets").
//! - Keychain calls can block (D-Bus round trips, an unlock prompt), so they
//!   run on a blocking thread, never on the main thread.

use std::sync::Arc;

use entrance_core::secrets::{
    self, ExpirySource, ExposeSecret, SecretName, SecretStatus, SecretString, SecretWarning,
    Secrets, SetOptions, SetOutcome,
};
use entrance_core::{Error, IpcError};
use tauri::State;

/// The app's one [`Secrets`], opened when the app starts. If it cannot be
/// opened (the system reports no config folder), the app still starts and
/// every secret command answers with that error.
pub struct SecretsState(Result<Arc<Secrets>, IpcError>);

impl SecretsState {
    /// Secrets in the OS keychain, indexed in Entrance's config folder.
    pub fn open_default() -> Self {
        Secrets::open_default().into()
    }

    /// Runs `f` on a blocking thread with the secrets, or returns why there
    /// are none.
    pub(crate) async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Secrets) -> entrance_core::Result<T> + Send + 'static,
    ) -> Result<T, IpcError> {
        let secrets = Arc::clone(self.0.as_ref().map_err(IpcError::clone)?);
        tauri::async_runtime::spawn_blocking(move || f(&secrets))
            .await
            .map_err(|e| Error::Internal(format!("the keychain task stopped: {e}")))?
            .map_err(IpcError::from)
    }
}

impl From<entrance_core::Result<Secrets>> for SecretsState {
    fn from(opened: entrance_core::Result<Secrets>) -> Self {
        Self(opened.map(Arc::new).map_err(IpcError::from))
    }
}

/// Every saved secret (keychain and this session), by name — never a value.
#[tauri::command]
#[specta::specta]
pub async fn secret_list(state: State<'_, SecretsState>) -> Result<Vec<SecretStatus>, IpcError> {
    state.run(|s| s.list(secrets::today())).await
}

/// One saved secret's status; `secret.not_found` when none has that name.
#[tauri::command]
#[specta::specta]
pub async fn secret_status(
    state: State<'_, SecretsState>,
    name: String,
) -> Result<SecretStatus, IpcError> {
    state
        .run(move |s| s.status(&SecretName::parse(&name)?, secrets::today()))
        .await
}

/// What looks wrong with a value as it is typed (the core's checks).
#[tauri::command]
#[specta::specta]
pub fn secret_check(value: String) -> Result<Vec<SecretWarning>, IpcError> {
    let value = SecretString::from(value);
    Ok(secrets::check_value(value.expose_secret()))
}

/// Stores (or replaces) a secret. A value that looks like a mistake is
/// refused with `secret.suspicious_value` unless `accept_warnings`.
#[tauri::command]
#[specta::specta]
pub async fn secret_set(
    state: State<'_, SecretsState>,
    name: String,
    value: String,
    expires_on: Option<String>,
    session_only: bool,
    accept_warnings: bool,
) -> Result<SetOutcome, IpcError> {
    let value = SecretString::from(value);
    state
        .run(move |s| {
            let expires_on = expires_on.as_deref().map(secrets::parse_date).transpose()?;
            let options = SetOptions {
                session_only,
                expires_on,
                accept_warnings,
            };
            s.set(&SecretName::parse(&name)?, value, options)
        })
        .await
}

/// Deletes a secret from the keychain (or this session) and the index.
#[tauri::command]
#[specta::specta]
pub async fn secret_delete(state: State<'_, SecretsState>, name: String) -> Result<(), IpcError> {
    state
        .run(move |s| s.delete(&SecretName::parse(&name)?))
        .await
}

/// Records (or, with `None`, forgets) the end date the admin entered.
#[tauri::command]
#[specta::specta]
pub async fn secret_set_expiry(
    state: State<'_, SecretsState>,
    name: String,
    expires_on: Option<String>,
) -> Result<SecretStatus, IpcError> {
    state
        .run(move |s| {
            let expires_on = expires_on.as_deref().map(secrets::parse_date).transpose()?;
            s.set_expiry(
                &SecretName::parse(&name)?,
                expires_on,
                ExpirySource::Entered,
            )
        })
        .await
}

/// The value itself: the one deliberate way a secret leaves Rust, for the
/// admin's explicit Reveal or Copy click — confirmed in the system's own
/// dialog first ([`super::gesture`]), which a script cannot answer.
#[tauri::command]
#[specta::specta]
pub async fn secret_reveal<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, SecretsState>,
    name: String,
) -> Result<String, IpcError> {
    let parsed = SecretName::parse(&name).map_err(IpcError::from)?;
    super::gesture::confirm_reveal(&app, parsed.as_str(), "show or copy").await?;
    state
        .run(move |s| {
            Ok(s.get(&SecretName::parse(&name)?)?
                .expose_secret()
                .to_owned())
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use entrance_core::ErrorCode;

    #[test]
    fn without_a_config_folder_the_app_starts_and_each_call_says_why() {
        let state = SecretsState::from(Err(Error::Internal(
            "this system reports no configuration folder".into(),
        )));
        let answer = tauri::async_runtime::block_on(state.run(|s| s.list(secrets::today())));
        let error = answer.expect_err("no secrets without a config folder");
        assert_eq!(error.code, ErrorCode::Internal);
        assert!(
            error.message.contains("no configuration folder"),
            "{}",
            error.message
        );
    }

    #[test]
    fn a_core_error_crosses_as_its_typed_ipc_error() {
        let dir = std::env::temp_dir().join(format!("entrance-app-secrets-{}", std::process::id()));
        let state = SecretsState::from(Ok(Secrets::open(&dir, Box::new(NoKeychain))));
        let answer = tauri::async_runtime::block_on(state.run(|s| {
            s.set(
                &SecretName::parse("prod-grafana")?,
                SecretString::from("Xy48Q~a-plausible-value"),
                SetOptions::default(),
            )
        }));
        let error = answer.expect_err("the keychain is missing");
        assert_eq!(error.code, ErrorCode::KeychainNoSecretService);
        assert!(error.fix.is_some_and(|f| f.contains("gnome-keyring")));
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// A keychain that is not there, as on a machine without gnome-keyring.
    struct NoKeychain;

    impl secrets::Backend for NoKeychain {
        fn set(&self, _: &SecretName, _: &SecretString) -> entrance_core::Result<()> {
            Err(missing())
        }
        fn get(&self, _: &SecretName) -> entrance_core::Result<Option<SecretString>> {
            Err(missing())
        }
        fn delete(&self, _: &SecretName) -> entrance_core::Result<bool> {
            Err(missing())
        }
    }

    fn missing() -> Error {
        Error::Keychain {
            problem: secrets::KeychainProblem::NoSecretService,
            detail: "The name org.freedesktop.secrets was not provided by any .service files"
                .into(),
        }
    }
}
