//! `entrance registration audit | fix | create` against the sandbox tenant:
//! the binary as an admin runs it, the Graph token in an environment
//! variable (never in argv), exit status 0 clean / 1 findings / 2 unusable
//! input, and one JSON object with `--json`.

use std::process::{Command, Output};

use serde_json::Value;

const TID: &str = "aaaaaaaa-0000-4000-8000-000000000001";

async fn graph_token(sb: &entrance_sandbox::Sandbox, app: &str) -> String {
    let app = sb.scenario().app(app).cloned().expect("app");
    let body: Value = reqwest::Client::new()
        .post(format!("{}/oauth2/v2.0/token", sb.authority("contoso")))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", app.app_id.as_str()),
            ("client_secret", app.password_credentials[0].value.expose()),
            ("scope", "https://graph.microsoft.com/.default"),
        ])
        .send()
        .await
        .expect("token")
        .json()
        .await
        .expect("json");
    body["access_token"]
        .as_str()
        .expect("a Graph token")
        .to_string()
}

fn entrance(args: &[&str], token: &str) -> Output {
    let config =
        std::env::temp_dir().join(format!("entrance-cli-registration-{}", std::process::id()));
    std::fs::create_dir_all(&config).expect("dir");
    Command::new(env!("CARGO_BIN_EXE_entrance"))
        .args(args)
        .env("ENTRANCE_CONFIG_DIR", &config)
        .env("GRAPH_TOKEN", token)
        .output()
        .expect("run entrance")
}

fn json_of(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    })
}

fn common(sb: &entrance_sandbox::Sandbox, target: &str, base: &str) -> Vec<String> {
    vec![
        "--target".into(),
        target.into(),
        "--base-url".into(),
        base.into(),
        "--authority".into(),
        format!("{}/{TID}/v2.0", sb.base_url()),
        "--graph-token-env".into(),
        "GRAPH_TOKEN".into(),
    ]
}

