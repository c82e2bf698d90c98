//! `entrance diagnose` as an admin runs it, against the sandbox tenant over
//! real HTTP: the exit status, the progress lines, the root cause with its
//! fix, `--json` and `--report`.
//!
//! Tests that read a client secret from the keychain run when
//! `ENTRANCE_TEST_KEYRING=1` (set by `cargo xtask test`, inside a private
//! D-Bus session with gnome-keyring).

use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

use entrance_sandbox::Sandbox;
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::process::Command;

/// A tenant ID no sandbox tenant has.
const UNKNOWN_TENANT: &str = "bbbbbbbb-0000-4000-8000-00000000dead";

fn keyring_expected() -> bool {
    let on = std::env::var_os("ENTRANCE_TEST_KEYRING").is_some();
    if !on {
        eprintln!("skipped: set ENTRANCE_TEST_KEYRING=1 (cargo xtask test does) to read client secrets from the real keychain");
    }
    on
}

/// A private config folder and scratch folder for one test; secrets saved
/// in it are deleted at the end.
struct Env {
    dir: PathBuf,
    secrets: Vec<String>,
}

impl Env {
    fn new(tag: &str) -> Env {
        let dir = std::env::temp_dir().join(format!(
            "entrance-cli-diagnose-{tag}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("config")).unwrap();
        Env {
            dir,
            secrets: Vec::new(),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// `entrance ARGS` with no proxy settings and a browser that exists, so
    /// the machine's own environment cannot turn a healthy run into warnings.
    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_entrance"));
        c.args(args)
            .env("ENTRANCE_CONFIG_DIR", self.dir.join("config"))
            .env("BROWSER", "true")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        for var in ["HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY"] {
            c.env_remove(var).env_remove(var.to_ascii_lowercase());
        }
        c
    }

    async fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).output().await.expect("entrance runs")
    }

    /// `entrance secret set NAME --force` with the value on stdin.
    async fn save_secret(&mut self, name: &str, value: &str) -> String {
        let name = format!("{name}-{}", std::process::id());
        let mut child = self
            .cmd(&["secret", "set", &name, "--force"])
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(value.as_bytes()).await.unwrap();
        drop(stdin);
        let out = child.wait_with_output().await.unwrap();
        assert!(
            out.status.success(),
            "secret set: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        self.secrets.push(name.clone());
        name
    }
}

impl Drop for Env {
    fn drop(&mut self) {
        for name in &self.secrets {
            let _ = std::process::Command::new(env!("CARGO_BIN_EXE_entrance"))
                .args(["secret", "delete", name])
                .env("ENTRANCE_CONFIG_DIR", self.dir.join("config"))
                .output();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn authority(sb: &Sandbox, tenant: &str) -> String {
    format!("{}/v2.0", sb.authority(tenant))
}

fn json_of(o: &Output) -> Value {
    serde_json::from_str(stdout(o).trim()).unwrap_or_else(|e| {
        panic!(
            "one JSON object on stdout ({e}):\n{}\nstderr:\n{}",
            stdout(o),
            stderr(o)
        )
    })
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_healthy_tenant_exits_0_with_a_line_per_check() {
    let sb = Sandbox::start_default().await.unwrap();
    let env = Env::new("healthy");
    let out = env
        .run(&["diagnose", "--authority", &authority(&sb, "contoso")])
        .await;
    let (text, progress) = (stdout(&out), stderr(&out));
    assert_eq!(out.status.code(), Some(0), "{text}\n{progress}");
    assert!(
        text.starts_with(&format!("Healthy: {}", authority(&sb, "contoso"))),
        "{text}"
    );
    assert!(text.contains("Every check that ran passed."), "{text}");
    // One line per check, as each finished, on stderr.
    let planned: usize = progress
        .lines()
        .find_map(|l| {
            l.strip_prefix("Running ")?
                .strip_suffix(" checks…")?
                .parse()
                .ok()
        })
        .unwrap_or_else(|| panic!("no plan line:\n{progress}"));
    let lines: Vec<&str> = progress
        .lines()
        .filter(|l| l.starts_with("passed ") || l.starts_with("skipped "))
        .collect();
    assert_eq!(lines.len(), planned, "{progress}");
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("passed    Tenant discovery at ")),
        "{progress}"
    );
    assert!(
        !progress.contains('\x1b'),
        "no colour when stderr is not a terminal"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_tenant_exits_1_with_the_root_cause_and_its_fix_on_stdout() {
    let sb = Sandbox::start_default().await.unwrap();
    let env = Env::new("unknown-tenant");
    let out = env
        .run(&["diagnose", "--authority", &authority(&sb, UNKNOWN_TENANT)])
        .await;
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}\n{}", stderr(&out));
    assert!(text.starts_with("Problems found: "), "{text}");
    let causes = text
        .split_once("Root causes, most important first:\n")
        .map(|(_, rest)| rest)
        .unwrap_or_else(|| panic!("no root causes:\n{text}"));
    let first = causes.trim_start();
    assert!(
        first.starts_with("1. Tenant discovery at ") && first.contains(" — failed"),
        "{text}"
    );
    assert!(first.contains(UNKNOWN_TENANT), "{text}");
    assert!(first.contains("   fix: "), "{text}");
    assert!(first.contains("AADSTS90002"), "{text}");
    assert!(
        first.contains("https://login.microsoftonline.com/error?code=90002"),
        "{text}"
    );
    // What depends on the tenant is blocked, and explained by it.
    assert!(first.contains("explains "), "{text}");
    assert!(
        stderr(&out).contains("blocked   Signing keys"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_is_one_diagnosis_object_with_every_result() {
    let sb = Sandbox::start_default().await.unwrap();
    let env = Env::new("json");
    let out = env
        .run(&[
            "diagnose",
            "--authority",
            &authority(&sb, UNKNOWN_TENANT),
            "--json",
        ])
        .await;
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let v = json_of(&out);
    assert_eq!(v["overall"], "problems");
    assert_eq!(v["authority"], authority(&sb, UNKNOWN_TENANT));
    let results = v["results"].as_array().expect("results");
    assert!(results.len() >= 8, "{v}");
    for r in results {
        for field in ["id", "title", "status", "summary"] {
            assert!(r[field].is_string(), "{field} in {r}");
        }
    }
    let tenant = results
        .iter()
        .find(|r| r["id"] == "tenant")
        .expect("the tenant check");
    assert_eq!(tenant["status"], "failed");
    assert_eq!(v["root_causes"][0]["check_id"], "tenant");
    assert_eq!(v["root_causes"][0]["finding"]["aadsts"], 90002);
    assert!(v["root_causes"][0]["finding"]["fix"]
        .as_str()
        .is_some_and(|f| !f.is_empty()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reports_are_written_as_markdown_and_json() {
    let sb = Sandbox::start_default().await.unwrap();
    let env = Env::new("reports");
    let md = env.path("out/diagnosis.md");
    let json = env.path("out/diagnosis.json");
    let out = env
        .run(&[
            "diagnose",
            "--authority",
            &authority(&sb, UNKNOWN_TENANT),
            "--report",
            md.to_str().unwrap(),
            "--report",
            json.to_str().unwrap(),
        ])
        .await;
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    for path in [&md, &json] {
        assert!(
            stderr(&out).contains(&format!("Report written to {}", path.display())),
            "{}",
            stderr(&out)
        );
    }
    let text = read(&md);
    assert!(
        text.starts_with("# Entrance diagnosis: problems found\n"),
        "{text}"
    );
    let root = text.find("## Root causes").expect("root causes");
    let table = text.find("## Checks").expect("checks table");
    assert!(root < table, "root causes come first:\n{text}");
    assert!(text.contains("- **Fix:** "), "{text}");
    assert!(
        text.contains("| ❌ failed | Tenant discovery at "),
        "{text}"
    );
    let v: Value = serde_json::from_str(&read(&json)).expect("the JSON report parses");
    assert_eq!(v["overall"], "problems");
    assert_eq!(v["root_causes"][0]["check_id"], "tenant");
    // Nothing else is left behind in the folder (the writes were atomic).
    let mut names: Vec<String> = std::fs::read_dir(env.path("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["diagnosis.json", "diagnosis.md"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_stops_the_checks_and_still_prints_and_writes_what_finished() {
    // A server that accepts connections and never answers: the HTTP check
    // waits (its timeout is a minute) until the admin presses Ctrl-C.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = silent.local_addr().unwrap();
    let held = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((conn, _)) = silent.accept().await {
            open.push(conn);
        }
    });
    let env = Env::new("ctrl-c");
    let md = env.path("stopped.md");
    let mut child = env
        .cmd(&[
            "diagnose",
            "--authority",
            &format!("http://{addr}/contoso.onmicrosoft.com/v2.0"),
            "--timeout",
            "60",
            "--report",
            md.to_str().unwrap(),
        ])
        .spawn()
        .unwrap();
    let mut progress = BufReader::new(child.stderr.take().unwrap());
    let mut seen = String::new();
    let connected = tokio::time::timeout(std::time::Duration::from_secs(30), async {
        let mut line = String::new();
        while progress.read_line(&mut line).await.unwrap_or(0) > 0 {
            seen.push_str(&line);
            if line.starts_with("passed    Connect to ") {
                return true;
            }
            line.clear();
        }
        false
    })
    .await;
    assert_eq!(connected, Ok(true), "{seen}");
    let pid = child.id().expect("running").to_string();
    let kill = std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .expect("kill runs");
    assert!(kill.success());
    let mut rest = String::new();
    progress.read_to_string(&mut rest).await.unwrap();
    let mut text = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut text)
        .await
        .unwrap();
    let status = child.wait().await.unwrap();
    held.abort();
    assert_eq!(status.code(), Some(130), "{text}\n{seen}{rest}");
    assert!(text.starts_with("Stopped before it finished: "), "{text}");
    assert!(
        rest.contains(&format!("cancelled HTTP answer from {addr}")),
        "{rest}"
    );
    let report = read(&md);
    assert!(
        report.starts_with("# Entrance diagnosis: stopped before it finished\n"),
        "{report}"
    );
    assert!(
        report.contains(&format!("| ✅ passed | Connect to {addr} |")),
        "{report}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unusable_input_exits_2_with_a_clear_error_and_no_diagnosis() {
    let sb = Sandbox::start_default().await.unwrap();
    let env = Env::new("bad-input");
    let good = authority(&sb, "contoso");
    let missing = env.path("no-such-token.txt");
    let cases: [(&[&str], &str); 6] = [
        (&["diagnose"], "authority"),
        (
            &[
                "diagnose",
                "--authority",
                "login.microsoftonline.com/contoso",
            ],
            "is not a URL",
        ),
        (
            &[
                "diagnose",
                "--authority",
                "http://login.example.com/contoso",
            ],
            "uses http",
        ),
        (
            &[
                "diagnose",
                "--authority",
                &good,
                "--target",
                "wordpress",
                "--base-url",
                "https://wp.example.com",
            ],
            "`wordpress` is not a target Entrance knows",
        ),
        (
            &["diagnose", "--authority", &good, "--client-id", "grafana"],
            "`grafana` is not a GUID",
        ),
        (
            &[
                "diagnose",
                "--authority",
                &good,
                "--graph-token-file",
                missing.to_str().unwrap(),
            ],
            "cannot be read",
        ),
    ];
    for (args, says) in cases {
        let out = env.run(args).await;
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stdout(&out).is_empty(), "{args:?} printed {}", stdout(&out));
        let err = stderr(&out);
        assert!(err.starts_with("error: "), "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: {err}");
        assert!(err.contains("  fix: "), "{args:?}: {err}");
        assert!(!err.contains("Running "), "{args:?} ran checks: {err}");
    }
    // The same as one JSON object with --json.
    let out = env
        .run(&["diagnose", "--tenant", "not a tenant!", "--json"])
        .await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(json_of(&out)["error"]["code"], "input.invalid");
    // A folder is not a report file.
    let folder = env.path("config");
    let out = env
        .run(&[
            "diagnose",
            "--authority",
            &good,
            "--report",
            folder.to_str().unwrap(),
        ])
        .await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("is a folder, not a file"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_and_its_secret_from_the_keychain_pass_and_a_wrong_secret_is_the_root_cause() {
    if !keyring_expected() {
        return;
    }
    let sb = Sandbox::start_default().await.unwrap();
    let mut env = Env::new("secret");
    let app = sb.scenario().app("authentik").cloned().unwrap();
    let right = env
        .save_secret("authentik", app.password_credentials[0].value.expose())
        .await;
    let wrong = env
        .save_secret("authentik-wrong", "Wrg8Q~not-the-authentik-secret-at-all")
        .await;
    let diagnose = |name: &str| {
        env.cmd(&[
            "diagnose",
            "--authority",
            &authority(&sb, "contoso"),
            "--client-id",
            &app.app_id,
            "--secret-name",
            name,
            "--json",
        ])
    };
    let out = diagnose(&right).output().await.unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let v = json_of(&out);
    let check = v["results"]
        .as_array()
        .and_then(|r| r.iter().find(|r| r["id"] == "app_secret"))
        .cloned()
        .expect("the app and secret check");
    assert_eq!(check["status"], "passed", "{check}");

    let out = diagnose(&wrong).output().await.unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let v = json_of(&out);
    assert_eq!(v["root_causes"][0]["check_id"], "app_secret", "{v}");
    assert_eq!(v["root_causes"][0]["finding"]["aadsts"], 7000215, "{v}");
    let text = stdout(&out);
    assert!(!text.contains("Wrg8Q~not-the-authentik-secret-at-all"));
}
