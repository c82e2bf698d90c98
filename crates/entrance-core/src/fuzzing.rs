//! Entry points for the fuzz targets in `fuzz/` (`cargo xtask fuzz`): each
//! runs one parser that reads what arrives from outside — a paste, a
//! callback request, a token endpoint's or Graph's answer, an error text —
//! exactly as Entrance runs it. Not an API: hidden from the documentation
//! and free to change with the targets.

use secrecy::SecretString;
use serde_json::Value;

/// The paste recognizer and the JWT/JWE/SAML decoders, then the inspector.
pub fn paste(text: &str) {
    if let Ok(pasted) = crate::token::recognize(text) {
        let _ = crate::inspect::inspect(
            &pasted,
            &crate::inspect::InspectOptions::default(),
            &[],
            1_800_000_000,
        );
    }
}

/// The AADSTS finder and Entra's error body.
pub fn aadsts(text: &str) {
    let _ = crate::aadsts::find_codes(text);
    if let Ok(Value::Object(map)) = serde_json::from_str::<Value>(text) {
        let _ = crate::aadsts::EntraError::from_json(&map);
    }
}

/// The loopback listener's reading of a request head; the HTTP status it
/// would answer (200 for the callback).
pub fn callback(head: &[u8]) -> u16 {
    crate::login::listener_decision(head)
}

/// A token endpoint's answer, read as sign-in reads it.
pub fn token_response(body: &[u8]) {
    crate::login::parse_token_response(body);
}

/// A Microsoft Graph answer: a group page and an application's
/// `passwordCredentials`.
pub fn graph(body: &[u8]) {
    if let Ok(value) = serde_json::from_slice::<Value>(body) {
        let _ = crate::groups::read_page(&value);
        let _ = crate::secrets::registration_secrets(&value);
    }
}

/// Redaction's promise: a secret handed to the redactor appears in none of
/// its forms in what comes out, wherever it was put in the text.
///
/// # Panics
/// When a form of the secret survives (the property the fuzzer checks).
pub fn redaction(secret: &str, before: &str, after: &str, form: u8) {
    use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
    use base64::Engine as _;
    if secret.len() < 4 || secret.trim() != secret {
        return;
    }
    let encoded: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
    let forms = [
        secret.to_string(),
        encoded.clone(),
        encoded.replace('+', "%20"),
        serde_json::to_string(secret).unwrap_or_default(),
        STANDARD.encode(secret),
        URL_SAFE_NO_PAD.encode(secret),
    ];
    let planted = &forms[usize::from(form) % forms.len()];
    let text = format!("{before}{planted}{after}");
    let value = SecretString::from(secret.to_string());
    let out = crate::redact::Redactor::new(&[&value]).text(&text);
    let needle = planted.trim_matches('"');
    // The replacement text joined with its surroundings is not the secret
    // surviving: look with it taken out.
    let left = out.replace(crate::redact::REDACTED, "\u{0}");
    assert!(
        needle.is_empty() || !left.contains(needle),
        "a planted form of the secret (form {form}) survived redaction"
    );
}
