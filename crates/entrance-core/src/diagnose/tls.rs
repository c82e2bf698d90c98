//! The TLS check: a handshake with the subject's host (SNI = the host),
//! through an HTTP `CONNECT` tunnel when a proxy applies, trusting what
//! Entrance's HTTP client trusts: the public CAs (Mozilla's list, built in)
//! and the CA file (the request's, or `SSL_CERT_FILE`).
//!
//! The verifier records the chain the server presented before judging it, so
//! a failure is explained from the certificates themselves: the issuing CA of
//! an intercepted chain, the names a certificate holds, its dates. The chain
//! is only read; a connection whose certificate was refused never carries
//! data. A chain that verifies is checked once more (offline) against the
//! public CAs alone: anchored only in the CA file means TLS inspection that is
//! trusted explicitly (a warning), except on loopback, where it is the
//! sandbox tenant's or a local provider's own CA.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};
use tokio::io::AsyncWriteExt;

use super::context::Context;
use super::environment::{ca_source, extra_ca_certificates, proxy_label};
use super::runner::Outcome;
use super::tcp::{self, is_microsoft_host, Endpoint};
use super::{DiagnoseCode, DiagnoseFinding, Subject};
use crate::findings::Severity;

/// The crypto provider of every TLS connection the doctor makes (rustls has
/// two in this build; none is the process default).
pub(super) fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// The public CAs: Mozilla's list, as Entrance's HTTP client trusts it.
fn public_roots() -> RootCertStore {
    RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    }
}

/// The public CAs and the CA file's certificates.
fn all_roots(extra: &[CertificateDer<'static>]) -> RootCertStore {
    let mut roots = public_roots();
    for der in extra {
        // A certificate that cannot be a trust anchor is reported by the
        // environment check; the others still count.
        let _ = roots.add(der.clone());
    }
    roots
}

fn verifier(roots: RootCertStore) -> Result<Arc<WebPkiServerVerifier>, String> {
    WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider())
        .build()
        .map_err(|e| e.to_string())
}

