//! Every finding code, exactly where it applies: a table of scenarios, each
//! with the complete set of codes it must produce — run over hand-built
//! unsigned tokens and over the same tokens signed with the test key, and
//! verified against a JWKS file where the scenario asks.

use std::collections::BTreeSet;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use serde_json::{json, Map, Value};

use super::*;
use crate::claims::DEFAULT_MEMBER_ROLE;
use crate::findings::{FindingCode as C, Severity};
use crate::testkit::*;
use crate::verify::JwksSource;

type Claims = Map<String, Value>;

/// How a scenario's token is built.
#[derive(Clone, Copy, PartialEq)]
enum Build {
    /// Hand-built, fake signature (no crypto).
    Unsigned,
    /// RS256 with the tenant key.
    Minted,
}

struct Case {
    name: &'static str,
    input: Box<dyn Fn(Build) -> String>,
    options: InspectOptions,
    /// Verify against a JWKS file holding key A.
    verify: bool,
    expect: &'static [C],
}

fn token(header: Map<String, Value>, claims: Claims) -> impl Fn(Build) -> String {
    move |b| match b {
        Build::Unsigned => unsigned(&header, &claims),
        Build::Minted => mint(KEY_A, &header, &claims),
    }
}

fn with(mut claims: Claims, changes: Value) -> Claims {
    for (k, v) in changes.as_object().cloned().unwrap_or_default() {
        if v.is_null() {
            claims.remove(&k);
        } else {
            claims.insert(k, v);
        }
    }
    claims
}

fn id(changes: Value) -> impl Fn(Build) -> String {
    token(rs256_header(Some(KID_A)), with(id_token_v2(), changes))
}

fn at(changes: Value) -> impl Fn(Build) -> String {
    token(rs256_header(Some(KID_A)), with(access_token_v2(), changes))
}

fn text(s: String) -> impl Fn(Build) -> String {
    move |_| s.clone()
}

fn opts(f: impl FnOnce(&mut InspectOptions)) -> InspectOptions {
    let mut o = InspectOptions::default();
    f(&mut o);
    o
}

const SAML_XML: &str = r#"<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" Version="2.0"><Assertion xmlns="urn:oasis:names:tc:SAML:2.0:assertion" Version="2.0"><Issuer>https://sts.windows.net/11111111-2222-3333-4444-555555555555/</Issuer><AttributeStatement><Attribute Name="http://schemas.microsoft.com/identity/claims/tenantid"><AttributeValue>11111111-2222-3333-4444-555555555555</AttributeValue></Attribute></AttributeStatement></Assertion></samlp:Response>"#;

fn case(
    name: &'static str,
    input: Box<dyn Fn(Build) -> String>,
    options: InspectOptions,
    verify: bool,
    expect: &'static [C],
) -> Case {
    Case {
        name,
        input,
        options,
        verify,
        expect,
    }
}