fn args<'a>(head: &[&'a str], rest: &'a [String]) -> Vec<&'a str> {
    head.iter()
        .copied()
        .chain(rest.iter().map(String::as_str))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_fix_and_a_second_fix_through_the_cli() {
    let sb = entrance_sandbox::Sandbox::start_default()
        .await
        .expect("sandbox");
    let admin = graph_token(&sb, "entrance-admin").await;
    let twin = sb
        .scenario()
        .app("camunda-misconfigured")
        .expect("app")
        .app_id
        .clone();
    let mut c = common(&sb, "camunda", "https://operate.contoso.sandbox");
    c.extend(["--client-id".to_string(), twin.clone()]);

    let o = entrance(&args(&["--json", "registration", "audit"], &c), &admin);
    assert_eq!(
        o.status.code(),
        Some(1),
        "findings exit 1: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v = json_of(&o);
    let found: Vec<&str> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["code"].as_str())
        .collect();
    for code in [
        "registration.token_version",
        "registration.redirect_missing",
        "registration.permission_missing",
        "registration.consent_missing",
    ] {
        assert!(found.contains(&code), "{code} in {found:?}");
    }
    assert!(!v["plan"].as_array().expect("plan").is_empty());
    assert_eq!(
        v["connection"]["permissions"][0],
        "Application.ReadWrite.All"
    );
    assert!(
        !String::from_utf8_lossy(&o.stdout).contains(&admin),
        "the token is never printed"
    );

    // fix without --yes: the plan, nothing changed.
    let o = entrance(&args(&["registration", "fix"], &c), &admin);
    assert_eq!(o.status.code(), Some(1));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("before → after") && text.contains("requestedAccessTokenVersion"),
        "{text}"
    );
    assert!(text.contains("Nothing was changed: add --yes"), "{text}");
    assert_eq!(
        sb.scenario()
            .app("camunda-misconfigured")
            .expect("app")
            .api
            .requested_access_token_version,
        None
    );

    // A read-only token: the permission named, nothing applied, exit 1.
    let read_only = graph_token(&sb, "entrance-automation").await;
    let o = entrance(
        &args(&["--json", "registration", "fix", "--yes"], &c),
        &read_only,
    );
    assert_eq!(o.status.code(), Some(1));
    let v = json_of(&o);
    assert_eq!(v["error"]["code"], "graph.permission_missing", "{v}");
    assert!(v["error"]["message"]
        .as_str()
        .expect("message")
        .contains("Application.ReadWrite.All"));
    assert_eq!(
        sb.scenario()
            .app("camunda-misconfigured")
            .expect("app")
            .api
            .requested_access_token_version,
        None
    );

    // fix --yes: applied, read again, clean.
    let o = entrance(
        &args(&["--json", "registration", "fix", "--yes"], &c),
        &admin,
    );
    let v = json_of(&o);
    assert_eq!(o.status.code(), Some(0), "{v}");
    assert!(!v["applied"].as_array().expect("applied").is_empty());
    assert_eq!(v["after"], serde_json::json!([]));
    assert_eq!(
        sb.scenario()
            .app("camunda-misconfigured")
            .expect("app")
            .api
            .requested_access_token_version,
        Some(2)
    );

    // Twice: nothing to do.
    let o = entrance(
        &args(&["--json", "registration", "fix", "--yes"], &c),
        &admin,
    );
    let v = json_of(&o);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(v["plan"], serde_json::json!([]));
    assert_eq!(v["applied"], serde_json::json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_prints_the_plan_creates_with_yes_and_not_twice() {
    let sb = entrance_sandbox::Sandbox::start_default()
        .await
        .expect("sandbox");
    let admin = graph_token(&sb, "entrance-admin").await;
    let alice = sb.scenario().user("alice").expect("alice").id.clone();
    let mut c = common(&sb, "openmetadata", "http://localhost:8585");
    c.extend([
        "--name".to_string(),
        "OpenMetadata (cli)".to_string(),
        "--assign".to_string(),
        alice,
        "--profile".to_string(),
        "om cli".to_string(),
    ]);
    let o = entrance(&args(&["registration", "create"], &c), &admin);
    assert_eq!(o.status.code(), Some(0));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("POST") && text.contains("Nothing was created: add --yes"),
        "{text}"
    );
    assert!(sb
        .scenario()
        .applications
        .iter()
        .all(|a| a.display_name != "OpenMetadata (cli)"));

    let o = entrance(
        &args(&["--json", "registration", "create", "--yes"], &c),
        &admin,
    );
    let v = json_of(&o);
    assert_eq!(o.status.code(), Some(0), "{v}");
    let app_id = v["app_id"].as_str().expect("app_id").to_string();
    let created = sb
        .scenario()
        .app(&app_id)
        .cloned()
        .expect("created in the tenant");
    assert_eq!(
        created.spa.redirect_uris,
        vec![
            "http://localhost:8585/callback",
            "http://localhost:8585/auth/callback"
        ]
    );
    assert!(v["applied"].as_array().expect("applied").len() >= 3);
    assert_eq!(v["after"], serde_json::json!([]));
    assert!(v["configuration"].to_string().contains(&app_id));
    assert_eq!(v["profile_saved"], "om cli");

    let o = entrance(
        &args(&["--json", "registration", "create", "--yes"], &c),
        &admin,
    );
    let v = json_of(&o);
    assert_eq!(o.status.code(), Some(0), "{v}");
    assert_eq!(v["existing_app_id"], app_id.as_str());
    assert_eq!(v["plan"], serde_json::json!([]));
    assert_eq!(v["applied"], serde_json::json!([]));
}

#[test]
fn unusable_input_exits_2() {
    let o = entrance(
        &[
            "--json",
            "registration",
            "audit",
            "--target",
            "grafana",
            "--base-url",
            "https://grafana.example.com",
            "--tenant",
            TID,
            "--client-id",
            "not-a-guid",
            "--graph-token-env",
            "NO_SUCH_VARIABLE_HERE",
        ],
        "",
    );
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(json_of(&o)["error"]["code"], "input.invalid");
}

fn attr(html: &str, marker: &str) -> Option<String> {
    let start = html.find(marker)? + marker.len();
    Some(html[start..].split('"').next().unwrap_or("").to_string())
}

/// `--graph-sign-in CLIENT_ID --device-code`: the admin signs in on the
/// sandbox's device code page (over plain HTTP here) and the audit runs with
/// that delegated token: who is connected and its `scp` are shown.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_signs_in_for_graph_with_a_device_code() {
    use tokio::io::{AsyncBufReadExt, BufReader};
    let sb = entrance_sandbox::Sandbox::start_default()
        .await
        .expect("sandbox");
    let entrance_app = sb.scenario().app("entrance").expect("app").app_id.clone();
    let twin = sb
        .scenario()
        .app("camunda-misconfigured")
        .expect("app")
        .app_id
        .clone();
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_entrance"))
        .args([
            "--json",
            "registration",
            "audit",
            "--target",
            "camunda",
            "--base-url",
            "https://operate.contoso.sandbox",
            "--client-id",
            &twin,
            "--authority",
            &format!("{}/{TID}/v2.0", sb.base_url()),
            "--graph-sign-in",
            &entrance_app,
            "--device-code",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn");
    let mut lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
    let mut code = None;
    while let Ok(Some(line)) =
        tokio::time::timeout(std::time::Duration::from_secs(30), lines.next_line())
            .await
            .expect("a device code is printed")
    {
        if let Some(rest) = line.strip_prefix("Code: ") {
            code = rest.split_whitespace().next().map(str::to_string);
            break;
        }
    }
    let code = code.expect("a code");
    let admin = sb.scenario().user("admin").expect("admin").clone();
    let c = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let html = c
        .post(format!("{}/devicelogin", sb.base_url()))
        .form(&[("otc", code.as_str())])
        .send()
        .await
        .expect("devicelogin")
        .text()
        .await
        .expect("html");
    let (ctx, action) = (
        attr(&html, r#"name="ctx" value=""#).expect("ctx"),
        attr(&html, r#"action=""#).expect("action"),
    );
    let done = c
        .post(format!("{}{action}", sb.base_url()))
        .form(&[
            ("ctx", ctx.as_str()),
            ("user", admin.user_principal_name.as_str()),
            ("password", admin.password.expose()),
        ])
        .send()
        .await
        .expect("sign in")
        .text()
        .await
        .expect("page");
    assert!(done.to_lowercase().contains("signed in"), "{done}");
    let out = tokio::time::timeout(std::time::Duration::from_secs(60), child.wait_with_output())
        .await
        .expect("finishes")
        .expect("output");
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    assert_eq!(out.status.code(), Some(1), "{v}");
    assert_eq!(v["connection"]["who"], "ada@contoso.sandbox");
    assert_eq!(v["connection"]["kind"], "delegated");
    assert!(
        v["connection"]["permissions"]
            .as_array()
            .expect("scp")
            .iter()
            .any(|p| p == "Application.Read.All"),
        "{v}"
    );
    assert!(v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .any(|f| f["code"] == "registration.token_version"));
}

/// `create --secret-name`: addPassword's Value goes straight into the real
/// keychain (a Secret Service in `cargo xtask test`), is printed only with
/// --show-secret, and is in no file; the product signs in with it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_puts_the_new_secret_in_the_keychain_and_prints_it_only_when_asked() {
    if std::env::var_os("ENTRANCE_TEST_KEYRING").is_none() {
        eprintln!("skipped: set ENTRANCE_TEST_KEYRING=1 (cargo xtask test does) to test against the real keychain");
        return;
    }
    let sb = entrance_sandbox::Sandbox::start_default()
        .await
        .expect("sandbox");
    let admin = graph_token(&sb, "entrance-admin").await;
    let config = std::env::temp_dir().join(format!(
        "entrance-cli-registration-keychain-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&config);
    std::fs::create_dir_all(&config).expect("dir");
    let name = format!("registration-test-{}", std::process::id());
    let mut c = common(&sb, "keep", "http://localhost:3000");
    c.extend([
        "--name".to_string(),
        "Keep (cli keychain)".to_string(),
        "--secret-name".to_string(),
        name.clone(),
    ]);
    let run = |extra: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_entrance"))
            .args(extra.iter().copied().chain(c.iter().map(String::as_str)))
            .env("ENTRANCE_CONFIG_DIR", &config)
            .env("GRAPH_TOKEN", &admin)
            .output()
            .expect("run entrance")
    };
    let o = run(&["--json", "registration", "create", "--yes"]);
    let v = json_of(&o);
    assert_eq!(o.status.code(), Some(0), "{v}");
    assert_eq!(v["secret_stored"], name.as_str());
    let app_id = v["app_id"].as_str().expect("app_id").to_string();
    let created = sb.scenario().app(&app_id).cloned().expect("created");
    let value = created.password_credentials[0].value.expose().to_string();
    assert!(
        !String::from_utf8_lossy(&o.stdout).contains(&value),
        "not printed without --show-secret"
    );
    // The keychain holds it: `entrance secret status` sees it, with the end date.
    let status = Command::new(env!("CARGO_BIN_EXE_entrance"))
        .args(["--json", "secret", "status", &name])
        .env("ENTRANCE_CONFIG_DIR", &config)
        .output()
        .expect("status");
    let s = json_of(&status);
    assert_eq!(s["present"], true, "{s}");
    for entry in std::fs::read_dir(&config).expect("config").flatten() {
        let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
        assert!(!text.contains(&value), "the Value is in no file");
    }
    // A second create with --show-secret: nothing new, so nothing to show.
    let o = run(&["registration", "create", "--yes", "--show-secret"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    assert!(String::from_utf8_lossy(&o.stdout).contains("Nothing to change"));
    let _ = Command::new(env!("CARGO_BIN_EXE_entrance"))
        .args(["secret", "delete", &name])
        .env("ENTRANCE_CONFIG_DIR", &config)
        .output();
    let _ = std::fs::remove_dir_all(&config);
}

/// Signs `upn` in at the sandbox's authorize page for `client_id` (up to the
/// redirect back to the product); returns where Entra sent the browser.
async fn attempt_sign_in(sb: &entrance_sandbox::Sandbox, client_id: &str, user: &str) -> String {
    let u = sb.scenario().user(user).cloned().expect("user");
    let c = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let authorize = format!(
        "{}/oauth2/v2.0/authorize?client_id={client_id}&response_type=code&scope=openid&state=s&redirect_uri=https%3A%2F%2Fgrafana.contoso.sandbox%2Flogin%2Fazuread",
        sb.authority("contoso")
    );
    let html = c
        .get(authorize)
        .send()
        .await
        .expect("authorize")
        .text()
        .await
        .expect("html");
    let attr = |marker: &str| {
        let start = html.find(marker).expect(marker) + marker.len();
        html[start..].split('"').next().unwrap_or("").to_string()
    };
    let (ctx, action) = (attr(r#"name="ctx" value=""#), attr(r#"action=""#));
    let r = c
        .post(format!("{}{action}", sb.base_url()))
        .form(&[
            ("ctx", ctx.as_str()),
            ("user", u.user_principal_name.as_str()),
            ("password", u.password.expose()),
        ])
        .send()
        .await
        .expect("sign in");
    r.headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn preview_and_signins_through_the_cli() {
    let sb = entrance_sandbox::Sandbox::start_default()
        .await
        .expect("sandbox");
    let admin = graph_token(&sb, "entrance-admin").await;
    let grafana = sb.scenario().app("grafana").expect("app").app_id.clone();
    let mut c = common(&sb, "grafana", "https://grafana.contoso.sandbox");
    c.extend(["--client-id".to_string(), grafana.clone()]);

    // Alice: let in, her Editor role and groups predicted, the verdict given.
    let o = entrance(
        &args(
            &[
                "--json",
                "registration",
                "preview",
                "--user",
                "alice@contoso.sandbox",
            ],
            &c,
        ),
        &admin,
    );
    let v = json_of(&o);
    assert_eq!(v["assigned"], true, "{v}");
    assert_eq!(v["claims"]["roles"], serde_json::json!(["Editor"]), "{v}");
    assert_eq!(v["claims"]["preferred_username"], "alice@contoso.sandbox");
    assert!(
        v["claims"]["groups"]
            .as_array()
            .is_some_and(|g| !g.is_empty()),
        "{v}"
    );
    assert!(v["verdict"]["outcome"].is_string(), "{v}");

    // Bob: not assigned; the table says so, exit 1.
    let o = entrance(
        &args(
            &["registration", "preview", "--user", "bob@contoso.sandbox"],
            &c,
        ),
        &admin,
    );
    assert_eq!(o.status.code(), Some(1));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("NOT LET IN") && text.contains("50105"),
        "{text}"
    );

    // The tenant's sign-in logs: Bob's refused attempt first, explained.
    let loc = attempt_sign_in(&sb, &grafana, "bob").await;
    assert!(loc.contains("error="), "{loc}");
    let o = entrance(
        &args(&["registration", "signins", "--since", "1"], &c),
        &admin,
    );
    assert_eq!(o.status.code(), Some(1), "a failure was recorded");
    let text = String::from_utf8_lossy(&o.stdout);
    let first = text.lines().nth(1).unwrap_or_default();
    assert!(
        first.contains("FAILED")
            && first.contains("bob@contoso.sandbox")
            && first.contains("AADSTS50105")
            && first.contains("correlation"),
        "{text}"
    );
    assert!(!text.contains(&admin), "the token is never printed");

    // Without AuditLog.Read.All: the permission is named.
    let o = entrance(
        &args(&["--json", "registration", "signins"], &c),
        &graph_token(&sb, "entrance-automation").await,
    );
    let v = json_of(&o);
    assert_eq!(v["error"]["code"], "graph.permission_missing", "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("AuditLog.Read.All"),
        "{v}"
    );
}
