//! Fault injection: per-endpoint latency, an HTTP status, a dropped
//! connection, a response that never finishes, and clock offset — set in the
//! scenario (`[faults]`) or at run time (`Sandbox::faults()`, or
//! `PUT /_sandbox/faults` for a sandbox served by the CLI).

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body::Frame;
use serde::{Deserialize, Serialize};

use crate::clock::{http_date, Clock};
use crate::errors::{StsError, Trace};
use crate::server::AppState;
use crate::store::lock;

/// Which endpoints a fault applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Endpoint {
    #[default]
    Any,
    Discovery,
    Jwks,
    /// The authorize endpoint and the sign-in, consent and device pages.
    Authorize,
    Token,
    Devicecode,
    Graph,
}

/// One fault. Several effects combine in this order: latency, then drop or
/// hang or status.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FaultRule {
    #[serde(default)]
    pub endpoint: Endpoint,
    /// Delay before answering.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<u64>,
    /// Answer with this status instead (an Entra-shaped error body for
    /// 429/5xx: `temporarily_unavailable` / `server_error`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Close the connection without answering.
    #[serde(default)]
    pub drop_connection: bool,
    /// Send `200` headers and part of a body, then nothing, forever.
    #[serde(default)]
    pub hang: bool,
    /// Apply to the next N matching requests only; absent = until cleared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<u32>,
}

/// Faults in force, and the clock whose offset they control.
#[derive(Debug)]
pub struct Faults {
    rules: Mutex<Vec<FaultRule>>,
    clock: Arc<Clock>,
}

impl Faults {
    pub(crate) fn new(clock: Arc<Clock>, initial: Vec<FaultRule>, offset: i64) -> Faults {
        clock.set_offset(offset);
        Faults {
            rules: Mutex::new(initial),
            clock,
        }
    }

    /// Adds a fault.
    pub fn add(&self, rule: FaultRule) {
        lock(&self.rules).push(rule);
    }

    /// Removes every fault (the clock offset stays; see `set_clock_offset`).
    pub fn clear(&self) {
        lock(&self.rules).clear();
    }

    /// The faults in force.
    pub fn rules(&self) -> Vec<FaultRule> {
        lock(&self.rules).clone()
    }

    /// Shifts the sandbox's clock: the `Date` header and every token time.
    pub fn set_clock_offset(&self, seconds: i64) {
        self.clock.set_offset(seconds);
    }

    pub fn clock_offset(&self) -> i64 {
        self.clock.offset()
    }

    /// The first rule for this endpoint, counting down `times`.
    fn take(&self, ep: Endpoint) -> Option<FaultRule> {
        let mut rules = lock(&self.rules);
        let i = rules
            .iter()
            .position(|r| r.endpoint == Endpoint::Any || r.endpoint == ep)?;
        let rule = rules[i].clone();
        if let Some(t) = rules[i].times.as_mut() {
            *t = t.saturating_sub(1);
            if *t == 0 {
                rules.remove(i);
            }
        }
        Some(rule)
    }
}

/// Which endpoint a main-listener path is.
pub fn classify(path: &str) -> Option<Endpoint> {
    if path.starts_with("/_sandbox") {
        return None;
    }
    if path.starts_with("/graph/") {
        return Some(Endpoint::Graph);
    }
    if path.ends_with("/.well-known/openid-configuration") {
        return Some(Endpoint::Discovery);
    }
    if path.ends_with("/discovery/v2.0/keys") || path.ends_with("/discovery/keys") {
        return Some(Endpoint::Jwks);
    }
    if path.ends_with("/token") {
        return Some(Endpoint::Token);
    }
    if path.ends_with("/devicecode") {
        return Some(Endpoint::Devicecode);
    }
    Some(Endpoint::Authorize)
}

/// Closes the current connection without a response (set per connection by
/// the server's accept loop).
#[derive(Clone, Debug)]
pub struct DropConnection(pub Arc<tokio::sync::Notify>);

/// A body that sends one byte and then never ends.
struct NeverEnding {
    sent: bool,
}

impl http_body::Body for NeverEnding {
    type Data = Bytes;
    type Error = Infallible;
    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        if self.sent {
            Poll::Pending
        } else {
            self.sent = true;
            Poll::Ready(Some(Ok(Frame::data(Bytes::from_static(b"{")))))
        }
    }
}

async fn apply(st: &AppState, ep: Option<Endpoint>, req: Request, next: Next) -> Response {
    let rule = ep.and_then(|e| st.faults.take(e));
    let mut response = match rule {
        None => next.run(req).await,
        Some(rule) => {
            if let Some(ms) = rule.latency_ms {
                tokio::time::sleep(Duration::from_millis(ms)).await;
            }
            if rule.drop_connection {
                if let Some(d) = req.extensions().get::<DropConnection>() {
                    d.0.notify_one();
                }
                std::future::pending::<()>().await;
                unreachable!("the connection task drops this future")
            } else if rule.hang {
                Response::builder()
                    .status(StatusCode::OK)
                    .header(header::CONTENT_TYPE, "application/json; charset=utf-8")
                    .body(Body::new(NeverEnding { sent: false }))
                    .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
            } else if let Some(status) = rule.status {
                let code =
                    StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                if code.is_success() || code.is_redirection() || code.is_informational() {
                    code.into_response()
                } else {
                    let trace = Trace::new(None, st.now());
                    (code, axum::Json(StsError::injected(status).body(&trace))).into_response()
                }
            } else {
                next.run(req).await
            }
        }
    };
    // The Date header follows the sandbox clock (hyper keeps a Date we set).
    if let Ok(v) = HeaderValue::from_str(&http_date(st.now())) {
        response.headers_mut().insert(header::DATE, v);
    }
    response
}

/// Middleware of the main listener.
pub async fn main_layer(State(st): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let ep = classify(req.uri().path());
    apply(&st, ep, req, next).await
}

/// Middleware of the Graph listener.
pub async fn graph_layer(State(st): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    apply(&st, Some(Endpoint::Graph), req, next).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_classify_by_endpoint() {
        assert_eq!(
            classify("/t/v2.0/.well-known/openid-configuration"),
            Some(Endpoint::Discovery)
        );
        assert_eq!(
            classify("/t/.well-known/openid-configuration"),
            Some(Endpoint::Discovery)
        );
        assert_eq!(classify("/t/discovery/v2.0/keys"), Some(Endpoint::Jwks));
        assert_eq!(classify("/t/oauth2/v2.0/token"), Some(Endpoint::Token));
        assert_eq!(
            classify("/t/oauth2/v2.0/devicecode"),
            Some(Endpoint::Devicecode)
        );
        assert_eq!(
            classify("/t/oauth2/v2.0/authorize"),
            Some(Endpoint::Authorize)
        );
        assert_eq!(classify("/graph/v1.0/me"), Some(Endpoint::Graph));
        assert_eq!(classify("/_sandbox/faults"), None);
    }

    #[test]
    fn times_counts_down_and_removes_the_rule() {
        let f = Faults::new(Arc::new(Clock::default()), Vec::new(), 0);
        f.add(FaultRule {
            endpoint: Endpoint::Token,
            status: Some(503),
            times: Some(2),
            ..Default::default()
        });
        assert!(f.take(Endpoint::Jwks).is_none());
        assert!(f.take(Endpoint::Token).is_some());
        assert!(f.take(Endpoint::Token).is_some());
        assert!(f.take(Endpoint::Token).is_none());
    }
}
