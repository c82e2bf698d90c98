//! The app registration and its client secret, by one client-credentials
//! request to the token endpoint. Entra checks the app before the secret and
//! the secret before the scope, so its answer says which is wrong
//! (docs/entra.md#errors): 700016 no such app in this tenant, 7000218 the app
//! exists but no secret was sent, 7000215 a wrong secret (the Secret ID
//! instead of the Value, most often), 7000222 an expired one.
//!
//! The scope is Microsoft Graph's `.default` named by Graph's application ID
//! (`00000003-0000-0000-c000-000000000000`, docs/entra.md#token-versions-and-issuers, docs/entra.md#azure-cli-and-graph-equivalents): Graph's
//! service principal exists in every tenant and that ID is the same in
//! every national cloud (docs/entra.md#national-clouds), so the request can only fail on the app or
//! its secret — not on the app's own "Expose an API" settings, which
//! `{client_id}/.default` would also test (AADSTS500011, 90009). A token
//! that comes back is dropped unread: it never reaches a result.

use secrecy::ExposeSecret;

use super::context::Context;
use super::runner::Outcome;
use super::tenant::{
    app_blade, catalog_finding, client_for, client_id, discovery, send, server_error, situation,
    unreachable, MAX_BODY_BYTES,
};
use super::{CheckStatus, DiagnoseCode, DiagnoseFinding};
use crate::aadsts::EntraError;
use crate::findings::Severity;
use crate::login::EntraVersion;
use crate::secrets::Expiry;
use crate::targets::portal::Blade;

/// Microsoft Graph's application ID (docs/entra.md#token-versions-and-issuers: the aud of Graph tokens).
const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";

/// How the secret is named in messages: by the name it is saved under, never
/// by its value.
fn secret_label(cx: &Context) -> String {
    match cx.request.secret_name.as_deref().map(str::trim) {
        Some(name) if !name.is_empty() => format!("the secret saved as “{name}”"),
        _ => "the client secret given".to_string(),
    }
}

pub(super) async fn run(cx: &Context) -> Outcome {
    let out = check(cx).await;
    let Some(expiry) = &cx.credentials.client_secret_expiry else {
        return out;
    };
    if !matches!(out.status, CheckStatus::Passed | CheckStatus::Warning) {
        return out;
    }
    let name = cx
        .request
        .secret_name
        .as_deref()
        .unwrap_or("the client secret");
    let finding = match expiry {
        Expiry::ExpiresSoon { .. } => DiagnoseFinding::new(
            DiagnoseCode::SecretExpiresSoon,
            Severity::Warning,
            expiry.warning(name).unwrap_or_default(),
            "Add a new client secret under Certificates & secrets (`az ad app credential reset --id <client ID> --append`), put its Value in the product and in Entrance, then delete the old one.",
        ),
        Expiry::Expired { .. } => DiagnoseFinding::new(
            DiagnoseCode::SecretExpiresSoon,
            Severity::Warning,
            format!("The end date recorded for {name} has passed, yet Entra still accepted the secret: the recorded date is wrong."),
            format!("Record the date shown under Certificates & secrets: `entrance secret expiry {name} --on YYYY-MM-DD`, or read it with --from-registration."),
        ),
        _ => return out,
    };
    out.finding(finding).graded()
}

