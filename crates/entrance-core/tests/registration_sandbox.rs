//! The registration audit, repair and creation against the sandbox tenant's
//! Microsoft Graph: each misconfigured twin's defects are named by their
//! codes; a repair makes the registration audit clean and a real sign-in
//! work for the product; a second repair (or creation) changes nothing; a
//! defect injected through Graph is found; a token lacking a permission
//! changes nothing and names the permission.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use entrance_core::app::registration::{self as app, RegistrationRequest};
use entrance_core::findings::FindingCode;
use entrance_core::inspect::{self, InspectOptions};
use entrance_core::registration::audit::{audit, AuditInput};
use entrance_core::registration::{snapshot, GraphClient, GraphToken};
use entrance_core::secrets::{Backend, SecretName, SecretString, Secrets};
use entrance_core::targets::{self, Outcome, TargetInputs, Verdict};
use entrance_core::{ErrorCode, Result};
use entrance_sandbox::Sandbox;
use openidconnect::PkceCodeChallenge;
use reqwest::header::LOCATION;
use secrecy::ExposeSecret;
use serde_json::{json, Value};

// ---- helpers ---------------------------------------------------------------

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

async fn sandbox() -> Sandbox {
    Sandbox::start_default().await.expect("sandbox")
}

fn authority(sb: &Sandbox) -> String {
    format!("{}/v2.0", sb.authority("contoso"))
}

fn app_id(sb: &Sandbox, app: &str) -> String {
    sb.scenario().app(app).expect("app").app_id.clone()
}

fn tenant_id(sb: &Sandbox) -> String {
    sb.scenario().tenant("contoso").expect("tenant").id.clone()
}

/// An app-only Graph token for one of the scenario's daemon apps.
async fn graph_token(sb: &Sandbox, app: &str) -> GraphToken {
    let a = sb.scenario().app(app).expect("app").clone();
    let r: Value = client()
        .post(format!("{}/oauth2/v2.0/token", sb.authority("contoso")))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", a.app_id.as_str()),
            ("client_secret", a.password_credentials[0].value.expose()),
            ("scope", "https://graph.microsoft.com/.default"),
        ])
        .send()
        .await
        .expect("token")
        .json()
        .await
        .expect("json");
    let t = r["access_token"].as_str().unwrap_or_else(|| panic!("{r}"));
    GraphToken::new(SecretString::from(t.to_string())).expect("a Graph token")
}

async fn admin(sb: &Sandbox) -> GraphToken {
    graph_token(sb, "entrance-admin").await
}

/// Secrets kept in memory (the keychain's own tests are in keychain.rs).
#[derive(Clone, Default)]
struct Memory(Arc<Mutex<HashMap<String, String>>>);

impl Backend for Memory {
    fn set(&self, name: &SecretName, value: &SecretString) -> Result<()> {
        self.0
            .lock()
            .expect("lock")
            .insert(name.to_string(), value.expose_secret().to_string());
        Ok(())
    }
    fn get(&self, name: &SecretName) -> Result<Option<SecretString>> {
        Ok(self
            .0
            .lock()
            .expect("lock")
            .get(name.as_str())
            .map(|v| SecretString::from(v.clone())))
    }
    fn delete(&self, name: &SecretName) -> Result<bool> {
        Ok(self.0.lock().expect("lock").remove(name.as_str()).is_some())
    }
}

fn secrets(memory: &Memory) -> Secrets {
    let dir = std::env::temp_dir().join(format!("entrance-registration-{}", uuid_like()));
    std::fs::create_dir_all(&dir).expect("dir");
    Secrets::open(&dir, Box::new(memory.clone()))
}

fn uuid_like() -> String {
    format!(
        "{}-{:?}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("time")
            .as_nanos()
    )
}

fn request(sb: &Sandbox, target: &str, app: Option<&str>, base: &str) -> RegistrationRequest {
    RegistrationRequest {
        target: target.into(),
        inputs: TargetInputs {
            tenant: Some(tenant_id(sb)),
            client_id: app.map(|a| app_id(sb, a)),
            ..TargetInputs::new(base)
        },
        authority: authority(sb),
        ..RegistrationRequest::default()
    }
}

fn codes(findings: &[entrance_core::registration::RegistrationFinding]) -> Vec<&'static str> {
    findings.iter().map(|f| f.code.as_str()).collect()
}

