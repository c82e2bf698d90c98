//! AADSTS error codes: a catalog, and a parser that finds them anywhere.
//!
//! Shared by the token inspector, sign-in, diagnostics and `entrance explain`.
//! [`find_codes`] finds every AADSTS code in any text — a log line, a redirect
//! URL (`error_description` percent- and plus-encoded), an Entra JSON error
//! body (`error_codes`), or OCR'd text of a screenshot (`AADSTS 50011`) — and
//! pairs each with its [`AadstsEntry`]. [`EntraError`] is Entra's error body
//! (or redirect parameters) typed.
//!
//! Entra says to act on `error`, never on the description text
//! (docs/aadsts.md#microsofts-reference-table); the codes are for people
//! diagnosing a setup, which is what Entrance does.
//!
//! Two tables: [`CATALOG`], the codes admins setting up single sign-on meet,
//! each with a targeted cause, fix, `az`/Graph equivalent and product notes;
//! and [`reference()`], every code of Microsoft's reference table with its
//! meaning. [`explain`] puts them together with what Entrance knows about
//! the situation the code came from ([`Situation`]).

mod catalog;
mod context;
mod reference;

use serde::Serialize;
use serde_json::{Map, Value};

pub use catalog::CATALOG;
pub use context::{explain, Explanation, Situation, TextFacts};
pub use reference::{
    parse as parse_reference, reference, reference_lookup, ReferenceCode, ReferenceParseError,
    REFERENCE_REVISION, REFERENCE_SOURCE,
};

/// Entra's error lookup page for a code (docs/aadsts.md#microsofts-reference-table).
pub fn lookup_url(code: u32) -> String {
    format!("https://login.microsoftonline.com/error?code={code}")
}

/// One AADSTS code Entrance knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
pub struct AadstsEntry {
    /// The number after `AADSTS`.
    pub code: u32,
    /// What Entra means by it.
    pub title: &'static str,
    /// What usually causes it while setting up single sign-on.
    pub cause: &'static str,
    /// What to do, in the portal's words.
    pub fix: &'static str,
    /// The same fix with the Azure CLI or Microsoft Graph.
    pub cli: &'static str,
    /// Where in the portal the fix is made.
    pub blade: Blade,
    /// What differs for a target product, by the target's name.
    pub products: &'static [ProductNote],
    /// Where this row comes from: a section of `docs/aadsts.md`.
    pub source: &'static str,
}

/// What a code means for one target product.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
pub struct ProductNote {
    /// The target's name (`grafana`, `authentik`…).
    pub product: &'static str,
    /// What is different for it.
    pub note: &'static str,
}

impl AadstsEntry {
    /// Entra's lookup page for this code.
    pub fn lookup_url(&self) -> String {
        lookup_url(self.code)
    }
}

/// Where in the Entra admin center (or Azure portal) a fix is made. Names are
/// the portal's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Blade {
    /// App registration → Overview (client ID, tenant ID).
    Overview,
    /// App registration → Authentication (platforms, redirect URIs, account types).
    Authentication,
    /// App registration → Certificates & secrets.
    CertificatesAndSecrets,
    /// App registration → Token configuration (optional and groups claims).
    TokenConfiguration,
    /// App registration → API permissions (and admin consent).
    ApiPermissions,
    /// App registration → Expose an API (App ID URI, scopes).
    ExposeAnApi,
    /// App registration → App roles.
    AppRoles,
    /// App registration → Manifest.
    Manifest,
    /// Enterprise application → Users and groups (assignments).
    EnterpriseAppUsersAndGroups,
    /// Enterprise application → Properties (enabled, assignment required).
    EnterpriseAppProperties,
    /// Conditional Access policies and the sign-in logs.
    ConditionalAccess,
    /// The user's account (Entra ID → Users).
    UserAccount,
    /// Nothing to change in the portal.
    None,
}

impl Blade {
    /// The blade as the portal names it.
    pub fn label(self) -> Option<&'static str> {
        Some(match self {
            Blade::Overview => "App registration → Overview",
            Blade::Authentication => "App registration → Authentication",
            Blade::CertificatesAndSecrets => "App registration → Certificates & secrets",
            Blade::TokenConfiguration => "App registration → Token configuration",
            Blade::ApiPermissions => "App registration → API permissions",
            Blade::ExposeAnApi => "App registration → Expose an API",
            Blade::AppRoles => "App registration → App roles",
            Blade::Manifest => "App registration → Manifest",
            Blade::EnterpriseAppUsersAndGroups => "Enterprise application → Users and groups",
            Blade::EnterpriseAppProperties => "Enterprise application → Properties",
            Blade::ConditionalAccess => "Entra ID → Conditional Access / Sign-in logs",
            Blade::UserAccount => "Entra ID → Users",
            Blade::None => return None,
        })
    }
}

