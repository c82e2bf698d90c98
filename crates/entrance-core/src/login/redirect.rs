//! The loopback redirect URI: where Entrance listens, and which URI the admin
//! registers, on which platform, and why (docs/entra.md#redirect-uris).
//!
//! The rules encoded here (docs/entra.md#redirect-uris, from reply-url.md and
//! scenario-desktop-app-registration.md):
//! - a desktop tool registers `http://localhost` (no port) under **Mobile and
//!   desktop applications**; Entra ignores the port for localhost, so the OS
//!   may pick any free port on each run;
//! - to test a **Web** (confidential) registration as the product uses it,
//!   the loopback URI goes under **Web** and the secret is sent;
//! - never two localhost URIs that differ only by port — Entra picks one of
//!   them, with its platform; use distinct paths instead;
//! - `http` only for localhost; `[::1]` is not supported.
//!
//! Another OpenID provider gets what RFC 8252 asks of a native app instead:
//! `http://127.0.0.1:{port}/…` on any port (§7.3, and §8.3: the loopback IP
//! literal, not `localhost`, which may resolve elsewhere), unless the admin
//! names a redirect URI. Entra keeps `localhost`, as its documentation for
//! desktop apps advises.

use serde::{Deserialize, Serialize};
use url::Url;

use super::{Authority, ClientKind, LoginError};

/// The host the redirect URI names. The listener binds loopback only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum LoopbackHost {
    /// `localhost`: Entrance listens on 127.0.0.1 and [::1].
    #[default]
    Localhost,
    /// `127.0.0.1` (recommended by reply-url.md, but may have to be added
    /// through the manifest — docs/entra.md#redirect-uris): 127.0.0.1 only.
    Ipv4,
}

impl LoopbackHost {
    /// The host as written in the URI.
    pub fn as_str(self) -> &'static str {
        match self {
            LoopbackHost::Localhost => "localhost",
            LoopbackHost::Ipv4 => "127.0.0.1",
        }
    }
}

/// Where the browser is sent back to: `http://{host}:{port}{path}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct RedirectSpec {
    pub host: LoopbackHost,
    /// A fixed port, or `None` for one the OS picks (Entra ignores the port
    /// for localhost — docs/entra.md#redirect-uris).
    pub port: Option<u16>,
    /// The path, starting with `/` (`/` for a bare `http://localhost`).
    pub path: String,
}

/// The path Entrance suggests for a Web (confidential) test registration: a
/// path of its own, never a port-only variant of the product's URI (docs/entra.md#redirect-uris).
pub const CONFIDENTIAL_PATH: &str = "/entrance/callback";

impl RedirectSpec {
    /// The default for a client kind on Entra: `http://localhost` for a public
    /// client (Mobile and desktop), `http://localhost/entrance/callback` for a
    /// confidential one (Web) — docs/entra.md#redirect-uris.
    pub fn default_for(kind: ClientKind) -> RedirectSpec {
        RedirectSpec::default_for_provider(kind, true)
    }

    /// The default for a client kind and provider: on Entra as
    /// [`RedirectSpec::default_for`]; on another provider the same path on
    /// `127.0.0.1` (RFC 8252 §7.3 and §8.3), on a port the system picks.
    pub fn default_for_provider(kind: ClientKind, entra: bool) -> RedirectSpec {
        RedirectSpec {
            host: if entra {
                LoopbackHost::Localhost
            } else {
                LoopbackHost::Ipv4
            },
            port: None,
            path: match kind {
                ClientKind::Public => "/".into(),
                ClientKind::Confidential => CONFIDENTIAL_PATH.into(),
            },
        }
    }

    /// Reads a loopback redirect URI such as `http://localhost/api/auth/callback/x`
    /// or `http://127.0.0.1:8400/cb`.
    pub fn parse(uri: &str) -> Result<RedirectSpec, LoginError> {
        let invalid = |reason: String| {
            LoginError::InvalidRequest {
            field: "redirect URI",
            reason,
            fix: "Use a loopback URI such as http://localhost or http://localhost/entrance/callback: Entrance receives the code itself, on this machine.".into(),
        }
        };
        let url = Url::parse(uri.trim())
            .map_err(|e| invalid(format!("`{uri}` is not an absolute URI ({e})")))?;
        if url.scheme() != "http" {
            return Err(invalid(format!(
                "`{uri}`: Entrance listens with plain http on loopback (Entra allows http only for localhost — docs/entra.md#redirect-uris)"
            )));
        }
        let host = match url.host() {
            Some(url::Host::Domain(d)) if d.eq_ignore_ascii_case("localhost") => {
                LoopbackHost::Localhost
            }
            Some(url::Host::Ipv4(ip)) if ip == std::net::Ipv4Addr::LOCALHOST => LoopbackHost::Ipv4,
            Some(url::Host::Ipv6(_)) => {
                return Err(invalid(format!(
                    "`{uri}`: Entra does not support [::1] in redirect URIs; use localhost or 127.0.0.1 (docs/entra.md#redirect-uris)"
                )))
            }
            _ => {
                return Err(invalid(format!(
                    "`{uri}` is not a loopback URI (localhost or 127.0.0.1)"
                )))
            }
        };
        if url.query().is_some() || url.fragment().is_some() {
            return Err(invalid(format!("`{uri}` has a query or fragment")));
        }
        if let Some(c) = uri.chars().find(|c| "!$'(),;*".contains(*c)) {
            // reply-url.md: these characters cannot be registered (docs/entra.md#redirect-uris).
            return Err(invalid(format!(
                "`{c}` cannot be part of a redirect URI (docs/entra.md#redirect-uris)"
            )));
        }
        Ok(RedirectSpec {
            host,
            port: url.port(),
            path: url.path().to_string(),
        })
    }

