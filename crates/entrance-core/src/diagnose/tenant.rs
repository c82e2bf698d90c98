//! The tenant: its OpenID discovery document says whether the tenant exists
//! (AADSTS90002), which national cloud it lives in (`cloud_instance_name`,
//! docs/entra.md#national-clouds; AADSTS90038 at sign-in when asked in another cloud), its
//! region, issuer and endpoints — which the app, key and redirect checks use
//! next. Also the HTTP helpers those Entra checks share: one bounded read,
//! transport errors in words, Entra's error bodies through the AADSTS catalog.

use serde_json::Value;
use url::Url;

use super::context::{Context, DiscoveryFacts};
use super::runner::Outcome;
use super::{DiagnoseCode, DiagnoseFinding};
use crate::aadsts::{self, EntraError};
use crate::findings::Severity;
use crate::login::provider::{check_entra_issuer, is_entra_document};
use crate::login::{Cloud, EntraVersion};
use crate::targets::portal::{blade_link, Blade};

/// The most of a document or page a check reads (Entra's are a few KB).
pub(super) const MAX_BODY_BYTES: usize = 1 << 20;

/// An HTTP answer, read within [`MAX_BODY_BYTES`].
pub(super) struct Answer {
    pub status: u16,
    pub location: Option<String>,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// Entra's JSON error body (`error`, `error_codes`…), when it is one.
    pub fn entra_error(&self) -> Option<EntraError> {
        match serde_json::from_slice::<Value>(&self.body) {
            Ok(Value::Object(map))
                if map.contains_key("error") || map.contains_key("error_codes") =>
            {
                Some(EntraError::from_json(&map))
            }
            _ => None,
        }
    }
}

/// Sends a request and reads at most `max` bytes of the answer. Redirects are
/// never followed (the context's client); the client's timeout applies.
pub(super) async fn send(request: reqwest::RequestBuilder, max: usize) -> Result<Answer, String> {
    let mut response = request.send().await.map_err(|e| describe(&e))?;
    let status = response.status().as_u16();
    let location = response
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let body = crate::http::read_prefix(&mut response, max)
        .await
        .map_err(|e| describe(&e))?;
    Ok(Answer {
        status,
        location,
        body,
    })
}

/// A transport error in the admin's words (the lower checks say more).
pub(super) fn describe(e: &reqwest::Error) -> String {
    let mut text = if e.is_timeout() {
        "no answer in time".to_string()
    } else if e.is_connect() {
        "the connection could not be opened".to_string()
    } else if e.is_body() || e.is_decode() {
        "the answer broke off".to_string()
    } else {
        "the request failed".to_string()
    };
    let mut source = std::error::Error::source(e);
    let mut last = None;
    while let Some(s) = source {
        last = Some(s.to_string());
        source = s.source();
    }
    if let Some(cause) = last {
        text.push_str(&format!(" ({cause})"));
    }
    text
}

/// A finding for a request that got no answer at all.
pub(super) fn unreachable(code: DiagnoseCode, what: &str, url: &str, why: &str) -> DiagnoseFinding {
    DiagnoseFinding::new(
        code,
        Severity::Error,
        format!("{what} at {url} could not be read: {why}."),
        "See the DNS, connection, TLS and HTTP checks above for where the path breaks; a proxy that \
         lets the sign-in host through but not this URL is a common cause.",
    )
}

/// The diagnosis's HTTP client, or the check's failed outcome naming what
/// could not be read.
pub(super) fn client_for(
    cx: &Context,
    code: DiagnoseCode,
    what: &str,
    url: &str,
) -> Result<reqwest::Client, Outcome> {
    cx.http_client().map_err(|e| {
        Outcome::failed(
            "The HTTP client could not be built.",
            unreachable(code, what, url, &e),
        )
    })
}

/// A 5xx answer: Entra's side (or a proxy's), not the setup.
pub(super) fn server_error(what: &str, status: u16, entra: Option<&EntraError>) -> DiagnoseFinding {
    let code = entra.and_then(|e| e.aadsts);
    let said = entra
        .and_then(EntraError::message)
        .map(|m| format!(": {m}"))
        .unwrap_or_default();
    let finding = DiagnoseFinding::new(
        DiagnoseCode::HttpServerError,
        Severity::Error,
        format!("{what} answered HTTP {status}{said}"),
        "This is a failure on the service's side (or a proxy's), not in the registration: try again \
         in a few minutes, and check Microsoft's service health if it persists.",
    );
    match code {
        Some(c) => finding.with_aadsts(c),
        None => finding,
    }
}

