//! Claims explained: a catalog of what each claim means, and the values of a
//! decoded token read for people (times, directory roles, app roles).
//!
//! Pure functions of their inputs: the current time is passed in as `now`
//! (Unix seconds), never read here, so the same token always explains the
//! same way in tests.

mod catalog;
mod roles;

use serde::Serialize;
use serde_json::Value;

pub use catalog::CLAIMS;
pub use roles::{directory_role, DirectoryRole, DEFAULT_MEMBER_ROLE, DIRECTORY_ROLES};

use crate::token::JsonObject;

/// One claim in the catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
pub struct ClaimInfo {
    /// The claim's name in the token.
    pub name: &'static str,
    /// What it means.
    pub meaning: &'static str,
    /// Which tokens carry it.
    pub token: TokenUse,
    /// Which token versions carry it.
    pub versions: Versions,
    /// What goes wrong with it in practice.
    pub pitfall: Option<&'static str>,
    /// Where this comes from (see the catalog's header).
    pub source: &'static str,
    /// Who defines the name.
    pub defined_by: DefinedBy,
    /// Whether Microsoft Entra emits it.
    pub emitted_by_entra: bool,
}

/// Which tokens carry a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum TokenUse {
    Id,
    Access,
    Both,
}

/// Which token versions carry a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum Versions {
    V1,
    V2,
    Both,
}

/// Who defines a claim name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum DefinedBy {
    /// A registered JWT claim (RFC 7519 §4.1).
    Jwt,
    /// An OpenID Connect claim.
    Oidc,
    /// Microsoft Entra.
    Entra,
}

/// The catalog entry for a claim name.
pub fn claim_info(name: &str) -> Option<&'static ClaimInfo> {
    CLAIMS.iter().find(|c| c.name == name)
}

/// What an unknown claim is called.
pub const UNKNOWN_CLAIM: &str = "Custom or optional claim: not in Entrance's catalog (a directory extension, a claims-mapping policy, or a claim Microsoft added).";

/// The meaning of a claim for people, with its value read where Entrance can.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct ClaimExplanation {
    /// The claim's name.
    pub claim: String,
    /// Whether the catalog knows it.
    pub known: bool,
    /// What it means (or "custom or optional claim").
    pub meaning: String,
    /// Which tokens carry it, when known.
    pub token: Option<TokenUse>,
    /// Which versions carry it, when known.
    pub versions: Option<Versions>,
    /// What goes wrong with it in practice.
    pub pitfall: Option<String>,
    /// Where the explanation comes from.
    pub source: Option<String>,
    /// A time claim read as a date, absolute and relative to `now`.
    pub time: Option<TimeValue>,
    /// Names for the values of a list claim (`wids` → role names, `roles` →
    /// app role display names, `amr`, `appidacr`…).
    pub labels: Vec<ValueLabel>,
}

/// A Unix time shown for people.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct TimeValue {
    /// Seconds since 1970 (a JSON number; exact below 2^53).
    pub unix: f64,
    /// RFC 3339, UTC: `2024-05-01T10:00:00Z`.
    pub utc: String,
    /// Relative to the `now` given: `in 42 minutes`, `3 hours ago`.
    pub relative: String,
}

/// A readable name for one value of a claim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct ValueLabel {
    /// The value as in the token.
    pub value: String,
    /// What it means.
    pub label: String,
    /// Whether the mapping is documented (`false`: unconfirmed).
    pub confirmed: bool,
}

/// An app role of the registration, to name the values of `roles`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, specta::Type)]
pub struct AppRoleName {
    /// The role's `value` (what the `roles` claim carries).
    pub value: String,
    /// The role's display name.
    pub display_name: String,
}

/// Explains every claim of a token, in the token's order.
pub fn explain_claims(
    claims: &JsonObject,
    app_roles: &[AppRoleName],
    now: i64,
) -> Vec<ClaimExplanation> {
    claims
        .iter()
        .map(|(name, value)| explain_claim(name, value, claims, app_roles, now))
        .collect()
}

