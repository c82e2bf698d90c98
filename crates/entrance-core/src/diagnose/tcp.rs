//! The TCP check: a connection opens to the addresses the DNS check found
//! (the host's, or the proxy's when one applies), on the URL's port or the
//! proxy's. Refused, unreachable and silent (dropped) are told apart.
//!
//! Also the connection helpers the TLS check reuses: [`endpoint`] (what to
//! connect to), [`open`] (the first address that answers) and [`tunnel`] (an
//! HTTP `CONNECT` through the proxy).

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::task::JoinSet;
use url::Url;

use super::context::Context;
use super::environment::{host_of, proxy_label};
use super::runner::Outcome;
use super::{CheckStatus, DiagnoseCode, DiagnoseFinding, Subject};
use crate::findings::Severity;

/// What a subject's connection goes to.
#[derive(Debug, Clone)]
pub(super) struct Endpoint {
    /// The subject's URL.
    pub url: Url,
    /// The URL's host (lower case, IPv6 without brackets) and port.
    pub host: String,
    pub port: u16,
    /// The proxy, when one applies to the URL.
    pub proxy: Option<Url>,
}

impl Endpoint {
    /// The host and port a socket connects to: the proxy's, or the URL's.
    pub fn connect_host(&self) -> (String, u16) {
        match &self.proxy {
            Some(p) => (
                host_of(p).unwrap_or_default(),
                p.port_or_known_default().unwrap_or(80),
            ),
            None => (self.host.clone(), self.port),
        }
    }

    /// `host:port` of the URL, IPv6 in brackets.
    pub fn authority(&self) -> String {
        host_port(&self.host, self.port)
    }

    /// What a connection goes to, for messages: `login.microsoftonline.com:443`
    /// or `the proxy proxy.corp:3128`.
    pub fn connect_label(&self) -> String {
        match &self.proxy {
            Some(p) => format!("the proxy {}", proxy_label(p)),
            None => self.authority(),
        }
    }
}

/// `host:port`, IPv6 in brackets.
pub(super) fn host_port(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// The subject's endpoint, or the outcome that says why there is none.
pub(super) fn endpoint(cx: &Context, subject: Subject) -> Result<Endpoint, Outcome> {
    let Some(url) = cx.url_of(subject) else {
        return Err(Outcome::skipped(
            "Microsoft Graph's address is not known (no Graph URL, and the authority is not Entra ID's).",
        ));
    };
    let Some(host) = host_of(&url) else {
        return Err(Outcome::skipped(format!(
            "{url} has no host to connect to."
        )));
    };
    let port = url.port_or_known_default().unwrap_or(443);
    Ok(Endpoint {
        proxy: cx.proxy_for(&url),
        url,
        host,
        port,
    })
}

/// Why no connection opened.
#[derive(Debug)]
pub(super) enum ConnectFailure {
    /// Every address answered, each with an error (refused, unreachable…).
    Failed(Vec<(SocketAddr, io::Error)>),
    /// Some addresses said nothing before the deadline.
    Silent {
        silent: Vec<SocketAddr>,
        failed: Vec<(SocketAddr, io::Error)>,
        waited: Duration,
    },
    /// No address to try (the name did not resolve).
    NoAddress(String),
}

/// How one failed connection attempt failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ConnectError {
    Refused,
    Unreachable,
    /// A local rule forbids it (EACCES/EPERM: a host firewall, SELinux).
    Forbidden,
    Other,
}

pub(super) fn classify_connect_error(e: &io::Error) -> ConnectError {
    match e.kind() {
        io::ErrorKind::ConnectionRefused => ConnectError::Refused,
        io::ErrorKind::HostUnreachable
        | io::ErrorKind::NetworkUnreachable
        | io::ErrorKind::AddrNotAvailable => ConnectError::Unreachable,
        io::ErrorKind::PermissionDenied => ConnectError::Forbidden,
        _ => ConnectError::Other,
    }
}