/// What the diagnosis knows for explaining a code: the product, the
/// authority and the client ID it was asked about.
pub(super) fn situation(cx: &Context) -> aadsts::Situation<'_> {
    fn some(v: &Option<String>) -> Option<&str> {
        v.as_deref().map(str::trim).filter(|v| !v.is_empty())
    }
    aadsts::Situation {
        product: some(&cx.request.target),
        authority: some(&cx.request.authority),
        client_id: some(&cx.request.client_id),
        ..aadsts::Situation::default()
    }
}

/// An AADSTS answer explained by the catalog (title, cause, fix) with what
/// the diagnosis knows (`situation`), by Microsoft's table for a code only it
/// has, or by Entra's own description for any other code.
pub(super) fn catalog_finding(
    code: DiagnoseCode,
    severity: Severity,
    context: &str,
    entra: &EntraError,
    situation: &aadsts::Situation<'_>,
) -> DiagnoseFinding {
    let Some(n) = entra.aadsts else {
        let what = entra.error.clone().unwrap_or_else(|| "an error".into());
        let said = entra
            .message()
            .map(|m| format!(": {m}"))
            .unwrap_or_default();
        return DiagnoseFinding::new(
            code,
            severity,
            format!("{context} answered `{what}`{said}"),
            "Read the message above; the provider's documentation for this error says what to change.",
        );
    };
    let explained = aadsts::explain(n, situation);
    if explained.targeted {
        let cli = explained
            .cli
            .as_deref()
            .filter(|c| !c.starts_with('('))
            .map(|c| format!(" With the Azure CLI or Graph: `{c}`."))
            .unwrap_or_default();
        let notes: String = explained
            .products
            .iter()
            .filter(|_| situation.product.is_some())
            .map(|n| format!(" {}", n.note))
            .collect();
        return DiagnoseFinding::new(
            code,
            severity,
            format!(
                "{context} answered AADSTS{n}: {} Usual cause: {}",
                explained.title,
                explained.cause.unwrap_or_default()
            ),
            format!("{}{notes}{cli}", explained.fix),
        )
        .with_aadsts(n);
    }
    if explained.known {
        return DiagnoseFinding::new(
            code,
            severity,
            format!("{context} answered AADSTS{n}: {}", explained.title),
            explained.fix,
        )
        .with_aadsts(n);
    }
    DiagnoseFinding::new(
        code,
        severity,
        format!(
            "{context} answered AADSTS{n}: {}",
            entra.message().unwrap_or_else(|| "no description".into())
        ),
        "Entrance has no advice for this code: Microsoft's error lookup page explains it.",
    )
    .with_aadsts(n)
}

/// The cloud whose portal holds the app: the tenant's own (discovery), else
/// the one asked for, else Global (docs/entra.md#national-clouds).
pub(super) fn portal_cloud(cx: &Context) -> crate::targets::Cloud {
    let cloud = cx
        .facts()
        .discovery
        .as_ref()
        .and_then(|d| {
            d.cloud_instance_name
                .as_deref()
                .and_then(Cloud::from_instance_name)
        })
        .or(cx.request.cloud)
        .or_else(|| cx.authority.cloud());
    match cloud {
        Some(Cloud::UsGov) => crate::targets::Cloud::UsGov,
        Some(Cloud::China) => crate::targets::Cloud::China,
        _ => crate::targets::Cloud::Global,
    }
}

/// A blade of the request's app registration, pinned to its tenant (docs/entra.md#portal-deep-links).
pub(super) fn app_blade(cx: &Context, client_id: &str, blade: Blade) -> String {
    let tenant = cx
        .authority
        .tenant()
        .filter(|_| !cx.authority.is_multi_tenant());
    blade_link(portal_cloud(cx), tenant, Some(client_id), blade)
}

/// The client ID of the request, trimmed, when one was given.
pub(super) fn client_id(cx: &Context) -> Option<String> {
    cx.request
        .client_id
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_string)
}

/// The discovery facts, once the tenant check stored them.
pub(super) fn discovery(cx: &Context) -> Option<DiscoveryFacts> {
    cx.facts().discovery.clone()
}

