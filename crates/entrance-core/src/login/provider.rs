//! The identity provider, discovered: its OpenID configuration, whether it is
//! Entra, and its signing keys.
//!
//! Entra's `/common` and `/organizations` documents carry a templated issuer
//! (`https://login.microsoftonline.com/{tenantid}/v2.0`, docs/entra.md#token-versions-and-issuers) that
//! openidconnect's own discovery rejects, so the document is fetched here and
//! read with `serde_json::from_slice::<CoreProviderMetadata>` (docs/toolchain.md#openid-connect-client),
//! and the issuer checked by Entrance's rules:
//! - another provider: the issuer must be the authority itself (OpenID
//!   Connect Discovery §4.3; a trailing `/` is tolerated);
//! - Entra: the issuer must be the authority's host with a tenant ID or the
//!   `{tenantid}` template (v2), or `https://sts.windows.net/{tid}/` (v1) —
//!   for a tenant-ID authority, that very tenant (docs/entra.md#token-versions-and-issuers).
//!
//! Signing keys are cached per `jwks_uri` for an hour and fetched again when
//! a token names a `kid` the cached set lacks (key rollover).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use openidconnect::core::{CoreJsonWebKeySet, CoreProviderMetadata};
use openidconnect::JsonWebKey;
use serde::Serialize;
use serde_json::Value;
use url::Url;

use super::http::{check_endpoint, Http};
use super::{Authority, Cloud, EntraVersion, HttpOptions, LoginError};
use crate::aadsts::EntraError;

/// How long a fetched key set is trusted without a refetch.
pub const JWKS_TTL: Duration = Duration::from_secs(3600);

/// A discovered provider.
#[derive(Debug, Clone)]
pub struct Provider {
    authority: Authority,
    pub(crate) metadata: CoreProviderMetadata,
    info: ProviderInfo,
    pub(crate) device_authorization_endpoint: Option<Url>,
    pub(crate) http: Http,
}

/// What the admin (and the inspector) sees of a provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct ProviderInfo {
    /// The authority signed in against.
    pub authority: String,
    /// Where the configuration was read.
    pub discovery_url: String,
    /// The issuer as the document states it (may be Entra's `{tenantid}` template).
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: Option<String>,
    pub jwks_uri: String,
    /// Entra facts, when the provider is Entra (or Entra-shaped, like the sandbox).
    pub entra: Option<EntraInfo>,
}

/// What makes a provider Entra, from its host and discovery document (docs/entra.md#token-versions-and-issuers, docs/entra.md#national-clouds).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct EntraInfo {
    /// The cloud, by host or by `cloud_instance_name`.
    pub cloud: Option<Cloud>,
    /// `cloud_instance_name` (`microsoftonline.com`…).
    pub cloud_instance_name: Option<String>,
    /// The tenant segment of the authority (`contoso.onmicrosoft.com`, `organizations`…).
    pub tenant: Option<String>,
    /// The tenant ID the issuer names; `None` for the `{tenantid}` template.
    pub tenant_id: Option<String>,
    /// v1 or v2 endpoints.
    pub version: EntraVersion,
    /// The issuer is the `{tenantid}` template: checked against each token's `tid`.
    pub issuer_template: bool,
    /// `tenant_region_scope` (`EU`, `NA`, `USGov`…).
    pub tenant_region_scope: Option<String>,
    /// `msgraph_host`.
    pub msgraph_host: Option<String>,
}

impl Provider {
    /// Fetches and checks the discovery document, and warms the key cache.
    pub async fn discover(
        authority: &Authority,
        options: &HttpOptions,
    ) -> Result<Provider, LoginError> {
        let provider = Provider::discover_with(authority, Http::new(options)?).await?;
        provider.keys(None).await?;
        Ok(provider)
    }

