//! The connectivity doctor against the sandbox tenant over real HTTP: each
//! registration mistake an admin makes shows up as the finding, the fix and
//! the status they would read, and every run ends within its timeout.

mod support;

use std::time::{Duration, Instant};

use base64::Engine as _;
use entrance_core::diagnose::{
    run, CancellationToken, CheckResult, CheckStatus, Credentials, DiagnoseCode, DiagnoseRequest,
    Diagnosis, Environment, Overall,
};
use entrance_core::login::{Cloud, SecretMethod};
use entrance_core::secrets::SecretString;
use entrance_sandbox::faults::{Endpoint, FaultRule};
use entrance_sandbox::Sandbox;
use support::*;

const GRAFANA_REDIRECT: &str = "https://grafana.contoso.sandbox/login/azuread";
const KEEP_LOOPBACK: &str = "http://localhost/api/auth/callback/microsoft-entra-id";
/// The whole run's bound: every check has its own (the request's) timeout.
const RUN_BOUND: Duration = Duration::from_secs(40);

fn contoso(sb: &Sandbox) -> String {
    format!("{}/v2.0", sb.authority("contoso"))
}

fn request_for(sb: &Sandbox, app: Option<&str>) -> DiagnoseRequest {
    DiagnoseRequest {
        authority: Some(contoso(sb)),
        client_id: app.map(|a| app_id(sb, a)),
        secret_name: app.map(|a| format!("{a}-secret")),
        timeout_secs: Some(10),
        ..DiagnoseRequest::default()
    }
}

fn with_secret(value: &str) -> Credentials {
    Credentials {
        client_secret: Some(SecretString::from(value.to_string())),
        graph_token: None,
        ..Credentials::default()
    }
}

async fn diagnose(request: DiagnoseRequest, credentials: Credentials) -> Diagnosis {
    let t0 = Instant::now();
    let diagnosis = tokio::time::timeout(
        RUN_BOUND,
        run(
            request,
            credentials,
            Environment::default(),
            CancellationToken::new(),
            |_| {},
        ),
    )
    .await
    .expect("the diagnosis ends within its bound")
    .expect("the request is diagnosable");
    assert!(t0.elapsed() < RUN_BOUND);
    diagnosis
}

fn check<'a>(d: &'a Diagnosis, id: &str) -> &'a CheckResult {
    d.results
        .iter()
        .find(|r| r.id == id)
        .unwrap_or_else(|| panic!("no {id} check in {:#?}", d.results))
}

fn codes(r: &CheckResult) -> Vec<DiagnoseCode> {
    r.findings.iter().map(|f| f.code).collect()
}

fn finding(r: &CheckResult, code: DiagnoseCode) -> &entrance_core::diagnose::DiagnoseFinding {
    r.findings
        .iter()
        .find(|f| f.code == code)
        .unwrap_or_else(|| panic!("{} has no {code:?}: {:#?}", r.id, r.findings))
}

fn detail<'a>(r: &'a CheckResult, label: &str) -> Option<&'a str> {
    r.details
        .iter()
        .find(|d| d.label == label)
        .map(|d| d.value.as_str())
}

/// No check failed or timed out (warnings, such as no browser on a test
/// machine, are allowed).
fn assert_nothing_failed(d: &Diagnosis) {
    for r in &d.results {
        assert!(
            !matches!(
                r.status,
                CheckStatus::Failed | CheckStatus::TimedOut | CheckStatus::Blocked
            ),
            "{} ended {:?}: {} {:#?}",
            r.id,
            r.status,
            r.summary,
            r.findings
        );
    }
}

