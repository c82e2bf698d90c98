//! The DNS check: the subject's host resolves (or, when a proxy applies to
//! it, the proxy's host: then only the proxy resolves the real name). An
//! in-process resolver (hickory) with the system's configuration tells
//! "no such name" (NXDOMAIN) from "no address records" from "no answer";
//! the addresses found are handed to the TCP and TLS checks.
//!
//! Names with a dot are asked as absolute names: the search domains of
//! `resolv.conf` are not appended (a URL's host is meant as written). Names
//! under `.invalid` never exist (RFC 6761 §6.4): the resolver answers NXDOMAIN
//! without sending a query.

use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::time::{Duration, Instant};

use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::net::NetError;
use hickory_resolver::proto::rr::RData;
use hickory_resolver::TokioResolver;

use super::context::Context;
use super::environment::proxy_label;
use super::runner::Outcome;
use super::tcp::{endpoint, is_microsoft_host, Endpoint};
use super::{CheckStatus, DiagnoseCode, DiagnoseFinding, Subject};
use crate::findings::Severity;

/// What a lookup found.
#[derive(Debug, Default)]
struct Resolved {
    addrs: Vec<IpAddr>,
    /// The CNAME chain, when the name is an alias.
    cnames: Vec<String>,
}

/// Why a lookup found nothing.
#[derive(Debug, PartialEq, Eq)]
enum LookupError {
    /// NXDOMAIN: the name does not exist.
    NoSuchName,
    /// The name exists but has no A/AAAA record.
    NoAddress,
    /// The resolver did not answer in time.
    Timeout,
    /// The resolver answered an error (SERVFAIL, REFUSED) or could not be asked.
    Failed(String),
}

/// The resolver: the system's configuration, or (when it cannot be read)
/// the system's own resolver through `getaddrinfo`.
enum Resolver {
    Hickory {
        resolver: Box<TokioResolver>,
        servers: String,
    },
    System {
        why: String,
    },
}

fn resolver(cx: &Context) -> Resolver {
    let (config, mut opts) = match hickory_resolver::system_conf::read_system_conf() {
        Ok(c) => c,
        Err(e) => {
            return Resolver::System {
                why: format!("the system's DNS configuration cannot be read: {e}"),
            }
        }
    };
    let mut servers: Vec<String> = Vec::new();
    for ns in config.name_servers() {
        let ip = ns.ip.to_string();
        if !servers.contains(&ip) {
            servers.push(ip);
        }
    }
    if servers.is_empty() {
        return Resolver::System {
            why: "the system's DNS configuration names no server".into(),
        };
    }
    // Two tries per server within the check's time, so the resolver's own
    // timeout (with the servers named) comes before the check's.
    opts.timeout = cx.timeout.mul_f64(0.35).max(Duration::from_millis(300));
    opts.attempts = 2;
    match TokioResolver::builder_with_config(config, TokioRuntimeProvider::default())
        .with_options(opts)
        .build()
    {
        Ok(resolver) => Resolver::Hickory {
            resolver: Box::new(resolver),
            servers: format!("{}, from {}", servers.join(", "), config_source()),
        },
        Err(e) => Resolver::System {
            why: format!("the DNS resolver could not be set up: {e}"),
        },
    }
}

/// Where the system's DNS configuration comes from, for messages.
fn config_source() -> &'static str {
    if cfg!(windows) {
        "the network adapters' settings"
    } else if cfg!(target_os = "macos") {
        "the System Configuration"
    } else {
        "/etc/resolv.conf"
    }
}

/// The name to ask: absolute when it has a dot, and `localhost` (no search
/// domains appended).
fn query_name(host: &str) -> String {
    if (host.contains('.') || host.eq_ignore_ascii_case("localhost")) && !host.ends_with('.') {
        format!("{host}.")
    } else {
        host.to_string()
    }
}

/// Under `.invalid`: never exists, never asked anywhere (RFC 6761 §6.4).
fn is_special_invalid(host: &str) -> bool {
    let h = host.trim_end_matches('.').to_ascii_lowercase();
    h == "invalid" || h.ends_with(".invalid")
}

fn classify(e: &NetError) -> LookupError {
    if e.is_nx_domain() {
        LookupError::NoSuchName
    } else if e.is_no_records_found() {
        LookupError::NoAddress
    } else if matches!(e, NetError::Timeout) {
        LookupError::Timeout
    } else {
        LookupError::Failed(e.to_string())
    }
}

