//! The sandbox tenant inside the app: "Try with the sandbox tenant" on the
//! Sign-in page starts [`entrance_sandbox::Sandbox`] on 127.0.0.1 and fills
//! the form with its tenant and one of its app registrations.
//!
//! What crosses IPC is a [`SandboxInfo`]: the authority, the apps per target
//! (the correctly registered one and its misconfigured twin) and the demo
//! users. The users' passwords are the sandbox's published demo values
//! (`builtin.toml`, "sandbox test values"), shown so that an admin can type
//! them on the sandbox's sign-in page — they are not secrets. An app's demo
//! client secret never crosses IPC: [`sandbox_use_secret`] stores it for this
//! session under `sandbox-{app}`, so a confidential sign-in takes it by name
//! exactly as it takes a real one from the keychain.

use entrance_core::login::{ClientKind, RedirectSpec};
use entrance_core::secrets::{SecretName, SecretString, SetOptions};
use entrance_core::{Error, IpcError};
use entrance_sandbox::scenario::Application;
use entrance_sandbox::Sandbox;
use serde::{Deserialize, Serialize};
use tauri::async_runtime::Mutex;
use tauri::State;

use super::secrets::SecretsState;

/// The tenant the Sign-in page uses.
const TENANT: &str = "contoso";

/// The running sandbox, started on first use and stopped on request or exit.
#[derive(Default)]
pub struct SandboxState(Mutex<Option<Sandbox>>);

impl SandboxState {
    /// The running sandbox's `http://127.0.0.1:PORT`, if it runs.
    pub async fn base_url(&self) -> Option<String> {
        self.0
            .lock()
            .await
            .as_ref()
            .map(|s| s.base_url().to_string())
    }
}

/// The sandbox tenant as the Sign-in page shows it.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
pub struct SandboxInfo {
    /// `http://127.0.0.1:PORT`.
    pub base_url: String,
    /// The v2 authority of the tenant: `{base_url}/{tenant ID}/v2.0`.
    pub authority: String,
    pub tenant_id: String,
    /// The tenant's first verified domain (`contoso.sandbox`).
    pub tenant_domain: String,
    pub tenant_name: String,
    /// The app registrations a browser sign-in can be tried with.
    pub apps: Vec<SandboxApp>,
    /// The tenant's users, to sign in as on the sandbox's page.
    pub users: Vec<SandboxUser>,
}

/// One app registration of the sandbox tenant.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
pub struct SandboxApp {
    /// Stable handle: `grafana`, `grafana-misconfigured`, `entrance`.
    pub name: String,
    pub display_name: String,
    /// The target product it is registered for (`None`: Entrance's own).
    pub target: Option<String>,
    /// The Application (client) ID.
    pub client_id: String,
    /// Registered the way the product's guide says (false: the misconfigured twin).
    pub correct: bool,
    /// Public (no secret) or confidential (a client secret).
    pub kind: ClientKind,
    /// For a confidential app: the name its demo secret is stored under by
    /// [`sandbox_use_secret`].
    pub secret_name: Option<String>,
    /// A loopback redirect URI of the registration to sign in with, without
    /// its port (Entra ignores it for localhost — docs/entra.md#redirect-uris); `None`
    /// for the default of the client kind.
    pub redirect_uri: Option<String>,
    /// The product's public URL as the registration has it: the origin of
    /// its first https redirect URI (Web, then SPA), e.g.
    /// `https://operate.contoso.sandbox` for Camunda Operate.
    pub public_url: Option<String>,
    /// What is right or wrong about it.
    pub notes: Option<String>,
}

/// A user of the sandbox tenant.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
pub struct SandboxUser {
    pub name: String,
    pub user_principal_name: String,
    pub display_name: String,
    /// The sandbox's published demo password (`builtin.toml`): a sandbox
    /// demo value, not a secret; it works nowhere else.
    pub sandbox_demo_password: String,
    pub enabled: bool,
}