#[tokio::test]
async fn the_correct_app_with_its_secret_and_redirect_is_healthy() {
    let sb = sandbox().await;
    let mut request = request_for(&sb, Some("grafana"));
    request.redirect_uris = vec![GRAFANA_REDIRECT.into()];
    let d = diagnose(request, with_secret(&secret_value(&sb, "grafana"))).await;
    assert_nothing_failed(&d);
    assert_ne!(d.overall, Overall::Problems, "{:#?}", d.root_causes);

    let tenant = check(&d, "tenant");
    assert_eq!(tenant.status, CheckStatus::Passed, "{tenant:#?}");
    assert_eq!(
        detail(tenant, "cloud_instance_name"),
        Some("microsoftonline.com")
    );
    assert_eq!(detail(tenant, "tenant_region_scope"), Some("EU"));
    assert_eq!(
        detail(tenant, "Tenant ID"),
        Some("aaaaaaaa-0000-4000-8000-000000000001")
    );
    assert!(detail(tenant, "Issuer")
        .is_some_and(|i| i.ends_with("/aaaaaaaa-0000-4000-8000-000000000001/v2.0")));

    let jwks = check(&d, "jwks");
    assert_eq!(jwks.status, CheckStatus::Passed);
    assert!(jwks.summary.contains("usable"), "{}", jwks.summary);
    assert!(detail(jwks, "Key IDs (kid)").is_some_and(|k| k.contains(&sb.current_kid())));

    let app = check(&d, "app_secret");
    assert_eq!(app.status, CheckStatus::Passed);
    let valid = finding(app, DiagnoseCode::SecretValid);
    assert!(
        valid.message.contains("grafana-secret"),
        "{}",
        valid.message
    );
    // The token Entra issued is nowhere in the result.
    let json = serde_json::to_string(&d).expect("serializable");
    assert!(!json.contains("eyJ"), "a token leaked into the diagnosis");
    assert!(
        !json.contains(&secret_value(&sb, "grafana")),
        "the secret leaked"
    );

    let redirect = check(&d, "redirect_uri");
    assert_eq!(redirect.status, CheckStatus::Passed);
    assert!(finding(redirect, DiagnoseCode::RedirectRegistered)
        .message
        .contains(GRAFANA_REDIRECT));

    // Graph's root came from discovery's msgraph_host (the sandbox's listener).
    let graph = check(&d, "graph");
    assert_eq!(graph.status, CheckStatus::Passed, "{graph:#?}");
    assert_eq!(
        detail(graph, "Graph root").map(|r| r.trim_end_matches('/')),
        Some(sb.graph_url().trim_end_matches('/'))
    );
    assert!(graph.summary.contains("not read"), "{}", graph.summary);
}

#[tokio::test]
async fn an_unknown_tenant_is_the_root_cause_and_blocks_the_app_checks() {
    let sb = sandbox().await;
    let mut request = request_for(&sb, Some("grafana"));
    request.authority = Some(format!("{}/contoso-typo.sandbox/v2.0", sb.base_url()));
    request.redirect_uris = vec![GRAFANA_REDIRECT.into()];
    let d = diagnose(request, with_secret(&secret_value(&sb, "grafana"))).await;

    let tenant = check(&d, "tenant");
    assert_eq!(tenant.status, CheckStatus::Failed);
    let f = finding(tenant, DiagnoseCode::TenantUnknown);
    assert_eq!(f.aadsts, Some(90002));
    assert!(f.message.contains("contoso-typo.sandbox"), "{}", f.message);
    assert!(
        f.fix.contains("verified") && f.fix.contains("cloud"),
        "{}",
        f.fix
    );
    assert!(f.links.iter().any(|l| l.url.contains("code=90002")));
    assert!(f
        .links
        .iter()
        .any(|l| l.url.contains("appId/33333333-0000-4000-8000-000000000005")));

    for id in ["jwks", "app_secret", "redirect_uri", "graph"] {
        let r = check(&d, id);
        assert_eq!(r.status, CheckStatus::Blocked, "{id}");
        assert_eq!(r.blocked_by, ["tenant"], "{id}");
    }
    assert_eq!(d.overall, Overall::Problems);
    let cause = &d.root_causes[0];
    assert_eq!(cause.check_id, "tenant");
    for id in ["jwks", "app_secret", "redirect_uri", "graph"] {
        assert!(
            cause.explains.iter().any(|e| e == id),
            "{:?}",
            cause.explains
        );
    }
}

