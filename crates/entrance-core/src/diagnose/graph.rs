//! Microsoft Graph: reachable from here (unless `http.graph` already showed
//! it), and — with a Graph access token — which delegated permissions are
//! consented. The token's `scp` is read without verifying it: Graph tokens
//! are not meant to be verified by anyone but Graph (docs/entra.md#token-versions-and-issuers). Then
//! `/v1.0/me` shows whether Graph takes the token (401: expired or not for
//! Graph). Overage resolution needs delegated GroupMember.Read.All with admin
//! consent and User.Read (docs/entra.md#groups-overage).

use secrecy::ExposeSecret;
use serde_json::Value;
use url::Url;

use super::context::Context;
use super::runner::Outcome;
use super::tenant::{client_for, client_id, portal_cloud, send, unreachable, Answer};
use super::{DiagnoseCode, DiagnoseFinding, Subject};
use crate::findings::Severity;
use crate::targets::{PermissionKind, TargetInputs};
use crate::token::{Content, Jws};

/// The most of a Graph answer read (`/me` is a few hundred bytes).
const MAX_GRAPH_BYTES: usize = 64 * 1024;

/// The delegated permissions overage resolution needs (docs/entra.md#groups-overage).
const OVERAGE_PERMISSIONS: &[&str] = &["User.Read", "GroupMember.Read.All"];

pub(super) async fn run(cx: &Context) -> Outcome {
    let Some(root) = cx.url_of(Subject::Graph) else {
        return Outcome::skipped(
            "No Microsoft Graph for this provider: its discovery document names no msgraph_host.",
        );
    };
    let client = match client_for(
        cx,
        DiagnoseCode::GraphUnreachable,
        "Microsoft Graph",
        root.as_str(),
    ) {
        Ok(c) => c,
        Err(failed) => return failed,
    };
    // The network chain to Graph ran (http.graph) when its root was known up
    // front; otherwise this check is the first to reach it.
    let probe_root = cx.graph_root.is_none();
    let token = cx.credentials.graph_token.as_ref();
    let decoded = token.map(|t| decode(t.expose_secret()));
    let me = root.join("v1.0/me").ok();
    // Only a delegated token has a /me; an app-only one is answered 400.
    let ask_me = matches!(&decoded, Some(Ok(jws)) if jws.claims.contains_key("scp"));

    let reach = async {
        if probe_root {
            Some(send(client.get(root.clone()), MAX_GRAPH_BYTES).await)
        } else {
            None
        }
    };
    let who = async {
        match (&me, token) {
            (Some(me), Some(token)) if ask_me => Some(
                send(
                    client
                        .get(me.clone())
                        .bearer_auth(token.expose_secret())
                        .header(reqwest::header::ACCEPT, "application/json"),
                    MAX_GRAPH_BYTES,
                )
                .await,
            ),
            _ => None,
        }
    };
    let (reach, who) = tokio::join!(reach, who);

    let mut out = Outcome::passed("").detail("Graph root", root.as_str());
    match reach {
        Some(Err(why)) => {
            let mut out = out.finding(unreachable(
                DiagnoseCode::GraphUnreachable,
                "Microsoft Graph",
                root.as_str(),
                &why,
            ));
            out.summary = format!("Microsoft Graph did not answer: {why}.");
            return out.graded();
        }
        Some(Ok(a)) if a.status >= 500 => {
            out = out.finding(DiagnoseFinding::new(
                DiagnoseCode::GraphUnreachable,
                Severity::Warning,
                format!("Microsoft Graph at {root} answered HTTP {}.", a.status),
                "Graph's side failed (or a proxy's): try again later. Products that read groups or \
                 profiles from Graph fail meanwhile.",
            ));
        }
        Some(Ok(_)) | None => {}
    }

    let Some(decoded) = decoded else {
        out = out.detail(
            "Consented permissions",
            "not read: no Graph access token was given",
        );
        out.summary =
            "Microsoft Graph answers; its permissions were not read (give a Graph access token \
                       of a user signed in to the app to read them)."
                .into();
        return out.graded();
    };
    let jws = match decoded {
        Ok(jws) => jws,
        Err(why) => {
            let mut out = out.finding(DiagnoseFinding::new(
                DiagnoseCode::GraphTokenRejected,
                Severity::Error,
                format!("The Graph token given is not a JWT: {why}."),
                "Give the access token itself (the `access_token` of a sign-in for Graph scopes such as \
                 User.Read), not an ID token's text, a refresh token or a secret.",
            ));
            out.summary = "The Graph token could not be read.".into();
            return out.graded();
        }
    };
    out = permissions(cx, out, &jws);
    if let (Some(me), Some(answer)) = (&me, who) {
        out = me_answer(out, me, answer);
    }
    out.summary = match out.findings.iter().map(|f| f.severity).max() {
        Some(Severity::Error) => {
            "Microsoft Graph: a problem with the token or its permissions.".into()
        }
        Some(Severity::Warning) => "Microsoft Graph answers; a permission is missing.".into(),
        _ => "Microsoft Graph answers and the token has the permissions needed.".into(),
    };
    out.graded()
}

