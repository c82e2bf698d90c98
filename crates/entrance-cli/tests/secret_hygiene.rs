//! A client secret saved in the keychain never leaves it except to the token
//! endpoint: not into a file, not into output or logs, not into reports, not
//! onto a command line.
//!
//! The test saves a secret unique to this run with `entrance secret set`
//! (value on stdin), signs in with it through `entrance token
//! client-credentials`, and runs `entrance diagnose` with it writing Markdown
//! and JSON reports — against a sandbox tenant whose app accepts exactly that
//! secret, with every config, data, cache and temp folder private and
//! `RUST_LOG=trace`. Then every file in those folders, everything printed and
//! each process's command line and environment are searched for the secret,
//! its URL-encoded form and its base64. The same search is shown to find a
//! planted copy, so "nothing found" means something.
//!
//! Runs when `ENTRANCE_TEST_KEYRING=1` (set by `cargo xtask test`, inside a
//! private D-Bus session with gnome-keyring).

use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use entrance_sandbox::scenario::BUILTIN_TOML;
use entrance_sandbox::{Sandbox, Scenario};
use serde_json::Value;
use tokio::io::AsyncWriteExt;
use tokio::process::{Child, Command};

fn keyring_expected() -> bool {
    let on = std::env::var_os("ENTRANCE_TEST_KEYRING").is_some();
    if !on {
        eprintln!("skipped: set ENTRANCE_TEST_KEYRING=1 (cargo xtask test does) to test against the real keychain");
    }
    on
}

/// What a leak looks like: the value and the encodings it travels in.
struct Needles(Vec<(String, Vec<u8>)>);

impl Needles {
    fn of(secret: &str) -> Needles {
        // RFC 3986 percent-encoding keeps `~`; a form body (the token
        // request) encodes it too.
        let encode = |keep_tilde: bool| -> String {
            secret
                .bytes()
                .map(|b| match b {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => {
                        char::from(b).to_string()
                    }
                    b'~' if keep_tilde => "~".into(),
                    _ => format!("%{b:02X}"),
                })
                .collect()
        };
        let mut forms = vec![
            ("the secret".to_string(), secret.as_bytes().to_vec()),
            ("the secret URL-encoded".into(), encode(true).into_bytes()),
            ("the secret form-encoded".into(), encode(false).into_bytes()),
            (
                "the secret in base64".into(),
                STANDARD.encode(secret).into_bytes(),
            ),
            (
                "the secret in base64url".into(),
                URL_SAFE_NO_PAD.encode(secret).into_bytes(),
            ),
        ];
        let mut seen: Vec<Vec<u8>> = Vec::new();
        forms.retain(|(_, bytes)| {
            let new = !seen.contains(bytes);
            seen.push(bytes.clone());
            new
        });
        Needles(forms)
    }

    /// Which forms occur in `haystack`.
    fn found_in(&self, haystack: &[u8]) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(_, needle)| {
                haystack
                    .windows(needle.len())
                    .any(|w| w == needle.as_slice())
            })
            .map(|(name, _)| name.as_str())
            .collect()
    }
}

/// Every regular file under `root`, recursively, with what it holds.
fn search_tree(root: &Path, needles: &Needles) -> Vec<String> {
    let mut hits = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            match entry.file_type() {
                Ok(t) if t.is_dir() => stack.push(path),
                Ok(t) if t.is_file() => {
                    let bytes = std::fs::read(&path).unwrap_or_default();
                    for what in needles.found_in(&bytes) {
                        hits.push(format!("{what} in {}", path.display()));
                    }
                }
                _ => {}
            }
        }
    }
    hits
}

/// The folders one run may write to, all private.
struct Dirs {
    root: PathBuf,
}

