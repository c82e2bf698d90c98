//! `cargo xtask run`: install what is missing, build the app with the UI
//! embedded, and open it.

use std::path::PathBuf;
use std::process::Command;

use anyhow::{bail, Result};

use crate::setup::{self, Purpose};
use crate::util::{self, run as run_cmd, step};

/// Builds the desktop app with `ui/dist` embedded and returns its path.
pub fn build_app(release: bool) -> Result<PathBuf> {
    setup::ui_build()?;
    step(&format!(
        "Building Entrance ({})",
        if release { "release" } else { "debug" }
    ));
    let mut cmd = util::cargo();
    cmd.args([
        "build",
        "--package",
        "entrance-app",
        "--features",
        "custom-protocol",
    ]);
    if release {
        cmd.arg("--release");
    }
    run_cmd(&mut cmd)?;
    Ok(app_path(release))
}

/// Where cargo puts the app binary.
pub fn app_path(release: bool) -> PathBuf {
    target_dir()
        .join(if release { "release" } else { "debug" })
        .join(format!("entrance-app{}", std::env::consts::EXE_SUFFIX))
}

/// Cargo's target folder (honours `CARGO_TARGET_DIR`).
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| util::root().join("target"))
}

pub fn run(args: &[&str]) -> Result<()> {
    let release = args.contains(&"--release");
    if let Some(unknown) = args.iter().find(|a| **a != "--release") {
        bail!("unknown option {unknown:?} (cargo xtask run [--release])");
    }
    setup::ensure(Purpose::Run)?;
    let app = build_app(release)?;
    if cfg!(target_os = "linux")
        && std::env::var_os("DISPLAY").is_none()
        && std::env::var_os("WAYLAND_DISPLAY").is_none()
    {
        bail!(
            "built {}, but there is no display to open it on (neither DISPLAY nor WAYLAND_DISPLAY is set). \
             Run it from a desktop session, or headless with `xvfb-run -a cargo xtask run`.",
            app.display()
        );
    }
    step("Opening Entrance");
    run_cmd(&mut Command::new(&app))
}