/// The catalog entry for a code.
pub fn lookup(code: u32) -> Option<&'static AadstsEntry> {
    CATALOG
        .binary_search_by_key(&code, |e| e.code)
        .ok()
        .and_then(|i| CATALOG.get(i))
}

/// One code found in a text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct FoundCode {
    /// The number after `AADSTS`.
    pub code: u32,
    /// The targeted explanation, when Entrance has one.
    pub entry: Option<AadstsEntry>,
    /// The row of Microsoft's reference table, when the code is in it.
    pub reference: Option<ReferenceCode>,
    /// Entra's lookup page for the code.
    pub lookup_url: String,
}

impl FoundCode {
    /// The code with its catalog entry and reference row, if any.
    pub fn new(code: u32) -> FoundCode {
        FoundCode {
            code,
            entry: lookup(code).copied(),
            reference: reference_lookup(code).copied(),
            lookup_url: lookup_url(code),
        }
    }

    /// Whether Entrance knows the code at all (targeted or from the table).
    pub fn known(&self) -> bool {
        self.entry.is_some() || self.reference.is_some()
    }

    /// What the code means: the targeted title, else the table's meaning.
    pub fn meaning(&self) -> Option<&'static str> {
        self.entry
            .map(|e| e.title)
            .or(self.reference.map(|r| r.meaning))
    }
}

/// Every AADSTS code in `text`, deduplicated, in the order they first appear.
///
/// Reads `AADSTS50011`, `AADSTS 50011`, `aadsts-50011:`, percent- and
/// plus-encoded URLs, `error_codes` arrays in JSON, `error?code=NNNN` links
/// and sign-in log records (`"errorCode": 50011`).
pub fn find_codes(text: &str) -> Vec<FoundCode> {
    let decoded = percent_plus_decode(text);
    let mut codes: Vec<u32> = Vec::new();
    let mut push = |code: u32| {
        if !codes.contains(&code) {
            codes.push(code);
        }
    };
    for code in scan_prefixed(&decoded, "aadsts", MAX_GAP) {
        push(code);
    }
    for code in scan_prefixed(&decoded, "error?code=", 0) {
        push(code);
    }
    for code in scan_error_codes_arrays(&decoded) {
        push(code);
    }
    // A sign-in log record (Graph `signIn`, or the portal's JSON download):
    // `"status": {"errorCode": 50126, …}`; 0 is success and is skipped by
    // the four-digit minimum.
    for code in scan_prefixed(&decoded, "\"errorcode\":", 1) {
        push(code);
    }
    codes.into_iter().map(FoundCode::new).collect()
}

/// How many separator characters (spaces, `:`, `-`, `_`, `#`) may stand between
/// `AADSTS` and the digits — OCR puts spaces there.
const MAX_GAP: usize = 3;

/// Numbers right after `prefix` (ASCII case-insensitive).
fn scan_prefixed(text: &str, prefix: &str, max_gap: usize) -> Vec<u32> {
    let lower = text.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = lower.get(from..).and_then(|s| s.find(prefix)) {
        let mut j = from + i + prefix.len();
        from = j;
        let mut gap = 0;
        while j < bytes.len()
            && gap < max_gap
            && matches!(bytes[j], b' ' | b':' | b'-' | b'_' | b'#')
        {
            j += 1;
            gap += 1;
        }
        let start = j;
        while j < bytes.len() && bytes[j].is_ascii_digit() {
            j += 1;
        }
        if (4..=8).contains(&(j - start)) {
            if let Ok(code) = lower[start..j].parse() {
                out.push(code);
            }
        }
    }
    out
}

/// The numbers of every `"error_codes": [ … ]` array.
fn scan_error_codes_arrays(text: &str) -> Vec<u32> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = text.get(from..).and_then(|s| s.find("\"error_codes\"")) {
        let after = from + i + "\"error_codes\"".len();
        from = after;
        let rest = &text[after..];
        let Some(open) = rest.find('[') else { break };
        if !rest[..open]
            .trim()
            .trim_start_matches(':')
            .trim()
            .is_empty()
        {
            continue;
        }
        let Some(close) = rest[open..].find(']') else {
            break;
        };
        out.extend(
            rest[open + 1..open + close]
                .split(',')
                .filter_map(|n| n.trim().parse::<u32>().ok()),
        );
    }
    out
}

