//! `cargo xtask test`: every suite, headless, with each suite's summary.
//!
//! Suites, in order:
//! 1. invariants — `entrance-core` depends on no Tauri, wry or WebKit crate;
//!    workflows  — actionlint over `.github/workflows/`;
//! 2. rust       — unit and integration tests of every crate (incl. the
//!    bindings-are-current test), inside a private D-Bus session with an
//!    unlocked gnome-keyring so keychain tests meet a real Secret Service;
//! 3. security   — the attacker's tests (`tests/security.rs` of the core and
//!    the CLI), the loopback listener under a 1,000-connection flood 20 runs
//!    in a row, and a smoke pass of every fuzz target;
//! 4. ui-unit    — `svelte-check` and Vitest;
//! 4. ui-chromium — Playwright in Debian's headless Chromium (mock backend);
//! 5. e2e        — WebDriver tests of the real app under Xvfb via tauri-driver.
//!
//! `cargo xtask test packages` runs only the package suite (release build,
//! `.deb` install test); `cargo xtask test workflows` only actionlint.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use crate::run::{build_app, target_dir};
use crate::setup::{self, tauri_driver_path, Purpose};
use crate::util::{self, step};

/// Crates `entrance-core` must never depend on.
const FORBIDDEN_IN_CORE: &[&str] = &["tauri", "wry", "webkit2gtk", "tao", "gtk"];

struct Outcome {
    name: &'static str,
    ok: bool,
    passed: u64,
    failed: u64,
    summary: String,
    took: Duration,
    /// What the suite printed (ANSI colours removed).
    log: String,
}

pub fn test(args: &[&str]) -> Result<()> {
    match args.first().copied() {
        None => {}
        Some("packages") if args.len() == 1 => return only(packages()?),
        Some("workflows") if args.len() == 1 => {
            setup::ensure(Purpose::Test)?;
            return only(workflows()?);
        }
        Some(unknown) => {
            bail!("unknown option {unknown:?} (cargo xtask test [packages | workflows])")
        }
    }
    let started = Instant::now();
    setup::ensure(Purpose::Test)?;
    let app = build_app(false)?;
    step("Building the test binaries");
    util::run(util::cargo().args([
        "test",
        "--workspace",
        "--no-run",
        "--features",
        "entrance-app/custom-protocol",
    ]))?;

    let session = TestSession::new()?;
    let mut outcomes = vec![invariants()?, workflows()?];
    outcomes.push(suite(
        "rust",
        &mut session.wrap(util::cargo().args([
            "test",
            "--workspace",
            "--features",
            "entrance-app/custom-protocol",
            "--no-fail-fast",
        ])),
        parse_cargo,
    )?);
    outcomes.push(security(&session)?);
    outcomes.push(suite(
        "ui-check",
        &mut util::npm(&["run", "check"]),
        parse_svelte_check,
    )?);
    outcomes.push(suite(
        "ui-unit",
        &mut util::npm(&["test"]),
        parse_last_passed,
    )?);
    outcomes.push(suite(
        "ui-chromium",
        &mut util::npm(&["run", "test:ui"]),
        parse_last_passed,
    )?);
    outcomes.push(e2e(&session, &app)?);

    step("Summary");
    let mut passed = 0;
    let mut failed = 0;
    for o in &outcomes {
        eprintln!(
            "{:<12} {:<4} {:>8}  {}",
            o.name,
            if o.ok { "ok" } else { "FAIL" },
            util::secs(o.took),
            o.summary
        );
        passed += o.passed;
        failed += o.failed + u64::from(!o.ok && o.failed == 0);
    }
    eprintln!("total time {}", util::secs(started.elapsed()));
    println!("tests: {passed} passed, {failed} failed");
    if outcomes.iter().any(|o| !o.ok) {
        bail!("some suites failed");
    }
    Ok(())
}

/// actionlint over every GitHub Actions workflow (with shellcheck on their
/// `run:` scripts). The release workflow is not run from this repository's
/// CI; this is what checks it.
fn workflows() -> Result<Outcome> {
    let dir = util::root().join(".github/workflows");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml" || e == "yaml"))
        .collect();
    files.sort();
    if files.is_empty() {
        bail!("no workflow in {}", dir.display());
    }
    let mut cmd = Command::new(setup::actionlint_path());
    cmd.current_dir(util::root()).args(&files);
    suite("workflows", &mut cmd, parse_actionlint)
}

