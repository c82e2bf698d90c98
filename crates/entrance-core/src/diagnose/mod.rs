//! Connectivity troubleshooting: a parallel, bounded doctor for everything
//! between an admin's server and Entra ID — proxy and CA settings, DNS, TCP,
//! TLS (and TLS interception), HTTP, the clock, the tenant, the app and its
//! secret, the redirect URI, Microsoft Graph and the loopback sign-in.
//!
//! The shape:
//! - [`plan`] turns a [`DiagnoseRequest`] into checks with dependencies
//!   ([`PlannedCheck`]): `dns.authority` → `tcp.authority` → `tls.authority`
//!   → `http.authority` → `tenant` → `app_secret`, …;
//! - [`run`] runs them **concurrently along their dependencies**, each under its
//!   own timeout and the caller's [`CancellationToken`], and streams
//!   [`DiagnoseEvent`]s as checks start and finish;
//! - a check whose dependency did not pass is **blocked**, not failed: the
//!   summary ([`RootCause`]) names the check that broke and what it explains,
//!   instead of listing eight failures after one DNS error;
//! - [`report`] renders a finished [`Diagnosis`] as Markdown or JSON. Nothing in
//!   a diagnosis holds a secret (the secret is only ever in [`Credentials`]).
//!
//! One file per check (`environment`, `dns`, `tcp`, `tls`, `http`, `clock`,
//! `tenant`, `jwks`, `app_secret`, `redirect_uri`, `graph`, `loopback`,
//! `browser`); `context` holds what checks learn and pass on; `runner` is the
//! scheduler. Every Entra behaviour a check relies on cites its heading of
//! `docs/entra.md`.

mod app_secret;
mod browser;
mod clock;
mod context;
mod dns;
mod environment;
mod graph;
mod http;
mod jwks;
mod loopback;
mod plan;
mod redirect_uri;
pub mod report;
mod runner;
mod tcp;
mod tenant;
mod tls;

use std::time::Duration;

use secrecy::SecretString;
use serde::{Deserialize, Serialize};

pub use crate::login::CancellationToken;
pub use context::Environment;
pub use plan::plan;
pub use runner::run;

/// The default timeout of one check.
pub const DEFAULT_CHECK_TIMEOUT: Duration = Duration::from_secs(10);

/// What to diagnose, as the Diagnose page and `entrance diagnose` ask for it.
/// Holds no secret: the secret is looked up by `secret_name` by the caller and
/// handed to [`run`] in [`Credentials`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct DiagnoseRequest {
    /// An authority URL (`https://login.microsoftonline.com/{tenant}/v2.0`,
    /// another OpenID provider's issuer, the sandbox tenant's authority).
    /// When absent, `tenant` + `cloud` build an Entra v2 authority.
    pub authority: Option<String>,
    /// A tenant ID or verified domain (with `cloud`).
    pub tenant: Option<String>,
    /// `global`, `us_gov` or `china` (default `global`).
    pub cloud: Option<crate::login::Cloud>,
    /// The Application (client) ID; without it the app, secret and redirect
    /// checks are skipped.
    pub client_id: Option<String>,
    /// The name the secret is saved under (for messages; the value comes in
    /// [`Credentials`]).
    pub secret_name: Option<String>,
    /// A target product (`grafana`, `keep`, …) whose redirect URIs to probe.
    pub target: Option<String>,
    /// The product's base URL (with `target`).
    pub base_url: Option<String>,
    /// Redirect URIs to probe besides the target's.
    #[serde(default)]
    pub redirect_uris: Vec<String>,
    /// The Microsoft Graph root (`https://graph.microsoft.com`); by default
    /// the cloud's (docs/entra.md#national-clouds), or the discovery document's `msgraph_host`.
    pub graph_url: Option<String>,
    /// The loopback port a sign-in will listen on (`None`: one the system picks).
    pub loopback_port: Option<u16>,
    /// Timeout of each check in seconds (default 10).
    pub timeout_secs: Option<u32>,
    /// A CA certificate file (PEM) to trust besides the system's; by default
    /// `SSL_CERT_FILE` when set.
    pub ca_file: Option<String>,
}

impl DiagnoseRequest {
    /// The timeout of each check.
    pub fn check_timeout(&self) -> Duration {
        self.timeout_secs
            .filter(|s| *s > 0)
            .map_or(DEFAULT_CHECK_TIMEOUT, |s| Duration::from_secs(u64::from(s)))
    }
}

