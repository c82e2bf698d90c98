//! Authorization code + PKCE (S256) + state + nonce in the system browser,
//! with the code received on a loopback listener (RFC 8252).

use std::time::Duration;

use openidconnect::core::CoreAuthenticationFlow;
use openidconnect::{AuthorizationCode, CsrfToken, Nonce, PkceCodeChallenge, RedirectUrl, Scope};
use tokio_util::sync::CancellationToken;

use super::browser::Launch;
use super::exchange::{self, cancellable, Asked};
use super::explain::Attempt;
use super::http::Http;
use super::listener::{Callback, Listener};
use super::pages;
use super::redirect::advice;
use super::{
    preflight, Authority, Browser, ClientCredential, EntraVersion, Flow, HttpOptions, LoginError,
    LoginOutcome, LoginProgress, Phase, Provider, RedirectSpec,
};
use crate::aadsts::EntraError;

/// How long the browser has to come back, by default.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);

/// A browser sign-in.
#[derive(Debug, Clone)]
pub struct InteractiveRequest {
    pub authority: Authority,
    /// The Application (client) ID.
    pub client_id: String,
    pub credential: ClientCredential,
    /// Scopes besides `openid`; empty for `profile email` (+ `offline_access` on Entra).
    pub scopes: Vec<String>,
    /// v1 endpoints: the `resource` parameter (an App ID URI or GUID).
    pub resource: Option<String>,
    /// Where the browser comes back; `None` for the default of the client
    /// kind and provider ([`RedirectSpec::default_for_provider`]: `localhost`
    /// on Entra, `127.0.0.1` elsewhere).
    pub redirect: Option<RedirectSpec>,
    /// A fixed port for the redirect URI; `None` keeps the named URI's port,
    /// or lets the system pick one.
    pub port: Option<u16>,
    /// How long to wait for the browser.
    pub timeout: Duration,
    pub browser: Browser,
    pub http: HttpOptions,
    /// `login_hint`: preselects the account.
    pub login_hint: Option<String>,
    /// `prompt` (`select_account`, `login`, `consent`).
    pub prompt: Option<String>,
}

impl InteractiveRequest {
    /// A request with the defaults: scopes for the provider, the redirect
    /// URI of the client kind, 5 minutes, `BROWSER` or the system browser.
    pub fn new(authority: Authority, client_id: &str, credential: ClientCredential) -> Self {
        InteractiveRequest {
            authority,
            client_id: client_id.trim().to_string(),
            credential,
            scopes: Vec::new(),
            resource: None,
            redirect: None,
            port: None,
            timeout: DEFAULT_TIMEOUT,
            browser: Browser::FromEnvironment,
            http: HttpOptions::default(),
            login_hint: None,
            prompt: None,
        }
    }

    /// The redirect URI spec in effect with a provider that is (or is not)
    /// Entra.
    pub fn redirect_spec(&self, entra: bool) -> RedirectSpec {
        super::redirect::redirect_spec(
            self.redirect.as_ref(),
            self.credential.kind(),
            entra,
            self.port,
        )
    }
}

pub(crate) fn check_client_id(client_id: &str) -> Result<(), LoginError> {
    if client_id.is_empty()
        || client_id
            .chars()
            .any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(LoginError::InvalidRequest {
            field: "client ID",
            reason: format!("`{client_id}` is not a client ID"),
            fix: "Copy the Application (client) ID from the app registration's Overview page."
                .into(),
        });
    }
    Ok(())
}

/// Signs in through the system browser. Progress is reported through
/// `progress` — the first event carries the URL to open; `cancel` ends the
/// sign-in at any step.
pub async fn interactive<P>(
    request: InteractiveRequest,
    progress: P,
    cancel: CancellationToken,
) -> Result<LoginOutcome, LoginError>
where
    P: Fn(LoginProgress) + Send + Sync,
{
    super::progress::ending_with_failure(&progress, run(&request, &progress, &cancel)).await
}

