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
];

/// The codes of entra-facts §D's table: every row must be in the catalog.
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
            e.source.contains("§D") || e.source.contains("[ERR]") || e.source.contains("[ACF]"),
            "{} has no source",
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
            "§D code {code} missing from the catalog"
        );
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
