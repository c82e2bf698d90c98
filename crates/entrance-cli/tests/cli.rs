//! The `entrance` binary as an admin meets it: version, help, and honest
//! answers from subcommands that are not part of this build.

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

const SUBCOMMANDS: &[&str] = &["diagnose"];

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
    for sub in SUBCOMMANDS.iter().chain(&[
        "inspect", "explain", "login", "token", "sandbox", "setup", "config",
    ]) {
        assert!(text.contains(sub), "--help does not mention {sub}:\n{text}");
    }
    assert!(text.contains("--json"));
}

#[test]
fn a_subcommand_not_in_this_build_says_so_and_exits_2() {
    for sub in SUBCOMMANDS {
        let out = entrance(&[sub, "--some-flag", "value"]);
        assert_eq!(out.status.code(), Some(2), "entrance {sub}");
        assert!(stdout(&out).is_empty(), "entrance {sub} printed output");
        let err = stderr(&out);
        assert!(
            err.contains(&format!("`entrance {sub}` is not available in this build")),
            "entrance {sub}: {err}"
        );
    }
}

#[test]
fn json_errors_are_one_object_with_a_stable_code() {
    let out = entrance(&["diagnose", "--json"]);
    assert_eq!(out.status.code(), Some(2));
    let body: serde_json::Value =
        serde_json::from_str(stdout(&out).trim()).expect("one JSON object");
    assert_eq!(body["error"]["code"], "not_built");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("entrance diagnose"));
}

#[test]
fn an_unknown_subcommand_is_a_usage_error() {
    let out = entrance(&["frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("frobnicate"));
}
