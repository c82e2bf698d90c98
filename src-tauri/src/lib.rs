//! The Entrance desktop shell.
//!
//! This crate only wires Tauri to `entrance-core`: it registers commands,
//! state and events, and nothing else. Commands live in [`commands`], are
//! 5–15-line adapters, and return the core's `IpcError` on failure.
//!
//! The builder is generic over [`tauri::Runtime`] so tests can drive it with
//! `tauri::test::mock_builder()`.

pub mod commands;

use tauri::{Builder, Manager, Runtime};

/// The typed command and event registry. The TypeScript bindings in
/// `ui/src/lib/bindings.ts` are generated from it (see the `bindings` test).
pub fn specta_builder<R: Runtime>() -> tauri_specta::Builder<R> {
    tauri_specta::Builder::<R>::new()
        // One TypeScript type per Rust type (no separate *_Serialize /
        // *_Deserialize shapes): what crosses IPC has one shape both ways.
        .disable_serde_phases()
        .commands(tauri_specta::collect_commands![
            // Specta reads the types only; the handler stays generic over `R`.
            commands::about::<tauri::Wry>,
            commands::secrets::secret_list,
            commands::secrets::secret_status,
            commands::secrets::secret_check,
            commands::secrets::secret_set,
            commands::secrets::secret_delete,
            commands::secrets::secret_set_expiry,
            commands::secrets::secret_reveal::<tauri::Wry>,
            commands::inspect::inspect_text,
            commands::inspect::resolve_groups,
            commands::inspect::inspect_verdicts,
            commands::login::login_start,
            commands::login::login_cancel,
            commands::login::login_redirect_advice,
            commands::sandbox::sandbox_start,
            commands::sandbox::sandbox_stop,
            commands::sandbox::sandbox_use_secret,
            commands::setup::setup_targets,
            commands::setup::setup_check,
            commands::setup::setup_plan,
            commands::setup::setup_configuration::<tauri::Wry>,
            commands::setup::setup_test_sign_in,
            commands::setup::setup_open_portal,
            commands::setup::setup_profiles,
            commands::setup::setup_profile_save,
            commands::setup::setup_profile_rename,
            commands::setup::setup_profile_delete,
            commands::setup::setup_profile_select,
            commands::setup::setup_profiles_start_over,
            commands::diagnose::diagnose_start,
            commands::diagnose::diagnose_cancel,
            commands::diagnose::diagnose_export,
            commands::diagnose::diagnose_save::<tauri::Wry>,
            commands::diagnose::explain_text,
        ])
}

/// The Tauri builder of Entrance, with every command and plugin registered.
pub fn builder<R: Runtime>(builder: Builder<R>) -> Builder<R> {
    let specta = specta_builder::<R>();
    let report_ready = std::env::var_os("ENTRANCE_REPORT_READY").is_some();
    builder
        .plugin(tauri_plugin_dialog::init())
        .invoke_handler(specta.invoke_handler())
        .on_page_load(move |_webview, payload| {
            // `cargo xtask bench` times exec → page loaded through this line.
            if report_ready && matches!(payload.event(), tauri::webview::PageLoadEvent::Finished) {
                println!("entrance-bench: window ready");
            }
        })
        .setup(move |app| {
            specta.mount_events(app);
            // Opening never fails the start: without a config folder the
            // secret commands answer with the typed error instead.
            app.manage(commands::secrets::SecretsState::open_default());
            app.manage(commands::login::LoginState::default());
            app.manage(commands::sandbox::SandboxState::default());
            app.manage(commands::diagnose::DiagnoseState::default());
            Ok(())
        })
}

/// Runs the desktop app.
pub fn run() {
    builder(Builder::default())
        .run(tauri::generate_context!())
        .expect("Entrance failed to start its window");
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    /// The committed bindings match the Rust commands and types. Regenerate
    /// them with `cargo xtask bindings` after changing either.
    #[test]
    fn typescript_bindings_are_current() {
        let committed = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../ui/src/lib/bindings.ts");
        let fresh =
            std::env::temp_dir().join(format!("entrance-bindings-{}.ts", std::process::id()));
        super::specta_builder::<tauri::Wry>()
            .export(bindings_exporter(), &fresh)
            .expect("bindings export");
        let fresh_text = std::fs::read_to_string(&fresh).expect("read fresh bindings");
        let _ = std::fs::remove_file(&fresh);

        if std::env::var_os("ENTRANCE_UPDATE_BINDINGS").is_some() {
            std::fs::write(&committed, &fresh_text).expect("write ui/src/lib/bindings.ts");
            return;
        }
        let committed_text = std::fs::read_to_string(&committed).unwrap_or_default();
        assert!(
            committed_text == fresh_text,
            "ui/src/lib/bindings.ts is stale: run `cargo xtask bindings` and commit the result"
        );
    }

    fn bindings_exporter() -> specta_typescript::Typescript {
        specta_typescript::Typescript::default()
            .header("// Generated from the Rust commands and types by `cargo xtask bindings`. Do not edit.\n")
    }
}
