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
    let marker = crate::redact::REDACTED;
    if secret.len() < 4 || secret.contains(marker) || marker.contains(secret) {
        return;
    }
    let encoded: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
    let json = serde_json::to_string(secret).unwrap_or_default();
    let forms = [
        secret.to_string(),
        encoded.clone(),
        encoded.replace('+', "%20"),
        // As it stands inside a JSON string: without the quotes.
        json.get(1..json.len().saturating_sub(1))
            .unwrap_or_default()
            .to_string(),
        STANDARD.encode(secret),
        URL_SAFE_NO_PAD.encode(secret),
    ];
    let planted = &forms[usize::from(form) % forms.len()];
    let text = format!("{before}{planted}{after}");
    let value = SecretString::from(secret.to_string());
    let out = crate::redact::Redactor::new(&[&value]).text(&text);
    // Between the replacements, what is left of the text holds no form of
    // the secret (a form that only appears across a replacement was made by
    // the replacement's own letters, not left over).
    for piece in out.split(marker) {
        for f in forms.iter().filter(|f| !f.is_empty()) {
            assert!(
                !piece.contains(f.as_str()),
                "a form of the secret survived redaction (planted form {form})"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    /// Inputs the fuzzer found while its property was being written: each
    /// must hold (they once tripped a too-strict check).
    #[test]
    fn found_inputs_hold() {
        super::redaction("\"\0\0\0\0", "\0\0\0\0\0\0Gr4~f", ".ana+c", 114);
        for form in 0..6 {
            super::redaction(
                "Gr4~f.ana+Secret/Value=0042&x",
                "client_secret=",
                "&y",
                form,
            );
        }
        assert_eq!(
            super::callback(b"GET /cb?code=c&state=fuzz HTTP/1.1\r\n\r\n"),
            200
        );
        assert_ne!(
            super::callback(b"GET /cb?code=c&state=fuz HTTP/1.1\r\n\r\n"),
            200
        );
    }
}
