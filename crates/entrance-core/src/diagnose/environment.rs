//! The environment check (local, no network): which proxy variables are set,
//! where each subject's requests go (through a proxy, or straight because
//! `NO_PROXY` or loopback exempts them), the CA file Entrance trusts besides
//! the public CAs, and what Entrance does not read (desktop proxy settings,
//! PAC files).
//!
//! [`route`] is the one place that decides whether a URL goes through a
//! proxy: the plan's titles, the DNS, TCP and TLS checks and the HTTP client
//! ([`super::context::Context::http_client`]) all ask it through
//! [`proxy_for`].

use std::net::IpAddr;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use url::Url;

use super::context::{Context, Environment};
use super::runner::Outcome;
use super::{DiagnoseCode, DiagnoseFinding, Subject};
use crate::findings::Severity;

/// How a request to a URL leaves this machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Route {
    /// Straight to the host: no proxy variable applies to the scheme.
    Direct,
    /// Straight to the host: loopback hosts never go through a proxy.
    Loopback,
    /// Straight to the host: this `NO_PROXY` entry names it.
    Exempt { entry: String },
    /// Through the proxy the variable `var` names.
    Proxy { var: &'static str, url: Url },
    /// The variable that applies cannot be used (`reason` says why).
    Invalid { var: &'static str, reason: String },
}

/// The proxy a request to `url` goes through: `HTTPS_PROXY` for https,
/// `HTTP_PROXY` for http, `ALL_PROXY` for either, unless `NO_PROXY` names the
/// host (exact, a domain suffix with or without a leading dot or `*.`, `*`,
/// an IP address or an IP range in CIDR notation; a port in an entry is
/// ignored). Loopback hosts never go through a proxy. A variable that cannot
/// be used gives `None` here (a direct connection); the environment check
/// reports it as [`DiagnoseCode::ProxyInvalid`].
pub(crate) fn proxy_for(env: &Environment, url: &Url) -> Option<Url> {
    match route(env, url) {
        Route::Proxy { url, .. } => Some(url),
        _ => None,
    }
}

/// How a request to `url` leaves this machine (see [`proxy_for`]).
pub(crate) fn route(env: &Environment, url: &Url) -> Route {
    let (var, value) = match url.scheme() {
        "https" => match (&env.https_proxy, &env.all_proxy) {
            (Some(v), _) => ("HTTPS_PROXY", v),
            (None, Some(v)) => ("ALL_PROXY", v),
            (None, None) => return Route::Direct,
        },
        "http" => match (&env.http_proxy, &env.all_proxy) {
            (Some(v), _) => ("HTTP_PROXY", v),
            (None, Some(v)) => ("ALL_PROXY", v),
            (None, None) => return Route::Direct,
        },
        _ => return Route::Direct,
    };
    if value.trim().is_empty() {
        return Route::Direct;
    }
    if crate::verify::is_loopback(url) {
        return Route::Loopback;
    }
    let Some(host) = host_of(url) else {
        return Route::Direct;
    };
    if let Some(entry) = env
        .no_proxy
        .as_deref()
        .and_then(|n| no_proxy_match(n, &host))
    {
        return Route::Exempt { entry };
    }
    match parse_proxy(value) {
        Ok(url) => Route::Proxy { var, url },
        Err(reason) => Route::Invalid { var, reason },
    }
}

/// The host of a URL as DNS and sockets want it: lower case, IPv6 without brackets.
pub(crate) fn host_of(url: &Url) -> Option<String> {
    match url.host()? {
        url::Host::Domain(d) => Some(d.trim_end_matches('.').to_ascii_lowercase()),
        url::Host::Ipv4(ip) => Some(ip.to_string()),
        url::Host::Ipv6(ip) => Some(ip.to_string()),
    }
}

/// A proxy variable's value as a URL (`host:port` alone means `http://host:port`).
/// Entrance speaks HTTP `CONNECT` (to an `http://` or `https://` proxy) and
/// sends Basic credentials from the URL; a SOCKS proxy is not supported.
pub(crate) fn parse_proxy(raw: &str) -> Result<Url, String> {
    let raw = raw.trim();
    let with_scheme = if raw.contains("://") {
        raw.to_string()
    } else {
        format!("http://{raw}")
    };
    let url = Url::parse(&with_scheme)
        .map_err(|e| format!("`{}` is not a URL ({e})", redact_raw(raw)))?;
    match url.scheme() {
        "http" | "https" => {}
        s if s.starts_with("socks") => {
            return Err(format!(
                "`{s}://` proxies are not supported: Entrance talks to HTTP proxies (CONNECT)"
            ))
        }
        s => {
            return Err(format!(
                "`{s}://` is not a proxy scheme (use http://host:port)"
            ))
        }
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(format!("`{}` names no host", redact_raw(raw)));
    }
    Ok(url)
}

/// The `NO_PROXY` entry that exempts `host` (lower case, IPv6 without
/// brackets), if any. Entries are separated by commas or spaces.
pub(crate) fn no_proxy_match(no_proxy: &str, host: &str) -> Option<String> {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let host_ip: Option<IpAddr> = host.parse().ok();
    for raw in no_proxy
        .split(|c: char| c == ',' || c.is_whitespace())
        .map(str::trim)
        .filter(|e| !e.is_empty())
    {
        let entry = raw.to_ascii_lowercase();
        if entry == "*" {
            return Some(raw.to_string());
        }
        let name = entry_host(&entry);
        if let Some((net, bits)) = name.split_once('/') {
            if let (Some(ip), Ok(net), Ok(bits)) =
                (host_ip, net.parse::<IpAddr>(), bits.parse::<u8>())
            {
                if in_cidr(ip, net, bits) {
                    return Some(raw.to_string());
                }
            }
            continue;
        }
        if let Ok(ip) = name.parse::<IpAddr>() {
            if host_ip == Some(ip) {
                return Some(raw.to_string());
            }
            continue;
        }
        let suffix = name
            .trim_start_matches("*.")
            .trim_start_matches('.')
            .trim_end_matches('.');
        if suffix.is_empty() {
            continue;
        }
        if host == suffix || host.ends_with(&format!(".{suffix}")) {
            return Some(raw.to_string());
        }
    }
    None
}

/// The host part of a `NO_PROXY` entry: `[::1]:80` → `::1`, `host:443` →
/// `host`, `::1` and `fd00::/8` stay whole (more than one colon: IPv6).
fn entry_host(entry: &str) -> &str {
    if let Some(rest) = entry.strip_prefix('[') {
        return rest.split(']').next().unwrap_or_default();
    }
    match entry.matches(':').count() {
        1 => entry.split(':').next().unwrap_or_default(),
        _ => entry,
    }
}

fn in_cidr(ip: IpAddr, net: IpAddr, bits: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(ip), IpAddr::V4(net)) if bits <= 32 => {
            let mask = u32::MAX.checked_shl(32 - u32::from(bits)).unwrap_or(0);
            u32::from(ip) & mask == u32::from(net) & mask
        }
        (IpAddr::V6(ip), IpAddr::V6(net)) if bits <= 128 => {
            let mask = u128::MAX.checked_shl(128 - u32::from(bits)).unwrap_or(0);
            u128::from(ip) & mask == u128::from(net) & mask
        }
        _ => false,
    }
}

