//! Sign-in against the sandbox tenant over real HTTP: every grant, and every
//! registration mistake the issue names, explained (docs/entra.md#errors, docs/entra.md#redirect-uris).
//! The sign-in page is completed over HTTP here; `entrance-cli/tests/login.rs`
//! does the same through headless Chromium and `BROWSER`.

mod support;

use std::time::Duration;

use entrance_core::login::{
    self, Authority, ClientAuth, ClientCredential, ClientCredentialsRequest, DecodedToken,
    DeviceCodeRequest, Flow, IdTokenCheck, LoginError, LoginProgress, Phase, Platform,
    RefreshRequest, SecretMethod,
};
use entrance_core::secrets::{ExposeSecret, SecretString};
use entrance_core::ErrorCode;
use serde_json::Value;
use support::*;
use tokio_util::sync::CancellationToken;

const KEEP_PATH: &str = "http://localhost/api/auth/callback/microsoft-entra-id";
const GRAFANA_PATH: &str = "http://localhost/login/azuread";

fn claim<'a>(token: &'a Option<DecodedToken>, name: &str) -> Option<&'a Value> {
    token.as_ref()?.claims()?.get(name)
}

#[tokio::test]
async fn a_public_client_signs_in_with_pkce_on_a_port_the_system_picks() {
    let sb = sandbox().await;
    let req = request(
        authority(&sb),
        &app_id(&sb, "entrance"),
        ClientCredential::Public,
        None,
    );
    let (result, events, visit) = sign_in(&sb, req, "alice").await;
    let outcome = success(result);
    let s = &outcome.summary;
    assert_eq!(s.flow, Flow::AuthorizationCode);
    assert_eq!(s.client_auth, ClientAuth::None);
    assert_eq!(s.signed_in_as.as_deref(), Some("alice@contoso.sandbox"));
    assert!(
        s.redirect_uri
            .as_deref()
            .unwrap()
            .starts_with("http://localhost:"),
        "{:?}",
        s.redirect_uri
    );
    assert!(s.redirect_uri.as_deref().unwrap().ends_with('/'));
    let v = s.id_token_verification.as_ref().expect("verified");
    assert_eq!(v.issuer, sb.issuer("contoso"));
    assert!(v.nonce_checked);
    assert_eq!(v.alg, "RS256");
    assert_eq!(v.kid.as_deref(), Some(sb.current_kid().as_str()));
    assert_eq!(v.skew_secs, 300);
    assert!(
        s.refresh_token,
        "offline_access is asked by default on Entra"
    );
    assert!(
        s.provider.entra.is_some(),
        "the sandbox is Entra-shaped (cloud_instance_name)"
    );
    assert_eq!(
        claim(&s.id_token, "aud"),
        Some(&Value::from(app_id(&sb, "entrance")))
    );
    assert!(matches!(s.access_token, DecodedToken::Jwt { .. }));
    assert!(outcome.tokens.id_token.is_some());
    // The URL came first, then the steps in order.
    assert_eq!(
        events.names(),
        [
            "waiting_for_browser",
            "callback_received",
            "exchanging",
            "verifying",
            "done"
        ]
    );
    let url = url::Url::parse(&visit.url).unwrap();
    let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
    assert_eq!(q["code_challenge_method"], "S256");
    assert_eq!(q["response_type"], "code");
    assert!(q["scope"].starts_with("openid"));
    assert!(q.contains_key("state") && q.contains_key("nonce"));
    assert!(
        visit.page.contains(r#"data-result="success""#),
        "{}",
        visit.page
    );
    // The advice for a public client: bare localhost under Mobile and desktop (docs/entra.md#redirect-uris).
    let LoginProgress::WaitingForBrowser {
        advice,
        listening_on,
        ..
    } = &events.all()[0]
    else {
        panic!()
    };
    assert_eq!(advice.uri, "http://localhost");
    assert_eq!(advice.platform, Some(Platform::MobileAndDesktop));
    assert!(
        listening_on.iter().any(|a| a.starts_with("127.0.0.1:")),
        "{listening_on:?}"
    );
    assert!(
        listening_on
            .iter()
            .all(|a| a.starts_with("127.0.0.1:") || a.starts_with("[::1]:")),
        "{listening_on:?}"
    );
}

#[tokio::test]
async fn a_confidential_client_redeems_with_its_secret_in_the_body_or_as_basic() {
    let sb = sandbox().await;
    let keep = app_id(&sb, "keep");
    let value = secret_value(&sb, "keep");
    for (method, auth) in [
        (SecretMethod::Post, ClientAuth::ClientSecretPost),
        (SecretMethod::Basic, ClientAuth::ClientSecretBasic),
    ] {
        let req = request(
            authority(&sb),
            &keep,
            secret(&value, method),
            Some(KEEP_PATH),
        );
        let (result, _, visit) = sign_in(&sb, req, "alice").await;
        let outcome = success(result);
        assert_eq!(outcome.summary.client_auth, auth);
        assert!(outcome
            .summary
            .redirect_uri
            .as_deref()
            .unwrap()
            .ends_with("/api/auth/callback/microsoft-entra-id"));
        // azpacr 1: the client authenticated with a secret (docs/entra.md#claims).
        let access = outcome
            .summary
            .access_token
            .claims()
            .cloned()
            .unwrap_or_default();
        assert!(visit.page.contains("Signed in"), "{}", visit.page);
        assert!(access.contains_key("aud"));
    }
}

#[tokio::test]
async fn the_organizations_issuer_template_is_checked_against_the_tokens_tid() {
    let sb = sandbox().await;
    let orgs = Authority::parse(&format!("{}/organizations/v2.0", sb.base_url())).unwrap();
    let req = request(
        orgs,
        &app_id(&sb, "entrance"),
        ClientCredential::Public,
        None,
    );
    let (result, _, _) = sign_in(&sb, req, "alice").await;
    let outcome = success(result);
    let v = outcome.summary.id_token_verification.unwrap();
    assert!(v.issuer_from_template);
    assert_eq!(v.issuer, sb.issuer("contoso"));
    let entra = outcome.summary.provider.entra.unwrap();
    assert!(entra.issuer_template);
    assert_eq!(entra.tenant_id, None);
}

#[tokio::test]
async fn a_v1_authority_verifies_a_v1_id_token() {
    let sb = sandbox().await;
    let tid = sb
        .scenario()
        .tenant("contoso")
        .unwrap()
        .id
        .to_ascii_lowercase();
    let v1 = Authority::parse(&sb.authority("contoso")).unwrap();
    let req = request(v1, &app_id(&sb, "entrance"), ClientCredential::Public, None);
    let (result, _, _) = sign_in(&sb, req, "alice").await;
    let outcome = success(result);
    let v = outcome.summary.id_token_verification.unwrap();
    assert_eq!(v.issuer, format!("https://sts.windows.net/{tid}/"));
    assert_eq!(
        claim(&outcome.summary.id_token, "ver"),
        Some(&Value::from("1.0"))
    );
}

#[tokio::test]
async fn a_secret_id_instead_of_the_value_is_7000215_explained() {
    let sb = sandbox().await;
    let keep = app_id(&sb, "keep");
    let req = request(
        authority(&sb),
        &keep,
        secret(&secret_id(&sb, "keep"), SecretMethod::Post),
        Some(KEEP_PATH),
    );
    let (result, events, visit) = sign_in(&sb, req, "alice").await;
    let e = failure(&result);
    assert_eq!(e.aadsts(), Some(7000215));
    assert_eq!(e.code(), ErrorCode::LoginRejected);
    let r = e.report();
    assert_eq!(r.oauth_error.as_deref(), Some("invalid_client"));
    let fix = r.fix.unwrap();
    assert!(fix.contains("Secret ID") && fix.contains("Value"), "{fix}");
    assert!(
        fix.contains("test-secret"),
        "the secret's saved name: {fix}"
    );
    assert!(r.cause.is_some());
    assert!(
        r.cli
            .as_deref()
            .is_some_and(|c| c.starts_with("az ad app credential reset")),
        "the az equivalent: {:?}",
        r.cli
    );
    assert!(r.trace_id.is_some(), "Entra's trace ID is kept");
    assert!(
        visit.page.contains("AADSTS7000215") && visit.page.contains("Secret ID"),
        "{}",
        visit.page
    );
    assert_eq!(events.names().last(), Some(&"failed"));
}

#[tokio::test]
async fn a_web_registration_without_a_secret_is_7000218_explained() {
    let sb = sandbox().await;
    let req = request(
        authority(&sb),
        &app_id(&sb, "keep"),
        ClientCredential::Public,
        Some(KEEP_PATH),
    );
    let (result, _, _) = sign_in(&sb, req, "alice").await;
    let e = failure(&result);
    assert_eq!(e.aadsts(), Some(7000218));
    let r = e.report();
    assert!(
        r.fix.as_deref().unwrap().contains("registered under Web"),
        "{:?}",
        r.fix
    );
    assert_eq!(r.redirect.unwrap().platform, Some(Platform::Web));
}

#[tokio::test]
async fn a_secret_sent_by_a_public_client_is_700025_explained() {
    let sb = sandbox().await;
    let req = request(
        authority(&sb),
        &app_id(&sb, "entrance"),
        secret("Abc8Q~not-needed-here", SecretMethod::Post),
        Some("http://localhost"),
    );
    let (result, _, _) = sign_in(&sb, req, "alice").await;
    let e = failure(&result);
    assert_eq!(e.aadsts(), Some(700025));
    let fix = e.fix().unwrap();
    assert!(
        fix.contains("--public") && fix.contains("Mobile and desktop"),
        "{fix}"
    );
}

#[tokio::test]
async fn a_spa_redirect_cannot_be_redeemed_by_a_desktop_app_9002327() {
    let sb = sandbox().await;
    let req = request(
        authority(&sb),
        &app_id(&sb, "grafana-misconfigured"),
        ClientCredential::Public,
        Some(GRAFANA_PATH),
    );
    let (result, _, visit) = sign_in(&sb, req, "alice").await;
    let e = failure(&result);
    assert_eq!(e.aadsts(), Some(9002327));
    let fix = e.fix().unwrap();
    assert!(
        fix.contains("Single-page application") && fix.contains("http://localhost/login/azuread"),
        "{fix}"
    );
    assert!(visit.page.contains("AADSTS9002327"));
}

#[tokio::test]
async fn an_unregistered_redirect_uri_is_50011_with_the_uri_and_platform_to_register() {
    let sb = sandbox().await;
    let req = request(
        authority(&sb),
        &app_id(&sb, "entrance"),
        ClientCredential::Public,
        Some("http://localhost/not/registered"),
    );
    let (result, events, _) = sign_in(&sb, req, "alice").await;
    let e = failure(&result);
    assert_eq!(e.aadsts(), Some(50011));
    let r = e.report();
    let fix = r.fix.unwrap();
    assert!(
        fix.contains("`http://localhost/not/registered`")
            && fix.contains("Mobile and desktop applications"),
        "{fix}"
    );
    let advice = r.redirect.expect("the URI to register");
    assert_eq!(advice.uri, "http://localhost/not/registered");
    assert_eq!(advice.platform, Some(Platform::MobileAndDesktop));
    assert!(r.message.contains("AADSTS50011"), "{}", r.message);
    // Entra shows 50011 on its own page, never at the redirect URI: Entrance
    // asks before opening a browser that would wait in vain (docs/entra.md#errors).
    assert_eq!(events.names(), ["failed"]);
}

#[tokio::test]
async fn a_user_not_assigned_to_the_app_is_50105_explained() {
    let sb = sandbox().await;
    let req = request(
        authority(&sb),
        &app_id(&sb, "grafana"),
        ClientCredential::Public,
        Some(GRAFANA_PATH),
    );
    let (result, events, visit) = sign_in(&sb, req, "bob").await;
    let e = failure(&result);
    assert_eq!(e.aadsts(), Some(50105));
    let r = e.report();
    assert_eq!(
        r.blade.as_deref(),
        Some("Enterprise application → Users and groups")
    );
    assert!(r.fix.unwrap().to_lowercase().contains("assign"));
    assert!(
        events.names().contains(&"callback_received"),
        "the error came back to the listener"
    );
    assert!(!events.names().contains(&"exchanging"));
    assert!(visit.page.contains("AADSTS50105"), "{}", visit.page);
}

#[tokio::test]
async fn device_code_sign_in_succeeds() {
    let sb = sandbox().await;
    let req = DeviceCodeRequest::new(
        authority(&sb),
        &app_id(&sb, "entrance"),
        ClientCredential::Public,
    );
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let progress = move |e: LoginProgress| {
        if let LoginProgress::DeviceCode {
            user_code,
            verification_uri,
            ..
        } = &e
        {
            let _ = tx.send((user_code.clone(), verification_uri.clone()));
        }
    };
    let (base, upn, pw) = (
        sb.base_url().to_string(),
        upn(&sb, "alice"),
        password(&sb, "alice"),
    );
    let user = tokio::spawn(async move {
        let (code, uri) = rx.recv().await.expect("a device code");
        assert_eq!(uri, format!("{base}/devicelogin"));
        device_browser(&base, &code, &upn, &pw).await
    });
    let outcome = success(login::device_code(req, progress, CancellationToken::new()).await);
    assert!(user.await.unwrap().contains("signed in"));
    assert_eq!(outcome.summary.flow, Flow::DeviceCode);
    assert_eq!(
        outcome.summary.signed_in_as.as_deref(),
        Some("alice@contoso.sandbox")
    );
    assert!(outcome.summary.id_token_verification.is_some());
}

#[tokio::test]
async fn client_credentials_get_an_app_only_token_for_the_default_scope() {
    let sb = sandbox().await;
    let authentik = app_id(&sb, "authentik");
    let req = ClientCredentialsRequest {
        authority: authority(&sb),
        client_id: authentik.clone(),
        secret: SecretString::from(secret_value(&sb, "authentik")),
        method: SecretMethod::Post,
        secret_label: None,
        scopes: vec![format!("api://{authentik}/.default")],
        http: Default::default(),
    };
    let outcome = success(login::client_credentials(req, |_| {}, CancellationToken::new()).await);
    let s = outcome.summary;
    assert_eq!(s.flow, Flow::ClientCredentials);
    assert!(s.id_token.is_none() && s.id_token_verification.is_none());
    let claims = s.access_token.claims().expect("a JWT");
    assert!(claims.get("scp").is_none(), "app-only: no delegated scopes");
    assert!(!s.refresh_token);
}

#[tokio::test]
async fn client_credentials_with_a_wrong_secret_are_explained() {
    let sb = sandbox().await;
    let req = ClientCredentialsRequest {
        authority: authority(&sb),
        client_id: app_id(&sb, "authentik"),
        secret: SecretString::from(secret_id(&sb, "authentik")),
        method: SecretMethod::Basic,
        secret_label: Some("prod-authentik".into()),
        scopes: vec![format!("api://{}/.default", app_id(&sb, "authentik"))],
        http: Default::default(),
    };
    let result = login::client_credentials(req, |_| {}, CancellationToken::new()).await;
    let e = failure(&result);
    assert_eq!(e.aadsts(), Some(7000215));
    assert!(e.fix().unwrap().contains("`prod-authentik` is a GUID"));
}

#[tokio::test]
async fn a_refresh_token_is_redeemed_and_its_id_token_verified() {
    let sb = sandbox().await;
    let client_id = app_id(&sb, "entrance");
    let req = request(authority(&sb), &client_id, ClientCredential::Public, None);
    let (result, _, _) = sign_in(&sb, req, "alice").await;
    let first = success(result);
    let refresh_token = first.tokens.refresh_token.clone().expect("a refresh token");
    let req = RefreshRequest {
        authority: authority(&sb),
        client_id,
        credential: ClientCredential::Public,
        refresh_token,
        scopes: vec![],
        http: Default::default(),
    };
    let second = success(login::refresh(req, |_| {}, CancellationToken::new()).await);
    assert_eq!(second.summary.flow, Flow::RefreshToken);
    assert_ne!(
        second.tokens.access_token.expose_secret(),
        first.tokens.access_token.expose_secret()
    );
    if let Some(v) = second.summary.id_token_verification {
        assert!(!v.nonce_checked, "no nonce on refresh (OIDC Core 12.2)");
    }
}

#[tokio::test]
async fn an_unknown_tenant_is_90002_at_discovery() {
    let sb = sandbox().await;
    let a = Authority::parse(&format!("{}/nowhere.example/v2.0", sb.base_url())).unwrap();
    let req = request(a, &app_id(&sb, "entrance"), ClientCredential::Public, None);
    let (result, _, _) = sign_in(&sb, req, "alice").await;
    match failure(&result) {
        LoginError::Rejected { phase, entra, .. } => {
            assert_eq!(*phase, Phase::Discovery);
            assert_eq!(entra.aadsts, Some(90002));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_busy_port_is_a_clear_error_not_a_hang() {
    let sb = sandbox().await;
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let req = request(
        authority(&sb),
        &app_id(&sb, "entrance"),
        ClientCredential::Public,
        Some(&format!("http://localhost:{port}")),
    );
    let started = std::time::Instant::now();
    let (result, _, _) = sign_in(&sb, req, "alice").await;
    match failure(&result) {
        LoginError::PortInUse { port: p } => assert_eq!(*p, port),
        other => panic!("{other:?}"),
    }
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(failure(&result).code(), ErrorCode::LoginPortInUse);
}

#[tokio::test]
async fn nobody_coming_back_is_a_timeout_and_cancel_ends_the_wait() {
    let sb = sandbox().await;
    let mut req = request(
        authority(&sb),
        &app_id(&sb, "entrance"),
        ClientCredential::Public,
        None,
    );
    req.timeout = Duration::from_millis(500);
    let (result, events, _) =
        sign_in_with(req, CancellationToken::new(), |_| async { String::new() }).await;
    assert!(
        matches!(
            failure(&result),
            LoginError::Timeout {
                phase: Phase::Authorize,
                ..
            }
        ),
        "{:?}",
        result.err()
    );
    assert_eq!(events.names(), ["waiting_for_browser", "failed"]);

    let req = request(
        authority(&sb),
        &app_id(&sb, "entrance"),
        ClientCredential::Public,
        None,
    );
    let cancel = CancellationToken::new();
    let c = cancel.clone();
    let (result, _, _) = sign_in_with(req, cancel, move |_| {
        let c = c.clone();
        async move {
            c.cancel();
            String::new()
        }
    })
    .await;
    assert!(matches!(failure(&result), LoginError::Cancelled));
}

#[tokio::test]
async fn a_browser_command_that_fails_does_not_end_the_sign_in() {
    let sb = sandbox().await;
    let mut req = request(
        authority(&sb),
        &app_id(&sb, "entrance"),
        ClientCredential::Public,
        None,
    );
    req.browser = login::Browser::Command("/nonexistent/browser %s".into());
    let (result, events, _) = sign_in(&sb, req, "alice").await;
    success(result);
    let not_opened = events.all().into_iter().find_map(|e| match e {
        LoginProgress::BrowserNotOpened { reason, .. } => Some(reason),
        _ => None,
    });
    assert!(not_opened.expect("reported").contains("cannot start"));
}

#[tokio::test]
async fn rotated_keys_are_fetched_again_for_the_new_kid() {
    let sb = sandbox().await;
    let req = request(
        authority(&sb),
        &app_id(&sb, "entrance"),
        ClientCredential::Public,
        None,
    );
    let (result, _, _) = sign_in(&sb, req, "alice").await;
    success(result);
    // The cache now holds the old set; the next token is signed by a new key.
    let kid = sb.rotate_keys().unwrap();
    let req = request(
        authority(&sb),
        &app_id(&sb, "entrance"),
        ClientCredential::Public,
        None,
    );
    let (result, _, _) = sign_in(&sb, req, "alice").await;
    let v = success(result).summary.id_token_verification.unwrap();
    assert_eq!(v.kid.as_deref(), Some(kid.as_str()));
}

#[tokio::test]
async fn a_provider_clock_beyond_the_skew_fails_the_issued_at_check() {
    let sb = sandbox().await;
    // The sandbox runs 20 minutes ahead: iat is in the future for us.
    sb.faults().set_clock_offset(1200);
    let req = request(
        authority(&sb),
        &app_id(&sb, "entrance"),
        ClientCredential::Public,
        None,
    );
    let (result, _, _) = sign_in(&sb, req, "alice").await;
    match failure(&result) {
        LoginError::InvalidIdToken { check, .. } => {
            assert!(
                matches!(check, IdTokenCheck::IssuedAt | IdTokenCheck::NotBefore),
                "{check:?}"
            )
        }
        other => panic!("{other:?}"),
    }
    // Within the skew it verifies.
    sb.faults().set_clock_offset(120);
    let req = request(
        authority(&sb),
        &app_id(&sb, "entrance"),
        ClientCredential::Public,
        None,
    );
    let (result, _, _) = sign_in(&sb, req, "alice").await;
    success(result);
}

#[tokio::test]
async fn a_failing_token_endpoint_is_reported_not_hung() {
    let sb = sandbox().await;
    sb.faults().add(entrance_sandbox::FaultRule {
        endpoint: entrance_sandbox::Endpoint::Token,
        drop_connection: true,
        times: Some(1),
        ..Default::default()
    });
    let req = request(
        authority(&sb),
        &app_id(&sb, "entrance"),
        ClientCredential::Public,
        None,
    );
    let (result, _, visit) = sign_in(&sb, req, "alice").await;
    assert_eq!(
        failure(&result).code(),
        ErrorCode::LoginNetwork,
        "{:?}",
        result.as_ref().err()
    );
    assert!(visit.page.contains("Sign-in failed"));
}

#[tokio::test]
async fn tls_failures_are_typed_and_an_extra_ca_is_trusted() {
    let sb = entrance_sandbox::Sandbox::start_with(
        entrance_sandbox::Scenario::builtin(),
        entrance_sandbox::Options {
            tls: true,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let a = Authority::parse(&format!("{}/v2.0", sb.authority("contoso"))).unwrap();
    assert!(a.as_str().starts_with("https://127.0.0.1:"));
    // The sandbox's CA is not trusted: a TLS error, not a network one.
    let err = login::Provider::discover(&a, &Default::default())
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::LoginTls, "{err}");
    // Trusted through HttpOptions (a corporate proxy's CA works the same way).
    let http = login::HttpOptions {
        extra_ca_pem: sb.ca_pem().map(str::to_string),
        ..Default::default()
    };
    let provider = login::Provider::discover(&a, &http).await.unwrap();
    assert!(provider.is_entra());
}

#[tokio::test]
async fn discovery_names_the_national_cloud_of_the_tenant() {
    // docs/entra.md#national-clouds: a US Government tenant's discovery says microsoftonline.us.
    let sb = sandbox().await;
    let a = Authority::parse(&format!("{}/v2.0", sb.authority("northwind-gov"))).unwrap();
    let provider = login::Provider::discover(&a, &Default::default())
        .await
        .unwrap();
    let entra = provider.info().entra.clone().expect("Entra");
    assert_eq!(entra.cloud, Some(login::Cloud::UsGov));
    assert_eq!(
        entra.cloud_instance_name.as_deref(),
        Some("microsoftonline.us")
    );
    assert_eq!(entra.version, login::EntraVersion::V2);
}

#[tokio::test]
async fn an_unreachable_provider_is_a_network_error() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let a = Authority::parse(&format!("http://127.0.0.1:{port}/contoso/v2.0")).unwrap();
    let err = login::Provider::discover(&a, &Default::default())
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::LoginNetwork, "{err}");
}
