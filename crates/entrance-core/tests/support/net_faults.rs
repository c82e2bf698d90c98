//! Fault servers for the connectivity doctor's tests, all on 127.0.0.1: a
//! test CA and its certificates, HTTP and HTTPS servers with a canned answer,
//! a server that accepts and never answers, one that closes without an
//! answer, and an HTTP CONNECT proxy (asking for credentials, or forwarding
//! to one of these servers). Every server lives as long as the test's runtime.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A test CA that issues server certificates.
pub struct TestCa {
    pub name: String,
    pub pem: String,
    der: CertificateDer<'static>,
    issuer: Issuer<'static, KeyPair>,
}

impl TestCa {
    pub fn new(name: &str) -> TestCa {
        let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).expect("CA key");
        let mut params = CertificateParams::default();
        params.distinguished_name = rcgen::DistinguishedName::new();
        params.distinguished_name.push(DnType::CommonName, name);
        params
            .distinguished_name
            .push(DnType::OrganizationName, "Contoso Network Security");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        params.not_before = rcgen::date_time_ymd(2020, 1, 1);
        params.not_after = rcgen::date_time_ymd(2090, 1, 1);
        let cert = params.self_signed(&key).expect("CA certificate");
        TestCa {
            name: name.to_string(),
            pem: cert.pem(),
            der: CertificateDer::from(cert.der().to_vec()),
            issuer: Issuer::new(params, key),
        }
    }

    /// A server certificate for `names`, valid between the two dates
    /// (`(year, month, day)`), as a rustls server configuration.
    pub fn server(
        &self,
        names: &[&str],
        not_before: (i32, u8, u8),
        not_after: (i32, u8, u8),
    ) -> Arc<rustls::ServerConfig> {
        let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).expect("key");
        let mut params =
            CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
                .expect("names");
        params.distinguished_name = rcgen::DistinguishedName::new();
        params.distinguished_name.push(DnType::CommonName, names[0]);
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.not_before = rcgen::date_time_ymd(not_before.0, not_before.1, not_before.2);
        params.not_after = rcgen::date_time_ymd(not_after.0, not_after.1, not_after.2);
        let cert = params.signed_by(&key, &self.issuer).expect("leaf");
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("versions")
            .with_no_client_auth()
            .with_single_cert(
                vec![CertificateDer::from(cert.der().to_vec()), self.der.clone()],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
            )
            .expect("server config");
        Arc::new(config)
    }

    /// A certificate valid from 2020 to 2090.
    pub fn valid_server(&self, names: &[&str]) -> Arc<rustls::ServerConfig> {
        self.server(names, (2020, 1, 1), (2090, 1, 1))
    }

    /// Writes the CA's PEM to a file of its own and returns the path.
    pub fn write_pem(&self, file: &str) -> String {
        write_temp(file, &self.pem)
    }
}

/// Writes `text` under Cargo's per-test temporary directory.
pub fn write_temp(file: &str, text: &str) -> String {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("diagnose_network");
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(file);
    std::fs::write(&path, text).expect("write");
    path.to_string_lossy().into_owned()
}

/// A canned HTTP answer.
#[derive(Clone, Debug)]
pub struct Reply {
    pub status: u16,
    pub content_type: &'static str,
    pub body: String,
    /// The `Date` header; `None` sends none.
    pub date: Option<String>,
}

impl Reply {
    pub fn json(status: u16, body: &str) -> Reply {
        Reply {
            status,
            content_type: "application/json; charset=utf-8",
            body: body.to_string(),
            date: Some(httpdate::fmt_http_date(std::time::SystemTime::now())),
        }
    }

    fn bytes(&self) -> Vec<u8> {
        let mut head = format!(
            "HTTP/1.1 {} Test\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n",
            self.status,
            self.content_type,
            self.body.len()
        );
        if let Some(d) = &self.date {
            head.push_str(&format!("Date: {d}\r\n"));
        }
        head.push_str("\r\n");
        let mut out = head.into_bytes();
        out.extend_from_slice(self.body.as_bytes());
        out
    }
}

/// Reads an HTTP head (up to the blank line).
async fn read_head<S: AsyncRead + Unpin>(s: &mut S) -> Option<String> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match s.read(&mut byte).await {
            Ok(1) => head.push(byte[0]),
            _ => return None,
        }
        if head.len() > 64 * 1024 {
            return None;
        }
    }
    Some(String::from_utf8_lossy(&head).into_owned())
}

