//! Unit tests of the target profiles: registry, configuration keys (from the
//! products' documentation, docs/products/), links and commands per cloud,
//! input checks, verdict rules.

use serde_json::json;

use super::*;
use crate::secrets::SecretString;
use crate::token::JsonObject;

const TENANT: &str = "aaaaaaaa-0000-4000-8000-000000000001";
const CLIENT: &str = "33333333-0000-4000-8000-000000000005";
const ADMINS: &str = "22222222-0000-4000-8000-000000000001";
const NOC: &str = "22222222-0000-4000-8000-000000000002";

fn inputs(base: &str) -> TargetInputs {
    TargetInputs {
        tenant: Some(TENANT.into()),
        client_id: Some(CLIENT.into()),
        ..TargetInputs::new(base)
    }
}

fn keys(c: &Configuration, title: &str) -> Vec<String> {
    c.block(title)
        .unwrap_or_else(|| panic!("no block {title}: {c:#?}"))
        .keys()
        .into_iter()
        .map(str::to_string)
        .collect()
}

fn claims(v: serde_json::Value) -> JsonObject {
    match v {
        serde_json::Value::Object(m) => m,
        _ => panic!("object"),
    }
}

#[test]
fn generated_configuration_carries_no_source_tags() {
    // Sources are for people reading Entrance (docs/); a product's
    // configuration file gets none.
    for t in all() {
        let c = t.configuration(&inputs("https://app.example.com"), None);
        let formats = [
            None,
            Some(ConfigFormat::Env),
            Some(ConfigFormat::Ini),
            Some(ConfigFormat::Yaml),
            Some(ConfigFormat::Fields),
        ];
        for f in formats {
            let text = c.render(f);
            for tag in ["docs/", "seeds/", concat!("entra", "-facts"), "§"] {
                assert!(
                    !text.contains(tag),
                    "{} ({f:?}) carries `{tag}`:\n{text}",
                    t.info().name
                );
            }
        }
    }
}

#[test]
fn the_registry_lists_each_target_once_and_finds_them_by_name() {
    let names = names();
    assert_eq!(
        names,
        [
            "keep",
            "authentik",
            "grafana",
            "camunda",
            "openmetadata",
            "generic-oidc"
        ]
    );
    for n in &names {
        assert_eq!(by_name(&n.to_uppercase()).map(|t| t.info().name), Some(*n));
        assert!(!by_name(n).unwrap().info().source.is_empty());
    }
    assert!(by_name("jenkins").is_none());
    assert!(require("jenkins").is_err());
}

// ---------------------------------------------------------------------------
// Configuration: exactly the keys each product documents.
// ---------------------------------------------------------------------------

#[test]
fn keep_env_has_exactly_the_documented_frontend_and_backend_keys() {
    let i = inputs("https://keep.example.com/")
        .with("admin_group_id", ADMINS)
        .with("noc_group_id", NOC);
    let c = keep::Keep.configuration(&i, None);
    // docs/products/keep.md#what-it-needs-from-entra: Frontend and Backend tables.
    assert_eq!(
        keys(&c, "Keep frontend"),
        [
            "AUTH_TYPE",
            "KEEP_AZUREAD_CLIENT_ID",
            "KEEP_AZUREAD_CLIENT_SECRET",
            "KEEP_AZUREAD_TENANT_ID",
            "NEXTAUTH_URL",
            "NEXTAUTH_SECRET"
        ]
    );
    assert_eq!(
        keys(&c, "Keep backend"),
        [
            "AUTH_TYPE",
            "KEEP_AZUREAD_TENANT_ID",
            "KEEP_AZUREAD_CLIENT_ID",
            "KEEP_AZUREAD_ADMIN_GROUP_ID",
            "KEEP_AZUREAD_NOC_GROUP_ID"
        ]
    );
    let b = c.block("Keep backend").unwrap();
    assert_eq!(b.get("AUTH_TYPE"), Some("AZUREAD"));
    assert_eq!(b.get("KEEP_AZUREAD_ADMIN_GROUP_ID"), Some(ADMINS));
    assert_eq!(b.get("KEEP_AZUREAD_NOC_GROUP_ID"), Some(NOC));
    let f = c.block("Keep frontend").unwrap();
    assert_eq!(f.get("NEXTAUTH_URL"), Some("https://keep.example.com"));
    assert_eq!(
        f.get("KEEP_AZUREAD_CLIENT_SECRET"),
        Some("<client secret Value from the keychain: keep>")
    );
    let revealed =
        keep::Keep.configuration(&i, Some(&SecretString::from("Kee8Q~value".to_string())));
    assert_eq!(
        revealed
            .block("Keep frontend")
            .unwrap()
            .get("KEEP_AZUREAD_CLIENT_SECRET"),
        Some("Kee8Q~value")
    );
    let text = c.render(None);
    assert!(
        text.contains("KEEP_AZUREAD_TENANT_ID=aaaaaaaa-0000-4000-8000-000000000001\n"),
        "{text}"
    );
}