pub(super) async fn run(cx: &Context) -> Outcome {
    let url = cx.authority.discovery_url();
    let client = match client_for(
        cx,
        DiagnoseCode::TenantDiscoveryFailed,
        "The discovery document",
        &url,
    ) {
        Ok(c) => c,
        Err(failed) => return failed,
    };
    let request = client
        .get(&url)
        .header(reqwest::header::ACCEPT, "application/json");
    let answer = match send(request, MAX_BODY_BYTES).await {
        Ok(a) => a,
        Err(why) => {
            return Outcome::failed(
                format!("No discovery document: {why}."),
                unreachable(
                    DiagnoseCode::TenantDiscoveryFailed,
                    "The discovery document",
                    &url,
                    &why,
                ),
            )
        }
    };
    if !(200..300).contains(&answer.status) {
        return refused(cx, &url, &answer);
    }
    let doc: Value = match serde_json::from_slice(&answer.body) {
        Ok(Value::Object(map)) => Value::Object(map),
        _ => return not_a_document(&url, "it is not a JSON object"),
    };
    read_document(cx, &url, &doc)
}

/// A non-2xx answer: Entra's 90002 for an unknown tenant, or another error.
fn refused(cx: &Context, url: &str, answer: &Answer) -> Outcome {
    let entra = answer.entra_error();
    let tenant = cx.authority.tenant().unwrap_or("the tenant").to_string();
    match entra.as_ref().and_then(|e| e.aadsts) {
        // docs/entra.md#errors: 90002 = tenant not found (typo, wrong cloud, unverified domain).
        Some(90002) => {
            let asked = cx
                .authority
                .cloud()
                .or(cx.request.cloud)
                .unwrap_or(Cloud::Global);
            let mut fix = format!(
                "Check the tenant in the authority: the Directory (tenant) ID is the GUID on the app \
                 registration's Overview page; a domain works too, but only one verified in the tenant \
                 (e.g. contoso.onmicrosoft.com). And check the cloud: this asked the {} cloud at {}; a \
                 US Government tenant signs in at {}, a China one at {} (docs/entra.md#national-clouds).",
                asked.label(),
                asked.host(),
                Cloud::UsGov.host(),
                Cloud::China.host(),
            );
            if !crate::secrets::is_guid(&tenant) {
                fix.push_str(&format!(
                    " `{tenant}` is a domain name: a typo there, or a domain not verified in the tenant, gives this error."
                ));
            }
            let mut finding = DiagnoseFinding::new(
                DiagnoseCode::TenantUnknown,
                Severity::Error,
                format!(
                    "The tenant `{tenant}` does not exist at {} (AADSTS90002).",
                    cx.authority
                ),
                fix,
            )
            .with_aadsts(90002);
            if let Some(id) = client_id(cx) {
                let link = blade_link(portal_cloud(cx), None, Some(&id), Blade::Overview);
                finding =
                    finding.with_link("App registration → Overview (Directory (tenant) ID)", link);
            }
            Outcome::failed(format!("Tenant `{tenant}` not found."), finding)
                .detail("Discovery URL", url)
        }
        // docs/entra.md#national-clouds: 90038 = the tenant lives in another national cloud.
        Some(90038) => Outcome::failed(
            format!("Tenant `{tenant}` is in another national cloud."),
            catalog_finding(
                DiagnoseCode::TenantOtherCloud,
                Severity::Error,
                "The discovery endpoint",
                entra.as_ref().unwrap_or(&EntraError::default()),
                &situation(cx),
            ),
        )
        .detail("Discovery URL", url),
        _ if answer.status >= 500 => Outcome::failed(
            format!("The discovery endpoint answered HTTP {}.", answer.status),
            server_error("The discovery endpoint", answer.status, entra.as_ref()),
        )
        .detail("Discovery URL", url),
        Some(_) => Outcome::failed(
            format!("The discovery endpoint answered HTTP {}.", answer.status),
            catalog_finding(
                DiagnoseCode::TenantDiscoveryFailed,
                Severity::Error,
                "The discovery endpoint",
                entra.as_ref().unwrap_or(&EntraError::default()),
                &situation(cx),
            ),
        )
        .detail("Discovery URL", url),
        None => {
            let why = if (300..400).contains(&answer.status) {
                format!(
                    "HTTP {}: it redirects (to {}); Entrance does not follow redirects — use the address it redirects to as the authority",
                    answer.status,
                    answer.location.as_deref().unwrap_or("nowhere")
                )
            } else {
                format!("HTTP {}: no OpenID configuration here", answer.status)
            };
            not_a_document(url, &why)
        }
    }
}

fn not_a_document(url: &str, why: &str) -> Outcome {
    Outcome::failed(
        format!("No usable discovery document: {why}."),
        DiagnoseFinding::new(
            DiagnoseCode::TenantDiscoveryFailed,
            Severity::Error,
            format!("{url} is not an OpenID discovery document: {why}."),
            "Check the authority URL: for Entra ID it is https://login.microsoftonline.com/{tenant}/v2.0; \
             for another provider, its issuer URL (the one whose /.well-known/openid-configuration \
             answers).",
        ),
    )
    .detail("Discovery URL", url)
}

