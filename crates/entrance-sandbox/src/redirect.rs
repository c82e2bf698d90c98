//! Redirect URIs by Entra's rules (reply-url.md, "RU"; docs/entra.md#redirect-uris).
//!
//! - The platform of the **matched** URI decides how the code may be redeemed
//!   (Web, SPA, Mobile & desktop), not `isFallbackPublicClient` (docs/entra.md#redirect-uris).
//! - Paths are case-sensitive; scheme and host are not (RU).
//! - For loopback hosts the port is ignored (RU "Localhost exceptions";
//!   docs/entra.md#redirect-uris), so a desktop tool may listen on any free port.
//! - A URI without a path segment is the same as with `/` (RU: "returned with
//!   a trailing slash").
//! - `http` is allowed only for localhost (RU); `[::1]` is not supported (docs/entra.md#redirect-uris).

use url::Url;

use crate::errors::StsError;
use crate::scenario::Application;

/// The platform a redirect URI is registered under (Authentication blade).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    /// Web: a confidential client that redeems codes with a secret.
    Web,
    /// Single-page application: PKCE, cross-origin redemption, no secret.
    Spa,
    /// Mobile and desktop applications: a public client.
    PublicClient,
}

impl Platform {
    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Web => "web",
            Platform::Spa => "spa",
            Platform::PublicClient => "publicClient",
        }
    }
}

fn is_loopback_host(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost") || host == "127.0.0.1"
}

/// Whether Entra would let an admin save this redirect URI (RU).
pub fn check_registrable(uri: &str) -> Result<(), String> {
    if uri.len() > 256 {
        return Err("redirect URIs are limited to 256 characters (reply-url.md)".into());
    }
    if let Some(c) = uri.chars().find(|c| "!$'(),;".contains(*c)) {
        return Err(format!(
            "`{c}` is not allowed in a redirect URI (reply-url.md)"
        ));
    }
    if uri.contains('*') {
        return Err("wildcards are not allowed in redirect URIs (reply-url.md)".into());
    }
    let url = Url::parse(uri).map_err(|_| format!("`{uri}` is not an absolute URI"))?;
    if url.scheme() == "urn" {
        return Err("redirect URIs with urn: schemes are prohibited (AADSTS500119)".into());
    }
    let host = url.host_str().unwrap_or("");
    if host == "[::1]" {
        return Err(
            "IPv6 loopback [::1] is not supported; use 127.0.0.1 or localhost (docs/entra.md#redirect-uris)"
                .into(),
        );
    }
    if url.scheme() == "http" && !is_loopback_host(host) {
        return Err(format!(
            "`{uri}`: http is allowed only for localhost; use https (reply-url.md)"
        ));
    }
    Ok(())
}

/// The registered URI a request matched, and its platform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matched {
    pub platform: Platform,
    pub registered: String,
}

/// Finds the registered redirect URI for a request's `redirect_uri`, or the
/// Entra error: 500113 none registered, 900971 none sent, 90102 not absolute,
/// 50011 no match (docs/entra.md#errors).
pub fn find(app: &Application, requested: Option<&str>) -> Result<Matched, StsError> {
    let registered: Vec<(Platform, &String)> = app
        .web
        .redirect_uris
        .iter()
        .map(|u| (Platform::Web, u))
        .chain(app.spa.redirect_uris.iter().map(|u| (Platform::Spa, u)))
        .chain(
            app.public_client
                .redirect_uris
                .iter()
                .map(|u| (Platform::PublicClient, u)),
        )
        .collect();
    if registered.is_empty() {
        return Err(StsError::no_reply_address_registered());
    }
    let requested = match requested {
        Some(r) if !r.is_empty() => r,
        _ => return Err(StsError::no_reply_address_provided()),
    };
    let Ok(req) = Url::parse(requested) else {
        return Err(StsError::not_absolute_uri("redirect_uri"));
    };
    for (platform, uri) in registered {
        if let Ok(reg) = Url::parse(uri) {
            if same(&reg, &req) {
                return Ok(Matched {
                    platform,
                    registered: uri.clone(),
                });
            }
        }
    }
    Err(StsError::redirect_mismatch(requested, &app.app_id))
}

