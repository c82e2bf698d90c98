//! `--tls`: HTTPS with a generated CA.

use entrance_sandbox::{Options, Sandbox, Scenario};

#[tokio::test]
async fn https_with_the_generated_ca() {
    let sb = Sandbox::start_with(
        Scenario::builtin(),
        Options {
            tls: true,
            ..Options::default()
        },
    )
    .await
    .expect("start");
    assert!(sb.base_url().starts_with("https://127.0.0.1:"));
    assert!(sb.graph_url().starts_with("https://127.0.0.1:"));
    let pem = sb.ca_pem().expect("a CA").to_string();
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"));
    let trusting = reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(pem.as_bytes()).expect("PEM")])
        .build()
        .expect("client");
    let doc: serde_json::Value = trusting
        .get(sb.discovery_url("contoso"))
        .send()
        .await
        .expect("HTTPS")
        .json()
        .await
        .expect("JSON");
    assert!(doc["issuer"]
        .as_str()
        .is_some_and(|i| i.starts_with("https://127.0.0.1:")));
    assert!(doc["msgraph_host"]
        .as_str()
        .is_some_and(|h| h.starts_with("127.0.0.1:")));
    let strict = reqwest::Client::new();
    assert!(
        strict
            .get(sb.discovery_url("contoso"))
            .send()
            .await
            .is_err(),
        "untrusted without the CA"
    );
}
