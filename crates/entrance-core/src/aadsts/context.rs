//! A code explained with what Entrance knows where it arrived: the redirect
//! URI that was sent and the platform it is registered under, the authority,
//! the client ID, the scopes asked for, the secret's hint and end date, and
//! the target product. The catalog says what a code means in general; here
//! the cause and fix name this situation's values.

use serde::Serialize;

use super::{lookup, lookup_url, reference_lookup, ProductNote, REFERENCE_SOURCE};

/// What is known where a code arrived (a sign-in, a diagnosis, a product
/// check, a sign-in log). Every field is optional; the more is known, the more
/// specific the explanation.
#[derive(Debug, Clone, Copy, Default)]
pub struct Situation<'a> {
    /// The target product's name (`grafana`, `authentik`…).
    pub product: Option<&'a str>,
    /// The redirect URI that was sent.
    pub redirect_uri: Option<&'a str>,
    /// The platform that URI is registered under, in the portal's words
    /// (`Web`, `Single-page application`, `Mobile and desktop applications`).
    pub platform: Option<&'a str>,
    /// The authority the product or Entrance used.
    pub authority: Option<&'a str>,
    /// The Application (client) ID used.
    pub client_id: Option<&'a str>,
    /// The scopes asked for, space-separated.
    pub scopes: Option<&'a str>,
    /// The first characters of the client secret (Graph's `hint`).
    pub secret_hint: Option<&'a str>,
    /// The client secret's end date.
    pub secret_end: Option<&'a str>,
}

/// One code, explained for an admin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct Explanation {
    /// The number after `AADSTS`.
    pub code: u32,
    /// Whether Entrance knows the code (targeted or from Microsoft's table).
    pub known: bool,
    /// Whether Entrance has a targeted cause and fix for it.
    pub targeted: bool,
    /// The OAuth `error` value Entra sends with it, where documented.
    pub error: Option<String>,
    /// What it means.
    pub title: String,
    /// What caused it here (targeted codes only).
    pub cause: Option<String>,
    /// What to do.
    pub fix: String,
    /// The same fix with the Azure CLI or Microsoft Graph.
    pub cli: Option<String>,
    /// Where in the portal, in the portal's words.
    pub blade: Option<String>,
    /// What differs for the target products (only the situation's product
    /// when one is known).
    pub products: Vec<ProductNote>,
    /// Entra's lookup page.
    pub lookup_url: String,
    /// Where Entrance's explanation comes from (a `docs/aadsts.md` section).
    pub source: Option<String>,
}

/// The explanation of `code` in `situation`. Never fails: an unknown code
/// gets its lookup link.
pub fn explain(code: u32, situation: &Situation<'_>) -> Explanation {
    let url = lookup_url(code);
    let reference = reference_lookup(code);
    let error = reference.and_then(|r| r.error).map(str::to_string);
    let Some(entry) = lookup(code) else {
        return match reference {
            Some(r) => Explanation {
                code,
                known: true,
                targeted: false,
                error,
                title: r.meaning.to_string(),
                cause: None,
                fix: format!("Entrance has no setup-specific fix for this code; Entra's lookup page has the current details: {url}"),
                cli: None,
                blade: None,
                products: Vec::new(),
                lookup_url: url,
                source: Some(REFERENCE_SOURCE.to_string()),
            },
            None => Explanation {
                code,
                known: false,
                targeted: false,
                error: None,
                title: "Not in Entrance's catalog or in Microsoft's reference table".to_string(),
                cause: None,
                fix: format!("Look the code up on Entra's error page: {url}"),
                cli: None,
                blade: None,
                products: Vec::new(),
                lookup_url: url,
                source: None,
            },
        };
    };
    let (cause, fix) = situational(code, situation);
    let products = entry
        .products
        .iter()
        .filter(|n| {
            situation
                .product
                .is_none_or(|p| p.eq_ignore_ascii_case(n.product))
        })
        .copied()
        .collect();
    Explanation {
        code,
        known: true,
        targeted: true,
        error,
        title: entry.title.to_string(),
        cause: Some(match cause {
            Some(own) => format!("{own} {}", entry.cause),
            None => entry.cause.to_string(),
        }),
        fix: fix.unwrap_or_else(|| entry.fix.to_string()),
        cli: Some(entry.cli.to_string()),
        blade: entry.blade.label().map(str::to_string),
        products,
        lookup_url: url,
        source: Some(entry.source.to_string()),
    }
}