/// The secret values a diagnosis may use. Never serialized, never reported.
#[derive(Default)]
pub struct Credentials {
    /// The client secret saved under the request's `secret_name`.
    pub client_secret: Option<SecretString>,
    /// A Microsoft Graph access token, to read which permissions are consented.
    pub graph_token: Option<SecretString>,
    /// The saved secret's recorded end date, as the secrets index reads it
    /// today: the app check warns [`crate::secrets::EXPIRY_WARNING_DAYS`] ahead.
    pub client_secret_expiry: Option<crate::secrets::Expiry>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "[redacted]"),
            )
            .field(
                "graph_token",
                &self.graph_token.as_ref().map(|_| "[redacted]"),
            )
            .field("client_secret_expiry", &self.client_secret_expiry)
            .finish()
    }
}

/// What kind of check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum CheckKind {
    /// Proxy variables and the CA bundle (local, no network).
    Environment,
    /// The host resolves (hickory-resolver).
    Dns,
    /// A TCP connection opens.
    Tcp,
    /// The TLS handshake, chain, issuer and expiry; TLS interception.
    Tls,
    /// An HTTP answer through the configured proxy.
    Http,
    /// The server's `Date` against the local clock.
    Clock,
    /// The tenant's discovery document: unknown tenant, other cloud, region.
    Tenant,
    /// The signing keys.
    Jwks,
    /// A client-credentials request: the app exists, the secret is right and unexpired.
    AppSecret,
    /// The authorize endpoint with each redirect URI (no sign-in).
    RedirectUri,
    /// Microsoft Graph reachability and consented permissions.
    Graph,
    /// The loopback port for a sign-in is free.
    Loopback,
    /// A browser can be opened for a sign-in.
    Browser,
}

/// Which host a network check concerns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum Subject {
    /// The sign-in authority (`login.microsoftonline.com`, the provider's host).
    Authority,
    /// Microsoft Graph.
    Graph,
}

/// One check of a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct PlannedCheck {
    /// Stable id: `environment`, `dns.authority`, `tls.graph`, `tenant`, …
    pub id: String,
    pub kind: CheckKind,
    /// The host a network check concerns.
    pub subject: Option<Subject>,
    /// What the check does, for a list ("Resolve login.microsoftonline.com").
    pub title: String,
    /// Checks that must pass first.
    pub depends_on: Vec<String>,
}

/// Where a check stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    Pending,
    Running,
    /// Passed.
    Passed,
    /// Works, with something to look at.
    Warning,
    /// Failed: see its findings.
    Failed,
    /// No answer within the check's timeout.
    TimedOut,
    /// Not run: a check it depends on did not pass.
    Blocked,
    /// Not applicable to this request (no client ID, no redirect URI, …).
    Skipped,
    /// Stopped by the admin.
    Cancelled,
}

impl CheckStatus {
    /// Whether dependents may run after this.
    pub fn lets_dependents_run(self) -> bool {
        matches!(self, CheckStatus::Passed | CheckStatus::Warning)
    }

    /// Whether this is a problem of its own (not a consequence).
    pub fn is_problem(self) -> bool {
        matches!(
            self,
            CheckStatus::Failed | CheckStatus::TimedOut | CheckStatus::Warning
        )
    }
}

/// A label and a value a check learned ("Addresses", "127.0.0.1").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct Detail {
    pub label: String,
    pub value: String,
}

impl Detail {
    pub fn new(label: impl Into<String>, value: impl Into<String>) -> Detail {
        Detail {
            label: label.into(),
            value: value.into(),
        }
    }
}

/// A link to where the fix is made (a portal blade, a Microsoft document).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct Link {
    pub label: String,
    pub url: String,
}

