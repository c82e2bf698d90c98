//! The loopback listener that receives the browser's redirect.
//!
//! Small on purpose, so it can be read in one sitting:
//! - it binds 127.0.0.1 (and [::1] when the redirect host is `localhost`),
//!   never a wildcard address;
//! - each connection gets [`READ_TIMEOUT`] to send a request head of at most
//!   [`MAX_HEAD_BYTES`]; a client that connects and sends nothing is dropped,
//!   never waited for;
//! - at most [`MAX_CONNECTIONS`] connections are handled at once; a new one
//!   is never turned away — the oldest connection that has not sent a byte
//!   yet (else the oldest) makes room — so a flood of idle or slow local
//!   connections cannot keep the browser's callback out;
//! - only `GET` on the redirect path with this sign-in's `state` (compared in
//!   constant time) is the callback; anything else — a favicon, a stale tab, a
//!   POST — gets a short 400/404/405 page and the listener keeps waiting;
//! - the first valid callback ends listening: the socket closes, every other
//!   connection is dropped, and the browser's connection is kept to answer
//!   with the outcome page once the tokens are checked.

use std::collections::VecDeque;
use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio::time::{timeout, Instant};
use tokio_util::sync::CancellationToken;

use super::pages::{self, Page};
use super::{LoginError, LoginProgress, LoopbackHost, Phase, RedirectSpec};

/// The most of a request head the listener reads (request line + headers).
pub const MAX_HEAD_BYTES: usize = 8 * 1024;
/// How long a connection may take to send its request head.
pub const READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Connections handled at once; a newer one takes the place of the oldest
/// silent one.
pub const MAX_CONNECTIONS: usize = 256;
/// How long writing an answer may take.
const WRITE_TIMEOUT: Duration = Duration::from_secs(5);

/// A bound listener.
#[derive(Debug)]
pub(crate) struct Listener {
    sockets: Vec<TcpListener>,
    port: u16,
}

impl Listener {
    /// Binds loopback for `spec`: 127.0.0.1, plus [::1] on the same port for
    /// `localhost` (browsers may resolve it to either).
    pub(crate) async fn bind(spec: &RedirectSpec) -> Result<Listener, LoginError> {
        // An OS-chosen port that turns out to be taken on [::1] by someone
        // else is given back and another one tried: the browser must never
        // reach a stranger's socket.
        for _ in 0..8 {
            let v4 = SocketAddr::from((Ipv4Addr::LOCALHOST, spec.port.unwrap_or(0)));
            let first = TcpListener::bind(v4)
                .await
                .map_err(|e| bind_error(&e, v4, spec.port))?;
            let port = first
                .local_addr()
                .map_err(|e| bind_error(&e, v4, spec.port))?
                .port();
            let mut sockets = vec![first];
            if spec.host == LoopbackHost::Localhost {
                let v6 = SocketAddr::from((Ipv6Addr::LOCALHOST, port));
                match TcpListener::bind(v6).await {
                    Ok(l) => sockets.push(l),
                    Err(e) if e.kind() == io::ErrorKind::AddrInUse => {
                        if spec.port.is_some() {
                            return Err(LoginError::PortInUse { port });
                        }
                        continue;
                    }
                    // No IPv6 loopback on this machine: 127.0.0.1 suffices.
                    Err(_) => {}
                }
            }
            return Ok(Listener { sockets, port });
        }
        Err(LoginError::Listener {
            addr: "127.0.0.1 / [::1]".into(),
            detail: "no port was free on both loopback addresses".into(),
        })
    }

    /// The bound port.
    pub(crate) fn port(&self) -> u16 {
        self.port
    }

    /// The addresses listened on, for the admin (`127.0.0.1:51234`).
    pub(crate) fn addresses(&self) -> Vec<String> {
        self.sockets
            .iter()
            .filter_map(|s| s.local_addr().ok())
            .map(|a| a.to_string())
            .collect()
    }