    /// The URI sent in the request, on the port actually bound.
    pub fn uri(&self, port: u16) -> String {
        format!("http://{}:{port}{}", self.host.as_str(), self.path)
    }

    /// The URI to register: without the port, since Entra ignores it for
    /// loopback (docs/entra.md#redirect-uris); a bare host for the path `/`.
    pub fn registered_uri(&self) -> String {
        let port = self.port.map(|p| format!(":{p}")).unwrap_or_default();
        if self.path == "/" {
            format!("http://{}{port}", self.host.as_str())
        } else {
            format!("http://{}{port}{}", self.host.as_str(), self.path)
        }
    }
}

/// An app registration platform (Authentication blade; docs/entra.md#redirect-uris).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum Platform {
    /// Web: confidential, redeems with the secret.
    Web,
    /// Single-page application: redeemed cross-origin by a browser.
    Spa,
    /// Mobile and desktop applications: public.
    MobileAndDesktop,
}

impl Platform {
    /// The portal's name for the platform.
    pub fn label(self) -> &'static str {
        match self {
            Platform::Web => "Web",
            Platform::Spa => "Single-page application",
            Platform::MobileAndDesktop => "Mobile and desktop applications",
        }
    }
}

/// Which redirect URI to register, where, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct RedirectAdvice {
    /// The URI to register (copy button).
    pub uri: String,
    /// The platform to register it under (Entra), or `None` for another provider.
    pub platform: Option<Platform>,
    /// Where to click, in the portal's words.
    pub portal: String,
    /// Why this URI and this platform.
    pub why: String,
}

/// The redirect URI to register for a sign-in test, per docs/entra.md#redirect-uris.
///
/// Before discovery, Entra is recognized by its host (or, for Entrance's
/// sandbox, a loopback host with an Entra-shaped path); the sign-in itself
/// uses what the discovery document says ([`super::Provider::is_entra`]).
pub fn redirect_advice(
    authority: &Authority,
    kind: ClientKind,
    redirect: &RedirectSpec,
) -> RedirectAdvice {
    advice(looks_like_entra(authority), kind, redirect)
}

/// Whether an authority is Entra's, before its discovery document is read:
/// an Entra host, or (Entrance's sandbox) a loopback host with an
/// Entra-shaped path. After discovery, [`super::Provider::is_entra`] decides.
pub fn looks_like_entra(authority: &Authority) -> bool {
    authority.is_entra_host() || (authority.is_loopback() && authority.tenant().is_some())
}

/// The redirect URI spec for a sign-in: the one the admin named, else the
/// default for the client kind and provider; `port`, when given, fixes the
/// port of either.
pub fn redirect_spec(
    named: Option<&RedirectSpec>,
    kind: ClientKind,
    entra: bool,
    port: Option<u16>,
) -> RedirectSpec {
    let mut spec = named
        .cloned()
        .unwrap_or_else(|| RedirectSpec::default_for_provider(kind, entra));
    if port.is_some() {
        spec.port = port;
    }
    spec
}