    pub(crate) async fn discover_with(
        authority: &Authority,
        http: Http,
    ) -> Result<Provider, LoginError> {
        let discovery_url = authority.discovery_url();
        let url = Url::parse(&discovery_url).map_err(|e| LoginError::Discovery {
            url: discovery_url.clone(),
            detail: e.to_string(),
        })?;
        let (status, body) = http.get(&url).await?;
        if !(200..300).contains(&status) {
            // Entra answers an unknown tenant with its JSON error (90002).
            if let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(&body) {
                if map.contains_key("error") {
                    return Err(LoginError::Rejected {
                        phase: super::Phase::Discovery,
                        entra: Box::new(EntraError::from_json(&map)),
                        context: Box::default(),
                    });
                }
            }
            return Err(LoginError::Discovery {
                url: discovery_url,
                detail: format!(
                    "HTTP {status}: no OpenID configuration here{}",
                    if (300..400).contains(&status) {
                        " (it redirects; Entrance does not follow redirects)"
                    } else {
                        ""
                    }
                ),
            });
        }
        let raw: Value = serde_json::from_slice(&body).map_err(|e| LoginError::Discovery {
            url: discovery_url.clone(),
            detail: format!("not JSON: {e}"),
        })?;
        let metadata: CoreProviderMetadata =
            serde_json::from_slice(&body).map_err(|e| LoginError::Discovery {
                url: discovery_url.clone(),
                detail: format!("not an OpenID Connect configuration: {e}"),
            })?;
        let text = |k: &str| raw.get(k).and_then(Value::as_str).map(str::to_string);
        let issuer = metadata.issuer().as_str().to_string();
        let cloud_instance_name = text("cloud_instance_name");
        let issuer_template = issuer.contains("{tenantid}");
        let entra = is_entra_document(authority, cloud_instance_name.as_deref(), &issuer);

        let entra_info = if entra {
            let version = authority.version().unwrap_or(EntraVersion::V2);
            let tenant_id = check_entra_issuer(authority, &issuer, version).map_err(|detail| {
                LoginError::Discovery {
                    url: discovery_url.clone(),
                    detail,
                }
            })?;
            Some(EntraInfo {
                cloud: authority.cloud().or_else(|| {
                    cloud_instance_name
                        .as_deref()
                        .and_then(Cloud::from_instance_name)
                }),
                cloud_instance_name,
                tenant: authority.tenant().map(str::to_string),
                tenant_id,
                version,
                issuer_template,
                tenant_region_scope: text("tenant_region_scope"),
                msgraph_host: text("msgraph_host"),
            })
        } else {
            if issuer.trim_end_matches('/') != authority.as_str() {
                return Err(LoginError::Discovery {
                    url: discovery_url,
                    detail: format!(
                        "the document's issuer `{issuer}` is not the authority `{authority}` (OpenID Connect Discovery §4.3): use the issuer URL itself as the authority"
                    ),
                });
            }
            None
        };

        let auth_url = metadata.authorization_endpoint().url().clone();
        check_endpoint("authorization_endpoint", &auth_url)?;
        let token_endpoint = metadata.token_endpoint().map(|t| t.url().clone());
        if let Some(t) = &token_endpoint {
            check_endpoint("token_endpoint", t)?;
        }
        let jwks_uri = metadata.jwks_uri().url().clone();
        check_endpoint("jwks_uri", &jwks_uri)?;
        let device_authorization_endpoint = match text("device_authorization_endpoint") {
            Some(d) => {
                let u = Url::parse(&d).map_err(|e| LoginError::Discovery {
                    url: discovery_url.clone(),
                    detail: format!("device_authorization_endpoint `{d}`: {e}"),
                })?;
                check_endpoint("device_authorization_endpoint", &u)?;
                Some(u)
            }
            None => None,
        };
        let info = ProviderInfo {
            authority: authority.as_str().to_string(),
            discovery_url,
            issuer,
            authorization_endpoint: auth_url.to_string(),
            token_endpoint: token_endpoint.map(|t| t.to_string()),
            jwks_uri: jwks_uri.to_string(),
            entra: entra_info,
        };
        Ok(Provider {
            authority: authority.clone(),
            metadata,
            info,
            device_authorization_endpoint,
            http,
        })
    }

    /// The authority it was discovered from.
    pub fn authority(&self) -> &Authority {
        &self.authority
    }

    /// What the admin sees.
    pub fn info(&self) -> &ProviderInfo {
        &self.info
    }

