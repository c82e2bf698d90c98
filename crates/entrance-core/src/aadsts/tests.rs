//! The catalog walked as a table, and the parser fed Entra's real text forms.

use super::*;
use std::collections::HashSet;

/// One plausible real message per catalog code, in the form Entra writes it in
/// `error_description` and on its error page (wording after [ERR]).
const SAMPLES: &[(u32, &str)] = &[
    (16000, "AADSTS16000: User account 'ada@outlook.com' from identity provider 'live.com' does not exist in tenant 'Contoso' and cannot access the application 'c0ffee00-0000-4000-8000-000000000001'(Grafana) in that tenant. The account needs to be added as an external user in the tenant first."),
    (50011, "AADSTS50011: The redirect URI 'http://grafana.contoso.com/login/azuread' specified in the request does not match the redirect URIs configured for the application 'c0ffee00-0000-4000-8000-000000000001'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal."),
    (50012, "AADSTS50012: Client assertion contains an invalid signature. [Reason - The key was not found., Thumbprint of key used by client: 'A1B2C3']"),
    (50020, "AADSTS50020: User account 'bob@fabrikam.com' from identity provider 'https://sts.windows.net/22222222-0000-4000-8000-000000000000/' does not exist in tenant 'Contoso' and cannot access the application 'Keep' in that tenant."),
    (50034, "AADSTS50034: The user account {EUII Hidden} does not exist in the 11111111-0000-4000-8000-000000000000 directory. To sign into this application, the account must be added to the directory."),
    (50053, "AADSTS50053: The account is locked, you've tried to sign in too many times with an incorrect user ID or password."),
    (50055, "AADSTS50055: The password is expired."),
    (50057, "AADSTS50057: The user account is disabled."),
    (50058, "AADSTS50058: A silent sign-in request was sent but no user is signed in."),
    (50059, "AADSTS50059: No tenant-identifying information found in either the request or implied by any provided credentials."),
    (50076, "AADSTS50076: Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access 'c0ffee00-0000-4000-8000-000000000002'."),
    (50079, "AADSTS50079: Due to a configuration change made by your administrator, or because you moved to a new location, you must enroll in multi-factor authentication to access 'c0ffee00-0000-4000-8000-000000000002'."),
    (50105, "AADSTS50105: Your administrator has configured the application Grafana ('c0ffee00-0000-4000-8000-000000000001') to block users unless they are specifically granted ('assigned') access to the application. The signed in user 'ada@contoso.com' is blocked because they are not a direct member of a group with access, nor had access directly assigned by an administrator."),
    (50126, "AADSTS50126: Error validating credentials due to invalid username or password."),
    (50146, "AADSTS50146: This application is required to be configured with an application-specific signing key. It is either not configured with one, or the key has expired or is not yet valid."),
    (50148, "AADSTS50148: The code_verifier does not match the code_challenge supplied in the authorization request for PKCE."),
    (50158, "AADSTS50158: External security challenge not satisfied. User will be redirected to another page or authentication provider to satisfy additional authentication challenges."),
    (50173, "AADSTS50173: The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password."),
    (50194, "AADSTS50194: Application 'c0ffee00-0000-4000-8000-000000000001'(Grafana) is not configured as a multi-tenant application. Usage of the /common endpoint is not supported for such applications created after '10/15/2018'. Use a tenant-specific endpoint or configure the application to be multi-tenant."),
    (53000, "AADSTS53000: Device is not in required device state: compliant. Conditional Access policy requires a compliant device, and the device is not compliant."),
    (53003, "AADSTS53003: Access has been blocked by Conditional Access policies. The access policy does not allow token issuance."),
    (54005, "AADSTS54005: OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token."),
    (65001, "AADSTS65001: The user or administrator has not consented to use the application with ID 'c0ffee00-0000-4000-8000-000000000001' named 'Grafana'. Send an interactive authorization request for this user and resource."),
    (65004, "AADSTS65004: User declined to consent to access the app."),
    (70008, "AADSTS70008: The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource."),
    (70011, "AADSTS70011: The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid. The scope 'openid profile groups' does not exist."),
    (90002, "AADSTS90002: Tenant 'contosso.onmicrosoft.com' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud."),
    (90009, "AADSTS90009: Application 'c0ffee00-0000-4000-8000-000000000001'(Keep) is requesting a token for itself. This scenario is supported only if resource is specified using the GUID based App Identifier."),
    (90014, "AADSTS90014: The required field 'client_id' is missing from the credential. Ensure that you have all the necessary parameters for the login request."),
    (90038, "AADSTS90038: Tenant 'contoso.onmicrosoft.us' is not in the cloud instance 'microsoftonline.com'. It belongs to the national cloud 'microsoftonline.us'."),
    (90094, "AADSTS90094: The grant requires admin permission."),
    (90102, "AADSTS90102: 'redirect_uri' value must be a valid absolute URI."),
    (500011, "AADSTS500011: The resource principal named api://c0ffee00-0000-4000-8000-000000000009 was not found in the tenant named Contoso. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant."),
    (500113, "AADSTS500113: No reply address is registered for the application."),
    (501481, "AADSTS501481: The Code_Verifier does not match the code_challenge supplied in the authorization request."),
    (650056, "AADSTS650056: Misconfigured application. This could be due to one of the following: the client has not listed any permissions for 'Microsoft Graph' in the requested permissions in the client's application registration. Or, the admin has not consented in the tenant."),
    (650057, "AADSTS650057: Invalid resource. The client has requested access to a resource which is not listed in the requested permissions in the client's application registration. Client app ID: c0ffee00-0000-4000-8000-000000000001(Grafana)."),
    (650059, "AADSTS650059: The application 'Grafana' is not configured for use in this organization. It is configured for the application's home tenant only."),
    (700005, "AADSTS700005: Provided Authorization Code is intended to use against other tenant, thus rejected."),
    (700016, "AADSTS700016: Application with identifier 'c0ffee00-0000-4000-8000-00000000000f' was not found in the directory 'Contoso'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant."),
    (700025, "AADSTS700025: Client is public so neither 'client_assertion' nor 'client_secret' should be presented."),
    (700027, "AADSTS700027: Client assertion failed signature validation."),
    (700054, "AADSTS700054: response_type 'id_token' is not enabled for the application."),
    (700082, "AADSTS700082: The refresh token has expired due to inactivity. The token was issued on 2024-01-01T00:00:00Z and was inactive for 90.00:00:00."),
    (700084, "AADSTS700084: The refresh token was issued to a single page app (SPA), and therefore has a fixed, limited lifetime of 1.00:00:00, which cannot be extended."),
    (900144, "AADSTS900144: The request body must contain the following parameter: 'grant_type'."),
    (900971, "AADSTS900971: No reply address provided."),
    (901002, "AADSTS901002: The 'resource' request parameter is not supported."),
    (1000031, "AADSTS1000031: Application 'Camunda Identity' cannot be accessed at this time. Contact your administrator."),
    (7000112, "AADSTS7000112: Application 'c0ffee00-0000-4000-8000-000000000001'(Grafana) is disabled."),
    (7000215, "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app 'c0ffee00-0000-4000-8000-000000000001'."),
    (7000218, "AADSTS7000218: The request body must contain the following parameter: 'client_assertion' or 'client_secret'."),
    (7000222, "AADSTS7000222: The provided client secret keys for app 'c0ffee00-0000-4000-8000-000000000001' are expired. Visit the Azure portal to create new keys for your app."),
    (9002326, "AADSTS9002326: Cross-origin token redemption is permitted only for the 'Single-Page Application' client-type. Request origin: 'https://om.contoso.com'."),
    (9002327, "AADSTS9002327: Tokens issued for the 'Single-Page Application' client-type may only be redeemed via cross-origin requests."),

    (50000, "AADSTS50000: There was an error issuing a token or an issue with our sign-in service."),
    (50072, "AADSTS50072: User needs to enroll for second factor authentication."),
    (50074, "AADSTS50074: Strong Authentication is required."),
    (50089, "AADSTS50089: Flow token expired. Authentication failed because the sign-in page's flow is no longer valid; start the sign-in again."),
    (50140, "AADSTS50140: This error occurred due to 'Keep me signed in' interrupt when the user was signing in."),
    (53001, "AADSTS53001: Device is not in required device state: domainJoined. Conditional Access policy requires a domain joined device, and the device is not domain joined."),
    (65005, "AADSTS65005: The application 'authentik' asked for scope 'groups' that doesn't exist on the resource '00000003-0000-0000-c000-000000000000'. Contact the app vendor."),
    (70000, "AADSTS70000: The provided value for the input parameter 'redirect_uri' is not valid. The value must exactly match the redirect URI used to obtain the authorization code."),
    (70001, "AADSTS70001: Application 'c0ffee00-0000-4000-8000-000000000001' is disabled."),
    (70003, "AADSTS70003: The app requested an unsupported grant type 'password2'."),
    (70005, "AADSTS70005: response_type 'token' is not enabled for the application."),
    (70007, "AADSTS70007: The provided value 'query' for the input parameter 'response_mode' is not supported for this request."),
    (70016, "AADSTS70016: OAuth 2.0 device flow error. Authorization is pending. Continue polling."),
    (70018, "AADSTS70018: Invalid verification code due to User typing in wrong user code for device code flow."),
    (70019, "AADSTS70019: Verification code expired."),
    (90006, "AADSTS90006: The service is temporarily unavailable."),
    (90019, "AADSTS90019: No tenant-identifying information found in either the request or implied by any provided credentials."),
    (90055, "AADSTS90055: There are too many incoming requests."),
    (90072, "AADSTS90072: User account 'bob@fabrikam.com' from identity provider 'https://sts.windows.net/22222222-0000-4000-8000-000000000000/' does not exist in tenant 'Contoso' and cannot access the application in that tenant."),
    (90095, "AADSTS90095: An admin consent request may be required."),
    (90100, "AADSTS90100: The parameter 'client_id' is empty or not valid."),
    (90120, "AADSTS90120: The request was already authorized or declined."),
    (500117, "AADSTS500117: The reply uri specified in the request isn't using a secure scheme."),
    (501491, "AADSTS501491: Invalid size of Code_Challenge parameter."),
    (530032, "AADSTS530032: Blocked by security policy."),
    (650052, "AADSTS650052: The app is trying to access a service that your organization 'Contoso' lacks a service principal for."),
    (650053, "AADSTS650053: The application 'Docmost' asked for scope 'groups' that doesn't exist on the resource '00000003-0000-0000-c000-000000000000'. Contact the app vendor."),
    (700022, "AADSTS700022: The provided value for the input parameter scope is not valid because it contains more than one resource."),
    (700024, "AADSTS700024: Client assertion is not within its valid time range."),
    (900561, "AADSTS900561: The endpoint only accepts POST requests. Received a GET request."),
    (1002012, "AADSTS1002012: The provided value for scope User.Read is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI)."),
    (9001023, "AADSTS9001023: The grant type isn't supported over the /common or /consumers endpoints. Please use the /organizations or tenant-specific endpoint."),
    (9002313, "AADSTS9002313: Invalid request. Request is malformed or invalid."),
    (9002325, "AADSTS9002325: Proof Key for Code Exchange is required for cross-origin authorization code redemption."),
];

