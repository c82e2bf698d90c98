//! The plan: which checks a request calls for and what each depends on.
//!
//! ```text
//! environment ─ dns.authority ─ tcp.authority ─ tls.authority ─ http.authority ─┬─ clock
//!                                                                                ├─ tenant ─┬─ jwks
//!                                                                                │          ├─ app_secret
//!                                                                                │          └─ redirect_uri
//!               dns.graph ─ tcp.graph ─ tls.graph ─ http.graph ─ graph          (Graph root known up front)
//!                                                   tenant ─ graph              (root from `msgraph_host`)
//! loopback, browser
//! ```

use std::path::Path;

use url::Url;

use super::context::{Context, Environment, Facts, RedirectProbe};
use super::{CheckKind, Credentials, DiagnoseRequest, PlannedCheck, Subject};
use crate::login::{Authority, Cloud, EntraVersion};
use crate::Error;

/// The largest CA file read (a full public CA bundle is about 200 KB).
const MAX_CA_FILE_BYTES: u64 = 4 << 20;

/// The checks for a request, in display order. Fails only on input that
/// cannot be used (no authority and no tenant, a malformed URL).
pub fn plan(request: &DiagnoseRequest) -> crate::Result<Vec<PlannedCheck>> {
    let cx = context(
        request.clone(),
        Credentials::default(),
        Environment::default(),
    )?;
    Ok(checks(&cx))
}

/// Resolves the request: the authority, Graph's root, the redirect URIs.
pub(crate) fn context(
    request: DiagnoseRequest,
    credentials: Credentials,
    env: Environment,
) -> crate::Result<Context> {
    let authority = authority(&request)?;
    let graph_root = match request.graph_url.as_deref().map(str::trim) {
        Some(text) if !text.is_empty() => {
            Some(Url::parse(text).map_err(|e| Error::InvalidInput {
                field: "Graph URL".into(),
                reason: format!("`{text}` is not a URL ({e})"),
                fix: Some(
                    "Use https://graph.microsoft.com (or the national cloud's Graph host).".into(),
                ),
            })?)
        }
        _ => authority.cloud().map(graph_root_of),
    };
    let mut redirects = Vec::new();
    if let Some(name) = request.target.as_deref().filter(|t| !t.trim().is_empty()) {
        let target = crate::targets::require(name)?;
        let base = request.base_url.clone().unwrap_or_default();
        if base.trim().is_empty() {
            return Err(Error::InvalidInput {
                field: "base URL".into(),
                reason: format!(
                    "the {} redirect URIs are built from its base URL",
                    target.info().display_name
                ),
                fix: Some(
                    "Give the product's public URL, e.g. https://grafana.example.com.".into(),
                ),
            });
        }
        let mut inputs = crate::targets::TargetInputs::new(base);
        inputs.client_id = request.client_id.clone();
        inputs.tenant = request.tenant.clone();
        for r in target.requirements(&inputs).redirects {
            redirects.push(RedirectProbe {
                uri: r.uri,
                platform: Some(r.platform),
                source: name.to_string(),
            });
        }
    }
    for uri in &request.redirect_uris {
        let uri = uri.trim();
        if !uri.is_empty() && !redirects.iter().any(|r| r.uri == uri) {
            redirects.push(RedirectProbe {
                uri: uri.to_string(),
                platform: None,
                source: "request".into(),
            });
        }
    }
    let ca_path = request
        .ca_file
        .clone()
        .filter(|p| !p.trim().is_empty())
        .or_else(|| env.ssl_cert_file.clone());
    let extra_ca = ca_path.map(|path| {
        let pem = crate::paths::read_file_limited(Path::new(&path), MAX_CA_FILE_BYTES)
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::InvalidData => {
                    format!("the file is larger than {MAX_CA_FILE_BYTES} bytes, too large for a CA bundle")
                }
                _ => e.to_string(),
            })
            .and_then(|b| String::from_utf8(b).map_err(|_| "the file is not PEM text".to_string()));
        (path, pem)
    });
    Ok(Context {
        timeout: request.check_timeout(),
        request,
        authority,
        graph_root,
        redirects,
        credentials,
        env,
        extra_ca,
        facts: std::sync::Mutex::new(Facts::default()),
    })
}

/// Microsoft Graph's root in a cloud (docs/entra.md#national-clouds).
pub(crate) fn graph_root_of(cloud: Cloud) -> Url {
    // The hosts are constants: parsing cannot fail.
    Url::parse(&format!("https://{}/", cloud.graph_host()))
        .unwrap_or_else(|_| unreachable!("constant URL"))
}