/// actionlint prints one `file:line:col: message [rule]` line per problem.
fn parse_actionlint(text: &str) -> (u64, u64, String) {
    let problems = text
        .lines()
        .filter(|l| l.starts_with('/') || l.starts_with(".github"))
        .filter(|l| l.contains(".yml:") || l.contains(".yaml:"))
        .count() as u64;
    (
        u64::from(problems == 0),
        problems,
        format!("actionlint: {problems} problem(s)"),
    )
}

/// `cargo xtask test packages`: build the release packages and install test
/// the `.deb` (not part of the default run: the release build alone takes
/// minutes).
fn packages() -> Result<Outcome> {
    let started = Instant::now();
    let result = crate::dist::build_packages().and_then(|_| crate::dist::install_test_deb());
    let ok = result.is_ok();
    let summary = match &result {
        Ok(took) => format!(
            "packages built, .deb install test passed in {}",
            util::secs(*took)
        ),
        Err(e) => format!("{e:#}"),
    };
    Ok(Outcome {
        name: "packages",
        ok,
        passed: u64::from(ok),
        failed: u64::from(!ok),
        summary,
        took: started.elapsed(),
        log: String::new(),
    })
}

/// Prints one suite's summary and fails when it failed.
fn only(o: Outcome) -> Result<()> {
    step("Summary");
    eprintln!(
        "{:<12} {:<4} {:>8}  {}",
        o.name,
        if o.ok { "ok" } else { "FAIL" },
        util::secs(o.took),
        o.summary
    );
    println!("tests: {} passed, {} failed", o.passed, o.failed);
    if !o.ok {
        bail!("the {} suite failed", o.name);
    }
    Ok(())
}

/// `cargo xtask bindings`: rewrite `ui/src/lib/bindings.ts` from the Rust side.
pub fn bindings() -> Result<()> {
    step("Regenerating ui/src/lib/bindings.ts");
    util::run(util::cargo().env("ENTRANCE_UPDATE_BINDINGS", "1").args([
        "test",
        "--package",
        "entrance-app",
        "--lib",
        "--",
        "typescript_bindings_are_current",
    ]))
}

/// The security suite: the attacker's regression tests, the listener flood
/// 20 runs in a row, then every fuzz target for a few seconds.
fn security(session: &TestSession) -> Result<Outcome> {
    let tests = suite(
        "security",
        &mut session.wrap(
            util::cargo()
                .args([
                    "test",
                    "--workspace",
                    "--features",
                    "entrance-app/custom-protocol",
                    "--test",
                    "security",
                    "--test",
                    "login_listener",
                    "--no-fail-fast",
                ])
                .env("ENTRANCE_LISTENER_LOAD_RUNS", "20"),
        ),
        parse_cargo,
    )?;
    let start = Instant::now();
    let fuzz = crate::fuzz::run_all(
        crate::fuzz::Budget::Seconds(crate::fuzz::SMOKE_SECONDS),
        crate::fuzz::TARGETS,
    );
    let (fuzz_ok, fuzz_summary) = match &fuzz {
        Ok(runs) => {
            let crashed: Vec<&str> = runs
                .iter()
                .filter(|r| r.crashed)
                .map(|r| r.target)
                .collect();
            let executions: u64 = runs.iter().map(|r| r.executions).sum();
            (
                crashed.is_empty(),
                if crashed.is_empty() {
                    format!(
                        "fuzz smoke: {} targets × {} s, {executions} executions, 0 crashes",
                        runs.len(),
                        crate::fuzz::SMOKE_SECONDS
                    )
                } else {
                    format!("fuzz smoke: CRASH in {}", crashed.join(", "))
                },
            )
        }
        Err(e) => (false, format!("fuzz smoke could not run: {e:#}")),
    };
    eprintln!("{fuzz_summary}");
    Ok(Outcome {
        ok: tests.ok && fuzz_ok,
        failed: tests.failed + u64::from(!fuzz_ok),
        summary: format!("{}; {fuzz_summary}", tests.summary),
        took: tests.took + start.elapsed(),
        ..tests
    })
}

