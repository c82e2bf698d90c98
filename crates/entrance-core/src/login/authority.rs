//! Where a sign-in goes: an Entra authority (national cloud, tenant, v1 or v2)
//! or any OpenID Connect issuer.
//!
//! An authority is parsed from what the admin pastes (`https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0`,
//! with or without the `/.well-known/openid-configuration` or
//! `/oauth2/v2.0/authorize` suffix products' docs show) or built from a cloud,
//! a tenant and a version. Plain `http` is accepted only for loopback hosts
//! (Entrance's sandbox tenant). Whether the provider *is* Entra is decided by
//! the host here and, for other hosts, by the discovery document
//! ([`super::Provider`]).

use serde::{Deserialize, Serialize};
use url::Url;

use super::LoginError;

/// A Microsoft cloud: each has its own sign-in host (docs/entra.md#national-clouds).
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type,
)]
#[serde(rename_all = "snake_case")]
// `inspect::facts::Cloud` (an issuer's cloud, with `local` and `unknown`)
// is exported to TypeScript as `Cloud` already.
#[serde(rename = "SignInCloud")]
pub enum Cloud {
    /// Global Azure (and GCC Moderate): `login.microsoftonline.com`.
    #[default]
    Global,
    /// US Government (GCC High, DoD): `login.microsoftonline.us`.
    UsGov,
    /// Microsoft Azure operated by 21Vianet: `login.partner.microsoftonline.cn`.
    China,
}

impl Cloud {
    /// Every cloud, for pickers and tests.
    pub const ALL: &'static [Cloud] = &[Cloud::Global, Cloud::UsGov, Cloud::China];

    /// The sign-in host (docs/entra.md#national-clouds).
    pub fn host(self) -> &'static str {
        match self {
            Cloud::Global => "login.microsoftonline.com",
            Cloud::UsGov => "login.microsoftonline.us",
            Cloud::China => "login.partner.microsoftonline.cn",
        }
    }

    /// The sign-in (authority) host; the same as [`Cloud::host`].
    pub fn authority_host(self) -> &'static str {
        self.host()
    }

    /// The Microsoft Graph host (docs/entra.md#national-clouds; GCC High — DoD uses dod-graph.microsoft.us).
    pub fn graph_host(self) -> &'static str {
        match self {
            Cloud::Global => "graph.microsoft.com",
            Cloud::UsGov => "graph.microsoft.us",
            Cloud::China => "microsoftgraph.chinacloudapi.cn",
        }
    }

    /// The Azure portal host (docs/entra.md#national-clouds).
    pub fn portal_host(self) -> &'static str {
        match self {
            Cloud::Global => "portal.azure.com",
            Cloud::UsGov => "portal.azure.us",
            Cloud::China => "portal.azure.cn",
        }
    }

    /// The Azure CLI's name for the cloud (`az cloud set --name …`).
    pub fn az_cloud_name(self) -> &'static str {
        match self {
            Cloud::Global => "AzureCloud",
            Cloud::UsGov => "AzureUSGovernment",
            Cloud::China => "AzureChinaCloud",
        }
    }

    /// The cloud of a sign-in host, aliases included (docs/entra.md#national-clouds).
    pub fn from_host(host: &str) -> Option<Cloud> {
        match host.to_ascii_lowercase().as_str() {
            "login.microsoftonline.com" => Some(Cloud::Global),
            "login.microsoftonline.us" => Some(Cloud::UsGov),
            "login.partner.microsoftonline.cn" | "login.chinacloudapi.cn" => Some(Cloud::China),
            _ => None,
        }
    }

    /// The cloud a discovery document's `cloud_instance_name` names (docs/entra.md#national-clouds).
    pub fn from_instance_name(name: &str) -> Option<Cloud> {
        match name.to_ascii_lowercase().as_str() {
            "microsoftonline.com" => Some(Cloud::Global),
            "microsoftonline.us" => Some(Cloud::UsGov),
            "partner.microsoftonline.cn" | "chinacloudapi.cn" => Some(Cloud::China),
            _ => None,
        }
    }

    /// Reads `global`, `usgov` (`us-gov`, `gcchigh`, `dod`) or `china`.
    pub fn parse(name: &str) -> Option<Cloud> {
        match name
            .to_ascii_lowercase()
            .replace(['-', '_', ' '], "")
            .as_str()
        {
            "global" | "public" | "azurecloud" => Some(Cloud::Global),
            "usgov" | "usgovernment" | "gcchigh" | "dod" | "azureusgovernment" => {
                Some(Cloud::UsGov)
            }
            "china" | "21vianet" | "azurechinacloud" => Some(Cloud::China),
            _ => None,
        }
    }

    /// The cloud as the portal names it.
    pub fn label(self) -> &'static str {
        match self {
            Cloud::Global => "Global",
            Cloud::UsGov => "US Government",
            Cloud::China => "China (21Vianet)",
        }
    }
}