/// A client configuration that trusts the public CAs and the CA file (for
/// an `https://` proxy).
pub(super) fn client_config(
    extra: &[CertificateDer<'static>],
) -> Result<Arc<rustls::ClientConfig>, String> {
    let config = rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(all_roots(extra))
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// Verifies as `inner` does, after keeping the chain the server presented.
#[derive(Debug)]
struct Recording {
    inner: Arc<WebPkiServerVerifier>,
    chain: Mutex<Vec<CertificateDer<'static>>>,
}

impl ServerCertVerifier for Recording {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if let Ok(mut chain) = self.chain.lock() {
            *chain = std::iter::once(end_entity)
                .chain(intermediates)
                .map(|c| c.clone().into_owned())
                .collect();
        }
        self.inner
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// The fields of a certificate an admin reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CertInfo {
    /// `CN=…, O=…` as written in the certificate.
    pub subject: String,
    pub issuer: String,
    /// The common name and organisation, for sentences.
    pub subject_cn: Option<String>,
    pub subject_o: Option<String>,
    pub issuer_cn: Option<String>,
    pub issuer_o: Option<String>,
    /// DNS names and IP addresses of the subject alternative names.
    pub names: Vec<String>,
    /// Unix seconds.
    pub not_before: i64,
    pub not_after: i64,
    pub is_ca: bool,
    pub self_issued: bool,
}

impl CertInfo {
    pub fn parse(der: &CertificateDer<'_>) -> Option<CertInfo> {
        let (_, cert) = x509_parser::parse_x509_certificate(der.as_ref()).ok()?;
        let first = |name: &x509_parser::x509::X509Name<'_>, cn: bool| {
            let mut it: Box<dyn Iterator<Item = _>> = if cn {
                Box::new(name.iter_common_name())
            } else {
                Box::new(name.iter_organization())
            };
            it.next().and_then(|a| a.as_str().ok()).map(str::to_string)
        };
        let mut names = Vec::new();
        if let Ok(Some(san)) = cert.subject_alternative_name() {
            for n in &san.value.general_names {
                match n {
                    x509_parser::extensions::GeneralName::DNSName(d) => {
                        names.push((*d).to_string())
                    }
                    x509_parser::extensions::GeneralName::IPAddress(b) => {
                        if let Ok(a) = <[u8; 4]>::try_from(*b) {
                            names.push(std::net::Ipv4Addr::from(a).to_string());
                        } else if let Ok(a) = <[u8; 16]>::try_from(*b) {
                            names.push(std::net::Ipv6Addr::from(a).to_string());
                        }
                    }
                    _ => {}
                }
            }
        }
        Some(CertInfo {
            subject: cert.subject().to_string(),
            issuer: cert.issuer().to_string(),
            subject_cn: first(cert.subject(), true),
            subject_o: first(cert.subject(), false),
            issuer_cn: first(cert.issuer(), true),
            issuer_o: first(cert.issuer(), false),
            names,
            not_before: cert.validity().not_before.timestamp(),
            not_after: cert.validity().not_after.timestamp(),
            is_ca: cert.is_ca(),
            self_issued: cert.subject().as_raw() == cert.issuer().as_raw(),
        })
    }

    /// “Common Name” (Organisation), or the whole subject.
    pub fn short_subject(&self) -> String {
        short(&self.subject_cn, &self.subject_o, &self.subject)
    }

    pub fn short_issuer(&self) -> String {
        short(&self.issuer_cn, &self.issuer_o, &self.issuer)
    }
}

fn short(cn: &Option<String>, o: &Option<String>, whole: &str) -> String {
    match (cn, o) {
        (Some(cn), Some(o)) if o != cn => format!("“{cn}” ({o})"),
        (Some(cn), _) => format!("“{cn}”"),
        (None, Some(o)) => format!("“{o}”"),
        (None, None) => format!("“{whole}”"),
    }
}

/// A Unix time as `2026-05-01 12:00 UTC`.
pub(crate) fn date(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| {
            t.format(time::macros::format_description!(
                "[year]-[month]-[day] [hour]:[minute] UTC"
            ))
            .ok()
        })
        .unwrap_or_else(|| unix.to_string())
}

fn days_between(from: i64, to: i64) -> i64 {
    (to - from).div_euclid(86_400)
}

/// What a failed handshake means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Failure {
    /// The chain anchors in no CA Entrance trusts.
    Untrusted,
    Expired,
    NotYetValid,
    NameMismatch,
    /// The server did not speak TLS (plain HTTP on the port, most often).
    NotTls,
    /// No protocol version or cipher suite in common.
    NoCommonProtocol,
    /// The connection was closed during the handshake.
    Closed,
    Other(String),
}

/// Classifies a handshake error (an `io::Error` from tokio-rustls, holding
/// a `rustls::Error` when TLS itself failed).
pub(super) fn classify(e: &std::io::Error) -> Failure {
    if let Some(tls) = e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>()) {
        return classify_tls(tls);
    }
    match e.kind() {
        std::io::ErrorKind::UnexpectedEof
        | std::io::ErrorKind::ConnectionReset
        | std::io::ErrorKind::ConnectionAborted
        | std::io::ErrorKind::BrokenPipe => Failure::Closed,
        _ => Failure::Other(e.to_string()),
    }
}

pub(super) fn classify_tls(e: &rustls::Error) -> Failure {
    use rustls::AlertDescription as A;
    match e {
        rustls::Error::InvalidCertificate(c) => match c {
            CertificateError::UnknownIssuer => Failure::Untrusted,
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => Failure::Expired,
            CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
                Failure::NotYetValid
            }
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                Failure::NameMismatch
            }
            other => Failure::Other(format!("the certificate was refused: {other:?}")),
        },
        rustls::Error::InvalidMessage(_) => Failure::NotTls,
        rustls::Error::AlertReceived(
            A::HandshakeFailure | A::ProtocolVersion | A::InsufficientSecurity,
        ) => Failure::NoCommonProtocol,
        rustls::Error::PeerIncompatible(_) => Failure::NoCommonProtocol,
        other => Failure::Other(other.to_string()),
    }
}

