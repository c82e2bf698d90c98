//! What an admin pasted, recognized and decoded.
//!
//! [`recognize`] takes any text an admin may paste — a bare token, `Bearer …`,
//! a whole `Authorization:` header, a redirect URL or fragment, a JSON token
//! response, a SAML assertion (XML or base64) — and returns every item it
//! found, each decoded as far as it can be read: a signed JWT (JWS) down to its
//! header and claims, an encrypted one (JWE) down to its header, a SAML
//! assertion down to its attributes. An authorization code or an opaque string
//! is recognized and named, never guessed at.
//!
//! Recognition never panics and never echoes the input: a token is a bearer
//! credential, and an opaque string may be a client secret. Malformed base64 or
//! JSON gives a [`TokenError`] naming the segment and the position.

mod decode;
mod saml;
mod wrappers;

use serde::Serialize;
use serde_json::{Map, Value};

pub use decode::{Jwe, Jws};
pub use saml::{SamlAttribute, SamlSummary};
pub use wrappers::{is_guid, recognize};

use crate::aadsts::EntraError;

/// The most Entrance reads from one paste (1 MiB). Entra tokens are a few KB;
/// the limit keeps a mistaken paste of a whole log file quick to refuse.
pub const MAX_INPUT_BYTES: usize = 1 << 20;

/// A JSON object with its keys in the token's own order.
pub type JsonObject = Map<String, Value>;

/// How a JSON value is typed across IPC. `serde_json::Value` holds 64-bit
/// integers, which the TypeScript bindings refuse (precision); token claims
/// are JavaScript numbers anyway. Fields holding a [`JsonObject`] carry
/// `#[specta(type = …)]` with [`JsonObjectType`]. Never constructed.
#[derive(specta::Type, Serialize)]
#[serde(untagged)]
#[serde(rename = "JsonValue")]
#[allow(dead_code)]
pub enum JsonValueType {
    Null(()),
    Bool(bool),
    Number(f64),
    String(String),
    Array(Vec<JsonValueType>),
    Object(std::collections::HashMap<String, JsonValueType>),
}

/// The IPC type of a [`JsonObject`].
pub type JsonObjectType = std::collections::HashMap<String, JsonValueType>;

/// Everything found in one paste.
#[derive(Debug, Clone)]
pub struct Pasted {
    /// How the paste was wrapped.
    pub wrapper: Wrapper,
    /// The items found, in the order they appeared. Never empty.
    pub items: Vec<Found>,
}

/// How the pasted text wrapped what it held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum Wrapper {
    /// The item itself (whitespace, line breaks, quotes and `Bearer ` removed).
    Bare,
    /// A whole `Authorization: Bearer …` header line.
    AuthorizationHeader,
    /// A URL, query string or fragment (`#id_token=…`, `?code=…`).
    Url,
    /// A JSON body, such as a token endpoint response.
    Json,
    /// SAML XML, or base64 of it.
    SamlXml,
}

/// Where in the paste an item was found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct Source {
    /// The wrapper the item came out of.
    pub wrapper: Wrapper,
    /// The URL parameter or JSON field that held it (`id_token`, `access_token`,
    /// `code`, `SAMLResponse`), when it came out of one.
    pub field: Option<String>,
}

impl Source {
    pub(crate) fn bare(wrapper: Wrapper) -> Source {
        Source {
            wrapper,
            field: None,
        }
    }

    pub(crate) fn field(wrapper: Wrapper, name: &str) -> Source {
        Source {
            wrapper,
            field: Some(name.to_string()),
        }
    }

    /// A few words for people: "the id_token in the URL".
    pub fn label(&self) -> String {
        let within = match self.wrapper {
            Wrapper::Bare | Wrapper::SamlXml => "",
            Wrapper::AuthorizationHeader => " in the Authorization header",
            Wrapper::Url => " in the URL",
            Wrapper::Json => " in the JSON",
        };
        match &self.field {
            Some(field) => format!("the {field}{within}"),
            None if within.is_empty() => "the pasted text".to_string(),
            None => format!("the token{within}"),
        }
    }
}

/// One item found in a paste.
#[derive(Debug, Clone)]
pub struct Found {
    /// Where it was found.
    pub source: Source,
    /// What it is.
    pub content: Content,
}

