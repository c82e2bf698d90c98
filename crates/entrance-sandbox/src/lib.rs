//! The sandbox tenant: an identity provider on 127.0.0.1 that behaves like
//! Microsoft Entra ID where it matters — the same paths, issuer formats,
//! claims, error bodies and AADSTS codes — for every test and for admins
//! trying Entrance without a tenant.
//!
//! ```no_run
//! # async fn demo() -> Result<(), entrance_sandbox::SandboxError> {
//! let sandbox = entrance_sandbox::Sandbox::start_default().await?;
//! let grafana = sandbox.scenario().app("grafana").cloned().expect("built-in");
//! println!("authority: {}", sandbox.authority("contoso"));
//! println!("client ID: {}", grafana.app_id);
//! sandbox.stop().await;
//! # Ok(()) }
//! ```
//!
//! The facts it encodes are cited beside the code: `docs/entra.md#…` is a
//! heading of the repository's `docs/entra.md`; other citations name the
//! Microsoft document (e.g. reference-error-codes.md).
//!
//! Module map:
//! - [`scenario`]: the TOML scenario (tenants, users, groups, app registrations…), errors with line and field;
//! - [`directory`]: the running directory: lookups, groups, consent, Graph's permission catalog;
//! - [`keys`]: RSA keys, JWKS with `x5c`/`x5t`, rotation, RS256 and the Graph-token quirk;
//! - [`tokens`]: which claims, which version, from which manifest;
//! - [`errors`]: the AADSTS catalog, error bodies, redirects and pages;
//! - [`redirect`]: redirect URI matching and registration rules;
//! - [`authorize`], [`token_endpoint`], [`device`], [`discovery`], [`graph`]: the endpoints;
//! - [`faults`]: latency, statuses, dropped and hanging connections, clock offset;
//! - [`tls`]: the generated CA and server certificate;
//! - [`server`]: routes, accept loops, response helpers.

pub mod authorize;
pub mod clock;
pub mod device;
pub mod directory;
pub mod discovery;
pub mod errors;
pub mod faults;
pub mod graph;
pub mod html;
pub mod keys;
pub mod redirect;
pub mod scenario;
pub mod server;
pub mod store;
pub mod tls;
pub mod token_endpoint;
pub mod tokens;

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use directory::Directory;
pub use faults::{Endpoint, FaultRule, Faults};
pub use scenario::{Scenario, ScenarioError, Secret};

use crate::clock::Clock;
use crate::keys::KeyStore;
use crate::server::AppState;

/// Why the sandbox could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SandboxError {
    /// The scenario file is not usable; the error names the line and field.
    #[error("scenario {0}")]
    Scenario(#[from] ScenarioError),
    /// The address is taken or not allowed.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    /// Key or certificate generation failed.
    #[error("{0}")]
    Crypto(String),
    /// A non-loopback address without [`Options::allow_remote`]: the demo
    /// passwords and secrets are published, and `/_sandbox/rotate-keys`
    /// would be open to the network.
    #[error("{addr} is not a loopback address; the sandbox's demo passwords, secrets and controls would be reachable from the network")]
    NotLoopback { addr: SocketAddr },
}

/// How to run the sandbox.
#[derive(Debug, Clone)]
pub struct Options {
    /// The main listener (discovery, authorize, token…). Port 0 = any free port.
    pub addr: SocketAddr,
    /// The Microsoft Graph listener (`msgraph_host`). Port 0 = any free port.
    pub graph_addr: SocketAddr,
    /// Serve HTTPS with a CA generated at start (see [`Sandbox::ca_pem`]).
    pub tls: bool,
    /// Listen on a non-loopback address too. Off by default: the sandbox's
    /// passwords are public.
    pub allow_remote: bool,
}

impl Default for Options {
    fn default() -> Self {
        let local = std::net::Ipv4Addr::LOCALHOST.into();
        Options {
            addr: SocketAddr::new(local, 0),
            graph_addr: SocketAddr::new(local, 0),
            tls: false,
            allow_remote: false,
        }
    }
}

/// A running sandbox tenant. Stops when dropped (or with [`Sandbox::stop`]).
pub struct Sandbox {
    state: Arc<AppState>,
    shutdown: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
    ca_pem: Option<String>,
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox")
            .field("base_url", &self.state.base)
            .finish_non_exhaustive()
    }
}

impl Sandbox {
    /// Starts the built-in scenario on ephemeral 127.0.0.1 ports.
    pub async fn start_default() -> Result<Sandbox, SandboxError> {
        Sandbox::start(Scenario::builtin()).await
    }

    /// Starts a scenario on ephemeral 127.0.0.1 ports.
    pub async fn start(scenario: Scenario) -> Result<Sandbox, SandboxError> {
        Sandbox::start_with(scenario, Options::default()).await
    }

