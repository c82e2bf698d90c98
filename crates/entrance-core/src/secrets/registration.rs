//! A client secret's end date, read from the app registration through
//! Microsoft Graph: `GET /v1.0/applications(appId='{id}')?$select=passwordCredentials`
//! (docs/entra.md#azure-cli-and-graph-equivalents; docs/entra.md#microsoft-graph-api-reference `application-get`). Graph never returns a secret's
//! value (`secretText` is null), only its `keyId`, `displayName`, `hint` — the
//! first three characters of the value — and `endDateTime`; the saved secret
//! is matched to its registration entry by that hint.
//!
//! Reading an application needs `Application.Read.All` (delegated or
//! application), or the signed-in user owning the app (GRAPH
//! `application-get`, "Permissions").

use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use serde_json::Value;
use time::Date;

use crate::error::{Error, Result};

/// One entry of the registration's Certificates & secrets → Client secrets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct RegisteredSecret {
    /// The Secret ID (`keyId`).
    pub key_id: String,
    /// The Description typed in the portal.
    pub display_name: Option<String>,
    /// The first three characters of the value.
    pub hint: Option<String>,
    /// `endDateTime`, as a date (UTC), `YYYY-MM-DD`.
    pub expires_on: Option<String>,
}

impl RegisteredSecret {
    /// The end date.
    pub fn expiry_date(&self) -> Option<Date> {
        super::parse_date(self.expires_on.as_deref()?).ok()
    }
}

/// The client secrets registered on the app `app_id`.
///
/// # Errors
/// [`Error::InvalidInput`] for an unusable Graph URL or client ID;
/// [`Error::Graph`] when Graph refuses (403: the permission, with the fix),
/// does not accept the token (401) or cannot be reached.
pub async fn registered_secrets(
    graph_base: &str,
    app_id: &str,
    token: &SecretString,
) -> Result<Vec<RegisteredSecret>> {
    let app_id = app_id.trim();
    if !crate::token::is_guid(app_id) {
        return Err(Error::InvalidInput {
            field: "client ID".into(),
            reason: format!("{app_id:?} is not a GUID"),
            fix: Some(
                "Copy the Application (client) ID from the app registration's Overview.".into(),
            ),
        });
    }
    let base = url::Url::parse(graph_base.trim()).map_err(|e| Error::InvalidInput {
        field: "Graph URL".into(),
        reason: e.to_string(),
        fix: Some("Use https://graph.microsoft.com (or the national cloud's Graph host).".into()),
    })?;
    crate::verify::check_url(&base).map_err(|reason| Error::InvalidInput {
        field: "Graph URL".into(),
        reason,
        fix: Some(
            "Use https://graph.microsoft.com; plain http only for loopback test servers.".into(),
        ),
    })?;
    let url = url::Url::parse(&format!(
        "{}/v1.0/applications(appId='{app_id}')?$select=passwordCredentials",
        base.as_str().trim_end_matches('/')
    ))
    .map_err(|e| Error::Internal(e.to_string()))?;
    let client = crate::http::client_builder(crate::groups::REQUEST_TIMEOUT)
        .build()
        .map_err(|e| Error::Internal(e.to_string()))?;
    let body = crate::groups::send(client.get(url.clone()), token, &url, &[])
        .await
        .map_err(|e| graph_error(e, app_id))?;
    Ok(parse(&body))
}

