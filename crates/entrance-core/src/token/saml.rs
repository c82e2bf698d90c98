//! SAML assertions and responses: recognized, and read tolerantly.
//!
//! Entrance does not validate SAML; it says "this is SAML" and lists what an
//! admin wants to see (issuer, subject, audience, validity, attributes). The
//! scan below is deliberately small and forgiving — it walks tags by their
//! local name, so `saml:`, `saml2:` and unprefixed documents read the same, and
//! it never fails: unreadable parts are simply left out.

use serde::Serialize;

/// Limits that keep a hostile document cheap to scan.
const MAX_ATTRIBUTES: usize = 500;
const MAX_VALUES: usize = 1_000;

/// What could be read from a SAML document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, specta::Type)]
pub struct SamlSummary {
    /// `2.0`, or `1.1` for a SAML 1.1 assertion.
    pub version: Option<String>,
    /// A `<samlp:Response>` around the assertion.
    pub is_response: bool,
    /// The assertion is an `<EncryptedAssertion>`: its content cannot be read
    /// without the app's private key.
    pub encrypted: bool,
    /// `<Issuer>`: Entra's is `https://sts.windows.net/{tid}/`.
    pub issuer: Option<String>,
    /// `<NameID>`: the subject.
    pub subject: Option<String>,
    /// `<Audience>` values: the app's Identifier (Entity ID).
    pub audiences: Vec<String>,
    /// `<Conditions NotBefore>`.
    pub not_before: Option<String>,
    /// `<Conditions NotOnOrAfter>`.
    pub not_on_or_after: Option<String>,
    /// `<Attribute>`s with their values, in document order.
    pub attributes: Vec<SamlAttribute>,
}

/// One `<Attribute>` of a SAML assertion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct SamlAttribute {
    /// `Name` (SAML 2.0) or `AttributeName` (SAML 1.1).
    pub name: String,
    /// `FriendlyName`, when present.
    pub friendly_name: Option<String>,
    /// The `<AttributeValue>`s.
    pub values: Vec<String>,
    /// The JWT claim Entra emits for the same information, when known
    /// (reference-saml-tokens.md), so the claim catalog can explain it.
    pub jwt_claim: Option<String>,
}

impl SamlSummary {
    /// Whether an attribute says the groups overflowed (150 in SAML, docs/entra.md#groups-overage):
    /// Entra then sends `groups.link` instead of `groups`.
    pub fn has_groups_overage(&self) -> bool {
        self.attributes
            .iter()
            .any(|a| a.jwt_claim.as_deref() == Some("_claim_sources"))
    }
}

/// Entra's SAML attribute names and the JWT claim that carries the same thing.
/// Source: reference-saml-tokens.md (Microsoft Learn, "SAML token claims reference").
const SAML_TO_JWT: &[(&str, &str)] = &[
    (
        "http://schemas.microsoft.com/identity/claims/tenantid",
        "tid",
    ),
    (
        "http://schemas.microsoft.com/identity/claims/objectidentifier",
        "oid",
    ),
    (
        "http://schemas.microsoft.com/identity/claims/displayname",
        "name",
    ),
    (
        "http://schemas.microsoft.com/identity/claims/identityprovider",
        "idp",
    ),
    (
        "http://schemas.microsoft.com/claims/authnmethodsreferences",
        "amr",
    ),
    (
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name",
        "upn",
    ),
    (
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
        "email",
    ),
    (
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname",
        "given_name",
    ),
    (
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname",
        "family_name",
    ),
    (
        "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups",
        "groups",
    ),
    (
        "http://schemas.microsoft.com/ws/2008/06/identity/claims/role",
        "roles",
    ),
    (
        "http://schemas.microsoft.com/ws/2008/06/identity/claims/wids",
        "wids",
    ),
    (
        "http://schemas.microsoft.com/claims/groups.link",
        "_claim_sources",
    ),
];

/// Whether XML text is SAML (1.1 or 2.0, assertion or response).
pub(crate) fn looks_like_saml(xml: &str) -> bool {
    let head: String = xml.chars().take(4096).collect();
    head.contains("urn:oasis:names:tc:SAML:")
        || tags(&head).any(|t| {
            !t.closing && matches!(t.local, "Assertion" | "EncryptedAssertion" | "Response")
        })
}