/// The hosts an admin would exempt from TLS inspection.
fn microsoft_hosts_phrase(cx: &Context, host: &str) -> String {
    if !is_microsoft_host(host) {
        return host.to_string();
    }
    let authority = cx
        .authority
        .url()
        .host_str()
        .filter(|h| is_microsoft_host(h))
        .unwrap_or("login.microsoftonline.com")
        .to_string();
    let graph = cx
        .url_of(Subject::Graph)
        .and_then(|u| u.host_str().map(str::to_string))
        .filter(|h| is_microsoft_host(h))
        .unwrap_or_else(|| "graph.microsoft.com".into());
    if authority == graph {
        authority
    } else {
        format!("{authority} and {graph}")
    }
}

/// The chain as `leaf ← intermediate ← …`.
fn chain_line(infos: &[CertInfo]) -> String {
    infos
        .iter()
        .map(CertInfo::short_subject)
        .collect::<Vec<_>>()
        .join(" ← ")
}

/// Who vouches for the chain: the issuer of its last certificate (or that
/// certificate, when it is self-issued).
fn top_issuer(infos: &[CertInfo]) -> Option<String> {
    let top = infos.last()?;
    Some(if top.self_issued {
        top.short_subject()
    } else {
        top.short_issuer()
    })
}

fn certificate_details(mut out: Outcome, infos: &[CertInfo]) -> Outcome {
    let Some(leaf) = infos.first() else {
        return out;
    };
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    out = out
        .detail("Certificate subject", leaf.subject.clone())
        .detail(
            "Certificate names",
            if leaf.names.is_empty() {
                "(none: no subject alternative names)".to_string()
            } else {
                leaf.names.join(", ")
            },
        )
        .detail("Issuer", leaf.issuer.clone())
        .detail(
            "Valid until",
            if leaf.not_after < now {
                format!(
                    "{} (expired {} days ago)",
                    date(leaf.not_after),
                    days_between(leaf.not_after, now)
                )
            } else {
                format!(
                    "{} (in {} days)",
                    date(leaf.not_after),
                    days_between(now, leaf.not_after)
                )
            },
        );
    if infos.len() > 1 {
        out = out.detail("Chain", chain_line(infos));
    }
    out
}

