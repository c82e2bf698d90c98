//! `entrance sandbox` as an admin runs it: the URL comes first and fast,
//! the discovery answers, a broken scenario says where, Ctrl-C/SIGTERM stop it.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

fn entrance(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_entrance"))
        .args(args)
        .output()
        .expect("the entrance binary runs")
}

/// A running `entrance sandbox serve`, stopped with SIGTERM on drop.
struct Served {
    child: Child,
    first_line: String,
    ready_after: Duration,
}

impl Served {
    fn start(args: &[&str]) -> Served {
        let started = Instant::now();
        let mut child = Command::new(env!("CARGO_BIN_EXE_entrance"))
            .args(["sandbox", "serve"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("entrance sandbox serve starts");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let first_line = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("a first line within 30 s")
            .trim()
            .to_string();
        Served {
            child,
            first_line,
            ready_after: started.elapsed(),
        }
    }

    fn terminate(&mut self) -> std::process::ExitStatus {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status;
            }
            assert!(Instant::now() < deadline, "SIGTERM stops the sandbox");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const CONTOSO: &str = "aaaaaaaa-0000-4000-8000-000000000001";

#[tokio::test]
async fn serve_prints_the_url_first_and_the_discovery_answers_within_a_second() {
    let mut served = Served::start(&[]);
    let url = served.first_line.clone();
    assert!(
        url.starts_with("http://127.0.0.1:"),
        "first line is the base URL: {url}"
    );
    let discovery = format!("{url}/{CONTOSO}/v2.0/.well-known/openid-configuration");
    let doc: serde_json::Value = reqwest::get(&discovery)
        .await
        .expect("discovery")
        .json()
        .await
        .expect("JSON");
    let ready = served.ready_after;
    eprintln!("entrance sandbox serve: base URL printed and serving after {ready:?}");
    assert_eq!(doc["issuer"], format!("{url}/{CONTOSO}/v2.0"));
    assert_eq!(doc["cloud_instance_name"], "microsoftonline.com");
    assert!(
        ready < Duration::from_secs(3),
        "ready in {ready:?} (budget: under a second; 3 s allows a loaded CI machine)"
    );
    let status = served.terminate();
    assert!(status.success(), "a clean stop on SIGTERM: {status:?}");
}

#[tokio::test]
async fn serve_json_prints_one_object_first() {
    let served = Served::start(&["--json"]);
    let v: serde_json::Value = serde_json::from_str(&served.first_line).expect("one JSON object");
    assert!(v["base_url"]
        .as_str()
        .is_some_and(|u| u.starts_with("http://127.0.0.1:")));
    assert!(v["graph_url"].is_string());
    assert_eq!(v["tenants"][0]["id"], CONTOSO);
}

#[tokio::test]
async fn serve_tls_writes_the_ca_and_serves_https() {
    let dir = std::env::temp_dir().join(format!("entrance-cli-sandbox-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let ca = dir.join("ca.pem");
    let served = Served::start(&["--tls", "--ca-out", ca.to_str().expect("utf-8 path")]);
    assert!(
        served.first_line.starts_with("https://127.0.0.1:"),
        "{}",
        served.first_line
    );
    let pem = std::fs::read(&ca).expect("the CA was written");
    let client = reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(&pem).expect("PEM")])
        .build()
        .expect("client");
    let r = client
        .get(format!(
            "{}/{CONTOSO}/v2.0/.well-known/openid-configuration",
            served.first_line
        ))
        .send()
        .await
        .expect("HTTPS with the CA");
    assert_eq!(r.status(), 200);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn scenario_prints_the_builtin_toml_which_parses() {
    let out = entrance(&["sandbox", "scenario"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).expect("UTF-8");
    assert!(text.contains("[[tenants]]") && text.contains("[[applications]]"));
    let parsed =
        entrance_sandbox::Scenario::from_toml(&text).expect("the printed scenario is valid");
    assert_eq!(parsed.tenants[0].id, CONTOSO);
}

#[test]
fn a_broken_scenario_file_names_line_and_field_and_exits_2() {
    let dir =
        std::env::temp_dir().join(format!("entrance-cli-bad-scenario-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("bad.toml");
    std::fs::write(&file, "[[tenants]]\nname = \"t\"\nid = \"not-a-guid\"\ndisplayName = \"T\"\ndomains = [\"t.example\"]\n").expect("write");
    let out = entrance(&[
        "sandbox",
        "serve",
        "--scenario",
        file.to_str().expect("path"),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty(), "no URL when it cannot start");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 3, field `tenants[0].id`"), "{err}");
    assert!(err.contains("entrance sandbox scenario"), "the fix: {err}");
    let out = entrance(&[
        "--json",
        "sandbox",
        "serve",
        "--scenario",
        file.to_str().expect("path"),
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    assert_eq!(v["error"]["code"], "input.invalid");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_taken_address_is_a_usage_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = taken.local_addr().expect("addr").to_string();
    let out = entrance(&["sandbox", "serve", "--addr", &addr]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains(&addr));
}

#[test]
fn ca_out_needs_tls_and_help_lists_the_subcommands() {
    let out = entrance(&["sandbox", "serve", "--ca-out", "x.pem"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "clap refuses --ca-out without --tls"
    );
    let out = entrance(&["sandbox", "--help"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("serve") && text.contains("scenario"),
        "{text}"
    );
    let out = entrance(&["--help"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("sandbox"));
}

/// The sandbox's passwords and secrets are public: a wildcard or other
/// non-loopback address is refused unless --allow-remote says so, and then
/// the admin is warned.
#[test]
fn a_non_loopback_address_needs_allow_remote_and_is_warned_about() {
    for addr in ["0.0.0.0:0", "[::]:0"] {
        let out = entrance(&["sandbox", "serve", "--addr", addr]);
        assert_eq!(out.status.code(), Some(2), "{addr} refused");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("--allow-remote") && err.contains("loopback"),
            "{err}"
        );
        assert!(out.stdout.is_empty(), "no URL printed, nothing served");
    }
    let out = entrance(&["sandbox", "serve", "--graph-addr", "0.0.0.0:0"]);
    assert_eq!(out.status.code(), Some(2));
    let mut served = Served::start(&["--addr", "0.0.0.0:0", "--allow-remote"]);
    assert!(
        served.first_line.starts_with("http://"),
        "{}",
        served.first_line
    );
    served.terminate();
    let mut err = String::new();
    use std::io::Read;
    let _ = served
        .child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut err);
    assert!(err.contains("Warning") && err.contains("public"), "{err}");
}