fn cases() -> Vec<Case> {
    let none = InspectOptions::default;
    vec![
        // Tokens that are fine.
        case("a clean v2 ID token", Box::new(id(json!({}))), none(), false, &[]),
        case("a clean v2 delegated access token", Box::new(at(json!({}))), none(), false, &[]),
        case("an app-only access token (no user, no groups or email expected)", Box::new(at(json!({"scp": null, "email": null, "groups": null, "name": null, "preferred_username": null, "idtyp": "app", "roles": ["Tasks.ReadWrite.All"]}))), none(), false, &[]),
        case("a token expired within the skew", Box::new(id(json!({"exp": NOW - 120}))), none(), false, &[]),
        case("the client ID matching an api:// audience", Box::new(at(json!({"aud": format!("api://{CLIENT_ID}/")}))), opts(|o| o.client_id = Some(CLIENT_ID.into())), false, &[]),
        case("the expected tenant matching", Box::new(id(json!({}))), opts(|o| o.tenant = Some(TID.to_uppercase())), false, &[]),
        case("roles needed and present", Box::new(id(json!({"roles": ["Admin"]}))), opts(|o| o.needs.roles = true), false, &[]),
        // Time.
        case("an expired token", Box::new(id(json!({"exp": NOW - 3600}))), none(), false, &[C::TokenExpired]),
        case("a token from the future", Box::new(id(json!({"nbf": NOW + 3600, "iat": NOW + 3600}))), none(), false, &[C::TokenNotYetValid]),
        case("a token without nbf whose iat is in the future", Box::new(id(json!({"nbf": null, "iat": NOW + 3600}))), none(), false, &[C::TokenNotYetValid]),
        // Versions and issuers.
        case("a v1 ID token", Box::new(id(json!({"iss": v1_issuer(TID), "ver": "1.0", "upn": "ada@contoso.com"}))), none(), false, &[C::TokenV1]),
        case("a v1 access token", Box::new(at(json!({"iss": v1_issuer(TID), "ver": "1.0", "aud": format!("api://{API_ID}"), "azp": null, "azpacr": null, "appid": CLIENT_ID, "appidacr": "1"}))), none(), false, &[C::TokenV1]),
        case("a v1 issuer with ver 2.0", Box::new(id(json!({"iss": v1_issuer(TID)}))), none(), false, &[C::IssVersionMismatch]),
        case("iss and tid naming different tenants", Box::new(id(json!({"iss": v2_issuer(OTHER_TID)}))), none(), false, &[C::IssTenantMismatch]),
        case("a token from another tenant than expected", Box::new(id(json!({}))), opts(|o| o.tenant = Some(OTHER_TID.into())), false, &[C::IssTenantMismatch]),
        // Audience.
        case("an ID token for another client", Box::new(id(json!({}))), opts(|o| o.client_id = Some(API_ID.into())), false, &[C::AudMismatch]),
        case("a Microsoft Graph access token", Box::new(token(graph_header(), graph_access_token())), none(), false, &[C::TokenGraphAccessToken, C::GroupsAbsent]),
        case("a Graph access token checked against a client ID", Box::new(token(graph_header(), graph_access_token())), opts(|o| o.client_id = Some(CLIENT_ID.into())), false, &[C::TokenGraphAccessToken, C::AudMismatch, C::GroupsAbsent]),
        case("a Graph-audience token without a header nonce", Box::new(token(rs256_header(Some(KID_A)), with(access_token_v2(), json!({"aud": "https://graph.microsoft.com"})))), none(), false, &[C::TokenGraphAccessToken]),
        // Groups, roles, wids, email, guests.
        case("groups overage", Box::new(id(json!({"groups": null, "_claim_names": {"groups": "src1"}, "_claim_sources": {"src1": {"endpoint": format!("https://graph.windows.net/{TID}/users/{OID}/getMemberObjects")}}}))), none(), false, &[C::GroupsOverage]),
        case("hasgroups from the implicit flow", Box::new(id(json!({"groups": null, "hasgroups": true}))), none(), false, &[C::GroupsHasgroups]),
        case("no groups claim at all", Box::new(id(json!({"groups": null}))), none(), false, &[C::GroupsAbsent]),
        case("no groups claim, and the target needs groups", Box::new(at(json!({"groups": null}))), opts(|o| o.needs.groups = true), false, &[C::GroupsAbsent]),
        case("roles needed and absent", Box::new(id(json!({}))), opts(|o| o.needs.roles = true), false, &[C::RolesAbsent]),
        case("roles needed, app-only token without application permissions", Box::new(at(json!({"scp": null, "email": null, "groups": null, "idtyp": "app"}))), opts(|o| o.needs.roles = true), false, &[C::RolesAbsent]),
        case("directory roles in wids", Box::new(id(json!({"wids": ["62e90394-69f5-4237-9190-012177145e10", DEFAULT_MEMBER_ROLE]}))), none(), false, &[C::WidsPresent]),
        case("no email", Box::new(id(json!({"email": null}))), none(), false, &[C::EmailAbsent]),
        case("a guest UPN", Box::new(id(json!({"iss": v1_issuer(TID), "ver": "1.0", "upn": "ada_fabrikam.com#EXT#@contoso.onmicrosoft.com"}))), none(), false, &[C::TokenV1, C::UpnGuest]),
        case("a guest by acct", Box::new(id(json!({"acct": 1}))), none(), false, &[C::UpnGuest]),
        // Signatures.
        case("a valid signature", Box::new(id(json!({}))), none(), true, &[C::SignatureValid]),
        case("an altered token", Box::new(|b| {
            let t = id(json!({}))(b);
            let forged = unsigned(&rs256_header(Some(KID_A)), &with(id_token_v2(), json!({"email": "mallory@contoso.com"})));
            let mut parts: Vec<&str> = t.split('.').collect();
            let payload = forged.split('.').nth(1).unwrap_or_default().to_string();
            parts[1] = &payload;
            parts.join(".")
        }), none(), true, &[C::SignatureInvalid]),
        case("a token signed by another key under the tenant's kid", Box::new(|_| mint(KEY_B, &rs256_header(Some(KID_A)), &id_token_v2())), none(), true, &[C::SignatureInvalid]),
        case("a token whose kid is not in the key set", Box::new(|_| mint(KEY_B, &rs256_header(Some(KID_B)), &id_token_v2())), none(), true, &[C::SignatureKidUnknown]),
        case("a Graph token asked to verify", Box::new(token(graph_header(), graph_access_token())), none(), true, &[C::TokenGraphAccessToken, C::GroupsAbsent, C::SignatureUnverifiable]),
        case("an expired token that verifies", Box::new(id(json!({"exp": NOW - 3600}))), none(), true, &[C::SignatureValid, C::TokenExpired]),
        // What was pasted.
        case("an encrypted JWE", Box::new(text(format!("{}.a.b.c.d", URL_SAFE_NO_PAD.encode(r#"{"alg":"RSA-OAEP-256","enc":"A256GCM","kid":"enc"}"#)))), none(), false, &[C::InputJwe]),
        case("a SAML response", Box::new(text(SAML_XML.into())), none(), false, &[C::InputSaml]),
        case("base64 SAML with groups.link", Box::new(text(STANDARD.encode(SAML_XML.replace("identity/claims/tenantid", "claims/groups.link")))), none(), false, &[C::InputSaml, C::GroupsOverage]),
        case("an opaque string", Box::new(text("definitely not a token".into())), none(), false, &[C::InputNotAToken]),
        case("an authorization code redirect", Box::new(text("https://grafana.contoso.com/login/azuread?code=0.AXoA-abc&state=s&session_state=t".into())), none(), false, &[C::InputAuthorizationCode]),
        case("an error redirect", Box::new(text("https://grafana.contoso.com/login/azuread?error=invalid_client&error_description=AADSTS7000215%3A+Invalid+client+secret+provided.".into())), none(), false, &[C::InputErrorResponse]),
        case("a token response with an ID token and an access token", Box::new(|b| json!({"token_type": "Bearer", "id_token": id(json!({"email": null}))(b), "access_token": at(json!({}))(b)}).to_string()), none(), false, &[C::EmailAbsent]),
    ]
}

fn codes(inspection: &Inspection) -> BTreeSet<&'static str> {
    inspection.findings().map(|f| f.code.as_str()).collect()
}

fn expected(case: &Case) -> BTreeSet<&'static str> {
    case.expect.iter().map(|c| c.as_str()).collect()
}

async fn run(case: &Case, build: Build, jwks: &TempFile) -> Inspection {
    let input = (case.input)(build);
    if case.verify {
        let verify = VerifyOptions {
            jwks: Some(JwksSource::File(jwks.0.clone())),
            ..VerifyOptions::default()
        };
        inspect_and_verify(&input, &case.options, &verify, NOW).await
    } else {
        inspect_text(&input, &case.options, NOW)
    }
    .unwrap_or_else(|e| panic!("{}: {e}", case.name))
}

#[tokio::test]
async fn every_scenario_produces_exactly_its_findings_hand_built_and_minted() {
    let jwks_file = TempFile::new("inspect-cases.json", &jwks(&[(KEY_A, KID_A)]));
    let mut failures = Vec::new();
    for case in cases() {
        let builds: &[Build] = if case.verify {
            &[Build::Minted]
        } else {
            &[Build::Unsigned, Build::Minted]
        };
        for build in builds {
            let inspection = run(&case, *build, &jwks_file).await;
            let got = codes(&inspection);
            if got != expected(&case) {
                failures.push(format!(
                    "{} ({}): expected {:?}, got {:?}",
                    case.name,
                    if *build == Build::Minted {
                        "minted"
                    } else {
                        "hand-built"
                    },
                    expected(&case),
                    got
                ));
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn every_finding_code_is_expected_somewhere_in_the_table() {
    let covered: BTreeSet<&str> = cases()
        .iter()
        .flat_map(|c| c.expect.iter().map(|c| c.as_str()))
        .collect();
    // `registration.*` codes are the registration audit's; its table is
    // tests/registration_sandbox.rs (every code injected through Graph).
    let all: BTreeSet<&str> = C::ALL
        .iter()
        .map(|c| c.as_str())
        .filter(|c| !c.starts_with("registration."))
        .collect();
    assert_eq!(
        covered,
        all,
        "codes without a scenario: {:?}",
        all.difference(&covered).collect::<Vec<_>>()
    );
}

#[test]
fn severities_follow_what_the_admin_said_the_target_needs() {
    let no_groups = id(json!({"groups": null, "email": null}))(Build::Unsigned);
    let plain = inspect_text(&no_groups, &InspectOptions::default(), NOW).unwrap();
    let needs = inspect_text(
        &no_groups,
        &opts(|o| {
            o.needs = TargetNeeds {
                roles: false,
                groups: true,
                email: true,
            }
        }),
        NOW,
    )
    .unwrap();
    let sev = |i: &Inspection, c: C| i.findings().find(|f| f.code == c).map(|f| f.severity);
    assert_eq!(sev(&plain, C::GroupsAbsent), Some(Severity::Info));
    assert_eq!(sev(&needs, C::GroupsAbsent), Some(Severity::Error));
    assert_eq!(sev(&plain, C::EmailAbsent), Some(Severity::Info));
    assert_eq!(sev(&needs, C::EmailAbsent), Some(Severity::Warning));
}

#[test]
fn every_finding_has_a_message_and_every_non_info_finding_a_fix() {
    let jwks_file = TempFile::new("inspect-fixes.json", &jwks(&[(KEY_A, KID_A)]));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    for case in cases() {
        let inspection = rt.block_on(run(&case, Build::Unsigned, &jwks_file));
        for f in inspection.findings() {
            assert!(!f.message.is_empty(), "{}", case.name);
            if f.severity != Severity::Info {
                assert!(
                    f.fix.as_deref().is_some_and(|x| !x.is_empty()),
                    "{}: {} has no fix",
                    case.name,
                    f.code
                );
            }
        }
    }
}

#[test]
fn a_v2_id_token_is_described_with_kind_version_cloud_tenant_and_explanations() {
    let t = id(
        json!({"wids": ["62e90394-69f5-4237-9190-012177145e10"], "extension_costCenter": "42"}),
    )(Build::Unsigned);
    let i = inspect_text(&format!("Bearer {t}"), &InspectOptions::default(), NOW).unwrap();
    assert!(i.readable());
    assert_eq!(i.verified(), None);
    let r = &i.tokens[0];
    assert_eq!(r.kind, TokenKind::IdToken);
    assert_eq!(r.version, Some(TokenVersion::V2));
    assert_eq!(r.tenant_id.as_deref(), Some(TID));
    let issuer = r.issuer.as_ref().unwrap();
    assert_eq!(issuer.cloud, Cloud::Global);
    assert_eq!(
        issuer.jwks_url.as_deref(),
        Some(format!("https://login.microsoftonline.com/{TID}/discovery/v2.0/keys").as_str())
    );
    let claim_names: Vec<&str> = r.explanations.iter().map(|e| e.claim.as_str()).collect();
    let token_order: Vec<&str> = r
        .claims
        .as_ref()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        claim_names, token_order,
        "explanations follow the token's order"
    );
    let exp = r.explanations.iter().find(|e| e.claim == "exp").unwrap();
    assert_eq!(exp.time.as_ref().unwrap().relative, "in 55 minutes");
    let custom = r
        .explanations
        .iter()
        .find(|e| e.claim == "extension_costCenter")
        .unwrap();
    assert!(!custom.known && custom.meaning.starts_with("Custom or optional claim"));
    let wids = r.explanations.iter().find(|e| e.claim == "wids").unwrap();
    assert_eq!(wids.labels[0].label, "Global Administrator");
    assert!(matches!(r.signature, SignatureCheck::NotChecked));
}

#[test]
fn app_role_display_names_come_from_the_registration_when_given() {
    let t = id(json!({"roles": ["Editor"]}))(Build::Unsigned);
    let o = opts(|o| {
        o.app_roles = vec![AppRoleName {
            value: "Editor".into(),
            display_name: "Grafana Editor".into(),
        }]
    });
    let i = inspect_text(&t, &o, NOW).unwrap();
    let roles = i.tokens[0]
        .explanations
        .iter()
        .find(|e| e.claim == "roles")
        .unwrap();
    assert_eq!(roles.labels[0].label, "Grafana Editor");
}

#[test]
fn an_unreadable_paste_is_not_readable_and_an_error_response_lists_its_codes() {
    let i = inspect_text(
        "https://app/cb?error=access_denied&error_description=AADSTS50105%3A+not+assigned",
        &InspectOptions::default(),
        NOW,
    )
    .unwrap();
    assert!(!i.readable());
    let r = &i.tokens[0];
    assert_eq!(r.kind, TokenKind::ErrorResponse);
    assert_eq!(r.aadsts[0].code, 50105);
    assert!(
        r.findings[0].message.contains("not assigned to a role"),
        "{}",
        r.findings[0].message
    );
    assert_eq!(
        r.error.as_ref().and_then(|e| e.error.as_deref()),
        Some("access_denied")
    );
}

#[test]
fn options_are_validated() {
    let bad_tenant = opts(|o| o.tenant = Some("contoso.onmicrosoft.com".into()));
    let err = inspect_text("x", &bad_tenant, NOW).unwrap_err();
    assert!(err.to_string().starts_with("tenant:"), "{err}");
    let empty_client = opts(|o| o.client_id = Some(" ".into()));
    assert!(inspect_text("x", &empty_client, NOW).is_err());
    assert_eq!(
        opts(|o| o.skew_seconds = Some(86_400)).skew(),
        i64::from(MAX_SKEW_SECONDS)
    );
    assert_eq!(InspectOptions::default().skew(), 300);
}

#[test]
fn a_malformed_token_is_an_invalid_input_error_naming_the_segment() {
    let err = inspect_text(
        "eyJhbGciOiJSUzI1NiJ9.eyJhIjo!.c2ln",
        &InspectOptions::default(),
        NOW,
    )
    .unwrap_err();
    assert_eq!(err.code(), crate::ErrorCode::InputInvalid);
    assert!(err.to_string().contains("payload"), "{err}");
    assert!(err.fix().is_some());
}

#[tokio::test]
async fn verification_fails_when_a_verified_token_has_expired() {
    let jwks_file = TempFile::new("inspect-verified.json", &jwks(&[(KEY_A, KID_A)]));
    let verify = VerifyOptions {
        jwks: Some(JwksSource::File(jwks_file.0.clone())),
        ..VerifyOptions::default()
    };
    let good = mint(KEY_A, &rs256_header(Some(KID_A)), &id_token_v2());
    let i = inspect_and_verify(&good, &InspectOptions::default(), &verify, NOW)
        .await
        .unwrap();
    assert_eq!(i.verified(), Some(true));
    let i = inspect_and_verify(&good, &InspectOptions::default(), &verify, NOW + 7200)
        .await
        .unwrap();
    assert_eq!(i.verified(), Some(false));
}
