//! Compact JWS and JWE decoding with errors that point at the broken byte.

use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine;
use serde_json::Value;

use super::{JsonObject, Segment, TokenError};

/// base64url as JWS uses it (RFC 7515 §2), tolerant of `=` padding and of
/// trailing bits some encoders leave.
const B64URL: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// A signed JWT, decoded but not verified.
///
/// Not `Serialize`: it keeps the signing input and the signature so that
/// [`crate::verify`] can check them, and a token is a bearer credential.
#[derive(Debug, Clone, PartialEq)]
pub struct Jws {
    /// The JOSE header, in the token's order.
    pub header: JsonObject,
    /// The claims, in the token's order.
    pub claims: JsonObject,
    signing_input: String,
    signature: String,
}

impl Jws {
    /// `base64url(header) "." base64url(payload)`: what the signature covers.
    pub(crate) fn signing_input(&self) -> &str {
        &self.signing_input
    }

    /// The signature segment, base64url.
    pub(crate) fn signature_b64(&self) -> &str {
        &self.signature
    }

    /// The header's `alg`, when it is a string.
    pub fn alg(&self) -> Option<&str> {
        self.header.get("alg").and_then(Value::as_str)
    }

    /// The header's `kid`, when it is a string.
    pub fn kid(&self) -> Option<&str> {
        self.header.get("kid").and_then(Value::as_str)
    }

    /// A claim as a string.
    pub fn claim_str(&self, name: &str) -> Option<&str> {
        self.claims.get(name).and_then(Value::as_str)
    }

    /// Builds a JWS from already-decoded parts (tests and the sandbox).
    #[cfg(test)]
    pub(crate) fn from_parts(header: JsonObject, claims: JsonObject) -> Jws {
        Jws {
            header,
            claims,
            signing_input: String::new(),
            signature: String::new(),
        }
    }
}

/// An encrypted JWT (JWE, RFC 7516): five parts; only the header is readable.
#[derive(Debug, Clone, PartialEq)]
pub struct Jwe {
    /// The protected header (`alg`, `enc`, `kid`…).
    pub header: JsonObject,
}

/// Decodes `header.payload.signature`. `token` names the token in errors.
pub(crate) fn decode_jws(token: &str, compact: &str) -> Result<Jws, TokenError> {
    let parts: Vec<&str> = compact.split('.').collect();
    let [h, p, s] = parts.as_slice() else {
        // Callers only pass strings with exactly two dots.
        return Err(TokenError::Base64 {
            token: token.into(),
            segment: Segment::Header,
            detail: format!("expected 3 parts, found {}", parts.len()),
            offset: 0,
            token_offset: 0,
        });
    };
    let header = object(token, Segment::Header, h, 0)?;
    let claims = object(token, Segment::Payload, p, h.len() + 1)?;
    // The signature is binary: it only has to be base64url.
    bytes(token, Segment::Signature, s, h.len() + p.len() + 2)?;
    Ok(Jws {
        header,
        claims,
        signing_input: format!("{h}.{p}"),
        signature: (*s).to_string(),
    })
}

/// Decodes the protected header of a five-part JWE.
pub(crate) fn decode_jwe(token: &str, compact: &str) -> Result<Jwe, TokenError> {
    let first = compact.split('.').next().unwrap_or_default();
    Ok(Jwe {
        header: object(token, Segment::Header, first, 0)?,
    })
}

/// base64url-decodes one segment; `start` is the segment's offset in the token.
pub(crate) fn bytes(
    token: &str,
    segment: Segment,
    text: &str,
    start: usize,
) -> Result<Vec<u8>, TokenError> {
    let err = |detail: String, offset: usize| TokenError::Base64 {
        token: token.into(),
        segment,
        detail,
        offset,
        token_offset: start + offset,
    };
    // Find the first character outside base64url so the error can point at it.
    let body = text.trim_end_matches('=');
    for (offset, c) in body.char_indices() {
        if !(c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '+' || c == '/') {
            let shown = if c.is_ascii_graphic() {
                format!("'{c}'")
            } else {
                format!("U+{:04X}", c as u32)
            };
            return Err(err(format!("unexpected character {shown}"), offset));
        }
    }
    if body.len() % 4 == 1 {
        return Err(err(
            format!(
                "{} characters cannot be base64 (one is missing or extra)",
                body.len()
            ),
            body.len(),
        ));
    }
    // Some tools re-encode with the standard alphabet; read that too.
    let normalized: String = body
        .chars()
        .map(|c| match c {
            '+' => '-',
            '/' => '_',
            c => c,
        })
        .collect();
    B64URL
        .decode(normalized.as_bytes())
        .map_err(|e| err(e.to_string(), body.len()))
}

