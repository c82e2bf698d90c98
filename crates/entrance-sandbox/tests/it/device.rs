//! The device authorization grant (v2-oauth2-device-code.md).

use reqwest::StatusCode;
use serde_json::Value;

use crate::support::*;

async fn start(sb: &entrance_sandbox::Sandbox, client_id: &str, scope: &str) -> Value {
    let r = client()
        .post(format!(
            "{}/oauth2/v2.0/devicecode",
            sb.authority("contoso")
        ))
        .form(&[("client_id", client_id), ("scope", scope)])
        .send()
        .await
        .expect("devicecode");
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.expect("JSON")
}

async fn poll(
    sb: &entrance_sandbox::Sandbox,
    client_id: &str,
    device_code: &str,
) -> (StatusCode, Value) {
    token(
        sb,
        "contoso",
        &[
            ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            ("client_id", client_id),
            ("device_code", device_code),
        ],
    )
    .await
}

/// Enters the code on /devicelogin and signs in; returns the final page.
async fn complete(sb: &entrance_sandbox::Sandbox, user_code: &str, user: &str) -> String {
    let c = client();
    let page = c
        .get(format!("{}/devicelogin", sb.base_url()))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(page.contains(r#"id="otc""#));
    let r = c
        .post(format!("{}/devicelogin", sb.base_url()))
        .form(&[("otc", user_code.to_lowercase().as_str())])
        .send()
        .await
        .expect("code");
    let html = r.text().await.expect("sign-in page");
    let r = c
        .post(format!("{}{}", sb.base_url(), form_action(&html)))
        .form(&[
            ("ctx", ctx_of(&html).as_str()),
            ("user", upn(sb, user).as_str()),
            ("password", password(sb, user).as_str()),
        ])
        .send()
        .await
        .expect("sign in");
    r.text().await.expect("result page")
}

#[tokio::test]
async fn the_device_flow_from_code_to_tokens() {
    let sb = sandbox().await;
    let entrance = app(&sb, "entrance");
    let d = start(
        &sb,
        &entrance.app_id,
        "openid profile offline_access User.Read",
    )
    .await;
    for k in ["device_code", "user_code", "verification_uri", "message"] {
        assert!(d[k].is_string(), "{k}: {d}");
    }
    assert_eq!(d["expires_in"], 900);
    assert_eq!(d["interval"], 5);
    assert_eq!(
        d["verification_uri"],
        format!("{}/devicelogin", sb.base_url())
    );
    let dc = d["device_code"].as_str().expect("device_code");
    let (status, body) = poll(&sb, &entrance.app_id, dc).await;
    assert_entra_error(status, &body, 400, "authorization_pending", 70016);
    let done = complete(&sb, d["user_code"].as_str().expect("user_code"), "alice").await;
    assert!(
        done.contains("You have signed in to the Entrance application on your device"),
        "{done}"
    );
    let (status, body) = poll(&sb, &entrance.app_id, dc).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let id = claims(body["id_token"].as_str().expect("id_token"));
    assert_eq!(id["preferred_username"], "alice@contoso.sandbox");
    assert!(body["refresh_token"].is_string());
    let at = claims(body["access_token"].as_str().expect("access_token"));
    assert_eq!(at["appidacr"], "0", "a public client");
    let (status, body) = poll(&sb, &entrance.app_id, dc).await;
    assert_entra_error(status, &body, 400, "invalid_request", 90120);
}

#[tokio::test]
async fn a_wrong_code_on_the_page_is_70018() {
    let sb = sandbox().await;
    let r = client()
        .post(format!("{}/devicelogin", sb.base_url()))
        .form(&[("otc", "NOTACODE1")])
        .send()
        .await
        .expect("POST");
    assert!(r.text().await.expect("html").contains("AADSTS70018"));
}

#[tokio::test]
async fn a_confidential_app_without_public_client_flows_needs_a_secret() {
    let sb = sandbox().await;
    let grafana = app(&sb, "grafana");
    let d = start(&sb, &grafana.app_id, "openid profile").await;
    let (status, body) = poll(&sb, &grafana.app_id, d["device_code"].as_str().expect("dc")).await;
    assert_entra_error(status, &body, 401, "invalid_client", 7000218);
}

#[tokio::test]
async fn declining_on_the_device_page_is_authorization_declined() {
    let sb = sandbox().await;
    let entrance = app(&sb, "entrance");
    let d = start(&sb, &entrance.app_id, "openid").await;
    let c = client();
    let r = c
        .post(format!("{}/devicelogin", sb.base_url()))
        .form(&[("otc", d["user_code"].as_str().unwrap_or(""))])
        .send()
        .await
        .expect("code");
    let html = r.text().await.expect("html");
    assert!(html.contains(r#"id="cancel""#));
    c.post(format!("{}{}", sb.base_url(), form_action(&html)))
        .form(&[("ctx", ctx_of(&html).as_str()), ("cancel", "1")])
        .send()
        .await
        .expect("cancel");
    let (status, body) = poll(
        &sb,
        &entrance.app_id,
        d["device_code"].as_str().unwrap_or(""),
    )
    .await;
    assert_entra_error(status, &body, 400, "authorization_declined", 65004);
}

#[tokio::test]
async fn devicecode_request_errors() {
    let sb = sandbox().await;
    let r = client()
        .post(format!(
            "{}/oauth2/v2.0/devicecode",
            sb.authority("contoso")
        ))
        .form(&[
            ("client_id", "00000000-0000-4000-8000-00000000dead"),
            ("scope", "openid"),
        ])
        .send()
        .await
        .expect("POST");
    let s = r.status();
    let body: Value = r.json().await.expect("JSON");
    assert_entra_error(s, &body, 400, "unauthorized_client", 700016);
    let (status, body) = poll(&sb, &app(&sb, "entrance").app_id, "unknown").await;
    assert_entra_error(status, &body, 400, "bad_verification_code", 70000);
}