macro_rules! diagnose_codes {
    ($($(#[$doc:meta])* $variant:ident = $wire:literal,)*) => {
        /// Stable codes of what a diagnosis can find (dotted strings on the wire).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, specta::Type)]
        #[non_exhaustive]
        pub enum DiagnoseCode {
            $($(#[$doc])* #[serde(rename = $wire)] $variant,)*
        }

        impl DiagnoseCode {
            /// Every code, for tables and tests that walk them.
            pub const ALL: &'static [DiagnoseCode] = &[$(DiagnoseCode::$variant,)*];

            /// The code as it appears on the wire.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(DiagnoseCode::$variant => $wire,)*
                }
            }
        }
    };
}

diagnose_codes! {
    /// A proxy variable is set and the host goes through it.
    ProxyInUse = "proxy.in_use",
    /// A proxy variable is set but `NO_PROXY` exempts the host.
    ProxyBypassed = "proxy.bypassed",
    /// A proxy variable cannot be parsed.
    ProxyInvalid = "proxy.invalid",
    /// The proxy refused, failed or asked for authentication.
    ProxyFailed = "proxy.failed",
    /// A CA file is trusted besides the system's.
    CaFileInUse = "ca.file_in_use",
    /// The CA file does not exist or holds no PEM certificate.
    CaFileInvalid = "ca.file_invalid",
    /// The host does not resolve.
    DnsUnresolvable = "dns.unresolvable",
    /// The resolver did not answer in time.
    DnsTimeout = "dns.timeout",
    /// The host resolves only to private or loopback addresses (split DNS, a hosts entry).
    DnsPrivateAddress = "dns.private_address",
    /// The port refused the connection.
    TcpRefused = "tcp.refused",
    /// The connection did not open in time (a firewall dropping packets).
    TcpTimeout = "tcp.timeout",
    /// No route, network unreachable.
    TcpUnreachable = "tcp.unreachable",
    /// The chain anchors in a CA the system does not trust: TLS interception
    /// by a proxy or firewall, most likely.
    TlsInterception = "tls.interception",
    /// The server's certificate has expired.
    TlsExpired = "tls.expired",
    /// The server's certificate is not valid yet.
    TlsNotYetValid = "tls.not_yet_valid",
    /// The certificate does not name the host.
    TlsNameMismatch = "tls.name_mismatch",
    /// The handshake failed (protocol, cipher, a non-TLS server).
    TlsHandshakeFailed = "tls.handshake_failed",
    /// The connection opened but no answer came in time.
    HttpNoAnswer = "http.no_answer",
    /// A 5xx answer.
    HttpServerError = "http.server_error",
    /// An answer Entrance did not expect (status or body).
    HttpUnexpected = "http.unexpected",
    /// The connection was closed without an answer.
    HttpConnectionClosed = "http.connection_closed",
    /// The local clock is off by more than 5 minutes.
    ClockSkew = "clock.skew",
    /// The local clock is off by more than a minute but less than 5.
    ClockDrift = "clock.drift",
    /// The server sent no usable `Date` header.
    ClockNoDate = "clock.no_date",
    /// AADSTS90002: the tenant does not exist.
    TenantUnknown = "tenant.unknown",
    /// AADSTS90038: the tenant is in another national cloud.
    TenantOtherCloud = "tenant.other_cloud",
    /// The discovery document could not be read or is not valid.
    TenantDiscoveryFailed = "tenant.discovery_failed",
    /// The issuer is not Entra ID: a generic OpenID provider (fine).
    TenantNotEntra = "tenant.not_entra",
    /// The tenant is multi-tenant (`common`, `organizations`): the issuer is a template.
    TenantMultiTenant = "tenant.multi_tenant",
    /// The keys could not be fetched.
    JwksUnreachable = "jwks.unreachable",
    /// The key set holds no usable key.
    JwksEmpty = "jwks.empty",
    /// AADSTS700016: no such application in the tenant.
    AppUnknown = "app.unknown",
    /// The client ID is not a GUID.
    AppClientIdInvalid = "app.client_id_invalid",
    /// AADSTS7000215: wrong secret.
    SecretInvalid = "secret.invalid",
    /// The secret looks like a Secret ID (a GUID), not the Value.
    SecretLooksLikeId = "secret.looks_like_id",
    /// AADSTS7000222: the secret expired.
    SecretExpired = "secret.expired",
    /// The saved secret's recorded end date is near (30 days) or has passed.
    SecretExpiresSoon = "secret.expires_soon",
    /// The app exists but no secret was given (AADSTS7000218): only the app was checked.
    SecretNotGiven = "secret.not_given",
    /// The secret is valid.
    SecretValid = "secret.valid",
    /// Another AADSTS error from the token endpoint.
    AppOtherError = "app.other_error",
    /// AADSTS50011: the redirect URI is not registered.
    RedirectUnregistered = "redirect.unregistered",
    /// The redirect URI is registered (Entra shows its sign-in page).
    RedirectRegistered = "redirect.registered",
    /// Another AADSTS error on the authorize endpoint.
    RedirectOtherError = "redirect.other_error",
    /// Graph did not answer or answered an error.
    GraphUnreachable = "graph.unreachable",
    /// The Graph token lacks a permission a target needs (User.Read, GroupMember.Read.All).
    GraphPermissionMissing = "graph.permission_missing",
    /// The Graph token was refused (expired, wrong audience).
    GraphTokenRejected = "graph.token_rejected",
    /// The loopback port is taken.
    LoopbackPortInUse = "loopback.port_in_use",
    /// No loopback address could be bound.
    LoopbackUnavailable = "loopback.unavailable",
    /// No browser opener was found.
    BrowserNotFound = "browser.not_found",
}

/// What a check found: a problem with its fix, or a notable fact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct DiagnoseFinding {
    pub code: DiagnoseCode,
    pub severity: crate::findings::Severity,
    /// What is wrong (or notable), in the admin's terms.
    pub message: String,
    /// What to do; empty for a fact.
    pub fix: String,
    /// An AADSTS code Entra answered, when there was one.
    pub aadsts: Option<u32>,
    /// Where the fix is made.
    pub links: Vec<Link>,
}

impl DiagnoseFinding {
    pub fn new(
        code: DiagnoseCode,
        severity: crate::findings::Severity,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) -> DiagnoseFinding {
        DiagnoseFinding {
            code,
            severity,
            message: message.into(),
            fix: fix.into(),
            aadsts: None,
            links: Vec::new(),
        }
    }

    /// Adds the AADSTS code and its lookup page.
    pub fn with_aadsts(mut self, code: u32) -> DiagnoseFinding {
        self.aadsts = Some(code);
        self.links.push(Link {
            label: format!("AADSTS{code} on Microsoft's error lookup"),
            url: crate::aadsts::lookup_url(code),
        });
        self
    }

    pub fn with_link(
        mut self,
        label: impl Into<String>,
        url: impl Into<String>,
    ) -> DiagnoseFinding {
        self.links.push(Link {
            label: label.into(),
            url: url.into(),
        });
        self
    }
}

/// What one check ended with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct CheckResult {
    pub id: String,
    pub kind: CheckKind,
    pub subject: Option<Subject>,
    pub title: String,
    pub status: CheckStatus,
    /// One line: what happened ("Resolved to 20.190.151.68 in 12 ms").
    pub summary: String,
    pub details: Vec<Detail>,
    pub findings: Vec<DiagnoseFinding>,
    /// For a blocked check: the dependencies that did not pass.
    pub blocked_by: Vec<String>,
    pub duration_ms: u32,
}

