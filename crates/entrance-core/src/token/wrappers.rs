//! Unwrapping a paste: headers, URLs, JSON bodies, SAML — down to the items.

use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine;
use serde_json::Value;

use super::decode::{decode_jwe, decode_jws, json_message};
use super::saml::{looks_like_saml, summarize};
use super::{Content, Found, OpaqueHint, Pasted, Source, TokenError, Wrapper, MAX_INPUT_BYTES};
use crate::aadsts::EntraError;

/// URL and JSON fields that carry something Entrance reads, in the order it
/// lists them.
const TOKEN_FIELDS: &[&str] = &["id_token", "access_token"];

/// Recognizes and decodes everything in `text`. See the module docs.
///
/// # Errors
/// [`TokenError`] when nothing was pasted, or when something is clearly a JWT
/// or a JSON body but is malformed — the error names the part and position.
pub fn recognize(text: &str) -> Result<Pasted, TokenError> {
    if text.len() > MAX_INPUT_BYTES {
        return Err(TokenError::TooLarge {
            size: text.len(),
            limit: MAX_INPUT_BYTES,
        });
    }
    let t = text.trim_start_matches('\u{feff}').trim();
    if t.is_empty() {
        return Err(TokenError::Empty);
    }
    if t.starts_with('{') {
        return from_json(t);
    }
    if t.starts_with('<') {
        return Ok(single(Wrapper::SamlXml, None, xml_content(t)));
    }
    let (t, wrapper) = strip_authorization(t);
    let t = strip_quotes(t);
    if let Some(pairs) = url_parameters(t) {
        return from_parameters(&pairs, t);
    }
    let content = classify(&Source::bare(wrapper), t)?;
    let wrapper = match content {
        Content::Saml(_) if wrapper == Wrapper::Bare => Wrapper::SamlXml,
        _ => wrapper,
    };
    Ok(single(wrapper, None, content))
}

fn single(wrapper: Wrapper, field: Option<&str>, content: Content) -> Pasted {
    let source = match field {
        Some(f) => Source::field(wrapper, f),
        None => Source::bare(wrapper),
    };
    Pasted {
        wrapper,
        items: vec![Found { source, content }],
    }
}