fn graph_error(e: crate::groups::GroupsError, app_id: &str) -> Error {
    use crate::groups::GroupsError as G;
    let action = format!("read the app registration {app_id}");
    match e {
        G::Forbidden { graph_code, graph_message, .. } => Error::Graph {
            action,
            status: 403,
            detail: format!("{graph_code}: {graph_message}"),
            fix: Some("Reading an app registration's secrets needs the Microsoft Graph permission Application.Read.All (delegated, with admin consent, or application), or a user who owns the app. Or enter the end date shown under Certificates & secrets by hand.".into()),
        },
        G::Unauthorized { graph_code, graph_message } => Error::Graph {
            action,
            status: 401,
            detail: format!("{graph_code}: {graph_message}"),
            fix: e_fix_unauthorized(),
        },
        G::Graph { status, graph_code, graph_message } => Error::Graph {
            action,
            status,
            fix: (status == 404).then(|| {
                "No app registration has this Application (client) ID in the token's tenant: check the ID and the tenant.".to_string()
            }),
            detail: format!("{graph_code}: {graph_message}"),
        },
        other => Error::Graph {
            action,
            status: 0,
            fix: other.fix(),
            detail: other.to_string(),
        },
    }
}

fn e_fix_unauthorized() -> Option<String> {
    Some("Use an access token for Microsoft Graph (aud https://graph.microsoft.com), not an ID token, and check it has not expired.".into())
}

pub(crate) fn parse(body: &Value) -> Vec<RegisteredSecret> {
    body["passwordCredentials"]
        .as_array()
        .map(|list| {
            list.iter()
                .map(|c| RegisteredSecret {
                    key_id: c["keyId"].as_str().unwrap_or_default().to_string(),
                    display_name: c["displayName"].as_str().map(str::to_string),
                    hint: c["hint"].as_str().map(str::to_string),
                    expires_on: c["endDateTime"]
                        .as_str()
                        .and_then(date_of)
                        .map(|d| d.to_string()),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// `2099-12-31T00:00:00Z` (Graph's ISO 8601, with or without fractions) → the date.
fn date_of(text: &str) -> Option<Date> {
    time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .ok()
        .map(|t| t.to_offset(time::UtcOffset::UTC).date())
        .or_else(|| super::parse_date(text.get(..10)?).ok())
}

/// The registration entry of a secret value: the one whose `hint` is the
/// value's first three characters. `None` when none or several match (the
/// admin then picks the date by hand).
pub fn matching<'a>(
    value: &SecretString,
    registered: &'a [RegisteredSecret],
) -> Option<&'a RegisteredSecret> {
    let head: String = value.expose_secret().chars().take(3).collect();
    let mut found = registered
        .iter()
        .filter(|r| r.hint.as_deref() == Some(head.as_str()));
    let first = found.next()?;
    found.next().is_none().then_some(first)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn list() -> Vec<RegisteredSecret> {
        parse(&json!({"passwordCredentials": [
            {"keyId": "k1", "displayName": "old", "hint": "Old", "endDateTime": "2024-01-31T00:00:00Z", "secretText": null},
            {"keyId": "k2", "displayName": "Grafana", "hint": "Gra", "endDateTime": "2099-12-31T12:30:00.1234567Z"},
            {"keyId": "k3", "hint": "Dup", "endDateTime": "2030-01-01T00:00:00Z"},
            {"keyId": "k4", "hint": "Dup", "endDateTime": "2031-01-01T00:00:00Z"},
        ]}))
    }

    #[test]
    fn graph_dates_read_as_utc_dates_with_or_without_fractions() {
        let l = list();
        assert_eq!(l[0].expires_on.as_deref(), Some("2024-01-31"));
        assert_eq!(l[1].expiry_date().unwrap().to_string(), "2099-12-31");
        assert_eq!(l[1].display_name.as_deref(), Some("Grafana"));
    }

    #[test]
    fn a_secret_matches_its_entry_by_the_three_character_hint_only_when_unambiguous() {
        let l = list();
        let value = SecretString::from("Gra8Q~something".to_string());
        assert_eq!(matching(&value, &l).unwrap().key_id, "k2");
        let dup = SecretString::from("Dup8Q~x".to_string());
        assert!(matching(&dup, &l).is_none(), "two entries share the hint");
        let none = SecretString::from("Zzz8Q~x".to_string());
        assert!(matching(&none, &l).is_none());
    }

    #[test]
    fn a_missing_list_is_empty_not_an_error() {
        assert!(parse(&json!({})).is_empty());
    }
}