/// The codes issue 17 asks a targeted explanation for: sign-in and account
/// state, consent and permissions, registration and platform, secrets and
/// certificates, Conditional Access and devices, guests and tenants.
const SSO_SETUP_CODES: &[u32] = &[
    50034, 50053, 50055, 50057, 50072, 50074, 50076, 50079, 50126, 50140, 50173, 700082, 70008,
    54005, 50089, 65001, 65004, 65005, 90094, 90095, 650052, 650056, 650057, 500011, 500113, 50011,
    500117, 700054, 70005, 9002325, 9002326, 9002327, 7000218, 700025, 700016, 50194, 90002, 90038,
    90019, 700005, 70000, 70001, 7000112, 7000215, 7000222, 700027, 700024, 53000, 53001, 53003,
    530032, 50020, 90072, 16000,
];

/// The codes the catalog had before, from the error table the project's
/// facts were first drawn from: each must stay.
const SECTION_D: &[u32] = &[
    16000, 50011, 500113, 900971, 50012, 700027, 50020, 50034, 50058, 50076, 50079, 53003, 50105,
    50126, 50148, 501481, 50158, 50194, 54005, 65001, 65004, 650056, 650057, 70011, 700016, 500011,
    700025, 7000215, 7000218, 7000222, 700054, 70008, 700082, 700084, 700005, 90002, 90038, 90009,
    90014, 900144, 90094, 90102, 901002, 9002326, 9002327, 650059, 50173, 1000031,
];

