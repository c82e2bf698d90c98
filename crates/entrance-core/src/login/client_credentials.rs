//! Client credentials (RFC 6749 §4.4) for machine-to-machine checks: an
//! app-only access token for `{resource}/.default` (on Entra, e.g.
//! `api://{appId}/.default`; docs/products/authentik.md#what-it-needs-from-entra).

use secrecy::SecretString;
use tokio_util::sync::CancellationToken;

use super::exchange::{self, cancellable, Asked};
use super::explain::Attempt;
use super::http::Http;
use super::interactive::check_client_id;
use super::{
    Authority, ClientCredential, Flow, HttpOptions, LoginError, LoginOutcome, LoginProgress, Phase,
    Provider, SecretMethod,
};
use openidconnect::Scope;

/// A client credentials request.
#[derive(Debug, Clone)]
pub struct ClientCredentialsRequest {
    pub authority: Authority,
    pub client_id: String,
    pub secret: SecretString,
    pub method: SecretMethod,
    /// The name the secret is saved under, for messages.
    pub secret_label: Option<String>,
    /// On Entra exactly one `{resource}/.default`.
    pub scopes: Vec<String>,
    pub http: HttpOptions,
}

/// Obtains an app-only access token.
pub async fn client_credentials<P>(
    request: ClientCredentialsRequest,
    progress: P,
    cancel: CancellationToken,
) -> Result<LoginOutcome, LoginError>
where
    P: Fn(LoginProgress) + Send + Sync,
{
    super::progress::ending_with_failure(&progress, run(&request, &progress, &cancel)).await
}

async fn run(
    req: &ClientCredentialsRequest,
    progress: &(dyn Fn(LoginProgress) + Send + Sync),
    cancel: &CancellationToken,
) -> Result<LoginOutcome, LoginError> {
    check_client_id(&req.client_id)?;
    let scopes: Vec<String> = req
        .scopes
        .iter()
        .flat_map(|s| s.split_whitespace())
        .map(str::to_string)
        .collect();
    if scopes.is_empty() {
        return Err(LoginError::InvalidRequest {
            field: "scope",
            reason: "client credentials need a scope".into(),
            fix: "Ask for the API's `.default` scope, e.g. api://{app ID}/.default or https://graph.microsoft.com/.default.".into(),
        });
    }
    let http = Http::new(&req.http)?;
    let provider = cancellable(cancel, Provider::discover_with(&req.authority, http)).await?;
    let credential = ClientCredential::Secret {
        secret: req.secret.clone(),
        method: req.method,
        label: req.secret_label.clone(),
    };
    let attempt = Attempt {
        entra: provider.is_entra(),
        client: &credential,
        redirect_sent: None,
        redirect: None,
    };
    let client = exchange::client(&provider, &req.client_id, &credential);
    progress(LoginProgress::Exchanging {
        token_endpoint: exchange::token_endpoint(&provider),
    });
    let response = cancellable(cancel, async {
        let mut ask = client
            .exchange_client_credentials()
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
            flow: Flow::ClientCredentials,
            client_id: &req.client_id,
            credential: &credential,
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