/// The Entra endpoint version: decides the ID token's version and issuer
/// (docs/entra.md#token-versions-and-issuers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum EntraVersion {
    /// `/{tenant}`: v1 endpoints, issuer `https://sts.windows.net/{tid}/`.
    V1,
    /// `/{tenant}/v2.0`: v2 endpoints, issuer `https://{host}/{tid}/v2.0`.
    V2,
}

/// A sign-in authority.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authority {
    /// Normalized: no trailing slash, no well-known or endpoint suffix.
    url: Url,
    /// The cloud, when the host is one of Microsoft's sign-in hosts.
    cloud: Option<Cloud>,
    /// Tenant and version read from an Entra-shaped path (`/{tenant}[/v2.0]`);
    /// meaningful once the host or the discovery document says Entra.
    entra_path: Option<(String, EntraVersion)>,
}

impl Authority {
    /// Parses an authority URL as an admin pastes it.
    pub fn parse(text: &str) -> Result<Authority, LoginError> {
        let text = text.trim();
        let invalid = |reason: String| {
            LoginError::InvalidRequest {
            field: "authority",
            reason,
            fix: "Use https://login.microsoftonline.com/{tenant ID or domain}/v2.0 for Entra ID (login.microsoftonline.us or login.partner.microsoftonline.cn in the national clouds), or the issuer URL of another OpenID provider.".into(),
        }
        };
        let mut url =
            Url::parse(text).map_err(|e| invalid(format!("`{text}` is not a URL ({e})")))?;
        match url.scheme() {
            "https" => {}
            "http" if crate::verify::is_loopback(&url) => {}
            "http" => {
                return Err(invalid(format!(
                    "`{text}` uses http; sign-in needs https (plain http is allowed only for a loopback host such as Entrance's sandbox)"
                )))
            }
            other => return Err(invalid(format!("`{other}:` is not an authority scheme"))),
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(invalid(format!("`{text}` has no host")));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(invalid(format!(
                "`{text}` has a query or fragment; an authority has neither"
            )));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(invalid(
                "an authority carries no user name or password".into(),
            ));
        }
        let mut path = url.path().trim_end_matches('/').to_string();
        for suffix in ["/.well-known/openid-configuration"] {
            if let Some(p) = path.strip_suffix(suffix) {
                path = p.trim_end_matches('/').to_string();
            }
        }
        // Products' docs show endpoint URLs where an authority is meant
        // (docs/products/openmetadata.md#what-it-needs-from-entra): keep the authority part.
        for (suffix, replacement) in [
            ("/oauth2/v2.0/authorize", "/v2.0"),
            ("/oauth2/v2.0/token", "/v2.0"),
            ("/oauth2/authorize", ""),
            ("/oauth2/token", ""),
        ] {
            if let Some(p) = path.strip_suffix(suffix) {
                path = format!("{p}{replacement}");
            }
        }
        url.set_path(&path);
        let cloud = url.host_str().and_then(Cloud::from_host);
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let entra_path = match segments.as_slice() {
            [tenant] if *tenant != "v2.0" => Some((tenant.to_string(), EntraVersion::V1)),
            [tenant, "v2.0"] => Some((tenant.to_string(), EntraVersion::V2)),
            _ => None,
        };
        if cloud.is_some() {
            match &entra_path {
                None => {
                    return Err(invalid(format!(
                        "`{text}` does not name a tenant: an Entra authority is https://{}/{{tenant}}/v2.0",
                        url.host_str().unwrap_or_default()
                    )))
                }
                Some((tenant, _)) => check_tenant(tenant).map_err(invalid)?,
            }
        }
        Ok(Authority {
            url,
            cloud,
            entra_path,
        })
    }