#[test]
fn grafana_ini_and_env_hold_the_documented_keys_with_derived_values() {
    let i = inputs("https://grafana.example.com")
        .with("allowed_groups", ADMINS)
        .with("allow_assign_grafana_admin", "true");
    let c = grafana::Grafana.configuration(&i, None);
    let ini = keys(&c, "grafana.ini [auth.azuread]");
    // docs/products/grafana.md#configuration: the option table (plus `enabled`).
    let documented = [
        "enabled",
        "allow_sign_up",
        "client_authentication",
        "client_id",
        "client_secret",
        "scopes",
        "auth_url",
        "token_url",
        "allowed_domains",
        "allowed_groups",
        "allowed_organizations",
        "role_attribute_strict",
        "allow_assign_grafana_admin",
        "skip_org_role_sync",
        "use_pkce",
        "use_refresh_token",
        "force_use_graph_api",
    ];
    assert_eq!(ini, documented);
    let env = keys(&c, "grafana env [auth.azuread]");
    assert_eq!(
        env,
        documented
            .iter()
            .map(|k| format!("GF_AUTH_AZUREAD_{}", k.to_uppercase()))
            .collect::<Vec<_>>()
    );
    let b = c.block("grafana.ini [auth.azuread]").unwrap();
    assert_eq!(b.section.as_deref(), Some("auth.azuread"));
    assert_eq!(b.get("client_id"), Some(CLIENT));
    assert_eq!(
        b.get("auth_url"),
        Some(format!("https://login.microsoftonline.com/{TENANT}/oauth2/v2.0/authorize").as_str())
    );
    assert_eq!(
        b.get("token_url"),
        Some(format!("https://login.microsoftonline.com/{TENANT}/oauth2/v2.0/token").as_str())
    );
    assert_eq!(b.get("allowed_groups"), Some(ADMINS));
    assert_eq!(b.get("allowed_organizations"), Some(TENANT));
    assert_eq!(b.get("allow_assign_grafana_admin"), Some("true"));
    assert_eq!(
        c.block("grafana.ini [server]").unwrap().get("root_url"),
        Some("https://grafana.example.com/")
    );
    let ini_text = c.render(Some(ConfigFormat::Ini));
    assert!(
        ini_text.contains("[auth.azuread]\nenabled = true\n"),
        "{ini_text}"
    );
    let env_text = c.render(Some(ConfigFormat::Env));
    assert!(
        env_text.contains("GF_SERVER_ROOT_URL=https://grafana.example.com/\n"),
        "{env_text}"
    );
    assert!(
        !env_text.lines().any(|l| l == "[auth.azuread]"),
        "{env_text}"
    );
    let yaml = c.render(Some(ConfigFormat::Yaml));
    assert!(
        yaml.contains("GF_AUTH_AZUREAD_CLIENT_ID: \"33333333"),
        "{yaml}"
    );
    // The US Gov authority.
    let gov = TargetInputs {
        cloud: Cloud::UsGov,
        ..i
    };
    assert!(grafana::Grafana
        .configuration(&gov, None)
        .block("grafana.ini [auth.azuread]")
        .unwrap()
        .get("auth_url")
        .unwrap()
        .starts_with("https://login.microsoftonline.us/"));
}

