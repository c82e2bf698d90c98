//! Tauri commands: thin adapters from IPC to `entrance-core`.
//!
//! Each command takes plain arguments, calls the core, and returns either a
//! serializable value or the core's [`IpcError`]. No domain logic lives here.
//! One module per area (e.g. [`secrets`] for the OS keychain); the About
//! panel's one command is here.

pub mod diagnose;
pub mod gesture;
pub mod inspect;
pub mod login;
pub mod sandbox;
pub mod secrets;
pub mod setup;

use entrance_core::{BuildInfo, IpcError};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Runtime};

/// What the About panel shows: the core's build and the shell it runs in.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
pub struct AppInfo {
    /// Build information of `entrance-core`.
    pub core: BuildInfo,
    /// The app's own version (the desktop package).
    pub app_version: String,
    /// Tauri version the app was built with.
    pub tauri_version: String,
    /// The system WebView's version, when the platform reports it.
    pub webview_version: Option<String>,
}

/// Build information for the About panel.
#[tauri::command]
#[specta::specta]
pub fn about<R: Runtime>(app: AppHandle<R>) -> Result<AppInfo, IpcError> {
    Ok(AppInfo {
        core: BuildInfo::current(),
        app_version: app.package_info().version.to_string(),
        tauri_version: tauri::VERSION.to_string(),
        webview_version: tauri::webview_version().ok(),
    })
}