/// Reads what it can. Never fails.
pub(crate) fn summarize(xml: &str) -> SamlSummary {
    let mut out = SamlSummary::default();
    let mut current: Option<SamlAttribute> = None;
    let mut values = 0usize;
    for tag in tags(xml) {
        if tag.closing {
            if tag.local == "Attribute" {
                if let Some(attr) = current.take() {
                    if out.attributes.len() < MAX_ATTRIBUTES {
                        out.attributes.push(attr);
                    }
                }
            }
            continue;
        }
        match tag.local {
            "Response" => out.is_response = true,
            "EncryptedAssertion" => out.encrypted = true,
            "Assertion" => {
                if let Some(v) = attr(tag.attrs, "Version") {
                    out.version = Some(v);
                } else if attr(tag.attrs, "MajorVersion").as_deref() == Some("1") {
                    out.version = Some("1.1".into());
                }
            }
            "Issuer" if out.issuer.is_none() => out.issuer = text_after(xml, tag.end),
            "NameID" | "NameIdentifier" if out.subject.is_none() => {
                out.subject = text_after(xml, tag.end)
            }
            "Audience" => {
                if let Some(a) = text_after(xml, tag.end) {
                    out.audiences.push(a);
                }
            }
            "Conditions" => {
                out.not_before = attr(tag.attrs, "NotBefore");
                out.not_on_or_after = attr(tag.attrs, "NotOnOrAfter");
            }
            "Attribute" => {
                let name = attr(tag.attrs, "Name")
                    .or_else(|| attr(tag.attrs, "AttributeName"))
                    .unwrap_or_default();
                let jwt_claim = SAML_TO_JWT
                    .iter()
                    .find(|(uri, _)| uri.eq_ignore_ascii_case(name.trim()))
                    .map(|(_, claim)| (*claim).to_string());
                let attribute = SamlAttribute {
                    friendly_name: attr(tag.attrs, "FriendlyName"),
                    name,
                    values: Vec::new(),
                    jwt_claim,
                };
                if tag.self_closing {
                    if out.attributes.len() < MAX_ATTRIBUTES {
                        out.attributes.push(attribute);
                    }
                } else {
                    current = Some(attribute);
                }
            }
            "AttributeValue" => {
                if let (Some(attr), Some(v)) = (current.as_mut(), text_after(xml, tag.end)) {
                    if values < MAX_VALUES {
                        attr.values.push(v);
                        values += 1;
                    }
                }
            }
            _ => {}
        }
    }
    if let Some(attr) = current.take() {
        out.attributes.push(attr);
    }
    out
}

/// One start or end tag.
struct Tag<'a> {
    local: &'a str,
    attrs: &'a str,
    closing: bool,
    self_closing: bool,
    /// Byte index just after `>`.
    end: usize,
}

/// Start and end tags in document order; comments, declarations and
/// processing instructions are skipped.
fn tags(xml: &str) -> impl Iterator<Item = Tag<'_>> {
    let mut pos = 0usize;
    std::iter::from_fn(move || loop {
        let open = pos + xml.get(pos..)?.find('<')?;
        let close = open + xml.get(open..)?.find('>')?;
        pos = close + 1;
        let inner = xml.get(open + 1..close)?;
        if inner.starts_with('!') || inner.starts_with('?') {
            continue;
        }
        let (closing, inner) = match inner.strip_prefix('/') {
            Some(rest) => (true, rest),
            None => (false, inner),
        };
        let (inner, self_closing) = match inner.strip_suffix('/') {
            Some(rest) => (rest, true),
            None => (inner, false),
        };
        let name_end = inner
            .find(|c: char| c.is_whitespace())
            .unwrap_or(inner.len());
        let name = &inner[..name_end];
        let local = name.rsplit(':').next().unwrap_or(name);
        return Some(Tag {
            local,
            attrs: &inner[name_end..],
            closing,
            self_closing,
            end: pos,
        });
    })
}

/// The value of attribute `name` in a tag's attribute text (either quote).
fn attr(attrs: &str, name: &str) -> Option<String> {
    let mut search = 0usize;
    while let Some(i) = attrs.get(search..)?.find(name) {
        let at = search + i;
        search = at + name.len();
        let before_ok = at == 0
            || attrs[..at]
                .chars()
                .next_back()
                .is_some_and(char::is_whitespace);
        let rest = attrs[at + name.len()..].trim_start();
        let Some(rest) = rest.strip_prefix('=') else {
            continue;
        };
        if !before_ok {
            continue;
        }
        let rest = rest.trim_start();
        let quote = rest.chars().next()?;
        if quote != '"' && quote != '\'' {
            return None;
        }
        let body = &rest[1..];
        let end = body.find(quote)?;
        return Some(unescape(&body[..end]));
    }
    None
}

/// The text right after a start tag, up to the next tag; `None` when empty.
fn text_after(xml: &str, start: usize) -> Option<String> {
    let rest = xml.get(start..)?;
    let end = rest.find('<').unwrap_or(rest.len());
    let text = unescape(rest[..end].trim());
    (!text.is_empty()).then_some(text)
}