fn explain_claim(
    name: &str,
    value: &Value,
    claims: &JsonObject,
    app_roles: &[AppRoleName],
    now: i64,
) -> ClaimExplanation {
    let info = claim_info(name);
    ClaimExplanation {
        claim: name.to_string(),
        known: info.is_some(),
        meaning: info.map_or(UNKNOWN_CLAIM, |i| i.meaning).to_string(),
        token: info.map(|i| i.token),
        versions: info.map(|i| i.versions),
        pitfall: info.and_then(|i| i.pitfall).map(str::to_string),
        source: info.map(|i| i.source.to_string()),
        time: time_of(name, value, claims).and_then(|t| time_value(t, now)),
        labels: labels_of(name, value, app_roles),
    }
}

/// Claims whose value is a Unix time.
const TIME_CLAIMS: &[&str] = &["iat", "nbf", "exp", "auth_time", "updated_at", "xms_tcdt"];

fn time_of(name: &str, value: &Value, claims: &JsonObject) -> Option<i64> {
    let n = number(value)?;
    if TIME_CLAIMS.contains(&name) {
        return Some(n);
    }
    if name == "pwd_exp" {
        // docs/entra.md#access-token-claims-reference: a Unix timestamp; docs/entra.md#optional-claims-reference: seconds after iat. A small number can
        // only be the latter.
        if n < 1_000_000_000 {
            return claims
                .get("iat")
                .and_then(number)
                .map(|iat| iat.saturating_add(n));
        }
        return Some(n);
    }
    None
}