/// The token's claims, read without verifying (docs/entra.md#token-versions-and-issuers).
fn decode(token: &str) -> Result<Jws, String> {
    let pasted = crate::token::recognize(token).map_err(|e| e.to_string())?;
    pasted
        .items
        .into_iter()
        .find_map(|item| match item.content {
            Content::Jws(jws) => Some(*jws),
            _ => None,
        })
        .ok_or_else(|| "no signed JWT in it".to_string())
}

/// The Graph permissions the request's target needs (delegated ones named
/// like `User.Read`), else what overage resolution needs (docs/entra.md#groups-overage).
fn needed(cx: &Context) -> (Vec<String>, String) {
    if let Some(target) = cx
        .request
        .target
        .as_deref()
        .and_then(crate::targets::by_name)
    {
        let mut inputs = TargetInputs::new(cx.request.base_url.clone().unwrap_or_default());
        inputs.client_id = cx.request.client_id.clone();
        inputs.tenant = cx.request.tenant.clone();
        let names: Vec<String> = target
            .requirements(&inputs)
            .api_permissions
            .iter()
            .filter(|p| p.kind == PermissionKind::Delegated && p.name.contains('.'))
            .map(|p| p.name.to_string())
            .collect();
        if !names.is_empty() {
            return (names, target.info().display_name.to_string());
        }
    }
    (
        OVERAGE_PERMISSIONS
            .iter()
            .map(|s| (*s).to_string())
            .collect(),
        "reading groups from Graph (over 200 groups)".to_string(),
    )
}