async fn check(cx: &Context) -> Outcome {
    let Some(client_id) = client_id(cx) else {
        return Outcome::skipped(
            "No client ID given: give the Application (client) ID from App registration → Overview \
             (and the secret's name) to check the app and its secret.",
        );
    };
    let Some(facts) = discovery(cx) else {
        return Outcome::skipped("The tenant's discovery document was not read.");
    };
    if facts.is_entra && !crate::secrets::is_guid(&client_id) {
        return Outcome::failed(
            format!("`{client_id}` is not a client ID."),
            invalid_client_id(&client_id),
        );
    }
    if facts.is_entra && cx.authority.is_multi_tenant() {
        // Client credentials name a tenant: never `common` (docs/entra.md#errors 50194, docs/entra.md#error-codes 9001023).
        return Outcome::skipped(format!(
            "Client credentials need a tenant, not `{}`: give the app's tenant ID to check the app \
             and its secret.",
            cx.authority.tenant().unwrap_or_default()
        ));
    }
    let Some(token_endpoint) = facts.token_endpoint.clone() else {
        return Outcome::skipped("The discovery document names no token endpoint to ask.");
    };
    let client = match client_for(
        cx,
        DiagnoseCode::AppOtherError,
        "The token endpoint",
        token_endpoint.as_str(),
    ) {
        Ok(c) => c,
        Err(failed) => return failed,
    };

    let mut form: Vec<(&str, String)> = vec![
        ("grant_type", "client_credentials".into()),
        ("client_id", client_id.clone()),
    ];
    if facts.is_entra {
        // v1 endpoints take `resource`, v2 `scope` (docs/entra.md#errors 901002).
        match cx.authority.version() {
            Some(EntraVersion::V1) => form.push(("resource", GRAPH_APP_ID.into())),
            _ => form.push(("scope", format!("{GRAPH_APP_ID}/.default"))),
        }
    }
    let secret = cx.client_secret();
    if let Some(s) = secret {
        form.push(("client_secret", s.expose_secret().to_string()));
    }
    let request = client
        .post(token_endpoint.clone())
        .header(reqwest::header::ACCEPT, "application/json")
        .form(&form);
    drop(form);
    let answer = match send(request, MAX_BODY_BYTES).await {
        Ok(a) => a,
        Err(why) => {
            return Outcome::failed(
                format!("The token endpoint did not answer: {why}."),
                unreachable(
                    DiagnoseCode::AppOtherError,
                    "The token endpoint",
                    token_endpoint.as_str(),
                    &why,
                ),
            )
        }
    };
    let base = Outcome::passed("")
        .detail("Token endpoint", token_endpoint.as_str())
        .detail("Client ID", &client_id);

    if (200..300).contains(&answer.status) {
        // A token: the app exists and the secret is right. The body is
        // dropped with `answer`, unread.
        drop(answer);
        let mut out = if secret.is_some() {
            base.finding(DiagnoseFinding::new(
                DiagnoseCode::SecretValid,
                Severity::Info,
                format!(
                    "The app exists and {} is valid: Entra issued a token for it.",
                    secret_label(cx)
                ),
                "",
            ))
        } else {
            base
        };
        out.summary = if secret.is_some() {
            "App found; the client secret is valid.".into()
        } else {
            "The token endpoint issued a token without a secret.".into()
        };
        return out;
    }
    let entra = answer.entra_error();
    if answer.status >= 500 {
        let mut out = base.finding(server_error(
            "The token endpoint",
            answer.status,
            entra.as_ref(),
        ));
        out.summary = format!("The token endpoint answered HTTP {}.", answer.status);
        return out.graded();
    }
    let Some(entra) = entra else {
        let mut out = base.finding(DiagnoseFinding::new(
            DiagnoseCode::HttpUnexpected,
            Severity::Error,
            format!(
                "The token endpoint answered HTTP {} without an OAuth error body.",
                answer.status
            ),
            "A proxy answering in the provider's place is the usual cause: check the proxy settings.",
        ));
        out.summary = format!("Unexpected answer (HTTP {}).", answer.status);
        return out.graded();
    };
    if facts.is_entra {
        entra_answer(cx, base, &client_id, &entra)
    } else {
        generic_answer(cx, base, &entra)
    }
}

fn invalid_client_id(client_id: &str) -> DiagnoseFinding {
    let hint = if client_id.starts_with("api://") {
        " It is an Application ID URI (Expose an API), not the client ID."
    } else if client_id.contains('~') {
        " It has the shape of a client secret's Value."
    } else {
        ""
    };
    DiagnoseFinding::new(
        DiagnoseCode::AppClientIdInvalid,
        Severity::Error,
        format!("The client ID `{client_id}` is not a GUID; Entra client IDs always are.{hint}"),
        "Copy the Application (client) ID from App registration → Overview (not the Object ID, \
         not the Directory (tenant) ID).",
    )
}