    /// An Entra authority from its parts: `https://{cloud host}/{tenant}[/v2.0]`.
    pub fn entra(
        cloud: Cloud,
        tenant: &str,
        version: EntraVersion,
    ) -> Result<Authority, LoginError> {
        let suffix = match version {
            EntraVersion::V1 => "",
            EntraVersion::V2 => "/v2.0",
        };
        Authority::parse(&format!(
            "https://{}/{}{suffix}",
            cloud.host(),
            tenant.trim()
        ))
    }

    /// The authority as a string, e.g. `https://login.microsoftonline.com/contoso/v2.0`.
    pub fn as_str(&self) -> &str {
        self.url.as_str().trim_end_matches('/')
    }

    /// The authority URL.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// Where the discovery document is: `{authority}/.well-known/openid-configuration`
    /// (OpenID Connect Discovery §4; docs/entra.md#token-versions-and-issuers for v1 and v2).
    pub fn discovery_url(&self) -> String {
        format!("{}/.well-known/openid-configuration", self.as_str())
    }

    /// The host is one of Microsoft's sign-in hosts (docs/entra.md#national-clouds).
    pub fn is_entra_host(&self) -> bool {
        self.cloud.is_some()
    }

    /// The Microsoft cloud of the host.
    pub fn cloud(&self) -> Option<Cloud> {
        self.cloud
    }

    /// The tenant segment (`contoso.onmicrosoft.com`, a tenant ID, `common`,
    /// `organizations`), when the path is Entra-shaped.
    pub fn tenant(&self) -> Option<&str> {
        self.entra_path.as_ref().map(|(t, _)| t.as_str())
    }

    /// v1 or v2, when the path is Entra-shaped.
    pub fn version(&self) -> Option<EntraVersion> {
        self.entra_path.as_ref().map(|(_, v)| *v)
    }

    /// `common`, `organizations` or `consumers`: the issuer is a template
    /// and the token's `tid` decides (docs/entra.md#token-versions-and-issuers).
    pub fn is_multi_tenant(&self) -> bool {
        self.tenant().is_some_and(|t| {
            ["common", "organizations", "consumers"]
                .iter()
                .any(|m| t.eq_ignore_ascii_case(m))
        })
    }

    /// Whether the host is loopback (Entrance's sandbox, a local provider).
    pub fn is_loopback(&self) -> bool {
        crate::verify::is_loopback(&self.url)
    }
}

impl std::fmt::Display for Authority {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Authority {
    type Err = LoginError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Authority::parse(s)
    }
}