#[test]
fn the_catalog_is_sorted_unique_complete_and_sourced() {
    assert!(CATALOG.len() >= 40, "only {} codes", CATALOG.len());
    assert!(
        CATALOG.windows(2).all(|w| w[0].code < w[1].code),
        "CATALOG must be sorted by code without duplicates (lookup binary-searches it)"
    );
    for e in CATALOG {
        assert!(
            !e.title.is_empty() && !e.cause.is_empty() && !e.fix.is_empty(),
            "{}",
            e.code
        );
        assert!(
            e.source.starts_with("docs/aadsts.md#"),
            "{} has no source in docs/aadsts.md",
            e.code
        );
        assert_eq!(
            e.lookup_url(),
            format!("https://login.microsoftonline.com/error?code={}", e.code)
        );
    }
    for code in SECTION_D {
        assert!(
            lookup(*code).is_some(),
            "code {code} missing from the catalog"
        );
    }
}

/// `docs/aadsts.md`, whose sections the catalog's `source` fields name.
const DOCS: &str = include_str!("../../../../docs/aadsts.md");

/// The GitHub-style anchor of a Markdown heading.
fn anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-')
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

#[test]
fn every_source_names_a_section_of_docs_aadsts_md_that_lists_the_code() {
    let anchors: Vec<String> = DOCS
        .lines()
        .filter_map(|l| l.strip_prefix("## ").or_else(|| l.strip_prefix("### ")))
        .map(anchor)
        .collect();
    for e in CATALOG {
        let wanted = e.source.trim_start_matches("docs/aadsts.md#");
        assert!(
            anchors.iter().any(|a| a == wanted),
            "AADSTS{}: no heading for #{wanted}",
            e.code
        );
        assert!(
            DOCS.contains(&format!("| {} |", e.code)),
            "AADSTS{} has no row with its sources in docs/aadsts.md",
            e.code
        );
    }
    assert!(anchors
        .iter()
        .any(|a| a == REFERENCE_SOURCE.trim_start_matches("docs/aadsts.md#")));
    assert!(DOCS.contains(
        REFERENCE_REVISION
            .split('@')
            .nth(1)
            .unwrap_or("?")
            .split(' ')
            .next()
            .unwrap_or("?")
    ));
}

