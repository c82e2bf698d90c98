//! Claims as Entra emits them (docs/entra.md#token-versions-and-issuers, docs/entra.md#claims, docs/entra.md#groups-overage).

use jsonwebtoken::{decode, decode_header, Algorithm, DecodingKey, Validation};
use serde_json::Value;

use crate::support::*;

pub const KEEP_CB: &str = "http://localhost:3000/api/auth/callback/microsoft-entra-id";
pub const GRAFANA_CB: &str = "https://grafana.contoso.sandbox/login/azuread";

/// Signs `user` in to `app_name` and redeems the code; returns the token response.
pub async fn tokens_for(
    sb: &entrance_sandbox::Sandbox,
    app_name: &str,
    user: &str,
    redirect: &str,
    scope: &str,
) -> Value {
    let a = app(sb, app_name);
    let c = code(sb, &a, user, redirect, scope, None).await;
    let s = if a.password_credentials.is_empty() {
        String::new()
    } else {
        secret(&a)
    };
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("client_id", a.app_id.as_str()),
        ("code", c.as_str()),
        ("redirect_uri", redirect),
    ];
    if !s.is_empty() {
        form.push(("client_secret", s.as_str()));
    }
    let (status, body) = token(sb, "contoso", &form).await;
    assert_eq!(status, 200, "{body}");
    body
}

fn id_token(body: &Value) -> Value {
    claims(body["id_token"].as_str().expect("id_token"))
}

fn access_token(body: &Value) -> Value {
    claims(body["access_token"].as_str().expect("access_token"))
}

#[tokio::test]
async fn the_250_group_user_gets_overage_markers_not_groups() {
    let sb = sandbox().await;
    let body = tokens_for(
        &sb,
        "grafana",
        "many-groups",
        GRAFANA_CB,
        "openid profile email offline_access User.Read GroupMember.Read.All",
    )
    .await;
    let id = id_token(&body);
    assert!(
        id.get("groups").is_none(),
        "no groups claim above 200 (docs/entra.md#groups-overage)"
    );
    assert_eq!(id["_claim_names"], serde_json::json!({"groups": "src1"}));
    let endpoint = id["_claim_sources"]["src1"]["endpoint"]
        .as_str()
        .expect("endpoint")
        .to_string();
    let oid = sb.scenario().user("many-groups").expect("user").id.clone();
    assert!(
        endpoint.ends_with(&format!("/users/{oid}/getMemberObjects")),
        "{endpoint}"
    );
    // The overage source answers with all 250 group IDs, with the Graph token
    // the same sign-in produced (GroupMember.Read.All consented).
    let graph_token = body["access_token"].as_str().expect("Graph token");
    let r = client()
        .post(&endpoint)
        .bearer_auth(graph_token)
        .json(&serde_json::json!({"securityEnabledOnly": false}))
        .send()
        .await
        .expect("getMemberObjects");
    assert_eq!(r.status(), 200);
    let ids: Value = r.json().await.expect("JSON");
    assert_eq!(ids["value"].as_array().map(Vec::len), Some(250));
}

#[tokio::test]
async fn keep_access_tokens_carry_only_groups_assigned_to_keep_and_no_nesting() {
    let sb = sandbox().await;
    let keep = app(&sb, "keep");
    let scope = format!("api://{}/default openid profile email", keep.app_id);
    let alice = access_token(&tokens_for(&sb, "keep", "alice", KEEP_CB, &scope).await);
    let admins = sb
        .scenario()
        .group("keep-admins")
        .expect("group")
        .id
        .clone();
    assert_eq!(
        alice["groups"],
        serde_json::json!([admins]),
        "assigned groups only (ApplicationGroup), not grafana-editors"
    );
    assert_eq!(
        alice["iss"],
        format!("https://sts.windows.net/{}/", tenant_id(&sb, "contoso"))
    );
    let bob = access_token(&tokens_for(&sb, "keep", "bob", KEEP_CB, &scope).await);
    assert!(
        bob.get("groups").is_none(),
        "Bob is in keep-noc only through nesting: Keep sees no group"
    );
}