/// Removes `Authorization:` and `Bearer ` (any case).
fn strip_authorization(t: &str) -> (&str, Wrapper) {
    let mut wrapper = Wrapper::Bare;
    let mut rest = t;
    if let Some(after) = strip_prefix_ci(rest, "authorization") {
        if let Some(after) = after.trim_start().strip_prefix(':') {
            rest = after.trim_start();
            wrapper = Wrapper::AuthorizationHeader;
        }
    }
    if let Some(after) = strip_prefix_ci(rest, "bearer") {
        if after.starts_with(char::is_whitespace) {
            rest = after.trim_start();
        }
    }
    (rest, wrapper)
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

fn strip_quotes(t: &str) -> &str {
    for q in ['"', '\''] {
        if let Some(inner) = t.strip_prefix(q).and_then(|s| s.strip_suffix(q)) {
            return inner.trim();
        }
    }
    t
}

/// Query and fragment parameters, when `t` is a URL or a bare parameter
/// list that names something Entrance reads.
fn url_parameters(t: &str) -> Option<Vec<(String, String)>> {
    const KNOWN: &[&str] = &[
        "id_token",
        "access_token",
        "code",
        "error",
        "error_description",
        "SAMLResponse",
        "client_id",
        "response_type",
    ];
    let is_url = t.contains("://");
    let starts_params = t.starts_with('?') || t.starts_with('#');
    let names_known = KNOWN.iter().any(|k| {
        t.match_indices(&format!("{k}="))
            .any(|(i, _)| i == 0 || matches!(t.as_bytes()[i - 1], b'?' | b'#' | b'&'))
    });
    if !is_url && !starts_params && !names_known {
        return None;
    }
    let mut pairs = Vec::new();
    if is_url {
        // The query and the fragment both carry parameters (response_mode
        // query / fragment, ACF).
        let after_scheme = t.split_once("://").map_or(t, |(_, r)| r);
        let query_start = after_scheme.find(['?', '#']);
        if let Some(i) = query_start {
            for part in after_scheme[i + 1..].split('#') {
                let part = part.strip_prefix('?').unwrap_or(part);
                pairs.extend(form_pairs(part));
            }
        }
    } else {
        for part in t.trim_start_matches(['?', '#']).split(['#', '?']) {
            pairs.extend(form_pairs(part));
        }
    }
    Some(pairs)
}

fn form_pairs(s: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(s.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn from_parameters(pairs: &[(String, String)], original: &str) -> Result<Pasted, TokenError> {
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let mut items = Vec::new();
    for field in TOKEN_FIELDS {
        if let Some(value) = get(field) {
            let source = Source::field(Wrapper::Url, field);
            let content = classify(&source, value)?;
            items.push(Found { source, content });
        }
    }
    if let Some(value) = get("SAMLResponse") {
        let source = Source::field(Wrapper::Url, "SAMLResponse");
        let content = classify(&source, value)?;
        items.push(Found { source, content });
    }
    if get("code").is_some() {
        items.push(Found {
            source: Source::field(Wrapper::Url, "code"),
            content: Content::AuthorizationCode,
        });
    }
    if get("error").is_some() || get("error_description").is_some() {
        items.push(Found {
            source: Source::field(Wrapper::Url, "error"),
            content: Content::ErrorResponse(Box::new(EntraError::from_parameters(pairs))),
        });
    }
    if items.is_empty() {
        let hint = if get("client_id").is_some() || original.contains("/authorize") {
            OpaqueHint::AuthorizeRequest
        } else {
            OpaqueHint::Unknown
        };
        items.push(Found {
            source: Source::bare(Wrapper::Url),
            content: Content::Opaque(hint),
        });
    }
    Ok(Pasted {
        wrapper: Wrapper::Url,
        items,
    })
}

fn from_json(t: &str) -> Result<Pasted, TokenError> {
    let value: Value = serde_json::from_str(t).map_err(|e| TokenError::WrapperJson {
        message: json_message(&e),
        line: e.line(),
        column: e.column(),
    })?;
    let Value::Object(map) = value else {
        // `{` starts only objects; unreachable, but never panic.
        return Ok(single(
            Wrapper::Json,
            None,
            Content::Opaque(OpaqueHint::Unknown),
        ));
    };
    let mut items = Vec::new();
    for field in TOKEN_FIELDS {
        if let Some(Value::String(token)) = map.get(*field) {
            let source = Source::field(Wrapper::Json, field);
            let content = classify(&source, token)?;
            items.push(Found { source, content });
        }
    }
    if let Some(Value::String(_)) = map.get("refresh_token") {
        items.push(Found {
            source: Source::field(Wrapper::Json, "refresh_token"),
            content: Content::Opaque(OpaqueHint::RefreshToken),
        });
    }
    if map.contains_key("error") || map.contains_key("error_codes") {
        items.push(Found {
            source: Source::field(Wrapper::Json, "error"),
            content: Content::ErrorResponse(Box::new(EntraError::from_json(&map))),
        });
    }
    if items.is_empty() {
        let hint = if map.get("keys").is_some_and(Value::is_array) {
            OpaqueHint::Jwks
        } else if ["iss", "aud", "exp", "tid", "oid"]
            .iter()
            .any(|k| map.contains_key(*k))
        {
            OpaqueHint::DecodedClaims
        } else {
            OpaqueHint::Unknown
        };
        items.push(Found {
            source: Source::bare(Wrapper::Json),
            content: Content::Opaque(hint),
        });
    }
    Ok(Pasted {
        wrapper: Wrapper::Json,
        items,
    })
}

/// What one candidate string is.
fn classify(source: &Source, raw: &str) -> Result<Content, TokenError> {
    let compact: String = strip_quotes(raw.trim())
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let name = source.field.as_deref().unwrap_or("token");
    let looks_jose = compact.starts_with("ey");
    match compact.matches('.').count() {
        2 if looks_jose => return Ok(Content::Jws(Box::new(decode_jws(name, &compact)?))),
        4 if looks_jose => return Ok(Content::Jwe(decode_jwe(name, &compact)?)),
        _ => {}
    }
    if let Some(xml) = base64_text(&compact) {
        if xml.trim_start().starts_with('<') {
            return Ok(xml_content(&xml));
        }
    }
    Ok(Content::Opaque(opaque_hint(&compact)))
}

fn xml_content(xml: &str) -> Content {
    if looks_like_saml(xml) {
        Content::Saml(Box::new(summarize(xml)))
    } else {
        Content::Opaque(OpaqueHint::OtherXml)
    }
}

/// base64 (either alphabet, padded or not) of UTF-8 text.
fn base64_text(s: &str) -> Option<String> {
    const LENIENT: GeneralPurposeConfig =
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
    if s.len() < 8 {
        return None;
    }
    let engines = [
        GeneralPurpose::new(&base64::alphabet::STANDARD, LENIENT),
        GeneralPurpose::new(&base64::alphabet::URL_SAFE, LENIENT),
    ];
    engines
        .iter()
        .find_map(|e| e.decode(s).ok())
        .and_then(|bytes| String::from_utf8(bytes).ok())
}

fn opaque_hint(s: &str) -> OpaqueHint {
    if is_guid(s) {
        OpaqueHint::Guid
    } else if looks_like_client_secret(s) {
        OpaqueHint::ClientSecret
    } else {
        OpaqueHint::Unknown
    }
}

/// `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`.
pub fn is_guid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// Client secret values made in the portal are 40 characters with `Q~` at
/// positions 4–5 (observed, unconfirmed in Microsoft's docs).
fn looks_like_client_secret(s: &str) -> bool {
    s.len() == 40 && s.get(4..6) == Some("Q~") && s.is_ascii()
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};

    fn jwt(claims: &str) -> String {
        format!(
            "{}.{}.{}",
            URL_SAFE_NO_PAD.encode(r#"{"typ":"JWT","alg":"RS256","kid":"k"}"#),
            URL_SAFE_NO_PAD.encode(claims),
            URL_SAFE_NO_PAD.encode("signature")
        )
    }

    fn kinds(p: &Pasted) -> Vec<String> {
        p.items
            .iter()
            .map(|f| {
                let what = match &f.content {
                    Content::Jws(_) => "jws",
                    Content::Jwe(_) => "jwe",
                    Content::Saml(_) => "saml",
                    Content::AuthorizationCode => "code",
                    Content::ErrorResponse(_) => "error",
                    Content::Opaque(_) => "opaque",
                };
                match &f.source.field {
                    Some(field) => format!("{field}:{what}"),
                    None => what.to_string(),
                }
            })
            .collect()
    }

    #[test]
    fn a_bare_token_with_bearer_line_breaks_and_quotes_is_a_jws() {
        let t = jwt(r#"{"aud":"x"}"#);
        let (a, b) = t.split_at(20);
        for pasted in [
            t.clone(),
            format!("Bearer {t}"),
            format!("bearer   {a}\n  {b}\n"),
            format!("Authorization: Bearer {t}"),
            format!("AUTHORIZATION:Bearer \"{t}\""),
            format!("\u{feff}  '{t}'  "),
        ] {
            let p = recognize(&pasted).unwrap();
            assert_eq!(kinds(&p), ["jws"], "{pasted:?}");
        }
        assert_eq!(
            recognize(&format!("Authorization: Bearer {t}"))
                .unwrap()
                .wrapper,
            Wrapper::AuthorizationHeader
        );
    }

    #[test]
    fn a_redirect_fragment_with_tokens_yields_each_token() {
        let id = jwt(r#"{"nonce":"n"}"#);
        let at = jwt(r#"{"scp":"User.Read"}"#);
        let url = format!(
            "https://grafana.contoso.com/login/azuread#id_token={id}&access_token={at}&state=s"
        );
        let p = recognize(&url).unwrap();
        assert_eq!(p.wrapper, Wrapper::Url);
        assert_eq!(kinds(&p), ["id_token:jws", "access_token:jws"]);
        let bare = recognize(&format!("#id_token={id}&session_state=x")).unwrap();
        assert_eq!(kinds(&bare), ["id_token:jws"]);
        let plain = recognize(&format!("id_token={id}")).unwrap();
        assert_eq!(kinds(&plain), ["id_token:jws"]);
    }

    #[test]
    fn an_authorization_code_is_recognized_and_not_a_token() {
        let p = recognize("https://keep.contoso.com/api/auth/callback/microsoft-entra-id?code=0.AXoA1234&state=abc&session_state=x").unwrap();
        assert_eq!(kinds(&p), ["code:code"]);
        let hybrid = recognize(&format!("#code=0.AX&id_token={}", jwt("{}"))).unwrap();
        assert_eq!(kinds(&hybrid), ["id_token:jws", "code:code"]);
    }

    #[test]
    fn a_redirect_with_an_error_is_an_error_response() {
        let p = recognize("https://app/cb?error=invalid_client&error_description=AADSTS7000215%3a+Invalid+client+secret+provided.&state=1").unwrap();
        assert_eq!(kinds(&p), ["error:error"]);
        let Content::ErrorResponse(e) = &p.items[0].content else {
            panic!()
        };
        assert_eq!(e.aadsts, Some(7000215));
        assert_eq!(e.error.as_deref(), Some("invalid_client"));
    }

    #[test]
    fn an_authorize_request_url_carries_no_token() {
        let p = recognize("https://login.microsoftonline.com/t/oauth2/v2.0/authorize?client_id=c&response_type=code").unwrap();
        assert!(matches!(
            p.items[0].content,
            Content::Opaque(OpaqueHint::AuthorizeRequest)
        ));
    }

    #[test]
    fn a_token_response_yields_both_tokens_and_names_the_refresh_token() {
        let body = format!(
            r#"{{"token_type":"Bearer","scope":"openid","expires_in":3599,"access_token":"{}","refresh_token":"0.AX-opaque","id_token":"{}"}}"#,
            jwt(r#"{"scp":"x"}"#),
            jwt(r#"{"nonce":"n"}"#)
        );
        let p = recognize(&body).unwrap();
        assert_eq!(p.wrapper, Wrapper::Json);
        assert_eq!(
            kinds(&p),
            ["id_token:jws", "access_token:jws", "refresh_token:opaque"]
        );
    }

    #[test]
    fn json_that_is_not_a_token_response_gets_a_hint() {
        let jwks = recognize(r#"{"keys":[]}"#).unwrap();
        assert!(matches!(
            jwks.items[0].content,
            Content::Opaque(OpaqueHint::Jwks)
        ));
        let claims = recognize(r#"{"aud":"x","iss":"y"}"#).unwrap();
        assert!(matches!(
            claims.items[0].content,
            Content::Opaque(OpaqueHint::DecodedClaims)
        ));
    }

    #[test]
    fn broken_json_reports_line_and_column() {
        let err = recognize("{\"access_token\": \"a\",\n \"id_token\": }").unwrap_err();
        assert!(
            matches!(err, TokenError::WrapperJson { line: 2, .. }),
            "{err:?}"
        );
    }

    #[test]
    fn five_parts_are_an_encrypted_jwe() {
        let h = URL_SAFE_NO_PAD.encode(r#"{"alg":"RSA-OAEP","enc":"A256GCM"}"#);
        let p = recognize(&format!("{h}.a.b.c.d")).unwrap();
        let Content::Jwe(jwe) = &p.items[0].content else {
            panic!()
        };
        assert_eq!(jwe.header["enc"], "A256GCM");
    }

    #[test]
    fn saml_is_recognized_as_xml_and_as_base64() {
        let xml = r#"<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"><Assertion Version="2.0"/></samlp:Response>"#;
        let p = recognize(xml).unwrap();
        assert_eq!(p.wrapper, Wrapper::SamlXml);
        assert_eq!(kinds(&p), ["saml"]);
        let b64 = STANDARD.encode(xml);
        let wrapped: String = b64
            .as_bytes()
            .chunks(64)
            .map(|c| String::from_utf8_lossy(c).into_owned() + "\r\n")
            .collect();
        assert_eq!(kinds(&recognize(&wrapped).unwrap()), ["saml"]);
        let form = format!(
            "SAMLResponse={}&RelayState=x",
            url::form_urlencoded::byte_serialize(b64.as_bytes()).collect::<String>()
        );
        assert_eq!(kinds(&recognize(&form).unwrap()), ["SAMLResponse:saml"]);
        assert!(matches!(
            recognize("<html/>").unwrap().items[0].content,
            Content::Opaque(OpaqueHint::OtherXml)
        ));
    }

    #[test]
    fn opaque_strings_are_named_by_shape_without_echoing_them() {
        let guid = recognize("0b6a1f7e-3b7c-4d2e-9f10-123456789abc").unwrap();
        assert!(matches!(
            guid.items[0].content,
            Content::Opaque(OpaqueHint::Guid)
        ));
        let secret = recognize("abc8Q~0123456789abcdefghijklmnopqrstuvwx").unwrap();
        assert!(matches!(
            secret.items[0].content,
            Content::Opaque(OpaqueHint::ClientSecret)
        ));
        let other = recognize("hello world").unwrap();
        assert!(matches!(
            other.items[0].content,
            Content::Opaque(OpaqueHint::Unknown)
        ));
    }

    #[test]
    fn empty_and_oversized_input_are_errors() {
        assert_eq!(recognize(" \n\t ").unwrap_err(), TokenError::Empty);
        let big = "a".repeat(MAX_INPUT_BYTES + 1);
        assert!(matches!(recognize(&big), Err(TokenError::TooLarge { .. })));
    }

    #[test]
    fn a_malformed_token_inside_a_url_names_the_field() {
        let err = recognize("#id_token=eyJhbGciOi.e30.c2ln").unwrap_err();
        assert_eq!(err.token_name(), "id_token");
        assert!(err.to_string().starts_with("header: not JSON"), "{err}");
    }
}