#[test]
fn authentik_source_fields_follow_the_seed_single_and_multi_tenant() {
    let i = inputs("https://authentik.example.com");
    let c = authentik::Authentik.configuration(&i, None);
    let title = &c.blocks[0].title;
    assert_eq!(
        keys(&c, title),
        [
            "Name",
            "Slug",
            "Consumer key",
            "Consumer secret",
            "Scopes",
            "Authorization URL",
            "Access token URL",
            "Profile URL",
            "OIDC JWKS URL"
        ]
    );
    let b = &c.blocks[0];
    assert_eq!(
        b.get("Authorization URL"),
        Some(format!("https://login.microsoftonline.com/{TENANT}/oauth2/v2.0/authorize").as_str())
    );
    assert_eq!(
        b.get("OIDC JWKS URL"),
        Some(format!("https://login.microsoftonline.com/{TENANT}/discovery/v2.0/keys").as_str())
    );
    assert_eq!(
        b.get("Profile URL"),
        Some("https://graph.microsoft.com/v1.0/me")
    );
    assert_eq!(
        b.get("Scopes"),
        Some("https://graph.microsoft.com/GroupMember.Read.All")
    );
    let multi = TargetInputs {
        audience: Audience::MultiTenant,
        ..i.clone()
    };
    let m = authentik::Authentik.configuration(&multi, None);
    assert_eq!(
        m.blocks[0].get("Access token URL"),
        Some("https://login.microsoftonline.com/common/oauth2/v2.0/token")
    );
    let req = authentik::Authentik.requirements(&i);
    assert_eq!(
        req.redirects[0].uri,
        "https://authentik.example.com/source/oauth/callback/entra-id/"
    );
    let no_groups =
        authentik::Authentik.configuration(&i.clone().with("sync_groups", "false"), None);
    assert!(no_groups.blocks[0].get("Scopes").is_none());
}

#[test]
fn camunda_env_per_component() {
    let i = inputs("https://operate.example.com");
    let c = camunda::Camunda.configuration(&i, None);
    let b = &c.blocks[0];
    assert_eq!(b.title, "Camunda Operate");
    assert_eq!(
        b.keys(),
        [
            "CAMUNDA_IDENTITY_TYPE",
            "CAMUNDA_IDENTITY_ISSUER",
            "CAMUNDA_IDENTITY_ISSUER_BACKEND_URL",
            "CAMUNDA_IDENTITY_CLIENT_ID",
            "CAMUNDA_IDENTITY_CLIENT_SECRET",
            "CAMUNDA_IDENTITY_AUDIENCE"
        ]
    );
    let issuer = format!("https://login.microsoftonline.com/{TENANT}/v2.0");
    assert_eq!(b.get("CAMUNDA_IDENTITY_ISSUER"), Some(issuer.as_str()));
    assert_eq!(
        b.get("CAMUNDA_IDENTITY_ISSUER_BACKEND_URL"),
        Some(issuer.as_str())
    );
    assert_eq!(b.get("CAMUNDA_IDENTITY_AUDIENCE"), Some(CLIENT));
    let req = camunda::Camunda.requirements(&i);
    let uris: Vec<&str> = req.redirects.iter().map(|r| r.uri.as_str()).collect();
    assert_eq!(
        uris,
        [
            "https://operate.example.com/auth/login-callback",
            "https://operate.example.com/identity-callback"
        ]
    );
    assert_eq!(req.access_token_version, Some(2));
    assert!(req.admin_consent);
    let optimize = camunda::Camunda.requirements(&i.clone().with("component", "optimize"));
    assert_eq!(
        optimize.redirects[0].uri,
        "https://operate.example.com/api/authentication/callback"
    );
    let modeler = i.clone().with("component", "web_modeler");
    assert_eq!(
        camunda::Camunda.requirements(&modeler).redirects[0].platform,
        Platform::Spa
    );
    assert!(camunda::Camunda.configuration(&modeler, None).blocks[0]
        .get("CAMUNDA_IDENTITY_CLIENT_SECRET")
        .is_none());
}