/// A raw proxy value for display, even when it does not parse: whatever
/// stands between `user:` and `@` is hidden.
pub(crate) fn redact_raw(raw: &str) -> String {
    let raw = raw.trim();
    let start = raw.find("://").map_or(0, |i| i + 3);
    match raw[start..].rfind('@') {
        Some(at) => {
            let userinfo = &raw[start..start + at];
            match userinfo.find(':') {
                Some(colon) => format!(
                    "{}{}:***{}",
                    &raw[..start],
                    &userinfo[..colon],
                    &raw[start + at..]
                ),
                None => raw.to_string(),
            }
        }
        None => raw.to_string(),
    }
}

/// `host:port` of a proxy, for messages.
pub(crate) fn proxy_label(url: &Url) -> String {
    let host = url.host_str().unwrap_or("?");
    match url.port_or_known_default() {
        Some(p) => format!("{host}:{p}"),
        None => host.to_string(),
    }
}

/// Where the CA file came from, in the admin's terms.
pub(crate) fn ca_source(cx: &Context) -> &'static str {
    if cx
        .request
        .ca_file
        .as_deref()
        .is_some_and(|p| !p.trim().is_empty())
    {
        "the CA file setting"
    } else {
        "SSL_CERT_FILE"
    }
}

/// The certificates of a PEM text (`-----BEGIN CERTIFICATE-----` blocks; other
/// blocks such as keys are skipped).
pub(crate) fn pem_certificates(pem: &str) -> Result<Vec<CertificateDer<'static>>, String> {
    let mut out = Vec::new();
    for item in CertificateDer::pem_slice_iter(pem.as_bytes()) {
        match item {
            Ok(der) => out.push(der),
            Err(e) => return Err(format!("the PEM text is damaged ({e})")),
        }
    }
    Ok(out)
}