async fn answer<S: AsyncRead + AsyncWrite + Unpin>(mut s: S, reply: &Reply) {
    // Like a real server, answer 400 at once to bytes that are not a request
    // line (a TLS ClientHello sent to a plain-HTTP port).
    let mut first = [0u8; 1];
    if s.read_exact(&mut first).await.is_err() {
        return;
    }
    if !first[0].is_ascii_uppercase() {
        let _ = s
            .write_all(
                b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            )
            .await;
        let _ = s.shutdown().await;
        return;
    }
    if read_head(&mut s).await.is_some() {
        let _ = s.write_all(&reply.bytes()).await;
        let _ = s.shutdown().await;
    }
}

async fn listener() -> (TcpListener, SocketAddr) {
    let l = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let a = l.local_addr().expect("addr");
    (l, a)
}

/// A port nothing listens on (bound, then released).
pub async fn free_port() -> u16 {
    let (l, a) = listener().await;
    drop(l);
    a.port()
}

/// Plain HTTP with a canned answer.
pub async fn http_server(reply: Reply) -> SocketAddr {
    let (l, addr) = listener().await;
    tokio::spawn(async move {
        while let Ok((s, _)) = l.accept().await {
            let reply = reply.clone();
            tokio::spawn(async move { answer(s, &reply).await });
        }
    });
    addr
}

/// HTTPS with a canned answer; handshakes that fail are dropped.
pub async fn tls_server(config: Arc<rustls::ServerConfig>, reply: Reply) -> SocketAddr {
    let (l, addr) = listener().await;
    let acceptor = tokio_rustls::TlsAcceptor::from(config);
    tokio::spawn(async move {
        while let Ok((s, _)) = l.accept().await {
            let (acceptor, reply) = (acceptor.clone(), reply.clone());
            tokio::spawn(async move {
                if let Ok(tls) = acceptor.accept(s).await {
                    answer(tls, &reply).await;
                }
            });
        }
    });
    addr
}

/// Accepts connections and never says anything (keeps them open).
pub async fn silent_server() -> SocketAddr {
    let (l, addr) = listener().await;
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = l.accept().await {
            held.push(s);
        }
    });
    addr
}

/// Reads the request, then closes the connection without an answer.
pub async fn closing_server() -> SocketAddr {
    let (l, addr) = listener().await;
    tokio::spawn(async move {
        while let Ok((mut s, _)) = l.accept().await {
            tokio::spawn(async move {
                let _ = read_head(&mut s).await;
                drop(s);
            });
        }
    });
    addr
}

/// What a test proxy does with a CONNECT.
#[derive(Clone, Debug)]
pub enum ProxyMode {
    /// Answers 407 with a Basic challenge, always.
    AskCredentials,
    /// Opens the tunnel to `to` (whatever host the CONNECT names); with
    /// `basic`, only when `Proxy-Authorization: Basic <basic>` came.
    Forward {
        to: SocketAddr,
        basic: Option<String>,
    },
}

/// An HTTP CONNECT proxy; the returned list collects each request head.
pub async fn connect_proxy(mode: ProxyMode) -> (SocketAddr, Arc<Mutex<Vec<String>>>) {
    let (l, addr) = listener().await;
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let log = Arc::clone(&seen);
    tokio::spawn(async move {
        while let Ok((mut s, _)) = l.accept().await {
            let (mode, log) = (mode.clone(), Arc::clone(&log));
            tokio::spawn(async move {
                let Some(head) = read_head(&mut s).await else {
                    return;
                };
                log.lock().unwrap().push(head.clone());
                let authorized = |basic: &Option<String>| match basic {
                    None => true,
                    Some(b) => head.lines().any(|l| {
                        l.eq_ignore_ascii_case(&format!("proxy-authorization: basic {b}"))
                    }),
                };
                match mode {
                    ProxyMode::Forward { to, basic } if authorized(&basic) => {
                        let Ok(mut upstream) = TcpStream::connect(to).await else {
                            let _ = s.write_all(b"HTTP/1.1 502 Bad Gateway\r\n\r\n").await;
                            return;
                        };
                        if s.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                            .await
                            .is_ok()
                        {
                            let _ = tokio::io::copy_bidirectional(&mut s, &mut upstream).await;
                        }
                    }
                    _ => {
                        let _ = s
                            .write_all(
                                b"HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"Contoso proxy\"\r\nContent-Length: 0\r\n\r\n",
                            )
                            .await;
                    }
                }
            });
        }
    });
    (addr, seen)
}