#[test]
fn openmetadata_public_and_confidential_env() {
    let i = inputs("https://om.example.com");
    let c = openmetadata::OpenMetadata.configuration(&i, None);
    let b = &c.blocks[0];
    assert_eq!(
        b.keys(),
        [
            "AUTHENTICATION_PROVIDER",
            "AUTHENTICATION_PUBLIC_KEYS",
            "AUTHENTICATION_AUTHORITY",
            "AUTHENTICATION_CLIENT_ID",
            "AUTHENTICATION_CALLBACK_URL",
            "AUTHENTICATION_CLIENT_TYPE"
        ]
    );
    assert_eq!(
        b.get("AUTHENTICATION_AUTHORITY"),
        Some(format!("https://login.microsoftonline.com/{TENANT}").as_str())
    );
    assert_eq!(b.get("AUTHENTICATION_CLIENT_TYPE"), Some("public"));
    assert_eq!(b.get("AUTHENTICATION_PUBLIC_KEYS"), Some("[https://login.microsoftonline.com/common/discovery/keys, https://om.example.com/api/v1/system/config/jwks]"));
    let req = openmetadata::OpenMetadata.requirements(&i);
    assert!(req.redirects.iter().all(|r| r.platform == Platform::Spa));
    assert!(!req.secret);
    let conf = TargetInputs {
        client_type: Some(ClientType::Confidential),
        ..i
    };
    let c = openmetadata::OpenMetadata.configuration(&conf, None);
    assert_eq!(
        c.blocks[0].keys()[6..],
        [
            "OIDC_CLIENT_ID",
            "OIDC_TYPE",
            "OIDC_TENANT",
            "OIDC_CLIENT_SECRET",
            "OIDC_DISCOVERY_URI",
            "OIDC_CALLBACK"
        ]
    );
    assert_eq!(
        c.blocks[0].get("AUTHENTICATION_CLIENT_TYPE"),
        Some("confidential")
    );
    assert!(openmetadata::OpenMetadata
        .requirements(&conf)
        .redirects
        .iter()
        .all(|r| r.platform == Platform::Web));
}

// ---------------------------------------------------------------------------
// Steps: links and commands per cloud.
// ---------------------------------------------------------------------------

#[test]
fn every_step_link_and_command_is_well_formed_in_every_cloud() {
    for t in all() {
        for &cloud in Cloud::ALL {
            for client in [None, Some(CLIENT)] {
                let i = TargetInputs {
                    cloud,
                    client_id: client.map(str::to_string),
                    tenant: Some(TENANT.into()),
                    ..TargetInputs::new("https://app.example.com")
                };
                let i = if t.info().name == "grafana" {
                    i.with("allowed_groups", ADMINS)
                } else {
                    i
                };
                let steps = steps(*t, &i);
                assert!(steps.len() >= 3, "{}", t.info().name);
                assert_eq!(steps[0].kind, StepKind::Register);
                for s in &steps {
                    if s.kind == StepKind::Product {
                        continue;
                    }
                    let link = s.link.as_deref().expect("a link");
                    let u = url::Url::parse(link).unwrap_or_else(|e| panic!("{link}: {e}"));
                    assert_eq!(u.host_str(), Some(cloud.portal_host()), "{link}");
                    assert!(link.contains(&format!("#@{TENANT}/view/")), "{link}");
                    match client {
                        Some(c)
                            if s.kind != StepKind::Register && s.kind != StepKind::AssignUsers =>
                        {
                            assert!(
                                link.contains(
                                    "Microsoft_AAD_RegisteredApps/ApplicationMenuBlade/~/"
                                ) && link.ends_with(&format!("/appId/{c}")),
                                "{link}"
                            );
                        }
                        _ if s.kind != StepKind::AssignUsers => {
                            assert!(link.contains("CreateApplicationBlade"), "{link}")
                        }
                        _ => {}
                    }
                    assert!(!s.commands.is_empty(), "{}: {:?}", t.info().name, s.kind);
                    for c in &s.commands {
                        assert!(
                            c.starts_with('#') || !c.contains("--spa-redirect-uris"),
                            "{c}"
                        );
                        if c.contains("credential reset") {
                            assert!(c.contains("--append"), "{c}");
                        }
                        if c.contains("az rest") {
                            assert!(
                                c.contains(&format!("https://{}/v1.0/", cloud.graph_host())),
                                "{c}"
                            );
                        }
                        if !c.starts_with("cat >") && !c.starts_with('#') {
                            assert_eq!(c.matches('\'').count() % 2, 0, "unbalanced quotes: {c}");
                        }
                    }
                }
                let first = &steps[0].commands[0];
                if cloud == Cloud::Global {
                    assert!(first.starts_with("APP_ID=$(az ad app create"), "{first}");
                } else {
                    assert_eq!(
                        first,
                        &format!("az cloud set --name {}", cloud.az_cloud_name())
                    );
                }
            }
        }
    }
}

