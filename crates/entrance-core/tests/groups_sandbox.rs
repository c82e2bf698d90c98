//! Overage resolution through the sandbox's Microsoft Graph over real HTTP
//! (docs/entra.md#groups-overage): the 250-group user, both methods, the page math, and
//! the 403 of a token without GroupMember.Read.All, explained.

mod support;

use entrance_core::groups::{
    expected_pages, graph_base_from_msgraph_host, has_overage, resolve_groups, GroupMethod,
    GroupQuery, GroupSubject, GroupsError,
};
use entrance_core::login::SecretMethod;
use entrance_core::secrets::SecretString;
use entrance_core::token::JsonObject;
use entrance_core::ErrorCode;
use entrance_sandbox::Sandbox;
use support::*;

const GRAFANA_PATH: &str = "http://localhost/login/azuread";
const KEEP_PATH: &str = "http://localhost/api/auth/callback/microsoft-entra-id";

/// Signs `user` in to `app` for `scopes` (a real code flow through the
/// sandbox's sign-in page); returns the access token and the ID token's claims.
async fn sign_in_for(
    sb: &Sandbox,
    app: &str,
    redirect: &str,
    user: &str,
    scopes: &[&str],
) -> (SecretString, JsonObject) {
    let mut req = request(
        authority(sb),
        &app_id(sb, app),
        secret(&secret_value(sb, app), SecretMethod::Post),
        Some(redirect),
    );
    req.scopes = scopes.iter().map(|s| s.to_string()).collect();
    let (result, _, _) = sign_in(sb, req, user).await;
    let outcome = success(result);
    let id = outcome
        .summary
        .id_token
        .as_ref()
        .and_then(|t| t.claims())
        .cloned()
        .expect("an ID token");
    (outcome.tokens.access_token, id)
}

fn query(sb: &Sandbox, method: GroupMethod, subject: GroupSubject) -> GroupQuery {
    GroupQuery {
        graph_base: sb.graph_url().to_string(),
        method,
        subject,
        page_size: None,
    }
}

#[tokio::test]
async fn groups_of_the_250_group_user_resolve_in_full() {
    let sb = sandbox().await;
    let (token, id) = sign_in_for(
        &sb,
        "grafana",
        GRAFANA_PATH,
        "many-groups",
        &["openid", "profile", "User.Read", "GroupMember.Read.All"],
    )
    .await;
    // The ID token has the overage markers; its endpoint names the Graph listener.
    assert!(has_overage(&id) && id.get("groups").is_none());
    let oid = id["oid"].as_str().expect("oid").to_string();

    // getMemberObjects: all 250 in one POST.
    let r = resolve_groups(
        &query(&sb, GroupMethod::GetMemberObjects, GroupSubject::Me),
        &token,
    )
    .await
    .expect("getMemberObjects");
    assert_eq!((r.count, r.pages, r.ids.len()), (250, 1, 250));
    assert!(r.names.is_empty());

    // transitiveMemberOf at $top=999: one page, with names, by oid as Grafana asks.
    let mut q = query(
        &sb,
        GroupMethod::TransitiveMemberOf,
        GroupSubject::User { oid: oid.clone() },
    );
    let r = resolve_groups(&q, &token)
        .await
        .expect("transitiveMemberOf");
    assert_eq!(r.count, 250);
    assert_eq!(r.pages, expected_pages(250, 999));
    assert_eq!(r.pages, 1);
    assert!(r
        .names
        .iter()
        .all(|n| n.as_deref().is_some_and(|n| n.starts_with("Bulk group"))));
    assert!(r.note.is_none());

    // A smaller $top: the nextLink chain is followed, ⌈250/100⌉ = 3 pages.
    q.page_size = Some(100);
    let r = resolve_groups(&q, &token).await.expect("paged");
    assert_eq!((r.count, r.pages), (250, expected_pages(250, 100)));
    assert_eq!(r.pages, 3);
    let unique: std::collections::HashSet<_> = r.ids.iter().collect();
    assert_eq!(unique.len(), 250);
}

#[tokio::test]
async fn groups_without_group_member_read_all_is_403_explained() {
    let sb = sandbox().await;
    // Keep is consented only User.Read on Graph.
    let (token, id) = sign_in_for(
        &sb,
        "keep",
        KEEP_PATH,
        "many-groups",
        &["openid", "profile", "User.Read"],
    )
    .await;
    let oid = id["oid"].as_str().expect("oid").to_string();
    for method in [
        GroupMethod::GetMemberObjects,
        GroupMethod::TransitiveMemberOf,
    ] {
        let err = resolve_groups(
            &query(&sb, method, GroupSubject::User { oid: oid.clone() }),
            &token,
        )
        .await
        .expect_err("403");
        match &err {
            GroupsError::Forbidden {
                graph_code, scopes, ..
            } => {
                assert_eq!(graph_code, "Authorization_RequestDenied");
                assert!(scopes.iter().any(|s| s == "User.Read"), "{scopes:?}");
                assert!(!scopes.iter().any(|s| s == "GroupMember.Read.All"));
            }
            other => panic!("expected 403, got {other:?}"),
        }
        let ipc = entrance_core::Error::from(err).to_ipc();
        assert_eq!(ipc.code, ErrorCode::GraphForbidden);
        assert!(ipc.message.contains("403"));
        let fix = ipc.fix.expect("fix");
        assert!(fix.contains("GroupMember.Read.All") && fix.contains("admin consent"));
    }
    // Via /me, transitiveMemberOf answers with limited information: no names.
    let r = resolve_groups(
        &query(&sb, GroupMethod::TransitiveMemberOf, GroupSubject::Me),
        &token,
    )
    .await
    .expect("limited");
    assert_eq!(r.count, 250);
    assert!(r
        .note
        .as_deref()
        .is_some_and(|n| n.contains("GroupMember.Read.All")));
}

#[tokio::test]
async fn groups_need_a_graph_token_not_an_id_token() {
    let sb = sandbox().await;
    let err = resolve_groups(
        &query(&sb, GroupMethod::GetMemberObjects, GroupSubject::Me),
        &SecretString::from("not.a.jwt".to_string()),
    )
    .await
    .expect_err("401");
    assert!(matches!(err, GroupsError::Unauthorized { .. }), "{err:?}");
    assert!(err.fix().unwrap().contains("Microsoft Graph"));
}

#[tokio::test]
async fn groups_graph_host_comes_from_the_sandbox_discovery() {
    let sb = sandbox().await;
    let doc: serde_json::Value = reqwest::get(sb.discovery_url("contoso"))
        .await
        .expect("discovery")
        .json()
        .await
        .expect("JSON");
    let host = doc["msgraph_host"].as_str().expect("msgraph_host");
    let base = graph_base_from_msgraph_host(host).expect("base");
    assert_eq!(
        base.as_str().trim_end_matches('/'),
        sb.graph_url().trim_end_matches('/')
    );
}
