//! Refresh token redemption (RFC 6749 §6). An ID token that comes back is
//! verified like any other, without a nonce (OpenID Connect Core 12.2).

use openidconnect::{RefreshToken, Scope};
use secrecy::{ExposeSecret, SecretString};
use tokio_util::sync::CancellationToken;

use super::exchange::{self, cancellable, Asked};
use super::explain::Attempt;
use super::http::Http;
use super::interactive::check_client_id;
use super::{
    Authority, ClientCredential, Flow, HttpOptions, LoginError, LoginOutcome, LoginProgress, Phase,
    Provider,
};

/// A refresh token redemption.
#[derive(Debug, Clone)]
pub struct RefreshRequest {
    pub authority: Authority,
    pub client_id: String,
    pub credential: ClientCredential,
    pub refresh_token: SecretString,
    /// Scopes to narrow to; empty for those of the original grant.
    pub scopes: Vec<String>,
    pub http: HttpOptions,
}

/// Redeems a refresh token.
pub async fn refresh<P>(
    request: RefreshRequest,
    progress: P,
    cancel: CancellationToken,
) -> Result<LoginOutcome, LoginError>
where
    P: Fn(LoginProgress) + Send + Sync,
{
    super::progress::ending_with_failure(&progress, run(&request, &progress, &cancel)).await
}

async fn run(
    req: &RefreshRequest,
    progress: &(dyn Fn(LoginProgress) + Send + Sync),
    cancel: &CancellationToken,
) -> Result<LoginOutcome, LoginError> {
    check_client_id(&req.client_id)?;
    if req.refresh_token.expose_secret().trim().is_empty() {
        return Err(LoginError::InvalidRequest {
            field: "refresh token",
            reason: "empty".into(),
            fix: "Give the refresh token a sign-in returned (`entrance login --show-tokens`)."
                .into(),
        });
    }
    let http = Http::new(&req.http)?;
    let provider = cancellable(cancel, Provider::discover_with(&req.authority, http)).await?;
    let scopes: Vec<String> = req
        .scopes
        .iter()
        .flat_map(|s| s.split_whitespace())
        .map(str::to_string)
        .collect();
    let attempt = Attempt {
        entra: provider.is_entra(),
        client: &req.credential,
        redirect_sent: None,
        redirect: None,
    };
    let client = exchange::client(&provider, &req.client_id, &req.credential);
    progress(LoginProgress::Exchanging {
        token_endpoint: exchange::token_endpoint(&provider),
    });
    let token = RefreshToken::new(req.refresh_token.expose_secret().trim().to_string());
    let response = cancellable(cancel, async {
        let mut ask = client
            .exchange_refresh_token(&token)
            .map_err(|_| exchange::no_token_endpoint(&provider))?;
        for s in &scopes {
            ask = ask.add_scope(Scope::new(s.clone()));
        }
        ask.request_async(&provider.http.client).await.map_err(|e| {
            exchange::token_error(
                e,
                &exchange::token_endpoint(&provider),
                &attempt,
                Phase::Token,
            )
        })
    })
    .await?;
    exchange::outcome(
        &provider,
        Asked {
            flow: Flow::RefreshToken,
            client_id: &req.client_id,
            credential: &req.credential,
            redirect_uri: None,
            scopes,
            nonce: None,
            id_token_required: false,
        },
        response,
        progress,
    )
    .await
}