#[test]
fn spa_redirects_go_through_a_graph_patch_and_web_ones_warn_about_replacement() {
    let i = inputs("https://om.example.com");
    let s = steps(&openmetadata::OpenMetadata, &i);
    let r = s.iter().find(|s| s.kind == StepKind::RedirectUris).unwrap();
    assert!(r.commands.iter().any(|c| c.starts_with("az rest --method PATCH") && c.contains("\"spa\":{\"redirectUris\":[\"https://om.example.com/callback\",\"https://om.example.com/auth/callback\"]}")), "{:?}", r.commands);
    let k = steps(&keep::Keep, &inputs("https://keep.example.com"));
    let r = k.iter().find(|s| s.kind == StepKind::RedirectUris).unwrap();
    assert!(r.commands[0].contains("REPLACES"));
    assert!(r
        .actions
        .iter()
        .any(|a| a.contains("https://keep.example.com/api/auth/callback/microsoft-entra-id")));
    let e = k.iter().find(|s| s.kind == StepKind::ExposeApi).unwrap();
    assert!(e.commands[0].contains(&format!("api://{CLIENT}")));
    assert!(e.title.contains("`default`"));
}

// ---------------------------------------------------------------------------
// Input checks.
// ---------------------------------------------------------------------------

fn codes(m: &[FieldMessage]) -> Vec<&str> {
    m.iter().map(|m| m.code.as_str()).collect()
}

#[test]
fn typed_inputs_are_checked_field_by_field() {
    assert!(check_tenant(TENANT).is_empty());
    assert_eq!(
        codes(&check_tenant("contoso.onmicrosoft.com")),
        ["tenant.domain"]
    );
    assert_eq!(codes(&check_tenant("common")), ["tenant.not_a_tenant"]);
    assert_eq!(codes(&check_tenant("not a tenant")), ["tenant.invalid"]);
    assert!(check_client_id(CLIENT).is_empty());
    assert_eq!(
        codes(&check_client_id(&format!("api://{CLIENT}"))),
        ["client_id.app_id_uri"]
    );
    assert_eq!(codes(&check_client_id("grafana")), ["client_id.not_guid"]);
    assert!(check_group_ids("allowed_groups", &format!("{ADMINS}, {NOC}")).is_empty());
    assert!(check_group_ids("allowed_groups", &format!("{ADMINS} {NOC}")).is_empty());
    assert_eq!(
        codes(&check_group_ids("allowed_groups", "Keep Admins")),
        ["group.display_name"]
    );
    assert_eq!(
        codes(&check_secret_value("88888888-0000-4000-8000-000000000001"))[0],
        "secret.looks_like_secret_id"
    );
    assert!(check_secret_value("Gra8Q~Sandbox-Grafana-Secret-0005").is_empty());
    assert!(check_base_url("base_url", "https://grafana.example.com").is_empty());
    assert!(check_base_url("base_url", "http://localhost:3000").is_empty());
    assert_eq!(
        codes(&check_base_url("base_url", "http://grafana.example.com")),
        ["url.http"]
    );
    assert_eq!(
        codes(&check_base_url("base_url", "grafana.example.com")),
        ["url.invalid"]
    );
    assert_eq!(
        codes(&check_base_url(
            "base_url",
            "https://grafana.example.com/grafana/"
        )),
        ["url.trailing_slash"]
    );
    assert!(grafana::check_role_name("r", "Editor").is_empty());
    assert_eq!(
        codes(&grafana::check_role_name("r", "editor")),
        ["grafana.role.case"]
    );
    assert_eq!(
        codes(&grafana::check_role_name("r", "Owner")),
        ["grafana.role.unknown"]
    );
    let g = inputs("https://grafana.example.com")
        .with("root_url", "https://grafana.example.com:3000/")
        .with("auto_assign_org_role", "Boss");
    let m = check_inputs(&grafana::Grafana, &g);
    assert!(codes(&m).contains(&"grafana.root_url.mismatch"), "{m:?}");
    assert!(codes(&m).contains(&"choice.unknown"), "{m:?}");
    let k = inputs("https://keep.example.com").with("admin_group_id", "Keep Admins");
    assert!(codes(&check_inputs(&keep::Keep, &k)).contains(&"group.display_name"));
}