    /// Waits for this sign-in's callback: `GET {path}?…state={state}…`.
    /// Ends at the first valid callback, at `deadline`, or when cancelled.
    pub(crate) async fn wait(
        self,
        path: &str,
        state: &str,
        deadline: Instant,
        cancel: &CancellationToken,
        progress: &(dyn Fn(LoginProgress) + Send + Sync),
    ) -> Result<Callback, LoginError> {
        let started = Instant::now();
        let expected = Arc::new(Expected {
            path: path.to_string(),
            state: state.to_string(),
        });
        let (tx, mut rx) = mpsc::channel::<Event>(MAX_CONNECTIONS);
        let mut tasks = JoinSet::new();
        let mut live: VecDeque<Slot> = VecDeque::new();
        loop {
            tokio::select! {
                biased;
                _ = cancel.cancelled() => return Err(LoginError::Cancelled),
                _ = tokio::time::sleep_until(deadline) => {
                    return Err(LoginError::Timeout { waited: started.elapsed(), phase: Phase::Authorize });
                }
                Some(event) = rx.recv() => match event {
                    Event::Ignored(reason) => progress(LoginProgress::RequestIgnored { reason }),
                    // Returning drops the sockets (no new connection is
                    // accepted) and the task set (every other connection closes).
                    Event::Callback(callback) => return Ok(callback),
                },
                // Finished connections leave the count as they end, not
                // only when the next one arrives.
                Some(_) = tasks.join_next(), if !tasks.is_empty() => {
                    live.retain(|s| !s.task.is_finished());
                }
                accepted = accept_any(&self.sockets) => match accepted {
                    Ok(stream) => {
                        make_room(&mut live);
                        let spoke = Arc::new(AtomicBool::new(false));
                        let task = tasks.spawn(handle(
                            stream,
                            Arc::clone(&expected),
                            tx.clone(),
                            Arc::clone(&spoke),
                        ));
                        live.push_back(Slot { task, spoke });
                    }
                    // Out of file descriptors and the like: do not spin.
                    Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
                },
            }
        }
    }
}

fn bind_error(e: &io::Error, addr: SocketAddr, chosen: Option<u16>) -> LoginError {
    match (e.kind(), chosen) {
        (io::ErrorKind::AddrInUse, Some(port)) => LoginError::PortInUse { port },
        (io::ErrorKind::PermissionDenied, Some(port)) if port < 1024 => LoginError::Listener {
            addr: addr.to_string(),
            detail: format!("ports below 1024 need administrator rights ({e})"),
        },
        _ => LoginError::Listener {
            addr: addr.to_string(),
            detail: e.to_string(),
        },
    }
}

async fn accept_any(sockets: &[TcpListener]) -> io::Result<TcpStream> {
    match sockets {
        [a, b] => tokio::select! {
            r = a.accept() => r.map(|(s, _)| s),
            r = b.accept() => r.map(|(s, _)| s),
        },
        [a] => a.accept().await.map(|(s, _)| s),
        _ => std::future::pending().await,
    }
}

struct Expected {
    path: String,
    state: String,
}

/// A connection being handled: its task, and whether it has sent a byte.
struct Slot {
    task: tokio::task::AbortHandle,
    spoke: Arc<AtomicBool>,
}

/// Keeps at most `MAX_CONNECTIONS - 1` connections so a new one fits:
/// finished ones leave first, then the oldest that has said nothing, then the
/// oldest. A browser sends its request at once, so it is never the one
/// closed for a newcomer.
fn make_room(live: &mut VecDeque<Slot>) {
    live.retain(|s| !s.task.is_finished());
    while live.len() >= MAX_CONNECTIONS {
        let victim = live
            .iter()
            .position(|s| !s.spoke.load(Ordering::Relaxed))
            .unwrap_or(0);
        if let Some(slot) = live.remove(victim) {
            slot.task.abort();
        }
    }
}

enum Event {
    Ignored(String),
    Callback(Callback),
}

/// The browser's redirect with this sign-in's `state`. Holds the connection
/// to answer it.
#[derive(Debug)]
pub(crate) struct Callback {
    params: Vec<(String, String)>,
    stream: TcpStream,
}