/// How the product redeems the code.
#[derive(Clone, Copy, PartialEq)]
enum Redeem {
    Secret,
    Spa(&'static str),
}

fn attr(html: &str, marker: &str) -> Option<String> {
    let start = html.find(marker)? + marker.len();
    Some(html[start..].split('"').next().unwrap_or("").to_string())
}

/// Signs `user` in to the app `client_id` as the product does (authorize →
/// the sandbox's form → consent if asked → code → token endpoint); returns
/// the token response, or Entra's error.
async fn sign_in(
    sb: &Sandbox,
    client_id: &str,
    user: &str,
    redirect: &str,
    scope: &str,
    redeem: Redeem,
    secret: Option<&str>,
) -> String {
    let scenario = sb.scenario();
    let u = scenario.user(user).expect("user");
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut url = url::Url::parse(&format!(
        "{}/oauth2/v2.0/authorize",
        sb.authority("contoso")
    ))
    .expect("url");
    url.query_pairs_mut()
        .append_pair("client_id", client_id)
        .append_pair("response_type", "code")
        .append_pair("redirect_uri", redirect)
        .append_pair("scope", scope)
        .append_pair("state", "st-1")
        .append_pair("nonce", "n-1")
        .append_pair("code_challenge", challenge.as_str())
        .append_pair("code_challenge_method", "S256");
    let c = client();
    let page = c.get(url.as_str()).send().await.expect("authorize");
    if let Some(loc) = page.headers().get(LOCATION) {
        return loc.to_str().expect("location").to_string();
    }
    let html = page.text().await.expect("html");
    let Some(ctx) = attr(&html, r#"name="ctx" value=""#) else {
        return html;
    };
    let action = attr(&html, r#"action=""#).expect("form action");
    let mut r = c
        .post(format!("{}{}", sb.base_url(), action))
        .form(&[
            ("ctx", ctx.as_str()),
            ("user", u.user_principal_name.as_str()),
            ("password", u.password.expose()),
        ])
        .send()
        .await
        .expect("sign in");
    if r.headers().get(LOCATION).is_none() {
        let html = r.text().await.expect("html");
        let Some(ctx) = attr(&html, r#"name="ctx" value=""#) else {
            return html;
        };
        let action = attr(&html, r#"action=""#).expect("form action");
        r = c
            .post(format!("{}{}", sb.base_url(), action))
            .form(&[("ctx", ctx.as_str()), ("accept", "1")])
            .send()
            .await
            .expect("consent");
    }
    let loc = r
        .headers()
        .get(LOCATION)
        .and_then(|l| l.to_str().ok())
        .expect("redirect")
        .to_string();
    let params: HashMap<String, String> = url::Url::parse(&loc)
        .expect("absolute")
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let Some(code) = params.get("code") else {
        return loc;
    };
    let mut form = vec![
        ("grant_type", "authorization_code".to_string()),
        ("client_id", client_id.to_string()),
        ("code", code.clone()),
        ("redirect_uri", redirect.to_string()),
        ("code_verifier", verifier.secret().clone()),
    ];
    let mut req = c.post(format!("{}/oauth2/v2.0/token", sb.authority("contoso")));
    match redeem {
        Redeem::Secret => form.push(("client_secret", secret.expect("a secret").to_string())),
        Redeem::Spa(origin) => req = req.header("Origin", origin),
    }
    req.form(&form)
        .send()
        .await
        .expect("token")
        .text()
        .await
        .expect("body")
}

fn judge(target: &str, text: &str, inputs: &TargetInputs) -> Verdict {
    let t = targets::by_name(target).expect("target");
    let options = InspectOptions {
        needs: t.needs(inputs),
        ..InspectOptions::default()
    };
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let inspection = inspect::inspect_text(text, &options, now).expect("inspect");
    targets::verdict(t, &inspection, inputs)
}

fn stored(memory: &Memory, name: &str) -> String {
    memory
        .0
        .lock()
        .expect("lock")
        .get(name)
        .cloned()
        .expect("the new secret is in the keychain")
}

// ---- audit of the twins ------------------------------------------------------

struct Twin {
    app: &'static str,
    target: &'static str,
    base: &'static str,
    settings: &'static [(&'static str, &'static str)],
    defects: &'static [&'static str],
}

const TWINS: &[Twin] = &[
    Twin {
        app: "keep-misconfigured",
        target: "keep",
        base: "http://localhost:3000",
        settings: &[],
        defects: &[
            "registration.groups_claim_missing",
            "registration.scope_missing",
            "registration.permission_missing",
            "registration.secret_expired",
        ],
    },
    Twin {
        app: "grafana-misconfigured",
        target: "grafana",
        base: "https://grafana.contoso.sandbox",
        settings: &[("role_mapping", "both")],
        defects: &[
            "registration.redirect_wrong_platform",
            "registration.redirect_missing",
            "registration.app_role_missing",
            "registration.groups_claim_missing",
            "registration.permission_missing",
            "registration.consent_missing",
        ],
    },
    Twin {
        app: "authentik-misconfigured",
        target: "authentik",
        base: "http://localhost:9000",
        settings: &[],
        defects: &[
            "registration.redirect_missing",
            "registration.permission_missing",
            "registration.consent_missing",
        ],
    },
    Twin {
        app: "camunda-misconfigured",
        target: "camunda",
        base: "https://operate.contoso.sandbox",
        settings: &[],
        defects: &[
            "registration.token_version",
            "registration.redirect_missing",
            "registration.permission_missing",
            "registration.consent_missing",
        ],
    },
    Twin {
        app: "openmetadata-misconfigured",
        target: "openmetadata",
        base: "http://localhost:8585",
        settings: &[],
        defects: &[
            "registration.redirect_wrong_platform",
            "registration.redirect_missing",
            "registration.permission_missing",
        ],
    },
];

fn twin_request(sb: &Sandbox, t: &Twin) -> RegistrationRequest {
    let mut r = request(sb, t.target, Some(t.app), t.base);
    for (k, v) in t.settings {
        r.inputs = r.inputs.with(k, *v);
    }
    r
}

#[tokio::test]
async fn each_twin_is_named_by_every_defect_it_carries_and_the_correct_apps_are_clean() {
    let sb = sandbox().await;
    for t in TWINS {
        let report = app::audit(&twin_request(&sb, t), admin(&sb).await, None)
            .await
            .expect("audit");
        let found = codes(&report.findings);
        for d in t.defects {
            assert!(found.contains(d), "{}: {d} not in {found:?}", t.app);
        }
        for f in &report.findings {
            assert!(
                f.portal.url.contains(&app_id(&sb, t.app)),
                "{}: deep link {}",
                t.app,
                f.portal.url
            );
            assert!(f.fix.is_some());
        }
        assert!(!report.plan.is_empty(), "{}: a repair is planned", t.app);
        if t.app == "authentik-misconfigured" {
            // GroupMember.Read.All was added as an Application permission.
            assert!(
                report
                    .findings
                    .iter()
                    .any(|f| f.message.contains("GroupMember.Read.All")
                        && f.message
                            .contains("requested as an Application permission instead")),
                "{:#?}",
                report.findings
            );
        }
        // The correctly registered app of the same product audits clean.
        let correct = t.app.trim_end_matches("-misconfigured");
        let mut r = twin_request(&sb, t);
        r.inputs.client_id = Some(app_id(&sb, correct));
        let report = app::audit(&r, admin(&sb).await, None).await.expect("audit");
        assert!(
            report.findings.is_empty(),
            "{correct}: {:#?}",
            report.findings
        );
        if correct == "grafana" {
            // Assignment required: who may sign in, groups by their direct members only.
            assert!(
                report
                    .notes
                    .iter()
                    .any(|n| n.contains("Grafana Editors (group: its direct members only")),
                "{:?}",
                report.notes
            );
        }
    }
}

// ---- repair ------------------------------------------------------------------

#[tokio::test]
async fn keep_twin_repaired_signs_alice_in_as_admin_and_a_second_repair_changes_nothing() {
    let sb = sandbox().await;
    let memory = Memory::default();
    let store = secrets(&memory);
    let mut req = twin_request(&sb, &TWINS[0]);
    req.secret_name = Some("keep-twin".into());
    // Without confirmation nothing is sent.
    let dry = app::fix(&req, admin(&sb).await, Some(&store), false)
        .await
        .expect("plan");
    assert!(dry.applied.is_none());
    assert!(
        dry.before
            .plan
            .diff_lines()
            .iter()
            .any(|l| l.contains("groupMembershipClaims")),
        "{:?}",
        dry.before.plan.diff_lines()
    );
    assert!(sb
        .scenario()
        .app("keep-misconfigured")
        .expect("app")
        .group_membership_claims
        .is_none());
    let fixed = app::fix(&req, admin(&sb).await, Some(&store), true)
        .await
        .expect("fix");
    let applied = fixed.applied.expect("applied");
    assert!(applied.failed.is_none(), "{:#?}", applied.failed);
    assert_eq!(applied.secret_stored.as_deref(), Some("keep-twin"));
    assert_eq!(
        fixed.after.expect("re-audited"),
        vec![],
        "audit clean after the repair"
    );
    // Applying twice changes nothing the second time.
    let again = app::fix(&req, admin(&sb).await, Some(&store), true)
        .await
        .expect("fix");
    assert!(
        again.before.findings.is_empty() && again.before.plan.is_empty() && again.applied.is_none()
    );
    // A real sign-in as Keep does it now works, with the new secret.
    let twin = app_id(&sb, "keep-misconfigured");
    let inputs = req
        .inputs
        .clone()
        .with(
            "admin_group_id",
            sb.scenario().group("keep-admins").expect("g").id.clone(),
        )
        .with(
            "noc_group_id",
            sb.scenario().group("keep-noc").expect("g").id.clone(),
        );
    let body = sign_in(
        &sb,
        &twin,
        "alice",
        "http://localhost:3000/api/auth/callback/microsoft-entra-id",
        &format!("api://{twin}/default openid profile email"),
        Redeem::Secret,
        Some(&stored(&memory, "keep-twin")),
    )
    .await;
    let v = judge("keep", &body, &inputs);
    assert_eq!(v.outcome, Outcome::Works, "{v:#?}");
}

#[tokio::test]
async fn every_other_twin_repaired_audits_clean_and_signs_in() {
    let sb = sandbox().await;
    // (twin index, redirect the product sends, scope, redeem)
    let camunda = app_id(&sb, "camunda-misconfigured");
    let cases: Vec<(usize, &str, String, Redeem)> = vec![
        (
            1,
            "https://grafana.contoso.sandbox/login/azuread",
            "openid email profile offline_access".into(),
            Redeem::Secret,
        ),
        (
            2,
            "http://localhost:9000/source/oauth/callback/entra-id/",
            "openid email profile https://graph.microsoft.com/User.Read".into(),
            Redeem::Secret,
        ),
        (
            3,
            "https://operate.contoso.sandbox/identity-callback",
            format!("openid email profile offline_access {camunda}/.default"),
            Redeem::Secret,
        ),
        (
            4,
            "http://localhost:8585/auth/callback",
            "openid email profile offline_access".into(),
            Redeem::Spa("http://localhost:8585"),
        ),
    ];
    for (i, redirect, scope, redeem) in cases {
        let t = &TWINS[i];
        let req = twin_request(&sb, t);
        let fixed = app::fix(&req, admin(&sb).await, None, true)
            .await
            .expect("fix");
        let applied = fixed.applied.expect("applied");
        assert!(applied.failed.is_none(), "{}: {:#?}", t.app, applied.failed);
        assert!(applied.not_applied.is_empty());
        assert_eq!(fixed.after.expect("re-audited"), vec![], "{}: clean", t.app);
        let again = app::fix(&req, admin(&sb).await, None, true)
            .await
            .expect("fix");
        assert!(
            again.before.plan.is_empty() && again.applied.is_none(),
            "{}: second run",
            t.app
        );
        let secret = sb
            .scenario()
            .app(t.app)
            .expect("app")
            .password_credentials
            .first()
            .map(|p| p.value.expose().to_string());
        let body = sign_in(
            &sb,
            &app_id(&sb, t.app),
            "alice",
            redirect,
            &scope,
            redeem,
            secret.as_deref(),
        )
        .await;
        let v = judge(t.target, &body, &req.inputs);
        assert_ne!(v.outcome, Outcome::Fails, "{}: {v:#?}", t.app);
    }
    // The repair moved the product's URI and kept what it did not own.
    let om = sb
        .scenario()
        .app("openmetadata-misconfigured")
        .expect("app")
        .clone();
    assert_eq!(
        om.web.redirect_uris,
        vec!["https://openmetadata.contoso.sandbox/callback"]
    );
    assert!(om
        .spa
        .redirect_uris
        .contains(&"http://localhost:8585/callback".to_string()));
    assert!(om
        .spa
        .redirect_uris
        .contains(&"http://localhost:8585/auth/callback".to_string()));
}

#[tokio::test]
async fn a_token_without_the_write_permission_changes_nothing_and_names_it() {
    let sb = sandbox().await;
    let req = twin_request(&sb, &TWINS[1]);
    let read_only = graph_token(&sb, "entrance-automation").await;
    assert_eq!(
        read_only
            .connection()
            .permissions
            .iter()
            .filter(|p| p.contains("ReadWrite"))
            .count(),
        0
    );
    let e = app::fix(&req, read_only, None, true)
        .await
        .expect_err("refused");
    assert_eq!(e.code(), ErrorCode::GraphPermissionMissing);
    assert!(e.to_string().contains("Application.ReadWrite.All"), "{e}");
    assert!(
        e.fix().expect("fix").contains("Grant admin consent"),
        "{:?}",
        e.fix()
    );
    let twin = sb
        .scenario()
        .app("grafana-misconfigured")
        .expect("app")
        .clone();
    assert!(
        twin.web.redirect_uris.is_empty() && twin.app_roles.is_empty(),
        "nothing applied"
    );
    // A token that cannot even read: the audit names Application.Read.All.
    let user_token: Value = {
        let c = sb.scenario().app("grafana").expect("app").clone();
        let body = sign_in(
            &sb,
            &c.app_id,
            "alice",
            "https://grafana.contoso.sandbox/login/azuread",
            "openid User.Read",
            Redeem::Secret,
            Some(c.password_credentials[0].value.expose()),
        )
        .await;
        serde_json::from_str(&body).expect("tokens")
    };
    let t = GraphToken::new(SecretString::from(
        user_token["access_token"].as_str().expect("at").to_string(),
    ))
    .expect("graph token");
    let e = app::audit(&req, t, None).await.expect_err("refused");
    assert_eq!(e.code(), ErrorCode::GraphPermissionMissing);
    assert!(e.to_string().contains("Application.Read.All"), "{e}");
}

// ---- defects injected through Graph ---------------------------------------------

async fn patch(sb: &Sandbox, path: &str, body: Value) {
    let c = GraphClient::new(sb.graph_url(), admin(sb).await).expect("client");
    let r = c
        .send("PATCH", &c.url(path), Some(&body))
        .await
        .expect("PATCH");
    assert!(r.ok(), "{path}: {}", r.error_text());
}

/// One row: the product, the app, a defect injected through Graph (or an
/// input), the code the audit must name.
struct Injected {
    code: FindingCode,
    target: &'static str,
    app: &'static str,
    settings: &'static [(&'static str, &'static str)],
    /// Graph path (under /v1.0) and JSON body of the PATCH; `{id}` = the app's object ID.
    patch: Option<(&'static str, &'static str)>,
    secret: Option<&'static str>,
    now: Option<&'static str>,
    product_tenant: Option<&'static str>,
    /// Name Alice as the user to assign.
    assign_alice: bool,
}

const fn row(code: FindingCode, target: &'static str, app: &'static str) -> Injected {
    Injected {
        code,
        target,
        app,
        settings: &[],
        patch: None,
        secret: None,
        now: None,
        product_tenant: None,
        assign_alice: false,
    }
}

fn injected() -> Vec<Injected> {
    use FindingCode as C;
    vec![
        Injected {
            patch: Some((
                "/applications/{id}",
                r#"{"web": {"redirectUris": ["https://grafana.contoso.sandbox"]}}"#,
            )),
            ..row(C::RegistrationRedirectMissing, "grafana", "grafana")
        },
        Injected {
            patch: Some((
                "/applications/{id}",
                r#"{"web": {"redirectUris": ["https://grafana.contoso.sandbox"]}, "spa": {"redirectUris": ["https://grafana.contoso.sandbox/login/azuread"]}}"#,
            )),
            ..row(C::RegistrationRedirectWrongPlatform, "grafana", "grafana")
        },
        Injected {
            patch: Some((
                "/applications/{id}",
                r#"{"appRoles": [{"id": "66666666-0000-4000-8000-000000000001", "value": "Viewer", "displayName": "V", "allowedMemberTypes": ["User"], "isEnabled": true}]}"#,
            )),
            ..row(C::RegistrationAppRoleMissing, "grafana", "grafana")
        },
        Injected {
            patch: Some((
                "/applications/{id}",
                r#"{"appRoles": [{"id": "66666666-0000-4000-8000-000000000001", "value": "viewer", "displayName": "V", "allowedMemberTypes": ["User"], "isEnabled": true}, {"id": "66666666-0000-4000-8000-000000000002", "value": "Editor", "displayName": "E", "allowedMemberTypes": ["User"], "isEnabled": true}, {"id": "66666666-0000-4000-8000-000000000003", "value": "Admin", "displayName": "A", "allowedMemberTypes": ["User"], "isEnabled": true}, {"id": "66666666-0000-4000-8000-000000000004", "value": "GrafanaAdmin", "displayName": "G", "allowedMemberTypes": ["User"], "isEnabled": true}]}"#,
            )),
            ..row(C::RegistrationAppRoleValue, "grafana", "grafana")
        },
        Injected {
            settings: &[("role_mapping", "both")],
            patch: Some(("/applications/{id}", r#"{"groupMembershipClaims": null}"#)),
            ..row(C::RegistrationGroupsClaimMissing, "grafana", "grafana")
        },
        Injected {
            patch: Some((
                "/applications/{id}",
                r#"{"api": {"requestedAccessTokenVersion": 1}}"#,
            )),
            ..row(C::RegistrationTokenVersion, "camunda", "camunda")
        },
        Injected {
            patch: Some(("/applications/{id}", r#"{"identifierUris": []}"#)),
            ..row(C::RegistrationIdentifierUriMissing, "keep", "keep")
        },
        Injected {
            patch: Some((
                "/applications/{id}",
                r#"{"api": {"oauth2PermissionScopes": []}}"#,
            )),
            ..row(C::RegistrationScopeMissing, "keep", "keep")
        },
        Injected {
            patch: Some(("/applications/{id}", r#"{"requiredResourceAccess": []}"#)),
            ..row(C::RegistrationPermissionMissing, "grafana", "grafana")
        },
        Injected {
            settings: &[("role_mapping", "both")],
            patch: Some((
                "/oauth2PermissionGrants/{grant}",
                r#"{"scope": "openid profile email offline_access User.Read"}"#,
            )),
            ..row(C::RegistrationConsentMissing, "grafana", "grafana")
        },
        Injected {
            product_tenant: Some("common"),
            ..row(C::RegistrationSignInAudience, "authentik", "authentik")
        },
        Injected {
            settings: &[
                ("redirect_path", "/api/auth/callback/microsoft-entra-id"),
                ("response_type", "code id_token"),
            ],
            patch: Some((
                "/applications/{id}",
                r#"{"web": {"implicitGrantSettings": {"enableIdTokenIssuance": false}}}"#,
            )),
            ..row(C::RegistrationIdTokenIssuance, "generic-oidc", "keep")
        },
        Injected {
            patch: Some((
                "/servicePrincipals/{sp}",
                r#"{"appRoleAssignmentRequired": true}"#,
            )),
            assign_alice: true,
            ..row(C::RegistrationAssignmentNone, "camunda", "camunda")
        },
        Injected {
            now: Some("2100-01-01T00:00:00Z"),
            ..row(C::RegistrationSecretExpired, "grafana", "grafana")
        },
        Injected {
            now: Some("2099-12-15T00:00:00Z"),
            ..row(C::RegistrationSecretExpiring, "grafana", "grafana")
        },
        Injected {
            secret: Some("88888888-0000-4000-8000-000000000005"),
            ..row(C::RegistrationSecretHintMismatch, "grafana", "grafana")
        },
        row(C::RegistrationNotFound, "grafana", "nothing"),
    ]
}

#[tokio::test]
async fn every_registration_code_is_found_when_its_defect_is_injected_through_graph() {
    let all: Vec<FindingCode> = FindingCode::ALL
        .iter()
        .copied()
        .filter(|c| c.as_str().starts_with("registration."))
        .collect();
    let rows = injected();
    for c in &all {
        assert!(rows.iter().any(|r| r.code == *c), "no row for {c}");
    }
    for r in rows {
        let sb = sandbox().await;
        let client = GraphClient::new(sb.graph_url(), admin(&sb).await).expect("client");
        let app_id = match sb.scenario().app(r.app) {
            Some(a) => a.app_id.clone(),
            None => "00000000-0000-4000-8000-00000000dead".into(),
        };
        let before = snapshot::read(&client, &app_id).await.expect("read");
        if let Some((path, body)) = r.patch {
            let path = path
                .replace(
                    "{id}",
                    before.app.as_ref().map(|a| a.id.as_str()).unwrap_or(""),
                )
                .replace(
                    "{sp}",
                    before.sp.as_ref().map(|s| s.id.as_str()).unwrap_or(""),
                )
                .replace(
                    "{grant}",
                    before
                        .grants
                        .iter()
                        .find(|g| Some(&g.resource_id) == before.graph_sp.as_ref().map(|s| &s.id))
                        .map(|g| g.id.as_str())
                        .unwrap_or(""),
                );
            patch(&sb, &path, serde_json::from_str(body).expect("row JSON")).await;
        }
        let snap = snapshot::read(&client, &app_id).await.expect("read");
        let mut inputs = TargetInputs {
            tenant: Some(tenant_id(&sb)),
            client_id: Some(app_id.clone()),
            ..TargetInputs::new(match r.target {
                "grafana" => "https://grafana.contoso.sandbox",
                "keep" | "generic-oidc" => "https://keep.contoso.sandbox",
                "camunda" => "https://operate.contoso.sandbox",
                _ => "https://authentik.contoso.sandbox",
            })
        };
        for (k, v) in r.settings {
            inputs = inputs.with(k, *v);
        }
        let secret = r.secret.map(|s| SecretString::from(s.to_string()));
        let now = r
            .now
            .map(|n| {
                time::OffsetDateTime::parse(n, &time::format_description::well_known::Rfc3339)
                    .expect("date")
                    .unix_timestamp()
            })
            .unwrap_or_else(|| time::OffsetDateTime::now_utc().unix_timestamp());
        let target = targets::by_name(r.target).expect("target");
        let alice = sb.scenario().user("alice").expect("alice").id.clone();
        let input = AuditInput {
            target,
            inputs: &inputs,
            now,
            secret: secret.as_ref(),
            secret_name: None,
            assignee: r.assign_alice.then_some(alice.as_str()),
            product_tenant: r.product_tenant,
            graph_root: sb.graph_url(),
        };
        let (findings, draft) = audit(&snap, &input);
        let found = codes(&findings);
        assert!(
            found.contains(&r.code.as_str()),
            "{}: {} not in {found:?}",
            r.app,
            r.code
        );
        if r.patch.is_some() {
            let f = findings.iter().find(|f| f.code == r.code).expect("finding");
            assert!(
                !f.requests.is_empty(),
                "{}: the finding carries the Graph request that fixes it",
                r.code
            );
            // The repair removes exactly that defect.
            let before = snap.app.as_ref().expect("app");
            let plan = entrance_core::registration::plan::repair(sb.graph_url(), before, draft);
            let out = entrance_core::registration::apply(&client, &plan, None)
                .await
                .expect("apply");
            assert!(out.failed.is_none(), "{}: {:#?}", r.code, out.failed);
            let again = snapshot::read(&client, &app_id).await.expect("read");
            let (after, _) = audit(&again, &input);
            assert!(
                !codes(&after).contains(&r.code.as_str()),
                "{}: still there after the repair: {after:#?}",
                r.code
            );
        }
    }
}

// ---- creation ------------------------------------------------------------------

#[tokio::test]
async fn a_registration_created_from_scratch_signs_in_and_a_second_create_changes_nothing() {
    let sb = sandbox().await;
    let memory = Memory::default();
    let store = secrets(&memory);
    let alice = sb.scenario().user("alice").expect("alice").id.clone();
    let mut req = request(&sb, "grafana", None, "http://localhost:3000");
    req.display_name = Some("Grafana (created)".into());
    req.secret_name = Some("grafana-created".into());
    req.assignee = Some(alice);
    req.profile = Some("Grafana created".into());
    let profiles = entrance_core::profiles::ProfileStore::at(std::env::temp_dir().join(format!(
        "entrance-registration-profiles-{}.json",
        uuid_like()
    )));
    let dry = app::create(&req, admin(&sb).await, Some(&store), Some(&profiles), false)
        .await
        .expect("plan");
    assert!(dry.applied.is_none() && dry.app_id.is_none());
    assert!(
        profiles.get("Grafana created").is_err(),
        "no profile saved without confirmation"
    );
    assert!(dry.plan.steps.len() >= 5, "{:#?}", dry.plan.steps);
    assert!(
        sb.scenario()
            .applications
            .iter()
            .all(|a| a.display_name != "Grafana (created)"),
        "nothing created without confirmation"
    );
    let created = app::create(&req, admin(&sb).await, Some(&store), Some(&profiles), true)
        .await
        .expect("create");
    let applied = created.applied.as_ref().expect("applied");
    assert!(applied.failed.is_none(), "{:#?}", applied.failed);
    let new_app = created.app_id.clone().expect("app_id");
    // The saved setup now holds the new IDs and the secret's keychain name.
    assert_eq!(created.profile_saved.as_deref(), Some("Grafana created"));
    let saved = profiles.get("Grafana created").expect("profile");
    assert_eq!(saved.target, "grafana");
    assert_eq!(saved.inputs.client_id.as_deref(), Some(new_app.as_str()));
    assert_eq!(saved.inputs.secret_name.as_deref(), Some("grafana-created"));
    assert_eq!(
        saved.inputs.tenant.as_deref(),
        Some(tenant_id(&sb).as_str())
    );
    assert_eq!(
        created.after.clone().expect("audited"),
        vec![],
        "the new registration audits clean"
    );
    let config = serde_json::to_string(&created.configuration).expect("json");
    assert!(
        config.contains(&new_app),
        "the configuration carries the new client ID"
    );
    let value = stored(&memory, "grafana-created");
    assert!(
        !config.contains(&value),
        "the secret is not in the configuration"
    );
    assert!(
        !serde_json::to_string(&created)
            .expect("json")
            .contains(&value),
        "nor in the report"
    );
    // Alice signs in and gets the role she was assigned.
    let body = sign_in(
        &sb,
        &new_app,
        "alice",
        "http://localhost:3000/login/azuread",
        "openid email profile offline_access",
        Redeem::Secret,
        Some(&value),
    )
    .await;
    let mut inputs = req.inputs.clone();
    inputs.client_id = Some(new_app.clone());
    let v = judge("grafana", &body, &inputs);
    assert_eq!(v.outcome, Outcome::Works, "{v:#?}");
    let tokens: Value = serde_json::from_str(&body).expect("tokens");
    let id = tokens["id_token"]
        .as_str()
        .expect("id token")
        .split('.')
        .nth(1)
        .expect("claims")
        .to_string();
    let claims: Value = serde_json::from_slice(&base64_decode(&id)).expect("claims");
    assert_eq!(claims["roles"], json!(["Viewer"]));
    // A second create finds it and changes nothing.
    let again = app::create(&req, admin(&sb).await, Some(&store), Some(&profiles), true)
        .await
        .expect("create");
    assert_eq!(again.existing_app_id.as_deref(), Some(new_app.as_str()));
    assert!(
        again.plan.is_empty() && again.applied.is_none(),
        "{:#?}",
        again.plan
    );
    assert_eq!(
        stored(&memory, "grafana-created"),
        value,
        "the saved secret is unchanged"
    );
}

fn base64_decode(s: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s)
        .expect("base64")
}

/// A plan stops at the first request Graph refuses and says what was and
/// was not applied; what came before it stays applied, what comes after is
/// not sent.
#[tokio::test]
async fn a_plan_stops_at_the_first_failure_and_says_what_was_and_was_not_applied() {
    use entrance_core::registration::plan::Plan;
    use entrance_core::registration::token::{WRITE_APPLICATIONS, WRITE_GRANTS};
    use entrance_core::registration::GraphRequest;
    let sb = sandbox().await;
    let client = GraphClient::new(sb.graph_url(), admin(&sb).await).expect("client");
    let snap = snapshot::read(&client, &app_id(&sb, "grafana-misconfigured"))
        .await
        .expect("read");
    let app = snap.app.expect("app");
    let existing = snap
        .grants
        .first()
        .expect("the twin has a consent grant")
        .clone();
    let url = |p: &str| client.url(p);
    let plan = Plan {
        steps: vec![
            GraphRequest {
                method: "PATCH",
                url: url(&format!("/applications/{}", app.id)),
                body: Some(json!({"groupMembershipClaims": "SecurityGroup"})),
                summary: "Emit the groups claim".into(),
                permission: WRITE_APPLICATIONS,
            },
            GraphRequest {
                method: "POST",
                url: url("/oauth2PermissionGrants"),
                body: Some(
                    json!({"clientId": existing.client_id, "consentType": "AllPrincipals", "resourceId": existing.resource_id, "scope": "openid"}),
                ),
                summary: "Grant admin consent again".into(),
                permission: WRITE_GRANTS,
            },
            GraphRequest {
                method: "PATCH",
                url: url(&format!("/applications/{}", app.id)),
                body: Some(json!({"api": {"requestedAccessTokenVersion": 2}})),
                summary: "Set requestedAccessTokenVersion to 2".into(),
                permission: WRITE_APPLICATIONS,
            },
        ],
        changes: Vec::new(),
        notes: Vec::new(),
    };
    let out = entrance_core::registration::apply(&client, &plan, None)
        .await
        .expect("apply");
    assert_eq!(out.applied.len(), 1);
    assert_eq!(out.applied[0].summary, "Emit the groups claim");
    let failed = out.failed.expect("the second step failed");
    assert_eq!(failed.status, 409);
    assert!(
        failed
            .error
            .contains("Request_MultipleObjectsWithSameKeyValue"),
        "{}",
        failed.error
    );
    assert_eq!(
        out.not_applied,
        vec!["Set requestedAccessTokenVersion to 2"]
    );
    let now = sb
        .scenario()
        .app("grafana-misconfigured")
        .expect("app")
        .clone();
    assert_eq!(
        now.group_membership_claims.as_deref(),
        Some("SecurityGroup"),
        "step 1 stays applied"
    );
    assert_eq!(
        now.api.requested_access_token_version, None,
        "step 3 was not sent"
    );
}

// ---- sign-in logs ------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tenant_sign_in_logs_list_an_unassigned_users_failure_first_explained() {
    let sb = sandbox().await;
    let grafana = app_id(&sb, "grafana");
    let redirect = "https://grafana.contoso.sandbox/login/azuread";
    let secret = "Gra8Q~Sandbox-Grafana-Secret-0005";
    let ok = sign_in(
        &sb,
        &grafana,
        "alice",
        redirect,
        "openid profile email",
        Redeem::Secret,
        Some(secret),
    )
    .await;
    assert!(ok.contains("id_token"), "{ok}");
    let refused = sign_in(
        &sb,
        &grafana,
        "bob",
        redirect,
        "openid profile email",
        Redeem::Secret,
        Some(secret),
    )
    .await;
    assert!(refused.contains("50105"), "{refused}");

    let mut req = request(
        &sb,
        "grafana",
        Some("grafana"),
        "https://grafana.contoso.sandbox",
    );
    req.inputs.client_id = Some(grafana.clone());
    let report = app::signins(&req, admin(&sb).await, 24)
        .await
        .expect("sign-ins");
    assert_eq!(report.app_id, grafana);
    let first = report.sign_ins.first().expect("a sign-in");
    assert_eq!(first.error_code, 50105, "failures come first");
    assert_eq!(first.user, "bob@contoso.sandbox");
    assert!(first.correlation_id.is_some());
    let e = first.explanation.as_ref().expect("explained");
    assert!(e.targeted, "{e:?}");
    assert!(
        format!("{} {}", e.title, e.fix)
            .to_lowercase()
            .contains("assign"),
        "{e:?}"
    );
    assert!(report
        .sign_ins
        .iter()
        .any(|s| s.succeeded() && s.user == "alice@contoso.sandbox"));

    // A token without AuditLog.Read.All: the permission is named.
    let e = app::signins(&req, graph_token(&sb, "entrance-automation").await, 24)
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::GraphPermissionMissing);
    assert!(e.to_string().contains("AuditLog.Read.All"), "{e}");
}

// ---- token preview ---------------------------------------------------------

/// Signs `user` in to `app` with `openid profile email` (and `api`, the
/// product's own API scope, when given); the ID token's and the access
/// token's claims, or `Err(Entra's answer)` when Entra does not let the user in.
async fn id_token_claims(
    sb: &Sandbox,
    app: &str,
    user: &str,
    api: Option<&str>,
) -> std::result::Result<(Value, Value), String> {
    let scenario = sb.scenario();
    let a = scenario.app(app).expect("app").clone();
    let u = scenario.user(user).expect("user").clone();
    let (redirect, spa) = match a.web.redirect_uris.first() {
        Some(r) => (r.clone(), false),
        None => (
            a.spa.redirect_uris.first().expect("a redirect URI").clone(),
            true,
        ),
    };
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut url = url::Url::parse(&format!(
        "{}/oauth2/v2.0/authorize",
        sb.authority("contoso")
    ))
    .expect("url");
    url.query_pairs_mut()
        .append_pair("client_id", &a.app_id)
        .append_pair("response_type", "code")
        .append_pair("redirect_uri", &redirect)
        .append_pair(
            "scope",
            &match api {
                Some(a) => format!("{a} openid profile email"),
                None => "openid profile email".into(),
            },
        )
        .append_pair("state", "st-1")
        .append_pair("nonce", "n-1")
        .append_pair("code_challenge", challenge.as_str())
        .append_pair("code_challenge_method", "S256");
    let c = client();
    let html = c
        .get(url.as_str())
        .send()
        .await
        .expect("authorize")
        .text()
        .await
        .expect("html");
    let ctx = attr(&html, r#"name="ctx" value=""#).ok_or_else(|| html.clone())?;
    let action = attr(&html, r#"action=""#).expect("form action");
    let mut r = c
        .post(format!("{}{}", sb.base_url(), action))
        .form(&[
            ("ctx", ctx.as_str()),
            ("user", u.user_principal_name.as_str()),
            ("password", u.password.expose()),
        ])
        .send()
        .await
        .expect("sign in");
    if r.headers().get(LOCATION).is_none() {
        let html = r.text().await.expect("html");
        if html.contains("AADSTS") {
            return Err(html);
        }
        let ctx = attr(&html, r#"name="ctx" value=""#).ok_or_else(|| html.clone())?;
        let action = attr(&html, r#"action=""#).expect("form action");
        r = c
            .post(format!("{}{}", sb.base_url(), action))
            .form(&[("ctx", ctx.as_str()), ("accept", "1")])
            .send()
            .await
            .expect("consent");
    }
    let loc = r
        .headers()
        .get(LOCATION)
        .and_then(|l| l.to_str().ok())
        .ok_or("no redirect")?
        .to_string();
    let params: HashMap<String, String> = url::Url::parse(&loc)
        .expect("absolute")
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let code = params.get("code").ok_or_else(|| loc.clone())?;
    let mut form = vec![
        ("grant_type", "authorization_code".to_string()),
        ("client_id", a.app_id.clone()),
        ("code", code.clone()),
        ("redirect_uri", redirect.clone()),
        ("code_verifier", verifier.secret().clone()),
    ];
    let mut req = c.post(format!("{}/oauth2/v2.0/token", sb.authority("contoso")));
    if spa {
        let o = url::Url::parse(&redirect)
            .expect("redirect")
            .origin()
            .ascii_serialization();
        req = req.header("Origin", o);
    } else {
        form.push((
            "client_secret",
            a.password_credentials[0].value.expose().to_string(),
        ));
    }
    let body: Value = req
        .form(&form)
        .send()
        .await
        .expect("token")
        .json()
        .await
        .expect("json");
    let claims = |t: &str| -> Value {
        let payload = t.split('.').nth(1).expect("payload");
        serde_json::from_slice(&base64_decode(payload)).expect("claims")
    };
    let id = body["id_token"].as_str().ok_or_else(|| body.to_string())?;
    let at = body["access_token"]
        .as_str()
        .map(claims)
        .unwrap_or(Value::Null);
    Ok((claims(id), at))
}

/// The product's own API scope, for products that read an access token.
fn api_scope(sb: &Sandbox, app: &str) -> String {
    let a = sb.scenario().app(app).expect("app").clone();
    match (
        a.identifier_uris.first(),
        a.api.oauth2_permission_scopes.first(),
    ) {
        (Some(uri), Some(scope)) => format!("{uri}/{}", scope.value),
        _ => format!("{}/.default", a.app_id),
    }
}

/// The claims that matter, comparable: lists sorted, the overage endpoint
/// reduced to its user path.
fn comparable(claims: &Value) -> Value {
    let mut out = serde_json::Map::new();
    for k in [
        "tid",
        "oid",
        "email",
        "preferred_username",
        "upn",
        "_claim_names",
    ] {
        if let Some(v) = claims.get(k) {
            out.insert(k.into(), v.clone());
        }
    }
    for k in ["groups", "roles", "wids"] {
        if let Some(a) = claims.get(k).and_then(Value::as_array) {
            let mut l: Vec<String> = a
                .iter()
                .filter_map(|x| x.as_str().map(str::to_ascii_lowercase))
                .collect();
            l.sort();
            out.insert(k.into(), json!(l));
        }
    }
    if let Some(e) = claims["_claim_sources"]["src1"]["endpoint"].as_str() {
        let tail = e.rsplit_once("/users/").map(|(_, t)| t).unwrap_or(e);
        out.insert("_claim_sources".into(), json!(tail));
    }
    Value::Object(out)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_token_preview_equals_a_real_sign_in_for_every_user_and_product() {
    let sb = sandbox().await;
    let scenario = sb.scenario();
    let apps: Vec<(String, String)> = scenario
        .applications
        .iter()
        .filter(|a| a.target.is_some() && !a.name.ends_with("-misconfigured"))
        .map(|a| (a.name.clone(), a.target.clone().expect("target")))
        .collect();
    let users: Vec<(String, String)> = scenario
        .users
        .iter()
        .map(|u| (u.name.clone(), u.user_principal_name.clone()))
        .collect();
    assert!(apps.len() >= 5 && users.len() >= 7, "{apps:?} {users:?}");
    let (mut compared, mut refused, mut access_tokens) = (0, Vec::new(), 0);
    for (app, target) in &apps {
        let req = request(&sb, target, Some(app), "https://product.contoso.sandbox");
        for (user, upn) in &users {
            let p = app::preview(&req, admin(&sb).await, upn, None)
                .await
                .unwrap_or_else(|e| panic!("{app} × {user}: {e}"));
            let api = p.access_token.as_ref().map(|_| api_scope(&sb, app));
            let real = id_token_claims(&sb, app, user, api.as_deref()).await;
            match real {
                Ok((claims, at)) => {
                    if let Some(predicted) = &p.access_token {
                        assert_eq!(
                            comparable(predicted),
                            comparable(&at),
                            "{app} × {user}: access token"
                        );
                        access_tokens += 1;
                    }
                    assert!(
                        p.assigned,
                        "{app} × {user}: predicted not let in: {:?}",
                        p.refusal
                    );
                    assert_eq!(comparable(&p.claims), comparable(&claims), "{app} × {user}");
                    assert!(p.verdict.is_some(), "{app} × {user}: no verdict");
                    let outcome = p.verdict.as_ref().map(|v| v.outcome);
                    if app == "camunda" && user == "alice" {
                        // Camunda reads the access token for its own API.
                        assert_eq!(outcome, Some(Outcome::Works), "{:?}", p.verdict);
                    }
                    if app == "keep" && user == "bob" {
                        // Bob is only in a nested group: Keep's groups claim is empty.
                        assert_eq!(outcome, Some(Outcome::Fails), "{:?}", p.verdict);
                    }
                    if app == "grafana" && user == "alice" {
                        // Alice's Editor role: Grafana works for her.
                        assert_eq!(
                            p.verdict.as_ref().map(|v| v.outcome),
                            Some(Outcome::Works),
                            "{:?}",
                            p.verdict
                        );
                    }
                    compared += 1;
                }
                Err(why) => {
                    assert!(
                        !p.assigned,
                        "{app} × {user}: predicted let in, but Entra refused: {}",
                        &why[..why.len().min(300)]
                    );
                    refused.push(format!("{app} × {user}"));
                }
            }
        }
    }
    eprintln!("{compared} pairs compared ({access_tokens} with an access token), refused as predicted: {refused:?}");
    assert!(
        access_tokens >= 6,
        "Keep and Camunda read access tokens: {access_tokens}"
    );
    assert_eq!(compared + refused.len(), apps.len() * users.len());
    assert!(
        refused.contains(&"grafana × bob".to_string()),
        "{refused:?}"
    );
    assert!(
        refused.contains(&"keep × disabled".to_string()),
        "{refused:?}"
    );
    assert!(refused.contains(&"keep × frank".to_string()), "{refused:?}");
    assert!(compared >= 20, "{compared}");
}