/// A tenant segment: a GUID, a domain name, or `common` / `organizations` /
/// `consumers` (docs/entra.md#token-versions-and-issuers).
fn check_tenant(tenant: &str) -> Result<(), String> {
    let ok = !tenant.is_empty()
        && tenant.len() <= 253
        && tenant
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "`{tenant}` is not a tenant: use the Directory (tenant) ID, a verified domain such as contoso.onmicrosoft.com, `organizations` or `common`"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entra_v2_and_v1_authorities_name_tenant_version_and_cloud() {
        let a = Authority::parse("https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0/")
            .unwrap();
        assert_eq!(
            a.as_str(),
            "https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0"
        );
        assert_eq!(a.tenant(), Some("contoso.onmicrosoft.com"));
        assert_eq!(a.version(), Some(EntraVersion::V2));
        assert_eq!(a.cloud(), Some(Cloud::Global));
        assert_eq!(
            a.discovery_url(),
            "https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration"
        );
        let v1 = Authority::parse(
            "https://login.microsoftonline.us/aaaaaaaa-0000-4000-8000-000000000003",
        )
        .unwrap();
        assert_eq!(v1.version(), Some(EntraVersion::V1));
        assert_eq!(v1.cloud(), Some(Cloud::UsGov));
    }

    #[test]
    fn national_clouds_by_name_use_their_own_hosts() {
        // docs/entra.md#national-clouds
        for (cloud, host) in [
            (Cloud::Global, "login.microsoftonline.com"),
            (Cloud::UsGov, "login.microsoftonline.us"),
            (Cloud::China, "login.partner.microsoftonline.cn"),
        ] {
            let a = Authority::entra(cloud, "organizations", EntraVersion::V2).unwrap();
            assert_eq!(a.as_str(), format!("https://{host}/organizations/v2.0"));
            assert!(a.is_multi_tenant());
            assert!(a.is_entra_host());
        }
        assert_eq!(
            Cloud::from_host("login.chinacloudapi.cn"),
            Some(Cloud::China)
        );
        assert_eq!(Cloud::parse("US-Gov"), Some(Cloud::UsGov));
    }

    #[test]
    fn endpoint_and_discovery_suffixes_are_trimmed() {
        for pasted in [
            "https://login.microsoftonline.com/contoso/v2.0/.well-known/openid-configuration",
            "https://login.microsoftonline.com/contoso/oauth2/v2.0/authorize",
            "https://login.microsoftonline.com/contoso/oauth2/v2.0/token",
        ] {
            assert_eq!(
                Authority::parse(pasted).unwrap().as_str(),
                "https://login.microsoftonline.com/contoso/v2.0",
                "{pasted}"
            );
        }
        assert_eq!(
            Authority::parse("https://login.microsoftonline.com/contoso/oauth2/authorize")
                .unwrap()
                .as_str(),
            "https://login.microsoftonline.com/contoso"
        );
    }

    #[test]
    fn http_only_for_loopback_hosts() {
        assert!(Authority::parse("http://127.0.0.1:8400/contoso/v2.0").is_ok());
        assert!(Authority::parse("http://localhost:8400/realms/x").is_ok());
        let err = Authority::parse("http://login.microsoftonline.com/contoso/v2.0").unwrap_err();
        assert!(err.to_string().contains("https"), "{err}");
        assert!(Authority::parse("ftp://example.com/").is_err());
    }

    #[test]
    fn an_entra_host_needs_a_tenant() {
        let err = Authority::parse("https://login.microsoftonline.com/").unwrap_err();
        assert!(err.to_string().contains("tenant"), "{err}");
        assert!(Authority::parse("https://login.microsoftonline.com/a b/v2.0").is_err());
        assert!(Authority::parse("https://login.microsoftonline.com/contoso/v2.0?x=1").is_err());
    }

    #[test]
    fn generic_issuers_keep_their_path() {
        let a = Authority::parse("https://idp.example.com/realms/main").unwrap();
        assert!(!a.is_entra_host());
        assert_eq!(a.as_str(), "https://idp.example.com/realms/main");
        assert_eq!(
            a.discovery_url(),
            "https://idp.example.com/realms/main/.well-known/openid-configuration"
        );
        let root = Authority::parse("https://accounts.example.com").unwrap();
        assert_eq!(root.as_str(), "https://accounts.example.com");
        assert_eq!(root.tenant(), None);
    }
}