impl Dirs {
    fn new(tag: &str) -> Dirs {
        let root =
            std::env::temp_dir().join(format!("entrance-cli-hygiene-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        for sub in [
            "config",
            "xdg-config",
            "xdg-data",
            "xdg-cache",
            "xdg-state",
            "tmp",
            "reports",
        ] {
            std::fs::create_dir_all(root.join(sub)).unwrap();
        }
        Dirs { root }
    }

    fn path(&self, sub: &str) -> PathBuf {
        self.root.join(sub)
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_entrance"));
        c.args(args)
            .env("ENTRANCE_CONFIG_DIR", self.path("config"))
            .env("XDG_CONFIG_HOME", self.path("xdg-config"))
            .env("XDG_DATA_HOME", self.path("xdg-data"))
            .env("XDG_CACHE_HOME", self.path("xdg-cache"))
            .env("XDG_STATE_HOME", self.path("xdg-state"))
            .env("TMPDIR", self.path("tmp"))
            .env("RUST_LOG", "trace")
            .env("RUST_BACKTRACE", "1")
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
}

impl Drop for Dirs {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// One process the test started: what it printed and what `/proc` showed
/// of it while it ran.
struct Run {
    what: String,
    output: Output,
    cmdline: Vec<u8>,
    environ: Vec<u8>,
}

/// `/proc/<pid>/cmdline` and `environ`, read while the process runs. Right
/// after `exec` the kernel may not have set the new command line yet: read
/// until it shows (or the process has ended).
async fn proc_of(child: &mut Child) -> (Vec<u8>, Vec<u8>) {
    let Some(pid) = child.id() else {
        return (Vec::new(), Vec::new());
    };
    let read = |file: &str| std::fs::read(format!("/proc/{pid}/{file}")).unwrap_or_default();
    for _ in 0..2000 {
        let cmdline = read("cmdline");
        if !cmdline.is_empty() {
            return (cmdline, read("environ"));
        }
        if !matches!(child.try_wait(), Ok(None)) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(1)).await;
    }
    (Vec::new(), Vec::new())
}

/// Starts `entrance ARGS`, reads its `/proc` entries while it runs (before
/// anything is written to its stdin), then feeds `stdin` and waits.
async fn run(dirs: &Dirs, args: &[&str], stdin: &str) -> Run {
    let mut child = dirs.cmd(args).spawn().expect("entrance starts");
    let (cmdline, environ) = proc_of(&mut child).await;
    let mut input = child.stdin.take().expect("stdin");
    input
        .write_all(stdin.as_bytes())
        .await
        .expect("stdin written");
    drop(input);
    let output = child.wait_with_output().await.expect("entrance ends");
    Run {
        what: format!("entrance {}", args.join(" ")),
        output,
        cmdline,
        environ,
    }
}

impl Run {
    fn expect_status(&self, code: i32) {
        assert_eq!(
            self.output.status.code(),
            Some(code),
            "{}:\nstdout:\n{}\nstderr:\n{}",
            self.what,
            String::from_utf8_lossy(&self.output.stdout),
            String::from_utf8_lossy(&self.output.stderr)
        );
    }

    fn search(&self, needles: &Needles) -> Vec<String> {
        let mut hits = Vec::new();
        for (place, bytes) in [
            ("stdout", &self.output.stdout),
            ("stderr", &self.output.stderr),
            ("/proc/<pid>/cmdline", &self.cmdline),
            ("/proc/<pid>/environ", &self.environ),
        ] {
            for what in needles.found_in(bytes) {
                hits.push(format!("{what} in the {place} of `{}`", self.what));
            }
        }
        hits
    }
}

#[test]
fn the_search_finds_a_planted_secret_in_every_form() {
    let secret = "Pl4nt8Q~planted/value+with=odd&chars";
    let needles = Needles::of(secret);
    let dirs = Dirs::new("plant");
    let nested = dirs.path("xdg-data/entrance/deep");
    std::fs::create_dir_all(&nested).unwrap();
    std::fs::write(nested.join("log.txt"), format!("…client_secret={secret}…")).unwrap();
    let mut binary = vec![0u8, 159, 146, 150];
    binary.extend_from_slice(STANDARD.encode(secret).as_bytes());
    std::fs::write(dirs.path("tmp/blob.bin"), binary).unwrap();
    std::fs::write(
        dirs.path("reports/r.md"),
        "secret=Pl4nt8Q~planted%2Fvalue%2Bwith%3Dodd%26chars",
    )
    .unwrap();
    let mut hits = search_tree(&dirs.root, &needles);
    hits.sort();
    assert_eq!(hits.len(), 3, "{hits:#?}");
    assert!(hits[0].starts_with("the secret URL-encoded in ") && hits[0].ends_with("r.md"));
    assert!(hits[1].starts_with("the secret in ") && hits[1].ends_with("log.txt"));
    assert!(hits[2].starts_with("the secret in base64 in ") && hits[2].ends_with("blob.bin"));
    assert!(search_tree(&dirs.path("config"), &needles).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_saved_secret_is_in_no_file_output_report_or_command_line() {
    if !keyring_expected() {
        return;
    }
    // A secret no earlier run can have left anywhere.
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let secret = format!("Hyg8Q~{nanos:x}.{:x}-only-this-run", std::process::id());
    let needles = Needles::of(&secret);

    // The sandbox's authentik app accepts exactly this secret.
    let builtin = Scenario::builtin();
    let original = builtin
        .app("authentik")
        .expect("the authentik app")
        .password_credentials[0]
        .value
        .expose()
        .to_string();
    let toml = BUILTIN_TOML.replace(&original, &secret);
    assert_ne!(toml, BUILTIN_TOML, "the app's secret was replaced");
    let sb = Sandbox::start(Scenario::from_toml(&toml).expect("the scenario parses"))
        .await
        .unwrap();
    let app = sb.scenario().app("authentik").cloned().unwrap();
    let authority = format!("{}/v2.0", sb.authority("contoso"));
    let name = format!("hygiene-{}", std::process::id());
    let dirs = Dirs::new("run");
    let md = dirs.path("reports/diagnosis.md");
    let json = dirs.path("reports/diagnosis.json");

    let mut runs = Vec::new();
    let set = run(&dirs, &["secret", "set", &name, "--force"], &secret).await;
    set.expect_status(0);
    runs.push(set);
    let scope = format!("api://{}/.default", app.app_id);
    let token = run(
        &dirs,
        &[
            "token",
            "client-credentials",
            "--authority",
            &authority,
            "--client-id",
            &app.app_id,
            "--secret-name",
            &name,
            "--scope",
            &scope,
        ],
        "",
    )
    .await;
    token.expect_status(0);
    runs.push(token);
    let diagnose = run(
        &dirs,
        &[
            "diagnose",
            "--authority",
            &authority,
            "--client-id",
            &app.app_id,
            "--secret-name",
            &name,
            "--report",
            md.to_str().unwrap(),
            "--report",
            json.to_str().unwrap(),
        ],
        "",
    )
    .await;
    diagnose.expect_status(0);
    runs.push(diagnose);
    let delete = run(&dirs, &["secret", "delete", &name], "").await;
    delete.expect_status(0);
    runs.push(delete);

    // The secret was really used: the token endpoint accepted it in both.
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let app_secret = report["results"]
        .as_array()
        .and_then(|r| r.iter().find(|r| r["id"] == "app_secret"))
        .cloned()
        .expect("the app and secret check");
    assert_eq!(app_secret["status"], "passed", "{app_secret}");
    assert!(std::fs::read_to_string(&md)
        .unwrap()
        .contains("| ✅ passed | App registration and client secret |"));

    // Each process that held the secret was seen in /proc while it ran
    // (`secret delete` may end before it can be read; it is searched too).
    for (r, sub) in runs.iter().zip(["secret", "token", "diagnose"]) {
        let args: Vec<&[u8]> = r.cmdline.split(|b| *b == 0).collect();
        assert!(
            args.contains(&sub.as_bytes()),
            "{}: cmdline not read",
            r.what
        );
        assert!(
            r.environ.windows(8).any(|w| w == b"RUST_LOG"),
            "{}: environ not read",
            r.what
        );
    }

    let mut hits = search_tree(&dirs.root, &needles);
    for r in &runs {
        hits.extend(r.search(&needles));
    }
    assert!(hits.is_empty(), "the secret leaked:\n{}", hits.join("\n"));
}