pub(super) async fn run(cx: &Context, subject: Subject) -> Outcome {
    let started = Instant::now();
    // What is left of the check's time, less a margin so a silent peer is
    // reported here (with what was waited for) rather than by the runner.
    let budget = || cx.timeout.mul_f64(0.9).saturating_sub(started.elapsed());
    let ep = match tcp::endpoint(cx, subject) {
        Ok(ep) => ep,
        Err(outcome) => return outcome,
    };
    let server_name = match ServerName::try_from(ep.host.clone()) {
        Ok(n) => n,
        Err(e) => {
            let f = DiagnoseFinding::new(
                DiagnoseCode::TlsHandshakeFailed,
                Severity::Error,
                format!("{} is not a name TLS can be asked for ({e}).", ep.host),
                "Use the host name the server's certificate is issued for.",
            );
            return Outcome::failed(f.message.clone(), f);
        }
    };
    let extra = extra_ca_certificates(cx);
    let (Ok(trusted), Ok(public)) = (verifier(all_roots(&extra)), verifier(public_roots())) else {
        let f = DiagnoseFinding::new(
            DiagnoseCode::TlsHandshakeFailed,
            Severity::Error,
            "The TLS verifier could not be set up.",
            "Report this to Entrance's developers.",
        );
        return Outcome::failed(f.message.clone(), f);
    };

    let (stream, _, _) = match tcp::open(cx, subject, &ep).await {
        Ok(s) => s,
        Err(failure) => return tcp::failure_outcome(cx, &ep, failure),
    };
    let io: Box<dyn tcp::Io> = match &ep.proxy {
        Some(proxy) => {
            let to_proxy = client_config(&extra).ok();
            match tokio::time::timeout(
                budget(),
                tcp::tunnel(stream, proxy, &ep.host, ep.port, to_proxy),
            )
            .await
            {
                Ok(Ok(io)) => io,
                Ok(Err(e)) => return tcp::tunnel_outcome(&ep, proxy, e),
                Err(_) => {
                    let mut out = tcp::tunnel_outcome(
                        &ep,
                        proxy,
                        tcp::TunnelError::NoAnswer(format!(
                            "it did not answer the CONNECT request within {:.0} s",
                            cx.timeout.as_secs_f32()
                        )),
                    );
                    out.status = super::CheckStatus::TimedOut;
                    return out;
                }
            }
        }
        None => Box::new(stream),
    };

    let recording = Arc::new(Recording {
        inner: trusted,
        chain: Mutex::new(Vec::new()),
    });
    let config = match rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
    {
        Ok(b) => b
            .dangerous()
            .with_custom_certificate_verifier(recording.clone())
            .with_no_client_auth(),
        Err(e) => {
            let f = DiagnoseFinding::new(
                DiagnoseCode::TlsHandshakeFailed,
                Severity::Error,
                format!("TLS could not be set up: {e}."),
                "Report this to Entrance's developers.",
            );
            return Outcome::failed(f.message.clone(), f);
        }
    };
    let t0 = Instant::now();
    let handshake =
        tokio_rustls::TlsConnector::from(Arc::new(config)).connect(server_name.clone(), io);
    let Ok(result) = tokio::time::timeout(budget(), handshake).await else {
        return silent_handshake(&ep, t0.elapsed());
    };
    let took = t0.elapsed();
    let chain: Vec<CertificateDer<'static>> = recording
        .chain
        .lock()
        .map(|c| c.clone())
        .unwrap_or_default();
    let infos: Vec<CertInfo> = chain.iter().filter_map(CertInfo::parse).collect();

    match result {
        Ok(mut tls) => {
            let (version, suite) = {
                let (_, conn) = tls.get_ref();
                (
                    conn.protocol_version()
                        .map(|v| match v {
                            rustls::ProtocolVersion::TLSv1_3 => "TLS 1.3".to_string(),
                            rustls::ProtocolVersion::TLSv1_2 => "TLS 1.2".to_string(),
                            other => format!("{other:?}"),
                        })
                        .unwrap_or_else(|| "TLS".into()),
                    conn.negotiated_cipher_suite()
                        .map(|s| format!("{:?}", s.suite()))
                        .unwrap_or_default(),
                )
            };
            // Nothing is sent: close politely and read the chain only.
            let _ =
                tokio::time::timeout(std::time::Duration::from_millis(200), tls.shutdown()).await;
            let public_ok = match chain.split_first() {
                Some((leaf, rest)) => public
                    .verify_server_cert(leaf, rest, &server_name, &[], UnixTime::now())
                    .is_ok(),
                None => false,
            };
            passed(cx, &ep, &infos, public_ok, &version, &suite, took)
        }
        Err(e) => failed(cx, &ep, &infos, classify(&e), &e),
    }
}