impl Callback {
    /// A query parameter (each appears at most once — checked).
    pub(crate) fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every parameter, for error parsing.
    pub(crate) fn params(&self) -> &[(String, String)] {
        &self.params
    }

    /// Answers the browser and closes the connection.
    pub(crate) async fn respond(mut self, page: Page) {
        let _ = timeout(WRITE_TIMEOUT, async {
            let _ = self.stream.write_all(&page.to_http()).await;
            let _ = self.stream.shutdown().await;
        })
        .await;
    }
}

/// One connection: read the head, decide, answer or hand over.
async fn handle(
    mut stream: TcpStream,
    expected: Arc<Expected>,
    tx: mpsc::Sender<Event>,
    spoke: Arc<AtomicBool>,
) {
    let head = match timeout(READ_TIMEOUT, read_head(&mut stream, &spoke)).await {
        Err(_) => {
            let _ = tx.try_send(Event::Ignored(format!(
                "a connection sent no request within {} s and was closed",
                READ_TIMEOUT.as_secs()
            )));
            answer(
                &mut stream,
                pages::refusal(408, "No request arrived in time."),
            )
            .await;
            return;
        }
        Ok(Err(HeadError::Closed)) => return,
        Ok(Err(HeadError::LineTooLong)) => {
            let _ = tx.try_send(Event::Ignored(
                "a request line longer than 8 KiB was refused".into(),
            ));
            answer(
                &mut stream,
                pages::refusal(414, "The request line is too long."),
            )
            .await;
            return;
        }
        Ok(Err(HeadError::TooLarge)) => {
            let _ = tx.try_send(Event::Ignored(
                "a request head larger than 8 KiB was refused".into(),
            ));
            answer(
                &mut stream,
                pages::refusal(431, "The request head is too large."),
            )
            .await;
            return;
        }
        Ok(Ok(head)) => head,
    };
    match decide(&head, &expected) {
        Decision::Refuse {
            status,
            page_text,
            reason,
        } => {
            let _ = tx.try_send(Event::Ignored(reason));
            answer(&mut stream, pages::refusal(status, &page_text)).await;
        }
        Decision::Callback(params) => {
            // If the sign-in already ended, the receiver is gone and the
            // connection simply closes.
            let _ = tx.send(Event::Callback(Callback { params, stream })).await;
        }
    }
}

async fn answer(stream: &mut TcpStream, page: Page) {
    let _ = timeout(WRITE_TIMEOUT, async {
        let _ = stream.write_all(&page.to_http()).await;
        let _ = stream.shutdown().await;
    })
    .await;
}

enum HeadError {
    Closed,
    LineTooLong,
    TooLarge,
}