/// The extra CA's certificates when the file is usable (the environment check
/// reports it when it is not).
pub(crate) fn extra_ca_certificates(cx: &Context) -> Vec<CertificateDer<'static>> {
    cx.extra_ca_pem()
        .and_then(|pem| pem_certificates(pem).ok())
        .unwrap_or_default()
}

/// What the system proxy settings are to Entrance on this platform.
fn system_proxy_note() -> &'static str {
    if cfg!(target_os = "macos") {
        "Not read: System Settings → Network → Proxies and PAC files are ignored; Entrance uses only the variables above. If a browser here needs a proxy, set HTTPS_PROXY to it."
    } else if cfg!(windows) {
        "Not read: the Internet Options and WinHTTP proxy (netsh winhttp show proxy) and PAC files are ignored; Entrance uses only the variables above. If a browser here needs a proxy, set HTTPS_PROXY to it."
    } else {
        "The variables above are what Entrance reads, as curl and most command-line tools do; desktop proxy settings (GNOME, KDE) and PAC files are not read."
    }
}

const PROXY_VARS: [&str; 3] = ["HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY"];

fn proxy_var<'a>(env: &'a Environment, name: &str) -> Option<&'a str> {
    match name {
        "HTTPS_PROXY" => env.https_proxy.as_deref(),
        "HTTP_PROXY" => env.http_proxy.as_deref(),
        "ALL_PROXY" => env.all_proxy.as_deref(),
        _ => None,
    }
    .filter(|v| !v.trim().is_empty())
}