#[tokio::test]
async fn a_us_government_tenant_asked_in_the_global_cloud_names_its_own_host() {
    let sb = sandbox().await;
    let request = DiagnoseRequest {
        authority: Some(format!("{}/v2.0", sb.authority("northwind-gov"))),
        cloud: Some(Cloud::Global),
        timeout_secs: Some(10),
        ..DiagnoseRequest::default()
    };
    let d = diagnose(request, Credentials::default()).await;
    let tenant = check(&d, "tenant");
    assert_eq!(tenant.status, CheckStatus::Failed);
    assert_eq!(
        detail(tenant, "cloud_instance_name"),
        Some("microsoftonline.us")
    );
    assert!(detail(tenant, "tenant_region_scope").is_some_and(|r| r.starts_with("USGov")));
    let f = finding(tenant, DiagnoseCode::TenantOtherCloud);
    assert!(
        f.message.contains("US Government") && f.message.contains("90038"),
        "{}",
        f.message
    );
    assert!(f.fix.contains("login.microsoftonline.us"), "{}", f.fix);
    assert!(f.fix.contains("graph.microsoft.us"), "{}", f.fix);
    assert_eq!(check(&d, "jwks").status, CheckStatus::Blocked);
    assert_eq!(d.root_causes[0].check_id, "tenant");

    // Asked in its own cloud, the same tenant is fine.
    let request = DiagnoseRequest {
        authority: Some(format!("{}/v2.0", sb.authority("northwind-gov"))),
        cloud: Some(Cloud::UsGov),
        timeout_secs: Some(10),
        ..DiagnoseRequest::default()
    };
    let d = diagnose(request, Credentials::default()).await;
    assert_eq!(check(&d, "tenant").status, CheckStatus::Passed);
}

#[tokio::test]
async fn an_unknown_client_id_is_app_unknown_with_the_three_usual_causes() {
    let sb = sandbox().await;
    let mut request = request_for(&sb, None);
    request.client_id = Some("33333333-0000-4000-8000-0000000000ff".into());
    let d = diagnose(request, with_secret("Any8Q~value")).await;
    let app = check(&d, "app_secret");
    assert_eq!(app.status, CheckStatus::Failed);
    let f = finding(app, DiagnoseCode::AppUnknown);
    assert_eq!(f.aadsts, Some(700016));
    assert!(
        f.message.contains("33333333-0000-4000-8000-0000000000ff"),
        "{}",
        f.message
    );
    assert!(
        f.fix.contains("client ID") && f.fix.contains("tenant") && f.fix.contains("cloud"),
        "{}",
        f.fix
    );
    assert!(f.links.iter().any(|l| l.url.contains("adminconsent")));
    assert_eq!(d.root_causes[0].check_id, "app_secret");
}

#[tokio::test]
async fn a_client_id_that_is_not_a_guid_is_refused_before_asking() {
    let sb = sandbox().await;
    let mut request = request_for(&sb, None);
    request.client_id = Some("api://33333333-0000-4000-8000-000000000005".into());
    let d = diagnose(request, Credentials::default()).await;
    let app = check(&d, "app_secret");
    assert_eq!(app.status, CheckStatus::Failed);
    let f = finding(app, DiagnoseCode::AppClientIdInvalid);
    assert!(f.message.contains("Application ID URI"), "{}", f.message);
}

#[tokio::test]
async fn a_wrong_secret_is_named_by_its_saved_name_never_its_value() {
    let sb = sandbox().await;
    let d = diagnose(
        request_for(&sb, Some("grafana")),
        with_secret("Wrong8Q~not-the-value"),
    )
    .await;
    let app = check(&d, "app_secret");
    assert_eq!(app.status, CheckStatus::Failed);
    assert_eq!(codes(app), [DiagnoseCode::SecretInvalid]);
    let f = finding(app, DiagnoseCode::SecretInvalid);
    assert_eq!(f.aadsts, Some(7000215));
    assert!(f.message.contains("“grafana-secret”"), "{}", f.message);
    assert!(f.fix.contains("Value"), "{}", f.fix);
    assert!(f
        .links
        .iter()
        .any(|l| l.url.contains("/Credentials/appId/")));
    let json = serde_json::to_string(&d).expect("serializable");
    assert!(!json.contains("Wrong8Q~not-the-value"));
}