/// Reads until the blank line that ends the head, at most [`MAX_HEAD_BYTES`].
async fn read_head(stream: &mut TcpStream, spoke: &AtomicBool) -> Result<Vec<u8>, HeadError> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    loop {
        let n = stream
            .read(&mut chunk)
            .await
            .map_err(|_| HeadError::Closed)?;
        if n == 0 {
            return Err(HeadError::Closed);
        }
        spoke.store(true, Ordering::Relaxed);
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = find(&buf, b"\r\n\r\n").or_else(|| find(&buf, b"\n\n")) {
            buf.truncate(end);
            return Ok(buf);
        }
        if buf.len() >= MAX_HEAD_BYTES {
            return Err(if find(&buf, b"\n").is_none() {
                HeadError::LineTooLong
            } else {
                HeadError::TooLarge
            });
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

enum Decision {
    Refuse {
        status: u16,
        page_text: String,
        reason: String,
    },
    Callback(Vec<(String, String)>),
}

fn refuse(status: u16, page_text: &str, reason: impl Into<String>) -> Decision {
    Decision::Refuse {
        status,
        page_text: page_text.into(),
        reason: reason.into(),
    }
}

/// The parameters that must not repeat (RFC 6749 §3.1).
const SINGLE: &[&str] = &["state", "code", "error", "error_description", "iss"];

fn decide(head: &[u8], expected: &Expected) -> Decision {
    let text = String::from_utf8_lossy(head);
    let line = text.lines().next().unwrap_or("");
    let parts: Vec<&str> = line.split(' ').collect();
    let [method, target, version] = parts.as_slice() else {
        return refuse(
            400,
            "Not an HTTP request.",
            "a malformed request was refused",
        );
    };
    if !version.starts_with("HTTP/1.") {
        return refuse(
            400,
            "Not an HTTP/1 request.",
            "a malformed request was refused",
        );
    }
    if *method != "GET" {
        return refuse(
            405,
            "Only GET is accepted here.",
            format!("a {} request was refused (only GET)", printable(method)),
        );
    }
    if !target.starts_with('/') {
        return refuse(400, "Not a path.", "a request without a path was refused");
    }
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    if path != expected.path {
        return refuse(
            404,
            "This is Entrance's sign-in listener; nothing here.",
            format!("a request for {} was answered 404", printable(path)),
        );
    }
    let params: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    for name in SINGLE {
        if params.iter().filter(|(k, _)| k == name).count() > 1 {
            return refuse(
                400,
                "A parameter appears twice.",
                format!("a callback with `{name}` twice was refused"),
            );
        }
    }
    match params.iter().find(|(k, _)| k == "state") {
        None => refuse(
            400,
            "This page is not the answer to the sign-in in progress.",
            "a callback without `state` was ignored",
        ),
        Some((_, s)) if !same(s.as_bytes(), expected.state.as_bytes()) => refuse(
            400,
            "This page belongs to another sign-in (an old tab?). Go back to Entrance.",
            "a callback with another sign-in's `state` was ignored",
        ),
        Some(_) => Decision::Callback(params),
    }
}

/// The status `decide` answers `head` with (200 for the callback).
pub(crate) fn status_for(head: &[u8], path: &str, state: &str) -> u16 {
    let expected = Expected {
        path: path.into(),
        state: state.into(),
    };
    match decide(head, &expected) {
        Decision::Refuse { status, .. } => status,
        Decision::Callback(_) => 200,
    }
}

/// Constant-time equality: the time taken does not tell how much of a
/// guessed `state` was right.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// At most 80 printable characters of what a client sent, for messages.
fn printable(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).take(80).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expected() -> Expected {
        Expected {
            path: "/cb".into(),
            state: "s3cr3t".into(),
        }
    }

    fn status(head: &str) -> u16 {
        match decide(head.as_bytes(), &expected()) {
            Decision::Refuse { status, .. } => status,
            Decision::Callback(_) => 200,
        }
    }

    #[test]
    fn only_get_on_the_path_with_the_state_is_the_callback() {
        assert_eq!(
            status("GET /cb?code=c&state=s3cr3t HTTP/1.1\r\nHost: x"),
            200
        );
        assert_eq!(status("GET /cb?code=c&state=other HTTP/1.1"), 400);
        assert_eq!(status("GET /cb?code=c HTTP/1.1"), 400);
        assert_eq!(status("GET /favicon.ico HTTP/1.1"), 404);
        assert_eq!(status("POST /cb?code=c&state=s3cr3t HTTP/1.1"), 405);
        assert_eq!(status("GET /CB?code=c&state=s3cr3t HTTP/1.1"), 404);
        assert_eq!(status("GET /cb?state=s3cr3t&state=s3cr3t HTTP/1.1"), 400);
        assert_eq!(status("GET http://evil/cb?state=s3cr3t HTTP/1.1"), 400);
        assert_eq!(status("garbage"), 400);
        assert_eq!(status("GET /cb?state=s3cr3t SPDY/3"), 400);
    }

    #[test]
    fn state_comparison_is_exact() {
        assert!(same(b"abc", b"abc"));
        assert!(!same(b"abc", b"abd"));
        assert!(!same(b"abc", b"abcd"));
        assert!(!same(b"", b"a"));
    }
}
