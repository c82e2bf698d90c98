//! The Diagnose page: adapters over [`entrance_core::diagnose`] and
//! [`entrance_core::aadsts`].
//!
//! - [`diagnose_start`] runs the checks and streams each one's state through
//!   a [`Channel`] of [`DiagnoseEvent`]s; it answers with the [`Diagnosis`],
//!   which holds no secret. The client secret is read from the keychain (or
//!   this session) by its saved name, in Rust, exactly as a sign-in reads it;
//!   a Microsoft Graph token, when the admin pastes one, becomes a
//!   [`SecretString`] on arrival and is dropped with the run.
//! - The last diagnosis stays in [`DiagnoseState`] so that
//!   [`diagnose_export`] (Copy) and [`diagnose_save`] (a file in the user's
//!   Downloads folder, no file dialog and no file-system access for the
//!   webview) render the report from what actually ran.
//! - [`explain_text`] finds the AADSTS codes in any pasted text.

use std::path::{Path, PathBuf};

use entrance_core::aadsts::{self, FoundCode};
use entrance_core::diagnose::{
    self, report, CancellationToken, Credentials, DiagnoseEvent, DiagnoseRequest, Diagnosis,
    Environment,
};
use entrance_core::secrets::{SecretName, SecretString};
use entrance_core::{Error, IpcError};
use serde::{Deserialize, Serialize};
use tauri::ipc::Channel;
use tauri::{AppHandle, Manager, Runtime, State};

use super::secrets::SecretsState;

/// The diagnosis in flight (so that Cancel can end it) and the last one that
/// finished (what Export renders).
#[derive(Default)]
pub struct DiagnoseState {
    running: std::sync::Mutex<Option<CancellationToken>>,
    last: std::sync::Mutex<Option<Diagnosis>>,
}

impl DiagnoseState {
    /// A token for a new diagnosis; one still running is cancelled.
    fn begin(&self) -> CancellationToken {
        let token = CancellationToken::new();
        if let Ok(mut current) = self.running.lock() {
            if let Some(old) = current.replace(token.clone()) {
                old.cancel();
            }
        }
        token
    }

    fn cancel(&self) {
        if let Some(token) = self.running.lock().ok().and_then(|mut c| c.take()) {
            token.cancel();
        }
    }

    fn keep(&self, diagnosis: &Diagnosis) {
        if let Ok(mut last) = self.last.lock() {
            *last = Some(diagnosis.clone());
        }
    }

    fn last(&self) -> Result<Diagnosis, IpcError> {
        self.last
            .lock()
            .ok()
            .and_then(|last| last.clone())
            .ok_or_else(|| {
                IpcError::from(Error::InvalidInput {
                    field: "report".into(),
                    reason: "no diagnosis has finished yet".into(),
                    fix: Some(
                        "Run a diagnosis first; its report can then be copied or saved.".into(),
                    ),
                })
            })
    }
}

/// The report's format: Markdown for a ticket or a chat, JSON for a tool.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub enum ReportFormat {
    #[serde(rename = "md")]
    Markdown,
    #[serde(rename = "json")]
    Json,
}

impl ReportFormat {
    fn render(self, diagnosis: &Diagnosis) -> String {
        match self {
            ReportFormat::Markdown => report::to_markdown(diagnosis),
            ReportFormat::Json => report::to_json(diagnosis),
        }
    }

    fn extension(self) -> &'static str {
        match self {
            ReportFormat::Markdown => "md",
            ReportFormat::Json => "json",
        }
    }
}

/// Runs a diagnosis; each check's progress streams through `on_event`.
#[tauri::command]
#[specta::specta]
pub async fn diagnose_start(
    secrets: State<'_, SecretsState>,
    state: State<'_, DiagnoseState>,
    request: DiagnoseRequest,
    graph_token: Option<String>,
    on_event: Channel<DiagnoseEvent>,
) -> Result<Diagnosis, IpcError> {
    let graph_token = graph_token
        .filter(|t| !t.trim().is_empty())
        .map(SecretString::from);
    let (client_secret, client_secret_expiry) = match request.secret_name.as_deref().map(str::trim)
    {
        Some(name) if !name.is_empty() => {
            let name = SecretName::parse(name).map_err(IpcError::from)?;
            let (value, status) = secrets
                .run(move |s| {
                    let status = s.status(&name, entrance_core::secrets::today())?;
                    Ok((s.get(&name)?, status))
                })
                .await?;
            (Some(value), Some(status.expiry))
        }
        _ => (None, None),
    };
    let credentials = Credentials {
        client_secret,
        graph_token,
        client_secret_expiry,
    };
    let cancel = state.begin();
    let send = move |event: DiagnoseEvent| {
        let _ = on_event.send(event);
    };
    let diagnosis = diagnose::run(
        request,
        credentials,
        Environment::from_process(),
        cancel,
        send,
    )
    .await
    .map_err(IpcError::from)?;
    state.keep(&diagnosis);
    Ok(diagnosis)
}

/// Cancels the diagnosis in flight, if any; checks still running end as cancelled.
#[tauri::command]
#[specta::specta]
pub fn diagnose_cancel(state: State<'_, DiagnoseState>) {
    state.cancel();
}

/// The last diagnosis as report text (no secret is ever in it), for Copy.
#[tauri::command]
#[specta::specta]
pub fn diagnose_export(
    state: State<'_, DiagnoseState>,
    format: ReportFormat,
) -> Result<String, IpcError> {
    Ok(format.render(&state.last()?))
}

