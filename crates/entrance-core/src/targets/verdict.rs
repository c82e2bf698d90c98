//! What a target product will do with the tokens an inspection decoded.
//!
//! The inspector decodes; the target judges. [`verdict`] picks the ID token,
//! the access token for the product and any Entra error response out of an
//! [`Inspection`] and asks the target's [`Target::verdict`] for its checks.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Target, TargetInputs};
use crate::inspect::{Inspection, TokenKind};
use crate::token::JsonObject;

/// The product's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case", rename = "VerdictOutcome")]
pub enum Outcome {
    /// The product signs the user in as intended.
    Works,
    /// The user gets in, but not as intended (e.g. Grafana's default role).
    Degraded,
    /// The product refuses the user.
    Fails,
    /// The tokens given do not tell (e.g. the product reads a token that was not pasted).
    Unknown,
}

/// How one check went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case", rename = "VerdictStatus")]
pub enum CheckStatus {
    /// Passed.
    Pass,
    /// The product refuses the user because of this.
    Fail,
    /// The user gets in, but not as intended.
    Warn,
    /// Cannot be decided from what was pasted.
    Unknown,
    /// For information (the role the user gets).
    Info,
}

/// One thing the product checks, and how it went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct VerdictCheck {
    /// Stable code (`grafana.roles.absent`).
    pub code: String,
    /// How it went.
    pub status: CheckStatus,
    /// What the product does, in its own terms.
    pub message: String,
    /// What to change, when something is to be changed.
    pub fix: Option<String>,
    /// Where the fact about the product comes from.
    pub source: String,
}

impl VerdictCheck {
    /// A check.
    pub fn new(code: &str, status: CheckStatus, message: impl Into<String>, source: &str) -> Self {
        VerdictCheck {
            code: code.into(),
            status,
            message: message.into(),
            fix: None,
            source: source.into(),
        }
    }
    /// With a fix.
    pub fn fix(mut self, fix: impl Into<String>) -> Self {
        self.fix = Some(fix.into());
        self
    }
}

/// What a target does with the pasted tokens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct Verdict {
    /// The target's name.
    pub target: String,
    /// The product's name as its admins know it ("Grafana").
    pub product: String,
    /// The product's answer.
    pub outcome: Outcome,
    /// One line: the outcome and the first reason.
    pub summary: String,
    /// The first reason alone (the check that decided the outcome), if any.
    pub reason: Option<String>,
    /// Every check, in the order the product makes them.
    pub checks: Vec<VerdictCheck>,
}

impl Verdict {
    /// The check with `code`, if it was made.
    pub fn check(&self, code: &str) -> Option<&VerdictCheck> {
        self.checks.iter().find(|c| c.code == code)
    }
    /// The codes of failed (and warned) checks.
    pub fn problems(&self) -> Vec<&str> {
        self.checks
            .iter()
            .filter(|c| matches!(c.status, CheckStatus::Fail | CheckStatus::Warn))
            .map(|c| c.code.as_str())
            .collect()
    }
}

/// The tokens of one sign-in, as a target reads them.
#[derive(Debug, Clone, Default)]
pub struct TokenSet<'a> {
    /// The ID token's claims.
    pub id: Option<&'a JsonObject>,
    /// The access token for the product's own API (not Microsoft Graph).
    pub access: Option<&'a JsonObject>,
    /// An access token for Microsoft Graph (what a sign-in without an API scope returns).
    pub graph: Option<&'a JsonObject>,
    /// An Entra error response instead of tokens: its AADSTS code.
    pub error: Option<u32>,
    /// The error's description.
    pub error_description: Option<&'a str>,
}