fn entra_answer(cx: &Context, base: Outcome, client_id: &str, entra: &EntraError) -> Outcome {
    let label = secret_label(cx);
    let credentials = app_blade(cx, client_id, Blade::Credentials);
    let tenant = cx.authority.tenant().unwrap_or("this tenant").to_string();
    let (summary, findings) = match entra.aadsts {
        // docs/entra.md#errors 700016: wrong client ID, tenant or cloud.
        Some(700016) => {
            let mut f = DiagnoseFinding::new(
                DiagnoseCode::AppUnknown,
                Severity::Error,
                format!("No application with client ID {client_id} exists in the tenant `{tenant}` (AADSTS700016)."),
                format!(
                    "Check, in this order: the client ID is the Application (client) ID of App registration → \
                     Overview; the tenant is the one the app is registered in (its Directory (tenant) ID); the \
                     cloud is that tenant's. A multi-tenant app from another tenant must first be consented in \
                     `{tenant}` by an admin."
                ),
            )
            .with_aadsts(700016)
            .with_link(
                "App registration → Overview",
                app_blade(cx, client_id, Blade::Overview),
            );
            if !cx.authority.is_multi_tenant() {
                if let Some(t) = cx.authority.tenant() {
                    let cloud = super::tenant::portal_cloud(cx);
                    f = f.with_link(
                        "Admin consent for this tenant (multi-tenant apps)",
                        crate::targets::portal::admin_consent_link(cloud, t, client_id),
                    );
                }
            }
            ("App not found in this tenant.".to_string(), vec![f])
        }
        // docs/entra.md#errors 7000218: the app exists, a Web (confidential) app needs its secret.
        Some(7000218) => {
            let named = cx
                .request
                .secret_name
                .as_deref()
                .map(str::trim)
                .filter(|n| !n.is_empty());
            let (severity, message) = match named {
                Some(n) => (
                    Severity::Warning,
                    format!("The app exists, but no secret is saved as “{n}”, so the secret was not checked."),
                ),
                None => (
                    Severity::Info,
                    "The app exists (Entra asked for its secret: AADSTS7000218); no secret was given, so only the app was checked.".to_string(),
                ),
            };
            let f = DiagnoseFinding::new(
                DiagnoseCode::SecretNotGiven,
                severity,
                message,
                "Give the client secret (its Value, from App registration → Certificates & secrets) to \
                 check it too: save it in Entrance by name and pick that name.",
            )
            .with_aadsts(7000218)
            .with_link("App registration → Certificates & secrets", credentials);
            (
                "App found; the secret was not checked.".to_string(),
                vec![f],
            )
        }
        // docs/entra.md#errors 7000215: the Secret ID instead of the Value, a stale or quoted secret.
        Some(7000215) => {
            let mut findings = Vec::new();
            let value = cx
                .client_secret()
                .map(|s| s.expose_secret().to_string())
                .unwrap_or_default();
            let shape = crate::secrets::check_value(&value);
            drop(value);
            let looks_like_id = shape
                .iter()
                .any(|w| w.code == "secret.looks_like_secret_id");
            let other_shape: Vec<String> = shape
                .iter()
                .filter(|w| w.code != "secret.looks_like_secret_id")
                .map(|w| format!("{} {}", w.message, w.fix))
                .collect();
            let mut fix = format!(
                "Copy the Value (shown only once, right after the secret is created) from App registration → \
                 Certificates & secrets of this app ({client_id}); if it is no longer shown, add a new client \
                 secret and copy its Value. Then save it again under the same name."
            );
            if !other_shape.is_empty() {
                fix.push(' ');
                fix.push_str(&other_shape.join(" "));
            }
            findings.push(
                DiagnoseFinding::new(
                    DiagnoseCode::SecretInvalid,
                    Severity::Error,
                    format!("The app exists, but {label} is not one of its client secrets (AADSTS7000215)."),
                    fix,
                )
                .with_aadsts(7000215)
                .with_link("App registration → Certificates & secrets", credentials.clone()),
            );
            if looks_like_id {
                findings.push(
                    DiagnoseFinding::new(
                        DiagnoseCode::SecretLooksLikeId,
                        Severity::Error,
                        format!("{} is a GUID: that is the secret's Secret ID, not its Value.", capitalized(&label)),
                        "In Certificates & secrets the Secret ID column is a GUID and always shown; the Value \
                         column is what the product needs. Create a new secret, copy its Value at once, and \
                         save it again.",
                    )
                    .with_link("App registration → Certificates & secrets", credentials),
                );
            }
            ("The client secret is wrong.".to_string(), findings)
        }
        // docs/entra.md#errors 7000222: expired; passwordCredentials[].endDateTime says when.
        Some(7000222) => {
            let f = DiagnoseFinding::new(
                DiagnoseCode::SecretExpired,
                Severity::Error,
                format!("{} has expired (AADSTS7000222).", capitalized(&label)),
                format!(
                    "Add a new client secret under App registration → Certificates & secrets (or \
                     `az ad app credential reset --id {client_id} --append`, which keeps the other secrets), \
                     copy its Value into the product and into Entrance, then delete the expired one."
                ),
            )
            .with_aadsts(7000222)
            .with_link("App registration → Certificates & secrets", credentials);
            ("The client secret has expired.".to_string(), vec![f])
        }
        Some(code) => {
            let f = catalog_finding(
                DiagnoseCode::AppOtherError,
                Severity::Error,
                "The token endpoint",
                entra,
                &situation(cx),
            );
            (
                format!("The token endpoint refused with AADSTS{code}."),
                vec![f],
            )
        }
        None => {
            let f = catalog_finding(
                DiagnoseCode::AppOtherError,
                Severity::Error,
                "The token endpoint",
                entra,
                &situation(cx),
            );
            ("The token endpoint refused.".to_string(), vec![f])
        }
    };
    let mut out = base;
    for f in findings {
        out = out.finding(f);
    }
    out.summary = summary;
    out.graded()
}

/// Another OpenID provider: only the OAuth `error` is standard (RFC 6749 §5.2).
fn generic_answer(cx: &Context, base: Outcome, entra: &EntraError) -> Outcome {
    let error = entra.error.as_deref().unwrap_or_default();
    let mut out = match error {
        "invalid_client" => base.finding(DiagnoseFinding::new(
            DiagnoseCode::SecretInvalid,
            Severity::Error,
            format!(
                "The provider refused the client: unknown client ID, or {} is wrong (invalid_client).",
                secret_label(cx)
            ),
            "Copy the client ID and secret again from the provider's client settings.",
        )),
        "unauthorized_client" | "unsupported_grant_type" => base.finding(DiagnoseFinding::new(
            DiagnoseCode::AppOtherError,
            Severity::Info,
            format!(
                "The provider does not allow client credentials for this client ({error}), so the secret could not be tested this way."
            ),
            "A sign-in tests the client and its secret instead.",
        )),
        _ => base.finding(catalog_finding(
            DiagnoseCode::AppOtherError,
            Severity::Error,
            "The token endpoint",
            entra,
            &situation(cx),
        )),
    };
    out.summary = format!("The token endpoint answered `{error}`.");
    out.graded()
}

fn capitalized(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