#[tokio::test]
async fn a_secret_id_pasted_as_the_secret_is_recognized() {
    let sb = sandbox().await;
    let d = diagnose(
        request_for(&sb, Some("grafana")),
        with_secret(&secret_id(&sb, "grafana")),
    )
    .await;
    let app = check(&d, "app_secret");
    assert_eq!(app.status, CheckStatus::Failed);
    assert_eq!(
        codes(app),
        [DiagnoseCode::SecretInvalid, DiagnoseCode::SecretLooksLikeId]
    );
    let f = finding(app, DiagnoseCode::SecretLooksLikeId);
    assert!(
        f.message.contains("Secret ID") && f.message.contains("grafana-secret"),
        "{}",
        f.message
    );
}

#[tokio::test]
async fn an_expired_secret_says_to_add_a_new_one_without_overwriting() {
    let sb = sandbox().await;
    let d = diagnose(
        request_for(&sb, Some("keep-misconfigured")),
        with_secret(&secret_value(&sb, "keep-misconfigured")),
    )
    .await;
    let app = check(&d, "app_secret");
    assert_eq!(app.status, CheckStatus::Failed);
    let f = finding(app, DiagnoseCode::SecretExpired);
    assert_eq!(f.aadsts, Some(7000222));
    assert!(
        f.message.contains("keep-misconfigured-secret"),
        "{}",
        f.message
    );
    assert!(f.fix.contains("--append"), "{}", f.fix);
}

#[tokio::test]
async fn without_a_secret_the_app_is_still_proven_to_exist() {
    let sb = sandbox().await;
    let mut request = request_for(&sb, Some("grafana"));
    request.secret_name = None;
    let d = diagnose(request, Credentials::default()).await;
    let app = check(&d, "app_secret");
    assert_eq!(app.status, CheckStatus::Passed, "{app:#?}");
    let f = finding(app, DiagnoseCode::SecretNotGiven);
    assert_eq!(f.aadsts, Some(7000218));
    assert!(f.message.contains("app exists"), "{}", f.message);

    // Named but missing: a warning, since a secret was expected.
    let d = diagnose(request_for(&sb, Some("grafana")), Credentials::default()).await;
    let app = check(&d, "app_secret");
    assert_eq!(app.status, CheckStatus::Warning);
    assert!(finding(app, DiagnoseCode::SecretNotGiven)
        .message
        .contains("grafana-secret"));

    // No client ID: skipped, saying what to give.
    let d = diagnose(request_for(&sb, None), Credentials::default()).await;
    let app = check(&d, "app_secret");
    assert_eq!(app.status, CheckStatus::Skipped);
    assert!(
        app.summary.contains("Application (client) ID"),
        "{}",
        app.summary
    );
    assert_eq!(check(&d, "redirect_uri").status, CheckStatus::Skipped);
}

