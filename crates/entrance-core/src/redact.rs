//! Redaction: the one path every text that leaves the process for a person
//! or a file goes through — a diagnosis as it is produced (so its events,
//! its IPC answer and every report made from it are clean), the reports
//! themselves, and the CLI's progress lines.
//!
//! - a JWT (three base64url segments, the first an encoded JSON object)
//!   becomes its decoded header and claims with the signature removed: the
//!   reader sees what the token said and cannot replay it. An encrypted token
//!   (five segments) keeps only its header; token-shaped text that does not
//!   decode is removed;
//! - the secret values handed to the [`Redactor`] (a client secret, a Graph
//!   token) become `[redacted]`, also in their URL-encoded (both space
//!   forms), JSON-escaped and base64 (standard and base64url) forms.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;

use crate::token::Content;

/// What a secret value is replaced with.
pub const REDACTED: &str = "[redacted]";

/// Removes token signatures and secret values from text before it leaves
/// the process. Holds its own copies of the secrets' forms, as secrets.
#[derive(Default)]
pub struct Redactor {
    /// Every form of every secret to scrub, longest first.
    forms: Vec<SecretString>,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redactor")
            .field("secret_forms", &self.forms.len())
            .finish()
    }
}

impl Redactor {
    /// A redactor that also scrubs these secret values (empty ones are ignored).
    pub fn new(secrets: &[&SecretString]) -> Redactor {
        let mut forms: Vec<String> = Vec::new();
        for secret in secrets {
            let value = secret.expose_secret();
            if value.is_empty() {
                continue;
            }
            let json_escaped = serde_json::to_string(value).unwrap_or_default();
            let candidates = [
                value.to_string(),
                url::form_urlencoded::byte_serialize(value.as_bytes()).collect(),
                url::form_urlencoded::byte_serialize(value.as_bytes())
                    .collect::<String>()
                    .replace('+', "%20"),
                json_escaped
                    .get(1..json_escaped.len().saturating_sub(1))
                    .unwrap_or_default()
                    .to_string(),
                STANDARD.encode(value),
                URL_SAFE_NO_PAD.encode(value),
            ];
            for form in candidates {
                if !form.is_empty() && !forms.contains(&form) {
                    forms.push(form);
                }
            }
        }
        // Longest first: a form that contains another is replaced whole.
        forms.sort_by_key(|f| std::cmp::Reverse(f.len()));
        Redactor {
            forms: forms.into_iter().map(SecretString::from).collect(),
        }
    }

    /// `text` with every JWT decoded (signature removed) and every secret
    /// form replaced by `[redacted]`.
    pub fn text(&self, text: &str) -> String {
        self.scrub(&redact_tokens(text))
    }

    /// Whether this redactor scrubs any secret (beyond token signatures).
    pub fn has_secrets(&self) -> bool {
        !self.forms.is_empty()
    }

    /// Secret forms only.
    pub fn scrub(&self, text: &str) -> String {
        let mut out = text.to_string();
        for form in &self.forms {
            let form = form.expose_secret();
            if out.contains(form) {
                out = out.replace(form, REDACTED);
            }
        }
        out
    }

    /// Every string inside a JSON value through [`Redactor::text`].
    pub fn value(&self, value: &mut Value) {
        match value {
            Value::String(s) => *s = self.text(s),
            Value::Array(items) => items.iter_mut().for_each(|v| self.value(v)),
            Value::Object(map) => map.values_mut().for_each(|v| self.value(v)),
            Value::Null | Value::Bool(_) | Value::Number(_) => {}
        }
    }
}

/// Every JWT in `text` replaced by its decoded header and claims (no
/// signature), every JWE by its header; token-shaped text that does not
/// decode is removed.
fn redact_tokens(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run_start: Option<usize> = None;
    for (i, c) in text.char_indices() {
        let in_run = is_token_char(c);
        match (in_run, run_start) {
            (true, None) => run_start = Some(i),
            (false, Some(start)) => {
                out.push_str(&redact_run(&text[start..i]));
                run_start = None;
                out.push(c);
            }
            (false, None) => out.push(c),
            (true, Some(_)) => {}
        }
    }
    if let Some(start) = run_start {
        out.push_str(&redact_run(&text[start..]));
    }
    out
}

fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')
}

