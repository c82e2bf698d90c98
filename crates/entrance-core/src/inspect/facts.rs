//! Facts read off a decoded token: kind, version, issuer, cloud, tenant.

use serde::Serialize;
use serde_json::Value;

use crate::claims::is_graph_audience;
use crate::token::{is_guid, Jws};

/// What a token (or a pasted item) is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TokenKind {
    /// An OpenID Connect ID token.
    IdToken,
    /// An OAuth access token.
    AccessToken,
    /// A JWT whose kind its claims do not tell.
    Jwt,
    /// An encrypted JWT.
    Jwe,
    /// A SAML assertion or response.
    Saml,
    /// An authorization code.
    AuthorizationCode,
    /// An error response from Entra.
    ErrorResponse,
    /// Something that is not a token.
    NotAToken,
}

/// A token's version (`ver`, else the issuer's form).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
pub enum TokenVersion {
    #[serde(rename = "1.0")]
    V1,
    #[serde(rename = "2.0")]
    V2,
}

/// The form of an issuer URL (docs/entra.md#access-tokens, docs/entra.md#token-versions-and-issuers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum IssuerForm {
    /// `https://sts.windows.net/{tid}/` (or `{host}/{tid}/`).
    V1,
    /// `https://login.microsoftonline.com/{tid}/v2.0`.
    V2,
    /// Anything else.
    Other,
}

/// The cloud an issuer belongs to (docs/entra.md#national-clouds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Cloud {
    /// Global Azure (and GCC Moderate).
    Global,
    /// US Government (GCC High, DoD).
    UsGovernment,
    /// China, operated by 21Vianet.
    China,
    /// An identity provider on this machine (Entrance's sandbox).
    Local,
    /// Not a Microsoft Entra host.
    Unknown,
}

impl Cloud {
    /// The cloud's name for people.
    pub fn label(self) -> &'static str {
        match self {
            Cloud::Global => "Global Azure",
            Cloud::UsGovernment => "Azure US Government",
            Cloud::China => "Azure China (21Vianet)",
            Cloud::Local => "a local identity provider (loopback)",
            Cloud::Unknown => "not a Microsoft Entra host",
        }
    }
}

/// What the issuer claim says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct Issuer {
    /// The issuer as in the token.
    pub url: String,
    /// v1 or v2 form.
    pub form: IssuerForm,
    /// The cloud its host belongs to.
    pub cloud: Cloud,
    /// The tenant part of the path.
    pub tenant: Option<String>,
    /// A caveat about the cloud, when the host does not settle it.
    pub cloud_note: Option<String>,
    /// Where the issuer's signing keys are (`…/discovery/keys` or
    /// `…/discovery/v2.0/keys`), when Entrance knows.
    pub jwks_url: Option<String>,
}

/// Reads an issuer URL.
pub fn parse_issuer(iss: &str, version: Option<TokenVersion>) -> Issuer {
    let mut out = Issuer {
        url: iss.to_string(),
        form: IssuerForm::Other,
        cloud: Cloud::Unknown,
        tenant: None,
        cloud_note: None,
        jwks_url: None,
    };
    let Ok(url) = url::Url::parse(iss) else {
        return out;
    };
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    let segments: Vec<&str> = url
        .path_segments()
        .map(|s| s.filter(|p| !p.is_empty()).collect())
        .unwrap_or_default();
    out.form = match segments.as_slice() {
        [_, "v2.0"] => IssuerForm::V2,
        [_] if url.path().ends_with('/') => IssuerForm::V1,
        _ => IssuerForm::Other,
    };
    if out.form != IssuerForm::Other {
        out.tenant = segments.first().map(|t| t.to_string());
    }
    // Hosts: docs/entra.md#national-clouds; v1 issuers per cloud: Microsoft Q&A 1190472
    // ("token issuers for the sovereign clouds").
    let (cloud, authority): (Cloud, Option<String>) = match host.as_str() {
        "login.microsoftonline.com" => (
            Cloud::Global,
            Some("https://login.microsoftonline.com".into()),
        ),
        "sts.windows.net" => {
            out.cloud_note = Some(
                "v1 issuer sts.windows.net is shared by the Global and US Government clouds".into(),
            );
            (
                Cloud::Global,
                Some("https://login.microsoftonline.com".into()),
            )
        }
        "login.microsoftonline.us" => (
            Cloud::UsGovernment,
            Some("https://login.microsoftonline.us".into()),
        ),
        "login.partner.microsoftonline.cn" | "login.chinacloudapi.cn" | "sts.chinacloudapi.cn" => (
            Cloud::China,
            Some("https://login.partner.microsoftonline.cn".into()),
        ),
        _ if crate::verify::is_loopback(&url) => {
            (Cloud::Local, Some(url.origin().ascii_serialization()))
        }
        _ => (Cloud::Unknown, None),
    };
    out.cloud = cloud;
    let version = version.or(match out.form {
        IssuerForm::V1 => Some(TokenVersion::V1),
        IssuerForm::V2 => Some(TokenVersion::V2),
        IssuerForm::Other => None,
    });
    if let (Some(authority), Some(tenant), Some(version)) = (authority, &out.tenant, version) {
        out.jwks_url = Some(match version {
            TokenVersion::V2 => format!("{authority}/{tenant}/discovery/v2.0/keys"),
            TokenVersion::V1 => format!("{authority}/{tenant}/discovery/keys"),
        });
    }
    out
}