#[tokio::test]
async fn redirect_uris_are_probed_registered_and_unregistered_with_their_platform() {
    let sb = sandbox().await;
    let mut request = request_for(&sb, Some("grafana"));
    // Grafana's own redirect URIs for a base URL the app was not registered with.
    request.target = Some("grafana".into());
    request.base_url = Some("https://grafana.example.com".into());
    request.redirect_uris = vec![GRAFANA_REDIRECT.into()];
    let d = diagnose(request, with_secret(&secret_value(&sb, "grafana"))).await;
    let r = check(&d, "redirect_uri");
    assert_eq!(r.status, CheckStatus::Failed);
    let unregistered: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.code == DiagnoseCode::RedirectUnregistered)
        .collect();
    assert!(!unregistered.is_empty());
    let f = unregistered
        .iter()
        .find(|f| {
            f.message
                .contains("https://grafana.example.com/login/azuread")
        })
        .expect("Grafana's callback named");
    assert_eq!(f.aadsts, Some(50011));
    assert!(
        f.fix.contains("https://grafana.example.com/login/azuread"),
        "{}",
        f.fix
    );
    assert!(f.fix.contains("Web platform"), "{}", f.fix);
    assert!(f.links.iter().any(|l| l
        .url
        .contains("/Authentication/appId/33333333-0000-4000-8000-000000000005")));
    let registered = finding(r, DiagnoseCode::RedirectRegistered);
    assert!(registered.message.contains(GRAFANA_REDIRECT));
    assert!(r.summary.starts_with("1 of"), "{}", r.summary);
    assert_eq!(d.root_causes[0].check_id, "redirect_uri");

    // A trailing slash is another URI (docs/entra.md#errors 50011).
    let mut request = request_for(&sb, Some("grafana"));
    request.redirect_uris = vec![format!("{GRAFANA_REDIRECT}/")];
    let d = diagnose(request, with_secret(&secret_value(&sb, "grafana"))).await;
    let f = finding(
        check(&d, "redirect_uri"),
        DiagnoseCode::RedirectUnregistered,
    );
    assert!(
        f.message.contains(&format!("{GRAFANA_REDIRECT}/")),
        "{}",
        f.message
    );
}

/// A Graph token of alice, signed in to Keep: consented openid profile
/// email offline_access User.Read — no GroupMember.Read.All.
async fn keep_graph_token(sb: &Sandbox) -> SecretString {
    let mut req = request(
        authority(sb),
        &app_id(sb, "keep"),
        secret(&secret_value(sb, "keep"), SecretMethod::Post),
        Some(KEEP_LOOPBACK),
    );
    req.scopes = vec!["openid".into(), "profile".into(), "User.Read".into()];
    let (result, _, _) = sign_in(sb, req, "alice").await;
    success(result).tokens.access_token
}

#[tokio::test]
async fn a_graph_token_without_group_member_read_all_is_reported_with_admin_consent() {
    let sb = sandbox().await;
    let token = keep_graph_token(&sb).await;
    let mut request = request_for(&sb, Some("keep"));
    request.secret_name = None;
    let credentials = Credentials {
        client_secret: None,
        graph_token: Some(token),
        ..Credentials::default()
    };
    let d = diagnose(request, credentials).await;
    let graph = check(&d, "graph");
    assert_eq!(graph.status, CheckStatus::Warning, "{graph:#?}");
    let f = finding(graph, DiagnoseCode::GraphPermissionMissing);
    assert!(f.message.contains("GroupMember.Read.All"), "{}", f.message);
    assert!(
        !f.message.contains("User.Read and"),
        "User.Read is consented: {}",
        f.message
    );
    assert!(f.fix.contains("admin consent"), "{}", f.fix);
    assert!(f.links.iter().any(|l| l
        .url
        .contains("adminconsent?client_id=33333333-0000-4000-8000-000000000001")));
    assert!(detail(graph, "Consented delegated permissions (scp)")
        .is_some_and(|s| s.contains("User.Read")));
    assert!(
        detail(graph, "/v1.0/me").is_some_and(|s| s.contains("alice@contoso.sandbox")),
        "{graph:#?}"
    );
    let json = serde_json::to_string(&d).expect("serializable");
    assert!(
        !json.contains("eyJ"),
        "the Graph token leaked into the diagnosis"
    );
}

