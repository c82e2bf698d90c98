//! The findings, one rule per family. A new check is one function here and
//! one line in [`JWS_RULES`].

use serde_json::Value;

use super::facts::{audiences, is_graph_token, IssuerForm, TokenKind, TokenVersion};
use super::{InspectOptions, TokenReport};
use crate::aadsts::{EntraError, FoundCode};
use crate::claims::{directory_role, number, relative, time_value};
use crate::findings::{Finding, FindingCode as C, Severity};
use crate::token::{Jwe, Jws, OpaqueHint, SamlSummary};
use crate::verify::{SignatureCheck, Unverifiable};

/// What a rule sees.
pub(super) struct Ctx<'a> {
    jws: &'a Jws,
    report: &'a TokenReport,
    options: &'a InspectOptions,
    now: i64,
}

type Rule = fn(&Ctx<'_>) -> Vec<Finding>;

/// Every rule over a decoded JWT, in the order findings are listed.
const JWS_RULES: &[Rule] = &[
    signature,
    expired,
    not_yet_valid,
    graph_access_token,
    audience,
    tenant,
    issuer_version,
    version_1,
    groups,
    roles,
    wids,
    email,
    guest,
];

pub(super) fn jws_findings(
    jws: &Jws,
    report: &TokenReport,
    options: &InspectOptions,
    now: i64,
) -> Vec<Finding> {
    let ctx = Ctx {
        jws,
        report,
        options,
        now,
    };
    JWS_RULES.iter().flat_map(|rule| rule(&ctx)).collect()
}

fn one(f: Finding) -> Vec<Finding> {
    vec![f]
}

fn skew_text(skew: i64) -> String {
    if skew % 60 == 0 {
        format!("{} minutes", skew / 60)
    } else {
        format!("{skew} seconds")
    }
}

fn when(unix: i64, now: i64) -> String {
    match time_value(unix, now) {
        Some(t) => format!("{} ({})", t.relative, t.utc),
        None => relative(unix.saturating_sub(now)),
    }
}

fn expired(c: &Ctx<'_>) -> Vec<Finding> {
    let Some(exp) = c.jws.claims.get("exp").and_then(number) else {
        return vec![];
    };
    let skew = c.options.skew();
    if c.now <= exp.saturating_add(skew) {
        return vec![];
    }
    one(Finding::new(
        C::TokenExpired,
        Severity::Warning,
        format!("The token expired {}, beyond the {} of clock skew Entrance allows.", when(exp, c.now), skew_text(skew)),
    )
    .fix("Get a fresh token by signing in again. If it was issued just now, check the clock of this machine and of the server."))
}

fn not_yet_valid(c: &Ctx<'_>) -> Vec<Finding> {
    let (claim, start) = match (
        c.jws.claims.get("nbf").and_then(number),
        c.jws.claims.get("iat").and_then(number),
    ) {
        (Some(nbf), _) => ("nbf", nbf),
        (None, Some(iat)) => ("iat", iat),
        (None, None) => return vec![],
    };
    let skew = c.options.skew();
    if c.now >= start.saturating_sub(skew) {
        return vec![];
    }
    one(Finding::new(
        C::TokenNotYetValid,
        Severity::Warning,
        format!("The token is not valid yet: {claim} is {}, beyond the {} of clock skew Entrance allows.", when(start, c.now), skew_text(skew)),
    )
    .fix("A clock is off: check the time of this machine and of the server that rejects the token (NTP)."))
}

fn graph_access_token(c: &Ctx<'_>) -> Vec<Finding> {
    if !is_graph_token(c.jws) {
        return vec![];
    }
    let why = if c.jws.header.contains_key("nonce") {
        "it carries a nonce in its header"
    } else {
        "its audience is Microsoft Graph"
    };
    one(Finding::new(
        C::TokenGraphAccessToken,
        Severity::Warning,
        format!("A Microsoft Graph access token ({why}): it is meant for Graph, not for your app. Its format is Graph's own and its signature cannot be validated by your app by design (docs/entra.md#access-tokens); groups and optional claims configured on your app never appear in it (docs/entra.md#configure-optional-claims)."),
    )
    .fix("To call your own API, request a scope of that API (api://{client-id}/.default or a scope from Expose an API). To see the claims your app receives, inspect the ID token."))
}

fn audience(c: &Ctx<'_>) -> Vec<Finding> {
    let Some(client_id) = c.options.client_id.as_deref().map(str::trim) else {
        return vec![];
    };
    let auds = audiences(c.jws);
    let matches = |a: &str| {
        let a = a.trim();
        a.eq_ignore_ascii_case(client_id)
            || a.strip_prefix("api://")
                .map(|rest| rest.trim_end_matches('/'))
                .is_some_and(|rest| rest.eq_ignore_ascii_case(client_id))
    };
    if auds.iter().any(|a| matches(a)) {
        return vec![];
    }
    let shown = if auds.is_empty() {
        "missing".to_string()
    } else {
        auds.join(", ")
    };
    let mut message = format!("aud is {shown}, not the client ID {client_id}: the token was issued for another application.");
    if is_graph_token(c.jws) {
        message.push_str(" It is a Microsoft Graph token.");
    } else if c.report.kind == TokenKind::AccessToken {
        if let Some(caller) = c.jws.claim_str("azp").or_else(|| c.jws.claim_str("appid")) {
            message.push_str(&format!(" An access token's aud is the API it calls; the app that requested it ({caller}) is in azp/appid."));
        }
    }
    one(Finding::new(C::AudMismatch, Severity::Error, message).fix(
        "For an ID token, configure the product with the client ID the token was issued to. For an access token, request a scope of the right API (api://{client-id}/…) and check the product's audience setting.",
    ))
}

fn tenant(c: &Ctx<'_>) -> Vec<Finding> {
    let iss_tenant = c
        .report
        .issuer
        .as_ref()
        .and_then(|i| i.tenant.clone())
        .filter(|t| t != "{tenantid}");
    let tid = c.jws.claim_str("tid");
    let mut problems = Vec::new();
    let mut fix = None;
    if let (Some(it), Some(tid)) = (&iss_tenant, tid) {
        if !it.eq_ignore_ascii_case(tid) {
            problems.push(format!("iss names tenant {it} but tid is {tid}"));
            fix = Some(
                "Entra never issues such a token: reject it, and find out who minted it."
                    .to_string(),
            );
        }
    }
    if let Some(expected) = c.options.tenant.as_deref().map(str::trim) {
        if let Some(actual) = tid.map(str::to_string).or(iss_tenant) {
            if !actual.eq_ignore_ascii_case(expected) {
                problems.push(format!(
                    "the token is from tenant {actual}, not the expected {expected}"
                ));
                fix.get_or_insert_with(|| format!("Sign in through the tenant-specific authority https://login.microsoftonline.com/{expected}/… (not /common); a multi-tenant app must list the tenants it accepts (Grafana: allowed_organizations)."));
            }
        }
    }
    if problems.is_empty() {
        return vec![];
    }
    let mut f = Finding::new(
        C::IssTenantMismatch,
        Severity::Error,
        format!("Tenant mismatch: {}.", problems.join("; ")),
    );
    f.fix = fix;
    one(f)
}

fn issuer_version(c: &Ctx<'_>) -> Vec<Finding> {
    let (Some(issuer), Some(ver)) = (&c.report.issuer, c.jws.claim_str("ver")) else {
        return vec![];
    };
    let contradiction = match (issuer.form, ver.trim()) {
        (IssuerForm::V1, "2.0") => "the issuer has the v1 form (…/{tenant}/) but ver is 2.0",
        (IssuerForm::V2, "1.0") => "the issuer has the v2 form (…/{tenant}/v2.0) but ver is 1.0",
        _ => return vec![],
    };
    one(Finding::new(
        C::IssVersionMismatch,
        Severity::Warning,
        format!("Issuer and version disagree: {contradiction}. Validators that expect the issuer of the discovery document they were given reject it."),
    )
    .fix("Validate a v1 issuer against /{tenant}/.well-known/openid-configuration and a v2 issuer against /{tenant}/v2.0/.well-known/openid-configuration (docs/entra.md#access-tokens)."))
}

fn version_1(c: &Ctx<'_>) -> Vec<Finding> {
    if c.report.version != Some(TokenVersion::V1) || is_graph_token(c.jws) {
        return vec![];
    }
    let f = match c.report.kind {
        TokenKind::AccessToken => Finding::new(
            C::TokenV1,
            Severity::Info,
            "A v1.0 access token: its version follows the API's registration (requestedAccessTokenVersion / accessTokenAcceptedVersion null or 1), whatever endpoint the client used (docs/entra.md#access-tokens); its issuer is https://sts.windows.net/{tenant}/.",
        )
        .fix("If the product expects v2 issuers (…/v2.0, e.g. Camunda), set \"requestedAccessTokenVersion\": 2 (\"accessTokenAcceptedVersion\": 2) in the API's App registration → Manifest."),
        _ => Finding::new(
            C::TokenV1,
            Severity::Warning,
            "A v1.0 token: it came from the v1 endpoint (/oauth2/authorize). Grafana rejects v1 ID tokens, and v1 tokens lack preferred_username.",
        )
        .fix("Configure the product with the v2.0 endpoints: https://login.microsoftonline.com/{tenant}/oauth2/v2.0/authorize and …/oauth2/v2.0/token."),
    };
    one(f)
}

fn groups(c: &Ctx<'_>) -> Vec<Finding> {
    let claims = &c.jws.claims;
    let overage = claims
        .get("_claim_names")
        .and_then(Value::as_object)
        .is_some_and(|names| names.contains_key("groups"));
    let hasgroups = claims
        .get("hasgroups")
        .is_some_and(|v| v != &Value::Bool(false));
    let mut out = Vec::new();
    if overage {
        let endpoint_is_aad_graph = claims
            .get("_claim_sources")
            .map(|s| s.to_string().contains("graph.windows.net"))
            .unwrap_or(false);
        let mut message = "The user is in more groups than fit in a token (200 in a JWT), so Entra left the groups claim out and points to Microsoft Graph instead (_claim_names / _claim_sources) (docs/entra.md#access-token-claims-reference).".to_string();
        if endpoint_is_aad_graph {
            message.push_str(" The endpoint given is an Azure AD Graph URL (graph.windows.net): call Microsoft Graph instead.");
        }
        out.push(Finding::new(C::GroupsOverage, Severity::Warning, message).fix(
            "Either let the product read the groups from Microsoft Graph (POST /me/getMemberObjects; delegated GroupMember.Read.All with admin consent + User.Read — Grafana does this; Keep does not), or emit fewer groups: Token configuration → groups claim → \"Groups assigned to the application\" and assign only the groups the product needs.",
        ));
    }
    if hasgroups {
        out.push(Finding::new(
            C::GroupsHasgroups,
            Severity::Warning,
            "hasgroups: the token came from the implicit flow and the user is in six or more groups, so the groups claim was left out to keep the URL short (docs/entra.md#access-token-claims-reference).",
        )
        .fix("Use the authorization code flow (response_type=code): its tokens carry up to 200 groups. Otherwise read the groups from Microsoft Graph."));
    }
    let has_groups_claim = claims
        .get("groups")
        .is_some_and(|g| !matches!(g, Value::Null));
    if !overage && !hasgroups && !has_groups_claim && !c.report.app_only && is_user_token(c) {
        let severity = if c.options.needs.groups {
            Severity::Error
        } else {
            Severity::Info
        };
        let message = if is_graph_token(c.jws) {
            "No groups claim: this is a Microsoft Graph access token, which never carries the groups configured on your app (docs/entra.md#configure-optional-claims)."
        } else if c.report.kind == TokenKind::AccessToken {
            "No groups claim in this access token: access tokens carry the groups configured on the registration of the API they are for (the resource), not on the client's (docs/entra.md#configure-optional-claims)."
        } else {
            "No groups claim: the registration does not emit groups (groupMembershipClaims is None), or the user is in no group the setting covers (with \"Groups assigned to the application\", only direct members of groups assigned to the app count)."
        };
        out.push(Finding::new(C::GroupsAbsent, severity, message).fix(
            "Add the groups claim on the registration the token is issued for: App registration → Token configuration → Add groups claim (Security groups, or Groups assigned to the application), format Group ID.",
        ));
    }
    out
}

/// A token about a user (ID token, or a delegated access token).
fn is_user_token(c: &Ctx<'_>) -> bool {
    matches!(c.report.kind, TokenKind::IdToken | TokenKind::AccessToken)
}

fn roles(c: &Ctx<'_>) -> Vec<Finding> {
    if !c.options.needs.roles {
        return vec![];
    }
    let has_roles = match c.jws.claims.get("roles") {
        Some(Value::Array(a)) => !a.is_empty(),
        Some(Value::String(s)) => !s.trim().is_empty(),
        _ => false,
    };
    if has_roles {
        return vec![];
    }
    let (message, fix) = if c.report.app_only {
        (
            "No roles claim: this app-only token carries no application permission of the API, and the target maps roles from it.",
            "Grant the application permission: the client's App registration → API permissions → Add a permission → My APIs → Application permissions, then Grant admin consent.",
        )
    } else {
        (
            "No roles claim, and the target maps roles from it: the user (and every group they are directly in) has no app role assignment on this app.",
            "Define the roles under App registration → App roles, then assign users or groups under Enterprise application → Users and groups (group assignment needs Entra ID P1/P2 and does not cascade to nested groups).",
        )
    };
    one(Finding::new(C::RolesAbsent, Severity::Error, message).fix(fix))
}

fn wids(c: &Ctx<'_>) -> Vec<Finding> {
    let ids: Vec<&str> = match c.jws.claims.get("wids") {
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if ids.is_empty() {
        return vec![];
    }
    let names: Vec<String> = ids
        .iter()
        .map(|id| match directory_role(id) {
            Some(r) if r.confirmed => r.name.to_string(),
            Some(r) => format!("{} — unconfirmed", r.name),
            None => format!("unknown role {id}"),
        })
        .collect();
    let mut message = format!(
        "Directory roles (wids): {}. These are tenant-wide directory role templates, emitted because groupMembershipClaims is All or DirectoryRole — not groups and not app roles (docs/entra.md#access-token-claims-reference).",
        names.join(", ")
    );
    if names.iter().any(|n| n == "Global Administrator") {
        message.push_str(
            " The user is a Global Administrator: test the sign-in with an ordinary user as well.",
        );
    }
    one(Finding::new(C::WidsPresent, Severity::Info, message))
}

fn email(c: &Ctx<'_>) -> Vec<Finding> {
    if c.report.app_only
        || !is_user_token(c)
        || is_graph_token(c.jws)
        || c.jws.claims.contains_key("email")
    {
        return vec![];
    }
    let severity = if c.options.needs.email {
        Severity::Warning
    } else {
        Severity::Info
    };
    let mut message = "No email claim: Entra sends it by default only for guests; members need the email optional claim or (v2) the email scope, and the user's Email (mail) attribute must be set (docs/entra.md#id-token-claims-reference, docs/entra.md#optional-claims-reference).".to_string();
    if let Some(p) = c.jws.claim_str("preferred_username") {
        if p.contains('@') {
            message.push_str(" preferred_username looks like an address; Grafana falls back to it, but it is a username (often the UPN), not a verified email.");
        }
    }
    one(Finding::new(C::EmailAbsent, severity, message).fix(
        "Add the email optional claim (App registration → Token configuration → Add optional claim → ID token → email), request the email scope, and set the user's Email. Never authorize on email.",
    ))
}

fn guest(c: &Ctx<'_>) -> Vec<Finding> {
    let ext = ["upn", "unique_name", "preferred_username"]
        .iter()
        .find(|claim| {
            c.jws
                .claim_str(claim)
                .is_some_and(|v| v.to_ascii_uppercase().contains("#EXT#"))
        });
    let acct_guest = c.jws.claims.get("acct").and_then(number) == Some(1);
    let reason = match (ext, acct_guest) {
        (Some(claim), _) => format!("{claim} contains #EXT#"),
        (None, true) => "acct is 1".to_string(),
        (None, false) => return vec![],
    };
    one(Finding::new(
        C::UpnGuest,
        Severity::Warning,
        format!("The user is a guest (B2B) in this tenant: {reason}. A guest's UPN looks like user_home.com#EXT#@tenant.onmicrosoft.com and is not their email address."),
    )
    .fix("Match users on oid (+ tid), not on UPN; for a readable name use email (sent by default for guests) or preferred_username. Products that match by email or UPN may create a second account for the same person."))
}

fn signature(c: &Ctx<'_>) -> Vec<Finding> {
    let f = match &c.report.signature {
        SignatureCheck::NotChecked => return vec![],
        SignatureCheck::Valid { kid, keys_from, .. } => Finding::new(
            C::SignatureValid,
            Severity::Info,
            format!("The signature is valid: key {} from {keys_from}.", kid.as_deref().unwrap_or("(no kid)")),
        ),
        SignatureCheck::Invalid { explanation, .. } => Finding::new(C::SignatureInvalid, Severity::Error, explanation.clone())
            .fix("Do not trust this token. Paste it again exactly as received; if it still fails, it was altered or minted elsewhere."),
        SignatureCheck::KidUnknown { explanation, .. } => Finding::new(C::SignatureKidUnknown, Severity::Error, explanation.clone())
            .fix("Check that the keys are those of the token's tenant and cloud (or pass --jwks with the right key set); if the app uses app-specific signing keys, fetch the keys with ?appid={client-id}; a token signed with a retired key must be replaced by a fresh one."),
        SignatureCheck::Unverifiable { reason, explanation } => {
            let fix = match reason {
                Unverifiable::GraphAccessToken => "Nothing to fix: only Microsoft Graph validates its tokens. Verify the ID token or an access token for your own API instead.",
                Unverifiable::UnsupportedAlgorithm => "Entra signs with RS256; a token with another alg was not issued by Entra.",
                Unverifiable::NoKeyLocation => "Pass the issuer's key set with --jwks FILE|URL.",
                Unverifiable::KeysUnavailable => "Check the network path to the key set (proxy, firewall, TLS inspection) or pass a saved key set with --jwks FILE.",
            };
            Finding::new(C::SignatureUnverifiable, Severity::Warning, explanation.clone()).fix(fix)
        }
    };
    one(f)
}

pub(super) fn jwe_finding(jwe: &Jwe) -> Finding {
    let field = |k: &str| {
        jwe.header
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or("?")
            .to_string()
    };
    Finding::new(
        C::InputJwe,
        Severity::Warning,
        format!(
            "An encrypted token (JWE: alg {}, enc {}): its claims cannot be read without the private key of the app it was encrypted for.",
            field("alg"),
            field("enc")
        ),
    )
    .fix("Entra encrypts tokens only for registrations with a token encryption key (tokenEncryptionKeyId) (docs/entra.md#app-manifest-microsoft-graph-format). Inspect the token after the product decrypted it, or remove the encryption key if it was not intended.")
}

pub(super) fn saml_findings(saml: &SamlSummary) -> Vec<Finding> {
    let what = if saml.is_response {
        "SAML response"
    } else {
        "SAML assertion"
    };
    let version = saml.version.as_deref().unwrap_or("unknown version");
    let content = if saml.encrypted {
        "its assertion is encrypted and cannot be read without the app's key".to_string()
    } else {
        format!("{} attribute(s) listed", saml.attributes.len())
    };
    let mut out = vec![Finding::new(
        C::InputSaml,
        Severity::Info,
        format!("A {what} (SAML {version}), not a JWT: {content}. Entrance reads SAML but does not validate it."),
    )
    .fix("The products Entrance sets up (Grafana, Keep, authentik, Camunda, OpenMetadata) use OpenID Connect: paste their ID token or access token instead. SAML apps are configured under Enterprise application → Single sign-on.")];
    if saml.has_groups_overage() {
        out.push(
            Finding::new(
                C::GroupsOverage,
                Severity::Warning,
                "The user is in more groups than fit in a SAML token (150), so Entra sent a groups.link attribute instead of the groups [SAML].",
            )
            .fix("Emit fewer groups (\"Groups assigned to the application\") or let the app read them from Microsoft Graph."),
        );
    }
    out
}

pub(super) fn authorization_code_finding() -> Finding {
    Finding::new(
        C::InputAuthorizationCode,
        Severity::Error,
        "An authorization code (the code= of a redirect), not a token: it is single-use and short-lived, and the product exchanges it at the token endpoint for tokens (docs/entra.md#authorization-code-flow).",
    )
    .fix("Paste the id_token or access_token from the token endpoint's response instead.")
}

pub(super) fn error_response_finding(error: &EntraError, codes: &[FoundCode]) -> Finding {
    let mut message = format!(
        "An error response from Entra ({}",
        error.error.as_deref().unwrap_or("no error field")
    );
    match codes.first() {
        Some(FoundCode {
            code,
            entry: Some(e),
            ..
        }) => message.push_str(&format!(", AADSTS{code}): {}", e.title)),
        Some(FoundCode {
            code, entry: None, ..
        }) => message.push_str(&format!(", AADSTS{code}): not in Entrance's catalog.")),
        None => message.push_str(&format!(
            "): {}",
            error.message().unwrap_or_else(|| "no description".into())
        )),
    }
    let fix = match codes.first() {
        Some(FoundCode { entry: Some(e), .. }) => e.fix.to_string(),
        Some(found) => format!("Look the code up at {}.", found.lookup_url),
        None => {
            "Read error_description; run `entrance explain` on it for any AADSTS code.".to_string()
        }
    };
    Finding::new(C::InputErrorResponse, Severity::Error, message).fix(fix)
}

pub(super) fn not_a_token_finding(hint: OpaqueHint) -> Finding {
    let (severity, message, fix) = match hint {
        OpaqueHint::Guid => (
            Severity::Error,
            "A GUID, not a token: perhaps a client ID, a tenant ID, an object ID — or a client secret's Secret ID, which is not the secret.",
            "If this was meant as a client secret, use the secret's Value (shown once when it is created) from Certificates & secrets.",
        ),
        OpaqueHint::ClientSecret => (
            Severity::Error,
            "This looks like a client secret value, not a token (the shape is Entrance's observation, unconfirmed). Treat it as a password.",
            "If it was shared by mistake, create a new secret under Certificates & secrets, update the product, and delete this one.",
        ),
        OpaqueHint::RefreshToken => (
            Severity::Info,
            "A refresh token: opaque by design; only Entra can read it.",
            "Nothing to inspect; the ID token and access token beside it can be.",
        ),
        OpaqueHint::AuthorizeRequest => (
            Severity::Error,
            "An authorization request URL: it asks Entra for a sign-in and carries no token.",
            "Complete the sign-in and paste the redirect URL Entra sends back (with code=, id_token= or error=), or the tokens.",
        ),
        OpaqueHint::Jwks => (
            Severity::Error,
            "A JWKS (signing keys), not a token.",
            "Use it with --jwks FILE to verify a token.",
        ),
        OpaqueHint::DecodedClaims => (
            Severity::Error,
            "A JSON object of claims: a token already decoded by another tool. Entrance needs the encoded token to check it.",
            "Paste the encoded token (it starts with eyJ).",
        ),
        OpaqueHint::OtherXml => (
            Severity::Error,
            "XML, but not SAML.",
            "Paste a token, a redirect URL, a token response or a SAML response.",
        ),
        OpaqueHint::Unknown => (
            Severity::Error,
            "Not a token Entrance can read: not a JWT (three base64url parts joined by dots), not an encrypted JWT, not SAML, not a redirect URL or token response.",
            "Paste an ID token or access token (they start with eyJ), a redirect URL, or a token endpoint response.",
        ),
    };
    Finding::new(C::InputNotAToken, severity, message).fix(fix)
}
