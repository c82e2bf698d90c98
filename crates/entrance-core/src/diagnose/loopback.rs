//! The loopback listener of a browser sign-in: the port can be bound on
//! 127.0.0.1 and [::1] (the sign-in listens on both, loopback only). Each
//! socket is released at once. Entra ignores the port of a loopback redirect
//! URI (docs/entra.md#redirect-uris), so a taken port is a local problem only.

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener};

use super::context::Context;
use super::runner::Outcome;
use super::{DiagnoseCode, DiagnoseFinding};
use crate::findings::Severity;

pub(super) async fn run(cx: &Context) -> Outcome {
    let port = cx.request.loopback_port.unwrap_or(0);
    let v4 = bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port)));
    let v6 = bind(SocketAddr::from((Ipv6Addr::LOCALHOST, port)));
    let show = |r: &Result<u16, std::io::Error>| match r {
        Ok(p) => format!("free (port {p})"),
        Err(e) => format!("not bound: {e}"),
    };
    let out = Outcome::passed("")
        .detail("127.0.0.1", show(&v4))
        .detail("[::1]", show(&v6));
    let in_use = |r: &Result<u16, std::io::Error>| matches!(r, Err(e) if e.kind() == std::io::ErrorKind::AddrInUse);
    let mut out = if port != 0 && (in_use(&v4) || in_use(&v6)) {
        out.finding(DiagnoseFinding::new(
            DiagnoseCode::LoopbackPortInUse,
            Severity::Error,
            format!("Port {port} on the loopback address is already taken: the sign-in cannot listen for Entra's answer there."),
            format!(
                "Find the program holding it with `ss -ltnp 'sport = :{port}'` (or `lsof -iTCP:{port} -sTCP:LISTEN`) \
                 and stop it, or sign in on another port (or none: the system picks a free one; Entra ignores \
                 a loopback redirect URI's port)."
            ),
        ))
    } else if v4.is_err() && v6.is_err() {
        let why = v4
            .as_ref()
            .err()
            .map(ToString::to_string)
            .unwrap_or_default();
        out.finding(DiagnoseFinding::new(
            DiagnoseCode::LoopbackUnavailable,
            Severity::Error,
            format!("No loopback address could be bound ({why}): a browser sign-in cannot receive its answer."),
            "A sandbox or container without a loopback interface, or a policy forbidding listeners, is the \
             usual cause; `--device-code` signs in without a listener.",
        ))
    } else {
        out
    };
    out.summary = match (&v4, &v6, port) {
        _ if out
            .findings
            .iter()
            .any(|f| f.code == DiagnoseCode::LoopbackPortInUse) =>
        {
            format!("Port {port} is in use.")
        }
        (Ok(_), _, 0) | (_, Ok(_), 0) => "A loopback port is free for a sign-in.".into(),
        (Ok(_), _, p) | (_, Ok(_), p) => format!("Port {p} is free on the loopback address."),
        _ => "No loopback address could be bound.".into(),
    };
    out.graded()
}

/// Binds and releases at once; the port actually bound.
fn bind(addr: SocketAddr) -> Result<u16, std::io::Error> {
    let listener = TcpListener::bind(addr)?;
    let port = listener.local_addr()?.port();
    drop(listener);
    Ok(port)
}
