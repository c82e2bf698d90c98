//! What a successful sign-in hands back: the raw tokens, kept in
//! [`SecretString`]s (never serialized), and a [`LoginSummary`] — the decoded
//! claims, the verification result, scopes and lifetime — that crosses IPC,
//! is printed by `--json`, and goes to the inspector as one typed value.

use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use serde_json::Value;

use super::{ClientAuth, IdTokenVerification, ProviderInfo};
use crate::token::{Content, JsonObject, JsonObjectType};

/// The grant that produced the tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum Flow {
    /// Authorization code + PKCE in the system browser.
    AuthorizationCode,
    /// Device authorization grant (RFC 8628).
    DeviceCode,
    /// Client credentials (machine to machine).
    ClientCredentials,
    /// A refresh token redeemed.
    RefreshToken,
}

/// A token as Entrance shows it: header and claims, **never the signature**.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(tag = "format", rename_all = "snake_case")]
pub enum DecodedToken {
    /// A signed JWT.
    Jwt {
        #[specta(type = JsonObjectType)]
        header: JsonObject,
        #[specta(type = JsonObjectType)]
        claims: JsonObject,
    },
    /// An encrypted JWT: only its header is readable.
    Encrypted {
        #[specta(type = JsonObjectType)]
        header: JsonObject,
    },
    /// Not a JWT (some providers' access tokens; refresh tokens always).
    Opaque { length: u32 },
}

impl DecodedToken {
    /// Decodes a token without verifying it.
    pub fn decode(text: &str) -> DecodedToken {
        let first = crate::token::recognize(text)
            .ok()
            .and_then(|p| p.items.into_iter().next());
        match first.map(|f| f.content) {
            Some(Content::Jws(jws)) => DecodedToken::Jwt {
                header: jws.header,
                claims: jws.claims,
            },
            Some(Content::Jwe(jwe)) => DecodedToken::Encrypted { header: jwe.header },
            _ => DecodedToken::Opaque {
                length: u32::try_from(text.len()).unwrap_or(u32::MAX),
            },
        }
    }

    /// The claims, for a signed JWT.
    pub fn claims(&self) -> Option<&JsonObject> {
        match self {
            DecodedToken::Jwt { claims, .. } => Some(claims),
            _ => None,
        }
    }

    fn claim(&self, name: &str) -> Option<&str> {
        self.claims()?.get(name).and_then(Value::as_str)
    }
}

/// Everything about a sign-in that may be shown: no token, no secret.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct LoginSummary {
    pub flow: Flow,
    pub provider: ProviderInfo,
    pub client_id: String,
    pub client_auth: ClientAuth,
    /// The redirect URI used (browser flows).
    pub redirect_uri: Option<String>,
    pub requested_scopes: Vec<String>,
    /// The `scope` the token endpoint answered (Entra lists what was granted).
    pub granted_scopes: Vec<String>,
    pub token_type: String,
    /// Access token lifetime, seconds.
    pub expires_in: Option<u32>,
    /// When the tokens were received, Unix seconds.
    pub obtained_at: f64,
    /// `preferred_username`, `upn`, `email`, `name` or `sub`, the first present.
    pub signed_in_as: Option<String>,
    pub id_token: Option<DecodedToken>,
    /// The ID token checks, OpenID Connect Core 3.1.3.7.
    pub id_token_verification: Option<IdTokenVerification>,
    /// The access token, decoded (not verified: it is for its API).
    pub access_token: DecodedToken,
    /// Why the access token is shown but not verified, when it matters
    /// (a Microsoft Graph token — docs/entra.md#token-versions-and-issuers).
    pub access_token_note: Option<String>,
    /// A refresh token came back (its value is never shown without `--show-tokens`).
    pub refresh_token: bool,
}

/// The tokens themselves. Not `Serialize`, not printable by accident.
#[derive(Debug, Clone)]
pub struct Tokens {
    pub access_token: SecretString,
    pub id_token: Option<SecretString>,
    pub refresh_token: Option<SecretString>,
}

/// A successful sign-in.
#[derive(Debug, Clone)]
pub struct LoginOutcome {
    pub tokens: Tokens,
    pub summary: LoginSummary,
}

/// Raw tokens for `--show-tokens`: the one way they reach a screen. Not
/// `Serialize` (no secret in a `Serialize` type): the caller writes them out
/// on purpose, field by field.
#[derive(Clone, PartialEq, Eq)]
pub struct RawTokens {
    pub access_token: String,
    pub id_token: Option<String>,
    pub refresh_token: Option<String>,
}

impl std::fmt::Debug for RawTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RawTokens([REDACTED])")
    }
}

impl Tokens {
    /// The raw tokens, when the admin explicitly asked (`--show-tokens`).
    pub fn reveal(&self) -> RawTokens {
        RawTokens {
            access_token: self.access_token.expose_secret().to_string(),
            id_token: self
                .id_token
                .as_ref()
                .map(|t| t.expose_secret().to_string()),
            refresh_token: self
                .refresh_token
                .as_ref()
                .map(|t| t.expose_secret().to_string()),
        }
    }
}

/// Who signed in, in the order people recognize (docs/entra.md#claims: display only).
pub(crate) fn signed_in_as(id: Option<&DecodedToken>, access: &DecodedToken) -> Option<String> {
    for token in id.into_iter().chain(std::iter::once(access)) {
        for claim in ["preferred_username", "upn", "email", "unique_name", "name"] {
            if let Some(v) = token.claim(claim) {
                return Some(v.to_string());
            }
        }
    }
    id.and_then(|t| t.claim("sub")).map(str::to_string)
}

/// The note on a Microsoft Graph access token (docs/entra.md#token-versions-and-issuers).
pub(crate) fn access_token_note(access: &DecodedToken) -> Option<String> {
    let DecodedToken::Jwt { header, claims } = access else {
        return None;
    };
    let aud = claims
        .get("aud")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let graph = header.contains_key("nonce")
        || aud == "00000003-0000-0000-c000-000000000000"
        || aud.starts_with("https://graph.microsoft.");
    graph.then(|| {
        "A Microsoft Graph access token: its format is Graph's own and its signature cannot be verified by design; only Graph validates it (docs/entra.md#token-versions-and-issuers).".to_string()
    })
}