/// One run of base64url characters and dots: tokens inside it are replaced.
fn redact_run(run: &str) -> String {
    if !run.contains("eyJ") || run.matches('.').count() < 2 {
        return run.to_string();
    }
    let mut out = String::with_capacity(run.len());
    let mut rest = run;
    while let Some(at) = rest.find("eyJ") {
        let (before, candidate) = rest.split_at(at);
        out.push_str(before);
        match token_at(candidate, before.is_empty() || before.ends_with('.')) {
            Some((replacement, used)) => {
                out.push_str(&replacement);
                rest = &candidate[used..];
            }
            None => {
                out.push_str("eyJ");
                rest = &candidate[3..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// A token at the start of `text` (which starts with `eyJ`): its
/// replacement and how many bytes it spans. `at_boundary`: the text starts a
/// run or follows a dot, so token-shaped text that does not decode is still a
/// token.
fn token_at(text: &str, at_boundary: bool) -> Option<(String, usize)> {
    let parts: Vec<&str> = text.split('.').collect();
    let span = |n: usize| parts.iter().take(n).map(|p| p.len()).sum::<usize>() + n - 1;
    let compact = |n: usize| &text[..span(n)];
    // An encrypted token: five parts, a header with `enc`.
    if parts.len() >= 5 {
        if let Some(Content::Jwe(jwe)) = decoded(compact(5)) {
            if jwe.header.contains_key("enc") {
                let header = Value::Object(jwe.header).to_string();
                return Some((
                    format!("[encrypted token removed; header {header}]"),
                    span(5),
                ));
            }
        }
    }
    if parts.len() < 3 || parts[1].is_empty() {
        return None;
    }
    match decoded(compact(3)) {
        Some(Content::Jws(jws)) => Some((
            format!(
                "[JWT, signature removed; header {} claims {}]",
                Value::Object(jws.header),
                Value::Object(jws.claims)
            ),
            span(3),
        )),
        _ if at_boundary && parts[..3].iter().all(|p| p.len() >= 2) => Some((
            format!("[token-shaped text removed: {} characters]", span(3)),
            span(3),
        )),
        _ => None,
    }
}

/// What the token reader makes of a compact token (only the first item).
fn decoded(compact: &str) -> Option<Content> {
    crate::token::recognize(compact)
        .ok()
        .and_then(|p| p.items.into_iter().next())
        .map(|found| found.content)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_shaped_text_that_does_not_decode_is_removed_and_ordinary_dotted_text_stays() {
        let r = Redactor::default();
        assert_eq!(
            r.text("token eyJub3QganNvbg.eyJhYmM.c2ln here"),
            "token [token-shaped text removed: 27 characters] here"
        );
        let ordinary = "login.microsoftonline.com/v2.0 at 20.190.151.68, keyJar.a.b, version 1.2.3";
        assert_eq!(r.text(ordinary), ordinary);
        let jwe = format!(
            "{}.{}.{}.{}.{}",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"RSA-OAEP","enc":"A256GCM","kid":"k1"}"#),
            "ZW5jcnlwdGVka2V5",
            "aXY",
            "Y2lwaGVydGV4dA",
            "dGFn"
        );
        assert_eq!(
            r.text(&format!("got {jwe}")),
            r#"got [encrypted token removed; header {"alg":"RSA-OAEP","enc":"A256GCM","kid":"k1"}]"#
        );
    }

    #[test]
    fn secret_values_are_scrubbed_in_every_form() {
        let secret = SecretString::from("Gr4~f.ana+Secret/Value=0042&x".to_string());
        let value = secret.expose_secret().to_string();
        let r = Redactor::new(&[&secret]);
        let encoded: String = url::form_urlencoded::byte_serialize(value.as_bytes()).collect();
        let forms = [
            value.clone(),
            encoded.clone(),
            encoded.replace('+', "%20"),
            serde_json::to_string(&value).unwrap(),
            STANDARD.encode(&value),
            URL_SAFE_NO_PAD.encode(&value),
        ];
        for form in &forms {
            let out = r.text(&format!("the server said: client_secret={form}&x=1"));
            assert!(
                !out.contains(form.trim_matches('"')),
                "{form} left in {out}"
            );
            assert!(out.contains(REDACTED), "{out}");
        }
        let mut v = serde_json::json!({"a": [format!("Bearer {value}")], "b": {"c": encoded}});
        r.value(&mut v);
        assert_eq!(v["a"][0], "Bearer [redacted]");
        assert_eq!(v["b"]["c"], REDACTED);
        // Without the secret given, only tokens are touched.
        assert!(Redactor::default().text(&value).contains(&value));
        assert!(format!("{r:?}").contains("secret_forms"));
        assert!(!format!("{r:?}").contains(&value));
    }
}