/// The addresses to connect to: what the DNS check stored, or (when it did
/// not run) a lookup through the system resolver.
async fn addresses(
    cx: &Context,
    subject: Subject,
    ep: &Endpoint,
) -> Result<Vec<SocketAddr>, String> {
    let stored = cx.facts().addresses.get(&subject).cloned();
    if let Some(addrs) = stored.filter(|a| !a.is_empty()) {
        return Ok(addrs);
    }
    let (host, port) = ep.connect_host();
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    tokio::net::lookup_host((host.as_str(), port))
        .await
        .map(Iterator::collect)
        .map_err(|e| format!("{host} does not resolve: {e}"))
}

/// At most this many addresses are tried.
const MAX_ADDRESSES: usize = 6;
/// Happy-eyeballs-like stagger between attempts (RFC 8305 suggests 250 ms).
const STAGGER: Duration = Duration::from_millis(250);

/// Opens a connection to the endpoint (the proxy, when one applies): the
/// addresses are tried a quarter second apart, the first to connect wins.
/// Gives up slightly before the check's own timeout so the failure can say
/// which addresses stayed silent.
pub(super) async fn open(
    cx: &Context,
    subject: Subject,
    ep: &Endpoint,
) -> Result<(TcpStream, SocketAddr, Duration), ConnectFailure> {
    let addrs = addresses(cx, subject, ep)
        .await
        .map_err(ConnectFailure::NoAddress)?;
    if addrs.is_empty() {
        return Err(ConnectFailure::NoAddress(format!(
            "{} resolved to no address",
            ep.connect_host().0
        )));
    }
    let addrs: Vec<SocketAddr> = addrs.into_iter().take(MAX_ADDRESSES).collect();
    let deadline = cx.timeout.mul_f64(0.9);
    let t0 = Instant::now();
    let mut attempts: JoinSet<(SocketAddr, io::Result<TcpStream>)> = JoinSet::new();
    for (i, addr) in addrs.iter().copied().enumerate() {
        let delay = STAGGER * u32::try_from(i).unwrap_or(u32::MAX);
        attempts.spawn(async move {
            tokio::time::sleep(delay).await;
            (addr, TcpStream::connect(addr).await)
        });
    }
    let mut failed: Vec<(SocketAddr, io::Error)> = Vec::new();
    let outcome = tokio::time::timeout(deadline, async {
        while let Some(joined) = attempts.join_next().await {
            match joined {
                Ok((addr, Ok(stream))) => return Some((stream, addr)),
                Ok((addr, Err(e))) => failed.push((addr, e)),
                Err(_) => {}
            }
        }
        None
    })
    .await;
    match outcome {
        Ok(Some((stream, addr))) => Ok((stream, addr, t0.elapsed())),
        Ok(None) => Err(ConnectFailure::Failed(failed)),
        Err(_) => {
            let silent = addrs
                .iter()
                .filter(|a| !failed.iter().any(|(f, _)| f == *a))
                .copied()
                .collect();
            Err(ConnectFailure::Silent {
                silent,
                failed,
                waited: t0.elapsed(),
            })
        }
    }
}

fn ms(d: Duration) -> String {
    format!("{} ms", d.as_millis())
}