pub(super) async fn run(cx: &Context) -> Outcome {
    let mut out = Outcome::passed(String::new());
    let mut summary: Vec<String> = Vec::new();

    // The variables, as set (passwords hidden).
    let mut any_proxy = false;
    for name in PROXY_VARS {
        if let Some(value) = proxy_var(&cx.env, name) {
            any_proxy = true;
            out = out.detail(name, redact_raw(value));
        }
    }
    if let Some(no) = cx.env.no_proxy.as_deref().filter(|v| !v.trim().is_empty()) {
        out = out.detail("NO_PROXY", no);
    }
    if !any_proxy {
        out = out.detail("Proxy", "none set: connections go straight to each host");
        summary.push("no proxy".into());
    }

    // Where each subject's requests go.
    let mut invalid_used: Vec<&'static str> = Vec::new();
    for subject in [Subject::Authority, Subject::Graph] {
        let Some(url) = cx.url_of(subject) else {
            continue;
        };
        let host = host_port(&url);
        match route(&cx.env, &url) {
            Route::Direct => {}
            Route::Loopback => {
                out = out.finding(DiagnoseFinding::new(
                    DiagnoseCode::ProxyBypassed,
                    Severity::Info,
                    format!("{host} is a loopback address: it is reached directly, never through the proxy."),
                    "",
                ));
            }
            Route::Exempt { entry } => {
                out = out.finding(DiagnoseFinding::new(
                    DiagnoseCode::ProxyBypassed,
                    Severity::Info,
                    format!("NO_PROXY exempts {host} (entry `{entry}`): it is reached directly, not through the proxy."),
                    "",
                ));
                summary.push(format!("NO_PROXY exempts {host}"));
            }
            Route::Proxy { var, url: proxy } => {
                out = out.finding(DiagnoseFinding::new(
                    DiagnoseCode::ProxyInUse,
                    Severity::Info,
                    format!(
                        "Requests to {host} go through the proxy {} ({var}).",
                        proxy_label(&proxy)
                    ),
                    "",
                ));
                summary.push(format!(
                    "requests to {host} go through the proxy {}",
                    proxy_label(&proxy)
                ));
            }
            Route::Invalid { var, reason } => {
                if !invalid_used.contains(&var) {
                    invalid_used.push(var);
                    out = out.finding(invalid_proxy(var, &reason, Severity::Error, Some(&host)));
                }
                summary.push(format!("{var} cannot be used"));
            }
        }
    }
    // A variable that cannot be used but that no request here would read.
    for name in PROXY_VARS {
        if invalid_used.contains(&name) {
            continue;
        }
        if let Some(Err(reason)) = proxy_var(&cx.env, name).map(parse_proxy) {
            out = out.finding(invalid_proxy(name, &reason, Severity::Warning, None));
        }
    }
    out = out.detail("System proxy settings", system_proxy_note());

    // The CA file.
    match &cx.extra_ca {
        None => {
            out = out.detail(
                "Trusted CAs",
                "the public CAs only (Mozilla's list, built into Entrance; the system's certificate store is not read)",
            );
        }
        Some((path, pem)) => {
            out = out.detail("CA file", format!("{path} ({})", ca_source(cx)));
            let (finding, details) = ca_file_finding(path, ca_source(cx), pem);
            if finding.severity == Severity::Error {
                summary.push("the CA file cannot be used".into());
            } else {
                summary.push(format!(
                    "the CA file {path} is trusted besides the public CAs"
                ));
            }
            for (label, value) in details {
                out = out.detail(label, value);
            }
            out = out.finding(finding);
        }
    }

    out.summary = if summary.is_empty() {
        "Proxy variables and CA file read.".into()
    } else {
        // Every part starts with Entrance's own words, never a host name.
        let s = summary.join("; ");
        let mut chars = s.chars();
        let first = chars
            .next()
            .map(|c| c.to_uppercase().collect::<String>())
            .unwrap_or_default();
        format!("{first}{}.", chars.as_str())
    };
    out.graded()
}

fn host_port(url: &Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_string(),
        _ => url.to_string(),
    }
}

fn invalid_proxy(
    var: &str,
    reason: &str,
    severity: Severity,
    host: Option<&str>,
) -> DiagnoseFinding {
    let message = match host {
        Some(h) => {
            format!("{var} cannot be used ({reason}), and requests to {h} would go through it.")
        }
        None => format!("{var} cannot be used ({reason}); no request of this diagnosis uses it."),
    };
    DiagnoseFinding::new(
        DiagnoseCode::ProxyInvalid,
        severity,
        message,
        format!(
            "Set {var} to the proxy as http://host:port (http://user:password@host:port when it asks for credentials, with special characters percent-encoded), or unset it when no proxy is needed."
        ),
    )
}