/// What one found item is.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Content {
    /// A signed JWT, decoded.
    Jws(Box<Jws>),
    /// An encrypted JWT: only its header can be read.
    Jwe(Jwe),
    /// A SAML assertion or response.
    Saml(Box<SamlSummary>),
    /// An OAuth authorization code (`code=` on a redirect): not a token.
    AuthorizationCode,
    /// An error response from Entra (`error=…&error_description=AADSTS…`).
    ErrorResponse(Box<EntraError>),
    /// Text that is none of the above.
    Opaque(OpaqueHint),
}

/// What an unreadable string most likely is, when its shape says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum OpaqueHint {
    /// Nothing recognizable.
    Unknown,
    /// A GUID: a client ID, tenant ID, object ID or a secret's ID.
    Guid,
    /// Shaped like an Entra client secret value (`…8Q~…`) — unconfirmed shape.
    ClientSecret,
    /// A refresh token: opaque by design.
    RefreshToken,
    /// An authorization request URL (`/authorize?client_id=…`), which carries no token.
    AuthorizeRequest,
    /// A JWKS document (signing keys), not a token.
    Jwks,
    /// A JSON object of claims (a token already decoded by another tool).
    DecodedClaims,
    /// XML that is not SAML.
    OtherXml,
}

/// Errors reading what was pasted. Each names the part and the position.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    /// Nothing but whitespace was pasted.
    #[error("nothing to inspect: the input is empty")]
    Empty,
    /// More than [`MAX_INPUT_BYTES`].
    #[error("the input is {size} bytes; Entrance inspects at most {limit} bytes")]
    TooLarge { size: usize, limit: usize },
    /// A segment is not base64url.
    #[error("{segment}: not base64url: {detail} at byte {offset} of the {segment} (byte {token_offset} of the token)")]
    Base64 {
        token: String,
        segment: Segment,
        detail: String,
        offset: usize,
        token_offset: usize,
    },
    /// A segment decodes to bytes that are not UTF-8 text.
    #[error("{segment}: decoded bytes are not UTF-8 text (invalid byte at offset {offset} of the decoded {segment})")]
    Utf8 {
        token: String,
        segment: Segment,
        offset: usize,
    },
    /// A segment decodes to text that is not JSON.
    #[error(
        "{segment}: not JSON: {message} at line {line}, column {column} of the decoded {segment}"
    )]
    Json {
        token: String,
        segment: Segment,
        message: String,
        line: usize,
        column: usize,
    },
    /// A segment is JSON but not an object.
    #[error("{segment}: decoded JSON is {found}, not an object")]
    NotAnObject {
        token: String,
        segment: Segment,
        found: &'static str,
    },
    /// A pasted JSON body (a token response) is not valid JSON.
    #[error("pasted JSON: {message} at line {line}, column {column}")]
    WrapperJson {
        message: String,
        line: usize,
        column: usize,
    },
}

impl TokenError {
    /// Which token of the paste the error is about (`token`, `id_token`,
    /// `access_token`), or `input` for the paste as a whole.
    pub fn token_name(&self) -> &str {
        match self {
            TokenError::Base64 { token, .. }
            | TokenError::Utf8 { token, .. }
            | TokenError::Json { token, .. }
            | TokenError::NotAnObject { token, .. } => token,
            _ => "input",
        }
    }

    /// What the admin can do about it.
    pub fn fix(&self) -> String {
        match self {
            TokenError::Empty => "Paste a token, a redirect URL or a token response. From a terminal, pipe it: `pbpaste | entrance inspect -`.".into(),
            TokenError::TooLarge { .. } => "Paste only the token, not a whole log or HAR file.".into(),
            TokenError::WrapperJson { .. } => "Paste the token endpoint's response as it came, or only the token inside it.".into(),
            _ => "Copy the whole token again: a JWT is three base64url parts joined by dots (header.payload.signature). Check that nothing was cut off, wrapped with extra characters or re-encoded.".into(),
        }
    }
}

impl From<TokenError> for crate::Error {
    fn from(error: TokenError) -> Self {
        crate::Error::InvalidInput {
            field: error.token_name().to_string(),
            reason: error.to_string(),
            fix: Some(error.fix()),
        }
    }
}

/// The parts of a compact JWS/JWE, named as RFC 7515/7516 name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum Segment {
    Header,
    Payload,
    Signature,
}

impl std::fmt::Display for Segment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Segment::Header => "header",
            Segment::Payload => "payload",
            Segment::Signature => "signature",
        })
    }
}
