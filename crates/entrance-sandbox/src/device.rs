//! The device authorization grant (v2-oauth2-device-code.md, "DCF"):
//! `/{tenant}/oauth2/v2.0/devicecode`, the device sign-in page at
//! `/devicelogin`, and the polling side of the token endpoint.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::json;

use crate::authorize::{consent_page, missing_consent, sign_in_page, token_tenant};
use crate::directory::{ScopeError, TenantSel};
use crate::errors::{StsError, Trace};
use crate::html::{self, escape};
use crate::server::{form_map, html_response, json_error, json_ok, page_error, AppState};
use crate::store::{
    lock, DeviceGrant, DeviceState, Pending, PendingConsent, PendingKind, Session,
    DEVICE_CODE_LIFETIME, DEVICE_INTERVAL,
};
use crate::tokens::random_b64;

fn user_code() -> String {
    // Entra's user codes are short upper-case strings (e.g. `YZMYLD4K`).
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut b = [0u8; 9];
    let _ = aws_lc_rs::rand::fill(&mut b);
    b.iter()
        .map(|x| ALPHABET[(*x as usize) % ALPHABET.len()] as char)
        .collect()
}

fn normalize(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_uppercase()
}

/// POST `/{tenant}/oauth2/v2.0/devicecode` (DCF "Device authorization request").
pub async fn devicecode(
    State(st): State<Arc<AppState>>,
    Path(segment): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let trace = st.trace(&headers);
    let now = st.now();
    st.store.sweep(now);
    let f = form_map(&body);
    let dir = st.dir();
    let Some(sel) = dir.resolve_tenant(&segment) else {
        return json_error(&StsError::tenant_not_found(&segment), &trace);
    };
    let Some(client_id) = f.get("client_id").filter(|c| !c.is_empty()) else {
        return json_error(&StsError::missing_parameter("client_id"), &trace);
    };
    let tenant_id = match &sel {
        TenantSel::Tenant(i) => dir.tenant_by_index(*i).map(|t| t.id.to_ascii_lowercase()),
        _ => None,
    };
    let known = dir.app(client_id).is_some_and(|a| {
        tenant_id.as_deref().is_none_or(|t| {
            dir.service_principal(&a.app_id, t).is_some() || a.sign_in_audience.is_multi_tenant()
        })
    });
    if !known {
        return json_error(
            &StsError::app_not_found(client_id, tenant_id.as_deref().unwrap_or(&segment)),
            &trace,
        );
    }
    let Some(raw) = f.get("scope").filter(|s| !s.is_empty()) else {
        return json_error(&StsError::missing_parameter("scope"), &trace);
    };
    let scope = match dir.parse_scopes(tenant_id.as_deref(), raw) {
        Ok(s) => s,
        Err(ScopeError::Invalid(s)) => return json_error(&StsError::invalid_scope(&s), &trace),
        Err(ScopeError::ResourceNotFound(r)) => {
            return json_error(
                &StsError::resource_not_found(&r, tenant_id.as_deref().unwrap_or(&segment)),
                &trace,
            )
        }
    };
    drop(dir);
    let device_code = format!("DAQABAAEAAAD{}", random_b64(96));
    let code = user_code();
    lock(&st.store.devices).insert(
        device_code.clone(),
        DeviceGrant {
            device_code: device_code.clone(),
            user_code: code.clone(),
            client_id: client_id.to_ascii_lowercase(),
            sel,
            scope,
            expires_at: now + DEVICE_CODE_LIFETIME,
            state: DeviceState::Pending,
        },
    );
    let uri = format!("{}/devicelogin", st.base);
    json_ok(json!({
        "user_code": code,
        "device_code": device_code,
        "verification_uri": uri,
        "expires_in": DEVICE_CODE_LIFETIME,
        "interval": DEVICE_INTERVAL,
        "message": format!("To sign in, use a web browser to open the page {uri} and enter the code {code} to authenticate."),
    }))
}

