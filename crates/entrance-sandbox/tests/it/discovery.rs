//! Discovery and JWKS (docs/entra.md#token-versions-and-issuers, docs/entra.md#errors, docs/entra.md#national-clouds).

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use serde_json::Value;

use crate::support::*;

async fn get(url: &str) -> (u16, Value) {
    let r = client().get(url).send().await.expect("GET");
    let s = r.status().as_u16();
    (s, r.json().await.expect("JSON"))
}

#[tokio::test]
async fn v2_discovery_by_tenant_id_is_entra_shaped() {
    let sb = sandbox().await;
    let tid = tenant_id(&sb, "contoso");
    let (status, doc) = get(&format!(
        "{}/{tid}/v2.0/.well-known/openid-configuration",
        sb.base_url()
    ))
    .await;
    assert_eq!(status, 200);
    let b = sb.base_url();
    assert_eq!(doc["issuer"], format!("{b}/{tid}/v2.0"));
    assert_eq!(
        doc["authorization_endpoint"],
        format!("{b}/{tid}/oauth2/v2.0/authorize")
    );
    assert_eq!(
        doc["token_endpoint"],
        format!("{b}/{tid}/oauth2/v2.0/token")
    );
    assert_eq!(
        doc["device_authorization_endpoint"],
        format!("{b}/{tid}/oauth2/v2.0/devicecode")
    );
    assert_eq!(doc["jwks_uri"], format!("{b}/{tid}/discovery/v2.0/keys"));
    assert_eq!(doc["cloud_instance_name"], "microsoftonline.com");
    assert_eq!(doc["tenant_region_scope"], "EU");
    assert_eq!(doc["cloud_graph_host_name"], "graph.windows.net");
    let graph_host = sb.graph_url().trim_start_matches("http://");
    assert_eq!(doc["msgraph_host"], graph_host);
    assert_eq!(
        doc["subject_types_supported"],
        serde_json::json!(["pairwise"])
    );
    assert_eq!(
        doc["id_token_signing_alg_values_supported"],
        serde_json::json!(["RS256"])
    );
    assert!(doc["token_endpoint_auth_methods_supported"]
        .as_array()
        .is_some_and(|m| m.iter().any(|x| x == "client_secret_basic")));
    assert!(doc["response_modes_supported"]
        .as_array()
        .is_some_and(|m| m.iter().any(|x| x == "form_post")));
}

#[tokio::test]
async fn a_verified_domain_works_as_the_tenant_and_endpoints_carry_the_id() {
    let sb = sandbox().await;
    let tid = tenant_id(&sb, "contoso");
    let (status, doc) = get(&format!(
        "{}/contoso.sandbox/v2.0/.well-known/openid-configuration",
        sb.base_url()
    ))
    .await;
    assert_eq!(status, 200);
    assert_eq!(doc["issuer"], format!("{}/{tid}/v2.0", sb.base_url()));
    assert!(doc["token_endpoint"]
        .as_str()
        .is_some_and(|t| t.contains(&tid)));
}

#[tokio::test]
async fn common_and_organizations_publish_the_tenantid_template() {
    let sb = sandbox().await;
    for seg in ["common", "organizations"] {
        let (status, doc) = get(&format!(
            "{}/{seg}/v2.0/.well-known/openid-configuration",
            sb.base_url()
        ))
        .await;
        assert_eq!(status, 200);
        assert_eq!(
            doc["issuer"],
            format!("{}/{{tenantid}}/v2.0", sb.base_url()),
            "docs/entra.md#token-versions-and-issuers template"
        );
        assert_eq!(
            doc["token_endpoint"],
            format!("{}/{seg}/oauth2/v2.0/token", sb.base_url())
        );
        assert!(doc["tenant_region_scope"].is_null());
        let (_, v1) = get(&format!(
            "{}/{seg}/.well-known/openid-configuration",
            sb.base_url()
        ))
        .await;
        assert_eq!(v1["issuer"], "https://sts.windows.net/{tenantid}/");
    }
}

#[tokio::test]
async fn v1_discovery_has_the_sts_issuer_and_v1_endpoints() {
    let sb = sandbox().await;
    let tid = tenant_id(&sb, "contoso");
    let (status, doc) = get(&format!(
        "{}/{tid}/.well-known/openid-configuration",
        sb.base_url()
    ))
    .await;
    assert_eq!(status, 200);
    assert_eq!(doc["issuer"], format!("https://sts.windows.net/{tid}/"));
    assert_eq!(
        doc["token_endpoint"],
        format!("{}/{tid}/oauth2/token", sb.base_url())
    );
    assert_eq!(
        doc["jwks_uri"],
        format!("{}/{tid}/discovery/keys", sb.base_url())
    );
}