#[tokio::test]
async fn grafana_id_tokens_are_v2_with_roles_security_groups_wids_and_email() {
    let sb = sandbox().await;
    let grafana = app(&sb, "grafana");
    let id =
        id_token(&tokens_for(&sb, "grafana", "alice", GRAFANA_CB, "openid profile email").await);
    assert_eq!(
        id["ver"], "2.0",
        "Grafana rejects v1 (docs/entra.md#token-versions-and-issuers)"
    );
    assert_eq!(id["aud"], grafana.app_id.as_str());
    assert_eq!(id["iss"], sb.issuer("contoso"));
    assert_eq!(id["tid"], tenant_id(&sb, "contoso"));
    assert_eq!(
        id["oid"],
        sb.scenario().user("alice").expect("alice").id.as_str()
    );
    assert_eq!(id["preferred_username"], "alice@contoso.sandbox");
    assert_eq!(id["name"], "Alice Anders");
    assert_eq!(
        id["email"], "alice@contoso.sandbox",
        "email scope + a mail attribute"
    );
    assert_eq!(id["nonce"], "n-1");
    assert!(id["roles"]
        .as_array()
        .is_some_and(|r| r.iter().any(|x| x == "Editor")));
    let groups: Vec<String> = id["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .filter_map(|g| g.as_str().map(str::to_string))
        .collect();
    let s = sb.scenario();
    assert!(groups.contains(&s.group("keep-admins").expect("g").id));
    assert!(groups.contains(&s.group("grafana-editors").expect("g").id));
    assert!(
        !groups.contains(&s.group("all-staff").expect("g").id),
        "SecurityGroup leaves out Microsoft 365 groups"
    );
    assert!(id["wids"].as_array().is_some_and(|w| w
        .iter()
        .any(|x| x == "b79fbf4d-3ef9-4689-8143-76b194e85509")));
    for k in ["iat", "nbf", "exp", "sub", "uti", "rh", "aio", "sid"] {
        assert!(id.get(k).is_some(), "{k}");
    }
    assert!(id.get("upn").is_none(), "upn is an optional claim in v2");
    assert_eq!(
        id["exp"].as_i64().unwrap_or(0) - id["iat"].as_i64().unwrap_or(0),
        3600
    );
}

#[tokio::test]
async fn sub_is_pairwise_per_app_and_oid_is_not() {
    let sb = sandbox().await;
    let g = id_token(&tokens_for(&sb, "grafana", "alice", GRAFANA_CB, "openid profile").await);
    let k = id_token(&tokens_for(&sb, "keep", "alice", KEEP_CB, "openid profile").await);
    assert_ne!(g["sub"], k["sub"]);
    assert_eq!(g["oid"], k["oid"]);
}

#[tokio::test]
async fn a_guest_without_mail_has_no_email_and_names_their_idp() {
    let sb = sandbox().await;
    let body = tokens_for(&sb, "keep", "guest", KEEP_CB, "openid profile email").await;
    let id = id_token(&body);
    assert!(
        id.get("email").is_none(),
        "no mail attribute, no email claim (docs/entra.md#claims)"
    );
    assert_eq!(
        id["idp"],
        "https://sts.windows.net/aaaaaaaa-0000-4000-8000-000000000002/"
    );
    assert!(id["preferred_username"]
        .as_str()
        .is_some_and(|u| u.contains("#EXT#")));
}

#[tokio::test]
async fn a_global_administrator_carries_the_role_template_in_wids() {
    let sb = sandbox().await;
    let id = id_token(&tokens_for(&sb, "grafana", "admin", GRAFANA_CB, "openid profile").await);
    assert!(id["wids"].as_array().is_some_and(|w| w
        .iter()
        .any(|x| x == "62e90394-69f5-4237-9190-012177145e10")));
    assert!(id["roles"]
        .as_array()
        .is_some_and(|r| r.iter().any(|x| x == "GrafanaAdmin")));
}

#[tokio::test]
async fn an_id_token_without_profile_has_no_profile_claims() {
    let sb = sandbox().await;
    let id = id_token(&tokens_for(&sb, "keep", "alice", KEEP_CB, "openid").await);
    for k in ["oid", "name", "preferred_username", "email"] {
        assert!(
            id.get(k).is_none(),
            "{k} needs the profile/email scope (docs/entra.md#claims)"
        );
    }
    assert!(id.get("tid").is_some() && id.get("sub").is_some());
}

#[tokio::test]
async fn access_token_version_follows_the_resource_manifest() {
    let sb = sandbox().await;
    let cam = app(&sb, "camunda");
    let scope = format!(
        "openid profile email offline_access {}/.default",
        cam.app_id
    );
    let body = tokens_for(
        &sb,
        "camunda",
        "alice",
        "https://operate.contoso.sandbox/auth/login-callback",
        &scope,
    )
    .await;
    let at = access_token(&body);
    assert_eq!(at["ver"], "2.0");
    assert_eq!(at["aud"], cam.app_id.as_str());
    assert_eq!(
        at["iss"],
        sb.issuer("contoso"),
        "Camunda needs an issuer ending in /v2.0"
    );
    assert_eq!(at["azp"], cam.app_id.as_str());
    assert_eq!(at["azpacr"], "1");
    let twin = app(&sb, "camunda-misconfigured");
    let scope = format!("openid profile {}/.default", twin.app_id);
    let at = access_token(
        &tokens_for(
            &sb,
            "camunda-misconfigured",
            "alice",
            "https://operate.contoso.sandbox/auth/login-callback",
            &scope,
        )
        .await,
    );
    assert_eq!(at["ver"], "1.0", "requestedAccessTokenVersion null → v1");
    assert_eq!(
        at["iss"],
        format!("https://sts.windows.net/{}/", tenant_id(&sb, "contoso"))
    );
    assert_eq!(
        at["aud"],
        twin.app_id.as_str(),
        "v1 aud is the identifier as requested"
    );
}

#[tokio::test]
async fn graph_tokens_have_a_header_nonce_and_do_not_verify() {
    let sb = sandbox().await;
    let body = tokens_for(
        &sb,
        "grafana",
        "alice",
        GRAFANA_CB,
        "openid profile User.Read",
    )
    .await;
    let at = body["access_token"].as_str().expect("token");
    let h = header(at);
    assert!(
        h["nonce"].is_string(),
        "Graph tokens carry a nonce (docs/entra.md#token-versions-and-issuers)"
    );
    let c = claims(at);
    assert_eq!(c["aud"], "00000003-0000-0000-c000-000000000000");
    assert_eq!(c["ver"], "1.0");
    assert!(c["scp"].as_str().is_some_and(|s| s.contains("User.Read")));
    let jwks = jwks(&sb).await;
    assert!(
        verify(&jwks, at, "00000003-0000-0000-c000-000000000000", None).is_err(),
        "signature checks fail by design"
    );
    // Yet the sandbox's Graph accepts it.
    let r = client()
        .get(format!("{}/v1.0/me", sb.graph_url()))
        .bearer_auth(at)
        .send()
        .await
        .expect("me");
    assert_eq!(r.status(), 200);
}

async fn jwks(sb: &entrance_sandbox::Sandbox) -> Value {
    client()
        .get(format!("{}/discovery/v2.0/keys", sb.authority("contoso")))
        .send()
        .await
        .expect("jwks")
        .json()
        .await
        .expect("JSON")
}

fn verify(jwks: &Value, token: &str, aud: &str, iss: Option<&str>) -> Result<Value, String> {
    let kid = decode_header(token)
        .map_err(|e| e.to_string())?
        .kid
        .ok_or("no kid")?;
    let key = jwks["keys"]
        .as_array()
        .and_then(|ks| ks.iter().find(|k| k["kid"] == kid.as_str()))
        .ok_or("unknown kid")?;
    let dk = DecodingKey::from_rsa_components(
        key["n"].as_str().unwrap_or(""),
        key["e"].as_str().unwrap_or(""),
    )
    .map_err(|e| e.to_string())?;
    let mut v = Validation::new(Algorithm::RS256);
    v.set_audience(&[aud]);
    if let Some(i) = iss {
        v.set_issuer(&[i]);
    }
    decode::<Value>(token, &dk, &v)
        .map(|d| d.claims)
        .map_err(|e| e.to_string())
}

#[tokio::test]
async fn an_independent_jwt_library_verifies_id_and_api_tokens_even_after_rotation() {
    let sb = sandbox().await;
    let grafana = app(&sb, "grafana");
    let body = tokens_for(&sb, "grafana", "alice", GRAFANA_CB, "openid profile").await;
    let id = body["id_token"].as_str().expect("id").to_string();
    sb.rotate_keys().expect("rotate");
    let claims = verify(
        &jwks(&sb).await,
        &id,
        &grafana.app_id,
        Some(&sb.issuer("contoso")),
    )
    .expect("verifies with the published JWKS");
    assert_eq!(claims["preferred_username"], "alice@contoso.sandbox");
    let keep = app(&sb, "keep");
    let body = tokens_for(
        &sb,
        "keep",
        "alice",
        KEEP_CB,
        &format!("api://{}/default openid", keep.app_id),
    )
    .await;
    let at = body["access_token"].as_str().expect("at");
    assert_eq!(
        decode_header(at).expect("header").kid,
        Some(sb.current_kid()),
        "new tokens use the new key"
    );
    assert!(header(at)["x5t"].is_string(), "v1 tokens also carry x5t");
    verify(
        &jwks(&sb).await,
        at,
        &format!("api://{}", keep.app_id),
        None,
    )
    .expect("v1 access token verifies");
}

/// The built-in scenario with Grafana's registration issuing ID tokens (and,
/// with `access_tokens`, access tokens) from /authorize.
async fn sandbox_with_grafana_front_channel(access_tokens: bool) -> entrance_sandbox::Sandbox {
    let mut scenario = entrance_sandbox::Scenario::builtin();
    for a in scenario
        .applications
        .iter_mut()
        .filter(|a| a.name == "grafana")
    {
        a.web.implicit_grant_settings.enable_id_token_issuance = true;
        a.web.implicit_grant_settings.enable_access_token_issuance = access_tokens;
    }
    entrance_sandbox::Sandbox::start(scenario)
        .await
        .expect("start")
}

#[tokio::test]
async fn the_implicit_flow_says_hasgroups_instead_of_many_groups() {
    let sb = sandbox_with_grafana_front_channel(false).await;
    let grafana = app(&sb, "grafana");
    let url = authorize_url(
        &sb,
        "contoso",
        &[
            ("client_id", &grafana.app_id),
            ("response_type", "id_token"),
            ("redirect_uri", GRAFANA_CB),
            ("scope", "openid profile"),
            ("nonce", "n-9"),
            ("state", "s"),
        ],
    );
    let r = sign_in(&client(), &sb, &url, "many-groups").await;
    assert!(location(r.headers()).contains("#id_token="), "fragment");
    let id = claims(&location_params(r.headers())["id_token"]);
    assert_eq!(id["hasgroups"], true);
    assert!(id.get("groups").is_none() && id.get("_claim_names").is_none());
    assert_eq!(id["nonce"], "n-9");
}

/// The left half of SHA-256, base64url: how OIDC Core §3.3.2.11 binds an ID
/// token to the code and access token issued beside it.
fn left_half_sha256(value: &str) -> String {
    use base64::Engine;
    let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, value.as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&d.as_ref()[..16])
}