/// A JSON number or numeric string as whole seconds.
pub(crate) fn number(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n
            .as_i64()
            .or_else(|| n.as_f64().filter(|f| f.is_finite()).map(|f| f as i64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// `unix` shown as RFC 3339 UTC and relative to `now`; `None` when out of range.
pub fn time_value(unix: i64, now: i64) -> Option<TimeValue> {
    let utc = time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()?
        .format(&time::format_description::well_known::Rfc3339)
        .ok()?;
    Some(TimeValue {
        unix: unix as f64,
        utc,
        relative: relative(unix.saturating_sub(now)),
    })
}

/// `in 5 minutes`, `2 hours ago`, `now`.
pub fn relative(delta: i64) -> String {
    let abs = delta.unsigned_abs();
    let amount = match abs {
        0..=1 => return "now".into(),
        2..=119 => format!("{abs} seconds"),
        120..=7_199 => format!("{} minutes", abs / 60),
        7_200..=172_799 => format!("{} hours", abs / 3_600),
        _ => format!("{} days", abs / 86_400),
    };
    if delta > 0 {
        format!("in {amount}")
    } else {
        format!("{amount} ago")
    }
}

fn strings(value: &Value) -> Vec<String> {
    match value {
        Value::Array(items) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        Value::String(s) => s.split_whitespace().map(str::to_string).collect(),
        _ => Vec::new(),
    }
}

fn labels_of(name: &str, value: &Value, app_roles: &[AppRoleName]) -> Vec<ValueLabel> {
    let label = |value: &str, label: &str, confirmed: bool| ValueLabel {
        value: value.to_string(),
        label: label.to_string(),
        confirmed,
    };
    match name {
        "wids" => strings(value)
            .iter()
            .map(|id| match directory_role(id) {
                Some(r) => label(id, r.name, r.confirmed),
                None => label(id, "a directory role Entrance does not name", true),
            })
            .collect(),
        "roles" if !app_roles.is_empty() => strings(value)
            .iter()
            .map(|v| match app_roles.iter().find(|r| &r.value == v) {
                Some(r) => label(v, &r.display_name, true),
                None => label(v, "not an app role of this registration", true),
            })
            .collect(),
        "amr" => strings(value)
            .iter()
            .map(|m| {
                let text = match m.as_str() {
                    "pwd" => "password (or a client secret)",
                    "rsa" => "RSA key proof, such as Microsoft Authenticator or a certificate",
                    "otp" => "one-time passcode by email or text message",
                    "fed" => "federated assertion (JWT or SAML)",
                    "wia" => "Windows Integrated Authentication",
                    "mfa" => "multifactor authentication",
                    "ngcmfa" => "MFA for provisioning advanced credentials",
                    "wiaormfa" => "Windows or an MFA credential",
                    "none" => "no completed authentication",
                    _ => "an authentication method Entrance does not name",
                };
                label(m, text, true)
            })
            .collect(),
        "appidacr" | "azpacr" => {
            let v = value
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| value.to_string());
            let text = match v.as_str() {
                "0" => "public client (no secret)",
                "1" => "client secret",
                "2" => "certificate",
                _ => "unknown client authentication",
            };
            vec![label(&v, text, true)]
        }
        "acct" => {
            let v = value
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| value.to_string());
            let text = match v.as_str() {
                "0" => "member of the tenant",
                "1" => "guest in the tenant",
                _ => "unknown account status",
            };
            vec![label(&v, text, true)]
        }
        "xms_cc" => strings(value)
            .iter()
            .map(|c| {
                let text = if c == "cp1" {
                    "can handle claims challenges (CAE)"
                } else {
                    "a client capability Entrance does not name"
                };
                label(c, text, true)
            })
            .collect(),
        "tid" => match value.as_str() {
            Some(t) if t.eq_ignore_ascii_case(PERSONAL_ACCOUNT_TENANT) => {
                vec![label(
                    t,
                    "the personal Microsoft account (MSA) tenant",
                    true,
                )]
            }
            _ => Vec::new(),
        },
        "aud" => strings(value)
            .iter()
            .filter(|a| is_graph_audience(a))
            .map(|a| label(a, "Microsoft Graph", true))
            .collect(),
        _ => Vec::new(),
    }
}

/// The personal Microsoft account tenant (docs/entra.md#access-token-claims-reference).
pub const PERSONAL_ACCOUNT_TENANT: &str = "9188040d-6c67-4c5b-b112-36a304b66dad";

/// Microsoft Graph's app ID (docs/entra.md#access-tokens).
pub const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";

/// Whether an audience is Microsoft Graph (by app ID or by URL, any cloud) (docs/entra.md#access-tokens, docs/entra.md#national-clouds).
pub fn is_graph_audience(aud: &str) -> bool {
    let a = aud.trim().trim_end_matches('/').to_ascii_lowercase();
    a == GRAPH_APP_ID
        || matches!(
            a.as_str(),
            "https://graph.microsoft.com"
                | "https://graph.microsoft.us"
                | "https://dod-graph.microsoft.us"
                | "https://microsoftgraph.chinacloudapi.cn"
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::collections::HashSet;

    #[test]
    fn the_catalog_has_unique_names_meanings_and_sources() {
        let mut seen = HashSet::new();
        for c in CLAIMS {
            assert!(seen.insert(c.name), "duplicate claim {}", c.name);
            assert!(!c.meaning.trim().is_empty(), "{} has no meaning", c.name);
            assert!(!c.source.trim().is_empty(), "{} has no source", c.name);
            if c.defined_by == DefinedBy::Entra {
                assert!(c.emitted_by_entra, "{}", c.name);
            }
        }
    }

    #[test]
    fn the_catalog_covers_at_least_50_entra_claims_and_the_registered_ones() {
        let entra = CLAIMS.iter().filter(|c| c.emitted_by_entra).count();
        assert!(entra >= 50, "only {entra} Entra claims");
        for registered in ["iss", "sub", "aud", "exp", "nbf", "iat", "jti"] {
            assert_eq!(
                claim_info(registered).map(|c| c.defined_by),
                Some(DefinedBy::Jwt)
            );
        }
        for oidc in [
            "nonce",
            "auth_time",
            "azp",
            "email",
            "preferred_username",
            "name",
        ] {
            assert_eq!(
                claim_info(oidc).map(|c| c.defined_by),
                Some(DefinedBy::Oidc)
            );
        }
    }

    #[test]
    fn every_claim_of_entra_facts_section_b_is_in_the_catalog() {
        for name in [
            "aud",
            "iss",
            "iat",
            "nbf",
            "exp",
            "auth_time",
            "tid",
            "oid",
            "sub",
            "preferred_username",
            "upn",
            "email",
            "name",
            "given_name",
            "family_name",
            "unique_name",
            "groups",
            "hasgroups",
            "_claim_names",
            "_claim_sources",
            "roles",
            "wids",
            "scp",
            "azp",
            "appid",
            "azpacr",
            "appidacr",
            "amr",
            "acr",
            "idp",
            "idtyp",
            "uti",
            "rh",
            "aio",
            "sid",
            "nonce",
            "ver",
            "xms_cc",
            "xms_pl",
            "xms_tpl",
            "xms_pdl",
            "xms_edov",
            "xms_st",
            "xms_tcdt",
            "xms_idrel",
            "ipaddr",
            "onprem_sid",
            "pwd_exp",
            "pwd_url",
            "in_corp",
            "login_hint",
            "acrs",
            "ctry",
            "tenant_ctry",
            "tenant_region_scope",
            "verified_primary_email",
        ] {
            assert!(claim_info(name).is_some(), "{name} missing");
        }
    }

    #[test]
    fn an_unknown_claim_is_a_custom_or_optional_claim() {
        let claims = json!({"extension_costCenter": "42"});
        let e = &explain_claims(claims.as_object().unwrap(), &[], 0)[0];
        assert!(!e.known);
        assert!(e.meaning.starts_with("Custom or optional claim"));
        assert_eq!(e.source, None);
    }

    #[test]
    fn times_are_shown_absolute_and_relative_to_the_given_now() {
        let now = 1_714_557_600; // 2024-05-01T10:00:00Z
        let claims = json!({"iat": now - 600, "exp": now + 2_700, "nbf": now - 600, "auth_time": now - 3 * 86_400, "pwd_exp": 7_200});
        let ex = explain_claims(claims.as_object().unwrap(), &[], now);
        let t = |i: usize| ex[i].time.clone().unwrap();
        assert_eq!(t(0).utc, "2024-05-01T09:50:00Z");
        assert_eq!(t(0).relative, "10 minutes ago");
        assert_eq!(t(1).relative, "in 45 minutes");
        assert_eq!(t(3).relative, "3 days ago");
        // pwd_exp as seconds after iat (docs/entra.md#optional-claims-reference).
        assert_eq!(t(4).utc, "2024-05-01T11:50:00Z");
    }

    #[test]
    fn a_time_out_of_range_is_not_a_date() {
        assert!(time_value(i64::MAX, 0).is_none());
        let claims = json!({"exp": "soon"});
        assert!(explain_claims(claims.as_object().unwrap(), &[], 0)[0]
            .time
            .is_none());
    }

    #[test]
    fn relative_times_read_naturally() {
        assert_eq!(relative(0), "now");
        assert_eq!(relative(30), "in 30 seconds");
        assert_eq!(relative(-30), "30 seconds ago");
        assert_eq!(relative(7_200), "in 2 hours");
        assert_eq!(relative(-200_000), "2 days ago");
        assert_eq!(
            relative(i64::MIN),
            format!("{} days ago", i64::MIN.unsigned_abs() / 86_400)
        );
    }

    #[test]
    fn wids_are_named_and_the_member_role_is_marked_unconfirmed() {
        let claims = json!({"wids": ["62e90394-69f5-4237-9190-012177145e10", DEFAULT_MEMBER_ROLE, "11111111-1111-1111-1111-111111111111"]});
        let labels = &explain_claims(claims.as_object().unwrap(), &[], 0)[0].labels;
        assert_eq!(labels[0].label, "Global Administrator");
        assert!(labels[0].confirmed);
        assert_eq!(labels[1].label, "User (default member role)");
        assert!(!labels[1].confirmed);
        assert_eq!(labels[2].label, "a directory role Entrance does not name");
    }

    #[test]
    fn roles_get_display_names_only_when_a_registration_is_given() {
        let claims = json!({"roles": ["Admin", "Ghost"]});
        let roles = [AppRoleName {
            value: "Admin".into(),
            display_name: "Grafana Org Admin".into(),
        }];
        let with = &explain_claims(claims.as_object().unwrap(), &roles, 0)[0].labels;
        assert_eq!(with[0].label, "Grafana Org Admin");
        assert_eq!(with[1].label, "not an app role of this registration");
        assert!(explain_claims(claims.as_object().unwrap(), &[], 0)[0]
            .labels
            .is_empty());
    }

    #[test]
    fn graph_audiences_are_recognized_in_every_cloud() {
        for aud in [
            GRAPH_APP_ID,
            "https://graph.microsoft.com",
            "https://graph.microsoft.com/",
            "https://microsoftgraph.chinacloudapi.cn",
        ] {
            assert!(is_graph_audience(aud), "{aud}");
        }
        assert!(!is_graph_audience(
            "api://c0ffee00-0000-4000-8000-000000000001"
        ));
    }
}
