//! Scenario files: the built-in one exercises everything; a custom one
//! starts; a broken one says where.

use entrance_sandbox::{Sandbox, SandboxError, Scenario};

#[test]
fn the_builtin_scenario_covers_every_case_the_issue_lists() {
    let s = Scenario::builtin();
    let dir = entrance_sandbox::Directory::new(s.clone());
    let alice = s.user("alice").expect("alice");
    assert_eq!(dir.direct_groups(alice).len(), 3, "a user in 3 groups");
    assert_eq!(
        dir.direct_groups(s.user("many-groups").expect("user"))
            .len(),
        250,
        "a user in 250 groups"
    );
    let guest = s.user("guest").expect("guest");
    assert!(guest.guest && guest.mail.is_none(), "a guest without mail");
    assert!(s
        .user("admin")
        .expect("admin")
        .directory_roles
        .contains(&"62e90394-69f5-4237-9190-012177145e10".to_string()));
    for target in ["keep", "authentik", "grafana", "camunda", "openmetadata"] {
        let apps = s.target_apps(target);
        assert_eq!(apps.len(), 2, "{target}: a correct app and its twin");
        assert!(apps.iter().any(|a| a.name == target));
        assert!(apps
            .iter()
            .any(|a| a.name == format!("{target}-misconfigured")
                && a.notes
                    .as_deref()
                    .is_some_and(|n| n.starts_with("Misconfigured"))));
    }
}

#[tokio::test]
async fn a_small_custom_scenario_starts() {
    let text = r#"
[[tenants]]
name = "t"
id = "00000000-0000-4000-8000-000000000001"
displayName = "T"
domains = ["t.example"]

[[users]]
name = "u"
id = "00000000-0000-4000-8000-000000000002"
userPrincipalName = "u@t.example"
displayName = "U"
password = "p"

[[applications]]
name = "a"
appId = "00000000-0000-4000-8000-000000000003"
objectId = "00000000-0000-4000-8000-000000000004"
displayName = "A"
web = { redirectUris = ["https://a.example/cb"] }
"#;
    let sb = Sandbox::start(Scenario::from_toml(text).expect("valid"))
        .await
        .expect("start");
    let doc: serde_json::Value = reqwest::get(sb.discovery_url("t.example"))
        .await
        .expect("GET")
        .json()
        .await
        .expect("JSON");
    assert_eq!(
        doc["issuer"],
        format!(
            "{}/00000000-0000-4000-8000-000000000001/v2.0",
            sb.base_url()
        )
    );
    sb.stop().await;
}

#[test]
fn a_broken_scenario_names_line_and_field() {
    let text = "[[tenants]]\nname = \"t\"\nid = \"not-a-guid\"\ndisplayName = \"T\"\ndomains = [\"t.example\"]\n";
    let e = Scenario::from_toml(text).expect_err("invalid");
    assert_eq!(e.line, Some(3));
    assert_eq!(e.field, "tenants[0].id");
    let as_start: SandboxError = e.into();
    assert!(
        as_start
            .to_string()
            .contains("line 3, field `tenants[0].id`"),
        "{as_start}"
    );
}

#[tokio::test]
async fn stop_releases_the_port() {
    let sb = Sandbox::start_default().await.expect("start");
    let url = sb.discovery_url("contoso");
    sb.stop().await;
    assert!(
        reqwest::get(&url).await.is_err(),
        "nothing listens after stop"
    );
}