/// The five XML entities and numeric character references.
fn unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let after = &rest[i..];
        let Some(semi) = after.find(';').filter(|&n| n <= 10) else {
            out.push('&');
            rest = &after[1..];
            continue;
        };
        let entity = &after[1..semi];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            e if e.starts_with("#x") || e.starts_with("#X") => u32::from_str_radix(&e[2..], 16)
                .ok()
                .and_then(char::from_u32),
            e if e.starts_with('#') => e[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &after[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const ASSERTION: &str = r#"<?xml version="1.0"?>
<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_r1" Version="2.0">
  <Issuer xmlns="urn:oasis:names:tc:SAML:2.0:assertion">https://sts.windows.net/11111111-2222-3333-4444-555555555555/</Issuer>
  <Assertion xmlns="urn:oasis:names:tc:SAML:2.0:assertion" ID="_a1" Version="2.0">
    <Issuer>https://sts.windows.net/11111111-2222-3333-4444-555555555555/</Issuer>
    <Subject><NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">ada@contoso.com</NameID></Subject>
    <Conditions NotBefore="2024-05-01T10:00:00Z" NotOnOrAfter="2024-05-01T11:10:00Z">
      <AudienceRestriction><Audience>https://grafana.contoso.com</Audience></AudienceRestriction>
    </Conditions>
    <AttributeStatement>
      <Attribute Name="http://schemas.microsoft.com/identity/claims/tenantid"><AttributeValue>11111111-2222-3333-4444-555555555555</AttributeValue></Attribute>
      <Attribute FriendlyName="Groups" Name="http://schemas.microsoft.com/ws/2008/06/identity/claims/groups">
        <AttributeValue>aaaaaaaa-0000-1111-2222-bbbbbbbbbbbb</AttributeValue>
        <AttributeValue>cccccccc-0000-1111-2222-dddddddddddd</AttributeValue>
      </Attribute>
      <Attribute Name="department"><AttributeValue>R&amp;D</AttributeValue></Attribute>
    </AttributeStatement>
  </Assertion>
</samlp:Response>"#;

    #[test]
    fn an_entra_saml_response_is_recognized_and_its_attributes_listed() {
        assert!(looks_like_saml(ASSERTION));
        let s = summarize(ASSERTION);
        assert_eq!(s.version.as_deref(), Some("2.0"));
        assert!(s.is_response);
        assert!(!s.encrypted);
        assert_eq!(
            s.issuer.as_deref(),
            Some("https://sts.windows.net/11111111-2222-3333-4444-555555555555/")
        );
        assert_eq!(s.subject.as_deref(), Some("ada@contoso.com"));
        assert_eq!(s.audiences, ["https://grafana.contoso.com"]);
        assert_eq!(s.not_on_or_after.as_deref(), Some("2024-05-01T11:10:00Z"));
        let names: Vec<_> = s.attributes.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names.len(), 3);
        assert_eq!(s.attributes[0].jwt_claim.as_deref(), Some("tid"));
        assert_eq!(s.attributes[1].friendly_name.as_deref(), Some("Groups"));
        assert_eq!(s.attributes[1].values.len(), 2);
        assert_eq!(s.attributes[2].values, ["R&D"]);
        assert_eq!(s.attributes[2].jwt_claim, None);
    }

    #[test]
    fn an_encrypted_assertion_says_so() {
        let xml = r#"<saml2p:Response xmlns:saml2p="urn:oasis:names:tc:SAML:2.0:protocol"><saml2:EncryptedAssertion xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion"><xenc:EncryptedData/></saml2:EncryptedAssertion></saml2p:Response>"#;
        let s = summarize(xml);
        assert!(s.encrypted && s.is_response);
        assert!(s.attributes.is_empty());
    }

    #[test]
    fn groups_link_is_the_saml_overage_marker() {
        let xml = r#"<Assertion Version="2.0"><Attribute Name="http://schemas.microsoft.com/claims/groups.link"><AttributeValue>https://graph.windows.net/t/users/u/getMemberObjects</AttributeValue></Attribute></Assertion>"#;
        assert!(summarize(xml).has_groups_overage());
    }

    #[test]
    fn friendly_name_is_not_mistaken_for_name() {
        assert_eq!(attr(r#" FriendlyName="x""#, "Name"), None);
        assert_eq!(
            attr(r#" FriendlyName="x" Name='y'"#, "Name").as_deref(),
            Some("y")
        );
    }

    #[test]
    fn xml_that_is_not_saml_is_not_saml() {
        assert!(!looks_like_saml("<html><body>hi</body></html>"));
    }

    #[test]
    fn broken_markup_is_read_as_far_as_possible() {
        for xml in [
            "<",
            "<Attribute Name=",
            "<Attribute Name=\"a\"><AttributeValue>",
            "&amp;<a &#xZZ; &#99999999;",
        ] {
            let _ = summarize(xml);
        }
        assert_eq!(unescape("a &lt;b&gt; &#65;&#x42; & c"), "a <b> AB & c");
    }
}