fn same(reg: &Url, req: &Url) -> bool {
    let (Some(rh), Some(qh)) = (reg.host_str(), req.host_str()) else {
        // Custom schemes without a host (msal…://auth is hosted; `myapp:/cb` is not).
        return reg.as_str() == req.as_str();
    };
    if reg.scheme() != req.scheme() || !rh.eq_ignore_ascii_case(qh) {
        return false;
    }
    let port_ok =
        is_loopback_host(rh) || reg.port_or_known_default() == req.port_or_known_default();
    port_ok && reg.path() == req.path() && reg.query() == req.query()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{RedirectList, Scenario, WebPlatform};

    fn app(web: &[&str], spa: &[&str], public: &[&str]) -> Application {
        let mut a = Scenario::builtin().applications[0].clone();
        a.web = WebPlatform {
            redirect_uris: web.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        };
        a.spa = RedirectList {
            redirect_uris: spa.iter().map(|s| s.to_string()).collect(),
        };
        a.public_client = RedirectList {
            redirect_uris: public.iter().map(|s| s.to_string()).collect(),
        };
        a
    }

    fn code(r: Result<Matched, StsError>) -> u32 {
        match r {
            Ok(_) => 0,
            Err(e) => e.code,
        }
    }

    #[test]
    fn exact_match_returns_the_platform_of_the_matched_uri() {
        let a = app(
            &["https://grafana.example/login/azuread"],
            &["https://om.example/callback"],
            &["http://localhost"],
        );
        assert_eq!(
            find(&a, Some("https://grafana.example/login/azuread")).map(|m| m.platform),
            Ok(Platform::Web)
        );
        assert_eq!(
            find(&a, Some("https://om.example/callback")).map(|m| m.platform),
            Ok(Platform::Spa)
        );
        assert_eq!(
            find(&a, Some("http://localhost:53123")).map(|m| m.platform),
            Ok(Platform::PublicClient)
        );
    }

    #[test]
    fn path_is_case_sensitive_and_trailing_slash_matters() {
        let a = app(&["https://grafana.example/login/azuread"], &[], &[]);
        assert_eq!(
            code(find(&a, Some("https://grafana.example/login/AzureAD"))),
            50011
        );
        assert_eq!(
            code(find(&a, Some("https://grafana.example/login/azuread/"))),
            50011
        );
        assert_eq!(
            code(find(&a, Some("HTTPS://GRAFANA.example/login/azuread"))),
            0,
            "scheme and host are not case-sensitive"
        );
    }

    #[test]
    fn a_bare_host_is_the_same_as_its_slash() {
        let a = app(&["https://grafana.example"], &[], &[]);
        assert_eq!(code(find(&a, Some("https://grafana.example/"))), 0);
        assert_eq!(code(find(&a, Some("https://grafana.example/x"))), 50011);
    }

    #[test]
    fn loopback_ports_are_ignored_but_other_ports_and_schemes_are_not() {
        let a = app(
            &[
                "http://localhost:3000/api/auth/callback/microsoft-entra-id",
                "https://keep.example/cb",
            ],
            &[],
            &[],
        );
        assert_eq!(
            code(find(
                &a,
                Some("http://localhost:49152/api/auth/callback/microsoft-entra-id")
            )),
            0
        );
        assert_eq!(
            code(find(
                &a,
                Some("http://127.0.0.1:3000/api/auth/callback/microsoft-entra-id")
            )),
            50011,
            "localhost and 127.0.0.1 are different hosts"
        );
        assert_eq!(code(find(&a, Some("https://keep.example:8443/cb"))), 50011);
        assert_eq!(code(find(&a, Some("http://keep.example/cb"))), 50011);
    }

    #[test]
    fn missing_none_registered_and_relative_have_their_own_codes() {
        assert_eq!(
            code(find(&app(&[], &[], &[]), Some("https://x.example/"))),
            500113
        );
        let a = app(&["https://x.example/cb"], &[], &[]);
        assert_eq!(code(find(&a, None)), 900971);
        assert_eq!(code(find(&a, Some("/cb"))), 90102);
    }

    #[test]
    fn registration_rules() {
        assert!(check_registrable("https://grafana.example/login/azuread").is_ok());
        assert!(check_registrable("http://localhost").is_ok());
        assert!(check_registrable("http://127.0.0.1:8080/cb").is_ok());
        assert!(check_registrable("http://grafana.example/login").is_err());
        assert!(check_registrable("https://*.example/cb").is_err());
        assert!(check_registrable("https://x.example/a;b").is_err());
        assert!(check_registrable("http://[::1]/cb").is_err());
    }
}