async fn hickory_lookup(resolver: &TokioResolver, host: &str) -> Result<Resolved, LookupError> {
    let lookup = resolver
        .lookup_ip(query_name(host).as_str())
        .await
        .map_err(|e| classify(&e))?;
    let mut out = Resolved::default();
    for ip in lookup.iter() {
        if !out.addrs.contains(&ip) {
            out.addrs.push(ip);
        }
    }
    for record in lookup.as_lookup().answers() {
        if let RData::CNAME(target) = &record.data {
            let name = target.to_string().trim_end_matches('.').to_string();
            if !out.cnames.contains(&name) {
                out.cnames.push(name);
            }
        }
    }
    if out.addrs.is_empty() {
        return Err(LookupError::NoAddress);
    }
    Ok(out)
}

/// `getaddrinfo`: what the rest of the system (and Entrance's HTTP client) uses.
async fn system_lookup(host: &str, port: u16) -> Result<Resolved, LookupError> {
    match tokio::net::lookup_host((host, port)).await {
        Ok(addrs) => {
            let mut out = Resolved::default();
            for a in addrs {
                if !out.addrs.contains(&a.ip()) {
                    out.addrs.push(a.ip());
                }
            }
            if out.addrs.is_empty() {
                Err(LookupError::NoAddress)
            } else {
                Ok(out)
            }
        }
        Err(e) => {
            let text = e.to_string();
            let lower = text.to_ascii_lowercase();
            if lower.contains("temporary failure") || lower.contains("try again") {
                Err(LookupError::Timeout)
            } else if lower.contains("not known")
                || lower.contains("no address")
                || lower.contains("nodename")
            {
                Err(LookupError::NoSuchName)
            } else {
                Err(LookupError::Failed(text))
            }
        }
    }
}

/// Private, loopback, link-local, shared (CGNAT) or unique-local: not an
/// address a public Microsoft host has.
pub(super) fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || (o[0] == 100 && (64..128).contains(&o[1]))
        }
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || v6
                    .to_ipv4_mapped()
                    .is_some_and(|v4| is_private(IpAddr::V4(v4)))
        }
    }
}

/// The names `/etc/hosts` (or Windows' `hosts`) gives `host`, if listed.
fn hosts_file_entry(host: &str) -> Option<(String, String)> {
    let path = if cfg!(windows) {
        r"C:\Windows\System32\drivers\etc\hosts"
    } else {
        "/etc/hosts"
    };
    let bytes =
        crate::paths::read_file_limited(Path::new(path), crate::paths::MAX_CONFIG_FILE_BYTES)
            .ok()?;
    let text = String::from_utf8_lossy(&bytes);
    hosts_lookup(&text, host).map(|ip| (path.to_string(), ip))
}

/// The address a hosts file gives `host`.
fn hosts_lookup(text: &str, host: &str) -> Option<String> {
    let host = host.trim_end_matches('.');
    text.lines()
        .map(|l| l.split('#').next().unwrap_or_default())
        .find_map(|line| {
            let mut words = line.split_whitespace();
            let ip = words.next()?;
            words
                .any(|name| name.trim_end_matches('.').eq_ignore_ascii_case(host))
                .then(|| ip.to_string())
        })
}