/// `entrance-core` must not depend on Tauri or the WebView.
fn invariants() -> Result<Outcome> {
    step("Suite invariants: entrance-core has no Tauri, wry or WebKit dependency");
    let start = Instant::now();
    let tree = util::output(util::cargo().args([
        "tree",
        "--package",
        "entrance-core",
        "--edges",
        "normal,build",
        "--prefix",
        "none",
        "--format",
        "{p}",
    ]))?;
    let offending: Vec<&str> = tree
        .lines()
        .filter(|l| {
            let name = l.split_whitespace().next().unwrap_or("");
            FORBIDDEN_IN_CORE
                .iter()
                .any(|f| name == *f || name.starts_with(&format!("{f}-")))
        })
        .collect();
    let ok = offending.is_empty();
    let summary = if ok {
        format!(
            "entrance-core: {} crates, none of {}",
            tree.lines()
                .map(|l| l.split_whitespace().next().unwrap_or(""))
                .collect::<std::collections::BTreeSet<_>>()
                .len(),
            FORBIDDEN_IN_CORE.join("/")
        )
    } else {
        format!("entrance-core depends on {}", offending.join(", "))
    };
    eprintln!("{summary}");
    Ok(Outcome {
        name: "invariants",
        ok,
        passed: u64::from(ok),
        failed: u64::from(!ok),
        summary,
        took: start.elapsed(),
        log: String::new(),
    })
}

/// The end-to-end suite: the real app, under Xvfb, driven through tauri-driver.
///
/// A test binary that fails is run once more on its own: a desktop session
/// under Xvfb has timing the other suites do not. The summary names every
/// binary that needed the second run, so a flaky test stays visible.
fn e2e(session: &TestSession, app: &Path) -> Result<Outcome> {
    let first = suite(
        "e2e",
        &mut e2e_command(session, app, &["e2e_*"])?,
        parse_cargo,
    )?;
    if first.ok {
        return Ok(first);
    }
    let failed = failed_cargo_targets(&first.log);
    if failed.is_empty() || failed.len() > 2 {
        return Ok(first);
    }
    let names: Vec<&str> = failed.iter().map(String::as_str).collect();
    let second = suite("e2e", &mut e2e_command(session, app, &names)?, parse_cargo)?;
    // The second run repeats whole binaries: their tests that passed the
    // first time are counted once.
    let rerun = second.passed + second.failed;
    let passed_before = first.passed - rerun.saturating_sub(first.failed).min(first.passed);
    Ok(Outcome {
        ok: second.ok,
        passed: passed_before + second.passed,
        failed: second.failed,
        summary: format!(
            "{} passed, {} failed; {} failed at first and ran again ({}): {} of {rerun} passed",
            passed_before + second.passed,
            second.failed,
            first.failed,
            names.join(", "),
            second.passed,
        ),
        took: first.took + second.took,
        ..second
    })
}

/// `cargo test` of the named end-to-end test targets (globs allowed), wrapped
/// in Xvfb and the test session.
fn e2e_command(session: &TestSession, app: &Path, targets: &[&str]) -> Result<Command> {
    let driver =
        tauri_driver_path().context("tauri-driver is not installed (cargo xtask setup test)")?;
    let mut cmd = util::cargo();
    // `--workspace` keeps the feature set of the build above (no rebuild);
    // the end-to-end targets are the ones named `e2e_*`.
    cmd.args([
        "test",
        "--workspace",
        "--features",
        "entrance-app/custom-protocol",
    ]);
    for target in targets {
        cmd.args(["--test", target]);
    }
    cmd.args(["--no-fail-fast", "--", "--ignored", "--test-threads=1"])
        .env("ENTRANCE_APP", app)
        .env("TAURI_DRIVER", driver)
        .env("ENTRANCE_E2E_ARTIFACTS", target_dir().join("e2e"));
    let mut wrapped = Command::new("xvfb-run");
    wrapped
        .args(["-a", "-s", "-screen 0 1280x800x24"])
        .arg(cmd.get_program())
        .args(cmd.get_args());
    for (k, v) in cmd.get_envs() {
        if let Some(v) = v {
            wrapped.env(k, v);
        }
    }
    wrapped.current_dir(util::root());
    Ok(session.wrap(&mut wrapped))
}

/// The test targets cargo names as failed
/// (``error: test failed, to rerun pass `-p entrance-e2e --test e2e_inspect` ``).
fn failed_cargo_targets(log: &str) -> Vec<String> {
    let mut names: Vec<String> = log
        .lines()
        .filter(|l| l.trim_start().starts_with("error: test failed"))
        .filter_map(|l| l.split("--test ").nth(1))
        .map(|rest| rest.trim_end_matches('`').trim().to_string())
        .filter(|name| !name.is_empty())
        .collect();
    names.sort();
    names.dedup();
    names
}