fn list(addrs: &[SocketAddr]) -> String {
    addrs
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether the host is one of Microsoft's public sign-in or Graph hosts.
pub(super) fn is_microsoft_host(host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    [
        "microsoftonline.com",
        "microsoftonline.us",
        "microsoftonline.cn",
        "chinacloudapi.cn",
        "microsoft.com",
        "microsoft.us",
        "windows.net",
    ]
    .iter()
    .any(|d| host == *d || host.ends_with(&format!(".{d}")))
}

/// The outcome of a failed [`open`], for the TCP check and for the TLS check
/// (when the connection that worked a moment ago does not open again).
pub(super) fn failure_outcome(cx: &Context, ep: &Endpoint, failure: ConnectFailure) -> Outcome {
    let target = ep.connect_label();
    let port = ep.connect_host().1;
    let secs = cx.timeout.as_secs_f32();
    match failure {
        ConnectFailure::NoAddress(reason) => Outcome::failed(
            format!("No address to connect to: {reason}."),
            DiagnoseFinding::new(
                DiagnoseCode::DnsUnresolvable,
                Severity::Error,
                format!("No address to connect to: {reason}."),
                "See the DNS check: the host must resolve before a connection can open.",
            ),
        ),
        ConnectFailure::Failed(failed) => {
            let kinds: Vec<ConnectError> = failed
                .iter()
                .map(|(_, e)| classify_connect_error(e))
                .collect();
            let tried = failed
                .iter()
                .map(|(a, e)| format!("{a}: {e}"))
                .collect::<Vec<_>>()
                .join("; ");
            let finding = if kinds.contains(&ConnectError::Refused) {
                refused(ep, port)
            } else if kinds.contains(&ConnectError::Forbidden) {
                DiagnoseFinding::new(
                    DiagnoseCode::TcpUnreachable,
                    Severity::Error,
                    format!("This machine forbids the connection to {target} ({tried})."),
                    format!(
                        "A local rule blocks outbound TCP {port}: check the host firewall (nftables/iptables OUTPUT, firewalld) and SELinux/AppArmor policies for this program."
                    ),
                )
            } else {
                DiagnoseFinding::new(
                    DiagnoseCode::TcpUnreachable,
                    Severity::Error,
                    format!("No route to {target} ({tried})."),
                    match &ep.proxy {
                        Some(_) => "This machine has no network path to the proxy: check the proxy address in HTTPS_PROXY, the default route and the VPN.".to_string(),
                        None => format!(
                            "This machine has no network path to {}: check the default route (`ip route`), the VPN, and whether this network reaches the internet only through a proxy (then set HTTPS_PROXY).",
                            ep.host
                        ),
                    },
                )
            };
            Outcome::failed(finding.message.clone(), finding).detail("Tried", tried)
        }
        ConnectFailure::Silent {
            silent,
            failed,
            waited,
        } => {
            let message = format!(
                "{target} did not answer within {secs:.0} s ({}): packets are dropped on the way.",
                list(&silent)
            );
            let fix = match &ep.proxy {
                Some(p) => format!(
                    "Nothing answers at {}: check the proxy address and port in HTTPS_PROXY, and that a firewall allows this machine to reach the proxy.",
                    proxy_label(p)
                ),
                None => format!(
                    "A firewall drops outbound TCP {port} here: allow it to {}, or set HTTPS_PROXY to the proxy that is allowed out.",
                    ep.host
                ),
            };
            let mut out = Outcome {
                status: CheckStatus::TimedOut,
                summary: message.clone(),
                details: Vec::new(),
                findings: vec![DiagnoseFinding::new(
                    DiagnoseCode::TcpTimeout,
                    Severity::Error,
                    message,
                    fix,
                )],
            }
            .detail("Waited", ms(waited));
            if !failed.is_empty() {
                out = out.detail(
                    "Also failed",
                    failed
                        .iter()
                        .map(|(a, e)| format!("{a}: {e}"))
                        .collect::<Vec<_>>()
                        .join("; "),
                );
            }
            out
        }
    }
}

fn refused(ep: &Endpoint, port: u16) -> DiagnoseFinding {
    match &ep.proxy {
        Some(p) => DiagnoseFinding::new(
            DiagnoseCode::TcpRefused,
            Severity::Error,
            format!("The proxy {} refused the connection: nothing listens there.", proxy_label(p)),
            "Check the proxy's address and port in HTTPS_PROXY (the port is often 3128 or 8080), and that the proxy is running.",
        ),
        None if is_microsoft_host(&ep.host) => DiagnoseFinding::new(
            DiagnoseCode::TcpRefused,
            Severity::Error,
            format!("{} refused the connection.", ep.authority()),
            format!(
                "{} listens on 443: a refusal comes from a firewall on the way that rejects the connection (a REJECT rule), or from a wrong port in the URL. Allow outbound TCP 443 to it, or set HTTPS_PROXY to the proxy that is allowed out.",
                ep.host
            ),
        ),
        None => DiagnoseFinding::new(
            DiagnoseCode::TcpRefused,
            Severity::Error,
            format!("{} refused the connection: nothing listens on port {port}.", ep.authority()),
            format!(
                "Check the port in the URL and that the server runs; a firewall that REJECTs TCP {port} looks the same from here."
            ),
        ),
    }
}

pub(super) async fn run(cx: &Context, subject: Subject) -> Outcome {
    let ep = match endpoint(cx, subject) {
        Ok(ep) => ep,
        Err(outcome) => return outcome,
    };
    match open(cx, subject, &ep).await {
        Ok((stream, addr, took)) => {
            drop(stream);
            let label = ep.connect_label();
            let shown = if label.ends_with(&addr.to_string()) {
                label
            } else {
                format!("{label} ({addr})")
            };
            let mut out = Outcome::passed(format!("Connected to {shown} in {}.", ms(took)))
                .detail("Connected to", addr.to_string())
                .detail("Time", ms(took));
            if let Some(p) = &ep.proxy {
                out = out.detail("Through the proxy", proxy_label(p));
            }
            out
        }
        Err(failure) => failure_outcome(cx, &ep, failure),
    }
}

/// Any stream a TLS handshake can run over: a socket, or a TLS connection
/// to an `https://` proxy.
pub(super) trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// Why a `CONNECT` through the proxy did not give a tunnel.
#[derive(Debug)]
pub(super) enum TunnelError {
    /// 407: the proxy wants credentials (or refused the ones sent).
    Auth {
        sent_credentials: bool,
        /// `Proxy-Authenticate` values (schemes and realms).
        challenge: Vec<String>,
    },
    /// Another status (403 blocked, 502 cannot reach the host…).
    Refused { status: u16, line: String },
    /// The proxy closed the connection or answered something that is not HTTP.
    NoAnswer(String),
    /// TLS with an `https://` proxy failed.
    ProxyTls(String),
}

/// Asks the proxy for a tunnel to `host:port` (HTTP `CONNECT`, Basic
/// credentials from the proxy URL); with an `https://` proxy, speaks TLS to
/// the proxy first.
pub(super) async fn tunnel(
    stream: TcpStream,
    proxy: &Url,
    host: &str,
    port: u16,
    tls_to_proxy: Option<std::sync::Arc<rustls::ClientConfig>>,
) -> Result<Box<dyn Io>, TunnelError> {
    let mut io: Box<dyn Io> = if proxy.scheme() == "https" {
        let config =
            tls_to_proxy.ok_or_else(|| TunnelError::ProxyTls("no TLS configuration".into()))?;
        let name = rustls::pki_types::ServerName::try_from(host_of(proxy).unwrap_or_default())
            .map_err(|e| TunnelError::ProxyTls(e.to_string()))?;
        let tls = tokio_rustls::TlsConnector::from(config)
            .connect(name, stream)
            .await
            .map_err(|e| TunnelError::ProxyTls(e.to_string()))?;
        Box::new(tls)
    } else {
        Box::new(stream)
    };
    let target = host_port(host, port);
    let mut request = format!(
        "CONNECT {target} HTTP/1.1\r\nHost: {target}\r\nUser-Agent: Entrance/{}\r\n",
        env!("CARGO_PKG_VERSION")
    );
    let credentials = basic_credentials(proxy);
    if let Some(c) = &credentials {
        request.push_str(&format!("Proxy-Authorization: Basic {c}\r\n"));
    }
    request.push_str("\r\n");
    io.write_all(request.as_bytes())
        .await
        .map_err(|e| TunnelError::NoAnswer(format!("the request could not be sent ({e})")))?;
    // Read the answer's head byte by byte: nothing after it may be consumed.
    let mut head = Vec::with_capacity(256);
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match io.read(&mut byte).await {
            Ok(0) => {
                return Err(TunnelError::NoAnswer(if head.is_empty() {
                    "it closed the connection without answering".into()
                } else {
                    "it closed the connection in the middle of its answer".into()
                }))
            }
            Ok(_) => head.push(byte[0]),
            Err(e) => {
                return Err(TunnelError::NoAnswer(format!(
                    "the connection failed ({e})"
                )))
            }
        }
        if head.len() > 16 * 1024 {
            return Err(TunnelError::NoAnswer(
                "its answer's headers never end".into(),
            ));
        }
    }
    let text = String::from_utf8_lossy(&head);
    let (status, line, challenge) = parse_connect_answer(&text).ok_or_else(|| {
        TunnelError::NoAnswer(format!(
            "it answered something that is not HTTP ({:?})",
            first_line(&text)
        ))
    })?;
    match status {
        200..=299 => Ok(io),
        407 => Err(TunnelError::Auth {
            sent_credentials: credentials.is_some(),
            challenge,
        }),
        _ => Err(TunnelError::Refused { status, line }),
    }
}