pub(super) async fn run(cx: &Context, subject: Subject) -> Outcome {
    let ep = match endpoint(cx, subject) {
        Ok(ep) => ep,
        Err(outcome) => return outcome,
    };
    let (host, port) = ep.connect_host();
    let through = ep.proxy.as_ref().map(proxy_label);

    if let Ok(ip) = host.parse::<IpAddr>() {
        cx.facts()
            .addresses
            .insert(subject, vec![SocketAddr::new(ip, port)]);
        let what = match &through {
            Some(p) => format!("The proxy {p} is an IP address: no lookup needed."),
            None => format!("{host} is an IP address: no lookup needed."),
        };
        let mut out = Outcome::passed(what).detail("Address", ip.to_string());
        if let Some(p) = through {
            out = out.detail(
                "Through the proxy",
                format!("{p} (the proxy resolves {})", ep.host),
            );
        }
        return out;
    }

    let t0 = Instant::now();
    // Bounded below the check's timeout, so a silent resolver is reported
    // with the servers that were asked.
    let budget = || cx.timeout.mul_f64(0.85).saturating_sub(t0.elapsed());
    let (result, resolver_label) = match resolver(cx) {
        Resolver::Hickory { resolver, servers } => {
            let r = tokio::time::timeout(budget(), hickory_lookup(&resolver, &host))
                .await
                .unwrap_or(Err(LookupError::Timeout));
            match r {
                // A name the resolver's servers do not know may still come
                // from elsewhere in the system's name service (LDAP, mDNS, a
                // VPN's scoped resolver): ask it too, as the HTTP client would.
                Err(LookupError::NoSuchName | LookupError::NoAddress)
                    if !is_special_invalid(&host) =>
                {
                    match tokio::time::timeout(budget(), system_lookup(&host, port)).await {
                        Ok(Ok(found)) => (
                            Ok(found),
                            format!("the system resolver; the DNS servers ({servers}) do not know the name"),
                        ),
                        _ => (r, servers),
                    }
                }
                r => (r, servers),
            }
        }
        Resolver::System { why } => {
            let r = tokio::time::timeout(budget(), system_lookup(&host, port))
                .await
                .unwrap_or(Err(LookupError::Timeout));
            (r, format!("the system resolver: {why}"))
        }
    };
    let took = t0.elapsed();
    match result {
        Ok(found) => found_outcome(cx, subject, &ep, found, took, &resolver_label),
        Err(e) => failure_outcome(&ep, &host, e, &resolver_label, took),
    }
}

fn found_outcome(
    cx: &Context,
    subject: Subject,
    ep: &Endpoint,
    found: Resolved,
    took: Duration,
    resolver: &str,
) -> Outcome {
    let (host, port) = ep.connect_host();
    let host = host.as_str();
    let through = ep.proxy.as_ref().map(proxy_label);
    let through = through.as_deref();
    let addrs: Vec<SocketAddr> = found
        .addrs
        .iter()
        .map(|ip| SocketAddr::new(*ip, port))
        .collect();
    cx.facts().addresses.insert(subject, addrs);
    let shown: Vec<String> = found.addrs.iter().map(ToString::to_string).collect();
    let what = match through {
        Some(p) => format!("the proxy {p}"),
        None => host.to_string(),
    };
    let mut out = Outcome::passed(format!(
        "Resolved {what} to {} in {} ms.",
        abbreviate(&shown, 4),
        took.as_millis()
    ))
    .detail("Addresses", shown.join(", "));
    if !found.cnames.is_empty() {
        out = out.detail("Alias of", found.cnames.join(" → "));
    }
    out = out
        .detail("Resolver", resolver)
        .detail("Lookup time", format!("{} ms", took.as_millis()));
    if let Some(p) = through {
        out = out.detail(
            "Through the proxy",
            format!("{p} (the proxy resolves {})", ep.host),
        );
    }
    // A public Microsoft host resolving only to private addresses: the
    // traffic goes somewhere else than Microsoft.
    if through.is_none() && is_microsoft_host(host) && found.addrs.iter().all(|ip| is_private(*ip))
    {
        let hosts = hosts_file_entry(host);
        let hosts_note = match &hosts {
            Some((path, ip)) => {
                format!(" {path} lists {host} as {ip}: remove that entry unless it is intended.")
            }
            None => String::new(),
        };
        out = out.finding(DiagnoseFinding::new(
            DiagnoseCode::DnsPrivateAddress,
            Severity::Warning,
            format!(
                "{host} resolves only to private or loopback addresses ({}); Microsoft's hosts have public addresses.",
                shown.join(", ")
            ),
            format!(
                "Something answers for Microsoft here: a hosts-file entry, split DNS (a corporate zone or private endpoint for {host}), or DNS-level interception by a proxy or filter.{hosts_note} Check with `dig {host}` against another resolver, and ask the network team whether this is intended."
            ),
        ));
        if let Some((path, ip)) = hosts {
            out = out.detail("Hosts file", format!("{path}: {ip} {host}"));
        }
    }
    out.graded()
}

fn abbreviate(items: &[String], n: usize) -> String {
    if items.len() > n {
        format!("{} and {} more", items[..n].join(", "), items.len() - n)
    } else {
        items.join(", ")
    }
}