/// Saves the last diagnosis's report in the user's Downloads folder (else
/// Documents, else home) under a name with its start time; returns the path.
#[tauri::command]
#[specta::specta]
pub fn diagnose_save<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, DiagnoseState>,
    format: ReportFormat,
) -> Result<String, IpcError> {
    let diagnosis = state.last()?;
    let paths = app.path();
    let folder = paths
        .download_dir()
        .or_else(|_| paths.document_dir())
        .or_else(|_| paths.home_dir())
        .map_err(|e| {
            Error::Internal(format!(
                "this system reports no Downloads, Documents or home folder: {e}"
            ))
        })?;
    let path = save_in(&folder, &diagnosis, format)?;
    Ok(path.display().to_string())
}

/// Writes the report into `folder` atomically; returns where.
fn save_in(
    folder: &Path,
    diagnosis: &Diagnosis,
    format: ReportFormat,
) -> Result<PathBuf, IpcError> {
    let path = folder.join(file_name(&diagnosis.started_at, format));
    entrance_core::paths::write_atomic(&path, format.render(diagnosis).as_bytes())?;
    Ok(path)
}

/// `entrance-diagnosis-2026-11-23_18-30-27.md` from an RFC 3339 start time.
fn file_name(started_at: &str, format: ReportFormat) -> String {
    let stamp: String = started_at
        .chars()
        .take(19)
        .map(|c| match c {
            'T' => '_',
            ':' => '-',
            c if c.is_ascii_digit() || c == '-' => c,
            _ => '_',
        })
        .collect();
    let stamp = if stamp.is_empty() {
        "undated".into()
    } else {
        stamp
    };
    format!("entrance-diagnosis-{stamp}.{}", format.extension())
}

/// The AADSTS codes in any pasted text (a log line, a redirect URL, an error
/// body), each with its title, cause, fix, portal blade and lookup page.
#[tauri::command]
#[specta::specta]
pub fn explain_text(text: String) -> Vec<FoundCode> {
    aadsts::find_codes(&text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use entrance_core::diagnose::Overall;
    use entrance_core::ErrorCode;

    fn finished() -> Diagnosis {
        Diagnosis {
            request: DiagnoseRequest {
                tenant: Some("contoso.onmicrosoft.com".into()),
                ..DiagnoseRequest::default()
            },
            authority: "https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0".into(),
            started_at: "2026-11-23T18:30:27.512Z".into(),
            duration_ms: 812,
            overall: Overall::Healthy,
            results: Vec::new(),
            root_causes: Vec::new(),
            entrance_version: "0.1.0".into(),
        }
    }

    #[test]
    fn the_saved_file_is_named_after_the_diagnosis_start_time() {
        assert_eq!(
            file_name("2026-11-23T18:30:27.512Z", ReportFormat::Markdown),
            "entrance-diagnosis-2026-11-23_18-30-27.md"
        );
        assert_eq!(
            file_name("2026-11-23T18:30:27+01:00", ReportFormat::Json),
            "entrance-diagnosis-2026-11-23_18-30-27.json"
        );
        assert_eq!(
            file_name("", ReportFormat::Json),
            "entrance-diagnosis-undated.json"
        );
    }

    #[test]
    fn a_saved_report_is_the_rendered_report_and_leaves_no_temporary_file() {
        let dir =
            std::env::temp_dir().join(format!("entrance-diagnose-save-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let diagnosis = finished();
        let path = save_in(&dir, &diagnosis, ReportFormat::Json).expect("saved");
        let written = std::fs::read_to_string(&path).expect("read back");
        assert_eq!(written, report::to_json(&diagnosis));
        assert!(written.contains("contoso.onmicrosoft.com"));
        let names: Vec<String> = std::fs::read_dir(&dir)
            .expect("folder")
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .collect();
        assert_eq!(
            names,
            vec!["entrance-diagnosis-2026-11-23_18-30-27.json".to_string()]
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn export_before_any_diagnosis_says_to_run_one() {
        let state = DiagnoseState::default();
        let error = state.last().expect_err("nothing ran");
        assert_eq!(error.code, ErrorCode::InputInvalid);
        assert!(error
            .fix
            .as_deref()
            .is_some_and(|f| f.contains("Run a diagnosis")));
        state.keep(&finished());
        assert_eq!(
            state.last().expect("kept").started_at,
            "2026-11-23T18:30:27.512Z"
        );
    }

    #[test]
    fn cancel_ends_the_diagnosis_in_flight_and_a_new_one_replaces_it() {
        let state = DiagnoseState::default();
        let first = state.begin();
        let second = state.begin();
        assert!(first.is_cancelled(), "a new diagnosis cancels the old one");
        assert!(!second.is_cancelled());
        state.cancel();
        assert!(second.is_cancelled());
    }

    #[test]
    fn pasted_error_text_is_explained_code_by_code() {
        let found = explain_text(
            "error=invalid_request&error_description=AADSTS50011%3A+The+redirect+URI ... then AADSTS7000215".into(),
        );
        let codes: Vec<u32> = found.iter().map(|f| f.code).collect();
        assert_eq!(codes, vec![50011, 7000215]);
        assert!(
            found.iter().all(|f| f.entry.is_some()),
            "both are in the catalog"
        );
    }
}