/// The CA file's finding (in use, or unusable) and a detail per certificate.
fn ca_file_finding(
    path: &str,
    source: &str,
    pem: &Result<String, String>,
) -> (DiagnoseFinding, Vec<(String, String)>) {
    let fix = format!(
        "Point {source} at a readable PEM file holding the CA certificate (a block starting -----BEGIN CERTIFICATE-----); convert a DER file with `openssl x509 -inform der -in ca.cer -out ca.pem`, or unset {source} to trust the public CAs only."
    );
    let invalid = |message: String| {
        DiagnoseFinding::new(
            DiagnoseCode::CaFileInvalid,
            Severity::Error,
            message,
            fix.clone(),
        )
    };
    let text = match pem {
        Ok(text) => text,
        Err(e) if e.contains("UTF-8") => {
            return (
                invalid(format!("The CA file {path} ({source}) is not text: a DER (binary) certificate? Entrance reads PEM.")),
                Vec::new(),
            )
        }
        Err(e) => {
            return (
                invalid(format!("The CA file {path} ({source}) cannot be read: {e}.")),
                Vec::new(),
            )
        }
    };
    let certs = match pem_certificates(text) {
        Ok(c) => c,
        Err(e) => {
            return (
                invalid(format!("The CA file {path} ({source}): {e}.")),
                Vec::new(),
            )
        }
    };
    if certs.is_empty() {
        return (
            invalid(format!(
                "The CA file {path} ({source}) holds no PEM certificate (no -----BEGIN CERTIFICATE----- block)."
            )),
            Vec::new(),
        );
    }
    let mut names = Vec::new();
    let mut details = Vec::new();
    for (i, der) in certs.iter().enumerate() {
        // What the TLS stack (Entrance's and the HTTP client's) accepts as a
        // trust anchor decides; a certificate it refuses breaks the client.
        if rustls::RootCertStore::empty().add(der.clone()).is_err() {
            return (
                invalid(format!(
                    "Certificate {} in the CA file {path} ({source}) is not a valid X.509 certificate.",
                    i + 1
                )),
                Vec::new(),
            );
        }
        let value = match super::tls::CertInfo::parse(der) {
            Some(info) => {
                let mut value = format!(
                    "{} (valid until {})",
                    info.subject,
                    super::tls::date(info.not_after)
                );
                if info.not_after < time::OffsetDateTime::now_utc().unix_timestamp() {
                    value.push_str(", EXPIRED");
                }
                if !info.is_ca {
                    value.push_str(", not a CA certificate: it cannot vouch for a server; give the CA that issued it");
                }
                names.push(info.short_subject());
                value
            }
            None => {
                names.push(format!("certificate {}", i + 1));
                "(its fields could not be read)".to_string()
            }
        };
        if details.len() < 10 {
            details.push((format!("CA certificate {}", i + 1), value));
        }
    }
    if certs.len() > 10 {
        details.push(("CA certificates".into(), format!("{} in all", certs.len())));
    }
    let listed = if names.len() > 5 {
        format!("{} and {} more", names[..5].join("; "), names.len() - 5)
    } else {
        names.join("; ")
    };
    let n = certs.len();
    let message = format!(
        "Entrance trusts {n} certificate{} from {path} ({source}) besides the public CAs: {listed}.",
        if n == 1 { "" } else { "s" }
    );
    (
        DiagnoseFinding::new(DiagnoseCode::CaFileInUse, Severity::Info, message, ""),
        details,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(https: Option<&str>, no: Option<&str>) -> Environment {
        Environment {
            https_proxy: https.map(String::from),
            no_proxy: no.map(String::from),
            ..Environment::default()
        }
    }

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn https_urls_use_https_proxy_then_all_proxy() {
        let e = env(Some("proxy.corp:3128"), None);
        let p = proxy_for(&e, &url("https://login.microsoftonline.com/x")).unwrap();
        assert_eq!(p.as_str(), "http://proxy.corp:3128/");
        assert_eq!(
            proxy_for(&e, &url("http://example.com/")),
            None,
            "HTTPS_PROXY is for https only"
        );
        let all = Environment {
            all_proxy: Some("http://all:8080".into()),
            ..Environment::default()
        };
        assert_eq!(
            route(&all, &url("https://graph.microsoft.com/")),
            Route::Proxy {
                var: "ALL_PROXY",
                url: url("http://all:8080")
            }
        );
        assert!(proxy_for(&all, &url("http://example.com/")).is_some());
        assert_eq!(
            route(&Environment::default(), &url("https://a.b/")),
            Route::Direct
        );
    }

    #[test]
    fn loopback_never_goes_through_a_proxy() {
        let e = env(Some("http://proxy:3128"), None);
        for u in [
            "https://127.0.0.1:8443/t",
            "https://localhost/t",
            "https://[::1]:9/t",
            "https://127.9.9.9/",
        ] {
            assert_eq!(route(&e, &url(u)), Route::Loopback, "{u}");
        }
    }

    #[test]
    fn no_proxy_matches_hosts_suffixes_ips_and_ranges() {
        let cases = [
            (
                "login.microsoftonline.com",
                "login.microsoftonline.com",
                true,
            ),
            ("microsoftonline.com", "login.microsoftonline.com", true),
            (".microsoftonline.com", "login.microsoftonline.com", true),
            ("*.microsoftonline.com", "login.microsoftonline.com", true),
            (".microsoftonline.com", "microsoftonline.com", true),
            ("online.com", "login.microsoftonline.com", false),
            ("soft", "login.microsoftonline.com", false),
            (
                "login.microsoftonline.com:443",
                "login.microsoftonline.com",
                true,
            ),
            ("*", "anything.example", true),
            ("10.1.2.3", "10.1.2.3", true),
            ("10.1.2.3", "10.1.2.4", false),
            ("10.0.0.0/8", "10.200.3.4", true),
            ("10.0.0.0/8", "11.0.0.1", false),
            ("10.0.0.0/8", "ten.example", false),
            ("fd00::/8", "fd12::1", true),
            ("[2001:db8::1]:443", "2001:db8::1", true),
            ("2001:db8::1", "2001:db8::1", true),
            (
                "LOGIN.MicrosoftOnline.com",
                "login.microsoftonline.com",
                true,
            ),
            ("", "login.microsoftonline.com", false),
            (".", "login.microsoftonline.com", false),
        ];
        for (no, host, expected) in cases {
            assert_eq!(
                no_proxy_match(no, host).is_some(),
                expected,
                "NO_PROXY={no:?} host={host}"
            );
        }
        // Lists: commas and spaces.
        assert_eq!(
            no_proxy_match(
                "localhost, .corp.example graph.microsoft.com",
                "graph.microsoft.com"
            )
            .as_deref(),
            Some("graph.microsoft.com")
        );
    }

    #[test]
    fn no_proxy_exempts_in_the_route_and_names_the_entry() {
        let e = env(
            Some("http://proxy:3128"),
            Some("intranet,.microsoftonline.com"),
        );
        assert_eq!(
            route(&e, &url("https://login.microsoftonline.com/t/v2.0")),
            Route::Exempt {
                entry: ".microsoftonline.com".into()
            }
        );
        assert!(proxy_for(&e, &url("https://graph.microsoft.com/")).is_some());
    }

    #[test]
    fn unusable_proxy_values_are_invalid_not_silently_direct() {
        for bad in [
            "http://[bad",
            "socks5://proxy:1080",
            "ftp://proxy:21",
            "http://user:pw@:3128",
        ] {
            let e = env(Some(bad), None);
            match route(&e, &url("https://login.microsoftonline.com/t")) {
                Route::Invalid { var, reason } => {
                    assert_eq!(var, "HTTPS_PROXY");
                    assert!(
                        !reason.contains("pw"),
                        "the password stays hidden: {reason}"
                    );
                }
                other => panic!("{bad}: {other:?}"),
            }
            assert_eq!(
                proxy_for(&e, &url("https://login.microsoftonline.com/t")),
                None
            );
        }
    }

    #[test]
    fn passwords_are_hidden_in_what_is_shown() {
        assert_eq!(
            redact_raw("alice:s3cret@proxy:3128"),
            "alice:***@proxy:3128"
        );
        assert_eq!(
            redact_raw("http://alice:p@ss@proxy:3128"),
            "http://alice:***@proxy:3128"
        );
        assert_eq!(redact_raw("http://proxy:3128"), "http://proxy:3128");
    }

    #[test]
    fn ca_file_without_certificates_is_invalid() {
        let (f, _) = ca_file_finding("/x.pem", "SSL_CERT_FILE", &Ok("hello".into()));
        assert_eq!(f.code, DiagnoseCode::CaFileInvalid);
        assert!(f.message.contains("no PEM certificate"), "{}", f.message);
        assert!(f.fix.contains("SSL_CERT_FILE"), "{}", f.fix);
        let (f, _) = ca_file_finding(
            "/x.cer",
            "the CA file setting",
            &Err("stream did not contain valid UTF-8".into()),
        );
        assert!(f.message.contains("DER"), "{}", f.message);
        let (f, _) = ca_file_finding(
            "/nope",
            "the CA file setting",
            &Err("No such file or directory (os error 2)".into()),
        );
        assert!(f.message.contains("cannot be read"), "{}", f.message);
        let (f, _) = ca_file_finding(
            "/bad.pem",
            "the CA file setting",
            &Ok("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n".into()),
        );
        assert_eq!(f.code, DiagnoseCode::CaFileInvalid);
        assert!(f.message.contains("not a valid X.509"), "{}", f.message);
    }
}
