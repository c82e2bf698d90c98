//! `entrance login` and `entrance token` as an admin runs them, against the
//! sandbox tenant over real HTTP, with the sign-in page completed by headless
//! Chromium that `entrance` reaches through `BROWSER`.
//!
//! Tests that read a client secret from the keychain run when
//! `ENTRANCE_TEST_KEYRING=1` (set by `cargo xtask test`, inside a private
//! D-Bus session with gnome-keyring); Chromium tests skip only when
//! `/usr/bin/chromium` is absent.

#[path = "support/chromium.rs"]
mod chromium;

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use chromium::{BrowserHandoff, Chromium};
use entrance_sandbox::Sandbox;
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::process::Command;

const KEEP_REDIRECT: &str = "http://localhost/api/auth/callback/microsoft-entra-id";
const GRAFANA_REDIRECT: &str = "http://localhost/login/azuread";

fn keyring_expected() -> bool {
    let on = std::env::var_os("ENTRANCE_TEST_KEYRING").is_some();
    if !on {
        eprintln!("skipped: set ENTRANCE_TEST_KEYRING=1 (cargo xtask test does) to read client secrets from the real keychain");
    }
    on
}

/// A private config folder (the secrets index) for one test.
struct Env {
    config: PathBuf,
    secrets: Vec<String>,
}