#[tokio::test]
async fn a_hybrid_id_token_carries_the_hashes_of_what_came_with_it() {
    let sb = sandbox_with_grafana_front_channel(true).await;
    let grafana = app(&sb, "grafana");
    let url = authorize_url(
        &sb,
        "contoso",
        &[
            ("client_id", &grafana.app_id),
            ("response_type", "code id_token token"),
            ("redirect_uri", GRAFANA_CB),
            ("scope", "openid profile User.Read"),
            ("nonce", "n-10"),
            ("state", "s"),
        ],
    );
    let r = sign_in(&client(), &sb, &url, "alice").await;
    let params = location_params(r.headers());
    let id = claims(&params["id_token"]);
    assert_eq!(id["c_hash"], left_half_sha256(&params["code"]));
    assert_eq!(id["at_hash"], left_half_sha256(&params["access_token"]));

    // Without an access token beside it, no at_hash.
    let url = authorize_url(
        &sb,
        "contoso",
        &[
            ("client_id", &grafana.app_id),
            ("response_type", "code id_token"),
            ("redirect_uri", GRAFANA_CB),
            ("scope", "openid profile"),
            ("nonce", "n-11"),
            ("state", "s"),
        ],
    );
    let r = sign_in(&client(), &sb, &url, "alice").await;
    let id = claims(&location_params(r.headers())["id_token"]);
    assert!(id.get("c_hash").is_some());
    assert!(id.get("at_hash").is_none(), "{id}");
}
