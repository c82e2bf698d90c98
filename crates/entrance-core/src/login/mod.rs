//! Sign-in: authorization code + PKCE in the system browser, device code,
//! client credentials and refresh — against Entra ID (any cloud, v1 or v2,
//! a tenant or `common` / `organizations`) or any OpenID Connect provider.
//!
//! Built on `openidconnect` 4.1 (reqwest 0.12 with rustls, redirects never
//! followed). The app and the CLI call the same functions:
//!
//! ```no_run
//! # async fn demo() -> Result<(), entrance_core::login::LoginError> {
//! use entrance_core::login::{self, Authority, ClientCredential, InteractiveRequest};
//! let authority = Authority::parse("https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0")?;
//! let request = InteractiveRequest::new(authority, "00000000-0000-0000-0000-000000000000", ClientCredential::Public);
//! let outcome = login::interactive(request, |event| println!("{event:?}"), Default::default()).await?;
//! println!("{:?}", outcome.summary.signed_in_as);
//! # Ok(()) }
//! ```
//!
//! Module map (one concept per file):
//! - [`authority`]: authorities, national clouds, v1/v2 (docs/entra.md#token-versions-and-issuers, docs/entra.md#national-clouds);
//! - [`provider`]: discovery, Entra detection and issuer rules, the key cache;
//! - `http`: the HTTP client (no redirects, timeouts, TLS vs network errors);
//! - [`redirect`]: the loopback redirect URI and which one to register (docs/entra.md#redirect-uris);
//! - `listener`: the loopback listener (small, auditable);
//! - `browser`: `BROWSER` and the platform opener;
//! - `preflight`: Entra's error pages before the browser opens (docs/entra.md#errors);
//! - [`interactive`], [`device`], [`client_credentials`], [`refresh`]: the grants;
//! - `exchange`: what the grants share; `token_response`: the token answer;
//! - `id_token`: OpenID Connect Core 3.1.3.7 checks;
//! - [`outcome`]: tokens (secret) and the summary (serializable);
//! - [`progress`]: typed events; [`error`] + `explain`: typed failures,
//!   explained with the AADSTS catalog ([`crate::aadsts`]) and this sign-in's context;
//! - `pages`: what the browser is answered.

pub mod authority;
pub(crate) mod browser;
pub mod client;
pub mod client_credentials;
pub mod device;
pub mod error;
mod exchange;
mod explain;
mod http;
mod id_token;
pub mod interactive;
mod listener;
pub mod outcome;
mod pages;
pub(crate) mod preflight;
pub mod progress;
pub mod provider;
pub mod redirect;
pub mod refresh;
mod token_response;

pub use authority::{Authority, Cloud, EntraVersion};
pub use browser::Browser;
pub use client::{ClientAuth, ClientCredential, ClientKind, SecretMethod};
pub use client_credentials::{client_credentials, ClientCredentialsRequest};
pub use device::{device_code, DeviceCodeRequest};
pub use error::{IdTokenCheck, LoginError, LoginFailure, Phase, Rejection};
pub use http::HttpOptions;
pub use id_token::{IdTokenVerification, CLOCK_SKEW};
pub use interactive::{interactive, InteractiveRequest, DEFAULT_TIMEOUT};
pub use listener::{MAX_HEAD_BYTES, READ_TIMEOUT};
pub use outcome::{DecodedToken, Flow, LoginOutcome, LoginSummary, RawTokens, Tokens};
pub use progress::LoginProgress;
pub use provider::{clear_jwks_cache, EntraInfo, Provider, ProviderInfo};
pub use redirect::{
    looks_like_entra, redirect_advice, redirect_spec, LoopbackHost, Platform, RedirectAdvice,
    RedirectSpec,
};
pub use refresh::{refresh, RefreshRequest};
pub use tokio_util::sync::CancellationToken;

/// The status the loopback listener answers a request head with (200: the
/// callback of a sign-in waiting on `/cb` with state `fuzz`). For the fuzz
/// targets.
pub(crate) fn listener_decision(head: &[u8]) -> u16 {
    listener::status_for(head, "/cb", "fuzz")
}

/// Reads a token endpoint's answer as sign-in does. For the fuzz targets.
pub(crate) fn parse_token_response(body: &[u8]) {
    if let Ok(r) = serde_json::from_slice::<token_response::TokenResponse>(body) {
        if let Some(id) = r.id_token_text() {
            let _ = token_response::parse_id_token(id);
        }
    }
}