impl CheckResult {
    /// Every text a server could have put in it, through `redactor`.
    pub(crate) fn redacted(mut self, redactor: &crate::redact::Redactor) -> CheckResult {
        let r = |s: &mut String| *s = redactor.text(s);
        r(&mut self.summary);
        for d in &mut self.details {
            r(&mut d.label);
            r(&mut d.value);
        }
        for f in &mut self.findings {
            r(&mut f.message);
            r(&mut f.fix);
            for l in &mut f.links {
                r(&mut l.label);
                r(&mut l.url);
            }
        }
        self
    }
}

/// One root cause of a diagnosis: a check that did not pass although
/// everything it depends on did, and the checks its failure explains.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct RootCause {
    pub check_id: String,
    pub title: String,
    pub status: CheckStatus,
    /// The check's first finding at its highest severity.
    pub finding: Option<DiagnoseFinding>,
    /// Checks blocked because of this one (transitively).
    pub explains: Vec<String>,
}

/// The overall result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum Overall {
    /// Every check that ran passed.
    Healthy,
    /// Only warnings.
    Warnings,
    /// At least one check failed or timed out.
    Problems,
    /// Stopped by the admin.
    Cancelled,
}

/// A finished diagnosis: what was asked (no secret), every check's result in
/// plan order, and the root causes, most important first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct Diagnosis {
    pub request: DiagnoseRequest,
    /// The authority the checks used.
    pub authority: String,
    /// RFC 3339, local clock.
    pub started_at: String,
    pub duration_ms: u32,
    pub overall: Overall,
    pub results: Vec<CheckResult>,
    pub root_causes: Vec<RootCause>,
    /// The Entrance version that ran it.
    pub entrance_version: String,
}

/// Progress of a diagnosis: the app shows each check's live state, the CLI
/// prints a line as each check finishes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum DiagnoseEvent {
    /// The checks that will run, in display order.
    Planned { checks: Vec<PlannedCheck> },
    /// A check began.
    Started { id: String },
    /// A check ended (passed, failed, blocked, skipped, …).
    Finished { result: CheckResult },
    /// All checks ended; the diagnosis is ready.
    Done { diagnosis: Box<Diagnosis> },
}

#[cfg(test)]
mod tests;