fn permissions(cx: &Context, mut out: Outcome, jws: &Jws) -> Outcome {
    let aud = jws
        .claims
        .get("aud")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    if !aud.is_empty() && !crate::inspect::is_graph_token(jws) {
        out = out.finding(DiagnoseFinding::new(
            DiagnoseCode::GraphTokenRejected,
            Severity::Error,
            format!("The token given is for `{aud}`, not Microsoft Graph: Graph refuses it."),
            "Give an access token requested for Graph scopes (User.Read, GroupMember.Read.All), not one \
             for the app's own API or an ID token.",
        ));
        return out;
    }
    if let Some(exp) = jws.claims.get("exp").and_then(Value::as_i64) {
        if let Ok(at) = time::OffsetDateTime::from_unix_timestamp(exp) {
            let text = at
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_else(|_| exp.to_string());
            out = out.detail("Token expires", text);
        }
    }
    let (needed, why) = needed(cx);
    let scp: Vec<String> = jws
        .claim_str("scp")
        .map(|s| s.split_whitespace().map(str::to_string).collect())
        .unwrap_or_default();
    let roles: Vec<String> = jws
        .claims
        .get("roles")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    let admin_consent = admin_consent_link(cx);
    if scp.is_empty() {
        out = out.detail(
            "Application permissions (roles)",
            if roles.is_empty() {
                "(none)".into()
            } else {
                roles.join(" ")
            },
        );
        let mut f = DiagnoseFinding::new(
            DiagnoseCode::GraphPermissionMissing,
            Severity::Warning,
            format!(
                "This is an app-only token (no scp): its application permissions are not the delegated {} that {why} needs.",
                needed.join(" + ")
            ),
            format!(
                "Add {} as Delegated permissions (not Application) under API permissions → Microsoft Graph, \
                 grant admin consent, and give a token of a user signed in to the app.",
                needed.join(" and ")
            ),
        );
        if let Some(link) = admin_consent {
            f = f.with_link("Grant admin consent", link);
        }
        return out.finding(f);
    }
    out = out.detail("Consented delegated permissions (scp)", scp.join(" "));
    let missing: Vec<&String> = needed
        .iter()
        .filter(|n| !scp.iter().any(|s| s.eq_ignore_ascii_case(n)))
        .collect();
    if missing.is_empty() {
        return out;
    }
    let names: Vec<&str> = missing.iter().map(|s| s.as_str()).collect();
    let mut f = DiagnoseFinding::new(
        DiagnoseCode::GraphPermissionMissing,
        Severity::Warning,
        format!(
            "The Graph token lacks {}: {why} needs it, and Graph answers 403 without it.",
            names.join(" and ")
        ),
        format!(
            "Under App registration → API permissions → Add a permission → Microsoft Graph → Delegated, add \
             {}; then Grant admin consent for the tenant (GroupMember.Read.All needs an admin: Privileged \
             Role Administrator, Cloud Application Administrator or Application Administrator), and sign \
             in again for a new token.",
            names.join(", ")
        ),
    );
    if let Some(link) = admin_consent {
        f = f.with_link("Grant admin consent", link);
    }
    if let Some(id) = client_id(cx) {
        f = f.with_link(
            "App registration → API permissions",
            super::tenant::app_blade(cx, &id, crate::targets::portal::Blade::CallAnApi),
        );
    }
    out.finding(f)
}

fn admin_consent_link(cx: &Context) -> Option<String> {
    let id = client_id(cx)?;
    let tenant = cx
        .authority
        .tenant()
        .filter(|_| !cx.authority.is_multi_tenant())?;
    Some(crate::targets::portal::admin_consent_link(
        portal_cloud(cx),
        tenant,
        &id,
    ))
}

fn me_answer(out: Outcome, me: &Url, answer: Result<Answer, String>) -> Outcome {
    let answer = match answer {
        Ok(a) => a,
        Err(why) => {
            return out.finding(unreachable(
                DiagnoseCode::GraphUnreachable,
                "Graph's /me",
                me.as_str(),
                &why,
            ))
        }
    };
    let body: Value = serde_json::from_slice(&answer.body).unwrap_or(Value::Null);
    let graph_message = body
        .pointer("/error/message")
        .and_then(Value::as_str)
        .map(|m| format!(" Graph says: {m}"))
        .unwrap_or_default();
    match answer.status {
        200..=299 => {
            let who = body
                .get("userPrincipalName")
                .and_then(Value::as_str)
                .unwrap_or("a user");
            out.detail("/v1.0/me", format!("answered for {who}"))
        }
        401 => out.finding(DiagnoseFinding::new(
            DiagnoseCode::GraphTokenRejected,
            Severity::Error,
            format!("Microsoft Graph refused the token (HTTP 401).{graph_message}"),
            "The token has expired (access tokens live 60–90 minutes) or was not issued for Graph: sign \
             in again and give the new access token.",
        )),
        403 => out.finding(DiagnoseFinding::new(
            DiagnoseCode::GraphPermissionMissing,
            Severity::Warning,
            format!("Microsoft Graph took the token but refused /me (HTTP 403).{graph_message}"),
            "Add the delegated User.Read permission and grant consent, then sign in again.",
        )),
        status => out.finding(DiagnoseFinding::new(
            DiagnoseCode::GraphUnreachable,
            Severity::Warning,
            format!("Graph's /me answered HTTP {status}.{graph_message}"),
            "Check the proxy between this machine and Graph; try again later if Graph itself failed.",
        )),
    }
}
