//! The redirect URIs: one GET of the authorize endpoint per URI
//! (`response_type=code`, the client ID, the URI, `scope=openid`, a random
//! `state`), all at once, no sign-in and no redirect followed. Entra answers
//! its sign-in page when the URI is registered for the app, and its own error
//! page with AADSTS50011 when it is not — the error never reaches the redirect
//! URI (docs/entra.md#errors). The page is read with sign-in's preflight reader.
//! Only for Entra: another provider's authorize endpoint may keep state for
//! a GET.

use tokio::task::JoinSet;
use url::Url;

use super::context::{Context, RedirectProbe};
use super::runner::Outcome;
use super::tenant::{
    app_blade, catalog_finding, client_for, client_id, discovery, send, server_error, situation,
    unreachable,
};
use super::{DiagnoseCode, DiagnoseFinding};
use crate::aadsts;
use crate::findings::Severity;
use crate::login::preflight::{read_answer, AuthorizeAnswer, MAX_PAGE_BYTES};
use crate::targets::portal::Blade;
use crate::targets::Platform;

pub(super) async fn run(cx: &Context) -> Outcome {
    let Some(client_id) = client_id(cx) else {
        return Outcome::skipped(
            "No client ID given: give the Application (client) ID to check its redirect URIs.",
        );
    };
    if cx.redirects.is_empty() {
        return Outcome::skipped(
            "No redirect URI to check: pick the target product and its URL, or give redirect URIs.",
        );
    }
    let Some(facts) = discovery(cx) else {
        return Outcome::skipped("The tenant's discovery document was not read.");
    };
    if !facts.is_entra {
        return Outcome::skipped(
            "Redirect URIs are checked on Entra ID's error pages only; another provider's authorize \
             endpoint may keep state for a request, so it is not probed.",
        );
    }
    let Some(authorize) = facts.authorization_endpoint.clone() else {
        return Outcome::skipped("The discovery document names no authorization endpoint.");
    };
    let client = match client_for(
        cx,
        DiagnoseCode::HttpUnexpected,
        "The authorize endpoint",
        authorize.as_str(),
    ) {
        Ok(c) => c,
        Err(failed) => return failed,
    };

    // Every URI at once: the check takes one round trip, not one per URI.
    let mut probes: JoinSet<(usize, Probe)> = JoinSet::new();
    for (i, probe) in cx.redirects.iter().enumerate() {
        let url = probe_url(&authorize, &client_id, &probe.uri);
        let client = client.clone();
        let redirect_uri = probe.uri.clone();
        probes.spawn(async move {
            let answer = match send(client.get(url), MAX_PAGE_BYTES).await {
                Ok(a) if a.status >= 500 => Probe::ServerError(a.status, a.entra_error()),
                Ok(a) => Probe::Answer(read_answer(
                    a.status,
                    a.location.as_deref(),
                    &a.text(),
                    &redirect_uri,
                )),
                Err(why) => Probe::NoAnswer(why),
            };
            (i, answer)
        });
    }
    let mut answers: Vec<Option<Probe>> = vec![None; cx.redirects.len()];
    while let Some(joined) = probes.join_next().await {
        if let Ok((i, answer)) = joined {
            if let Some(slot) = answers.get_mut(i) {
                *slot = Some(answer);
            }
        }
    }

    let mut out = Outcome::passed("").detail("Authorize endpoint", authorize.as_str());
    let mut registered = 0;
    for (probe, answer) in cx.redirects.iter().zip(answers) {
        let answer =
            answer.unwrap_or_else(|| Probe::NoAnswer("the probe stopped unexpectedly".into()));
        let (verdict, finding) = judge(cx, &client_id, &authorize, probe, answer);
        if finding.code == DiagnoseCode::RedirectRegistered {
            registered += 1;
        }
        out = out
            .detail(format!("{} ({})", probe.uri, origin(probe)), verdict)
            .finding(finding);
    }
    out.summary = format!(
        "{registered} of {} redirect URI(s) registered for {client_id}.",
        cx.redirects.len()
    );
    out.graded()
}

/// What one URI's request came back with.
#[derive(Debug, Clone)]
enum Probe {
    Answer(AuthorizeAnswer),
    ServerError(u16, Option<crate::aadsts::EntraError>),
    NoAnswer(String),
}

