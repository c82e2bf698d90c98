//! The one way Entrance reads an HTTP answer: bounded.
//!
//! Every response body — a discovery document, a key set, a token endpoint's
//! answer, a Microsoft Graph page, a diagnostic probe — is read chunk by
//! chunk through [`read_body`] (refuse past the limit) or [`read_prefix`]
//! (keep the first bytes, stop reading), never with `bytes()` or `text()`,
//! which would hold whatever a server sends. The clients are built by
//! [`client_builder`]: redirects never followed (against SSRF and token
//! leaks), a timeout on the whole exchange (a server that trickles its body
//! byte by byte is cut off at it), a connect timeout, Entrance's user agent.
//!
//! [`BoundedClient`] is the HTTP client `openidconnect`/`oauth2` talk
//! through (their `AsyncHttpClient`): the same reader, so a token endpoint
//! that answers without end is cut off at [`MAX_TOKEN_RESPONSE_BYTES`]
//! instead of filling memory.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use openidconnect::{AsyncHttpClient, HttpRequest, HttpResponse};

/// The largest token endpoint answer read (Entra's are a few KB; a token
/// with 200 groups is under 16 KB).
pub const MAX_TOKEN_RESPONSE_BYTES: usize = 1 << 20;

/// Why a body could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BodyError {
    /// The server sent more than the limit.
    #[error("the answer is larger than {limit} bytes; Entrance stopped reading it")]
    TooLarge { limit: usize },
    /// The connection failed, was reset or timed out while reading.
    #[error("{0}")]
    Transport(#[from] reqwest::Error),
    /// The request could not be formed (a bad header or URL).
    #[error("the request could not be formed: {0}")]
    Request(String),
}

impl BodyError {
    /// Whether the cause was the size limit (a protocol problem, not the network).
    pub fn is_too_large(&self) -> bool {
        matches!(self, BodyError::TooLarge { .. })
    }
}

/// A client builder with Entrance's rules: no redirects, `timeout` for the
/// whole exchange (headers and body), at most 15 s to connect.
pub fn client_builder(timeout: Duration) -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(15)))
        .user_agent(concat!("Entrance/", env!("CARGO_PKG_VERSION")))
}

/// Reads a whole body of at most `limit` bytes; one byte more is an error.
pub async fn read_body(
    response: &mut reqwest::Response,
    limit: usize,
) -> Result<Vec<u8>, BodyError> {
    if response.content_length().is_some_and(|n| n > limit as u64) {
        return Err(BodyError::TooLarge { limit });
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        if body.len() + chunk.len() > limit {
            return Err(BodyError::TooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Reads at most `limit` bytes of a body and stops there (the rest is not
/// read): for probes that only look at the beginning of an answer.
pub async fn read_prefix(
    response: &mut reqwest::Response,
    limit: usize,
) -> Result<Vec<u8>, reqwest::Error> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        let room = limit.saturating_sub(body.len());
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if body.len() >= limit {
            break;
        }
    }
    Ok(body)
}

/// A reqwest client whose answers are read through [`read_body`]; the HTTP
/// client handed to `openidconnect` and `oauth2`.
#[derive(Debug, Clone)]
pub struct BoundedClient {
    client: reqwest::Client,
    limit: usize,
}

impl BoundedClient {
    /// Wraps `client`; bodies over `limit` bytes are refused.
    pub fn new(client: reqwest::Client, limit: usize) -> BoundedClient {
        BoundedClient { client, limit }
    }

    /// The wrapped client, for requests Entrance makes itself.
    pub fn inner(&self) -> &reqwest::Client {
        &self.client
    }
}

impl<'c> AsyncHttpClient<'c> for BoundedClient {
    type Error = BodyError;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, BodyError>> + Send + Sync + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(async move {
            let request: reqwest::Request = request
                .try_into()
                .map_err(|e: reqwest::Error| BodyError::Request(e.to_string()))?;
            let mut response = self.client.execute(request).await?;
            let mut builder = openidconnect::http::Response::builder()
                .status(response.status())
                .version(response.version());
            for (name, value) in response.headers() {
                builder = builder.header(name, value);
            }
            let body = read_body(&mut response, self.limit).await?;
            builder
                .body(body)
                .map_err(|e| BodyError::Request(e.to_string()))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// A server that answers 200 with an endless body (no Content-Length,
    /// 64 KiB chunks until the client goes away).
    async fn endless_server() -> std::net::SocketAddr {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((mut s, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let mut buf = [0u8; 4096];
                    let _ = s.read(&mut buf).await;
                    let _ = s
                        .write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{\"access_token\":\"")
                        .await;
                    let chunk = vec![b'a'; 64 * 1024];
                    while s.write_all(&chunk).await.is_ok() {}
                });
            }
        });
        addr
    }

    #[tokio::test]
    async fn an_endless_token_endpoint_is_cut_off_at_the_limit() {
        let addr = endless_server().await;
        let client = BoundedClient::new(
            client_builder(Duration::from_secs(20)).build().unwrap(),
            MAX_TOKEN_RESPONSE_BYTES,
        );
        let request = openidconnect::http::Request::builder()
            .method("POST")
            .uri(format!("http://{addr}/token"))
            .body(b"grant_type=authorization_code".to_vec())
            .unwrap();
        let started = std::time::Instant::now();
        let err = client.call(request).await.expect_err("refused");
        assert!(err.is_too_large(), "{err}");
        assert!(err.to_string().contains("1048576 bytes"), "{err}");
        assert!(started.elapsed() < Duration::from_secs(10));
    }

    #[tokio::test]
    async fn a_declared_length_over_the_limit_is_refused_before_reading() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let (mut s, _) = listener.accept().await.unwrap();
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf).await;
            let _ = s
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 999999999\r\n\r\n{}")
                .await;
            tokio::time::sleep(Duration::from_secs(5)).await;
        });
        let client = client_builder(Duration::from_secs(20)).build().unwrap();
        let mut response = client.get(format!("http://{addr}/")).send().await.unwrap();
        let err = read_body(&mut response, 1024).await.expect_err("refused");
        assert!(err.is_too_large());
    }

    #[tokio::test]
    async fn a_prefix_read_stops_at_the_limit() {
        let addr = endless_server().await;
        let client = client_builder(Duration::from_secs(20)).build().unwrap();
        let mut response = client.get(format!("http://{addr}/")).send().await.unwrap();
        let body = read_prefix(&mut response, 100_000).await.unwrap();
        assert_eq!(body.len(), 100_000);
    }
}