/// `+` → space and `%XX` → byte (invalid sequences kept as they are).
fn percent_plus_decode(text: &str) -> String {
    if !text.contains(['%', '+']) {
        return text.to_string();
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len()
                && bytes[i + 1].is_ascii_hexdigit()
                && bytes[i + 2].is_ascii_hexdigit() =>
            {
                out.push(hex_value(bytes[i + 1]) * 16 + hex_value(bytes[i + 2]));
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex_value(digit: u8) -> u8 {
    match digit {
        b'0'..=b'9' => digit - b'0',
        b'a'..=b'f' => digit - b'a' + 10,
        b'A'..=b'F' => digit - b'A' + 10,
        _ => 0,
    }
}

/// An error response from Entra, from the token endpoint's JSON body or from
/// the `error` / `error_description` parameters of a redirect
/// (docs/aadsts.md#protocol-and-request-errors).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, specta::Type)]
pub struct EntraError {
    /// The OAuth `error` (`invalid_client`, `invalid_grant`…): what to act on.
    pub error: Option<String>,
    /// The first AADSTS code (from `error_codes`, else the description).
    pub aadsts: Option<u32>,
    /// `error_description` as sent.
    pub description: Option<String>,
    /// `trace_id`, or the description's `Trace ID:` line.
    pub trace_id: Option<String>,
    /// `correlation_id`, or the description's `Correlation ID:` line.
    pub correlation_id: Option<String>,
    /// `timestamp`, or the description's `Timestamp:` line.
    pub timestamp: Option<String>,
    /// `error_uri`, sent only when the lookup page says more.
    pub error_uri: Option<String>,
}

/// Why a text could not be read as an Entra error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EntraErrorParseError {
    /// The text is neither a JSON error body nor a URL with `error` parameters.
    #[error("not an Entra error body: expected JSON with \"error\" or a URL with error= / error_description=")]
    NotAnError,
}

impl EntraError {
    /// Reads an Entra error from a JSON body or a redirect URL / query string.
    pub fn parse(text: &str) -> Result<EntraError, EntraErrorParseError> {
        let t = text.trim();
        if let Ok(Value::Object(map)) = serde_json::from_str::<Value>(t) {
            if map.contains_key("error") || map.contains_key("error_codes") {
                return Ok(EntraError::from_json(&map));
            }
            return Err(EntraErrorParseError::NotAnError);
        }
        let query = t
            .find(['?', '#'])
            .map_or(t, |i| &t[i + 1..])
            .replace('#', "&");
        let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        if pairs
            .iter()
            .any(|(k, _)| k == "error" || k == "error_description")
        {
            Ok(EntraError::from_parameters(&pairs))
        } else {
            Err(EntraErrorParseError::NotAnError)
        }
    }

    /// From a token endpoint JSON body.
    pub fn from_json(map: &Map<String, Value>) -> EntraError {
        let s = |k: &str| map.get(k).and_then(Value::as_str).map(str::to_string);
        let codes: Vec<u32> = map
            .get("error_codes")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_u64().and_then(|n| u32::try_from(n).ok()))
                    .collect()
            })
            .unwrap_or_default();
        let mut e = EntraError {
            error: s("error"),
            aadsts: codes.first().copied(),
            description: s("error_description"),
            trace_id: s("trace_id"),
            correlation_id: s("correlation_id"),
            timestamp: s("timestamp"),
            error_uri: s("error_uri"),
        };
        e.fill_from_description();
        e
    }

    /// From redirect parameters (`error`, `error_description`, `error_uri`…).
    pub fn from_parameters(pairs: &[(String, String)]) -> EntraError {
        let s = |k: &str| {
            pairs
                .iter()
                .find(|(name, _)| name == k)
                .map(|(_, v)| v.clone())
        };
        let mut e = EntraError {
            error: s("error"),
            aadsts: None,
            description: s("error_description"),
            trace_id: s("trace_id"),
            correlation_id: s("correlation_id"),
            timestamp: s("timestamp"),
            error_uri: s("error_uri"),
        };
        e.fill_from_description();
        e
    }

    /// Entra puts the code, trace ID, correlation ID and timestamp into the
    /// description too (`AADSTS70011: …\r\nTrace ID: …`).
    fn fill_from_description(&mut self) {
        let Some(desc) = self.description.clone() else {
            return;
        };
        if self.aadsts.is_none() {
            self.aadsts = scan_prefixed(&desc, "aadsts", MAX_GAP).first().copied();
        }
        for line in desc.lines() {
            let line = line.trim();
            let field = |prefix: &str| {
                line.strip_prefix(prefix)
                    .map(|v| v.trim().to_string())
                    .filter(|v| !v.is_empty())
            };
            if self.trace_id.is_none() {
                self.trace_id = field("Trace ID:");
            }
            if self.correlation_id.is_none() {
                self.correlation_id = field("Correlation ID:");
            }
            if self.timestamp.is_none() {
                self.timestamp = field("Timestamp:");
            }
        }
    }

    /// The description's first line, without the `AADSTSnnnn: ` prefix.
    pub fn message(&self) -> Option<String> {
        let first = self.description.as_deref()?.lines().next()?.trim();
        let rest = match first.find(": ") {
            Some(i) if first[..i].to_ascii_uppercase().starts_with("AADSTS") => &first[i + 2..],
            _ => first,
        };
        Some(rest.to_string())
    }
}

#[cfg(test)]
mod tests;