fn is_common(authority: &str) -> bool {
    authority
        .split('/')
        .any(|segment| matches!(segment, "common" | "consumers"))
}

/// The tenant-specific form of an authority that names `/common`.
fn tenant_authority(authority: &str) -> String {
    let host = authority
        .split("//")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .filter(|h| !h.is_empty())
        .unwrap_or("login.microsoftonline.com");
    format!("https://{host}/{{tenant-id}}")
}

/// The sentence of the cause and the fix that only this situation can say.
fn situational(code: u32, s: &Situation<'_>) -> (Option<String>, Option<String>) {
    let uri = s.redirect_uri;
    let platform = s.platform;
    match code {
        50011 | 500113 | 90102 => match uri {
            Some(uri) => (
                Some(format!("The redirect URI sent was `{uri}`.")),
                Some(format!(
                    "Register `{uri}` exactly (scheme, host, path, letter case, trailing slash) under App registrations → the app → Authentication → {}.",
                    platform.unwrap_or("Web (or Single-page application if the browser redeems the code)")
                )),
            ),
            None => (None, None),
        },
        500117 => match uri {
            Some(uri) if uri.starts_with("http://") => (
                Some(format!("The redirect URI sent was `{uri}`, plain http on a host other than localhost.")),
                Some(format!(
                    "Make the product send `{}` (its public URL setting, or X-Forwarded-Proto from the proxy) and register that under App registrations → the app → Authentication.",
                    uri.replacen("http://", "https://", 1)
                )),
            ),
            _ => (None, None),
        },
        7000218 | 700025 | 9002325 | 9002326 | 9002327 | 700084 => {
            let (Some(uri), Some(platform)) = (uri, platform) else {
                return (None, None);
            };
            let want = match code {
                7000218 => "send the client secret (a Web redirect URI makes the app a confidential client), or move the URI to Mobile and desktop applications if the product is a public client",
                700025 => "send no secret, or move the URI to Web if the product is a confidential client with a secret",
                9002325 => "turn PKCE (S256) on, or move the URI to Web if the product's server redeems the code",
                9002326 => "move the URI to Single-page application if the browser redeems the code, or keep it under Web and stop the Origin header",
                _ => "move the URI to Web, since the product's server redeems the code",
            };
            (
                Some(format!("`{uri}` is registered under {platform}.")),
                Some(format!(
                    "Under App registrations → the app → Authentication, `{uri}` is on {platform}: {want}."
                )),
            )
        }
        50194 | 9001023 | 90019 | 50020 | 50059 | 700005 => match s.authority {
            Some(a) if is_common(a) => (
                Some(format!("The authority `{a}` is a shared endpoint, not this tenant's.")),
                Some(format!(
                    "Replace `{a}` with `{}` in the product (the Directory (tenant) ID is on App registrations → the app → Overview).",
                    tenant_authority(a)
                )),
            ),
            Some(a) if code == 90019 => (
                Some(format!("The authority `{a}` names no tenant.")),
                Some(format!(
                    "Use `{}` with the Directory (tenant) ID from App registrations → the app → Overview.",
                    tenant_authority(a)
                )),
            ),
            _ => (None, None),
        },
        90002 | 90038 => match s.authority {
            Some(a) => (
                Some(format!("The authority used was `{a}`.")),
                None,
            ),
            None => (None, None),
        },
        700016 => match (s.client_id, s.authority) {
            (Some(id), Some(a)) => (
                Some(format!("Client ID `{id}` is not an app of the tenant behind `{a}`.")),
                Some(format!("Open App registrations → All applications and search `{id}`: if it is not there, copy the Application (client) ID and Directory (tenant) ID of the right registration from its Overview into the product.")),
            ),
            (Some(id), None) => (
                Some(format!("Client ID `{id}` was not found.")),
                None,
            ),
            _ => (None, None),
        },
        7000215 => match s.secret_hint {
            Some(hint) => (
                Some(format!("The secret sent starts with `{hint}`.")),
                Some(format!("Under App registrations → the app → Certificates & secrets, look for a secret whose Value starts with `{hint}`: if none does, the product holds a Secret ID or an old secret — create a new secret and copy its Value (shown once) into the product.")),
            ),
            None => (None, None),
        },
        7000222 => match (s.secret_end, s.secret_hint) {
            (Some(end), hint) => (
                Some(format!(
                    "The secret{} ended on {end}.",
                    hint.map(|h| format!(" starting with `{h}`")).unwrap_or_default()
                )),
                Some(format!("Create a new secret under App registrations → the app → Certificates & secrets, put its Value into the product, then delete the one that ended on {end}.")),
            ),
            _ => (None, None),
        },
        65005 | 650053 | 70011 => match s.scopes {
            Some(scopes) if scopes.split_whitespace().any(|x| x.eq_ignore_ascii_case("groups")) => (
                Some(format!("The scopes asked for were `{scopes}`; `groups` is not a permission of Microsoft Graph.")),
                Some(format!(
                    "Ask for `{}` instead, and add the groups claim under App registrations → the app → Token configuration → Add groups claim.",
                    scopes
                        .split_whitespace()
                        .filter(|x| !x.eq_ignore_ascii_case("groups"))
                        .collect::<Vec<_>>()
                        .join(" ")
                )),
            ),
            Some(scopes) => (Some(format!("The scopes asked for were `{scopes}`.")), None),
            None => (None, None),
        },
        _ => (None, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_product_keeps_only_its_own_note() {
        let all = explain(65005, &Situation::default());
        assert!(all.products.len() >= 2);
        let authentik = explain(
            65005,
            &Situation {
                product: Some("authentik"),
                scopes: Some("openid profile email groups"),
                ..Situation::default()
            },
        );
        assert_eq!(authentik.products.len(), 1);
        assert!(authentik.products[0].note.contains("groups"));
        assert!(
            authentik.fix.contains("`openid profile email`"),
            "{}",
            authentik.fix
        );
        assert!(authentik
            .cause
            .as_deref()
            .is_some_and(|c| c.contains("not a permission")));
    }

    #[test]
    fn the_redirect_uri_and_its_platform_are_named() {
        let s = Situation {
            redirect_uri: Some("http://localhost:8400/callback"),
            platform: Some("Web"),
            ..Situation::default()
        };
        let e = explain(7000218, &s);
        assert!(
            e.fix.contains("`http://localhost:8400/callback` is on Web"),
            "{}",
            e.fix
        );
        let m = explain(
            50011,
            &Situation {
                platform: None,
                ..s
            },
        );
        assert!(
            m.fix
                .contains("Register `http://localhost:8400/callback` exactly"),
            "{}",
            m.fix
        );
        let insecure = explain(
            500117,
            &Situation {
                redirect_uri: Some("http://grafana.contoso.com/login/azuread"),
                ..Situation::default()
            },
        );
        assert!(insecure
            .fix
            .contains("`https://grafana.contoso.com/login/azuread`"));
    }

    #[test]
    fn a_common_authority_is_replaced_by_the_tenant_form() {
        let e = explain(
            50194,
            &Situation {
                authority: Some("https://login.microsoftonline.com/common/oauth2/v2.0/authorize"),
                product: Some("authentik"),
                ..Situation::default()
            },
        );
        assert!(
            e.fix
                .contains("`https://login.microsoftonline.com/{tenant-id}`"),
            "{}",
            e.fix
        );
        assert_eq!(e.products.len(), 1);
    }

    #[test]
    fn the_secret_hint_and_end_date_are_named() {
        let s = Situation {
            secret_hint: Some("Abc"),
            secret_end: Some("2026-05-31"),
            ..Situation::default()
        };
        assert!(explain(7000215, &s).fix.contains("starts with `Abc`"));
        let expired = explain(7000222, &s);
        assert!(expired
            .cause
            .as_deref()
            .is_some_and(|c| c.contains("ended on 2026-05-31")));
    }

    #[test]
    fn a_reference_only_code_has_its_meaning_and_link_and_an_unknown_one_its_link() {
        let r = explain(50015, &Situation::default());
        assert!(r.known && !r.targeted);
        assert!(r.title.contains("legal-age"));
        assert!(r
            .fix
            .contains("https://login.microsoftonline.com/error?code=50015"));
        let u = explain(1234567, &Situation::default());
        assert!(!u.known);
        assert_eq!(
            u.lookup_url,
            "https://login.microsoftonline.com/error?code=1234567"
        );
    }
}

/// What a pasted text itself says about its situation: an authorize URL
/// (`…/oauth2/v2.0/authorize?client_id=…&redirect_uri=…&scope=…`) names the
/// authority, client ID, redirect URI and scopes; a product's callback URL
/// carrying `error=` is the redirect URI that was used.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextFacts {
    /// The authority (scheme, host and tenant segment).
    pub authority: Option<String>,
    /// `client_id`.
    pub client_id: Option<String>,
    /// `redirect_uri`, or the callback URL the error came back to.
    pub redirect_uri: Option<String>,
    /// `scope`.
    pub scopes: Option<String>,
}

impl TextFacts {
    /// Reads every URL in `text`, and a sign-in log record (`appId`); the
    /// first value found for a fact wins.
    pub fn from_text(text: &str) -> TextFacts {
        let mut facts = TextFacts::default();
        if let Ok(json) = serde_json::from_str::<serde_json::Value>(text.trim()) {
            facts.client_id = find_string(&json, "appId", 4);
        }
        for word in
            text.split(|c: char| c.is_whitespace() || c == '"' || c == '\'' || c == '<' || c == '>')
        {
            let Some(start) = word.find("https://").or_else(|| word.find("http://")) else {
                continue;
            };
            let Ok(url) = url::Url::parse(&word[start..]) else {
                continue;
            };
            let pairs: Vec<(String, String)> = url
                .query_pairs()
                .chain(
                    url.fragment()
                        .map(|f| url::form_urlencoded::parse(f.as_bytes()))
                        .into_iter()
                        .flatten(),
                )
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
            let get = |name: &str| {
                pairs
                    .iter()
                    .find(|(k, v)| k == name && !v.is_empty())
                    .map(|(_, v)| v.clone())
            };
            let path = url.path();
            if path.contains("/oauth2/") {
                if facts.authority.is_none() {
                    let tenant = path.split('/').find(|s| !s.is_empty()).unwrap_or("");
                    facts.authority = url
                        .host_str()
                        .map(|h| format!("{}://{h}/{tenant}", url.scheme()));
                }
                facts.client_id = facts.client_id.take().or_else(|| get("client_id"));
                facts.redirect_uri = facts.redirect_uri.take().or_else(|| get("redirect_uri"));
                facts.scopes = facts.scopes.take().or_else(|| get("scope"));
            } else if get("error").is_some() && facts.redirect_uri.is_none() {
                let mut callback = url.clone();
                callback.set_query(None);
                callback.set_fragment(None);
                facts.redirect_uri = Some(callback.to_string());
            }
        }
        facts
    }

    /// The facts as a [`Situation`], for `product`.
    pub fn situation<'a>(&'a self, product: Option<&'a str>) -> Situation<'a> {
        Situation {
            product,
            redirect_uri: self.redirect_uri.as_deref(),
            authority: self.authority.as_deref(),
            client_id: self.client_id.as_deref(),
            scopes: self.scopes.as_deref(),
            ..Situation::default()
        }
    }
}

/// The first string value of `key` in a JSON value, `depth` levels deep at most.
fn find_string(value: &serde_json::Value, key: &str, depth: usize) -> Option<String> {
    match value {
        serde_json::Value::Object(map) => map
            .get(key)
            .and_then(serde_json::Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .or_else(|| {
                (depth > 0)
                    .then(|| map.values().find_map(|v| find_string(v, key, depth - 1)))
                    .flatten()
            }),
        serde_json::Value::Array(items) if depth > 0 => {
            items.iter().find_map(|v| find_string(v, key, depth - 1))
        }
        _ => None,
    }
}

#[cfg(test)]
mod text_facts_tests {
    use super::*;

    #[test]
    fn an_authorize_url_names_authority_client_redirect_and_scopes() {
        let text = "GET https://login.microsoftonline.com/common/oauth2/v2.0/authorize?client_id=c0ffee00-0000-4000-8000-000000000001&redirect_uri=https%3A%2F%2Fauth.contoso.com%2Fsource%2Foauth%2Fcallback%2Fentra%2F&scope=openid+profile+email+groups&response_type=code then AADSTS65005";
        let f = TextFacts::from_text(text);
        assert_eq!(
            f.authority.as_deref(),
            Some("https://login.microsoftonline.com/common")
        );
        assert_eq!(
            f.client_id.as_deref(),
            Some("c0ffee00-0000-4000-8000-000000000001")
        );
        assert_eq!(
            f.redirect_uri.as_deref(),
            Some("https://auth.contoso.com/source/oauth/callback/entra/")
        );
        assert_eq!(f.scopes.as_deref(), Some("openid profile email groups"));
        let e = explain(65005, &f.situation(Some("authentik")));
        assert!(e.fix.contains("`openid profile email`"), "{}", e.fix);
        let common = explain(50194, &f.situation(None));
        assert!(common
            .fix
            .contains("https://login.microsoftonline.com/{tenant-id}"));
    }

    #[test]
    fn a_sign_in_log_record_gives_its_code_and_client_id() {
        let record = r#"{"value":[{"createdDateTime":"2026-12-01T10:00:00Z","userPrincipalName":"ada@contoso.com","appId":"c0ffee00-0000-4000-8000-00000000000f","appDisplayName":"Grafana","status":{"errorCode": 700016,"failureReason":"Application not found","additionalDetails":null},"conditionalAccessStatus":"notApplied"}]}"#;
        let codes: Vec<u32> = super::super::find_codes(record)
            .iter()
            .map(|f| f.code)
            .collect();
        assert_eq!(codes, [700016]);
        let f = TextFacts::from_text(record);
        assert_eq!(
            f.client_id.as_deref(),
            Some("c0ffee00-0000-4000-8000-00000000000f")
        );
        let e = explain(700016, &f.situation(None));
        assert!(e
            .cause
            .as_deref()
            .is_some_and(|c| c.contains("`c0ffee00-0000-4000-8000-00000000000f` was not found")));
        let ok = r#"{"status":{"errorCode":0}}"#;
        assert!(super::super::find_codes(ok).is_empty());
    }

    #[test]
    fn a_callback_carrying_an_error_is_the_redirect_uri_used() {
        let f = TextFacts::from_text("https://om.contoso.com/callback?error=invalid_request&error_description=AADSTS9002325%3a+Proof+Key");
        assert_eq!(
            f.redirect_uri.as_deref(),
            Some("https://om.contoso.com/callback")
        );
        assert_eq!(TextFacts::from_text("no url here"), TextFacts::default());
        assert_eq!(
            TextFacts::from_text("https://[broken"),
            TextFacts::default()
        );
    }
}
