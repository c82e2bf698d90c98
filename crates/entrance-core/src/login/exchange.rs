//! What every grant shares: the openidconnect client for a provider and a
//! credential, token endpoint errors sorted into [`LoginError`]s, and a token
//! response turned into a verified [`LoginOutcome`].

use std::time::{SystemTime, UNIX_EPOCH};

use openidconnect::{
    AuthType, ClientId, ClientSecret, EndpointNotSet, EndpointSet, ErrorResponse, Nonce,
    OAuth2TokenResponse, RequestTokenError, StandardErrorResponse,
};
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;

use super::explain::Attempt;
use super::id_token;
use super::outcome::{access_token_note, signed_in_as};
use super::token_response::{OidcClient, TokenResponse};
use super::{
    ClientCredential, DecodedToken, Flow, LoginError, LoginOutcome, LoginProgress, LoginSummary,
    Phase, Provider, SecretMethod, Tokens,
};
use crate::aadsts::EntraError;

/// The openidconnect client for `provider` as `client_id` with `credential`.
pub(crate) fn client(
    provider: &Provider,
    client_id: &str,
    credential: &ClientCredential,
) -> OidcClient<EndpointSet, EndpointNotSet> {
    let secret = match credential {
        ClientCredential::Public => None,
        ClientCredential::Secret { secret, .. } => {
            Some(ClientSecret::new(secret.expose_secret().to_string()))
        }
    };
    let client = OidcClient::<EndpointSet, EndpointNotSet>::from_provider_metadata(
        provider.metadata.clone(),
        ClientId::new(client_id.to_string()),
        secret,
    );
    match credential {
        ClientCredential::Secret {
            method: SecretMethod::Basic,
            ..
        } => client.set_auth_type(AuthType::BasicAuth),
        _ => client.set_auth_type(AuthType::RequestBody),
    }
}

/// The token endpoint, for messages.
pub(crate) fn token_endpoint(provider: &Provider) -> String {
    provider.info().token_endpoint.clone().unwrap_or_default()
}

/// A provider without a token endpoint cannot redeem anything.
pub(crate) fn no_token_endpoint(provider: &Provider) -> LoginError {
    LoginError::Discovery {
        url: provider.info().discovery_url.clone(),
        detail: "the discovery document names no token_endpoint".into(),
    }
}

/// Sorts a token endpoint failure.
pub(crate) fn token_error<RE, T>(
    error: RequestTokenError<RE, StandardErrorResponse<T>>,
    url: &str,
    attempt: &Attempt<'_>,
    phase: Phase,
) -> LoginError
where
    RE: std::error::Error + 'static,
    T: openidconnect::ErrorResponseType + AsRef<str> + 'static,
    StandardErrorResponse<T>: ErrorResponse,
{
    match error {
        RequestTokenError::ServerResponse(r) => {
            let mut params = vec![("error".to_string(), r.error().as_ref().to_string())];
            if let Some(d) = r.error_description() {
                params.push(("error_description".into(), d.clone()));
            }
            if let Some(u) = r.error_uri() {
                params.push(("error_uri".into(), u.clone()));
            }
            attempt.rejected(phase, EntraError::from_parameters(&params))
        }
        RequestTokenError::Request(e) => super::http::classify(&e, url),
        RequestTokenError::Parse(e, body) => {
            // An error body openidconnect could not type (an unknown shape)
            // may still be Entra's JSON.
            if let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(&body) {
                if map.contains_key("error") {
                    return attempt.rejected(phase, EntraError::from_json(&map));
                }
            }
            // A success body that failed to parse holds tokens: never quote it.
            let text = String::from_utf8_lossy(&body);
            let excerpt: String = if text.contains("_token") {
                String::new()
            } else {
                text.chars().filter(|c| !c.is_control()).take(200).collect()
            };
            LoginError::Protocol {
                detail: format!(
                    "the answer of {url} could not be read as OAuth 2.0 ({e}){}",
                    if excerpt.is_empty() {
                        String::new()
                    } else {
                        format!(": {excerpt}")
                    }
                ),
            }
        }
        RequestTokenError::Other(detail) => LoginError::Protocol {
            detail: format!("{url}: {detail}"),
        },
    }
}

/// What a grant asked for, to summarize its answer.
pub(crate) struct Asked<'a> {
    pub flow: Flow,
    pub client_id: &'a str,
    pub credential: &'a ClientCredential,
    pub redirect_uri: Option<String>,
    pub scopes: Vec<String>,
    /// The nonce sent (authorization code flow).
    pub nonce: Option<&'a Nonce>,
    /// An ID token must come back (`openid` was asked in a user flow).
    pub id_token_required: bool,
}

