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
