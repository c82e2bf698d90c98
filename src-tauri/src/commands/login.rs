//! The Sign-in page: adapters over [`entrance_core::login`].
//!
//! - [`login_start`] runs a browser sign-in (authorization code + PKCE) and
//!   streams its [`LoginProgress`] through a [`Channel`]; it answers with the
//!   [`LoginSummary`] (decoded claims) — never a raw token. The tokens are
//!   dropped here, at the end of the command.
//! - A confidential client's secret is read from the keychain (or this
//!   session) by its saved name, in Rust; the webview never sends a value.
//! - The browser is [`Browser::FromEnvironment`]: `BROWSER` is honoured, which
//!   the end-to-end test uses to complete the sign-in page.

use entrance_core::login::{
    self, Authority, Browser, CancellationToken, ClientCredential, ClientKind, Cloud, EntraVersion,
    InteractiveRequest, LoginProgress, LoginSummary, RedirectAdvice, RedirectSpec, SecretMethod,
};
use entrance_core::secrets::SecretName;
use entrance_core::{Error, IpcError};
use serde::{Deserialize, Serialize};
use tauri::ipc::Channel;
use tauri::State;

use super::secrets::SecretsState;

/// Where to sign in: a full authority URL, or an Entra cloud and tenant.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AuthorityInput {
    /// `https://login.microsoftonline.com/{tenant}/v2.0`, another provider's
    /// issuer, or the sandbox tenant's loopback authority.
    Url { url: String },
    /// An Entra tenant (ID or verified domain) in a cloud, v2 endpoints.
    Entra { cloud: Cloud, tenant: String },
}

impl AuthorityInput {
    fn parse(&self) -> Result<Authority, IpcError> {
        match self {
            AuthorityInput::Url { url } => Authority::parse(url),
            AuthorityInput::Entra { cloud, tenant } => {
                Authority::entra(*cloud, tenant, EntraVersion::V2)
            }
        }
        .map_err(login_error)
    }
}

/// Public (Mobile and desktop) or confidential (Web, a saved secret).
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ClientInput {
    Public,
    /// The secret saved under `secret_name` (Secrets page or `entrance secret set`).
    Confidential {
        secret_name: String,
        method: SecretMethod,
    },
}

impl ClientInput {
    fn kind(&self) -> ClientKind {
        match self {
            ClientInput::Public => ClientKind::Public,
            ClientInput::Confidential { .. } => ClientKind::Confidential,
        }
    }
}

/// A browser sign-in as the Sign-in page asks for it.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
pub struct SignInRequest {
    pub authority: AuthorityInput,
    /// The Application (client) ID.
    pub client_id: String,
    pub client: ClientInput,
    /// Scopes besides `openid`; empty for the provider's defaults.
    pub scopes: Vec<String>,
    /// A fixed loopback port; `None` for one the system picks.
    pub port: Option<u16>,
    /// A loopback redirect URI (e.g. the product's `http://localhost:3000/…`);
    /// `None` for the default of the client kind.
    pub redirect_uri: Option<String>,
}

impl SignInRequest {
    /// The redirect URI the admin named, if any. Without one the core picks
    /// the provider's default (`localhost` on Entra, `127.0.0.1` elsewhere).
    fn named_redirect(&self) -> Result<Option<RedirectSpec>, IpcError> {
        self.redirect_uri
            .as_deref()
            .filter(|u| !u.trim().is_empty())
            .map(|uri| RedirectSpec::parse(uri).map_err(login_error))
            .transpose()
    }
}

/// The sign-in in flight, so that Cancel can end it.
#[derive(Default)]
pub struct LoginState(std::sync::Mutex<Option<CancellationToken>>);

impl LoginState {
    /// A token for a new sign-in; one still running is cancelled.
    fn begin(&self) -> CancellationToken {
        let token = CancellationToken::new();
        if let Ok(mut current) = self.0.lock() {
            if let Some(old) = current.replace(token.clone()) {
                old.cancel();
            }
        }
        token
    }

    fn cancel(&self) {
        if let Some(token) = self.0.lock().ok().and_then(|mut c| c.take()) {
            token.cancel();
        }
    }
}

fn login_error(e: login::LoginError) -> IpcError {
    IpcError::from(Error::from(e))
}

