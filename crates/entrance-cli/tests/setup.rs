//! `entrance setup`, `entrance config` and `entrance inspect --target` as an
//! admin runs them.

use std::io::Write;
use std::process::{Command, Output, Stdio};

const TENANT: &str = "aaaaaaaa-0000-4000-8000-000000000001";
const CLIENT: &str = "33333333-0000-4000-8000-000000000005";

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
fn help_lists_the_targets() {
    for sub in ["setup", "config"] {
        let out = entrance(&[sub, "--help"]);
        assert!(out.status.success());
        let text = stdout(&out);
        for t in [
            "keep",
            "authentik",
            "grafana",
            "camunda",
            "openmetadata",
            "generic-oidc",
        ] {
            assert!(text.contains(t), "{sub} --help lacks {t}:\n{text}");
        }
        assert!(text.contains("--set allowed_groups="), "{text}");
    }
}

#[test]
fn setup_prints_numbered_steps_with_portal_words_links_and_commands() {
    let out = entrance(&[
        "setup",
        "--target",
        "grafana",
        "--base-url",
        "https://grafana.example.com",
        "--tenant",
        TENANT,
        "--client-id",
        CLIENT,
        "--cloud",
        "china",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("1. Register the application"), "{text}");
    assert!(
        text.contains("App registrations → New registration"),
        "{text}"
    );
    assert!(text.contains("Certificates & secrets"), "{text}");
    assert!(text.contains("copy the **Value**"), "{text}");
    assert!(text.contains(&format!("https://portal.azure.cn/#@{TENANT}/view/Microsoft_AAD_RegisteredApps/ApplicationMenuBlade/~/Authentication/appId/{CLIENT}")), "{text}");
    assert!(
        text.contains("az cloud set --name AzureChinaCloud"),
        "{text}"
    );
    assert!(text.contains("--append"), "{text}");
    assert!(
        text.contains("https://grafana.example.com/login/azuread"),
        "{text}"
    );
}

#[test]
fn setup_json_is_one_object_with_steps() {
    let out = entrance(&[
        "setup",
        "--json",
        "--target",
        "keep",
        "--base-url",
        "https://keep.example.com",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let body: serde_json::Value =
        serde_json::from_str(stdout(&out).trim()).expect("one JSON object");
    assert_eq!(body["target"]["name"], "keep");
    let steps = body["steps"].as_array().expect("steps");
    assert!(steps.iter().any(|s| s["kind"] == "expose_api"));
    assert!(steps[0]["link"]
        .as_str()
        .unwrap()
        .contains("CreateApplicationBlade"));
    assert_eq!(
        body["requirements"]["redirects"][0]["uri"],
        "https://keep.example.com/api/auth/callback/microsoft-entra-id"
    );
}

#[test]
fn config_prints_the_product_format_with_a_secret_placeholder() {
    let out = entrance(&[
        "config",
        "--target",
        "grafana",
        "--base-url",
        "https://grafana.example.com",
        "--tenant",
        TENANT,
        "--client-id",
        CLIENT,
        "--format",
        "ini",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("[auth.azuread]\n"), "{text}");
    assert!(text.contains(&format!("client_id = {CLIENT}\n")), "{text}");
    assert!(
        text.contains("client_secret = <client secret Value from the keychain: grafana>"),
        "{text}"
    );
    let env = stdout(&entrance(&[
        "config",
        "--target",
        "grafana",
        "--base-url",
        "https://grafana.example.com",
        "--format",
        "env",
        "--secret-name",
        "grafana-prod",
    ]));
    assert!(env.contains("GF_AUTH_AZUREAD_CLIENT_SECRET=\"<client secret Value from the keychain: grafana-prod>\""), "{env}");
    let keep = stdout(&entrance(&[
        "config",
        "--target",
        "keep",
        "--base-url",
        "https://keep.example.com",
        "--set",
        "admin_group_id=22222222-0000-4000-8000-000000000001",
    ]));
    assert!(
        keep.contains("KEEP_AZUREAD_ADMIN_GROUP_ID=22222222-0000-4000-8000-000000000001"),
        "{keep}"
    );
}

#[test]
fn bad_inputs_are_usage_errors_naming_the_field() {
    let out = entrance(&[
        "config",
        "--target",
        "keep",
        "--base-url",
        "https://keep.example.com",
        "--set",
        "admin_group_id=Keep Admins",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("display name"), "{}", stderr(&out));
    let out = entrance(&[
        "setup",
        "--target",
        "jenkins",
        "--base-url",
        "https://x.example.com",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("grafana"), "{}", stderr(&out));
    let out = entrance(&[
        "setup",
        "--target",
        "grafana",
        "--base-url",
        "http://grafana.example.com",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("localhost"), "{}", stderr(&out));
    let out = entrance(&[
        "setup",
        "--target",
        "grafana",
        "--base-url",
        "https://g.example.com",
        "--set",
        "nope=1",
    ]);
    assert_eq!(out.status.code(), Some(2));
}

fn jwt(claims: serde_json::Value) -> String {
    use base64::Engine;
    let e = |v: &serde_json::Value| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
    };
    format!(
        "{}.{}.c2ln",
        e(&serde_json::json!({"alg": "RS256", "typ": "JWT", "kid": "k"})),
        e(&claims)
    )
}

#[test]
fn inspect_with_a_target_fills_the_verdicts() {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let token = jwt(serde_json::json!({
        "aud": CLIENT, "iss": format!("https://sts.windows.net/{TENANT}/"), "tid": TENANT, "ver": "1.0",
        "nonce": "n", "iat": now, "nbf": now, "exp": now + 3600, "email": "alice@contoso.example",
        "sub": "s", "oid": "11111111-0000-4000-8000-000000000001",
    }));
    let mut child = Command::new(env!("CARGO_BIN_EXE_entrance"))
        .args([
            "inspect",
            "--json",
            "--target",
            "grafana",
            "--client-id",
            CLIENT,
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(token.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let body: serde_json::Value = serde_json::from_str(stdout(&out).trim()).expect("JSON");
    let v = &body["verdicts"][0];
    assert_eq!(v["target"], "grafana");
    assert_eq!(v["outcome"], "fails", "{v}");
    assert!(
        v["checks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["code"] == "grafana.token.v1" && c["status"] == "fail"),
        "{v}"
    );
    // Grafana maps app roles: the inspector's roles.absent fires.
    assert!(
        body["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "roles.absent"),
        "{body}"
    );
    // Without --target the same token has no verdict and no roles.absent.
    let mut child = Command::new(env!("CARGO_BIN_EXE_entrance"))
        .args(["inspect", "--json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(token.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let body: serde_json::Value = serde_json::from_str(stdout(&out).trim()).expect("JSON");
    assert_eq!(body["verdicts"], serde_json::json!([]));
    assert!(
        !body["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "roles.absent"),
        "{body}"
    );
}