impl Env {
    fn new(tag: &str) -> Env {
        let config =
            std::env::temp_dir().join(format!("entrance-cli-login-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&config);
        std::fs::create_dir_all(&config).unwrap();
        Env {
            config,
            secrets: Vec::new(),
        }
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_entrance"));
        c.args(args)
            .env("ENTRANCE_CONFIG_DIR", &self.config)
            .env_remove("BROWSER")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        c
    }

    /// `entrance secret set NAME --force` with the value on stdin.
    async fn save_secret(&mut self, name: &str, value: &str) {
        let name = format!("{name}-{}", std::process::id());
        let mut child = self
            .cmd(&["secret", "set", &name, "--force"])
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(value.as_bytes())
            .await
            .unwrap();
        let out = child.wait_with_output().await.unwrap();
        assert!(
            out.status.success(),
            "secret set: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        self.secrets.push(name);
    }

    fn secret_name(&self, i: usize) -> &str {
        &self.secrets[i]
    }
}

impl Drop for Env {
    fn drop(&mut self) {
        for name in &self.secrets {
            let _ = std::process::Command::new(env!("CARGO_BIN_EXE_entrance"))
                .args(["secret", "delete", name])
                .env("ENTRANCE_CONFIG_DIR", &self.config)
                .output();
        }
        let _ = std::fs::remove_dir_all(&self.config);
    }
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    /// What the browser ended on, if a browser was used.
    page: Option<String>,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_str(self.stdout.trim()).unwrap_or_else(|e| {
            panic!(
                "one JSON object ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }
}

fn user(sb: &Sandbox, name: &str) -> (String, String) {
    let u = sb.scenario().user(name).cloned().expect("user");
    (u.user_principal_name, u.password.expose().to_string())
}

fn app_id(sb: &Sandbox, name: &str) -> String {
    sb.scenario().app(name).expect("app").app_id.clone()
}

fn authority(sb: &Sandbox) -> String {
    format!("{}/v2.0", sb.authority("contoso"))
}

/// Runs `entrance ARGS` with `BROWSER` handing the URL to Chromium, which
/// signs in as `who`.
async fn with_chromium(env: &Env, args: &[&str], sb: &Sandbox, who: &str) -> Run {
    let handoff = BrowserHandoff::new();
    let mut cmd = env.cmd(args);
    cmd.env("BROWSER", handoff.command());
    let mut child = cmd.spawn().expect("entrance runs");
    let browser = Chromium::start().await;
    let (upn, password) = user(sb, who);
    let page = match handoff.url(Duration::from_secs(30)).await {
        Some(url) => Some(browser.sign_in(&url, &upn, &password).await),
        None => None,
    };
    let mut stdout = String::new();
    let mut stderr = String::new();
    let (mut o, mut e) = (child.stdout.take().unwrap(), child.stderr.take().unwrap());
    let status = tokio::time::timeout(Duration::from_secs(120), async {
        let _ = tokio::join!(o.read_to_string(&mut stdout), e.read_to_string(&mut stderr));
        child.wait().await
    })
    .await
    .expect("entrance finished within two minutes")
    .expect("exit status");
    browser.close().await;
    Run {
        code: status.code(),
        stdout,
        stderr,
        page,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_public_client_signs_in_through_the_browser() {
    if !chromium::available() {
        return;
    }
    let sb = Sandbox::start_default().await.unwrap();
    let env = Env::new("public");
    let run = with_chromium(
        &env,
        &[
            "login",
            "--authority",
            &authority(&sb),
            "--client-id",
            &app_id(&sb, "entrance"),
            "--public",
            "--json",
        ],
        &sb,
        "alice",
    )
    .await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let out = run.json();
    assert_eq!(out["ok"], true);
    let s = &out["summary"];
    assert_eq!(s["signed_in_as"], "alice@contoso.sandbox");
    assert_eq!(s["flow"], "authorization_code");
    assert_eq!(s["id_token"]["claims"]["aud"], app_id(&sb, "entrance"));
    assert_eq!(s["id_token_verification"]["issuer"], sb.issuer("contoso"));
    assert_eq!(s["id_token_verification"]["nonce_checked"], true);
    // Redacted: header and claims, never the signature; no refresh token value.
    let tokens = &out["tokens"];
    assert_eq!(tokens["redacted"], true);
    assert!(tokens["id_token"]
        .as_str()
        .unwrap()
        .ends_with(".[signature redacted]"));
    assert_eq!(tokens["refresh_token"], "[redacted]");
    assert!(!run.stdout.contains("\"raw\""));
    // The URL is printed for machines where no browser opens, with the
    // redirect URI to register (docs/entra.md#redirect-uris).
    assert!(
        run.stderr.contains("/oauth2/v2.0/authorize?"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("http://localhost under Mobile and desktop applications"),
        "{}",
        run.stderr
    );
    assert!(run
        .page
        .unwrap()
        .contains("Signed in as alice@contoso.sandbox"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_confidential_client_signs_in_with_its_secret_from_the_keychain() {
    if !chromium::available() || !keyring_expected() {
        return;
    }
    let sb = Sandbox::start_default().await.unwrap();
    let mut env = Env::new("confidential");
    let value = sb.scenario().app("keep").unwrap().password_credentials[0]
        .value
        .expose()
        .to_string();
    env.save_secret("keep", &value).await;
    let name = env.secret_name(0).to_string();
    let run = with_chromium(
        &env,
        &[
            "login",
            "--authority",
            &authority(&sb),
            "--client-id",
            &app_id(&sb, "keep"),
            "--secret-name",
            &name,
            "--redirect-uri",
            KEEP_REDIRECT,
        ],
        &sb,
        "alice",
    )
    .await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(
        run.stdout.starts_with("Signed in as alice@contoso.sandbox"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("client_secret_post"), "{}", run.stdout);
    assert!(run.stdout.contains("verified"), "{}", run.stdout);
    assert!(
        !run.stdout.contains(&value) && !run.stderr.contains(&value),
        "the secret is never printed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_secret_id_saved_instead_of_the_value_is_7000215_explained() {
    if !chromium::available() || !keyring_expected() {
        return;
    }
    let sb = Sandbox::start_default().await.unwrap();
    let mut env = Env::new("secret-id");
    let key_id = sb.scenario().app("keep").unwrap().password_credentials[0]
        .key_id
        .clone();
    env.save_secret("keep-id", &key_id).await;
    let name = env.secret_name(0).to_string();
    let run = with_chromium(
        &env,
        &[
            "login",
            "--authority",
            &authority(&sb),
            "--client-id",
            &app_id(&sb, "keep"),
            "--secret-name",
            &name,
            "--redirect-uri",
            KEEP_REDIRECT,
            "--json",
        ],
        &sb,
        "alice",
    )
    .await;
    assert_eq!(run.code, Some(1));
    let e = &run.json()["error"];
    assert_eq!(e["code"], "login.rejected");
    assert_eq!(e["aadsts"], 7000215);
    assert!(e["message"].as_str().unwrap().contains("AADSTS7000215"));
    assert!(e["cause"].is_string());
    let fix = e["fix"].as_str().unwrap();
    assert!(
        fix.contains(&format!("`{name}` is a GUID")) && fix.contains("Secret ID"),
        "{fix}"
    );
    assert!(
        run.page.unwrap().contains("AADSTS7000215"),
        "the browser is told too"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_web_registration_without_a_secret_is_7000218_explained() {
    if !chromium::available() {
        return;
    }
    let sb = Sandbox::start_default().await.unwrap();
    let env = Env::new("no-secret");
    let run = with_chromium(
        &env,
        &[
            "login",
            "--authority",
            &authority(&sb),
            "--client-id",
            &app_id(&sb, "keep"),
            "--public",
            "--redirect-uri",
            KEEP_REDIRECT,
        ],
        &sb,
        "alice",
    )
    .await;
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.contains("AADSTS7000218"), "{}", run.stderr);
    assert!(
        run.stderr.contains("fix: `http://localhost:"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("registered under Web"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_secret_on_a_public_client_is_700025_explained() {
    if !chromium::available() || !keyring_expected() {
        return;
    }
    let sb = Sandbox::start_default().await.unwrap();
    let mut env = Env::new("public-secret");
    env.save_secret(
        "entrance-extra",
        "Xyz8Q~a-secret-a-desktop-app-must-not-send",
    )
    .await;
    let name = env.secret_name(0).to_string();
    let run = with_chromium(
        &env,
        &[
            "login",
            "--authority",
            &authority(&sb),
            "--client-id",
            &app_id(&sb, "entrance"),
            "--secret-name",
            &name,
            "--redirect-uri",
            "http://localhost",
            "--json",
        ],
        &sb,
        "alice",
    )
    .await;
    assert_eq!(run.code, Some(1));
    let e = &run.json()["error"];
    assert_eq!(e["aadsts"], 700025);
    assert!(e["fix"].as_str().unwrap().contains("--public"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_spa_redirect_is_9002327_explained() {
    if !chromium::available() {
        return;
    }
    let sb = Sandbox::start_default().await.unwrap();
    let env = Env::new("spa");
    let run = with_chromium(
        &env,
        &[
            "login",
            "--authority",
            &authority(&sb),
            "--client-id",
            &app_id(&sb, "grafana-misconfigured"),
            "--public",
            "--redirect-uri",
            GRAFANA_REDIRECT,
            "--json",
        ],
        &sb,
        "alice",
    )
    .await;
    assert_eq!(run.code, Some(1));
    let e = &run.json()["error"];
    assert_eq!(e["aadsts"], 9002327);
    assert!(e["fix"]
        .as_str()
        .unwrap()
        .contains("Single-page application"));
    assert_eq!(e["redirect"]["platform"], "mobile_and_desktop");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unregistered_redirect_is_50011_with_the_platform_and_path_to_fix() {
    if !chromium::available() {
        return;
    }
    let sb = Sandbox::start_default().await.unwrap();
    let env = Env::new("50011");
    let run = with_chromium(
        &env,
        &[
            "login",
            "--authority",
            &authority(&sb),
            "--client-id",
            &app_id(&sb, "entrance"),
            "--public",
            "--redirect-uri",
            "http://localhost/entrance/callback",
            "--json",
        ],
        &sb,
        "alice",
    )
    .await;
    assert_eq!(run.code, Some(1));
    let e = &run.json()["error"];
    assert_eq!(e["aadsts"], 50011);
    assert_eq!(e["redirect"]["uri"], "http://localhost/entrance/callback");
    assert_eq!(e["redirect"]["platform"], "mobile_and_desktop");
    assert!(e["fix"]
        .as_str()
        .unwrap()
        .contains("Mobile and desktop applications"));
    assert!(
        run.page.is_none(),
        "found before a browser was opened to wait in vain"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_not_assigned_is_50105_explained() {
    if !chromium::available() {
        return;
    }
    let sb = Sandbox::start_default().await.unwrap();
    let env = Env::new("50105");
    let run = with_chromium(
        &env,
        &[
            "login",
            "--authority",
            &authority(&sb),
            "--client-id",
            &app_id(&sb, "grafana"),
            "--public",
            "--redirect-uri",
            GRAFANA_REDIRECT,
            "--json",
        ],
        &sb,
        "bob",
    )
    .await;
    assert_eq!(run.code, Some(1));
    let e = &run.json()["error"];
    assert_eq!(e["aadsts"], 50105);
    assert_eq!(e["oauth_error"], "access_denied");
    assert_eq!(e["blade"], "Enterprise application → Users and groups");
    assert!(run.page.unwrap().contains("AADSTS50105"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn device_code_sign_in_succeeds() {
    if !chromium::available() {
        return;
    }
    let sb = Sandbox::start_default().await.unwrap();
    let env = Env::new("device");
    let mut child = env
        .cmd(&[
            "login",
            "--authority",
            &authority(&sb),
            "--client-id",
            &app_id(&sb, "entrance"),
            "--device-code",
            "--json",
            "--show-tokens",
        ])
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut code = None;
    let mut page = None;
    while let Ok(Some(line)) = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
        .await
        .expect("device code printed")
    {
        if let Some(rest) = line.strip_prefix("Code: ") {
            let mut words = rest.split_whitespace();
            code = words.next().map(str::to_string);
            page = rest
                .split("Page: ")
                .nth(1)
                .and_then(|p| p.split_whitespace().next())
                .map(str::to_string);
            break;
        }
    }
    let (code, page) = (code.expect("a code"), page.expect("a page"));
    let browser = Chromium::start().await;
    let (upn, password) = user(&sb, "alice");
    let done = browser.device_sign_in(&page, &code, &upn, &password).await;
    assert!(done.contains("signed in"), "{done}");
    browser.close().await;
    let out = tokio::time::timeout(Duration::from_secs(60), child.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    assert!(out.status.success());
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["summary"]["flow"], "device_code");
    assert_eq!(json["summary"]["signed_in_as"], "alice@contoso.sandbox");
    // --show-tokens: the raw tokens, the only way they reach stdout.
    assert_eq!(json["tokens"]["redacted"], false);
    assert_eq!(
        json["tokens"]["raw"]["access_token"]
            .as_str()
            .unwrap()
            .split('.')
            .count(),
        3
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_credentials_succeed_with_the_secret_from_the_keychain() {
    if !keyring_expected() {
        return;
    }
    let sb = Sandbox::start_default().await.unwrap();
    let mut env = Env::new("cc");
    let app = sb.scenario().app("authentik").cloned().unwrap();
    env.save_secret("authentik", app.password_credentials[0].value.expose())
        .await;
    let name = env.secret_name(0).to_string();
    let scope = format!("api://{}/.default", app.app_id);
    let out = env
        .cmd(&[
            "token",
            "client-credentials",
            "--authority",
            &authority(&sb),
            "--client-id",
            &app.app_id,
            "--secret-name",
            &name,
            "--scope",
            &scope,
            "--json",
        ])
        .output()
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["summary"]["flow"], "client_credentials");
    assert!(json["summary"]["id_token"].is_null());
    assert!(json["summary"]["access_token"]["claims"]["aud"].is_string());
    assert!(json["tokens"]["access_token"]
        .as_str()
        .unwrap()
        .ends_with("[signature redacted]"));
}

#[tokio::test]
async fn an_http_authority_off_loopback_is_a_usage_error() {
    let env = Env::new("usage");
    let out = env
        .cmd(&[
            "login",
            "--authority",
            "http://login.microsoftonline.com/contoso/v2.0",
            "--client-id",
            "x",
            "--json",
        ])
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["error"]["code"], "input.invalid");
    assert!(json["error"]["message"].as_str().unwrap().contains("https"));
}

#[tokio::test]
async fn a_missing_secret_name_is_reported_before_any_network() {
    if !keyring_expected() {
        return;
    }
    let env = Env::new("missing");
    let out = env
        .cmd(&[
            "login",
            "--authority",
            "https://login.microsoftonline.com/contoso/v2.0",
            "--client-id",
            "x",
            "--secret-name",
            "never-saved",
            "--json",
        ])
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["error"]["code"], "secret.not_found");
}

/// `entrance inspect --resolve-groups` on a real sign-in's tokens: the
/// 250-group user signs in through Chromium with User.Read +
/// GroupMember.Read.All (docs/entra.md#groups-overage); the ID token goes to `inspect` on
/// standard input and the Graph token through an environment variable —
/// never argv — and Graph lists all 250 groups.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inspect_resolves_the_250_group_users_groups_through_graph() {
    if !chromium::available() {
        return;
    }
    let sb = Sandbox::start_default().await.unwrap();
    let env = Env::new("resolve-groups");
    let run = with_chromium(
        &env,
        &[
            "login",
            "--authority",
            &authority(&sb),
            "--client-id",
            &app_id(&sb, "entrance"),
            "--public",
            "--scope",
            "User.Read",
            "--scope",
            "GroupMember.Read.All",
            "--json",
            "--show-tokens",
        ],
        &sb,
        "many-groups",
    )
    .await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let out = run.json();
    let raw = &out["tokens"]["raw"];
    let id_token = raw["id_token"].as_str().expect("an ID token").to_string();
    let graph_token = raw["access_token"]
        .as_str()
        .expect("a Graph token")
        .to_string();

    let inspect = |method: &'static str, token: Option<String>| {
        let mut c = env.cmd(&[
            "inspect",
            "--json",
            "--resolve-groups",
            "--graph-token-env",
            "ENTRANCE_TEST_GRAPH_TOKEN",
            "--graph-url",
            sb.graph_url(),
            "--groups-method",
            method,
        ]);
        match token {
            Some(t) => c.env("ENTRANCE_TEST_GRAPH_TOKEN", t),
            None => c.env_remove("ENTRANCE_TEST_GRAPH_TOKEN"),
        };
        c
    };
    for method in ["get-member-objects", "transitive-member-of"] {
        let mut child = inspect(method, Some(graph_token.clone())).spawn().unwrap();
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(id_token.as_bytes()).await.unwrap();
        drop(stdin);
        let done = tokio::time::timeout(Duration::from_secs(60), child.wait_with_output())
            .await
            .unwrap()
            .unwrap();
        let stdout = String::from_utf8_lossy(&done.stdout);
        assert_eq!(
            done.status.code(),
            Some(0),
            "{method}: {}",
            String::from_utf8_lossy(&done.stderr)
        );
        let json: Value = serde_json::from_str(&stdout).unwrap();
        let groups = &json["groups_resolved"];
        assert_eq!(groups["count"], 250, "{method}: {groups}");
        assert_eq!(
            groups["ids"].as_array().map(Vec::len),
            Some(250),
            "{method}: {groups}"
        );
        // The Graph token is neither echoed nor put on the command line.
        assert!(
            !stdout.contains(&graph_token),
            "{method}: the Graph token is not printed"
        );
    }

    // Without the variable: the token is still decoded, the groups are not
    // (exit 3), and the error says how to give the Graph token.
    let mut child = inspect("get-member-objects", None).spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(id_token.as_bytes()).await.unwrap();
    drop(stdin);
    let done = child.wait_with_output().await.unwrap();
    assert_eq!(done.status.code(), Some(3));
    let json: Value = serde_json::from_slice(&done.stdout).unwrap();
    let error = &json["groups_resolved"]["error"];
    assert!(
        error["message"]
            .as_str()
            .unwrap_or("")
            .contains("ENTRANCE_TEST_GRAPH_TOKEN is not set"),
        "{error}"
    );
    assert!(
        error["fix"]
            .as_str()
            .unwrap_or("")
            .contains("--graph-token-env"),
        "{error}"
    );
}
