//! The device authorization grant (RFC 8628) for machines without a browser:
//! Entrance shows a code, the admin enters it on another device, Entrance
//! polls the token endpoint (honoring `interval` and `slow_down`).
//!
//! On Entra the app needs "Allow public client flows" (`isFallbackPublicClient`)
//! when it is a public client: with no redirect URI involved, that setting
//! decides the client type (docs/entra.md#redirect-uris).

use std::time::Duration;

use openidconnect::{
    DeviceAuthorizationResponse, DeviceAuthorizationUrl, ExtraDeviceAuthorizationFields, Scope,
};
use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

use super::exchange::{self, cancellable, Asked};
use super::explain::Attempt;
use super::http::Http;
use super::interactive::check_client_id;
use super::{
    Authority, ClientCredential, Flow, HttpOptions, LoginError, LoginOutcome, LoginProgress, Phase,
    Provider,
};

/// The sign-in's HTTP client, keeping the last failed request's reason: the
/// polling loop retries through failures and would otherwise end with only
/// "expired".
struct Recording<'a> {
    inner: &'a crate::http::BoundedClient,
    last: std::sync::Mutex<Option<String>>,
}

impl<'a> Recording<'a> {
    fn new(inner: &'a crate::http::BoundedClient) -> Self {
        Recording {
            inner,
            last: std::sync::Mutex::new(None),
        }
    }

    fn last_failure(&self) -> Option<String> {
        self.last.lock().ok().and_then(|l| l.clone())
    }
}

impl<'c> openidconnect::AsyncHttpClient<'c> for Recording<'_> {
    type Error = crate::http::BodyError;
    type Future = std::pin::Pin<
        Box<
            dyn std::future::Future<Output = Result<openidconnect::HttpResponse, Self::Error>>
                + Send
                + Sync
                + 'c,
        >,
    >;

    fn call(&'c self, request: openidconnect::HttpRequest) -> Self::Future {
        Box::pin(async move {
            let result = self.inner.call(request).await;
            if let Ok(mut last) = self.last.lock() {
                *last = match &result {
                    Err(e) => Some(super::http::chain(e)),
                    Ok(r) if !r.status().is_success() && r.status().as_u16() != 400 => {
                        Some(format!("HTTP {}", r.status()))
                    }
                    Ok(_) => None,
                };
            }
            result
        })
    }
}

/// A device code sign-in.
#[derive(Debug, Clone)]
pub struct DeviceCodeRequest {
    pub authority: Authority,
    pub client_id: String,
    pub credential: ClientCredential,
    /// Scopes besides `openid`; empty for the provider's defaults.
    pub scopes: Vec<String>,
    /// The longest wait; `None` for the code's own lifetime (`expires_in`).
    pub timeout: Option<Duration>,
    pub http: HttpOptions,
}

impl DeviceCodeRequest {
    pub fn new(authority: Authority, client_id: &str, credential: ClientCredential) -> Self {
        DeviceCodeRequest {
            authority,
            client_id: client_id.trim().to_string(),
            credential,
            scopes: Vec::new(),
            timeout: None,
            http: HttpOptions::default(),
        }
    }
}

/// Entra's extra field: `message`, the sentence to show.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct EntraDeviceFields {
    #[serde(default)]
    message: Option<String>,
}

impl ExtraDeviceAuthorizationFields for EntraDeviceFields {}

/// Signs in with a device code. The [`LoginProgress::DeviceCode`] event
/// carries the code and the page to enter it on.
pub async fn device_code<P>(
    request: DeviceCodeRequest,
    progress: P,
    cancel: CancellationToken,
) -> Result<LoginOutcome, LoginError>
where
    P: Fn(LoginProgress) + Send + Sync,
{
    super::progress::ending_with_failure(&progress, run(&request, &progress, &cancel)).await
}

async fn run(
    req: &DeviceCodeRequest,
    progress: &(dyn Fn(LoginProgress) + Send + Sync),
    cancel: &CancellationToken,
) -> Result<LoginOutcome, LoginError> {
    check_client_id(&req.client_id)?;
    let http = Http::new(&req.http)?;
    let provider = cancellable(cancel, Provider::discover_with(&req.authority, http)).await?;
    let Some(device_url) = provider.device_authorization_endpoint.clone() else {
        return Err(LoginError::Discovery {
            url: provider.info().discovery_url.clone(),
            detail: "this provider announces no device_authorization_endpoint: it offers no device code flow".into(),
        });
    };
    let scopes = exchange::user_scopes(&req.scopes, provider.is_entra())?;
    let attempt = Attempt {
        entra: provider.is_entra(),
        client: &req.credential,
        redirect_sent: None,
        redirect: None,
    };
    let client = exchange::client(&provider, &req.client_id, &req.credential)
        .set_device_authorization_url(DeviceAuthorizationUrl::from_url(device_url.clone()));
    let mut ask = client.exchange_device_code();
    for s in &scopes {
        ask = ask.add_scope(Scope::new(s.clone()));
    }
    let details: DeviceAuthorizationResponse<EntraDeviceFields> = cancellable(cancel, async {
        ask.request_async(&provider.http.client)
            .await
            .map_err(|e| exchange::token_error(e, device_url.as_str(), &attempt, Phase::DeviceCode))
    })
    .await?;
    progress(LoginProgress::DeviceCode {
        user_code: details.user_code().secret().to_string(),
        verification_uri: details.verification_uri().to_string(),
        message: details.extra_fields().message.clone(),
        expires_in_secs: u32::try_from(details.expires_in().as_secs()).unwrap_or(u32::MAX),
    });
    let wait = req.timeout.unwrap_or(details.expires_in());
    let started = std::time::Instant::now();
    // Polling backs off and goes on after a failed request (RFC 8628 §3.5),
    // until the wait ends: the last failure is kept to say why it ended.
    let polling = Recording::new(&provider.http.client);
    let response = cancellable(cancel, async {
        client
            .exchange_device_access_token(&details)
            .map_err(|_| exchange::no_token_endpoint(&provider))?
            .request_async(&polling, tokio::time::sleep, Some(wait))
            .await
            .map_err(|e| match e {
                _ if started.elapsed() >= wait && polling.last_failure().is_some() => {
                    LoginError::Network {
                        url: exchange::token_endpoint(&provider),
                        detail: format!(
                            "no usable answer while polling for {} s; the last attempt failed: {}",
                            started.elapsed().as_secs(),
                            polling.last_failure().unwrap_or_default()
                        ),
                    }
                }
                openidconnect::RequestTokenError::Other(_)
                | openidconnect::RequestTokenError::ServerResponse(_)
                    if started.elapsed() >= wait =>
                {
                    LoginError::Timeout {
                        waited: started.elapsed(),
                        phase: Phase::Token,
                    }
                }
                e => exchange::token_error(
                    e,
                    &exchange::token_endpoint(&provider),
                    &attempt,
                    Phase::Token,
                ),
            })
    })
    .await?;
    exchange::outcome(
        &provider,
        Asked {
            flow: Flow::DeviceCode,
            client_id: &req.client_id,
            credential: &req.credential,
            redirect_uri: None,
            scopes: std::iter::once("openid".to_string())
                .chain(scopes)
                .collect(),
            nonce: None,
            id_token_required: true,
        },
        response,
        progress,
    )
    .await
}