/// The peer took the connection and never answered the ClientHello.
fn silent_handshake(ep: &Endpoint, waited: std::time::Duration) -> Outcome {
    let host = ep.authority();
    let message = format!(
        "{host} sent no TLS answer within {:.1} s of Entrance's ClientHello: something that does not speak TLS listens there (waiting for a plain request), or a firewall holds the connection after reading the server name.",
        waited.as_secs_f32()
    );
    let fix = match &ep.proxy {
        Some(p) => format!(
            "The tunnel through {} opened but nothing answered in TLS: check that the proxy really reaches {} on port {}.",
            proxy_label(p),
            ep.host,
            ep.port
        ),
        None => format!(
            "Check the URL's scheme and port: an https URL needs a TLS server. If they are right, a firewall filtering by server name (SNI) may be holding the connection: allow {}, or set HTTPS_PROXY if this network goes out through a proxy.",
            ep.host
        ),
    };
    super::runner::Outcome {
        status: super::CheckStatus::TimedOut,
        summary: message.clone(),
        details: Vec::new(),
        findings: vec![DiagnoseFinding::new(
            DiagnoseCode::TlsHandshakeFailed,
            Severity::Error,
            message,
            fix,
        )],
    }
}

fn passed(
    cx: &Context,
    ep: &Endpoint,
    infos: &[CertInfo],
    public_ok: bool,
    version: &str,
    suite: &str,
    took: std::time::Duration,
) -> Outcome {
    let anchor = top_issuer(infos).unwrap_or_else(|| "its CA".into());
    let ca_file = cx
        .extra_ca
        .as_ref()
        .map(|(p, _)| p.clone())
        .unwrap_or_default();
    let host = ep.authority();
    let base = if public_ok {
        Outcome::passed(format!(
            "{version} with {host}; the certificate is valid and issued under {anchor}, a public CA."
        ))
    } else if crate::verify::is_loopback(&ep.url) {
        Outcome::passed(format!(
            "{version} with {host}; the certificate is issued by {anchor}, trusted through the CA file {ca_file} ({})",
            ca_source(cx)
        ) + ".")
    } else {
        let hosts = microsoft_hosts_phrase(cx, &ep.host);
        Outcome::warning(
            format!("{version} with {host}, but the certificate comes from {anchor}, trusted only through the CA file: TLS inspection."),
            DiagnoseFinding::new(
                DiagnoseCode::TlsInterception,
                Severity::Warning,
                format!(
                    "{host} presented a certificate issued by {anchor}, which is not a public CA; Entrance trusts it only because {ca_file} ({}) holds it. A proxy or firewall is inspecting this TLS connection.",
                    ca_source(cx)
                ),
                format!(
                    "Nothing breaks while that CA stays in the CA file. Sign-in codes, tokens and client secrets are readable by the inspecting device, though: ask the network team to exempt {hosts} from TLS inspection."
                ),
            ),
        )
    };
    let mut out = base.detail("Protocol", version);
    if !suite.is_empty() {
        out = out.detail("Cipher suite", suite);
    }
    out = certificate_details(out, infos).detail(
        "Trusted through",
        if public_ok {
            "the public CAs (Mozilla's list, built into Entrance)".to_string()
        } else {
            format!("the CA file {ca_file}")
        },
    );
    if let Some(p) = &ep.proxy {
        out = out.detail(
            "Through the proxy",
            format!("{} (HTTP CONNECT)", proxy_label(p)),
        );
    }
    out.detail("Handshake", format!("{} ms", took.as_millis()))
}