#[tokio::test]
async fn a_graph_token_graph_does_not_take_is_rejected() {
    let sb = sandbox().await;
    // Graph-shaped claims, but not issued by the tenant: Graph answers 401.
    let b64 = |v: serde_json::Value| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
    };
    let forged = format!(
        "{}.{}.{}",
        b64(serde_json::json!({"typ": "JWT", "alg": "RS256", "kid": "nope", "nonce": "n"})),
        b64(serde_json::json!({
            "aud": "https://graph.microsoft.com",
            "scp": "User.Read GroupMember.Read.All",
            "exp": 4_000_000_000_i64,
        })),
        b64(serde_json::json!("not a signature")),
    );
    let credentials = Credentials {
        client_secret: None,
        graph_token: Some(SecretString::from(forged)),
        ..Credentials::default()
    };
    let d = diagnose(request_for(&sb, None), credentials).await;
    let graph = check(&d, "graph");
    assert_eq!(graph.status, CheckStatus::Failed, "{graph:#?}");
    let f = finding(graph, DiagnoseCode::GraphTokenRejected);
    assert!(f.message.contains("401"), "{}", f.message);
    assert!(f.fix.contains("sign in again"), "{}", f.fix);
}

#[tokio::test]
async fn a_loopback_port_in_use_names_the_port_and_how_to_find_its_owner() {
    let sb = sandbox().await;
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port();
    let mut request = request_for(&sb, None);
    request.loopback_port = Some(port);
    let d = diagnose(request, Credentials::default()).await;
    let r = check(&d, "loopback");
    assert_eq!(r.status, CheckStatus::Failed);
    let f = finding(r, DiagnoseCode::LoopbackPortInUse);
    assert!(f.message.contains(&port.to_string()), "{}", f.message);
    assert!(
        f.fix.contains(&format!("ss -ltnp 'sport = :{port}'")),
        "{}",
        f.fix
    );
    drop(taken);

    // Released: the same port is free now, and the check did not keep it.
    let mut request = request_for(&sb, None);
    request.loopback_port = Some(port);
    let d = diagnose(request, Credentials::default()).await;
    assert_eq!(check(&d, "loopback").status, CheckStatus::Passed);
    std::net::TcpListener::bind(("127.0.0.1", port)).expect("the check released the port");
}

#[tokio::test]
async fn a_server_error_on_the_token_endpoint_is_not_blamed_on_the_secret() {
    let sb = sandbox().await;
    sb.faults().add(FaultRule {
        endpoint: Endpoint::Token,
        status: Some(503),
        ..FaultRule::default()
    });
    let d = diagnose(
        request_for(&sb, Some("grafana")),
        with_secret(&secret_value(&sb, "grafana")),
    )
    .await;
    let app = check(&d, "app_secret");
    assert_eq!(app.status, CheckStatus::Failed);
    assert_eq!(codes(app), [DiagnoseCode::HttpServerError]);
    let f = finding(app, DiagnoseCode::HttpServerError);
    assert!(f.message.contains("HTTP 503"), "{}", f.message);
    assert!(f.fix.contains("not in the registration"), "{}", f.fix);
    // Discovery was not affected.
    assert_eq!(check(&d, "tenant").status, CheckStatus::Passed);
}

#[tokio::test]
async fn a_hanging_key_endpoint_times_out_within_the_check_timeout() {
    let sb = sandbox().await;
    sb.faults().add(FaultRule {
        endpoint: Endpoint::Jwks,
        hang: true,
        ..FaultRule::default()
    });
    let mut request = request_for(&sb, None);
    request.timeout_secs = Some(2);
    let t0 = Instant::now();
    let d = diagnose(request, Credentials::default()).await;
    let jwks = check(&d, "jwks");
    assert!(
        matches!(jwks.status, CheckStatus::TimedOut | CheckStatus::Failed),
        "{jwks:#?}"
    );
    assert!(t0.elapsed() < Duration::from_secs(10), "{:?}", t0.elapsed());
    assert_eq!(check(&d, "tenant").status, CheckStatus::Passed);
}

