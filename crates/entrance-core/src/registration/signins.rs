//! The tenant's own view of an app's sign-ins: `GET /auditLogs/signIns`
//! filtered by `appId` and `createdDateTime` (docs/graph.md#sign-in-logs),
//! failures first, each `status.errorCode` explained with Entrance's AADSTS
//! catalog. Reading them needs `AuditLog.Read.All` and a tenant with a
//! Microsoft Entra ID P1 or P2 licence: Graph's 403 for either is turned into
//! an error that names what is missing (docs/graph.md#sign-in-logs-licence).

use serde::Serialize;
use serde_json::Value;

use super::graph::{GraphClient, GraphResponse};
use super::token::READ_SIGN_INS;
use crate::aadsts::{self, Explanation, Situation};
use crate::error::{Error, Result};

/// The most sign-ins read in one request.
pub const TOP: usize = 50;

/// The error code Graph answers for a tenant without Entra ID P1/P2 (or a
/// B2C tenant) (docs/graph.md#sign-in-logs-licence).
pub const NON_PREMIUM: &str = "Authentication_RequestFromNonPremiumTenantOrB2CTenant";

/// One sign-in as the tenant recorded it.
#[derive(Debug, Clone, Serialize)]
pub struct SignIn {
    /// `createdDateTime` (UTC, ISO 8601).
    pub time: String,
    /// `userPrincipalName`.
    pub user: String,
    /// `userId` (the user's object ID).
    pub user_id: Option<String>,
    /// `correlationId`: what Microsoft support asks for.
    pub correlation_id: Option<String>,
    /// `status.errorCode`: 0 is a success.
    pub error_code: u32,
    /// `status.failureReason`, as Entra wrote it.
    pub failure_reason: Option<String>,
    /// The code explained (failures only).
    pub explanation: Option<Explanation>,
}

impl SignIn {
    /// Whether the user got in.
    pub fn succeeded(&self) -> bool {
        self.error_code == 0
    }
}

/// The Graph path for an app's sign-ins since `since` (RFC 3339, UTC).
pub fn path(app_id: &str, since: &str) -> String {
    let filter = format!("appId eq '{app_id}' and createdDateTime ge {since}");
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    s.append_pair("$filter", &filter);
    s.append_pair("$top", &TOP.to_string());
    format!("/auditLogs/signIns?{}", s.finish())
}