/// Signs in through the system browser; progress streams through `on_progress`.
#[tauri::command]
#[specta::specta]
pub async fn login_start(
    secrets: State<'_, SecretsState>,
    login: State<'_, LoginState>,
    request: SignInRequest,
    on_progress: Channel<LoginProgress>,
) -> Result<LoginSummary, IpcError> {
    let authority = request.authority.parse()?;
    let redirect = request.named_redirect()?;
    let credential = match &request.client {
        ClientInput::Public => ClientCredential::Public,
        ClientInput::Confidential {
            secret_name,
            method,
        } => {
            let name = SecretName::parse(secret_name).map_err(IpcError::from)?;
            let label = Some(name.as_str().to_string());
            let secret = secrets.run(move |s| s.get(&name)).await?;
            ClientCredential::Secret {
                secret,
                method: *method,
                label,
            }
        }
    };
    let mut req = InteractiveRequest::new(authority, &request.client_id, credential);
    req.scopes = request.scopes;
    req.redirect = redirect;
    req.port = request.port;
    req.browser = Browser::FromEnvironment;
    let cancel = login.begin();
    let progress = move |event: LoginProgress| {
        let _ = on_progress.send(event);
    };
    let outcome = login::interactive(req, progress, cancel)
        .await
        .map_err(login_error)?;
    Ok(outcome.summary)
}

/// Cancels the sign-in in flight, if any.
#[tauri::command]
#[specta::specta]
pub fn login_cancel(login: State<'_, LoginState>) {
    login.cancel();
}

/// Which redirect URI to register, on which platform, and why (docs/entra.md#redirect-uris).
#[tauri::command]
#[specta::specta]
pub fn login_redirect_advice(
    authority: AuthorityInput,
    client: ClientInput,
    port: Option<u16>,
    redirect_uri: Option<String>,
) -> Result<RedirectAdvice, IpcError> {
    let request = SignInRequest {
        authority,
        client_id: String::new(),
        client,
        scopes: Vec::new(),
        port,
        redirect_uri,
    };
    let authority = request.authority.parse()?;
    let spec = login::redirect_spec(
        request.named_redirect()?.as_ref(),
        request.client.kind(),
        login::looks_like_entra(&authority),
        request.port,
    );
    Ok(login::redirect_advice(
        &authority,
        request.client.kind(),
        &spec,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use entrance_core::login::Platform;

    #[test]
    fn a_public_client_in_a_national_cloud_registers_bare_localhost() {
        let advice = login_redirect_advice(
            AuthorityInput::Entra {
                cloud: Cloud::UsGov,
                tenant: "contoso.onmicrosoft.us".into(),
            },
            ClientInput::Public,
            None,
            None,
        )
        .expect("advice");
        assert_eq!(advice.uri, "http://localhost");
        assert_eq!(advice.platform, Some(Platform::MobileAndDesktop));
    }

    #[test]
    fn a_confidential_client_registers_its_own_path_under_web() {
        let advice = login_redirect_advice(
            AuthorityInput::Url {
                url: "https://login.microsoftonline.com/contoso/v2.0".into(),
            },
            ClientInput::Confidential {
                secret_name: "prod-grafana".into(),
                method: SecretMethod::Post,
            },
            Some(8400),
            None,
        )
        .expect("advice");
        assert_eq!(advice.uri, "http://localhost:8400/entrance/callback");
        assert_eq!(advice.platform, Some(Platform::Web));
    }

    #[test]
    fn another_provider_gets_the_loopback_ip_on_any_port() {
        // RFC 8252 §7.3 / §8.3; Entra keeps localhost (above).
        let advice = login_redirect_advice(
            AuthorityInput::Url {
                url: "https://idp.example.com/realms/x".into(),
            },
            ClientInput::Public,
            None,
            None,
        )
        .expect("advice");
        assert_eq!(advice.uri, "http://127.0.0.1");
        assert_eq!(advice.platform, None);
        let named = login_redirect_advice(
            AuthorityInput::Url {
                url: "https://idp.example.com/realms/x".into(),
            },
            ClientInput::Public,
            None,
            Some("http://localhost:7000/cb".into()),
        )
        .expect("advice");
        assert_eq!(named.uri, "http://localhost:7000/cb");
    }

    #[test]
    fn a_bad_authority_is_a_typed_input_error() {
        let error = login_redirect_advice(
            AuthorityInput::Url {
                url: "ftp://example.com".into(),
            },
            ClientInput::Public,
            None,
            None,
        )
        .expect_err("not an authority");
        assert_eq!(error.code, entrance_core::ErrorCode::InputInvalid);
        assert!(error.fix.is_some());
    }

    #[test]
    fn cancel_ends_the_sign_in_in_flight_and_a_new_one_replaces_it() {
        let state = LoginState::default();
        let first = state.begin();
        let second = state.begin();
        assert!(first.is_cancelled(), "a new sign-in cancels the old one");
        assert!(!second.is_cancelled());
        state.cancel();
        assert!(second.is_cancelled());
    }
}