fn first_line(text: &str) -> &str {
    let line = text.lines().next().unwrap_or_default();
    line.get(..80).unwrap_or(line)
}

/// The status, the status line and the `Proxy-Authenticate` values of a
/// proxy's answer head.
pub(super) fn parse_connect_answer(head: &str) -> Option<(u16, String, Vec<String>)> {
    let mut lines = head.split("\r\n");
    let line = lines.next()?.trim().to_string();
    let mut parts = line.split_whitespace();
    if !parts.next()?.starts_with("HTTP/") {
        return None;
    }
    let status: u16 = parts.next()?.parse().ok()?;
    let challenge = lines
        .filter_map(|l| l.split_once(':'))
        .filter(|(name, _)| name.trim().eq_ignore_ascii_case("proxy-authenticate"))
        .map(|(_, v)| v.trim().to_string())
        .collect();
    Some((status, line, challenge))
}

/// `user:password` from the proxy URL, percent-decoded, in Base64.
fn basic_credentials(proxy: &Url) -> Option<String> {
    use base64::Engine as _;
    if proxy.username().is_empty() {
        return None;
    }
    let user = percent_decode(proxy.username());
    let password = percent_decode(proxy.password().unwrap_or_default());
    Some(base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}")))
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = |b: u8| char::from(b).to_digit(16);
            if let (Some(hi), Some(lo)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push(u8::try_from(hi * 16 + lo).unwrap_or(b'?'));
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The outcome of a failed tunnel: the proxy is the problem.
pub(super) fn tunnel_outcome(ep: &Endpoint, proxy: &Url, e: TunnelError) -> Outcome {
    let label = proxy_label(proxy);
    let target = ep.authority();
    let finding = match e {
        TunnelError::Auth {
            sent_credentials,
            challenge,
        } => {
            let schemes = if challenge.is_empty() {
                String::new()
            } else {
                format!(" (it offers: {})", challenge.join("; "))
            };
            let negotiate = challenge.iter().any(|c| {
                let c = c.to_ascii_lowercase();
                c.starts_with("negotiate") || c.starts_with("ntlm")
            }) && !challenge.iter().any(|c| c.to_ascii_lowercase().starts_with("basic"));
            let message = if sent_credentials {
                format!("The proxy {label} refused the credentials in the proxy URL (407 Proxy Authentication Required){schemes}.")
            } else {
                format!("The proxy {label} asks for credentials (407 Proxy Authentication Required){schemes}.")
            };
            let mut fix = if sent_credentials {
                "Check the user name and password in the proxy URL (HTTPS_PROXY=http://user:password@host:port; percent-encode @, : and other special characters).".to_string()
            } else {
                "Put the proxy credentials in the proxy URL: HTTPS_PROXY=http://user:password@host:port (percent-encode @, : and other special characters), or ask for this machine to be allowed without authentication.".to_string()
            };
            if negotiate {
                fix.push_str(" This proxy wants Kerberos/NTLM, which Entrance does not speak: run a local relay (cntlm, px) and point HTTPS_PROXY at it.");
            }
            DiagnoseFinding::new(DiagnoseCode::ProxyFailed, Severity::Error, message, fix)
        }
        TunnelError::Refused { status, line } => {
            let why = match status {
                403 => "it does not allow this host (a URL or category filter)",
                502..=504 => "it could not reach the host itself",
                _ => "it refused the tunnel",
            };
            DiagnoseFinding::new(
                DiagnoseCode::ProxyFailed,
                Severity::Error,
                format!("The proxy {label} answered `{line}` to CONNECT {target}: {why}."),
                format!(
                    "Ask the proxy's admins to allow HTTPS (CONNECT) to {target}; for Entra ID that is login.microsoftonline.com:443 and graph.microsoft.com:443."
                ),
            )
        }
        TunnelError::NoAnswer(why) => DiagnoseFinding::new(
            DiagnoseCode::ProxyFailed,
            Severity::Error,
            format!("The proxy {label} did not open a tunnel to {target}: {why}."),
            "Check that HTTPS_PROXY names an HTTP proxy and its HTTP port (a SOCKS port or a web server answers differently).",
        ),
        TunnelError::ProxyTls(why) => DiagnoseFinding::new(
            DiagnoseCode::ProxyFailed,
            Severity::Error,
            format!("TLS with the proxy {label} failed: {why}."),
            "The proxy URL starts with https://: most proxies speak plain HTTP on their port, so try http://; otherwise trust the proxy's CA through the CA file setting or SSL_CERT_FILE.",
        ),
    };
    Outcome::failed(finding.message.clone(), finding).detail("Through the proxy", label)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connect_errors_are_classified_by_kind() {
        let e = |k| io::Error::new(k, "x");
        assert_eq!(
            classify_connect_error(&e(io::ErrorKind::ConnectionRefused)),
            ConnectError::Refused
        );
        assert_eq!(
            classify_connect_error(&e(io::ErrorKind::HostUnreachable)),
            ConnectError::Unreachable
        );
        assert_eq!(
            classify_connect_error(&e(io::ErrorKind::NetworkUnreachable)),
            ConnectError::Unreachable
        );
        assert_eq!(
            classify_connect_error(&e(io::ErrorKind::PermissionDenied)),
            ConnectError::Forbidden
        );
        assert_eq!(
            classify_connect_error(&e(io::ErrorKind::Other)),
            ConnectError::Other
        );
    }

    #[test]
    fn connect_answers_parse() {
        let (s, line, ch) = parse_connect_answer(
            "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"corp\"\r\nproxy-authenticate: Negotiate\r\n\r\n",
        )
        .unwrap();
        assert_eq!(s, 407);
        assert_eq!(line, "HTTP/1.1 407 Proxy Authentication Required");
        assert_eq!(ch, ["Basic realm=\"corp\"", "Negotiate"]);
        assert_eq!(
            parse_connect_answer("HTTP/1.0 200 Connection established\r\n\r\n")
                .unwrap()
                .0,
            200
        );
        assert!(parse_connect_answer("SSH-2.0-OpenSSH\r\n\r\n").is_none());
    }

    #[test]
    fn credentials_come_from_the_proxy_url_decoded() {
        let url = Url::parse("http://corp%5Calice:p%40ss@proxy:3128").unwrap();
        let c = basic_credentials(&url).unwrap();
        use base64::Engine as _;
        let decoded = base64::engine::general_purpose::STANDARD.decode(c).unwrap();
        assert_eq!(decoded, b"corp\\alice:p@ss");
        assert!(basic_credentials(&Url::parse("http://proxy:3128").unwrap()).is_none());
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%4"), "%4");
    }

    #[test]
    fn microsoft_hosts() {
        for h in [
            "login.microsoftonline.com",
            "graph.microsoft.com",
            "login.microsoftonline.us",
            "microsoftgraph.chinacloudapi.cn",
            "login.partner.microsoftonline.cn",
            "login.windows.net",
        ] {
            assert!(is_microsoft_host(h), "{h}");
        }
        for h in [
            "idp.example.com",
            "notmicrosoft.com",
            "microsoft.com.evil.example",
        ] {
            assert!(!is_microsoft_host(h), "{h}");
        }
    }

    #[test]
    fn ipv6_hosts_are_bracketed() {
        assert_eq!(host_port("::1", 443), "[::1]:443");
        assert_eq!(host_port("a.b", 8443), "a.b:8443");
    }
}
