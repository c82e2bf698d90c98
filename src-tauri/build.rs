//! Declares Entrance's own commands to Tauri's ACL so that each one must be
//! granted explicitly in `capabilities/` (least privilege: a command added
//! here and not granted there is refused at run time).

const COMMANDS: &[&str] = &["about"];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build script");
}