fn code_page(error: Option<(&StsError, &Trace)>) -> String {
    let error_html = match error {
        Some((e, t)) => format!(
            r#"<p id="error" role="alert"><span id="error-code">AADSTS{}</span>: {}<br><span class="trace">Trace ID: {}</span></p>"#,
            e.code,
            escape(&e.message),
            t.trace_id
        ),
        None => String::new(),
    };
    html::page(
        "Enter code",
        &format!(
            r#"<h1>Enter code</h1>
<p>Enter the code displayed on your app or device.</p>
{error_html}<form method="post" action="/devicelogin" id="device">
<label for="otc">Code</label>
<input type="text" id="otc" name="otc" autocomplete="off">
<button type="submit" id="next">Next</button>
</form>"#
        ),
    )
}

/// GET `/devicelogin`.
pub async fn devicelogin_page() -> Response {
    html_response(StatusCode::OK, code_page(None))
}

/// POST `/devicelogin`: the code, then the sign-in page.
pub async fn devicelogin(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let trace = st.trace(&headers);
    let now = st.now();
    let f = form_map(&body);
    let entered = normalize(f.get("otc").map(String::as_str).unwrap_or(""));
    let grant = lock(&st.store.devices)
        .values()
        .find(|d| d.user_code == entered)
        .cloned();
    let Some(grant) = grant else {
        return html_response(
            StatusCode::OK,
            code_page(Some((&StsError::user_code_wrong(), &trace))),
        );
    };
    if now >= grant.expires_at {
        return html_response(
            StatusCode::OK,
            code_page(Some((&StsError::device_code_expired(), &trace))),
        );
    }
    if grant.state != DeviceState::Pending {
        return html_response(
            StatusCode::OK,
            code_page(Some((&StsError::device_request_done(), &trace))),
        );
    }
    let id = random_b64(24);
    lock(&st.store.pending).insert(
        id.clone(),
        Pending {
            kind: PendingKind::Device(grant.user_code.clone()),
            sel: grant.sel.clone(),
            created: now,
            consent: None,
        },
    );
    let dir = st.dir();
    let segment = match &grant.sel {
        TenantSel::Tenant(i) => dir
            .tenant_by_index(*i)
            .map(|t| t.id.clone())
            .unwrap_or_default(),
        TenantSel::Common => "common".into(),
        TenantSel::Organizations => "organizations".into(),
    };
    html_response(
        StatusCode::OK,
        sign_in_page(&dir, &segment, &grant.sel, &id, None, None, None, true),
    )
}

fn done_page(title: &str, text: &str) -> Response {
    html_response(
        StatusCode::OK,
        html::page(
            title,
            &format!(
                r#"<h1>{}</h1><p id="result">{}</p>"#,
                escape(title),
                escape(text)
            ),
        ),
    )
}

/// After the password on the device sign-in page.
pub(crate) fn approve(
    st: &Arc<AppState>,
    user_code: &str,
    session: Session,
    trace: &Trace,
) -> Response {
    let Some(grant) = lock(&st.store.devices)
        .values()
        .find(|d| d.user_code == user_code)
        .cloned()
    else {
        return page_error(&StsError::user_code_wrong(), trace);
    };
    let (tenant_id, missing, can_admin, app_name) = {
        let dir = st.dir();
        let (Some(user), Some(app)) = (
            dir.user_by_oid(&session.user_oid),
            dir.app(&grant.client_id),
        ) else {
            return page_error(&StsError::flow_expired(), trace);
        };
        let tenant_id = token_tenant(&dir, &grant.sel, user);
        if let Some(sp) = dir.service_principal_full(&app.app_id, &tenant_id) {
            if sp.app_role_assignment_required && !dir.is_assigned(user, &sp) {
                return page_error(
                    &StsError::not_assigned(
                        &app.display_name,
                        &app.app_id,
                        &user.user_principal_name,
                    ),
                    trace,
                );
            }
        }
        let missing = missing_consent(&dir, &grant.client_id, &tenant_id, user, &grant.scope);
        (
            tenant_id,
            missing,
            dir.can_admin_consent(user),
            app.display_name.clone(),
        )
    };
    if missing.is_empty() {
        return approve_after_consent(st, user_code, session, &tenant_id, trace);
    }
    let needs_admin = {
        let dir = st.dir();
        missing
            .iter()
            .any(|(r, s)| s.iter().any(|x| dir.scope_needs_admin(r, x)))
    };
    if needs_admin && !can_admin {
        return page_error(
            &StsError::consent_missing(&grant.client_id, &app_name),
            trace,
        );
    }
    let id = random_b64(24);
    let dir_segment = tenant_id.clone();
    let page = consent_page(st, &dir_segment, &id, &app_name, &missing, can_admin);
    lock(&st.store.pending).insert(
        id,
        Pending {
            kind: PendingKind::Device(user_code.to_string()),
            sel: grant.sel.clone(),
            created: st.now(),
            consent: Some(PendingConsent {
                user_oid: session.user_oid.clone(),
                tenant_id,
                session,
                missing,
            }),
        },
    );
    html_response(StatusCode::OK, page)
}