#[tokio::test]
async fn a_national_cloud_tenant_says_so() {
    let sb = sandbox().await;
    let (_, doc) = get(&sb.discovery_url("northwind-gov")).await;
    assert_eq!(doc["cloud_instance_name"], "microsoftonline.us");
    assert_eq!(doc["tenant_region_scope"], "USGov");
    assert_eq!(doc["tenant_region_sub_scope"], "DODCON");
}

#[tokio::test]
async fn an_unknown_tenant_is_entras_400_with_aadsts90002() {
    let sb = sandbox().await;
    for path in [
        "nope.example/v2.0/.well-known/openid-configuration",
        "nope.example/.well-known/openid-configuration",
        "nope.example/discovery/v2.0/keys",
    ] {
        let r = client()
            .get(format!("{}/{path}", sb.base_url()))
            .header("client-request-id", "0000aaaa-11bb-cccc-dd33-eeeeee333333")
            .send()
            .await
            .expect("GET");
        let status = r.status();
        let body: Value = r.json().await.expect("JSON");
        assert_entra_error(status, &body, 400, "invalid_tenant", 90002);
        assert!(body["error_description"]
            .as_str()
            .is_some_and(|d| d.contains("Tenant 'nope.example' not found")));
        assert_eq!(
            body["correlation_id"], "0000aaaa-11bb-cccc-dd33-eeeeee333333",
            "client-request-id is the correlation ID"
        );
    }
}

#[tokio::test]
async fn jwks_have_kid_x5t_and_x5c_and_v2_keys_name_their_issuer() {
    let sb = sandbox().await;
    let tid = tenant_id(&sb, "contoso");
    let (status, v2) = get(&format!("{}/{tid}/discovery/v2.0/keys", sb.base_url())).await;
    assert_eq!(status, 200);
    let key = &v2["keys"][0];
    assert_eq!(key["kty"], "RSA");
    assert_eq!(key["use"], "sig");
    assert_eq!(key["e"], "AQAB");
    assert!(key.get("alg").is_none(), "Entra's keys carry no alg");
    assert_eq!(
        key["kid"], key["x5t"],
        "kid and x5t are the same thumbprint"
    );
    assert_eq!(key["issuer"], format!("{}/{tid}/v2.0", sb.base_url()));
    let cert = STANDARD
        .decode(key["x5c"][0].as_str().expect("x5c"))
        .expect("base64 DER");
    let thumb = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY, &cert);
    assert_eq!(
        key["x5t"],
        URL_SAFE_NO_PAD.encode(thumb.as_ref()),
        "x5t is the SHA-1 thumbprint of x5c[0]"
    );
    let (_, common) = get(&format!("{}/common/discovery/v2.0/keys", sb.base_url())).await;
    assert_eq!(
        common["keys"][0]["issuer"],
        format!("{}/{{tenantid}}/v2.0", sb.base_url())
    );
    let (_, v1) = get(&format!("{}/{tid}/discovery/keys", sb.base_url())).await;
    assert_eq!(v1["keys"][0]["kid"], key["kid"]);
    assert!(v1["keys"][0].get("issuer").is_none());
}

#[tokio::test]
async fn rotation_publishes_the_new_key_and_keeps_the_old_one() {
    let sb = sandbox().await;
    let tid = tenant_id(&sb, "contoso");
    let old = sb.current_kid();
    let new = sb.rotate_keys().expect("rotate");
    assert_ne!(old, new);
    let (_, jwks) = get(&format!("{}/{tid}/discovery/v2.0/keys", sb.base_url())).await;
    let kids: Vec<&str> = jwks["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .filter_map(|k| k["kid"].as_str())
        .collect();
    assert_eq!(kids, vec![new.as_str(), old.as_str()]);
    // And through the run-time endpoint a CLI user has.
    let r = client()
        .post(format!("{}/_sandbox/rotate-keys", sb.base_url()))
        .send()
        .await
        .expect("rotate");
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.expect("JSON");
    assert_eq!(body["kid"], sb.current_kid().as_str());
}