/// Runs one suite, streaming its output and keeping it to read the summary.
fn suite(
    name: &'static str,
    cmd: &mut Command,
    parse: fn(&str) -> (u64, u64, String),
) -> Result<Outcome> {
    step(&format!("Suite {name}: {}", util::show(cmd)));
    let start = Instant::now();
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("could not start suite {name}"))?;
    let log = Arc::new(Mutex::new(String::new()));
    let pumps: Vec<_> = [
        Box::new(child.stdout.take().expect("piped")) as Box<dyn Read + Send>,
        Box::new(child.stderr.take().expect("piped")),
    ]
    .into_iter()
    .map(|stream| {
        let log = Arc::clone(&log);
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                let _ = writeln!(std::io::stderr(), "{line}");
                let mut log = log.lock().expect("log lock");
                log.push_str(&line);
                log.push('\n');
            }
        })
    })
    .collect();
    let status = child.wait()?;
    for p in pumps {
        let _ = p.join();
    }
    let text = strip_ansi(&log.lock().expect("log lock"));
    let (passed, failed, summary) = parse(&text);
    let ok = status.success() && failed == 0;
    Ok(Outcome {
        name,
        ok,
        passed,
        failed,
        summary,
        took: start.elapsed(),
        log: text,
    })
}

/// Sums every `test result:` line cargo printed.
fn parse_cargo(text: &str) -> (u64, u64, String) {
    let (mut passed, mut failed, mut ignored, mut binaries) = (0, 0, 0, 0);
    for line in text.lines().filter(|l| l.starts_with("test result:")) {
        binaries += 1;
        passed += number_before(line, " passed");
        failed += number_before(line, " failed");
        ignored += number_before(line, " ignored");
    }
    (
        passed,
        failed,
        format!("{passed} passed, {failed} failed, {ignored} ignored in {binaries} test binaries"),
    )
}

/// The last line that reports passed (or failed) tests, as Vitest and Playwright print it.
fn parse_last_passed(text: &str) -> (u64, u64, String) {
    let line = text
        .lines()
        .rev()
        .find(|l| l.contains(" passed") || l.contains(" failed"))
        .unwrap_or("no summary line found")
        .trim()
        .to_string();
    let failed_line = text.lines().rev().find(|l| {
        l.trim_start()
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit())
            && l.contains(" failed")
    });
    let failed = failed_line
        .map(|l| number_before(l, " failed"))
        .unwrap_or(0)
        .max(number_before(&line, " failed"));
    (number_before(&line, " passed"), failed, line)
}

/// svelte-check's closing line: `svelte-check found 0 errors and 0 warnings`.
fn parse_svelte_check(text: &str) -> (u64, u64, String) {
    let line = text
        .lines()
        .rev()
        .find(|l| l.contains("svelte-check found"))
        .unwrap_or("svelte-check printed no summary")
        .trim()
        .to_string();
    let errors = number_before(&line, " error") + number_before(&line, " warning");
    (u64::from(errors == 0), errors, line)
}