async fn run(
    req: &InteractiveRequest,
    progress: &(dyn Fn(LoginProgress) + Send + Sync),
    cancel: &CancellationToken,
) -> Result<LoginOutcome, LoginError> {
    check_client_id(&req.client_id)?;
    let http = Http::new(&req.http)?;
    let provider = cancellable(
        cancel,
        Provider::discover_with(&req.authority, http.clone()),
    )
    .await?;
    // Keys now rather than after the sign-in: an unreachable key set is
    // reported before the admin types a password.
    cancellable(cancel, provider.keys(None)).await?;
    let scopes = exchange::user_scopes(&req.scopes, provider.is_entra())?;
    let kind = req.credential.kind();
    let spec = req.redirect_spec(provider.is_entra());
    let listener = Listener::bind(&spec).await?;
    let redirect_uri = spec.uri(listener.port());
    let attempt = Attempt {
        entra: provider.is_entra(),
        client: &req.credential,
        redirect_sent: Some(redirect_uri.clone()),
        redirect: Some(&spec),
    };
    let client = exchange::client(&provider, &req.client_id, &req.credential).set_redirect_uri(
        RedirectUrl::new(redirect_uri.clone()).map_err(|e| LoginError::InvalidRequest {
            field: "redirect URI",
            reason: e.to_string(),
            fix: "Use a loopback URI such as http://localhost/entrance/callback.".into(),
        })?,
    );
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut auth = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .set_pkce_challenge(challenge);
    for s in &scopes {
        auth = auth.add_scope(Scope::new(s.clone()));
    }
    if let Some(h) = &req.login_hint {
        auth = auth.add_extra_param("login_hint", h.clone());
    }
    if let Some(p) = &req.prompt {
        auth = auth.add_extra_param("prompt", p.clone());
    }
    let v1_resource = req.resource.clone().filter(|_| {
        provider
            .info()
            .entra
            .as_ref()
            .is_some_and(|e| e.version == EntraVersion::V1)
    });
    if let Some(r) = &v1_resource {
        auth = auth.add_extra_param("resource", r.clone());
    }
    let (url, state, nonce) = auth.url();

    if provider.is_entra() {
        cancellable(
            cancel,
            preflight::check(&http, &url, &redirect_uri, &attempt),
        )
        .await?;
    }
    progress(LoginProgress::WaitingForBrowser {
        url: url.to_string(),
        redirect_uri: redirect_uri.clone(),
        listening_on: listener.addresses(),
        advice: advice(provider.is_entra(), kind, &spec),
        timeout_secs: u32::try_from(req.timeout.as_secs()).unwrap_or(u32::MAX),
    });
    let browser = req.browser.clone();
    let url_text = url.to_string();
    let launch = tokio::task::spawn_blocking(move || browser.open(&url_text))
        .await
        .unwrap_or_else(|e| Launch::Failed {
            command: None,
            reason: e.to_string(),
        });
    match launch {
        Launch::Opened { command } => progress(LoginProgress::BrowserOpened { command }),
        Launch::Failed { command, reason } => {
            progress(LoginProgress::BrowserNotOpened { command, reason })
        }
        Launch::Skipped => {}
    }

    let deadline = tokio::time::Instant::now() + req.timeout;
    let callback = listener
        .wait(&spec.path, state.secret(), deadline, cancel, progress)
        .await?;
    progress(LoginProgress::CallbackReceived);
    let result = cancellable(cancel, async {
        let code = callback_code(&provider, &callback, &attempt)?;
        progress(LoginProgress::Exchanging {
            token_endpoint: exchange::token_endpoint(&provider),
        });
        let mut exchange = client
            .exchange_code(AuthorizationCode::new(code))
            .map_err(|_| exchange::no_token_endpoint(&provider))?
            .set_pkce_verifier(verifier);
        if let Some(r) = &v1_resource {
            exchange = exchange.add_extra_param("resource", r.clone());
        }
        let response = exchange
            .request_async(&provider.http.client)
            .await
            .map_err(|e| {
                exchange::token_error(
                    e,
                    &exchange::token_endpoint(&provider),
                    &attempt,
                    Phase::Token,
                )
            })?;
        exchange::outcome(
            &provider,
            Asked {
                flow: Flow::AuthorizationCode,
                client_id: &req.client_id,
                credential: &req.credential,
                redirect_uri: Some(redirect_uri.clone()),
                scopes: std::iter::once("openid".to_string())
                    .chain(scopes.clone())
                    .collect(),
                nonce: Some(&nonce),
                id_token_required: true,
            },
            response,
            progress,
        )
        .await
    })
    .await;
    let page = match &result {
        Ok(o) => pages::success(o.summary.signed_in_as.as_deref()),
        Err(e) => pages::failure(&e.report()),
    };
    callback.respond(page).await;
    result
}

/// The code from a callback whose `state` matched — or why there is none.
fn callback_code(
    provider: &Provider,
    callback: &Callback,
    attempt: &Attempt<'_>,
) -> Result<String, LoginError> {
    // RFC 9207: when the provider names itself on the redirect, it must be
    // the provider this sign-in started with (mix-up defense).
    if let Some(iss) = callback.param("iss") {
        if !issuer_matches(&provider.info().issuer, iss) {
            return Err(LoginError::Protocol {
                detail: format!(
                    "the redirect's `iss` is `{iss}`, not this provider's issuer `{}` (RFC 9207): the answer may come from another provider",
                    provider.info().issuer
                ),
            });
        }
    }
    if callback.param("error").is_some() {
        return Err(attempt.rejected(
            Phase::Authorize,
            EntraError::from_parameters(callback.params()),
        ));
    }
    match callback.param("code") {
        Some(code) if !code.is_empty() => Ok(code.to_string()),
        _ => Err(LoginError::Protocol {
            detail:
                "the browser came back with this sign-in's state but without a code or an error"
                    .into(),
        }),
    }
}

/// `iss` equals the issuer, or fills Entra's `{tenantid}` template with a
/// tenant ID (docs/entra.md#token-versions-and-issuers).
fn issuer_matches(issuer: &str, iss: &str) -> bool {
    match issuer.split_once("{tenantid}") {
        None => iss == issuer,
        Some((prefix, suffix)) => iss
            .strip_prefix(prefix)
            .and_then(|r| r.strip_suffix(suffix))
            .is_some_and(crate::secrets::is_guid),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc9207_iss_matches_the_issuer_or_its_template() {
        assert!(issuer_matches("https://idp.example", "https://idp.example"));
        assert!(!issuer_matches(
            "https://idp.example",
            "https://evil.example"
        ));
        let t = "https://login.microsoftonline.com/{tenantid}/v2.0";
        assert!(issuer_matches(
            t,
            "https://login.microsoftonline.com/aaaaaaaa-0000-4000-8000-000000000001/v2.0"
        ));
        assert!(!issuer_matches(
            t,
            "https://login.microsoftonline.com/evil/v2.0"
        ));
        assert!(!issuer_matches(
            t,
            "https://evil.example/aaaaaaaa-0000-4000-8000-000000000001/v2.0"
        ));
    }
}