fn failed(
    cx: &Context,
    ep: &Endpoint,
    infos: &[CertInfo],
    failure: Failure,
    error: &std::io::Error,
) -> Outcome {
    let host = ep.authority();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let microsoft = is_microsoft_host(&ep.host);
    let hosts = microsoft_hosts_phrase(cx, &ep.host);
    let leaf = infos.first();
    let finding = match failure {
        Failure::Untrusted => {
            let issuer = top_issuer(infos).unwrap_or_else(|| "an unknown CA".into());
            let self_signed = infos.len() == 1 && leaf.is_some_and(|l| l.self_issued);
            let message = if crate::verify::is_loopback(&ep.url) {
                format!(
                    "{host} presented a certificate issued by {issuer}, which Entrance does not trust: it is not a public CA and not in a CA file."
                )
            } else if self_signed {
                format!("{host} presented a self-signed certificate ({issuer}): no CA vouches for it.")
            } else if microsoft {
                format!(
                    "{host} presented a certificate issued by {issuer}, which is not a public CA: Microsoft's certificates chain to public CAs, so a proxy or firewall is inspecting TLS (it re-signs the site with its own CA)."
                )
            } else {
                format!(
                    "{host} presented a certificate issued by {issuer}, which is not a public CA: TLS inspection by a proxy or firewall, a private CA, or a server that does not send its intermediate certificates."
                )
            };
            let fix = if crate::verify::is_loopback(&ep.url) {
                "Give the CA that issued it as the CA file (the CA file setting or SSL_CERT_FILE); for the sandbox tenant, `entrance sandbox serve --tls --ca-out FILE` writes it.".to_string()
            } else {
                format!(
                    "If this inspection is your organisation's, trust its CA explicitly: export {issuer} as PEM and give it as the CA file (the CA file setting, or SSL_CERT_FILE). Better, ask the network team to exempt {hosts} from TLS inspection: sign-in codes, tokens and client secrets cross this connection."
                )
            };
            DiagnoseFinding::new(DiagnoseCode::TlsInterception, Severity::Error, message, fix)
        }
        Failure::Expired => {
            let when = leaf
                .map(|l| format!(" on {} ({} days ago)", date(l.not_after), days_between(l.not_after, now)))
                .unwrap_or_default();
            DiagnoseFinding::new(
                DiagnoseCode::TlsExpired,
                Severity::Error,
                format!("The certificate of {host} expired{when}."),
                if microsoft {
                    format!("Microsoft renews its certificates long before they expire: an expired one for {} comes from a TLS-inspecting proxy with a stale certificate, or this machine's clock is far ahead (check `timedatectl status`).", ep.host)
                } else {
                    "Renew the server's certificate. If every site looks expired from here, this machine's clock is ahead: check `timedatectl status` and enable NTP.".to_string()
                },
            )
        }
        Failure::NotYetValid => {
            let when = leaf
                .map(|l| format!(" until {}", date(l.not_before)))
                .unwrap_or_default();
            DiagnoseFinding::new(
                DiagnoseCode::TlsNotYetValid,
                Severity::Error,
                format!("The certificate of {host} is not valid yet{when}."),
                "This machine's clock is most likely behind: enable time synchronisation (`timedatectl set-ntp true`, or chrony) and check `timedatectl status`. If the clock is right, the server's certificate was issued with a future date: reissue it.",
            )
        }
        Failure::NameMismatch => {
            let names = leaf
                .map(|l| {
                    if l.names.is_empty() {
                        format!("no host name (subject {})", l.subject)
                    } else {
                        l.names.join(", ")
                    }
                })
                .unwrap_or_else(|| "other names".into());
            DiagnoseFinding::new(
                DiagnoseCode::TlsNameMismatch,
                Severity::Error,
                format!("The certificate presented for {} is for {names}, not for {}.", host, ep.host),
                if microsoft {
                    format!("Something other than Microsoft answered for {}: a proxy, a captive portal or a hosts-file entry. Check the DNS check's addresses and /etc/hosts.", ep.host)
                } else {
                    "Use a host name the certificate covers in the URL, or reissue the server's certificate with this name in its subject alternative names.".to_string()
                },
            )
        }
        Failure::NotTls => DiagnoseFinding::new(
            DiagnoseCode::TlsHandshakeFailed,
            Severity::Error,
            format!("{host} did not answer in TLS ({error}): something else listens there, often a plain-HTTP server."),
            "Check the URL's scheme and port: an https URL needs a TLS server (a plain-HTTP server on the port, or a proxy's port given as the server's, answer like this).",
        ),
        Failure::NoCommonProtocol => DiagnoseFinding::new(
            DiagnoseCode::TlsHandshakeFailed,
            Severity::Error,
            format!("{host} and Entrance have no TLS version or cipher in common ({error})."),
            "Entrance speaks TLS 1.2 and 1.3 with current ciphers: the server (or an inspecting proxy) needs TLS 1.2 at least.",
        ),
        Failure::Closed => DiagnoseFinding::new(
            DiagnoseCode::TlsHandshakeFailed,
            Severity::Error,
            format!("The connection to {host} was closed during the TLS handshake, right after Entrance named the host ({error})."),
            match &ep.proxy {
                Some(_) => format!("The proxy cut the tunnel: check that it allows {} and does not require another port.", ep.host),
                None => format!("A firewall that filters by server name (SNI) closes connections like this: allow {}, or set HTTPS_PROXY if this network reaches the internet through a proxy.", ep.host),
            },
        ),
        Failure::Other(why) => DiagnoseFinding::new(
            DiagnoseCode::TlsHandshakeFailed,
            Severity::Error,
            format!("The TLS handshake with {host} failed: {why}."),
            "Check the URL's scheme and port; if a proxy or firewall inspects TLS here, it may be the cause.",
        ),
    };
    let mut out = Outcome::failed(finding.message.clone(), finding);
    out = certificate_details(out, infos);
    if let Some(p) = &ep.proxy {
        out = out.detail(
            "Through the proxy",
            format!("{} (HTTP CONNECT)", proxy_label(p)),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustls::AlertDescription;

    #[test]
    fn certificate_errors_are_classified() {
        let cert = |c| rustls::Error::InvalidCertificate(c);
        assert_eq!(
            classify_tls(&cert(CertificateError::UnknownIssuer)),
            Failure::Untrusted
        );
        assert_eq!(
            classify_tls(&cert(CertificateError::Expired)),
            Failure::Expired
        );
        assert_eq!(
            classify_tls(&cert(CertificateError::NotValidYet)),
            Failure::NotYetValid
        );
        assert_eq!(
            classify_tls(&cert(CertificateError::NotValidForName)),
            Failure::NameMismatch
        );
        assert!(matches!(
            classify_tls(&cert(CertificateError::BadSignature)),
            Failure::Other(_)
        ));
        assert_eq!(
            classify_tls(&rustls::Error::InvalidMessage(
                rustls::InvalidMessage::InvalidContentType
            )),
            Failure::NotTls
        );
        assert_eq!(
            classify_tls(&rustls::Error::AlertReceived(
                AlertDescription::ProtocolVersion
            )),
            Failure::NoCommonProtocol
        );
    }

    #[test]
    fn io_errors_wrap_tls_errors() {
        let e = std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer),
        );
        assert_eq!(classify(&e), Failure::Untrusted);
        let eof = std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "tls handshake eof");
        assert_eq!(classify(&eof), Failure::Closed);
    }

    fn info(subject: &str, issuer: &str, self_issued: bool) -> CertInfo {
        CertInfo {
            subject: format!("CN={subject}"),
            issuer: format!("CN={issuer}"),
            subject_cn: Some(subject.into()),
            subject_o: None,
            issuer_cn: Some(issuer.into()),
            issuer_o: Some("Corp".into()),
            names: vec![],
            not_before: 0,
            not_after: 0,
            is_ca: false,
            self_issued,
        }
    }

    #[test]
    fn the_top_issuer_names_who_vouches_for_the_chain() {
        let chain = [
            info("login.microsoftonline.com", "Corp Issuing CA", false),
            info("Corp Issuing CA", "Corp Root CA", false),
        ];
        assert_eq!(top_issuer(&chain).unwrap(), "“Corp Root CA” (Corp)");
        assert_eq!(
            chain_line(&chain),
            "“login.microsoftonline.com” ← “Corp Issuing CA”"
        );
        let self_signed = [info("host", "host", true)];
        assert_eq!(top_issuer(&self_signed).unwrap(), "“host”");
        assert_eq!(top_issuer(&[]), None);
    }

    #[test]
    fn dates_read_as_utc() {
        assert_eq!(date(0), "1970-01-01 00:00 UTC");
        assert_eq!(days_between(0, 86_400 * 3 + 5), 3);
    }
}