/// `ver` as a version.
pub fn version_claim(jws: &Jws) -> Option<TokenVersion> {
    match jws.claims.get("ver").and_then(Value::as_str).map(str::trim) {
        Some("1.0") => Some(TokenVersion::V1),
        Some("2.0") => Some(TokenVersion::V2),
        _ => None,
    }
}

/// The audience values (`aud` may be a string or an array).
pub fn audiences(jws: &Jws) -> Vec<String> {
    match jws.claims.get("aud") {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

/// Whether this is a Microsoft Graph access token: Graph audience, or a
/// `nonce` in the header (docs/entra.md#access-tokens).
pub fn is_graph_token(jws: &Jws) -> bool {
    jws.header.contains_key("nonce") || audiences(jws).iter().any(|a| is_graph_audience(a))
}

/// ID token or access token, and why Entrance thinks so.
pub fn kind_of(jws: &Jws) -> (TokenKind, Vec<String>) {
    let has = |c: &str| jws.claims.contains_key(c);
    let mut access = Vec::new();
    if jws.header.contains_key("nonce") {
        access.push("a nonce in the header (Microsoft Graph access tokens have one)".to_string());
    }
    for (claim, why) in [
        ("idtyp", "idtyp (only in access tokens)"),
        ("scp", "scp (delegated scopes: only in access tokens)"),
        ("appid", "appid (the calling app: v1 access tokens)"),
        ("azpacr", "azpacr (client authentication: v2 access tokens)"),
        (
            "appidacr",
            "appidacr (client authentication: v1 access tokens)",
        ),
    ] {
        if has(claim) {
            access.push(why.to_string());
        }
    }
    let auds = audiences(jws);
    if auds.iter().any(|a| is_graph_audience(a)) {
        access.push("aud is Microsoft Graph".to_string());
    } else if auds.iter().any(|a| a.contains("://")) {
        access
            .push("aud is an App ID URI or URL (ID tokens always have the client ID)".to_string());
    }
    if !access.is_empty() {
        return (TokenKind::AccessToken, access);
    }
    let mut id = Vec::new();
    for (claim, why) in [
        (
            "nonce",
            "nonce (echoed from the sign-in request: ID tokens)",
        ),
        ("at_hash", "at_hash (ID tokens only)"),
        ("c_hash", "c_hash (ID tokens only)"),
    ] {
        if has(claim) {
            id.push(why.to_string());
        }
    }
    if id.is_empty() && auds.len() == 1 && is_guid(&auds[0]) && has("sub") && !has("azp") {
        id.push(
            "aud is a client ID and no access-token claim (scp, azp, appid, idtyp) is present"
                .to_string(),
        );
    }
    if id.is_empty() {
        (
            TokenKind::Jwt,
            vec!["neither ID-token nor access-token claims decide it".to_string()],
        )
    } else {
        (TokenKind::IdToken, id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn jws(header: Value, claims: Value) -> Jws {
        Jws::from_parts(
            header.as_object().cloned().unwrap_or_default(),
            claims.as_object().cloned().unwrap_or_default(),
        )
    }

    const TID: &str = "11111111-2222-3333-4444-555555555555";

    #[test]
    fn issuers_are_read_per_version_and_cloud() {
        let cases = [
            (
                format!("https://login.microsoftonline.com/{TID}/v2.0"),
                IssuerForm::V2,
                Cloud::Global,
                format!("https://login.microsoftonline.com/{TID}/discovery/v2.0/keys"),
            ),
            (
                format!("https://sts.windows.net/{TID}/"),
                IssuerForm::V1,
                Cloud::Global,
                format!("https://login.microsoftonline.com/{TID}/discovery/keys"),
            ),
            (
                format!("https://login.microsoftonline.us/{TID}/v2.0"),
                IssuerForm::V2,
                Cloud::UsGovernment,
                format!("https://login.microsoftonline.us/{TID}/discovery/v2.0/keys"),
            ),
            (
                format!("https://sts.chinacloudapi.cn/{TID}/"),
                IssuerForm::V1,
                Cloud::China,
                format!("https://login.partner.microsoftonline.cn/{TID}/discovery/keys"),
            ),
            (
                format!("https://login.partner.microsoftonline.cn/{TID}/v2.0"),
                IssuerForm::V2,
                Cloud::China,
                format!("https://login.partner.microsoftonline.cn/{TID}/discovery/v2.0/keys"),
            ),
            (
                format!("http://127.0.0.1:8400/{TID}/v2.0"),
                IssuerForm::V2,
                Cloud::Local,
                format!("http://127.0.0.1:8400/{TID}/discovery/v2.0/keys"),
            ),
        ];
        for (iss, form, cloud, jwks) in cases {
            let i = parse_issuer(&iss, None);
            assert_eq!((i.form, i.cloud), (form, cloud), "{iss}");
            assert_eq!(i.tenant.as_deref(), Some(TID));
            assert_eq!(i.jwks_url.as_deref(), Some(jwks.as_str()), "{iss}");
        }
        assert!(
            parse_issuer(&format!("https://sts.windows.net/{TID}/"), None)
                .cloud_note
                .is_some()
        );
        let other = parse_issuer("https://accounts.google.com", None);
        assert_eq!(
            (other.form, other.cloud, other.jwks_url),
            (IssuerForm::Other, Cloud::Unknown, None)
        );
        assert_eq!(parse_issuer("not a url", None).form, IssuerForm::Other);
    }

    #[test]
    fn the_key_location_follows_ver_over_the_issuer_form() {
        let i = parse_issuer(
            &format!("https://sts.windows.net/{TID}/"),
            Some(TokenVersion::V2),
        );
        assert!(i.jwks_url.unwrap().ends_with("/discovery/v2.0/keys"));
    }

    #[test]
    fn kinds_are_told_by_their_claims() {
        let id = jws(
            json!({}),
            json!({"aud": "c0ffee00-0000-4000-8000-000000000001", "nonce": "n", "sub": "s"}),
        );
        assert_eq!(kind_of(&id).0, TokenKind::IdToken);
        let id_no_nonce = jws(
            json!({}),
            json!({"aud": "c0ffee00-0000-4000-8000-000000000001", "sub": "s"}),
        );
        assert_eq!(kind_of(&id_no_nonce).0, TokenKind::IdToken);
        let at = jws(json!({}), json!({"aud": "api://x", "scp": "read"}));
        assert_eq!(kind_of(&at).0, TokenKind::AccessToken);
        let app = jws(
            json!({}),
            json!({"aud": "c0ffee00-0000-4000-8000-000000000001", "azp": "a", "azpacr": "1", "roles": ["x"], "sub": "s"}),
        );
        assert_eq!(kind_of(&app).0, TokenKind::AccessToken);
        let graph = jws(
            json!({"nonce": "x"}),
            json!({"aud": "https://graph.microsoft.com"}),
        );
        assert!(is_graph_token(&graph));
        assert_eq!(kind_of(&graph).0, TokenKind::AccessToken);
        let unknown = jws(json!({}), json!({"foo": 1}));
        assert_eq!(kind_of(&unknown).0, TokenKind::Jwt);
    }
}
