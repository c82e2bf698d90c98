//! What every check reads (the request, resolved once) and what checks learn
//! and pass on to their dependents (addresses, the discovery document, the
//! server's date).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::Duration;

use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use url::Url;

use super::{Credentials, DiagnoseRequest, Subject};
use crate::login::Authority;
use crate::targets::Platform;

/// The process environment a diagnosis reads, captured once (tests build
/// their own instead of changing the process's).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct Environment {
    /// `HTTPS_PROXY` (or `https_proxy`).
    pub https_proxy: Option<String>,
    /// `HTTP_PROXY` (or `http_proxy`).
    pub http_proxy: Option<String>,
    /// `ALL_PROXY` (or `all_proxy`).
    pub all_proxy: Option<String>,
    /// `NO_PROXY` (or `no_proxy`).
    pub no_proxy: Option<String>,
    /// `SSL_CERT_FILE`: a CA bundle to trust.
    pub ssl_cert_file: Option<String>,
    /// `BROWSER`: the browser a sign-in opens.
    pub browser: Option<String>,
}

impl Environment {
    /// Reads the variables from this process (upper case first, then lower case).
    pub fn from_process() -> Environment {
        let var = |upper: &str| {
            std::env::var(upper)
                .ok()
                .or_else(|| std::env::var(upper.to_ascii_lowercase()).ok())
                .filter(|v| !v.trim().is_empty())
        };
        Environment {
            https_proxy: var("HTTPS_PROXY"),
            http_proxy: var("HTTP_PROXY"),
            all_proxy: var("ALL_PROXY"),
            no_proxy: var("NO_PROXY"),
            ssl_cert_file: std::env::var("SSL_CERT_FILE")
                .ok()
                .filter(|v| !v.trim().is_empty()),
            browser: std::env::var("BROWSER")
                .ok()
                .filter(|v| !v.trim().is_empty()),
        }
    }
}

/// A redirect URI to probe and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RedirectProbe {
    pub uri: String,
    /// The platform it must be registered under, when a target says.
    pub platform: Option<Platform>,
    /// `grafana`, or `request` for one given directly.
    pub source: String,
}

/// What the tenant check read from the discovery document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct DiscoveryFacts {
    pub issuer: String,
    pub authorization_endpoint: Option<Url>,
    pub token_endpoint: Option<Url>,
    pub jwks_uri: Option<Url>,
    pub cloud_instance_name: Option<String>,
    pub tenant_region_scope: Option<String>,
    /// `msgraph_host` (docs/entra.md#national-clouds), e.g. `graph.microsoft.com`.
    pub msgraph_host: Option<String>,
    /// Whether the document is Entra ID's.
    pub is_entra: bool,
}

/// What checks learned, for their dependents.
#[derive(Debug, Default)]
pub(crate) struct Facts {
    /// Addresses each subject's host resolved to (or its proxy's).
    pub addresses: HashMap<Subject, Vec<SocketAddr>>,
    pub discovery: Option<DiscoveryFacts>,
    /// The server's `Date` and the local time when the answer arrived.
    pub server_date: Option<(time::OffsetDateTime, time::OffsetDateTime)>,
    /// Graph's root when it was learned from discovery (`msgraph_host`).
    pub graph_root: Option<Url>,
}

/// Everything a check reads.
pub(crate) struct Context {
    pub request: DiagnoseRequest,
    pub authority: Authority,
    /// The Graph root known before any request (the request's, or the cloud's).
    pub graph_root: Option<Url>,
    pub redirects: Vec<RedirectProbe>,
    pub credentials: Credentials,
    pub env: Environment,
    pub timeout: Duration,
    /// The CA file's PEM text (the request's `ca_file`, else `SSL_CERT_FILE`),
    /// and its path; read by the environment check, used by every connection.
    pub extra_ca: Option<(String, Result<String, String>)>,
    pub facts: Mutex<Facts>,
}

impl Context {
    /// The facts, even if a check panicked while holding them.
    pub fn facts(&self) -> std::sync::MutexGuard<'_, Facts> {
        self.facts.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The URL a subject's checks connect to: the authority, or Graph's root
    /// (known up front or learned from discovery).
    pub fn url_of(&self, subject: Subject) -> Option<Url> {
        match subject {
            Subject::Authority => Some(self.authority.url().clone()),
            Subject::Graph => self
                .graph_root
                .clone()
                .or_else(|| self.facts().graph_root.clone()),
        }
    }

    /// The client secret, if one was given.
    pub fn client_secret(&self) -> Option<&SecretString> {
        self.credentials.client_secret.as_ref()
    }

    /// The trusted extra CA in PEM, when the file could be read.
    pub fn extra_ca_pem(&self) -> Option<&str> {
        self.extra_ca
            .as_ref()
            .and_then(|(_, pem)| pem.as_ref().ok().map(String::as_str))
    }
}

impl Context {
    /// The proxy a request to `url` goes through, by the captured environment
    /// (`NO_PROXY` honoured); see [`super::environment::proxy_for`].
    pub fn proxy_for(&self, url: &Url) -> Option<Url> {
        super::environment::proxy_for(&self.env, url)
    }

    /// The HTTP client every HTTP check uses: the environment's proxies (and
    /// only those: the process's own variables are not read again), the extra
    /// CA, no redirects (a redirect is read, never followed), the check
    /// timeout.
    pub fn http_client(&self) -> Result<reqwest::Client, String> {
        let env = self.env.clone();
        let mut builder = crate::http::client_builder(self.timeout)
            .connect_timeout(self.timeout)
            .no_proxy()
            .proxy(reqwest::Proxy::custom(move |url| {
                super::environment::proxy_for(&env, url)
            }));
        if let Some(pem) = self.extra_ca_pem() {
            for cert in reqwest::Certificate::from_pem_bundle(pem.as_bytes())
                .map_err(|e| format!("the CA file holds no usable certificate: {e}"))?
            {
                builder = builder.add_root_certificate(cert);
            }
        }
        builder
            .build()
            .map_err(|e| format!("the HTTP client could not be built: {e}"))
    }
}
