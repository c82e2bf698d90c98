//! The `entrance` binary as an admin meets it: version, help, and errors as
//! one JSON object with a stable code.

use std::process::{Command, Output};

fn entrance(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_entrance"))
        .args(args)
        .output()
        .expect("the entrance binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn version_names_the_release_and_the_commit() {
    let out = entrance(&["--version"]);
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(
        text.starts_with(&format!("entrance {} (", env!("CARGO_PKG_VERSION"))),
        "unexpected version line: {text}"
    );
    assert!(text.contains("debug") || text.contains("release"));
}

#[test]
fn help_lists_every_subcommand() {
    let out = entrance(&["--help"]);
    assert!(out.status.success());
    let text = stdout(&out);
    for sub in [
        "inspect", "explain", "login", "token", "diagnose", "sandbox", "setup", "config",
    ] {
        assert!(text.contains(sub), "--help does not mention {sub}:\n{text}");
    }
    assert!(text.contains("--json"));
}

#[test]
fn json_errors_are_one_object_with_a_stable_code() {
    let out = entrance(&["diagnose", "--json"]);
    assert_eq!(out.status.code(), Some(2));
    let body: serde_json::Value =
        serde_json::from_str(stdout(&out).trim()).expect("one JSON object");
    assert_eq!(body["error"]["code"], "input.invalid");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("authority"));
}

#[test]
fn an_unknown_subcommand_is_a_usage_error() {
    let out = entrance(&["frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("frobnicate"));
}

#[test]
fn version_prints_the_commit_and_the_build_date() {
    let text = stdout(&entrance(&["--version"]));
    // entrance 0.1.0 (abc123def456 2026-12-08, debug, x86_64-unknown-linux-gnu)
    let inside = text
        .split_once('(')
        .and_then(|(_, r)| r.split_once(','))
        .map(|(l, _)| l)
        .unwrap_or_else(|| panic!("no (commit date, …) in {text}"));
    let (commit, date) = inside.split_once(' ').expect("commit and date");
    assert!(!commit.is_empty(), "{text}");
    let d = date.as_bytes();
    assert!(
        d.len() == 10 && d[4] == b'-' && d[7] == b'-' && date >= "2025-01-01",
        "no build date in {text}"
    );
}

#[test]
fn completions_for_every_shell_complete_the_subcommands() {
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef entrance"),
        ("fish", "complete -c entrance"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let out = entrance(&["completions", shell]);
        assert!(out.status.success(), "{shell}: {}", stderr(&out));
        let script = stdout(&out);
        assert!(script.contains(marker), "{shell} script lacks {marker:?}");
        for sub in ["inspect", "diagnose", "secret", "sandbox"] {
            assert!(
                script.contains(sub),
                "{shell} script does not complete {sub}"
            );
        }
        assert!(script.contains("json"), "{shell} script lacks --json");
    }
    // Hidden from --help: they are for packagers, not part of the daily task.
    assert!(!stdout(&entrance(&["--help"])).contains("completions"));
}

#[test]
fn bash_completion_loads_and_completes_a_subcommand() {
    let script = stdout(&entrance(&["completions", "bash"]));
    let dir = std::env::temp_dir().join(format!("entrance-compl-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("entrance.bash");
    std::fs::write(&file, script).unwrap();
    // What bash does on `entrance dia<Tab>`.
    let probe = format!(
        "source {}; COMP_WORDS=(entrance dia); COMP_CWORD=1; COMP_LINE='entrance dia'; COMP_POINT=12; \
         _entrance entrance dia entrance; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        file.display()
    );
    let out = Command::new("bash")
        .args(["-c", &probe])
        .output()
        .expect("bash");
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "diagnose",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_man_page_documents_the_subcommands() {
    let out = entrance(&["man"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let page = stdout(&out);
    assert!(
        page.starts_with(".ie \\n(.g .ds Aq"),
        "not roff:\n{}",
        &page[..page.len().min(200)]
    );
    assert!(page.contains(".TH entrance 1"), "no title header");
    for sub in ["inspect", "diagnose", "secret", "login"] {
        assert!(page.contains(sub), "man page does not mention {sub}");
    }
    assert!(page.contains(env!("CARGO_PKG_VERSION")));
}

/// The one colour rule, end to end: `entrance diagnose` on a terminal (a
/// pseudo-terminal from util-linux `script`) colours its status words; with
/// `NO_COLOR`, `TERM=dumb` or through a pipe it prints plain text.
#[test]
fn colour_only_on_a_terminal_without_no_color() {
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("skipped: util-linux `script` is not installed");
        return;
    }
    let diagnose = format!(
        "{} diagnose --authority http://127.0.0.1:9/contoso/v2.0 --client-id 33333333-0000-4000-8000-000000000005",
        env!("CARGO_BIN_EXE_entrance")
    );
    let on_a_terminal = |env: &[(&str, &str)]| {
        let mut cmd = Command::new("script");
        cmd.args(["-qec", &diagnose, "/dev/null"])
            .env_remove("NO_COLOR")
            .env("TERM", "xterm-256color");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.output().expect("script runs");
        stdout(&out)
    };
    let coloured = on_a_terminal(&[]);
    assert!(
        coloured.contains("\x1b[32mpassed"),
        "no colour on a terminal:\n{coloured}"
    );
    for env in [&[("NO_COLOR", "1")][..], &[("TERM", "dumb")][..]] {
        let plain = on_a_terminal(env);
        assert!(plain.contains("passed "), "{env:?}: {plain}");
        assert!(!plain.contains('\x1b'), "colour despite {env:?}:\n{plain}");
    }
    // An empty NO_COLOR does not count (no-color.org).
    assert!(on_a_terminal(&[("NO_COLOR", "")]).contains("\x1b[32m"));
    let piped = Command::new("sh")
        .args(["-c", &diagnose])
        .env_remove("NO_COLOR")
        .env("TERM", "xterm-256color")
        .output()
        .expect("sh runs");
    assert!(stderr(&piped).contains("passed "));
    assert!(!stderr(&piped).contains('\x1b'), "colour into a pipe");
}