#[test]
fn every_code_issue_17_names_has_a_targeted_explanation() {
    for code in SSO_SETUP_CODES {
        let e = lookup(*code).unwrap_or_else(|| panic!("AADSTS{code} has no targeted explanation"));
        assert!(!e.cli.is_empty(), "AADSTS{code} has no az/Graph equivalent");
        assert!(e.cause.len() > 30 && e.fix.len() > 30, "AADSTS{code}");
    }
}

#[test]
fn every_code_the_sandbox_can_send_has_a_targeted_explanation() {
    for sent in entrance_sandbox::errors::CATALOG {
        let e = lookup(sent.code).unwrap_or_else(|| {
            panic!(
                "the sandbox sends AADSTS{} and the core has no targeted explanation",
                sent.code
            )
        });
        let explained = explain(sent.code, &Situation::default());
        assert!(
            explained.targeted && explained.cause.is_some(),
            "AADSTS{}",
            sent.code
        );
        assert!(
            !e.fix.is_empty() && !e.cli.is_empty(),
            "AADSTS{}",
            sent.code
        );
    }
}

#[test]
fn every_code_of_the_recorded_reference_table_is_known_with_meaning_and_link() {
    let table = reference();
    assert!(table.len() >= 340);
    let text: String = table
        .iter()
        .map(|r| format!("AADSTS{}: something went wrong.\n", r.code))
        .collect();
    let found = find_codes(&text);
    assert_eq!(found.len(), table.len());
    for f in &found {
        assert!(f.known(), "AADSTS{} unknown", f.code);
        assert!(f.meaning().is_some_and(|m| !m.is_empty()));
        let e = explain(f.code, &Situation::default());
        assert!(e.known, "AADSTS{}", f.code);
        assert!(!e.title.contains("Not in Entrance"), "AADSTS{}", f.code);
        assert_eq!(
            e.lookup_url,
            format!("https://login.microsoftonline.com/error?code={}", f.code)
        );
    }
}