/// `unix` as the ISO 8601 UTC time Graph's filters take (`2026-12-08T01:00:00Z`).
pub fn iso(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| {
            t.replace_nanosecond(0)
                .ok()?
                .format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".into())
}

/// Graph's 403 for sign-in logs, named: the licence, or the permission.
pub fn refusal(client: &GraphClient, r: &GraphResponse, action: &str) -> Error {
    let code = r.body["error"]["code"].as_str().unwrap_or_default();
    if r.status == 403 && code.eq_ignore_ascii_case(NON_PREMIUM) {
        return Error::GraphLicenceMissing {
            licence: "Microsoft Entra ID P1 or P2".into(),
            action: action.to_string(),
            detail: r.error_text(),
        };
    }
    client.failure(r, READ_SIGN_INS, action)
}

fn sign_in(v: &Value, product: Option<&str>, client_id: &str) -> SignIn {
    let text = |k: &str| v[k].as_str().map(str::to_string);
    let error_code = v["status"]["errorCode"]
        .as_u64()
        .and_then(|c| u32::try_from(c).ok())
        .unwrap_or(0);
    let explanation = (error_code != 0).then(|| {
        aadsts::explain(
            error_code,
            &Situation {
                product,
                client_id: Some(client_id),
                ..Situation::default()
            },
        )
    });
    SignIn {
        time: text("createdDateTime").unwrap_or_default(),
        user: text("userPrincipalName")
            .or_else(|| text("userDisplayName"))
            .unwrap_or_else(|| "(unknown user)".into()),
        user_id: text("userId"),
        correlation_id: text("correlationId"),
        error_code,
        failure_reason: v["status"]["failureReason"].as_str().map(str::to_string),
        explanation,
    }
}

/// The app's sign-ins since `since_unix`, failures first (newest first
/// within each).
///
/// # Errors
/// [`Error::GraphPermissionMissing`] (before asking, or after a 403) without
/// `AuditLog.Read.All`; [`Error::GraphLicenceMissing`] for a tenant without
/// Entra ID P1/P2; other Graph failures.
pub async fn read(
    client: &GraphClient,
    app_id: &str,
    since_unix: i64,
    product: Option<&str>,
) -> Result<Vec<SignIn>> {
    let action = format!("read the sign-in logs of {app_id}");
    client.token().require(READ_SIGN_INS, &action)?;
    let r = client
        .send("GET", &client.url(&path(app_id, &iso(since_unix))), None)
        .await?;
    if !r.ok() {
        return Err(refusal(client, &r, &action));
    }
    let mut list: Vec<SignIn> = r.body["value"]
        .as_array()
        .map(|a| a.iter().map(|v| sign_in(v, product, app_id)).collect())
        .unwrap_or_default();
    list.sort_by(|a, b| {
        a.succeeded()
            .cmp(&b.succeeded())
            .then_with(|| b.time.cmp(&a.time))
    });
    Ok(list)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registration::GraphToken;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    use secrecy::SecretString;
    use serde_json::json;

    fn client(roles: &str) -> GraphClient {
        let p = URL_SAFE_NO_PAD.encode(format!(
            r#"{{"aud":"https://graph.microsoft.com","tid":"t","appid":"a","roles":[{roles}]}}"#
        ));
        let t = GraphToken::new(SecretString::from(format!("e30.{p}.sig"))).unwrap();
        GraphClient::new("https://graph.microsoft.com", t).unwrap()
    }

    #[test]
    fn a_tenant_without_premium_is_told_it_needs_the_licence_not_a_permission() {
        let c = client(r#""AuditLog.Read.All""#);
        let r = GraphResponse {
            status: 403,
            body: json!({"error": {"code": NON_PREMIUM, "message": "Neither tenant is B2C or tenant doesn't have premium license"}}),
            secret_text: None,
        };
        let e = refusal(&c, &r, "read the sign-in logs");
        assert!(matches!(e, Error::GraphLicenceMissing { .. }), "{e}");
        assert!(e.to_string().contains("Microsoft Entra ID P1 or P2"), "{e}");
        assert_eq!(e.code(), crate::ErrorCode::GraphForbidden);
        let plain = GraphResponse {
            status: 403,
            body: json!({"error": {"code": "Authorization_RequestDenied", "message": "Insufficient privileges"}}),
            secret_text: None,
        };
        let e = refusal(&c, &plain, "read the sign-in logs");
        assert_eq!(e.code(), crate::ErrorCode::GraphPermissionMissing, "{e}");
        assert!(e.to_string().contains("AuditLog.Read.All"), "{e}");
    }

    #[tokio::test]
    async fn a_token_without_audit_log_read_all_is_refused_before_asking() {
        let c = client(r#""Application.Read.All""#);
        let e = read(&c, "33333333-0000-4000-8000-000000000005", 0, None)
            .await
            .unwrap_err();
        assert_eq!(e.code(), crate::ErrorCode::GraphPermissionMissing);
        assert!(e.to_string().contains("AuditLog.Read.All"), "{e}");
    }

    #[test]
    fn the_filter_names_the_app_and_the_start_time() {
        let p = path("abc", &iso(1_796_000_000));
        let decoded: String = url::form_urlencoded::parse(p.split_once('?').unwrap().1.as_bytes())
            .map(|(k, v)| format!("{k}={v};"))
            .collect();
        assert_eq!(
            decoded,
            "$filter=appId eq 'abc' and createdDateTime ge 2026-11-30T00:53:20Z;$top=50;"
        );
    }
}