fn sandbox_error(e: impl std::fmt::Display) -> IpcError {
    IpcError::from(Error::Internal(format!(
        "the sandbox tenant could not start: {e}"
    )))
}

/// Starts the sandbox tenant (once) and describes it.
#[tauri::command]
#[specta::specta]
pub async fn sandbox_start(state: State<'_, SandboxState>) -> Result<SandboxInfo, IpcError> {
    let mut running = state.0.lock().await;
    if running.is_none() {
        *running = Some(Sandbox::start_default().await.map_err(sandbox_error)?);
    }
    let sandbox = running
        .as_ref()
        .ok_or_else(|| sandbox_error("not running"))?;
    info(sandbox)
}

/// Stops the sandbox tenant, if it runs.
#[tauri::command]
#[specta::specta]
pub async fn sandbox_stop(state: State<'_, SandboxState>) -> Result<(), IpcError> {
    if let Some(sandbox) = state.0.lock().await.take() {
        sandbox.stop().await;
    }
    Ok(())
}

/// Stores a sandbox app's demo client secret for this session under
/// `sandbox-{app}` and returns that name. The value stays in Rust.
#[tauri::command]
#[specta::specta]
pub async fn sandbox_use_secret(
    sandbox: State<'_, SandboxState>,
    secrets: State<'_, SecretsState>,
    app: String,
) -> Result<String, IpcError> {
    let value = {
        let running = sandbox.0.lock().await;
        let sandbox = running.as_ref().ok_or_else(not_started)?;
        let scenario = sandbox.scenario();
        let app = scenario.app(&app).ok_or_else(|| unknown_app(&app))?;
        let secret = app
            .password_credentials
            .first()
            .ok_or_else(|| unknown_app(&app.name))?;
        SecretString::from(secret.value.expose().to_string())
    };
    let name = SecretName::parse(&format!("sandbox-{app}")).map_err(IpcError::from)?;
    let options = SetOptions {
        session_only: true,
        accept_warnings: true,
        ..SetOptions::default()
    };
    let outcome = secrets.run(move |s| s.set(&name, value, options)).await?;
    Ok(outcome.status.name)
}

fn not_started() -> IpcError {
    IpcError::from(Error::InvalidInput {
        field: "sandbox".into(),
        reason: "the sandbox tenant is not running".into(),
        fix: Some("Click \"Try with the sandbox tenant\" first.".into()),
    })
}

fn unknown_app(name: &str) -> IpcError {
    IpcError::from(Error::InvalidInput {
        field: "sandbox app".into(),
        reason: format!("the sandbox has no confidential app `{name}`"),
        fix: Some("Pick one of the sandbox's apps with a client secret.".into()),
    })
}

fn info(sandbox: &Sandbox) -> Result<SandboxInfo, IpcError> {
    let scenario = sandbox.scenario();
    let tenant = scenario
        .tenant(TENANT)
        .ok_or_else(|| sandbox_error("the built-in scenario has no contoso tenant"))?;
    let first_tenant = scenario.tenants.first().map(|t| t.name.as_str());
    let in_tenant = |t: &Option<String>| t.as_deref().or(first_tenant) == Some(TENANT);
    Ok(SandboxInfo {
        base_url: sandbox.base_url().to_string(),
        authority: format!("{}/v2.0", sandbox.authority(TENANT)),
        tenant_id: tenant.id.clone(),
        tenant_domain: tenant.domains.first().cloned().unwrap_or_default(),
        tenant_name: tenant.display_name.clone(),
        apps: scenario
            .applications
            .iter()
            .filter(|a| in_tenant(&a.tenant) && redirect_uris(a).next().is_some())
            .map(app)
            .collect(),
        users: scenario
            .users
            .iter()
            .filter(|u| in_tenant(&u.tenant))
            .map(|u| SandboxUser {
                name: u.name.clone(),
                user_principal_name: u.user_principal_name.clone(),
                display_name: u.display_name.clone(),
                sandbox_demo_password: u.password.expose().to_string(),
                enabled: u.account_enabled,
            })
            .collect(),
    })
}