fn probe_url(authorize: &Url, client_id: &str, redirect_uri: &str) -> Url {
    let state = openidconnect::CsrfToken::new_random();
    let mut url = authorize.clone();
    url.query_pairs_mut()
        .append_pair("client_id", client_id)
        .append_pair("response_type", "code")
        .append_pair("redirect_uri", redirect_uri)
        .append_pair("scope", "openid")
        .append_pair("state", state.secret());
    url
}

fn origin(probe: &RedirectProbe) -> String {
    match probe.platform {
        Some(p) => format!("{}, {}", p.portal_label(), probe.source),
        None => probe.source.clone(),
    }
}

/// Where to register a URI (docs/entra.md#redirect-uris): the target's platform, else
/// what each platform is for.
fn platform_advice(platform: Option<Platform>) -> String {
    match platform {
        Some(Platform::Web) => {
            "under the Web platform (the product redeems the code on its server with the client secret)".into()
        }
        Some(Platform::Spa) => {
            "under the Single-page application platform (the browser redeems the code with PKCE, without a secret)".into()
        }
        Some(Platform::MobileDesktop) => {
            "under the Mobile and desktop applications platform (a public client)".into()
        }
        None => "under Web if the product keeps a client secret on its server (Grafana, Keep, authentik, \
                 Camunda), or Single-page application if a browser app signs in without a secret"
            .into(),
    }
}

fn judge(
    cx: &Context,
    client_id: &str,
    authorize: &Url,
    probe: &RedirectProbe,
    answer: Probe,
) -> (String, DiagnoseFinding) {
    let uri = &probe.uri;
    match answer {
        Probe::Answer(AuthorizeAnswer::SignIn) => (
            "registered".into(),
            DiagnoseFinding::new(
                DiagnoseCode::RedirectRegistered,
                Severity::Info,
                format!("{uri} is registered: Entra answers its sign-in page."),
                "",
            ),
        ),
        Probe::Answer(AuthorizeAnswer::Redirect { location }) => {
            let to = Url::parse(&location)
                .ok()
                .and_then(|u| u.host_str().map(str::to_string))
                .unwrap_or(location);
            (
                "accepted".into(),
                DiagnoseFinding::new(
                    DiagnoseCode::RedirectRegistered,
                    Severity::Info,
                    format!("{uri} is accepted: Entra went on to {to} instead of refusing it."),
                    "",
                ),
            )
        }
        // docs/entra.md#errors 50011, docs/entra.md#redirect-uri-restrictions: exact match; case, path and trailing slash count.
        Probe::Answer(AuthorizeAnswer::Refused(entra)) if entra.aadsts == Some(50011) => (
            "NOT registered (AADSTS50011)".into(),
            DiagnoseFinding::new(
                DiagnoseCode::RedirectUnregistered,
                Severity::Error,
                format!(
                    "The redirect URI {uri} is not registered for the app {client_id} (AADSTS50011): \
                     sign-in stops on Entra's error page."
                ),
                format!(
                    "In App registration → Authentication, add exactly {uri} {}. Redirect URIs match \
                     exactly: scheme, host, port, path, letter case and the trailing slash all count.",
                    platform_advice(probe.platform)
                ),
            )
            .with_aadsts(50011)
            .with_link(
                "App registration → Authentication",
                app_blade(cx, client_id, Blade::Authentication),
            ),
        ),
        Probe::Answer(AuthorizeAnswer::Refused(entra)) => {
            let code = entra
                .aadsts
                .map_or_else(|| "an error".to_string(), |c| format!("AADSTS{c}"));
            (
                format!("refused ({code})"),
                catalog_finding(
                    DiagnoseCode::RedirectOtherError,
                    Severity::Error,
                    &format!("The authorize endpoint, asked with {uri},"),
                    &entra,
                    &aadsts::Situation {
                        redirect_uri: Some(uri.as_str()),
                        ..situation(cx)
                    },
                ),
            )
        }
        Probe::ServerError(status, entra) => (
            format!("HTTP {status}"),
            server_error("The authorize endpoint", status, entra.as_ref()),
        ),
        Probe::NoAnswer(why) => (
            "no answer".into(),
            unreachable(DiagnoseCode::HttpUnexpected, "The authorize endpoint", authorize.as_str(), &why),
        ),
    }
}