impl<'a> TokenSet<'a> {
    /// Picks the tokens out of an inspection.
    pub fn from_inspection(inspection: &'a Inspection) -> TokenSet<'a> {
        let mut set = TokenSet::default();
        for t in &inspection.tokens {
            if let Some(e) = &t.error {
                set.error = set
                    .error
                    .or(e.aadsts)
                    .or_else(|| t.aadsts.first().map(|c| c.code));
                set.error_description = set.error_description.or(e.description.as_deref());
            }
            let Some(claims) = t.claims.as_ref() else {
                continue;
            };
            let graph = is_graph_claims(claims);
            match t.kind {
                TokenKind::IdToken => set.id = set.id.or(Some(claims)),
                TokenKind::AccessToken if graph => set.graph = set.graph.or(Some(claims)),
                TokenKind::AccessToken => set.access = set.access.or(Some(claims)),
                _ if graph => set.graph = set.graph.or(Some(claims)),
                _ if claims.contains_key("scp")
                    || claims.contains_key("roles") && !claims.contains_key("nonce") =>
                {
                    set.access = set.access.or(Some(claims))
                }
                _ => set.id = set.id.or(Some(claims)),
            }
        }
        set
    }

    /// Whether nothing usable was given.
    pub fn is_empty(&self) -> bool {
        self.id.is_none() && self.access.is_none() && self.graph.is_none() && self.error.is_none()
    }
}

fn is_graph_claims(claims: &JsonObject) -> bool {
    let aud: Vec<&str> = match claims.get("aud") {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    aud.iter().any(|a| {
        let a = a.trim_end_matches('/');
        a == "00000003-0000-0000-c000-000000000000"
            || a.ends_with("graph.microsoft.com")
            || a.ends_with("graph.microsoft.us")
            || a.ends_with("microsoftgraph.chinacloudapi.cn")
    })
}

/// The target's verdict on the tokens of `inspection`.
pub fn verdict(target: &dyn Target, inspection: &Inspection, inputs: &TargetInputs) -> Verdict {
    let tokens = TokenSet::from_inspection(inspection);
    verdict_on(target, &tokens, inputs)
}

/// The target's verdict on `tokens`.
pub fn verdict_on(target: &dyn Target, tokens: &TokenSet<'_>, inputs: &TargetInputs) -> Verdict {
    let name = target.info().name;
    let checks = if tokens.is_empty() {
        vec![VerdictCheck::new(
            "token.none",
            CheckStatus::Unknown,
            "No token or Entra error in the paste: nothing to judge.",
            "entrance",
        )
        .fix("Paste the product's token response (ID and access token), or the error it got.")]
    } else {
        target.verdict(tokens, inputs)
    };
    let outcome = if checks.iter().any(|c| c.status == CheckStatus::Fail) {
        Outcome::Fails
    } else if checks.iter().any(|c| c.status == CheckStatus::Unknown) {
        Outcome::Unknown
    } else if checks.iter().any(|c| c.status == CheckStatus::Warn) {
        Outcome::Degraded
    } else {
        Outcome::Works
    };
    let first = checks
        .iter()
        .find(|c| c.status == CheckStatus::Fail)
        .or_else(|| checks.iter().find(|c| c.status == CheckStatus::Unknown))
        .or_else(|| checks.iter().find(|c| c.status == CheckStatus::Warn))
        .or_else(|| checks.iter().rev().find(|c| c.status == CheckStatus::Info));
    let display = target.info().display_name;
    let head = match outcome {
        Outcome::Works => format!("{display} signs the user in"),
        Outcome::Degraded => format!("{display} signs the user in, but not as intended"),
        Outcome::Fails => format!("{display} refuses the sign-in"),
        Outcome::Unknown => format!("{display}: cannot tell from this paste"),
    };
    let summary = match first {
        Some(c) => format!("{head}: {}", c.message),
        None => head,
    };
    let reason = first.map(|c| c.message.clone());
    Verdict {
        target: name.to_string(),
        product: display.to_string(),
        outcome,
        summary,
        reason,
        checks,
    }
}

/// Verdicts for several targets (the CLI's `--target` may repeat).
pub fn verdicts(targets: &[(&dyn Target, TargetInputs)], inspection: &Inspection) -> Vec<Verdict> {
    targets
        .iter()
        .map(|(t, inputs)| verdict(*t, inspection, inputs))
        .collect()
}

// ---------------------------------------------------------------------------
// Helpers the targets share.
// ---------------------------------------------------------------------------

/// A string claim.
pub(crate) fn str_claim<'a>(claims: &'a JsonObject, name: &str) -> Option<&'a str> {
    claims.get(name).and_then(Value::as_str)
}