fn failure_outcome(
    ep: &Endpoint,
    host: &str,
    error: LookupError,
    resolver: &str,
    took: Duration,
) -> Outcome {
    let is_proxy = ep.proxy.is_some();
    let subject_note = if is_proxy {
        format!("the proxy host {host}")
    } else {
        host.to_string()
    };
    let typo_fix = if is_proxy {
        format!("Check the host name of the proxy in HTTPS_PROXY (`{host}`); ")
    } else if is_microsoft_host(host) {
        format!(
            "{host} resolves on the public internet, so this machine's DNS does not give it out; "
        )
    } else {
        "Check the host name in the URL for a typo (the tenant or the provider's host); "
            .to_string()
    };
    let (code, status, message, fix) = match error {
        LookupError::NoSuchName | LookupError::NoAddress => {
            let what = if error == LookupError::NoSuchName {
                "does not exist in DNS (NXDOMAIN)"
            } else {
                "exists in DNS but has no address record (A/AAAA)"
            };
            (
                DiagnoseCode::DnsUnresolvable,
                CheckStatus::Failed,
                format!("{subject_note} {what}."),
                format!(
                    "{typo_fix}if the name resolves on another machine, this machine's DNS ({resolver}) does not know it: split DNS (an internal zone without it), a missing or wrong entry in /etc/hosts, or a corporate DNS filter that blocks it. Compare `dig {host}` here and elsewhere, and ask the network team."
                ),
            )
        }
        LookupError::Timeout => (
            DiagnoseCode::DnsTimeout,
            CheckStatus::TimedOut,
            format!(
                "The resolver gave no answer for {subject_note} within {} ms.",
                took.as_millis()
            ),
            format!(
                "The DNS servers ({resolver}) do not answer: check that they are reachable (UDP and TCP 53 allowed by the firewall), or configure working ones."
            ),
        ),
        LookupError::Failed(why) => (
            DiagnoseCode::DnsUnresolvable,
            CheckStatus::Failed,
            format!("The resolver could not resolve {subject_note}: {why}."),
            format!(
                "The DNS servers ({resolver}) answered with an error (SERVFAIL: they cannot reach the domain's servers; REFUSED: they do not serve this machine). Check them with `dig {host}`, or configure working ones."
            ),
        ),
    };
    Outcome {
        status,
        summary: message.clone(),
        details: Vec::new(),
        findings: vec![DiagnoseFinding::new(code, Severity::Error, message, fix)],
    }
    .detail("Resolver", resolver)
    .detail("Lookup time", format!("{} ms", took.as_millis()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotted_names_are_asked_as_absolute_names() {
        assert_eq!(
            query_name("login.microsoftonline.com"),
            "login.microsoftonline.com."
        );
        assert_eq!(query_name("a.b."), "a.b.");
        assert_eq!(query_name("intranet"), "intranet");
        assert_eq!(query_name("localhost"), "localhost.");
    }

    #[test]
    fn private_addresses() {
        for ip in [
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "127.0.0.1",
            "169.254.1.1",
            "100.64.0.1",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:10.0.0.1",
        ] {
            assert!(is_private(ip.parse().unwrap()), "{ip}");
        }
        for ip in [
            "20.190.151.68",
            "40.126.32.1",
            "100.128.0.1",
            "2603:1036::1",
        ] {
            assert!(!is_private(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn hosts_file_lines() {
        let text = "127.0.0.1 localhost\n# 10.0.0.1 login.microsoftonline.com\n10.9.9.9\tgraph.microsoft.com  other # proxy\n";
        assert_eq!(
            hosts_lookup(text, "graph.microsoft.com").as_deref(),
            Some("10.9.9.9")
        );
        assert_eq!(
            hosts_lookup(text, "GRAPH.microsoft.com.").as_deref(),
            Some("10.9.9.9")
        );
        assert_eq!(hosts_lookup(text, "login.microsoftonline.com"), None);
    }

    #[test]
    fn invalid_names_are_special() {
        assert!(is_special_invalid("no-such-host.invalid"));
        assert!(is_special_invalid("INVALID."));
        assert!(!is_special_invalid("invalid.example.com"));
    }

    #[tokio::test]
    async fn the_resolver_answers_nxdomain_for_invalid_without_asking() {
        // RFC 6761 §6.4, answered inside hickory: no query leaves the machine.
        let resolver = TokioResolver::builder_with_config(
            hickory_resolver::config::ResolverConfig::from_name_servers(Vec::new()),
            TokioRuntimeProvider::default(),
        )
        .build()
        .unwrap();
        assert_eq!(
            hickory_lookup(&resolver, "no-such-host.invalid")
                .await
                .unwrap_err(),
            LookupError::NoSuchName
        );
    }
}