    /// Entra (by host, `cloud_instance_name` or the templated issuer), or
    /// another OpenID provider: no Entra-only assumption is made for those.
    pub fn is_entra(&self) -> bool {
        self.info.entra.is_some()
    }

    /// The issuer a token with this `tid` must carry: the template filled
    /// in, or the issuer itself (docs/entra.md#token-versions-and-issuers).
    pub fn expected_issuer(&self, tid: Option<&str>) -> Result<String, String> {
        let issuer = &self.info.issuer;
        if !issuer.contains("{tenantid}") {
            return Ok(issuer.clone());
        }
        match tid {
            Some(tid) if crate::secrets::is_guid(tid) => Ok(issuer.replace("{tenantid}", tid)),
            Some(tid) => Err(format!("the token's tid `{tid}` is not a tenant ID")),
            None => Err("the token has no tid claim to fill the issuer template".into()),
        }
    }

    /// The signing keys, from the cache or fetched. With `kid`, a cached
    /// set without that key is fetched again (rollover).
    pub(crate) async fn keys(
        &self,
        kid: Option<&str>,
    ) -> Result<Arc<CoreJsonWebKeySet>, LoginError> {
        let uri = self.info.jwks_uri.clone();
        if let Some(set) = cache().fresh(&uri) {
            let has_kid = kid.is_none_or(|k| {
                set.keys()
                    .iter()
                    .any(|key| key.key_id().is_some_and(|id| id.as_str() == k))
            });
            if has_kid {
                return Ok(set);
            }
        }
        let url = Url::parse(&uri).map_err(|e| LoginError::Discovery {
            url: uri.clone(),
            detail: e.to_string(),
        })?;
        let (status, body) = self.http.get(&url).await?;
        if !(200..300).contains(&status) {
            return Err(LoginError::Discovery {
                url: uri,
                detail: format!("the signing keys answered HTTP {status}"),
            });
        }
        let set: CoreJsonWebKeySet =
            serde_json::from_slice(&body).map_err(|e| LoginError::Discovery {
                url: uri.clone(),
                detail: format!("not a JSON Web Key Set: {e}"),
            })?;
        let set = Arc::new(set);
        cache().put(uri, Arc::clone(&set));
        Ok(set)
    }
}

/// Whether a discovery document is Entra's: by the authority's host, a
/// `cloud_instance_name` (docs/entra.md#national-clouds) or the `{tenantid}` issuer
/// template (docs/entra.md#token-versions-and-issuers). The sandbox tenant counts as Entra.
pub(crate) fn is_entra_document(
    authority: &Authority,
    cloud_instance_name: Option<&str>,
    issuer: &str,
) -> bool {
    authority.is_entra_host() || cloud_instance_name.is_some() || issuer.contains("{tenantid}")
}

/// Checks an Entra issuer against the authority; returns the tenant ID it
/// names (`None` for the template). docs/entra.md#token-versions-and-issuers.
pub(crate) fn check_entra_issuer(
    authority: &Authority,
    issuer: &str,
    version: EntraVersion,
) -> Result<Option<String>, String> {
    let bad = |why: &str| {
        format!("the document's issuer `{issuer}` does not belong to the authority `{authority}`: {why}")
    };
    let tid = match version {
        EntraVersion::V2 => {
            let url = Url::parse(issuer).map_err(|_| bad("not a URL"))?;
            let same_origin = url.scheme() == authority.url().scheme()
                && url.host_str().map(str::to_ascii_lowercase)
                    == authority.url().host_str().map(str::to_ascii_lowercase)
                && url.port_or_known_default() == authority.url().port_or_known_default();
            if !same_origin {
                return Err(bad("another host"));
            }
            let segments: Vec<&str> = url.path().split('/').filter(|s| !s.is_empty()).collect();
            match segments.as_slice() {
                [tid, "v2.0"] => tid.to_string(),
                // Entra-shaped on a path prefix (a provider behind a path).
                _ => return Err(bad("expected {host}/{tenant ID}/v2.0")),
            }
        }
        EntraVersion::V1 => {
            let tid = issuer
                .strip_prefix("https://sts.windows.net/")
                .and_then(|r| r.strip_suffix('/'))
                .ok_or_else(|| bad("expected https://sts.windows.net/{tenant ID}/"))?;
            tid.to_string()
        }
    };
    let tid = tid.replace("%7B", "{").replace("%7D", "}");
    if tid == "{tenantid}" {
        return if authority.is_multi_tenant() || authority.tenant().is_none() {
            Ok(None)
        } else {
            Err(bad("a tenant authority has a tenant ID in its issuer"))
        };
    }
    if !crate::secrets::is_guid(&tid) {
        return Err(bad("the tenant part is not a tenant ID"));
    }
    if let Some(t) = authority.tenant() {
        if crate::secrets::is_guid(t) && !t.eq_ignore_ascii_case(&tid) {
            return Err(bad("another tenant"));
        }
    }
    Ok(Some(tid.to_ascii_lowercase()))
}