/// A claim that is a list of strings (a single string counts as one).
pub(crate) fn list_claim(claims: &JsonObject, name: &str) -> Option<Vec<String>> {
    match claims.get(name)? {
        Value::Array(a) => Some(
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect(),
        ),
        Value::String(s) => Some(vec![s.clone()]),
        _ => None,
    }
}

/// The audiences of a token.
pub(crate) fn audiences(claims: &JsonObject) -> Vec<String> {
    list_claim(claims, "aud").unwrap_or_default()
}

/// Whether the token carries the groups overage marker (docs/entra.md#groups-overage).
pub(crate) fn has_overage(claims: &JsonObject) -> bool {
    claims
        .get("_claim_names")
        .and_then(|v| v.get("groups"))
        .is_some()
        || claims.get("hasgroups").is_some()
}

/// The client ID, when the admin gave one.
pub(crate) fn client_id(inputs: &TargetInputs) -> Option<String> {
    inputs
        .client_id
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_ascii_lowercase)
}

/// The tenant GUID, when the admin gave one as a GUID.
pub(crate) fn tenant_guid(inputs: &TargetInputs) -> Option<String> {
    inputs
        .tenant
        .as_deref()
        .map(str::trim)
        .filter(|t| crate::secrets::is_guid(t))
        .map(str::to_ascii_lowercase)
}

/// `aud` must be one of `accepted` (case-insensitive; a trailing slash on
/// an App ID URI is tolerated, docs/entra.md#claims).
pub(crate) fn check_aud(
    claims: &JsonObject,
    accepted: &[String],
    code: &str,
    what: &str,
    source: &str,
) -> VerdictCheck {
    let aud = audiences(claims);
    let ok = aud.iter().any(|a| {
        accepted.iter().any(|x| {
            a.trim_end_matches('/')
                .eq_ignore_ascii_case(x.trim_end_matches('/'))
        })
    });
    if ok {
        VerdictCheck::new(
            code,
            CheckStatus::Pass,
            format!("{what}: aud {} is accepted.", aud.join(", ")),
            source,
        )
    } else {
        VerdictCheck::new(
            code,
            CheckStatus::Fail,
            format!("{what}: aud is {}, expected {}.", if aud.is_empty() { "missing".to_string() } else { aud.join(", ") }, accepted.join(" or ")),
            source,
        )
        .fix("Check that the product's client ID is this app registration's Application (client) ID and that it requests the right scope.")
    }
}

/// The tenant of the token (`tid`, else the issuer's path segment).
pub(crate) fn token_tenant(claims: &JsonObject) -> Option<String> {
    str_claim(claims, "tid")
        .map(str::to_ascii_lowercase)
        .or_else(|| {
            str_claim(claims, "iss").and_then(|iss| {
                iss.trim_end_matches('/')
                    .trim_end_matches("/v2.0")
                    .rsplit('/')
                    .next()
                    .map(str::to_ascii_lowercase)
            })
        })
}

/// `ver` as a string ("1.0", "2.0"), else from the issuer's form.
pub(crate) fn token_version(claims: &JsonObject) -> Option<String> {
    str_claim(claims, "ver").map(str::to_string).or_else(|| {
        str_claim(claims, "iss").map(|iss| {
            if iss.starts_with("https://sts.windows.net/") || iss.contains("sts.chinacloudapi.cn") {
                "1.0".to_string()
            } else {
                "2.0".to_string()
            }
        })
    })
}

