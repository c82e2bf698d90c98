//! `entrance secret` as an admin uses it, against the real keychain (a real
//! Secret Service in `cargo xtask test`), and without one.

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

const VALUE: &str = "Zz9Q~cli-test-value-never-in-argv-or-files";

fn keyring_expected() -> bool {
    let on = std::env::var_os("ENTRANCE_TEST_KEYRING").is_some();
    if !on {
        eprintln!("skipped: set ENTRANCE_TEST_KEYRING=1 (cargo xtask test does) to test against the real keychain");
    }
    on
}

struct Env {
    config: PathBuf,
}

impl Env {
    fn new(tag: &str) -> Self {
        let config =
            std::env::temp_dir().join(format!("entrance-cli-secret-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&config);
        std::fs::create_dir_all(&config).unwrap();
        Self { config }
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_entrance"));
        c.args(args).env("ENTRANCE_CONFIG_DIR", &self.config);
        c
    }

    fn run(&self, args: &[&str], stdin: &str) -> Output {
        let mut child = self
            .cmd(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    }
}

impl Drop for Env {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.config);
    }
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn all_text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn set_from_stdin_then_status_list_and_delete_never_show_the_value() {
    if !keyring_expected() {
        return;
    }
    let env = Env::new("roundtrip");
    let name = format!("cli-roundtrip-{}", std::process::id());

    let set = env.run(
        &["secret", "set", &name, "--expires", "2099-01-31", "--json"],
        &format!("{VALUE}\n"),
    );
    assert!(set.status.success(), "{}", all_text(&set));
    let set = json(&set);
    assert_eq!(set["status"]["present"], true);
    assert_eq!(set["status"]["expires_on"], "2099-01-31");

    let status = env.run(&["secret", "status", &name, "--json"], "");
    assert!(status.status.success());
    assert_eq!(json(&status)["expiry"]["state"], "valid");
    assert!(!all_text(&status).contains(VALUE));

    let list = env.run(&["secret", "list"], "");
    let text = all_text(&list);
    assert!(
        text.contains(&name) && text.contains("stored in the OS keychain"),
        "{text}"
    );
    assert!(!text.contains(VALUE));

    // Nothing Entrance wrote holds the value.
    for entry in std::fs::read_dir(&env.config).unwrap().flatten() {
        let bytes = std::fs::read(entry.path()).unwrap();
        assert!(
            !String::from_utf8_lossy(&bytes).contains(VALUE),
            "{} holds the secret",
            entry.path().display()
        );
    }

    let del = env.run(&["secret", "delete", &name], "");
    assert!(del.status.success(), "{}", all_text(&del));
    let gone = env.run(&["secret", "status", &name, "--json"], "");
    assert_eq!(gone.status.code(), Some(1));
    assert_eq!(json(&gone)["error"]["code"], "secret.not_found");
}

#[test]
fn a_secret_id_is_refused_with_the_fix_and_nothing_is_stored() {
    if !keyring_expected() {
        return;
    }
    let env = Env::new("secret-id");
    let name = format!("cli-secret-id-{}", std::process::id());
    let out = env.run(
        &["secret", "set", &name],
        "0b7c2f4e-1d2a-4c3b-9e8f-7a6b5c4d3e2f\n",
    );
    assert_eq!(out.status.code(), Some(2));
    let text = all_text(&out);
    assert!(text.contains("Secret ID"), "{text}");
    assert!(text.contains("Value column"), "{text}");
    assert!(text.contains("--force"), "{text}");
    let status = env.run(&["secret", "status", &name, "--json"], "");
    assert_eq!(json(&status)["error"]["code"], "secret.not_found");
}

#[test]
fn the_value_is_never_taken_from_the_command_line() {
    let env = Env::new("argv");
    let out = env.run(&["secret", "set", "prod-grafana", VALUE], "");
    assert_eq!(
        out.status.code(),
        Some(2),
        "a value in argv must be a usage error"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("unexpected argument"));
}

#[cfg(target_os = "linux")]
#[test]
fn without_a_session_bus_the_error_says_so_and_how_to_fix_it() {
    let env = Env::new("no-bus");
    let out = env
        .cmd(&["secret", "list", "--json"])
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env("XDG_RUNTIME_DIR", &env.config)
        .output()
        .unwrap();
    // The list reads the index only when it is empty; force a keychain call.
    let out = if out.status.success() {
        env.cmd(&["secret", "status", "anything", "--json"])
            .env_remove("DBUS_SESSION_BUS_ADDRESS")
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY")
            .env("XDG_RUNTIME_DIR", &env.config)
            .output()
            .unwrap()
    } else {
        out
    };
    let body = json(&out);
    assert_eq!(body["error"]["code"], "keychain.no_session_bus", "{body}");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("no D-Bus session"));
    assert!(body["error"]["fix"]
        .as_str()
        .unwrap()
        .contains("dbus-run-session"));
}

/// A private D-Bus session bus with no services at all: no Secret Service can
/// be started on it.
#[cfg(target_os = "linux")]
struct BareBus {
    daemon: std::process::Child,
    address: String,
    dir: PathBuf,
}

#[cfg(target_os = "linux")]
impl BareBus {
    fn start() -> Option<Self> {
        let dir = std::env::temp_dir().join(format!("entrance-bare-bus-{}", std::process::id()));
        std::fs::create_dir_all(&dir).ok()?;
        let config = dir.join("session.conf");
        std::fs::write(
            &config,
            format!(
                r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir={}</listen>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>"#,
                dir.display()
            ),
        )
        .ok()?;
        let mut daemon = Command::new("dbus-daemon")
            .arg(format!("--config-file={}", config.display()))
            .args(["--print-address=1", "--nofork"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let mut address = String::new();
        BufReader::new(daemon.stdout.take()?)
            .read_line(&mut address)
            .ok()?;
        Some(Self {
            daemon,
            address: address.trim().to_string(),
            dir,
        })
    }
}

#[cfg(target_os = "linux")]
impl Drop for BareBus {
    fn drop(&mut self) {
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[cfg(target_os = "linux")]
#[test]
fn without_a_secret_service_the_error_says_so_and_nothing_falls_back_to_a_file() {
    if !keyring_expected() {
        return;
    }
    let bus = BareBus::start().expect("dbus-daemon starts (apt: dbus)");
    let env = Env::new("no-service");
    let mut child = env
        .cmd(&["secret", "set", "no-service-test", "--json"])
        .env("DBUS_SESSION_BUS_ADDRESS", &bus.address)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(VALUE.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let body = json(&out);
    assert_eq!(
        body["error"]["code"], "keychain.no_secret_service",
        "{body}"
    );
    assert!(body["error"]["fix"]
        .as_str()
        .unwrap()
        .contains("gnome-keyring"));
    // No plaintext fallback: nothing holding the value was written.
    for entry in std::fs::read_dir(&env.config).unwrap().flatten() {
        let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
        assert!(!text.contains(VALUE));
    }
}

/// An app-only Microsoft Graph token of the sandbox's automation app
/// (Application.Read.All, docs/entra.md#azure-cli-and-graph-equivalents), by client credentials over HTTP.
async fn automation_graph_token(sb: &entrance_sandbox::Sandbox) -> String {
    let app = sb
        .scenario()
        .app("entrance-automation")
        .cloned()
        .expect("app");
    let secret = app.password_credentials[0].value.expose().to_string();
    let body: serde_json::Value = reqwest::Client::new()
        .post(format!("{}/oauth2/v2.0/token", sb.authority("contoso")))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", app.app_id.as_str()),
            ("client_secret", secret.as_str()),
            ("scope", "https://graph.microsoft.com/.default"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["access_token"]
        .as_str()
        .expect("a Graph token")
        .to_string()
}

/// `entrance secret expiry NAME --from-registration`: the end date comes from
/// the app registration through Graph (the saved value matched by its hint);
/// an expired registration entry shows as expired; a token without the
/// permission gets Graph's 403 explained; nothing puts the token in argv.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expiry_is_read_from_the_app_registration_through_graph() {
    if !keyring_expected() {
        return;
    }
    let sb = entrance_sandbox::Sandbox::start_default().await.unwrap();
    let env = Env::new("expiry-registration");
    let token = automation_graph_token(&sb).await;
    let scenario = sb.scenario();
    let value_of = |app: &str, i: usize| {
        scenario.app(app).expect("app").password_credentials[i]
            .value
            .expose()
            .to_string()
    };
    let grafana_id = scenario.app("grafana").unwrap().app_id.clone();
    let keep_id = scenario.app("keep-misconfigured").unwrap().app_id.clone();
    let name = format!("expiry-grafana-{}", std::process::id());
    let old = format!("expiry-keep-old-{}", std::process::id());
    assert!(env
        .run(&["secret", "set", &name], &value_of("grafana", 0))
        .status
        .success());
    let keep_old = scenario
        .app("keep-misconfigured")
        .unwrap()
        .password_credentials
        .iter()
        .find(|c| c.hint == "Old")
        .map(|c| c.value.expose().to_string())
        .expect("the expired Keep secret");
    assert!(env
        .run(&["secret", "set", &old, "--force"], &keep_old)
        .status
        .success());

    let expiry = |name: &str, client: &str, token: Option<&str>| {
        let mut c = env.cmd(&[
            "secret",
            "expiry",
            name,
            "--from-registration",
            "--client-id",
            client,
            "--graph-token-env",
            "ENTRANCE_TEST_GRAPH_TOKEN",
            "--graph-url",
            sb.graph_url(),
            "--json",
        ]);
        match token {
            Some(t) => c.env("ENTRANCE_TEST_GRAPH_TOKEN", t),
            None => c.env_remove("ENTRANCE_TEST_GRAPH_TOKEN"),
        };
        c.output().unwrap()
    };
    let out = expiry(&name, &grafana_id, Some(&token));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let status: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(status["expires_on"], "2099-12-31", "{status}");
    assert_eq!(status["expiry_source"], "registration", "{status}");
    assert!(!String::from_utf8_lossy(&out.stdout).contains(&token));

    let out = expiry(&old, &keep_id, Some(&token));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let status: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(status["expires_on"], "2024-01-31", "{status}");
    assert_eq!(status["expiry"]["state"], "expired", "{status}");

    // The Grafana secret saved under `name` is not one of Keep's.
    let out = expiry(&name, &keep_id, Some(&token));
    assert_eq!(out.status.code(), Some(2));
    // --json: the error is one object on stdout.
    let err = String::from_utf8_lossy(&out.stdout);
    assert!(
        err.contains("matches") && err.contains("--on YYYY-MM-DD"),
        "{err}"
    );

    // A token Graph does not accept: refused, and the error says what to give.
    let out = expiry(&name, &grafana_id, Some("not-a-graph-token"));
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stdout);
    assert!(
        err.contains("Microsoft Graph could not read the app registration"),
        "{err}"
    );

    let _ = env.run(&["secret", "delete", &name], "");
    let _ = env.run(&["secret", "delete", &old], "");
}
