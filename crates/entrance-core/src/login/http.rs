//! The HTTP client of sign-in: reqwest 0.12 with rustls (the version
//! `openidconnect` 4.1 speaks), **redirects never followed** (against SSRF and
//! token leaks, as openidconnect's UPGRADE.md advises), a timeout on every
//! call, bounded response bodies, and failures sorted into network, TLS and
//! protocol problems.

use std::time::Duration;

use url::Url;

use super::LoginError;

/// The largest discovery document or key set Entrance reads (Entra's are a few KB).
pub const MAX_DOCUMENT_BYTES: usize = 1 << 20;

/// How sign-in talks HTTP.
#[derive(Debug, Clone)]
pub struct HttpOptions {
    /// Timeout of each HTTP call (discovery, keys, token endpoint).
    pub timeout: Duration,
    /// An extra trusted CA in PEM (the sandbox's generated CA when it serves
    /// TLS, a corporate TLS-inspecting proxy's CA).
    pub extra_ca_pem: Option<String>,
}

impl Default for HttpOptions {
    fn default() -> Self {
        HttpOptions {
            timeout: Duration::from_secs(30),
            extra_ca_pem: None,
        }
    }
}

/// The configured client. Cheap to clone. `client` is what `openidconnect`
/// talks through: every answer it reads is bounded
/// ([`crate::http::BoundedClient`]).
#[derive(Debug, Clone)]
pub(crate) struct Http {
    pub(crate) client: crate::http::BoundedClient,
}

impl Http {
    pub(crate) fn new(options: &HttpOptions) -> Result<Http, LoginError> {
        let mut builder = crate::http::client_builder(options.timeout);
        if let Some(pem) = &options.extra_ca_pem {
            let cert = reqwest::Certificate::from_pem(pem.as_bytes()).map_err(|e| {
                LoginError::InvalidRequest {
                    field: "CA certificate",
                    reason: format!("not a PEM certificate: {e}"),
                    fix: "Give the CA certificate in PEM (-----BEGIN CERTIFICATE-----).".into(),
                }
            })?;
            builder = builder.add_root_certificate(cert);
        }
        let client = builder.build().map_err(|e| LoginError::Network {
            url: String::new(),
            detail: format!("the HTTP client could not be built: {e}"),
        })?;
        Ok(Http {
            client: crate::http::BoundedClient::new(client, crate::http::MAX_TOKEN_RESPONSE_BYTES),
        })
    }

    /// GETs a JSON document (discovery, JWKS). Returns the status and at most
    /// [`MAX_DOCUMENT_BYTES`] of body.
    pub(crate) async fn get(&self, url: &Url) -> Result<(u16, Vec<u8>), LoginError> {
        let response = self
            .client
            .inner()
            .get(url.clone())
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| classify(&e, url.as_str()))?;
        let status = response.status().as_u16();
        let body = read_limited(response, MAX_DOCUMENT_BYTES, url.as_str()).await?;
        Ok((status, body))
    }
}

/// Reads a body, refusing more than `limit` bytes.
pub(crate) async fn read_limited(
    mut response: reqwest::Response,
    limit: usize,
    url: &str,
) -> Result<Vec<u8>, LoginError> {
    crate::http::read_body(&mut response, limit)
        .await
        .map_err(|e| classify(&e, url))
}

/// Sorts a transport failure: TLS (certificate, handshake) or network
/// (DNS, refused, reset, timeout).
pub(crate) fn classify(error: &(dyn std::error::Error + 'static), url: &str) -> LoginError {
    let mut cause = Some(error);
    while let Some(e) = cause {
        if let Some(crate::http::BodyError::TooLarge { limit }) = e.downcast_ref() {
            return LoginError::Protocol {
                detail: format!("{url} answered more than {limit} bytes; Entrance stopped reading"),
            };
        }
        cause = e.source();
    }
    let detail = chain(error);
    let lower = detail.to_ascii_lowercase();
    if ["certificate", "tls", "handshake", "unknownissuer", "ssl"]
        .iter()
        .any(|w| lower.contains(w))
    {
        LoginError::Tls {
            url: url.to_string(),
            detail,
        }
    } else {
        LoginError::Network {
            url: url.to_string(),
            detail,
        }
    }
}

/// An error and its sources on one line: reqwest's own message is often just
/// "error sending request".
pub(crate) fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut out = error.to_string();
    let mut source = error.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    out
}

/// An endpoint from a discovery document must be https (http only on
/// loopback, for the sandbox): a secret or a code never travels in clear text.
pub(crate) fn check_endpoint(name: &str, url: &Url) -> Result<(), LoginError> {
    match url.scheme() {
        "https" => Ok(()),
        "http" if crate::verify::is_loopback(url) => Ok(()),
        _ => Err(LoginError::Discovery {
            url: url.to_string(),
            detail: format!(
                "the discovery document's {name} `{url}` is not https; Entrance sends codes and secrets only over https (plain http only to loopback)"
            ),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct E(&'static str, Option<Box<E>>);
    impl std::fmt::Display for E {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(self.0)
        }
    }
    impl std::error::Error for E {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            self.1.as_deref().map(|e| e as _)
        }
    }

    #[test]
    fn tls_and_network_failures_are_told_apart_through_the_source_chain() {
        let tls = E(
            "error sending request",
            Some(Box::new(E("invalid peer certificate: UnknownIssuer", None))),
        );
        assert!(matches!(
            classify(&tls, "https://x"),
            LoginError::Tls { .. }
        ));
        let refused = E(
            "error sending request",
            Some(Box::new(E("Connection refused (os error 111)", None))),
        );
        match classify(&refused, "https://x") {
            LoginError::Network { detail, .. } => assert!(detail.contains("refused"), "{detail}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn endpoints_must_be_https_except_on_loopback() {
        assert!(check_endpoint("token_endpoint", &Url::parse("https://a/t").unwrap()).is_ok());
        assert!(check_endpoint(
            "token_endpoint",
            &Url::parse("http://127.0.0.1:9/t").unwrap()
        )
        .is_ok());
        assert!(check_endpoint(
            "token_endpoint",
            &Url::parse("http://evil.example/t").unwrap()
        )
        .is_err());
    }
}