/// Decodes one segment to a JSON object.
fn object(
    token: &str,
    segment: Segment,
    text: &str,
    start: usize,
) -> Result<JsonObject, TokenError> {
    let raw = bytes(token, segment, text, start)?;
    let utf8 = std::str::from_utf8(&raw).map_err(|e| TokenError::Utf8 {
        token: token.into(),
        segment,
        offset: e.valid_up_to(),
    })?;
    let value: Value = serde_json::from_str(utf8).map_err(|e| TokenError::Json {
        token: token.into(),
        segment,
        message: json_message(&e),
        line: e.line(),
        column: e.column(),
    })?;
    match value {
        Value::Object(map) => Ok(map),
        other => Err(TokenError::NotAnObject {
            token: token.into(),
            segment,
            found: json_kind(&other),
        }),
    }
}

/// serde_json's message without its trailing " at line L column C".
pub(crate) fn json_message(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

pub(crate) fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(s: &str) -> String {
        B64URL.encode(s)
    }

    #[test]
    fn a_well_formed_jws_decodes_header_and_claims_in_their_own_order() {
        let t = format!(
            "{}.{}.{}",
            b64(r#"{"typ":"JWT","alg":"RS256","kid":"k1"}"#),
            b64(r#"{"zeta":1,"aud":"a","alpha":2}"#),
            b64("sig")
        );
        let jws = decode_jws("token", &t).unwrap();
        assert_eq!(jws.kid(), Some("k1"));
        let keys: Vec<&String> = jws.claims.keys().collect();
        assert_eq!(keys, ["zeta", "aud", "alpha"]);
        assert_eq!(jws.signature_b64(), b64("sig"));
    }

    #[test]
    fn a_bad_character_in_the_payload_is_reported_with_segment_and_offsets() {
        let h = b64(r#"{"alg":"RS256"}"#);
        let t = format!("{h}.eyJh*GIiOjF9.c2ln");
        let err = decode_jws("token", &t).unwrap_err();
        assert_eq!(
            err,
            TokenError::Base64 {
                token: "token".into(),
                segment: Segment::Payload,
                detail: "unexpected character '*'".into(),
                offset: 4,
                token_offset: h.len() + 1 + 4,
            }
        );
        assert!(err.to_string().contains("payload"), "{err}");
    }

    #[test]
    fn a_payload_that_is_not_json_is_reported_with_line_and_column() {
        let t = format!(
            "{}.{}.c2ln",
            b64(r#"{"alg":"RS256"}"#),
            b64("{\n  \"a\": tru }")
        );
        match decode_jws("token", &t).unwrap_err() {
            TokenError::Json {
                segment,
                line,
                column,
                ..
            } => {
                assert_eq!(segment, Segment::Payload);
                assert_eq!((line, column), (2, 11));
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn a_header_that_is_an_array_is_not_an_object() {
        let t = format!("{}.{}.c2ln", b64("[1]"), b64("{}"));
        assert!(matches!(
            decode_jws("token", &t),
            Err(TokenError::NotAnObject {
                segment: Segment::Header,
                found: "an array",
                ..
            })
        ));
    }

    #[test]
    fn a_signature_with_a_bad_character_names_the_signature() {
        let t = format!("{}.{}.ab!c", b64("{}"), b64("{}"));
        assert!(matches!(
            decode_jws("token", &t),
            Err(TokenError::Base64 {
                segment: Segment::Signature,
                offset: 2,
                ..
            })
        ));
    }

    #[test]
    fn a_segment_of_impossible_length_says_so() {
        let t = format!("{}.{}.abcde", b64("{}"), b64("{}"));
        let err = decode_jws("token", &t).unwrap_err();
        assert!(err.to_string().contains("5 characters"), "{err}");
    }

    #[test]
    fn invalid_utf8_in_the_payload_gives_the_decoded_offset() {
        let payload = B64URL.encode([b'{', b'"', 0xff, b'"']);
        let t = format!("{}.{payload}.c2ln", b64("{}"));
        assert!(matches!(
            decode_jws("token", &t),
            Err(TokenError::Utf8 {
                segment: Segment::Payload,
                offset: 2,
                ..
            })
        ));
    }

    #[test]
    fn padding_and_the_standard_alphabet_are_tolerated() {
        let claims = B64URL
            .encode(r#"{"a":"??>~~"}"#)
            .replace('-', "+")
            .replace('_', "/")
            + "=";
        let t = format!("{}.{claims}.c2ln", b64("{}"));
        let jws = decode_jws("token", &t).unwrap();
        assert!(claims.contains('+') || claims.contains('/'), "{claims}");
        assert_eq!(jws.claims["a"], "??>~~");
    }
}
