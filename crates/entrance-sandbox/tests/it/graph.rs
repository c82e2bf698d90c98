//! The Microsoft Graph subset (docs/entra.md#groups-overage, docs/entra.md#azure-cli-and-graph-equivalents; Graph API reference).

use serde_json::Value;

use crate::claims::{tokens_for, GRAFANA_CB};
use crate::support::*;

async fn graph_token(
    sb: &entrance_sandbox::Sandbox,
    app_name: &str,
    user: &str,
    redirect: &str,
    scope: &str,
) -> String {
    tokens_for(sb, app_name, user, redirect, scope).await["access_token"]
        .as_str()
        .expect("token")
        .to_string()
}

async fn app_token(sb: &entrance_sandbox::Sandbox, app_name: &str) -> String {
    let a = app(sb, app_name);
    let (status, body) = token(
        sb,
        "contoso",
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &a.app_id),
            ("client_secret", &secret(&a)),
            ("scope", "https://graph.microsoft.com/.default"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["access_token"].as_str().expect("token").to_string()
}

fn assert_graph_error(status: u16, body: &Value, want: u16, code: &str) {
    assert_eq!(status, want, "{body}");
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(body["error"]["message"].is_string());
    let inner = &body["error"]["innerError"];
    for k in ["date", "request-id", "client-request-id"] {
        assert!(inner[k].is_string(), "innerError.{k}: {body}");
    }
}

async fn get(url: &str, token: Option<&str>) -> (u16, Value) {
    let mut r = client().get(url);
    if let Some(t) = token {
        r = r.bearer_auth(t);
    }
    let r = r.send().await.expect("GET");
    let s = r.status().as_u16();
    (s, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn me_needs_a_valid_delegated_token() {
    let sb = sandbox().await;
    let me = format!("{}/v1.0/me", sb.graph_url());
    let (s, body) = get(&me, None).await;
    assert_graph_error(s, &body, 401, "InvalidAuthenticationToken");
    let (s, body) = get(&me, Some("not.a.jwt")).await;
    assert_graph_error(s, &body, 401, "InvalidAuthenticationToken");
    // An ID token is not a Graph token.
    let tokens = tokens_for(
        &sb,
        "grafana",
        "alice",
        GRAFANA_CB,
        "openid profile User.Read",
    )
    .await;
    let (s, body) = get(&me, tokens["id_token"].as_str()).await;
    assert_graph_error(s, &body, 401, "InvalidAuthenticationToken");
    let (s, body) = get(&me, tokens["access_token"].as_str()).await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(body["userPrincipalName"], "alice@contoso.sandbox");
    assert_eq!(
        body["id"],
        sb.scenario().user("alice").expect("alice").id.as_str()
    );
    assert_eq!(body["mail"], "alice@contoso.sandbox");
    // The same under /graph on the main listener.
    let (s, _) = get(
        &format!("{}/graph/v1.0/me", sb.base_url()),
        tokens["access_token"].as_str(),
    )
    .await;
    assert_eq!(s, 200);
    // An app-only token cannot use /me.
    let (s, body) = get(&me, Some(&app_token(&sb, "entrance-automation").await)).await;
    assert_graph_error(s, &body, 400, "BadRequest");
}

#[tokio::test]
async fn member_objects_and_groups_of_the_250_group_user() {
    let sb = sandbox().await;
    let t = graph_token(
        &sb,
        "grafana",
        "many-groups",
        GRAFANA_CB,
        "openid User.Read GroupMember.Read.All",
    )
    .await;
    for op in ["getMemberObjects", "getMemberGroups"] {
        let r = client()
            .post(format!("{}/v1.0/me/{op}", sb.graph_url()))
            .bearer_auth(&t)
            .json(&serde_json::json!({"securityEnabledOnly": true}))
            .send()
            .await
            .expect("POST");
        assert_eq!(r.status(), 200);
        let body: Value = r.json().await.expect("JSON");
        assert_eq!(body["value"].as_array().map(Vec::len), Some(250), "{op}");
        assert!(body["@odata.context"]
            .as_str()
            .is_some_and(|c| c.ends_with("$metadata#Collection(Edm.String)")));
    }
    // A malformed body is a 400.
    let r = client()
        .post(format!("{}/v1.0/me/getMemberObjects", sb.graph_url()))
        .bearer_auth(&t)
        .json(&serde_json::json!({}))
        .send()
        .await
        .expect("POST");
    assert_eq!(r.status(), 400);
}

#[tokio::test]
async fn transitive_member_of_pages_by_next_link() {
    let sb = sandbox().await;
    let t = graph_token(
        &sb,
        "grafana",
        "many-groups",
        GRAFANA_CB,
        "openid User.Read GroupMember.Read.All",
    )
    .await;
    let mut url = format!("{}/v1.0/me/transitiveMemberOf", sb.graph_url());
    let mut sizes = Vec::new();
    let mut ids = std::collections::HashSet::new();
    loop {
        let (s, body) = get(&url, Some(&t)).await;
        assert_eq!(s, 200, "{body}");
        let page = body["value"].as_array().expect("value");
        sizes.push(page.len());
        for g in page {
            assert_eq!(g["@odata.type"], "#microsoft.graph.group");
            assert!(
                g["displayName"].is_string(),
                "full objects with GroupMember.Read.All"
            );
            ids.insert(g["id"].as_str().unwrap_or("").to_string());
        }
        match body["@odata.nextLink"].as_str() {
            Some(next) => url = next.to_string(),
            None => break,
        }
    }
    assert_eq!(sizes, vec![100, 100, 50], "default page size 100");
    assert_eq!(ids.len(), 250);
    let (s, body) = get(
        &format!(
            "{}/v1.0/me/transitiveMemberOf/microsoft.graph.group?$top=999",
            sb.graph_url()
        ),
        Some(&t),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(body["value"].as_array().map(Vec::len), Some(250));
    assert!(body.get("@odata.nextLink").is_none());
    let (s, body) = get(
        &format!("{}/v1.0/me/transitiveMemberOf?$top=1000", sb.graph_url()),
        Some(&t),
    )
    .await;
    assert_graph_error(s, &body, 400, "Request_UnsupportedQuery");
}

#[tokio::test]
async fn with_only_user_read_groups_come_back_with_limited_information() {
    let sb = sandbox().await;
    let t = graph_token(
        &sb,
        "keep",
        "alice",
        crate::claims::KEEP_CB,
        "openid User.Read",
    )
    .await;
    let (s, body) = get(
        &format!("{}/v1.0/me/transitiveMemberOf", sb.graph_url()),
        Some(&t),
    )
    .await;
    assert_eq!(s, 200, "{body}");
    let first = &body["value"][0];
    assert!(
        first["id"].is_string() && first.get("displayName").is_none(),
        "{first}"
    );
}

#[tokio::test]
async fn grafanas_overage_call_without_group_member_read_all_is_403() {
    // docs/entra.md#groups-overage: Grafana calls /users/{oid}/getMemberObjects; with only
    // User.Read the answer is 403 ("Token need GroupMember.Read.All").
    let sb = sandbox().await;
    // Keep has only User.Read on Graph, like Grafana without the extra permission.
    let t = graph_token(
        &sb,
        "keep",
        "many-groups",
        crate::claims::KEEP_CB,
        "openid User.Read",
    )
    .await;
    let oid = sb.scenario().user("many-groups").expect("user").id.clone();
    let tid = tenant_id(&sb, "contoso");
    let r = client()
        .post(format!(
            "{}/v1.0/{tid}/users/{oid}/getMemberObjects",
            sb.graph_url()
        ))
        .bearer_auth(&t)
        .json(&serde_json::json!({"securityEnabledOnly": false}))
        .send()
        .await
        .expect("POST");
    let s = r.status().as_u16();
    let body: Value = r.json().await.expect("JSON");
    assert_graph_error(s, &body, 403, "Authorization_RequestDenied");
}

#[tokio::test]
async fn applications_and_service_principals_by_app_id() {
    let sb = sandbox().await;
    let grafana = app(&sb, "grafana");
    let url = format!(
        "{}/v1.0/applications(appId='{}')",
        sb.graph_url(),
        grafana.app_id
    );
    // A user token with only User.Read may not read app registrations.
    let user = graph_token(&sb, "grafana", "alice", GRAFANA_CB, "openid User.Read").await;
    let (s, body) = get(&url, Some(&user)).await;
    assert_graph_error(s, &body, 403, "Authorization_RequestDenied");
    let t = app_token(&sb, "entrance-automation").await;
    let (s, body) = get(&url, Some(&t)).await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(body["appId"], grafana.app_id.as_str());
    assert_eq!(body["signInAudience"], "AzureADMyOrg");
    assert_eq!(body["groupMembershipClaims"], "SecurityGroup");
    assert_eq!(body["web"]["redirectUris"][0], GRAFANA_CB);
    assert_eq!(body["passwordCredentials"][0]["hint"], "Gra");
    assert!(
        body["passwordCredentials"][0]["secretText"].is_null(),
        "the Value is never returned"
    );
    assert!(!body.to_string().contains(&secret(&grafana)));
    assert_eq!(body["appRoles"].as_array().map(Vec::len), Some(4));
    let (s, body) = get(
        &format!(
            "{}/v1.0/applications(appId='00000000-0000-4000-8000-00000000dead')",
            sb.graph_url()
        ),
        Some(&t),
    )
    .await;
    assert_graph_error(s, &body, 404, "Request_ResourceNotFound");
    let (s, sp) = get(
        &format!(
            "{}/v1.0/servicePrincipals(appId='{}')",
            sb.graph_url(),
            grafana.app_id
        ),
        Some(&t),
    )
    .await;
    assert_eq!(s, 200, "{sp}");
    assert_eq!(sp["appRoleAssignmentRequired"], true);
    let (_, graph_sp) = get(
        &format!(
            "{}/v1.0/servicePrincipals(appId='00000003-0000-0000-c000-000000000000')",
            sb.graph_url()
        ),
        Some(&t),
    )
    .await;
    assert!(graph_sp["oauth2PermissionScopes"]
        .as_array()
        .is_some_and(|s| s.iter().any(|x| x["value"] == "GroupMember.Read.All")));
}

#[tokio::test]
async fn patch_changes_the_registration_and_the_next_sign_in_sees_it() {
    let sb = sandbox().await;
    let twin = app(&sb, "openmetadata-misconfigured");
    let url = format!(
        "{}/v1.0/applications(appId='{}')",
        sb.graph_url(),
        twin.app_id
    );
    // Application.Read.All is not enough to write.
    let read_only = app_token(&sb, "entrance-automation").await;
    let r = client()
        .patch(&url)
        .bearer_auth(&read_only)
        .json(
            &serde_json::json!({"spa": {"redirectUris": ["http://localhost:8585/auth/callback"]}}),
        )
        .send()
        .await
        .expect("PATCH");
    assert_eq!(r.status(), 403);
    // Entrance, signed in as the Global Administrator with Application.ReadWrite.All.
    let entrance = app(&sb, "entrance");
    let c = code(
        &sb,
        &entrance,
        "admin",
        "http://localhost:45000",
        "openid offline_access https://graph.microsoft.com/Application.ReadWrite.All",
        None,
    )
    .await;
    let (status, body) = token(
        &sb,
        "contoso",
        &[
            ("grant_type", "authorization_code"),
            ("client_id", &entrance.app_id),
            ("code", &c),
            ("redirect_uri", "http://localhost:45000"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let t = body["access_token"].as_str().expect("token").to_string();
    let r = client()
        .patch(&url)
        .bearer_auth(&t)
        .json(&serde_json::json!({"web": {"redirectUris": []}, "spa": {"redirectUris": ["http://localhost:8585/callback", "http://localhost:8585/auth/callback"]}}))
        .send()
        .await
        .expect("PATCH");
    assert_eq!(r.status(), 204);
    let (_, after) = get(&url, Some(&t)).await;
    assert_eq!(
        after["spa"]["redirectUris"][1],
        "http://localhost:8585/auth/callback"
    );
    assert_eq!(
        sb.scenario()
            .app("openmetadata-misconfigured")
            .expect("app")
            .spa
            .redirect_uris
            .len(),
        2
    );
    // An invalid change is refused with Graph's error and not applied.
    let r = client()
        .patch(&url)
        .bearer_auth(&t)
        .json(&serde_json::json!({"spa": {"redirectUris": ["http://om.example/callback"]}}))
        .send()
        .await
        .expect("PATCH");
    let s = r.status().as_u16();
    let body: Value = r.json().await.expect("JSON");
    assert_graph_error(s, &body, 400, "Request_BadRequest");
    // A non-admin user with the same permission may not write.
    let c = code(
        &sb,
        &entrance,
        "alice",
        "http://localhost:45000",
        "openid https://graph.microsoft.com/Application.ReadWrite.All",
        None,
    )
    .await;
    let (_, body) = token(
        &sb,
        "contoso",
        &[
            ("grant_type", "authorization_code"),
            ("client_id", &entrance.app_id),
            ("code", &c),
            ("redirect_uri", "http://localhost:45000"),
        ],
    )
    .await;
    let r = client()
        .patch(&url)
        .bearer_auth(body["access_token"].as_str().unwrap_or(""))
        .json(&serde_json::json!({"displayName": "x"}))
        .send()
        .await
        .expect("PATCH");
    assert_eq!(r.status(), 403);
}

#[tokio::test]
async fn userinfo_answers_for_the_signed_in_user() {
    let sb = sandbox().await;
    let tokens = tokens_for(&sb, "grafana", "alice", GRAFANA_CB, "openid profile email").await;
    let id = claims(tokens["id_token"].as_str().expect("id"));
    let (s, body) = get(
        &format!("{}/oidc/userinfo", sb.graph_url()),
        tokens["access_token"].as_str(),
    )
    .await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(
        body["sub"], id["sub"],
        "the same pairwise sub as the ID token"
    );
    assert_eq!(body["email"], "alice@contoso.sandbox");
    // userinfo.md: POST answers the same.
    let r = client()
        .post(format!("{}/oidc/userinfo", sb.graph_url()))
        .bearer_auth(tokens["access_token"].as_str().unwrap_or(""))
        .send()
        .await
        .expect("POST");
    assert_eq!(r.status(), 200);
    let posted: serde_json::Value = r.json().await.expect("json");
    assert_eq!(posted["sub"], id["sub"]);
}

async fn send(
    method: reqwest::Method,
    url: &str,
    token: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut r = client().request(method, url).bearer_auth(token);
    if let Some(b) = body {
        r = r.json(&b);
    }
    let r = r.send().await.expect("request");
    let s = r.status().as_u16();
    (s, r.json().await.unwrap_or(Value::Null))
}

/// application-post-applications, serviceprincipal-post-serviceprincipals,
/// application-addpassword, serviceprincipal-post-approleassignedto,
/// oauth2permissiongrant-post/-update, application-removepassword: a
/// registration built through Graph alone signs a user in with its role.
#[tokio::test]
async fn a_registration_created_through_graph_signs_in_with_its_role() {
    use reqwest::Method;
    use serde_json::json;
    let sb = sandbox().await;
    let g = sb.graph_url().to_string();
    let read_only = app_token(&sb, "entrance-automation").await;
    let admin = app_token(&sb, "entrance-admin").await;
    let new_app = json!({
        "displayName": "Created in a test",
        "web": {"redirectUris": ["http://localhost:7000/callback"]},
        "appRoles": [{"id": "66666666-0000-4000-8000-0000000000a1", "value": "Viewer", "displayName": "Viewer", "description": "v", "allowedMemberTypes": ["User"], "isEnabled": true}],
    });
    // Application.Read.All may not create.
    let (s, body) = send(
        Method::POST,
        &format!("{g}/v1.0/applications"),
        &read_only,
        Some(new_app.clone()),
    )
    .await;
    assert_graph_error(s, &body, 403, "Authorization_RequestDenied");
    assert_eq!(
        body["error"]["message"],
        "Insufficient privileges to complete the operation."
    );
    let (s, created) = send(
        Method::POST,
        &format!("{g}/v1.0/applications"),
        &admin,
        Some(new_app),
    )
    .await;
    assert_eq!(s, 201, "{created}");
    let app_id = created["appId"].as_str().expect("appId").to_string();
    let object_id = created["id"].as_str().expect("id").to_string();
    assert_eq!(
        created["web"]["redirectUris"][0],
        "http://localhost:7000/callback"
    );
    // No service principal until one is created.
    let (s, _) = get(
        &format!("{g}/v1.0/servicePrincipals(appId='{app_id}')"),
        Some(&admin),
    )
    .await;
    assert_eq!(s, 404);
    let (s, sp) = send(
        Method::POST,
        &format!("{g}/v1.0/servicePrincipals"),
        &admin,
        Some(json!({"appId": app_id})),
    )
    .await;
    assert_eq!(s, 201, "{sp}");
    let sp_id = sp["id"].as_str().expect("sp id").to_string();
    let (s, _) = send(
        Method::POST,
        &format!("{g}/v1.0/servicePrincipals"),
        &admin,
        Some(json!({"appId": app_id})),
    )
    .await;
    assert_eq!(
        s, 409,
        "a second service principal for the same app is refused"
    );
    let (s, listed) = get(
        &format!("{g}/v1.0/servicePrincipals?$filter=appId%20eq%20'{app_id}'"),
        Some(&admin),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(listed["value"][0]["id"], sp_id.as_str());
    // addPassword: the Value once, its hint is the first three characters.
    let (s, pw) = send(
        Method::POST,
        &format!("{g}/v1.0/applications/{object_id}/addPassword"),
        &admin,
        Some(json!({"passwordCredential": {"displayName": "test"}})),
    )
    .await;
    assert_eq!(s, 200, "{pw}");
    let value = pw["secretText"].as_str().expect("secretText").to_string();
    assert_eq!(pw["hint"].as_str(), value.get(..3));
    let (_, read) = get(
        &format!("{g}/v1.0/applications(appId='{app_id}')"),
        Some(&admin),
    )
    .await;
    assert!(
        !read.to_string().contains(&value),
        "the Value is never read back"
    );
    assert_eq!(read["passwordCredentials"][0]["keyId"], pw["keyId"]);
    // Assign Alice the Viewer role, then consent for the tenant.
    let alice = sb.scenario().user("alice").expect("alice").id.clone();
    let assignment = json!({"principalId": alice, "resourceId": sp_id, "appRoleId": "66666666-0000-4000-8000-0000000000a1"});
    let (s, _) = send(
        Method::POST,
        &format!("{g}/v1.0/servicePrincipals/{sp_id}/appRoleAssignedTo"),
        &read_only,
        Some(assignment.clone()),
    )
    .await;
    assert_eq!(s, 403);
    let (s, a) = send(
        Method::POST,
        &format!("{g}/v1.0/servicePrincipals/{sp_id}/appRoleAssignedTo"),
        &admin,
        Some(assignment.clone()),
    )
    .await;
    assert_eq!(s, 201, "{a}");
    assert_eq!(a["principalType"], "User");
    let (s, _) = send(
        Method::POST,
        &format!("{g}/v1.0/servicePrincipals/{sp_id}/appRoleAssignedTo"),
        &admin,
        Some(assignment),
    )
    .await;
    assert_eq!(s, 400, "the same assignment twice is refused");
    let (_, graph_sp) = get(
        &format!("{g}/v1.0/servicePrincipals(appId='00000003-0000-0000-c000-000000000000')"),
        Some(&admin),
    )
    .await;
    let grant = json!({"clientId": sp_id, "consentType": "AllPrincipals", "resourceId": graph_sp["id"], "scope": "openid profile"});
    let (s, created_grant) = send(
        Method::POST,
        &format!("{g}/v1.0/oauth2PermissionGrants"),
        &admin,
        Some(grant.clone()),
    )
    .await;
    assert_eq!(s, 201, "{created_grant}");
    let (s, _) = send(
        Method::POST,
        &format!("{g}/v1.0/oauth2PermissionGrants"),
        &admin,
        Some(grant),
    )
    .await;
    assert_eq!(s, 409, "one grant per client, resource and consent type");
    let grant_id = created_grant["id"].as_str().expect("grant id");
    let (s, _) = send(
        Method::PATCH,
        &format!("{g}/v1.0/oauth2PermissionGrants/{grant_id}"),
        &admin,
        Some(json!({"scope": "openid profile email User.Read"})),
    )
    .await;
    assert_eq!(s, 204);
    let (_, grants) = get(
        &format!("{g}/v1.0/servicePrincipals/{sp_id}/oauth2PermissionGrants"),
        Some(&read_only),
    )
    .await;
    assert_eq!(
        grants["value"][0]["scope"],
        "openid profile email User.Read"
    );
    // The next sign-in reads the new registration: Alice gets the role.
    let body = tokens_for(
        &sb,
        &app_id,
        "alice",
        "http://localhost:7000/callback",
        "openid profile User.Read",
    )
    .await;
    let id = crate::support::claims(body["id_token"].as_str().expect("id_token"));
    assert_eq!(id["roles"], json!(["Viewer"]), "{id}");
    let (_, assigned) = get(
        &format!("{g}/v1.0/users/{alice}/appRoleAssignments"),
        Some(&admin),
    )
    .await;
    assert!(
        assigned["value"]
            .as_array()
            .is_some_and(|v| v.iter().any(|a| a["resourceId"] == sp_id.as_str())),
        "{assigned}"
    );
    // removePassword: the secret stops working.
    let (s, _) = send(
        Method::POST,
        &format!("{g}/v1.0/applications(appId='{app_id}')/removePassword"),
        &admin,
        Some(json!({"keyId": pw["keyId"]})),
    )
    .await;
    assert_eq!(s, 204);
    let (status, body) = token(
        &sb,
        "contoso",
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &app_id),
            ("client_secret", &value),
            ("scope", &format!("{app_id}/.default")),
        ],
    )
    .await;
    assert_eq!(status, 401, "{body}");
}

/// json-batching: each request answered with its own status; a failed
/// dependency makes its dependents 424; more than 20 is refused.
#[tokio::test]
async fn batch_runs_requests_in_order_with_their_own_status() {
    use serde_json::json;
    let sb = sandbox().await;
    let t = app_token(&sb, "entrance-automation").await;
    let grafana = app(&sb, "grafana");
    let url = format!("{}/v1.0/$batch", sb.graph_url());
    let (s, body) = send(reqwest::Method::POST, &url, &t, Some(json!({"requests": [
        {"id": "1", "method": "GET", "url": format!("/applications(appId='{}')", grafana.app_id)},
        {"id": "2", "method": "PATCH", "url": format!("/applications(appId='{}')", grafana.app_id), "body": {"displayName": "x"}, "headers": {"Content-Type": "application/json"}},
        {"id": "3", "method": "GET", "url": "/servicePrincipals(appId='33333333-0000-4000-8000-000000000005')", "dependsOn": ["2"]},
    ]}))).await;
    assert_eq!(s, 200, "{body}");
    let r = body["responses"].as_array().expect("responses");
    assert_eq!(r[0]["status"], 200);
    assert_eq!(r[0]["body"]["displayName"], "Grafana");
    assert_eq!(r[1]["status"], 403);
    assert_eq!(r[1]["body"]["error"]["code"], "Authorization_RequestDenied");
    assert_eq!(r[2]["status"], 424);
    let many: Vec<Value> = (0..21)
        .map(|i| json!({"id": i.to_string(), "method": "GET", "url": "/me"}))
        .collect();
    let (s, _) = send(
        reqwest::Method::POST,
        &url,
        &t,
        Some(json!({"requests": many})),
    )
    .await;
    assert_eq!(s, 400);
}

/// signin-list: a successful sign-in (errorCode 0) and an unassigned user's
/// 50105 appear for the app, newest first; AuditLog.Read.All is needed.
#[tokio::test]
async fn sign_in_logs_show_success_and_the_assignment_failure() {
    let sb = sandbox().await;
    let grafana = app(&sb, "grafana");
    let _ = tokens_for(&sb, "grafana", "alice", GRAFANA_CB, "openid profile").await;
    // Bob is not assigned to Grafana (assignment required): 50105.
    let url = authorize_url(
        &sb,
        "contoso",
        &[
            ("client_id", grafana.app_id.as_str()),
            ("response_type", "code"),
            ("redirect_uri", GRAFANA_CB),
            ("scope", "openid"),
            ("state", "s"),
        ],
    );
    let r = sign_in(&client(), &sb, &url, "bob").await;
    assert!(location_params(r.headers())
        .get("error")
        .is_some_and(|e| e == "access_denied"));
    let auditor = app_token(&sb, "entrance-admin").await;
    let url = format!(
        "{}/v1.0/auditLogs/signIns?$filter=appId%20eq%20'{}'&$top=10",
        sb.graph_url(),
        grafana.app_id
    );
    let (s, body) = get(&url, Some(&auditor)).await;
    assert_eq!(s, 200, "{body}");
    let v = body["value"].as_array().expect("value");
    assert_eq!(v.len(), 2, "{body}");
    assert_eq!(v[0]["userPrincipalName"], "bob@contoso.sandbox");
    assert_eq!(v[0]["status"]["errorCode"], 50105);
    assert_eq!(v[1]["userPrincipalName"], "alice@contoso.sandbox");
    assert_eq!(v[1]["status"]["errorCode"], 0);
    assert_eq!(v[1]["appId"], grafana.app_id.as_str());
    let reader = app_token(&sb, "entrance-automation").await;
    let (s, body) = get(&url, Some(&reader)).await;
    assert_graph_error(s, &body, 403, "Authorization_RequestDenied");
}

#[tokio::test]
async fn directory_roles_account_state_and_only_the_callers_tenant_users() {
    let sb = entrance_sandbox::Sandbox::start_default()
        .await
        .expect("sandbox");
    let g = sb.graph_url().to_string();
    let admin = app_token(&sb, "entrance-admin").await;
    let ada = sb.scenario().user("admin").expect("user").id.clone();
    let (s, roles) = get(
        &format!("{g}/v1.0/users/{ada}/transitiveMemberOf/microsoft.graph.directoryRole"),
        Some(&admin),
    )
    .await;
    assert_eq!(s, 200, "{roles}");
    assert_eq!(
        roles["value"][0]["roleTemplateId"], "62e90394-69f5-4237-9190-012177145e10",
        "{roles}"
    );
    let (_, dora) = get(
        &format!("{g}/v1.0/users/dora@contoso.sandbox"),
        Some(&admin),
    )
    .await;
    assert_eq!(dora["accountEnabled"], false, "{dora}");
    let (_, guest) = get(
        &format!(
            "{g}/v1.0/users/{}",
            sb.scenario().user("guest").expect("user").id
        ),
        Some(&admin),
    )
    .await;
    assert_eq!(guest["userType"], "Guest", "{guest}");
    // Frank belongs to the other tenant: contoso's Graph does not know him.
    let (s, body) = get(
        &format!("{g}/v1.0/users/frank@fabrikam.sandbox"),
        Some(&admin),
    )
    .await;
    assert_graph_error(s, &body, 404, "Request_ResourceNotFound");
}
