//! The authorize endpoint, the sign-in page, consent and sessions
//! (docs/entra.md#errors, docs/entra.md#redirect-uris; v2-oauth2-auth-code-flow.md; reply-url.md).

use reqwest::StatusCode;

use crate::support::*;

const KEEP_CB: &str = "http://localhost:3000/api/auth/callback/microsoft-entra-id";
const GRAFANA_CB: &str = "https://grafana.contoso.sandbox/login/azuread";

fn params<'a>(client_id: &'a str, redirect: &'a str, scope: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("client_id", client_id),
        ("response_type", "code"),
        ("redirect_uri", redirect),
        ("scope", scope),
        ("state", "xyz"),
    ]
}

#[tokio::test]
async fn the_sign_in_page_lists_the_tenants_users_with_stable_ids() {
    let sb = sandbox().await;
    let keep = app(&sb, "keep");
    let mut p = params(&keep.app_id, KEEP_CB, "openid");
    let hint = upn(&sb, "bob");
    p.push(("login_hint", &hint));
    let r = client()
        .get(authorize_url(&sb, "contoso", &p))
        .send()
        .await
        .expect("GET");
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.expect("html");
    for needle in [
        r#"id="user""#,
        r#"id="password""#,
        r#"type="submit""#,
        "alice@contoso.sandbox",
    ] {
        assert!(html.contains(needle), "{needle} in page");
    }
    assert!(
        html.contains(r#"<option value="bob@contoso.sandbox" selected>"#),
        "login_hint preselects"
    );
    assert!(
        !html.contains("frank@fabrikam.sandbox"),
        "only this tenant's users"
    );
}

#[tokio::test]
async fn redirect_uri_mismatches_show_50011_and_never_redirect() {
    let sb = sandbox().await;
    let grafana = app(&sb, "grafana");
    for bad in [
        "https://grafana.contoso.sandbox/login/AzureAD", // path case
        "https://grafana.contoso.sandbox/login/azuread/", // trailing slash
        "https://grafana.contoso.sandbox:8443/login/azuread", // port off localhost
        "http://grafana.contoso.sandbox/login/azuread",  // scheme
    ] {
        let r = client()
            .get(authorize_url(
                &sb,
                "contoso",
                &params(&grafana.app_id, bad, "openid"),
            ))
            .send()
            .await
            .expect("GET");
        let html = assert_error_page(r, 50011).await;
        assert!(html.contains(&grafana.app_id));
    }
}

#[tokio::test]
async fn the_port_is_ignored_for_localhost_only() {
    let sb = sandbox().await;
    let keep = app(&sb, "keep");
    let any_port = "http://localhost:54321/api/auth/callback/microsoft-entra-id";
    let r = client()
        .get(authorize_url(
            &sb,
            "contoso",
            &params(&keep.app_id, any_port, "openid"),
        ))
        .send()
        .await
        .expect("GET");
    assert_eq!(r.status(), StatusCode::OK, "sign-in page");
    let other_host = "http://127.0.0.1:3000/api/auth/callback/microsoft-entra-id";
    let r = client()
        .get(authorize_url(
            &sb,
            "contoso",
            &params(&keep.app_id, other_host, "openid"),
        ))
        .send()
        .await
        .expect("GET");
    assert_error_page(r, 50011).await;
}

#[tokio::test]
async fn errors_before_the_redirect_uri_is_trusted_are_pages() {
    let sb = sandbox().await;
    let keep = app(&sb, "keep");
    let c = client();
    let unknown_app = "00000000-0000-4000-8000-00000000dead";
    let r = c
        .get(authorize_url(
            &sb,
            "contoso",
            &params(unknown_app, KEEP_CB, "openid"),
        ))
        .send()
        .await
        .expect("GET");
    assert_error_page(r, 700016).await;
    let r = c
        .get(url_with(
            &format!("{}/nope.example/oauth2/v2.0/authorize", sb.base_url()),
            &params(&keep.app_id, KEEP_CB, "openid"),
        ))
        .send()
        .await
        .expect("GET");
    assert_error_page(r, 90002).await;
    let r = c
        .get(authorize_url(
            &sb,
            "contoso",
            &[
                ("client_id", keep.app_id.as_str()),
                ("response_type", "code"),
                ("scope", "openid"),
            ],
        ))
        .send()
        .await
        .expect("GET");
    assert_error_page(r, 900971).await;
    let r = c
        .get(authorize_url(
            &sb,
            "contoso",
            &params(&keep.app_id, "/api/auth/callback", "openid"),
        ))
        .send()
        .await
        .expect("GET");
    assert_error_page(r, 90102).await;
    let daemon = app(&sb, "entrance-automation");
    let r = c
        .get(authorize_url(
            &sb,
            "contoso",
            &params(&daemon.app_id, KEEP_CB, "openid"),
        ))
        .send()
        .await
        .expect("GET");
    assert_error_page(r, 500113).await;
    let r = c
        .get(authorize_url(&sb, "contoso", &[("response_type", "code")]))
        .send()
        .await
        .expect("GET");
    assert_error_page(r, 900144).await;
}

#[tokio::test]
async fn protocol_errors_after_that_go_to_the_redirect_uri_with_state() {
    let sb = sandbox().await;
    let keep = app(&sb, "keep");
    let c = client();
    // `groups` is not a scope (docs/entra.md#errors 70011).
    let r = c
        .get(authorize_url(
            &sb,
            "contoso",
            &params(&keep.app_id, KEEP_CB, "openid groups"),
        ))
        .send()
        .await
        .expect("GET");
    assert_redirect_error(&r, "invalid_scope", 70011, Some("xyz"));
    // A resource that is not in the tenant (500011).
    let r = c
        .get(authorize_url(
            &sb,
            "contoso",
            &params(&keep.app_id, KEEP_CB, "api://nothing-here/read"),
        ))
        .send()
        .await
        .expect("GET");
    assert_redirect_error(&r, "invalid_resource", 500011, Some("xyz"));
    // `resource` is a v1 parameter (901002).
    let mut p = params(&keep.app_id, KEEP_CB, "openid");
    p.push(("resource", "https://graph.microsoft.com"));
    let r = c
        .get(authorize_url(&sb, "contoso", &p))
        .send()
        .await
        .expect("GET");
    assert_redirect_error(&r, "invalid_request", 901002, Some("xyz"));
    // An ID token from /authorize needs "ID tokens" enabled (700054), in the fragment.
    let mut p = params(&keep.app_id, KEEP_CB, "openid");
    p[1] = ("response_type", "code id_token");
    p.push(("nonce", "n"));
    let r = c
        .get(authorize_url(&sb, "contoso", &p))
        .send()
        .await
        .expect("GET");
    assert_eq!(r.status(), StatusCode::FOUND);
    assert!(
        location(r.headers()).contains('#'),
        "fragment by default with id_token"
    );
    assert_redirect_error(&r, "unsupported_response_type", 700054, Some("xyz"));
    // A single-tenant app on /common (50194).
    let r = c
        .get(authorize_url(
            &sb,
            "common",
            &params(&keep.app_id, KEEP_CB, "openid"),
        ))
        .send()
        .await
        .expect("GET");
    assert_redirect_error(&r, "invalid_request", 50194, Some("xyz"));
    // prompt=none without a session (50058, login_required).
    let mut p = params(&keep.app_id, KEEP_CB, "openid");
    p.push(("prompt", "none"));
    let r = c
        .get(authorize_url(&sb, "contoso", &p))
        .send()
        .await
        .expect("GET");
    assert_redirect_error(&r, "login_required", 50058, Some("xyz"));
    // An unknown code_challenge_method.
    let mut p = params(&keep.app_id, KEEP_CB, "openid");
    let long = "a".repeat(43);
    p.push(("code_challenge", &long));
    p.push(("code_challenge_method", "S512"));
    let r = c
        .get(authorize_url(&sb, "contoso", &p))
        .send()
        .await
        .expect("GET");
    assert_redirect_error(&r, "invalid_request", 90100, Some("xyz"));
}

#[tokio::test]
async fn a_wrong_password_shows_50126_on_the_page() {
    let sb = sandbox().await;
    let keep = app(&sb, "keep");
    let url = authorize_url(&sb, "contoso", &params(&keep.app_id, KEEP_CB, "openid"));
    let r = sign_in_with(
        &client(),
        &sb,
        &url,
        "alice@contoso.sandbox",
        "not-her-password",
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK, "the page again, not a redirect");
    let html = r.text().await.expect("html");
    assert!(html.contains(r#"<span id="error-code">AADSTS50126</span>"#));
    assert!(html.contains(r#"id="password""#), "the user may try again");
}

#[tokio::test]
async fn unknown_foreign_and_disabled_accounts_fail_on_the_page() {
    let sb = sandbox().await;
    let keep = app(&sb, "keep");
    let url = authorize_url(&sb, "contoso", &params(&keep.app_id, KEEP_CB, "openid"));
    let c = client();
    let r = sign_in_with(&c, &sb, &url, "nobody@contoso.sandbox", "x").await;
    assert!(r.text().await.expect("html").contains("AADSTS50034"));
    let r = sign_in_with(
        &c,
        &sb,
        &url,
        "frank@fabrikam.sandbox",
        &password(&sb, "frank"),
    )
    .await;
    assert!(r.text().await.expect("html").contains("AADSTS50020"));
    let r = sign_in_with(
        &c,
        &sb,
        &url,
        "dora@contoso.sandbox",
        &password(&sb, "disabled"),
    )
    .await;
    assert!(r.text().await.expect("html").contains("AADSTS50057"));
}

#[tokio::test]
async fn a_user_not_assigned_to_the_app_gets_50105() {
    let sb = sandbox().await;
    let grafana = app(&sb, "grafana");
    let url = authorize_url(
        &sb,
        "contoso",
        &params(&grafana.app_id, GRAFANA_CB, "openid profile email"),
    );
    // Bob is only in a group nested inside an assigned one: nesting does not count.
    let r = sign_in(&client(), &sb, &url, "bob").await;
    assert_redirect_error(&r, "access_denied", 50105, Some("xyz"));
    // Alice is assigned through the grafana-editors group.
    let r = sign_in(&client(), &sb, &url, "alice").await;
    assert!(location_params(r.headers()).contains_key("code"));
}

#[tokio::test]
async fn admin_only_scopes_without_consent_are_65001_for_users_and_a_consent_page_for_admins() {
    let sb = sandbox().await;
    let twin = app(&sb, "authentik-misconfigured");
    let cb = "http://localhost:9000/source/oauth/callback/entra-id";
    let scope = "openid https://graph.microsoft.com/GroupMember.Read.All";
    let url = authorize_url(&sb, "contoso", &params(&twin.app_id, cb, scope));
    let r = sign_in(&client(), &sb, &url, "alice").await;
    assert_redirect_error(&r, "consent_required", 65001, Some("xyz"));

    let c = client();
    let r = sign_in(&c, &sb, &url, "admin").await;
    assert_eq!(r.status(), StatusCode::OK, "the consent page");
    let html = r.text().await.expect("html");
    assert!(html.contains("Microsoft Graph: GroupMember.Read.All"));
    assert!(
        html.contains(r#"id="consent-org""#),
        "an admin may consent for the organization"
    );
    let r = c
        .post(format!("{}{}", sb.base_url(), form_action(&html)))
        .form(&[
            ("ctx", ctx_of(&html).as_str()),
            ("accept", "1"),
            ("consent_org", "1"),
        ])
        .send()
        .await
        .expect("consent");
    assert!(
        location_params(r.headers()).contains_key("code"),
        "consented → code"
    );
    // Tenant-wide now: Alice gets through without a page.
    let r = sign_in(&client(), &sb, &url, "alice").await;
    assert!(location_params(r.headers()).contains_key("code"));
}

#[tokio::test]
async fn declining_consent_is_access_denied_65004() {
    let sb = sandbox().await;
    let om = app(&sb, "openmetadata");
    let cb = "http://localhost:8585/callback";
    // prompt=consent shows the page even when consent exists.
    let mut p = params(&om.app_id, cb, "openid profile User.Read");
    p.push(("prompt", "consent"));
    let c = client();
    let r = sign_in(&c, &sb, &authorize_url(&sb, "contoso", &p), "alice").await;
    let html = r.text().await.expect("consent page");
    let r = c
        .post(format!("{}{}", sb.base_url(), form_action(&html)))
        .form(&[("ctx", ctx_of(&html).as_str()), ("accept", "0")])
        .send()
        .await
        .expect("decline");
    assert_redirect_error(&r, "access_denied", 65004, Some("xyz"));
}

#[tokio::test]
async fn form_post_answers_with_an_auto_submitting_form() {
    let sb = sandbox().await;
    let keep = app(&sb, "keep");
    let mut p = params(&keep.app_id, KEEP_CB, "openid");
    p.push(("response_mode", "form_post"));
    let r = sign_in(&client(), &sb, &authorize_url(&sb, "contoso", &p), "alice").await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.expect("html");
    assert!(html.contains(&format!(r#"action="{KEEP_CB}""#)));
    assert!(html.contains(r#"name="code" value=""#));
    assert!(html.contains(r#"name="state" value="xyz""#));
    assert!(html.contains("document.forms[0].submit()"));
}

#[tokio::test]
async fn a_session_signs_in_silently_and_prompt_login_asks_again() {
    let sb = sandbox().await;
    let keep = app(&sb, "keep");
    let b = browser();
    let url = authorize_url(&sb, "contoso", &params(&keep.app_id, KEEP_CB, "openid"));
    let r = sign_in(&b, &sb, &url, "alice").await;
    assert!(location_params(r.headers()).contains_key("code"));
    let r = b.get(&url).send().await.expect("SSO");
    assert_eq!(
        r.status(),
        StatusCode::FOUND,
        "SSO: straight back with a code"
    );
    assert!(location_params(r.headers()).contains_key("code"));
    let mut p = params(&keep.app_id, KEEP_CB, "openid");
    p.push(("prompt", "none"));
    let r = b
        .get(authorize_url(&sb, "contoso", &p))
        .send()
        .await
        .expect("silent");
    assert!(
        location_params(r.headers()).contains_key("code"),
        "prompt=none with a session"
    );
    let mut p = params(&keep.app_id, KEEP_CB, "openid");
    p.push(("prompt", "login"));
    let r = b
        .get(authorize_url(&sb, "contoso", &p))
        .send()
        .await
        .expect("login");
    assert_eq!(r.status(), StatusCode::OK, "prompt=login shows the page");
}

#[tokio::test]
async fn organizations_and_domain_hint_narrow_the_picker_for_a_multi_tenant_app() {
    let sb = sandbox().await;
    let entrance = app(&sb, "entrance");
    let mut p = params(&entrance.app_id, "http://localhost:61234", "openid profile");
    p.push(("domain_hint", "fabrikam.sandbox"));
    let r = client()
        .get(authorize_url(&sb, "organizations", &p))
        .send()
        .await
        .expect("GET");
    let html = r.text().await.expect("html");
    assert!(html.contains("frank@fabrikam.sandbox"));
    assert!(
        !html.contains("alice@contoso.sandbox"),
        "domain_hint picks the home realm"
    );
    // Frank signs in through /organizations; the ID token names his tenant.
    let pk = pkce();
    let mut p = params(&entrance.app_id, "http://localhost:61234", "openid profile");
    p.push(("code_challenge", &pk.challenge));
    p.push(("code_challenge_method", "S256"));
    let r = sign_in(
        &client(),
        &sb,
        &authorize_url(&sb, "organizations", &p),
        "frank",
    )
    .await;
    let code = location_params(r.headers())["code"].clone();
    let (status, body) = token(
        &sb,
        "organizations",
        &[
            ("grant_type", "authorization_code"),
            ("client_id", &entrance.app_id),
            ("code", &code),
            ("redirect_uri", "http://localhost:61234"),
            ("code_verifier", &pk.verifier),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let id = claims(body["id_token"].as_str().expect("id_token"));
    let fabrikam = tenant_id(&sb, "fabrikam");
    assert_eq!(id["tid"], fabrikam.as_str());
    assert_eq!(
        id["iss"],
        format!("{}/{fabrikam}/v2.0", sb.base_url()),
        "issuer with the user's tid"
    );
}

#[tokio::test]
async fn the_v1_endpoint_issues_v1_id_tokens() {
    let sb = sandbox().await;
    let keep = app(&sb, "keep");
    let url = url_with(
        &format!("{}/oauth2/authorize", sb.authority("contoso")),
        &[
            ("client_id", &keep.app_id),
            ("response_type", "code"),
            ("redirect_uri", KEEP_CB),
            ("resource", "https://graph.microsoft.com"),
            ("state", "s"),
        ],
    );
    let r = sign_in(&client(), &sb, &url, "alice").await;
    let code = location_params(r.headers())["code"].clone();
    let resp = client()
        .post(format!("{}/oauth2/token", sb.authority("contoso")))
        .form(&[
            ("grant_type", "authorization_code"),
            ("client_id", &keep.app_id),
            ("client_secret", &secret(&keep)),
            ("code", &code),
            ("redirect_uri", KEEP_CB),
            ("resource", "https://graph.microsoft.com"),
        ])
        .send()
        .await
        .expect("token");
    assert_eq!(resp.status(), 200);
    let body: serde_json::Value = resp.json().await.expect("JSON");
    assert!(
        body["expires_on"].is_string() && body["resource"] == "https://graph.microsoft.com",
        "v1 response fields: {body}"
    );
    let id = claims(body["id_token"].as_str().expect("id_token"));
    assert_eq!(id["ver"], "1.0");
    assert_eq!(
        id["iss"],
        format!("https://sts.windows.net/{}/", tenant_id(&sb, "contoso"))
    );
    assert_eq!(id["upn"], "alice@contoso.sandbox");
    assert_eq!(id["unique_name"], "alice@contoso.sandbox");
}

#[tokio::test]
async fn the_authorize_endpoints_take_their_parameters_by_post_too() {
    // OIDC Core §3.1.2.1: the authorization endpoint supports GET and POST.
    let sb = sandbox().await;
    let keep = app(&sb, "keep");
    let p = params(&keep.app_id, KEEP_CB, "openid");
    for path in ["oauth2/v2.0/authorize", "oauth2/authorize"] {
        let r = client()
            .post(format!("{}/{path}", sb.authority("contoso")))
            .form(&p)
            .send()
            .await
            .expect("POST");
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        let html = r.text().await.expect("html");
        assert!(
            html.contains(r#"id="password""#),
            "{path}: the sign-in page"
        );
        assert!(html.contains("alice@contoso.sandbox"), "{path}: its users");
    }
    // A POST with a bad client is judged like a GET.
    let r = client()
        .post(format!("{}/oauth2/authorize", sb.authority("contoso")))
        .form(&params(
            "00000000-0000-0000-0000-00000000abcd",
            KEEP_CB,
            "openid",
        ))
        .send()
        .await
        .expect("POST");
    let html = r.text().await.expect("html");
    assert!(html.contains("AADSTS700016"), "{html}");
}