pub(crate) fn approve_after_consent(
    st: &Arc<AppState>,
    user_code: &str,
    session: Session,
    tenant_id: &str,
    trace: &Trace,
) -> Response {
    let client = lock(&st.store.devices)
        .values()
        .find(|d| d.user_code == user_code)
        .map(|d| d.client_id.clone());
    let Some(client) = client else {
        return page_error(&StsError::user_code_wrong(), trace);
    };
    let app = st
        .dir()
        .app(&client)
        .map(|a| a.display_name.clone())
        .unwrap_or_default();
    if let Some(grant) = lock(&st.store.devices)
        .values_mut()
        .find(|d| d.user_code == user_code)
    {
        grant.state = DeviceState::Approved {
            user_oid: session.user_oid,
            tenant_id: tenant_id.to_string(),
            auth_time: session.auth_time,
            sid: session.sid,
        };
    }
    done_page(
        "You're signed in",
        &format!("You have signed in to the {app} application on your device. You may now close this window."),
    )
}

pub(crate) fn decline(st: &Arc<AppState>, user_code: &str, trace: &Trace) -> Response {
    let mut devices = lock(&st.store.devices);
    let Some(grant) = devices.values_mut().find(|d| d.user_code == user_code) else {
        return page_error(&StsError::user_code_wrong(), trace);
    };
    grant.state = DeviceState::Declined;
    done_page(
        "Sign-in cancelled",
        "You cancelled the sign-in on your device. You may now close this window.",
    )
}

/// The device_code grant at the token endpoint (DCF "Expected errors").
#[allow(clippy::too_many_arguments)]
pub(crate) fn redeem(
    st: &Arc<AppState>,
    _sel: &TenantSel,
    device_code: Option<&str>,
    client_id: &str,
    secret: Option<&str>,
    assertion: bool,
    _origin: Option<&str>,
    trace: &Trace,
) -> Response {
    let now = st.now();
    let Some(device_code) = device_code else {
        return json_error(&StsError::missing_parameter("device_code"), trace);
    };
    let Some(grant) = lock(&st.store.devices).get(device_code).cloned() else {
        return json_error(&StsError::device_code_unknown(), trace);
    };
    if !grant.client_id.eq_ignore_ascii_case(client_id) {
        return json_error(&StsError::grant_not_for_client(), trace);
    }
    let auth = {
        let dir = st.dir();
        let Some(app) = dir.app(client_id) else {
            return json_error(&StsError::app_not_found(client_id, ""), trace);
        };
        match crate::token_endpoint::authenticate_device(app, secret, assertion, now) {
            Ok(a) => a,
            Err(e) => return json_error(&e, trace),
        }
    };
    if now >= grant.expires_at {
        return json_error(&StsError::device_code_expired(), trace);
    }
    match grant.state {
        DeviceState::Pending => json_error(&StsError::authorization_pending(), trace),
        DeviceState::Declined => json_error(&StsError::device_declined(), trace),
        DeviceState::Redeemed => json_error(&StsError::device_request_done(), trace),
        DeviceState::Approved {
            user_oid,
            tenant_id,
            auth_time,
            sid,
        } => {
            if let Some(g) = lock(&st.store.devices).get_mut(device_code) {
                g.state = DeviceState::Redeemed;
            }
            crate::token_endpoint::issue_device_tokens(
                st,
                trace,
                client_id,
                auth,
                &user_oid,
                &tenant_id,
                &grant.scope,
                &sid,
                auth_time,
            )
        }
    }
}