// ---------------------------------------------------------------------------
// Verdict rules on hand-made claims (the sandbox tests use real tokens).
// ---------------------------------------------------------------------------

fn id_token(extra: serde_json::Value) -> JsonObject {
    let mut c = claims(json!({
        "aud": CLIENT, "iss": format!("https://login.microsoftonline.com/{TENANT}/v2.0"),
        "tid": TENANT, "ver": "2.0", "nonce": "n", "email": "alice@contoso.example",
    }));
    for (k, v) in claims(extra) {
        c.insert(k, v);
    }
    c
}

fn grafana_verdict(id: &JsonObject, i: &TargetInputs) -> Verdict {
    verdict_on(
        &grafana::Grafana,
        &TokenSet {
            id: Some(id),
            ..TokenSet::default()
        },
        i,
    )
}

#[test]
fn grafana_roles_highest_wins_case_insensitively() {
    let i = inputs("https://g.example.com");
    let v = grafana_verdict(&id_token(json!({"roles": ["viewer", "EDITOR"]})), &i);
    assert_eq!(v.outcome, Outcome::Works);
    assert!(v
        .check("grafana.role")
        .unwrap()
        .message
        .starts_with("Role: Editor"));
    let v = grafana_verdict(&id_token(json!({"roles": ["Admin", "GrafanaAdmin"]})), &i);
    assert_eq!(
        v.outcome,
        Outcome::Degraded,
        "GrafanaAdmin without allow_assign_grafana_admin"
    );
    let v = grafana_verdict(
        &id_token(json!({"roles": ["GrafanaAdmin"]})),
        &i.clone().with("allow_assign_grafana_admin", "true"),
    );
    assert_eq!(v.outcome, Outcome::Works);
    assert!(v
        .check("grafana.role")
        .unwrap()
        .message
        .contains("server administrator"));
}

#[test]
fn grafana_rejects_v1_tokens_wrong_audience_and_other_tenants() {
    let i = inputs("https://g.example.com");
    let v1 = id_token(
        json!({"ver": "1.0", "iss": format!("https://sts.windows.net/{TENANT}/"), "roles": ["Viewer"]}),
    );
    let v = grafana_verdict(&v1, &i);
    assert_eq!(v.outcome, Outcome::Fails);
    assert_eq!(
        v.check("grafana.token.v1").unwrap().status,
        CheckStatus::Fail
    );
    let v = grafana_verdict(
        &id_token(json!({"aud": "someone-else", "roles": ["Viewer"]})),
        &i,
    );
    assert_eq!(v.check("grafana.aud").unwrap().status, CheckStatus::Fail);
    let v = grafana_verdict(
        &id_token(json!({"tid": "aaaaaaaa-0000-4000-8000-000000000002", "roles": ["Viewer"]})),
        &i,
    );
    assert_eq!(
        v.check("grafana.allowed_organizations").unwrap().status,
        CheckStatus::Fail
    );
    let v = grafana_verdict(
        &id_token(json!({"email": null, "preferred_username": "alice@x", "roles": ["Viewer"]})),
        &i,
    );
    assert!(v
        .check("grafana.email")
        .unwrap()
        .message
        .contains("preferred_username"));
}