/// The process-wide key cache, keyed by `jwks_uri`.
struct JwksCache {
    entries: Mutex<HashMap<String, (Instant, Arc<CoreJsonWebKeySet>)>>,
}

fn cache() -> &'static JwksCache {
    static CACHE: OnceLock<JwksCache> = OnceLock::new();
    CACHE.get_or_init(|| JwksCache {
        entries: Mutex::new(HashMap::new()),
    })
}

impl JwksCache {
    fn fresh(&self, uri: &str) -> Option<Arc<CoreJsonWebKeySet>> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries
            .get(uri)
            .filter(|(at, _)| at.elapsed() < JWKS_TTL)
            .map(|(_, set)| Arc::clone(set))
    }

    fn put(&self, uri: String, set: Arc<CoreJsonWebKeySet>) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.insert(uri, (Instant::now(), set));
    }
}

/// Forgets every cached key set (the next verification fetches them): for
/// the benchmark's cold case and after an admin rotates keys.
pub fn clear_jwks_cache() {
    cache()
        .entries
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clear();
}

#[cfg(test)]
mod tests {
    use super::*;

    const TID: &str = "aaaaaaaa-0000-4000-8000-000000000001";

    fn a(s: &str) -> Authority {
        Authority::parse(s).unwrap()
    }

    #[test]
    fn entra_v2_issuers_name_the_authoritys_tenant_or_the_template() {
        let by_domain = a("https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0");
        let issuer = format!("https://login.microsoftonline.com/{TID}/v2.0");
        assert_eq!(
            check_entra_issuer(&by_domain, &issuer, EntraVersion::V2),
            Ok(Some(TID.into()))
        );
        let by_id = a(&format!("https://login.microsoftonline.com/{TID}/v2.0"));
        assert!(check_entra_issuer(&by_id, &issuer, EntraVersion::V2).is_ok());
        let other = "https://login.microsoftonline.com/bbbbbbbb-0000-4000-8000-000000000001/v2.0";
        assert!(check_entra_issuer(&by_id, other, EntraVersion::V2)
            .unwrap_err()
            .contains("another tenant"));
        let orgs = a("https://login.microsoftonline.com/organizations/v2.0");
        assert_eq!(
            check_entra_issuer(
                &orgs,
                "https://login.microsoftonline.com/{tenantid}/v2.0",
                EntraVersion::V2
            ),
            Ok(None)
        );
        assert!(check_entra_issuer(
            &by_id,
            "https://login.microsoftonline.com/{tenantid}/v2.0",
            EntraVersion::V2
        )
        .is_err());
        assert!(check_entra_issuer(
            &by_id,
            &format!("https://evil.example/{TID}/v2.0"),
            EntraVersion::V2
        )
        .unwrap_err()
        .contains("another host"));
    }

    #[test]
    fn entra_v1_issuers_are_sts_windows_net() {
        let v1 = a("https://login.microsoftonline.com/contoso.onmicrosoft.com");
        assert_eq!(
            check_entra_issuer(
                &v1,
                &format!("https://sts.windows.net/{TID}/"),
                EntraVersion::V1
            ),
            Ok(Some(TID.into()))
        );
        assert!(check_entra_issuer(
            &v1,
            &format!("https://login.microsoftonline.com/{TID}/v2.0"),
            EntraVersion::V1
        )
        .is_err());
    }
}