fn endpoint(doc: &Value, key: &str) -> Option<Url> {
    doc.get(key)
        .and_then(Value::as_str)
        .and_then(|s| Url::parse(s).ok())
}

fn text(doc: &Value, key: &str) -> Option<String> {
    doc.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn read_document(cx: &Context, url: &str, doc: &Value) -> Outcome {
    let Some(issuer) = text(doc, "issuer") else {
        return not_a_document(url, "it has no issuer");
    };
    let authorization_endpoint = endpoint(doc, "authorization_endpoint");
    let jwks_uri = endpoint(doc, "jwks_uri");
    if authorization_endpoint.is_none() || jwks_uri.is_none() {
        return not_a_document(
            url,
            "authorization_endpoint or jwks_uri is missing or not a URL",
        );
    }
    let facts = DiscoveryFacts {
        issuer: issuer.clone(),
        authorization_endpoint,
        token_endpoint: endpoint(doc, "token_endpoint"),
        jwks_uri,
        cloud_instance_name: text(doc, "cloud_instance_name"),
        tenant_region_scope: text(doc, "tenant_region_scope"),
        msgraph_host: text(doc, "msgraph_host"),
        is_entra: is_entra_document(
            &cx.authority,
            text(doc, "cloud_instance_name").as_deref(),
            &issuer,
        ),
    };

    let mut out = Outcome::passed("").detail("Issuer", &issuer);
    let opt = |u: &Option<Url>| {
        u.as_ref()
            .map_or_else(|| "(none)".to_string(), Url::to_string)
    };
    if let Some(name) = &facts.cloud_instance_name {
        out = out.detail("cloud_instance_name", name);
    }
    if let Some(region) = &facts.tenant_region_scope {
        let sub = text(doc, "tenant_region_sub_scope")
            .map(|s| format!(" ({s})"))
            .unwrap_or_default();
        out = out.detail("tenant_region_scope", format!("{region}{sub}"));
    }
    out = out
        .detail("Authorization endpoint", opt(&facts.authorization_endpoint))
        .detail("Token endpoint", opt(&facts.token_endpoint))
        .detail("Signing keys (jwks_uri)", opt(&facts.jwks_uri));
    if let Some(host) = &facts.msgraph_host {
        out = out.detail("msgraph_host", host);
    }

    let summary;
    if facts.is_entra {
        let version = cx.authority.version().unwrap_or(EntraVersion::V2);
        match check_entra_issuer(&cx.authority, &issuer, version) {
            Ok(Some(tid)) => out = out.detail("Tenant ID", tid),
            Ok(None) => {}
            Err(why) => {
                out = out.finding(DiagnoseFinding::new(
                    DiagnoseCode::TenantDiscoveryFailed,
                    Severity::Error,
                    format!("The discovery document does not match the authority: {why}."),
                    "Use the authority that serves this document (https://{host}/{tenant}/v2.0 for a v2 \
                     issuer, https://{host}/{tenant} for a v1 one); sign-in would reject its tokens \
                     otherwise (docs/entra.md#token-versions-and-issuers).",
                ));
            }
        }
        if let Some(finding) = other_cloud(cx, &facts) {
            out = out.finding(finding);
        }
        if cx.authority.is_multi_tenant() {
            out = out.finding(DiagnoseFinding::new(
                DiagnoseCode::TenantMultiTenant,
                Severity::Info,
                format!(
                    "`{}` is a multi-tenant authority: its issuer is the template `{issuer}`.",
                    cx.authority.tenant().unwrap_or_default()
                ),
                "Products must fill in each token's tid before comparing the issuer (docs/entra.md#token-versions-and-issuers). \
                 A single-tenant app needs its tenant ID here instead (AADSTS50194 otherwise), and \
                 client credentials need a tenant.",
            ));
        }
        let region = facts
            .tenant_region_scope
            .as_deref()
            .map(|r| format!(", region {r}"))
            .unwrap_or_default();
        let cloud = facts
            .cloud_instance_name
            .as_deref()
            .map(|c| format!(" in {c}"))
            .unwrap_or_default();
        summary = format!("Entra tenant found{cloud}{region}.");
    } else {
        if issuer.trim_end_matches('/') != cx.authority.as_str().trim_end_matches('/') {
            out = out.finding(DiagnoseFinding::new(
                DiagnoseCode::TenantDiscoveryFailed,
                Severity::Error,
                format!(
                    "The document's issuer `{issuer}` is not the authority `{}` (OpenID Connect Discovery §4.3).",
                    cx.authority
                ),
                "Use the issuer URL itself as the authority; sign-in rejects a document whose issuer differs.",
            ));
        }
        out = out.finding(DiagnoseFinding::new(
            DiagnoseCode::TenantNotEntra,
            Severity::Info,
            format!("{issuer} is an OpenID provider other than Entra ID."),
            "Entra-only checks (national cloud, redirect URIs on Entra's error pages, Microsoft Graph) \
             do not apply and are skipped or kept generic.",
        ));
        summary = "OpenID provider found (not Entra ID).".to_string();
    }

    if cx.graph_root.is_none() {
        let root = facts
            .msgraph_host
            .as_deref()
            .and_then(crate::groups::graph_base_from_msgraph_host);
        cx.facts().graph_root = root;
    }
    cx.facts().discovery = Some(facts);
    out.summary = summary;
    out.graded()
}

/// The tenant lives in another cloud than the one asked for: Entra answers
/// AADSTS90038 at sign-in (docs/entra.md#national-clouds).
fn other_cloud(cx: &Context, facts: &DiscoveryFacts) -> Option<DiagnoseFinding> {
    let name = facts.cloud_instance_name.as_deref()?;
    let actual = Cloud::from_instance_name(name)?;
    let (asked, asked_by) = match (cx.authority.cloud(), cx.request.cloud) {
        (Some(c), _) => (c, format!("the authority's host {}", c.host())),
        (None, Some(c)) => (c, format!("the {} cloud chosen", c.label())),
        (None, None) => return None,
    };
    if asked == actual {
        return None;
    }
    let tenant = cx.authority.tenant().unwrap_or("the tenant");
    let graph = match actual {
        Cloud::Global => "graph.microsoft.com",
        Cloud::UsGov => "graph.microsoft.us (dod-graph.microsoft.us for DoD)",
        Cloud::China => "microsoftgraph.chinacloudapi.cn",
    };
    Some(
        DiagnoseFinding::new(
            DiagnoseCode::TenantOtherCloud,
            Severity::Error,
            format!(
                "The tenant `{tenant}` lives in the {} cloud (cloud_instance_name `{name}`), not the {} \
                 cloud of {asked_by}: sign-in there fails with AADSTS90038.",
                actual.label(),
                asked.label()
            ),
            format!(
                "Sign in at https://{}/{tenant}/v2.0 (the {} cloud's host) and set the product's cloud \
                 or authority to it; Microsoft Graph there is {graph} (docs/entra.md#national-clouds).",
                actual.host(),
                actual.label()
            ),
        )
        .with_link("AADSTS90038 on Microsoft's error lookup", aadsts::lookup_url(90038)),
    )
}

#[cfg(test)]
mod catalog_finding_tests {
    use super::*;

    fn refusal(code: u32) -> EntraError {
        EntraError {
            error: Some("invalid_request".into()),
            aadsts: Some(code),
            ..EntraError::default()
        }
    }

    #[test]
    fn a_diagnosis_explains_a_code_with_its_authority_and_product() {
        let situation = aadsts::Situation {
            product: Some("authentik"),
            authority: Some("https://login.microsoftonline.com/common"),
            ..aadsts::Situation::default()
        };
        let f = catalog_finding(
            DiagnoseCode::AppOtherError,
            Severity::Error,
            "The token endpoint",
            &refusal(50194),
            &situation,
        );
        assert!(
            f.message
                .contains("`https://login.microsoftonline.com/common` is a shared endpoint"),
            "{}",
            f.message
        );
        assert!(
            f.fix
                .contains("`https://login.microsoftonline.com/{tenant-id}`"),
            "{}",
            f.fix
        );
        assert!(f.fix.contains("authentik's Entra ID source"), "{}", f.fix);
        assert!(
            f.fix.contains("With the Azure CLI or Graph: `az ad app"),
            "{}",
            f.fix
        );
        assert_eq!(f.aadsts, Some(50194));
    }

    #[test]
    fn a_code_only_microsofts_table_has_is_explained_by_its_meaning() {
        let f = catalog_finding(
            DiagnoseCode::AppOtherError,
            Severity::Error,
            "The token endpoint",
            &refusal(50015),
            &aadsts::Situation::default(),
        );
        assert!(
            f.message.contains("legal-age-group consent"),
            "{}",
            f.message
        );
        assert!(f
            .fix
            .contains("https://login.microsoftonline.com/error?code=50015"));
    }
}