fn redirect_uris(a: &Application) -> impl Iterator<Item = &String> {
    a.public_client
        .redirect_uris
        .iter()
        .chain(&a.web.redirect_uris)
        .chain(&a.spa.redirect_uris)
}

fn app(a: &Application) -> SandboxApp {
    let public = !a.public_client.redirect_uris.is_empty() || a.password_credentials.is_empty();
    // The first loopback URI, port dropped: the listener takes a free one.
    let redirect_uri = redirect_uris(a)
        .filter_map(|u| RedirectSpec::parse(u).ok())
        .map(|spec| RedirectSpec { port: None, ..spec })
        .find(|spec| spec.path != "/")
        .map(|spec| spec.registered_uri());
    SandboxApp {
        name: a.name.clone(),
        display_name: a.display_name.clone(),
        target: a.target.clone(),
        client_id: a.app_id.clone(),
        correct: !a.name.ends_with("-misconfigured"),
        kind: if public {
            ClientKind::Public
        } else {
            ClientKind::Confidential
        },
        secret_name: (!public).then(|| format!("sandbox-{}", a.name)),
        redirect_uri: if public && !a.public_client.redirect_uris.is_empty() {
            None
        } else {
            redirect_uri
        },
        public_url: a
            .web
            .redirect_uris
            .iter()
            .chain(&a.spa.redirect_uris)
            .find_map(|u| public_origin(u)),
        notes: a.notes.clone(),
    }
}

/// The origin (`https://host[:port]`) of an https URI; `None` otherwise.
fn public_origin(uri: &str) -> Option<String> {
    let url = url::Url::parse(uri).ok()?;
    (url.scheme() == "https").then(|| url.origin().ascii_serialization())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sandbox_describes_its_apps_users_and_authority() {
        let sandbox = tauri::async_runtime::block_on(Sandbox::start_default()).expect("starts");
        let info = info(&sandbox).expect("info");
        assert!(info.authority.starts_with("http://127.0.0.1:"));
        assert!(info
            .authority
            .ends_with(&format!("{}/v2.0", info.tenant_id)));
        let entrance = info
            .apps
            .iter()
            .find(|a| a.name == "entrance")
            .expect("entrance");
        assert_eq!(entrance.kind, ClientKind::Public);
        assert_eq!(
            entrance.redirect_uri, None,
            "http://localhost is the default"
        );
        let grafana = info
            .apps
            .iter()
            .find(|a| a.name == "grafana")
            .expect("grafana");
        assert!(grafana.correct);
        assert_eq!(grafana.kind, ClientKind::Confidential);
        assert_eq!(grafana.secret_name.as_deref(), Some("sandbox-grafana"));
        assert_eq!(
            grafana.redirect_uri.as_deref(),
            Some("http://localhost/login/azuread")
        );
        assert_eq!(
            grafana.public_url.as_deref(),
            Some("https://grafana.contoso.sandbox")
        );
        let camunda = info
            .apps
            .iter()
            .find(|a| a.name == "camunda")
            .expect("camunda");
        assert_eq!(
            camunda.public_url.as_deref(),
            Some("https://operate.contoso.sandbox"),
            "Camunda Operate's own host, not a guess from the product name"
        );
        assert_eq!(entrance.public_url, None, "only loopback redirect URIs");
        for product_app in info.apps.iter().filter(|a| a.target.is_some()) {
            assert!(
                product_app.public_url.is_some(),
                "{} has an https redirect URI",
                product_app.name
            );
        }
        assert!(info
            .apps
            .iter()
            .any(|a| a.name == "grafana-misconfigured" && !a.correct));
        assert!(
            !info.apps.iter().any(|a| a.name == "entrance-automation"),
            "no redirect URI"
        );
        let alice = info
            .users
            .iter()
            .find(|u| u.name == "alice")
            .expect("alice");
        assert_eq!(alice.user_principal_name, "alice@contoso.sandbox");
        assert!(
            !info.users.iter().any(|u| u.name == "frank"),
            "another tenant"
        );
    }
}