#[test]
fn the_targeted_and_reference_tables_agree_on_error_values_the_sandbox_sends() {
    for sent in entrance_sandbox::errors::CATALOG {
        if let Some(r) = reference_lookup(sent.code) {
            if let Some(error) = r.error {
                assert_eq!(error, sent.error, "AADSTS{}", sent.code);
            }
        }
    }
}

#[test]
fn text_admins_read_has_no_source_tags() {
    let names = crate::targets::names();
    for e in CATALOG {
        let notes = e.products.iter().map(|n| n.note);
        for text in [e.title, e.cause, e.fix, e.cli].into_iter().chain(notes) {
            for tag in ["§", "[ERR]", "[ACF]", "[RU]", concat!("entra", "-facts")] {
                assert!(!text.contains(tag), "AADSTS{}: {tag} in {text}", e.code);
            }
        }
        let mut seen = HashSet::new();
        for n in e.products {
            assert!(
                seen.insert(n.product),
                "AADSTS{}: two notes for {}",
                e.code,
                n.product
            );
            assert!(
                names.contains(&n.product),
                "AADSTS{}: unknown target {}",
                e.code,
                n.product
            );
        }
    }
    for r in reference() {
        assert!(!r.meaning.contains('§'), "AADSTS{}", r.code);
    }
}

#[test]
fn every_catalog_code_has_a_sample_and_every_sample_a_code() {
    let sampled: HashSet<u32> = SAMPLES.iter().map(|(c, _)| *c).collect();
    let catalog: HashSet<u32> = CATALOG.iter().map(|e| e.code).collect();
    assert_eq!(sampled, catalog);
}

#[test]
fn every_code_is_recognized_in_entras_message_form() {
    for (code, message) in SAMPLES {
        let found = find_codes(message);
        assert_eq!(found.len(), 1, "{message}");
        assert_eq!(found[0].code, *code);
        assert_eq!(found[0].entry.map(|e| e.code), Some(*code));
    }
}

#[test]
fn every_code_is_recognized_in_a_redirect_url() {
    for (code, message) in SAMPLES {
        let description = format!("{message}\r\nTrace ID: 0000aaaa-11bb-cccc-dd33-eeeeee333333\r\nCorrelation ID: aaaa0000-bb11-2222-33cc-444444dddddd\r\nTimestamp: 2024-05-01 10:00:00Z");
        let encoded: String =
            url::form_urlencoded::byte_serialize(description.as_bytes()).collect();
        let url = format!("https://grafana.contoso.com/login/azuread?error=invalid_request&error_description={encoded}&state=xyz");
        let codes: Vec<u32> = find_codes(&url).iter().map(|f| f.code).collect();
        assert_eq!(codes, [*code], "{url}");
        let parsed = EntraError::parse(&url).unwrap();
        assert_eq!(parsed.aadsts, Some(*code));
        assert_eq!(parsed.error.as_deref(), Some("invalid_request"));
        assert_eq!(
            parsed.correlation_id.as_deref(),
            Some("aaaa0000-bb11-2222-33cc-444444dddddd")
        );
    }
}

