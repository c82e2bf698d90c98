//! Declares Entrance's own commands to Tauri's ACL so that each one must be
//! granted explicitly in `capabilities/` (least privilege: a command added
//! here and not granted there is refused at run time).

const COMMANDS: &[&str] = &[
    "about",
    "secret_list",
    "secret_status",
    "secret_check",
    "secret_set",
    "secret_delete",
    "secret_set_expiry",
    "secret_reveal",
    "inspect_text",
    "resolve_groups",
    "inspect_verdicts",
    "login_start",
    "login_cancel",
    "login_redirect_advice",
    "sandbox_start",
    "sandbox_stop",
    "sandbox_use_secret",
    "setup_targets",
    "setup_check",
    "setup_plan",
    "setup_configuration",
    "setup_test_sign_in",
    "setup_open_portal",
    "setup_profiles",
    "setup_profile_save",
    "setup_profile_rename",
    "setup_profile_delete",
    "setup_profile_select",
    "setup_profiles_start_over",
    "diagnose_start",
    "diagnose_cancel",
    "diagnose_export",
    "diagnose_save",
    "explain_text",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build script");
}