#[tokio::test]
async fn a_multi_tenant_authority_is_noted_and_client_credentials_ask_for_a_tenant() {
    let sb = sandbox().await;
    let mut request = request_for(&sb, Some("grafana"));
    request.authority = Some(format!("{}/organizations/v2.0", sb.base_url()));
    let d = diagnose(request, with_secret(&secret_value(&sb, "grafana"))).await;
    let tenant = check(&d, "tenant");
    assert_eq!(tenant.status, CheckStatus::Passed, "{tenant:#?}");
    let f = finding(tenant, DiagnoseCode::TenantMultiTenant);
    assert!(f.message.contains("{tenantid}"), "{}", f.message);
    assert!(f.fix.contains("tid"), "{}", f.fix);
    let app = check(&d, "app_secret");
    assert_eq!(app.status, CheckStatus::Skipped);
    assert!(app.summary.contains("tenant ID"), "{}", app.summary);
}

/// A standards OpenID provider that is not Entra, in a few lines: its
/// discovery, an empty key set, and a token endpoint refusing the client.
async fn generic_provider() -> (String, tokio::task::JoinHandle<()>) {
    use axum::routing::post;
    use axum::Json;
    support::serve_provider(post(|| async {
        (
            axum::http::StatusCode::UNAUTHORIZED,
            Json(serde_json::json!({"error": "invalid_client", "error_description": "client authentication failed"})),
        )
    }))
    .await
}

#[tokio::test]
async fn another_openid_provider_gets_the_generic_checks_only() {
    let (base, server) = generic_provider().await;
    let request = DiagnoseRequest {
        authority: Some(base.clone()),
        client_id: Some("my-client".into()),
        secret_name: Some("idp-secret".into()),
        redirect_uris: vec!["https://app.example.com/callback".into()],
        timeout_secs: Some(10),
        ..DiagnoseRequest::default()
    };
    let d = diagnose(request, with_secret("not-the-secret")).await;
    let tenant = check(&d, "tenant");
    assert_eq!(tenant.status, CheckStatus::Passed, "{tenant:#?}");
    assert_eq!(codes(tenant), [DiagnoseCode::TenantNotEntra]);
    // No key to verify a token with.
    let jwks = check(&d, "jwks");
    assert_eq!(jwks.status, CheckStatus::Failed);
    assert!(finding(jwks, DiagnoseCode::JwksEmpty)
        .message
        .contains("none is a usable RSA"));
    // Client IDs need not be GUIDs here; the standard `invalid_client` is read.
    let app = check(&d, "app_secret");
    assert_eq!(app.status, CheckStatus::Failed);
    assert!(finding(app, DiagnoseCode::SecretInvalid)
        .message
        .contains("“idp-secret”"));
    // Entra's error pages and Graph do not apply.
    assert_eq!(check(&d, "redirect_uri").status, CheckStatus::Skipped);
    assert_eq!(check(&d, "graph").status, CheckStatus::Skipped);
    server.abort();
}

/// A valid secret whose recorded end date is 12 days away: the app check
/// passes with a warning that names the secret and says how to rotate it
/// (docs/entra.md#errors 7000222 is what follows the end date).
#[tokio::test]
async fn a_secret_expiring_within_30_days_is_a_warning_with_the_rotation() {
    let sb = sandbox().await;
    let mut request = request_for(&sb, Some("grafana"));
    request.secret_name = Some("prod-grafana".into());
    let credentials = Credentials {
        client_secret_expiry: Some(entrance_core::secrets::Expiry::ExpiresSoon { days_left: 12 }),
        ..with_secret(&secret_value(&sb, "grafana"))
    };
    let d = diagnose(request, credentials).await;
    let app = check(&d, "app_secret");
    assert_eq!(app.status, CheckStatus::Warning, "{app:#?}");
    let soon = finding(app, DiagnoseCode::SecretExpiresSoon);
    assert!(
        soon.message.contains("prod-grafana") && soon.message.contains("12 days"),
        "{}",
        soon.message
    );
    assert!(soon.fix.contains("--append"), "{}", soon.fix);
    assert_eq!(d.overall, Overall::Warnings);
    assert_eq!(
        d.root_causes.first().map(|c| c.check_id.as_str()),
        Some("app_secret")
    );
}