/// Verifies and summarizes a token response.
pub(crate) async fn outcome(
    provider: &Provider,
    asked: Asked<'_>,
    response: TokenResponse,
    progress: &(dyn Fn(LoginProgress) + Send + Sync),
) -> Result<LoginOutcome, LoginError> {
    let obtained_at = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64().floor())
        .unwrap_or(0.0);
    let (id_token, verification) = match response.id_token_text() {
        Some(text) => {
            progress(LoginProgress::Verifying);
            let (verification, _) =
                id_token::verify(provider, asked.client_id, text, asked.nonce).await?;
            (Some(text.to_string()), Some(verification))
        }
        None if asked.id_token_required => {
            return Err(LoginError::Protocol {
                detail: "the token endpoint sent no id_token although `openid` was asked".into(),
            })
        }
        None => (None, None),
    };
    let access = response.access_token().secret().to_string();
    let access_decoded = DecodedToken::decode(&access);
    let id_decoded = id_token.as_deref().map(DecodedToken::decode);
    let summary = LoginSummary {
        flow: asked.flow,
        provider: provider.info().clone(),
        client_id: asked.client_id.to_string(),
        client_auth: asked.credential.auth(),
        redirect_uri: asked.redirect_uri,
        requested_scopes: asked.scopes,
        granted_scopes: response
            .scopes()
            .map(|s| s.iter().map(|x| x.to_string()).collect())
            .unwrap_or_default(),
        token_type: response.token_type().as_ref().to_string(),
        expires_in: response
            .expires_in()
            .map(|d| u32::try_from(d.as_secs()).unwrap_or(u32::MAX)),
        obtained_at,
        signed_in_as: signed_in_as(id_decoded.as_ref(), &access_decoded),
        access_token_note: access_token_note(&access_decoded),
        id_token: id_decoded,
        id_token_verification: verification,
        access_token: access_decoded,
        refresh_token: response.refresh_token().is_some(),
    };
    progress(LoginProgress::Done {
        signed_in_as: summary.signed_in_as.clone(),
    });
    Ok(LoginOutcome {
        tokens: Tokens {
            access_token: SecretString::from(access),
            id_token: id_token.map(SecretString::from),
            refresh_token: response
                .refresh_token()
                .map(|r| SecretString::from(r.secret().to_string())),
        },
        summary,
    })
}

/// Runs `future` unless `cancel` fires first.
pub(crate) async fn cancellable<T>(
    cancel: &tokio_util::sync::CancellationToken,
    future: impl std::future::Future<Output = Result<T, LoginError>>,
) -> Result<T, LoginError> {
    tokio::select! {
        biased;
        _ = cancel.cancelled() => Err(LoginError::Cancelled),
        r = future => r,
    }
}

/// Scopes as the admin gave them, minus `openid` (openidconnect adds it),
/// or the defaults: `profile email` (+ `offline_access` on Entra for a
/// refresh token).
pub(crate) fn user_scopes(given: &[String], entra: bool) -> Result<Vec<String>, LoginError> {
    let mut out = Vec::new();
    for s in given {
        for word in s.split_whitespace() {
            if word != "openid" && !out.iter().any(|o: &String| o == word) {
                out.push(word.to_string());
            }
        }
    }
    if given.is_empty() {
        out = if entra {
            vec!["profile".into(), "email".into(), "offline_access".into()]
        } else {
            vec!["profile".into(), "email".into()]
        };
    }
    if out
        .iter()
        .any(|s| s.chars().any(|c| c.is_control() || c == '"' || c == '\\'))
    {
        return Err(LoginError::InvalidRequest {
            field: "scope",
            reason: "a scope contains a control character, a quote or a backslash".into(),
            fix: "Give scopes as the portal shows them: openid, profile, api://{app ID}/{scope}, https://graph.microsoft.com/User.Read.".into(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_default_per_provider_and_openid_is_not_repeated() {
        assert_eq!(
            user_scopes(&[], true).unwrap(),
            ["profile", "email", "offline_access"]
        );
        assert_eq!(user_scopes(&[], false).unwrap(), ["profile", "email"]);
        assert_eq!(
            user_scopes(
                &[
                    "openid User.Read".into(),
                    "User.Read".into(),
                    "api://x/y".into()
                ],
                true
            )
            .unwrap(),
            ["User.Read", "api://x/y"]
        );
        assert!(user_scopes(&["a\"b".into()], true).is_err());
    }
}