/// The number written just before `word` in `line` (0 when there is none).
fn number_before(line: &str, word: &str) -> u64 {
    let Some(at) = line.find(word) else { return 0 };
    line[..at]
        .rsplit(|c: char| !c.is_ascii_digit())
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            if chars.peek() == Some(&'[') {
                chars.next();
                for c in chars.by_ref() {
                    if c.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// A private D-Bus session with an unlocked gnome-keyring (a real Secret
/// Service) and private XDG folders, so tests never touch the user's keyring,
/// config or data.
struct TestSession {
    home: PathBuf,
}

impl TestSession {
    fn new() -> Result<Self> {
        let home = target_dir().join("xtask-test-session");
        let _ = std::fs::remove_dir_all(&home);
        for dir in ["data", "config", "cache", "runtime"] {
            std::fs::create_dir_all(home.join(dir))?;
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(home.join("runtime"), std::fs::Permissions::from_mode(0o700))?;
        }
        Ok(Self { home })
    }

    /// Wraps `cmd` so it runs inside the session (Linux with D-Bus tools), or
    /// as it is elsewhere.
    fn wrap(&self, cmd: &mut Command) -> Command {
        let mut wrapped;
        if cfg!(target_os = "linux")
            && util::have("dbus-run-session")
            && util::have("gnome-keyring-daemon")
        {
            wrapped = Command::new("dbus-run-session");
            wrapped
                .args(["--", "sh", "-c"])
                .arg(
                    "printf %s entrance-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; \
                     exec \"$@\"",
                )
                .arg("entrance-test-session")
                .arg(cmd.get_program())
                .args(cmd.get_args());
        } else {
            wrapped = Command::new(cmd.get_program());
            wrapped.args(cmd.get_args());
            if cfg!(target_os = "linux") {
                // No private bus could be started: keep the tests off the
                // user's own (they fail, saying the session bus is missing).
                wrapped.env_remove("DBUS_SESSION_BUS_ADDRESS");
            }
        }
        for (k, v) in cmd.get_envs() {
            match v {
                Some(v) => wrapped.env(k, v),
                None => wrapped.env_remove(k),
            };
        }
        wrapped
            .current_dir(
                cmd.get_current_dir()
                    .map(Path::to_path_buf)
                    .unwrap_or_else(util::root),
            )
            .env("XDG_DATA_HOME", self.home.join("data"))
            .env("XDG_CONFIG_HOME", self.home.join("config"))
            .env("XDG_CACHE_HOME", self.home.join("cache"))
            .env("XDG_RUNTIME_DIR", self.home.join("runtime"))
            // A desktop session exports where its own gnome-keyring listens;
            // `gnome-keyring-daemon --unlock` would then unlock the user's
            // login keyring with the test password instead of starting one
            // in the private XDG_DATA_HOME.
            .env_remove("GNOME_KEYRING_CONTROL")
            .env_remove("GNOME_KEYRING_PID")
            // Keychain tests fail (instead of skipping) when this is set and
            // no Secret Service answers.
            .env("ENTRANCE_TEST_KEYRING", "1");
        wrapped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actionlint_problems_are_counted_per_line() {
        let clean = parse_actionlint("");
        assert_eq!((clean.0, clean.1), (1, 0));
        let text = "/r/.github/workflows/release.yml:47:15: runtime \"node20\" is deprecated [action]\n   |\n47 |       - uses: actions/checkout@v4\n.github/workflows/ci.yml:3:1: unexpected key [syntax-check]\n";
        let (passed, failed, summary) = parse_actionlint(text);
        assert_eq!((passed, failed), (0, 2));
        assert_eq!(summary, "actionlint: 2 problem(s)");
    }

    #[test]
    fn the_failed_test_targets_are_read_from_cargo_s_advice() {
        let log = "test result: FAILED. 0 passed; 1 failed\n\
                   error: test failed, to rerun pass `-p entrance-e2e --test e2e_inspect`\n\
                   error: test failed, to rerun pass `-p entrance-e2e --test e2e_setup`\n\
                   error: 2 targets failed:\n    `-p entrance-e2e --test e2e_inspect`\n";
        assert_eq!(failed_cargo_targets(log), ["e2e_inspect", "e2e_setup"]);
        assert!(failed_cargo_targets("test result: ok. 3 passed").is_empty());
    }

    #[test]
    fn the_test_session_keeps_the_users_keyring_out_of_reach() {
        let home = std::env::temp_dir().join(format!("xtask-session-{}", std::process::id()));
        let session = TestSession { home: home.clone() };
        let mut cmd = Command::new("true");
        cmd.env("GNOME_KEYRING_CONTROL", "/run/user/1000/keyring");
        let wrapped = session.wrap(&mut cmd);
        let env: std::collections::HashMap<_, _> = wrapped
            .get_envs()
            .map(|(k, v)| (k.to_string_lossy().into_owned(), v.map(|v| v.to_owned())))
            .collect();
        for (var, dir) in [
            ("XDG_DATA_HOME", "data"),
            ("XDG_CONFIG_HOME", "config"),
            ("XDG_CACHE_HOME", "cache"),
            ("XDG_RUNTIME_DIR", "runtime"),
        ] {
            assert_eq!(
                env[var].as_deref(),
                Some(home.join(dir).as_os_str()),
                "{var}"
            );
        }
        assert_eq!(env["GNOME_KEYRING_CONTROL"], None, "removed, not inherited");
        assert_eq!(env["GNOME_KEYRING_PID"], None);
    }

    #[test]
    fn cargo_results_are_summed_over_binaries() {
        let log = "test result: ok. 2 passed; 0 failed; 1 ignored\n\
                   test result: FAILED. 1 passed; 1 failed; 0 ignored\n";
        let (passed, failed, summary) = parse_cargo(log);
        assert_eq!((passed, failed), (3, 1));
        assert_eq!(summary, "3 passed, 1 failed, 1 ignored in 2 test binaries");
    }
}