#[test]
fn every_code_is_recognized_in_an_entra_json_error_body() {
    for (code, message) in SAMPLES {
        let body = serde_json::json!({
            "error": "invalid_grant",
            "error_description": format!("{message}\r\nTrace ID: 0000aaaa-11bb-cccc-dd33-eeeeee333333\r\nCorrelation ID: aaaa0000-bb11-2222-33cc-444444dddddd\r\nTimestamp: 2024-05-01 10:00:00Z"),
            "error_codes": [code],
            "timestamp": "2024-05-01 10:00:00Z",
            "trace_id": "0000aaaa-11bb-cccc-dd33-eeeeee333333",
            "correlation_id": "aaaa0000-bb11-2222-33cc-444444dddddd",
            "error_uri": lookup_url(*code),
        })
        .to_string();
        let codes: Vec<u32> = find_codes(&body).iter().map(|f| f.code).collect();
        assert_eq!(codes, [*code]);
        let e = EntraError::parse(&body).unwrap();
        assert_eq!(e.aadsts, Some(*code));
        assert_eq!(
            e.trace_id.as_deref(),
            Some("0000aaaa-11bb-cccc-dd33-eeeeee333333")
        );
        assert_eq!(e.timestamp.as_deref(), Some("2024-05-01 10:00:00Z"));
        assert_eq!(e.error_uri, Some(lookup_url(*code)));
        assert!(e.message().is_some_and(|m| !m.starts_with("AADSTS")));
    }
}

#[test]
fn ocr_noise_and_case_do_not_hide_a_code() {
    for text in [
        "AADSTS 50011",
        "aadsts50011:",
        "Error: AADSTS-50011 The redirect URI",
        "AADSTS:  50011",
        "Sorry, but we're having trouble signing you in.\nAADSTS50011: The redirect URI",
        "https://login.microsoftonline.com/error?code=50011",
    ] {
        let codes: Vec<u32> = find_codes(text).iter().map(|f| f.code).collect();
        assert_eq!(codes, [50011], "{text}");
    }
    assert!(find_codes("AADSTS").is_empty());
    assert!(find_codes("AADSTS12").is_empty());
    assert!(find_codes("no codes here 50011").is_empty());
}

#[test]
fn several_codes_come_back_once_each_in_order_with_unknown_ones_listed() {
    let log = "t=1 AADSTS7000215: Invalid client secret\nt=2 retry AADSTS7000215\nt=3 AADSTS99999: something new\nt=4 AADSTS50011";
    let found = find_codes(log);
    let codes: Vec<u32> = found.iter().map(|f| f.code).collect();
    assert_eq!(codes, [7000215, 99999, 50011]);
    assert!(found[1].entry.is_none());
    assert_eq!(
        found[1].lookup_url,
        "https://login.microsoftonline.com/error?code=99999"
    );
}

#[test]
fn a_json_body_without_aadsts_text_still_yields_its_error_codes() {
    let body = r#"{"error":"invalid_client","error_description":"see logs","error_codes":[7000222, 50011]}"#;
    let codes: Vec<u32> = find_codes(body).iter().map(|f| f.code).collect();
    assert_eq!(codes, [7000222, 50011]);
}

#[test]
fn text_without_an_error_is_not_an_entra_error() {
    assert_eq!(
        EntraError::parse("hello"),
        Err(EntraErrorParseError::NotAnError)
    );
    assert_eq!(
        EntraError::parse(r#"{"a":1}"#),
        Err(EntraErrorParseError::NotAnError)
    );
    assert_eq!(
        EntraError::parse("https://x/cb?code=abc"),
        Err(EntraErrorParseError::NotAnError)
    );
}

#[test]
fn percent_decoding_keeps_broken_sequences() {
    assert_eq!(percent_plus_decode("a+b%20c%zz%4"), "a b c%zz%4");
    assert_eq!(percent_plus_decode("%+1"), "% 1");
}

#[test]
fn every_blade_with_a_label_uses_the_portals_words() {
    for e in CATALOG {
        if let Some(label) = e.blade.label() {
            assert!(
                label.starts_with("App registration → ")
                    || label.starts_with("Enterprise application → ")
                    || label.starts_with("Entra ID → "),
                "{label}"
            );
        }
    }
}