/// The AADSTS codes every target explains the same way (docs/entra.md#errors).
pub(crate) fn error_check(code: u32, description: Option<&str>) -> VerdictCheck {
    let (what, fix) = match code {
        50011 => ("the redirect URI the product sent is not registered (or not under the right platform)", "Register the exact URI (scheme, host, port, path, case, trailing slash) under the platform the product needs."),
        7000215 => ("the client secret is wrong — often the Secret ID was used instead of the Value", "Create a new client secret and copy its Value into the product."),
        7000222 => ("the client secret has expired", "Add a new client secret (Certificates & secrets), copy its Value into the product, then delete the old one."),
        7000218 => ("the registration is Web (confidential) but the product sent no client secret", "Give the product the client secret, or register the redirect URI under the platform of a public client (SPA)."),
        700025 => ("the product sent a secret but the redirect URI is registered for a public client", "Register the redirect URI under Web, or stop sending the secret."),
        9002326 => ("the redirect URI is registered as SPA/public but the product redeems the code as a server (or vice versa)", "Register the redirect URI under the platform matching how the product redeems codes."),
        9002327 => ("the redirect URI is registered as Single-page application but the product redeems the code server-side", "Move the redirect URI from Single-page application to Web."),
        70011 => ("a requested scope is invalid or not exposed by the app", "Expose the scope under Expose an API (or fix the scope the product requests)."),
        65001 => ("consent is missing for a requested permission", "Grant admin consent under API permissions."),
        50105 => ("the user is not assigned to the app (Assignment required)", "Assign the user or a group they are a direct member of under Enterprise applications → Users and groups."),
        700016 => ("the application was not found in the directory", "Check the client ID, tenant and cloud."),
        90002 => ("the tenant was not found", "Check the tenant ID or domain and the cloud."),
        // Every other code: the AADSTS catalog's explanation, or the meaning
        // Microsoft's table gives it (docs/aadsts.md).
        _ => {
            let explained = crate::aadsts::explain(code, &crate::aadsts::Situation::default());
            let what = explained.title.trim_end_matches('.');
            let mut message = format!("Entra answered AADSTS{code}: {what}.");
            if let Some(cause) = &explained.cause {
                message.push_str(&format!(" Usual cause: {cause}"));
            }
            if let Some(d) = description.and_then(|d| d.lines().next()) {
                message.push_str(&format!(" ({d})"));
            }
            return VerdictCheck::new(
                &format!("entra.aadsts{code}"),
                CheckStatus::Fail,
                message,
                explained.source.as_deref().unwrap_or("docs/aadsts.md"),
            )
            .fix(&explained.fix);
        }
    };
    let mut message = format!("Entra answered AADSTS{code}: {what}.");
    if let Some(d) = description.and_then(|d| d.lines().next()) {
        message.push_str(&format!(" ({d})"));
    }
    VerdictCheck::new(
        &format!("entra.aadsts{code}"),
        CheckStatus::Fail,
        message,
        "docs/entra.md#errors",
    )
    .fix(fix)
}

#[cfg(test)]
mod error_check_tests {
    use super::*;

    #[test]
    fn a_code_without_a_product_specific_row_gets_the_catalogs_cause_and_fix() {
        let c = error_check(
            50194,
            Some("AADSTS50194: Application is not configured as a multi-tenant application."),
        );
        assert!(
            c.message
                .contains("Usual cause: The product is configured with `/common`"),
            "{}",
            c.message
        );
        assert!(c
            .fix
            .as_deref()
            .is_some_and(|f| f.contains("login.microsoftonline.com/{tenant-id}")));
        assert_eq!(c.source, "docs/aadsts.md#guests-and-tenants");
        let reference_only = error_check(50015, None);
        assert!(
            reference_only.message.contains("legal-age-group consent"),
            "{}",
            reference_only.message
        );
        assert!(reference_only
            .fix
            .as_deref()
            .is_some_and(|f| f.contains("https://login.microsoftonline.com/error?code=50015")));
    }
}
