//! The browser a sign-in opens, found without opening anything: the
//! commands sign-in would try (`BROWSER`, else the platform's opener — the
//! same list, from the sign-in's own code) are looked up on `PATH`.

use std::path::{Path, PathBuf};

use super::context::Context;
use super::runner::Outcome;
use super::{DiagnoseCode, DiagnoseFinding};
use crate::findings::Severity;
use crate::login::browser::{commands_for, program_of};

pub(super) async fn run(cx: &Context) -> Outcome {
    let commands = commands_for(cx.env.browser.as_deref());
    let from = if cx.env.browser.is_some() {
        "BROWSER"
    } else {
        "the system's opener"
    };
    let path = std::env::var_os("PATH").unwrap_or_default();
    let dirs: Vec<PathBuf> = std::env::split_paths(&path).collect();
    let mut out = Outcome::passed("");
    for command in &commands {
        let Some(program) = program_of(command) else {
            continue;
        };
        match find(&program, &dirs) {
            Some(found) => {
                out = out.detail(command.clone(), found.display().to_string());
                out.summary = format!("A sign-in opens the browser with `{program}` ({from}).");
                return out;
            }
            None => out = out.detail(command.clone(), "not found"),
        }
    }
    let tried = commands
        .iter()
        .map(|c| format!("`{c}`"))
        .collect::<Vec<_>>()
        .join(", ");
    out = out.finding(DiagnoseFinding::new(
        DiagnoseCode::BrowserNotFound,
        Severity::Warning,
        format!("No browser can be opened from here: {tried} ({from}) is not on PATH."),
        "A sign-in still works: copy the URL it shows into a browser by hand (the browser must run on \
         this machine to reach the loopback address), or use `--device-code`, which needs no browser \
         here. To open one automatically, set BROWSER to a browser command (`%s` stands for the URL).",
    ));
    out.summary = "No browser opener found.".into();
    out.graded()
}

/// `program` as a path, or looked up in `dirs` (with `.exe` on Windows).
fn find(program: &str, dirs: &[PathBuf]) -> Option<PathBuf> {
    let as_path = Path::new(program);
    if as_path.components().count() > 1 {
        return is_executable(as_path).then(|| as_path.to_path_buf());
    }
    let names: Vec<String> = if cfg!(windows) && Path::new(program).extension().is_none() {
        vec![format!("{program}.exe"), program.to_string()]
    } else {
        vec![program.to_string()]
    };
    dirs.iter()
        .flat_map(|d| names.iter().map(move |n| d.join(n)))
        .find(|p| is_executable(p))
}

fn is_executable(path: &Path) -> bool {
    let Ok(meta) = std::fs::metadata(path) else {
        return false;
    };
    if !meta.is_file() {
        return false;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        meta.permissions().mode() & 0o111 != 0
    }
    #[cfg(not(unix))]
    {
        true
    }
}