/// The advice, once it is known whether the provider is Entra.
pub(crate) fn advice(entra: bool, kind: ClientKind, redirect: &RedirectSpec) -> RedirectAdvice {
    let uri = redirect.registered_uri();
    if !entra {
        return RedirectAdvice {
            portal: format!("Add `{uri}` to the client's allowed redirect URIs at the OpenID provider."),
            why: match redirect.port {
                Some(_) => "Entrance receives the code on this loopback address. Providers match the URI exactly, port included.".into(),
                None => "Entrance receives the code on a loopback port the system picks. Native clients may use any loopback port (RFC 8252 §7.3); if the provider matches ports exactly, fix one (CLI: --port) and register it.".into(),
            },
            uri,
            platform: None,
        };
    }
    let (platform, portal, why) = match kind {
        ClientKind::Public => (
            Platform::MobileAndDesktop,
            format!("App registration → Authentication → Add a platform → Mobile and desktop applications → Custom redirect URIs: `{uri}`"),
            "Entrance signs in as a desktop app (public client, PKCE, no secret): its loopback URI belongs under Mobile and desktop applications. Entra ignores the port for localhost, so register it without one; the system picks a free port on each run (docs/entra.md#redirect-uris).".to_string(),
        ),
        ClientKind::Confidential => (
            Platform::Web,
            format!("App registration → Authentication → Web → Redirect URIs → Add URI: `{uri}`"),
            format!(
                "To test the Web (confidential) registration the way the product uses it, the loopback URI must be under Web and the code redeemed with the client secret (docs/entra.md#redirect-uris). `{}` is a path of its own: never register two localhost URIs that differ only by port — Entra picks one of them, with its platform.",
                redirect.path
            ),
        ),
    };
    RedirectAdvice {
        uri,
        platform: Some(platform),
        portal,
        why,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_clients_register_bare_localhost_under_mobile_and_desktop() {
        let a = Authority::parse("https://login.microsoftonline.com/contoso/v2.0").unwrap();
        let spec = RedirectSpec::default_for(ClientKind::Public);
        let advice = redirect_advice(&a, ClientKind::Public, &spec);
        assert_eq!(advice.uri, "http://localhost");
        assert_eq!(advice.platform, Some(Platform::MobileAndDesktop));
        assert!(advice.portal.contains("Mobile and desktop applications"));
        assert_eq!(spec.uri(51234), "http://localhost:51234/");
    }

    #[test]
    fn confidential_clients_register_a_distinct_path_under_web() {
        let a = Authority::parse("https://login.microsoftonline.us/contoso/v2.0").unwrap();
        let spec = RedirectSpec::default_for(ClientKind::Confidential);
        let advice = redirect_advice(&a, ClientKind::Confidential, &spec);
        assert_eq!(advice.uri, "http://localhost/entrance/callback");
        assert_eq!(advice.platform, Some(Platform::Web));
        assert!(advice.why.contains("differ only by port"));
    }

    #[test]
    fn loopback_uris_parse_and_others_are_refused() {
        let s = RedirectSpec::parse("http://localhost:3000/api/auth/callback/microsoft-entra-id")
            .unwrap();
        assert_eq!(s.host, LoopbackHost::Localhost);
        assert_eq!(s.port, Some(3000));
        assert_eq!(s.path, "/api/auth/callback/microsoft-entra-id");
        assert_eq!(
            RedirectSpec::parse("http://127.0.0.1/cb").unwrap().host,
            LoopbackHost::Ipv4
        );
        assert_eq!(RedirectSpec::parse("http://localhost").unwrap().path, "/");
        for bad in [
            "https://localhost/cb",
            "http://[::1]/cb",
            "http://example.com/cb",
            "http://localhost/cb?x=1",
            "http://localhost/a(b)",
        ] {
            assert!(RedirectSpec::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn other_providers_default_to_the_loopback_ip_on_any_port() {
        // RFC 8252 §7.3 / §8.3: http://127.0.0.1:{port}/…, any port.
        for kind in [ClientKind::Public, ClientKind::Confidential] {
            let spec = redirect_spec(None, kind, false, None);
            assert_eq!(spec.host, LoopbackHost::Ipv4);
            assert_eq!(spec.port, None);
            assert!(spec.uri(49152).starts_with("http://127.0.0.1:49152/"));
        }
        assert_eq!(
            redirect_spec(None, ClientKind::Public, false, None).uri(50001),
            "http://127.0.0.1:50001/"
        );
        // A fixed port is kept.
        assert_eq!(
            redirect_spec(None, ClientKind::Public, false, Some(8400)).uri(8400),
            "http://127.0.0.1:8400/"
        );
    }

    #[test]
    fn entra_keeps_localhost_and_a_named_uri_wins() {
        let spec = redirect_spec(None, ClientKind::Public, true, None);
        assert_eq!(spec, RedirectSpec::default_for(ClientKind::Public));
        assert_eq!(spec.host, LoopbackHost::Localhost);
        let named = RedirectSpec::parse("http://localhost:3000/cb").unwrap();
        for entra in [true, false] {
            let spec = redirect_spec(Some(&named), ClientKind::Public, entra, None);
            assert_eq!(spec.uri(3000), "http://localhost:3000/cb");
            let spec = redirect_spec(Some(&named), ClientKind::Public, entra, Some(3001));
            assert_eq!(spec.port, Some(3001));
        }
    }

    #[test]
    fn entra_is_recognised_by_host_or_sandbox_path_before_discovery() {
        for entra in [
            "https://login.microsoftonline.com/contoso/v2.0",
            "https://login.microsoftonline.us/contoso/v2.0",
            "http://127.0.0.1:35117/contoso.sandbox/v2.0",
        ] {
            assert!(
                looks_like_entra(&Authority::parse(entra).unwrap()),
                "{entra}"
            );
        }
        for other in [
            "https://idp.example.com/realms/x",
            "https://accounts.example.org",
        ] {
            assert!(
                !looks_like_entra(&Authority::parse(other).unwrap()),
                "{other}"
            );
        }
    }

    #[test]
    fn other_providers_get_plain_advice() {
        let a = Authority::parse("https://idp.example.com/realms/x").unwrap();
        let advice = redirect_advice(
            &a,
            ClientKind::Public,
            &RedirectSpec::default_for(ClientKind::Public),
        );
        assert_eq!(advice.platform, None);
        assert!(advice.why.contains("RFC 8252"));
        let spec = redirect_spec(None, ClientKind::Public, false, None);
        assert_eq!(
            redirect_advice(&a, ClientKind::Public, &spec).uri,
            "http://127.0.0.1"
        );
    }
}