#[test]
fn grafana_overage_needs_group_member_read_all() {
    let i = inputs("https://g.example.com").with("allowed_groups", ADMINS);
    let over = id_token(
        json!({"roles": ["Viewer"], "_claim_names": {"groups": "src1"}, "_claim_sources": {"src1": {"endpoint": "x"}}}),
    );
    let v = grafana_verdict(&over, &i);
    assert_eq!(
        v.check("grafana.groups.overage").unwrap().status,
        CheckStatus::Fail
    );
    let graph = claims(
        json!({"aud": "00000003-0000-0000-c000-000000000000", "scp": "openid User.Read GroupMember.Read.All"}),
    );
    let v = verdict_on(
        &grafana::Grafana,
        &TokenSet {
            id: Some(&over),
            graph: Some(&graph),
            ..TokenSet::default()
        },
        &i,
    );
    assert_eq!(
        v.check("grafana.groups.overage").unwrap().status,
        CheckStatus::Unknown
    );
}

#[test]
fn keep_judges_the_access_token_groups_issuer_and_audience() {
    let i = inputs("https://keep.example.com")
        .with("admin_group_id", ADMINS)
        .with("noc_group_id", NOC);
    let at = |extra: serde_json::Value| {
        let mut c = claims(
            json!({"aud": format!("api://{CLIENT}"), "iss": format!("https://sts.windows.net/{TENANT}/"), "appid": CLIENT, "tid": TENANT, "scp": "default"}),
        );
        for (k, v) in claims(extra) {
            c.insert(k, v);
        }
        c
    };
    let judge = |c: &JsonObject| {
        verdict_on(
            &keep::Keep,
            &TokenSet {
                access: Some(c),
                ..TokenSet::default()
            },
            &i,
        )
    };
    let v = judge(&at(json!({"groups": [NOC]})));
    assert_eq!(v.outcome, Outcome::Works);
    assert!(v.check("keep.role").unwrap().message.contains("NOC"));
    let v = judge(&at(
        json!({"groups": ["22222222-0000-4000-8000-000000000009"]}),
    ));
    assert_eq!(
        v.check("keep.groups.not_member").unwrap().status,
        CheckStatus::Fail
    );
    assert!(v
        .summary
        .contains("User not a member of any authorized groups"));
    let v = judge(&at(json!({"_claim_names": {"groups": "src1"}})));
    assert_eq!(
        v.check("keep.groups.overage").unwrap().status,
        CheckStatus::Fail
    );
    let v = judge(&at(
        json!({"groups": [ADMINS], "aud": CLIENT, "iss": format!("https://login.microsoftonline.com/{TENANT}/v2.0"), "azp": CLIENT}),
    ));
    assert_eq!(
        v.outcome,
        Outcome::Works,
        "v2 issuer and bare client ID audience: {v:#?}"
    );
    let v = judge(&at(json!({"groups": [ADMINS], "aud": "api://other"})));
    assert_eq!(v.check("keep.aud").unwrap().status, CheckStatus::Fail);
    let id = id_token(json!({}));
    let v = verdict_on(
        &keep::Keep,
        &TokenSet {
            id: Some(&id),
            ..TokenSet::default()
        },
        &i,
    );
    assert_eq!(
        v.outcome,
        Outcome::Fails,
        "no access token, no groups in the ID token: {v:#?}"
    );
}

#[test]
fn needs_follow_the_inputs() {
    let i = inputs("https://g.example.com");
    assert!(grafana::Grafana.needs(&i).roles);
    assert!(!grafana::Grafana.needs(&i).groups);
    assert!(
        grafana::Grafana
            .needs(&i.clone().with("allowed_groups", ADMINS))
            .groups
    );
    assert!(
        !grafana::Grafana
            .needs(&i.clone().with("role_mapping", "groups"))
            .roles
    );
    assert!(keep::Keep.needs(&i).groups);
    assert!(!keep::Keep.needs(&i).roles);
}

#[test]
fn inputs_round_trip_as_json() {
    let i = inputs("https://g.example.com").with("allowed_groups", ADMINS);
    let text = serde_json::to_string(&i).unwrap();
    let back: TargetInputs = serde_json::from_str(&text).unwrap();
    assert_eq!(back, i);
    let minimal: TargetInputs = serde_json::from_str(r#"{"base_url":"https://x"}"#).unwrap();
    assert_eq!(minimal.cloud, Cloud::Global);
}