    /// Starts a scenario with explicit addresses and TLS. Must run inside a
    /// Tokio runtime.
    pub async fn start_with(scenario: Scenario, options: Options) -> Result<Sandbox, SandboxError> {
        let clock = Arc::new(Clock::default());
        let faults = Arc::new(Faults::new(
            Arc::clone(&clock),
            scenario.faults.rules.clone(),
            scenario.faults.clock_offset_seconds,
        ));
        for addr in [options.addr, options.graph_addr] {
            if !addr.ip().is_loopback() && !options.allow_remote {
                return Err(SandboxError::NotLoopback { addr });
            }
        }
        let keys = KeyStore::new(clock.now()).map_err(|e| SandboxError::Crypto(e.to_string()))?;
        let main = server::bind(options.addr).await?;
        let graph = server::bind(options.graph_addr).await?;
        let (tls, ca_pem) = if options.tls {
            let m = tls::generate(clock.now()).map_err(SandboxError::Crypto)?;
            (
                Some(tokio_rustls::TlsAcceptor::from(m.config)),
                Some(m.ca_pem),
            )
        } else {
            (None, None)
        };
        let scheme = if options.tls { "https" } else { "http" };
        let addr_of =
            |l: &tokio::net::TcpListener, fallback: SocketAddr| l.local_addr().unwrap_or(fallback);
        let base = format!("{scheme}://{}", addr_of(&main, options.addr));
        let graph_base = format!("{scheme}://{}", addr_of(&graph, options.graph_addr));
        let state = Arc::new(AppState::new(
            Directory::new(scenario),
            keys,
            clock,
            faults,
            base,
            graph_base,
        ));
        let (shutdown, rx) = watch::channel(false);
        let tasks = vec![
            tokio::spawn(server::serve(
                main,
                server::main_router(Arc::clone(&state)),
                tls.clone(),
                rx.clone(),
            )),
            tokio::spawn(server::serve(
                graph,
                server::graph_router(Arc::clone(&state)),
                tls,
                rx,
            )),
        ];
        tracing::info!(base = %state.base, graph = %state.graph_base, "sandbox tenant started");
        Ok(Sandbox {
            state,
            shutdown,
            tasks,
            ca_pem,
        })
    }

    /// `http://127.0.0.1:PORT` (or `https://` with TLS).
    pub fn base_url(&self) -> &str {
        &self.state.base
    }

    /// The Microsoft Graph root (`{graph_url}/v1.0/me`). Discovery's
    /// `msgraph_host` names it.
    pub fn graph_url(&self) -> &str {
        &self.state.graph_base
    }

    /// The authority for a tenant handle, ID, domain, `common` or
    /// `organizations`: `{base}/{tenant ID or segment}`.
    pub fn authority(&self, tenant: &str) -> String {
        format!("{}/{}", self.state.base, self.tenant_segment(tenant))
    }

    /// The v2 issuer of a tenant: `{base}/{tid}/v2.0`.
    pub fn issuer(&self, tenant: &str) -> String {
        format!("{}/{}/v2.0", self.state.base, self.tenant_segment(tenant))
    }

    /// The v2 discovery document URL of a tenant.
    pub fn discovery_url(&self, tenant: &str) -> String {
        format!(
            "{}/v2.0/.well-known/openid-configuration",
            self.authority(tenant)
        )
    }

    fn tenant_segment(&self, tenant: &str) -> String {
        let dir = self.state.dir();
        dir.scenario()
            .tenant(tenant)
            .map(|t| t.id.to_ascii_lowercase())
            .unwrap_or_else(|| tenant.to_string())
    }

    /// The scenario as it stands (PATCHes through Graph included): look up
    /// tenants, users and apps by their stable names.
    pub fn scenario(&self) -> Scenario {
        self.state.dir().scenario().clone()
    }

    /// A read view of the running directory (groups, generated ones included).
    pub fn directory(&self) -> std::sync::RwLockReadGuard<'_, Directory> {
        self.state.dir()
    }

    /// Makes a new signing key current; the old one stays in the JWKS.
    /// Returns the new `kid`.
    pub fn rotate_keys(&self) -> Result<String, SandboxError> {
        self.state
            .keys
            .rotate(self.state.now())
            .map_err(|e| SandboxError::Crypto(e.to_string()))
    }

    /// The `kid` of the current signing key.
    pub fn current_kid(&self) -> String {
        self.state.keys.current().kid.clone()
    }

    /// Faults in force; change them at run time.
    pub fn faults(&self) -> &Faults {
        &self.state.faults
    }

    /// The generated CA's PEM when serving TLS.
    pub fn ca_pem(&self) -> Option<&str> {
        self.ca_pem.as_deref()
    }

    /// Stops listening and closes open connections.
    pub async fn stop(mut self) {
        let _ = self.shutdown.send(true);
        for t in self.tasks.drain(..) {
            let _ = t.await;
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
    }
}