fn authority(request: &DiagnoseRequest) -> crate::Result<Authority> {
    let login = |e: crate::login::LoginError| Error::Login(Box::new(e));
    match (request.authority.as_deref().map(str::trim), request.tenant.as_deref().map(str::trim)) {
        (Some(url), _) if !url.is_empty() => Authority::parse(url).map_err(login),
        (_, Some(tenant)) if !tenant.is_empty() => Authority::entra(
            request.cloud.unwrap_or(Cloud::Global),
            tenant,
            EntraVersion::V2,
        )
        .map_err(login),
        _ => Err(Error::InvalidInput {
            field: "authority".into(),
            reason: "nothing to diagnose: give an authority URL or a tenant".into(),
            fix: Some("Give the tenant ID or domain (and the cloud), or the authority URL, e.g. https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0.".into()),
        }),
    }
}

fn host_of(url: Option<&Url>) -> String {
    url.and_then(|u| {
        u.host_str().map(|h| match u.port() {
            Some(p) => format!("{h}:{p}"),
            None => h.to_string(),
        })
    })
    .unwrap_or_else(|| "Microsoft Graph".into())
}

fn check(
    kind: CheckKind,
    subject: Option<Subject>,
    title: String,
    depends_on: &[&str],
) -> PlannedCheck {
    let id = match subject {
        Some(s) => format!("{}.{}", kind_id(kind), subject_id(s)),
        None => kind_id(kind).to_string(),
    };
    PlannedCheck {
        id,
        kind,
        subject,
        title,
        depends_on: depends_on.iter().map(|d| (*d).to_string()).collect(),
    }
}

pub(crate) fn kind_id(kind: CheckKind) -> &'static str {
    match kind {
        CheckKind::Environment => "environment",
        CheckKind::Dns => "dns",
        CheckKind::Tcp => "tcp",
        CheckKind::Tls => "tls",
        CheckKind::Http => "http",
        CheckKind::Clock => "clock",
        CheckKind::Tenant => "tenant",
        CheckKind::Jwks => "jwks",
        CheckKind::AppSecret => "app_secret",
        CheckKind::RedirectUri => "redirect_uri",
        CheckKind::Graph => "graph",
        CheckKind::Loopback => "loopback",
        CheckKind::Browser => "browser",
    }
}

fn subject_id(subject: Subject) -> &'static str {
    match subject {
        Subject::Authority => "authority",
        Subject::Graph => "graph",
    }
}

/// The network chain of one subject: dns → tcp → (tls) → http.
fn network(out: &mut Vec<PlannedCheck>, cx: &Context, subject: Subject, url: &Url) {
    let s = subject_id(subject);
    let host = host_of(Some(url));
    let via = cx
        .proxy_for(url)
        .map(|p| format!(" (through the proxy {})", host_of(Some(&p))))
        .unwrap_or_default();
    out.push(check(
        CheckKind::Dns,
        Some(subject),
        format!("Resolve {host}{via}"),
        &["environment"],
    ));
    out.push(check(
        CheckKind::Tcp,
        Some(subject),
        format!("Connect to {host}{via}"),
        &[&format!("dns.{s}")],
    ));
    let mut last = format!("tcp.{s}");
    if url.scheme() == "https" {
        out.push(check(
            CheckKind::Tls,
            Some(subject),
            format!("TLS with {host}"),
            &[&last],
        ));
        last = format!("tls.{s}");
    }
    out.push(check(
        CheckKind::Http,
        Some(subject),
        format!("HTTP answer from {host}"),
        &[&last],
    ));
}

pub(crate) fn checks(cx: &Context) -> Vec<PlannedCheck> {
    let mut out = vec![check(
        CheckKind::Environment,
        None,
        "Proxy and CA settings".into(),
        &[],
    )];
    network(&mut out, cx, Subject::Authority, cx.authority.url());
    out.push(check(
        CheckKind::Clock,
        None,
        "Clock against the server's".into(),
        &["http.authority"],
    ));
    out.push(check(
        CheckKind::Tenant,
        None,
        format!("Tenant discovery at {}", cx.authority),
        &["http.authority"],
    ));
    out.push(check(
        CheckKind::Jwks,
        None,
        "Signing keys".into(),
        &["tenant"],
    ));
    out.push(check(
        CheckKind::AppSecret,
        None,
        "App registration and client secret".into(),
        &["tenant"],
    ));
    out.push(check(
        CheckKind::RedirectUri,
        None,
        "Redirect URIs registered".into(),
        &["tenant"],
    ));
    match &cx.graph_root {
        Some(root) => {
            network(&mut out, cx, Subject::Graph, root);
            out.push(check(
                CheckKind::Graph,
                None,
                "Microsoft Graph and consented permissions".into(),
                &["http.graph"],
            ));
        }
        None => out.push(check(
            CheckKind::Graph,
            None,
            "Microsoft Graph and consented permissions".into(),
            &["tenant"],
        )),
    }
    out.push(check(
        CheckKind::Loopback,
        None,
        match cx.request.loopback_port {
            Some(p) => format!("Loopback port {p} for a sign-in"),
            None => "Loopback listener for a sign-in".into(),
        },
        &[],
    ));
    out.push(check(
        CheckKind::Browser,
        None,
        "Browser for a sign-in".into(),
        &[],
    ));
    out
}
