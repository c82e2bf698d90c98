//! Entra's errors: the AADSTS catalog the sandbox emits (each entry with its
//! source), the token-endpoint JSON body, the redirect parameters and the
//! sign-in error page.
//!
//! Facts are data: every code the sandbox can emit is a row of [`CATALOG`]
//! with its `error` value, HTTP status and the document it rests on; a unit
//! test walks the table.

use axum::http::StatusCode;
use serde::Serialize;

use crate::clock::entra_timestamp;
use crate::html;

/// Where an AADSTS code comes from.
/// `ERR` = reference-error-codes.md, `ACF` = v2-oauth2-auth-code-flow.md,
/// `DCF` = v2-oauth2-device-code.md (docs/entra.md#microsoft-learn-pages lists them).
#[derive(Debug, Clone, Copy)]
pub struct Aadsts {
    pub code: u32,
    /// The OAuth `error` value Entra pairs with it.
    pub error: &'static str,
    /// HTTP status of the token-endpoint response.
    pub status: u16,
    /// Whether login.microsoftonline.com/error documents it (then the JSON
    /// carries `error_uri`, reference-error-codes.md).
    pub documented: bool,
    pub source: &'static str,
}

const fn e(
    code: u32,
    error: &'static str,
    status: u16,
    documented: bool,
    source: &'static str,
) -> Aadsts {
    Aadsts {
        code,
        error,
        status,
        documented,
        source,
    }
}

/// Every AADSTS code the sandbox emits.
pub const CATALOG: &[Aadsts] = &[
    e(
        16000,
        "interaction_required",
        400,
        true,
        "docs/entra.md#errors; docs/entra.md#error-codes",
    ),
    e(
        50011,
        "invalid_request",
        400,
        true,
        "docs/entra.md#errors (shown on Entra's page); RU",
    ),
    e(500011, "invalid_resource", 400, true, "docs/entra.md#errors; docs/entra.md#error-codes"),
    e(500113, "invalid_request", 400, true, "docs/entra.md#errors"),
    e(900971, "invalid_request", 400, true, "docs/entra.md#errors; docs/entra.md#error-codes"),
    e(50020, "invalid_request", 400, true, "docs/entra.md#errors; docs/entra.md#error-codes"),
    e(50034, "invalid_request", 400, true, "docs/entra.md#errors; docs/entra.md#error-codes"),
    e(
        50012,
        "invalid_client",
        401,
        true,
        "docs/entra.md#errors (certificate / client assertion)",
    ),
    e(50057, "invalid_request", 400, true, "ERR (UserDisabled)"),
    e(
        50058,
        "login_required",
        400,
        true,
        "docs/entra.md#errors; docs/entra.md#error-codes; docs/entra.md#authorization-code-flow (login_required)",
    ),
    e(
        50089,
        "invalid_grant",
        400,
        true,
        "ERR (flow token expired)",
    ),
    e(50105, "access_denied", 400, true, "docs/entra.md#errors; docs/entra.md#error-codes"),
    e(50126, "invalid_grant", 400, true, "docs/entra.md#errors; docs/entra.md#error-codes"),
    e(
        50148,
        "invalid_grant",
        400,
        true,
        "docs/entra.md#errors (50148/501481); ERR",
    ),
    e(
        501491,
        "invalid_request",
        400,
        true,
        "ERR (InvalidCodeChallengeMethodInvalidSize)",
    ),
    e(50194, "invalid_request", 400, true, "docs/entra.md#errors; docs/entra.md#error-codes"),
    e(54005, "invalid_grant", 400, true, "docs/entra.md#errors; docs/entra.md#error-codes"),
    e(
        65001,
        "consent_required",
        400,
        true,
        "docs/entra.md#errors; docs/entra.md#error-codes; docs/entra.md#authorization-code-flow (consent_required)",
    ),
    e(65004, "access_denied", 400, true, "docs/entra.md#errors; docs/entra.md#error-codes"),
    e(70000, "invalid_grant", 400, true, "ERR (InvalidGrant)"),
    e(
        70003,
        "unsupported_grant_type",
        400,
        true,
        "ERR (UnsupportedGrantType)",
    ),
    e(
        70005,
        "unsupported_response_type",
        400,
        true,
        "ERR (UnsupportedResponseType)",
    ),
    e(
        70007,
        "invalid_request",
        400,
        true,
        "ERR (UnsupportedResponseMode)",
    ),
    e(70008, "invalid_grant", 400, true, "docs/entra.md#errors; docs/entra.md#error-codes"),
    e(
        700084,
        "invalid_grant",
        400,
        true,
        "docs/entra.md#errors; docs/entra.md#error-codes; docs/entra.md#authorization-code-flow (SPA 24 h)",
    ),
    e(
        70011,
        "invalid_scope",
        400,
        true,
        "docs/entra.md#errors; docs/entra.md#error-codes; docs/entra.md#authorization-code-flow",
    ),
    e(70016, "authorization_pending", 400, true, "ERR; DCF"),
    e(
        70018,
        "invalid_request",
        400,
        true,
        "ERR (BadVerificationCode)",
    ),
    e(
        70019,
        "expired_token",
        400,
        true,
        "ERR (CodeExpired); DCF (expired_token)",
    ),
    e(700005, "invalid_grant", 400, true, "docs/entra.md#errors; docs/entra.md#error-codes"),
    e(
        700016,
        "unauthorized_client",
        400,
        true,
        "docs/entra.md#errors; docs/entra.md#error-codes; docs/entra.md#authorization-code-flow (unauthorized_client)",
    ),
    e(
        700022,
        "invalid_scope",
        400,
        true,
        "ERR (InvalidMultipleResourcesScope)",
    ),
    e(700025, "invalid_client", 401, true, "docs/entra.md#errors; docs/entra.md#error-codes"),
    e(
        700054,
        "unsupported_response_type",
        400,
        true,
        "docs/entra.md#errors; docs/entra.md#error-codes; docs/entra.md#authorization-code-flow",
    ),
    e(7000215, "invalid_client", 401, true, "docs/entra.md#errors; docs/entra.md#error-codes"),
    e(7000218, "invalid_client", 401, true, "docs/entra.md#errors; docs/entra.md#error-codes"),
    e(7000222, "invalid_client", 401, true, "docs/entra.md#errors; docs/entra.md#error-codes"),
    e(90002, "invalid_tenant", 400, true, "docs/entra.md#errors; docs/entra.md#error-codes"),
    e(90009, "invalid_request", 400, true, "docs/entra.md#errors; docs/entra.md#error-codes"),
    e(
        90100,
        "invalid_request",
        400,
        true,
        "ERR (InvalidRequestParameter)",
    ),
    e(90102, "invalid_request", 400, true, "docs/entra.md#errors; docs/entra.md#error-codes"),
    e(
        90120,
        "invalid_request",
        400,
        true,
        "ERR (InvalidDeviceFlowRequest)",
    ),
    e(900144, "invalid_request", 400, true, "docs/entra.md#errors; docs/entra.md#error-codes"),
    e(
        900561,
        "invalid_request",
        400,
        true,
        "ERR (BadResourceRequestInvalidRequest)",
    ),
    e(901002, "invalid_request", 400, true, "docs/entra.md#errors; docs/entra.md#error-codes"),
    e(9001023, "invalid_request", 400, true, "ERR"),
    e(9002313, "invalid_grant", 400, true, "ERR"),
    e(
        9002325,
        "invalid_request",
        400,
        false,
        "ACF (PKCE required for SPA redemption; code from observed Entra responses)",
    ),
    e(
        9002326,
        "invalid_request",
        400,
        false,
        "docs/entra.md#errors, docs/entra.md#redirect-uris; docs/entra.md#authorization-code-flow",
    ),
    e(
        9002327,
        "invalid_request",
        400,
        false,
        "docs/entra.md#errors, docs/entra.md#redirect-uris; docs/entra.md#authorization-code-flow",
    ),
    e(
        1002012,
        "invalid_scope",
        400,
        false,
        "observed Entra response (client credentials need `/.default`); not in ERR",
    ),
    e(
        50000,
        "server_error",
        500,
        true,
        "ERR (TokenIssuanceError); ACF (server_error)",
    ),
    e(
        90006,
        "temporarily_unavailable",
        503,
        true,
        "ERR (ExternalServerRetryableError); ACF (temporarily_unavailable)",
    ),
    e(
        90055,
        "temporarily_unavailable",
        429,
        true,
        "ERR (TenantThrottlingError)",
    ),
];

/// The catalog row of a code. Panics only for a code missing from the
/// catalog, which the unit test `every_emitted_code_is_in_the_catalog` rules out.
pub fn entry(code: u32) -> &'static Aadsts {
    match CATALOG.iter().find(|a| a.code == code) {
        Some(a) => a,
        None => panic!("AADSTS{code} is not in errors::CATALOG"),
    }
}

/// One Entra error, before it is written as JSON, redirect parameters or a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StsError {
    pub code: u32,
    pub error: &'static str,
    /// The message after `AADSTSnnnn: `.
    pub message: String,
}

/// The token-endpoint JSON error body, in Entra's key order (docs/entra.md#errors).
#[derive(Debug, Serialize)]
pub struct ErrorBody {
    pub error: String,
    pub error_description: String,
    pub error_codes: Vec<u32>,
    pub timestamp: String,
    pub trace_id: String,
    pub correlation_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_uri: Option<String>,
}

/// Per-request identifiers: Entra's trace ID, and the correlation ID (the
/// client's `client-request-id` when it sent one, as MSAL does).
/// (ERR sample / docs/entra.md#errors: `trace_id`, `correlation_id`; header mapping unconfirmed.)
#[derive(Debug, Clone)]
pub struct Trace {
    pub trace_id: String,
    pub correlation_id: String,
    pub now: i64,
}

impl Trace {
    pub fn new(correlation: Option<&str>, now: i64) -> Trace {
        let correlation_id = correlation
            .filter(|c| crate::scenario::is_guid(c))
            .map(str::to_ascii_lowercase)
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        Trace {
            trace_id: uuid::Uuid::new_v4().to_string(),
            correlation_id,
            now,
        }
    }
}

impl StsError {
    pub fn new(code: u32, message: impl Into<String>) -> StsError {
        StsError {
            code,
            error: entry(code).error,
            message: message.into(),
        }
    }

    /// Same code, another `error` value (Entra pairs some codes differently
    /// by endpoint, e.g. 65001 is `invalid_grant` at the token endpoint).
    pub fn with_error(mut self, error: &'static str) -> StsError {
        self.error = error;
        self
    }

    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(entry(self.code).status).unwrap_or(StatusCode::BAD_REQUEST)
    }

    /// `AADSTSnnnn: message\r\nTrace ID: …\r\nCorrelation ID: …\r\nTimestamp: …`
    pub fn description(&self, t: &Trace) -> String {
        format!(
            "AADSTS{}: {}\r\nTrace ID: {}\r\nCorrelation ID: {}\r\nTimestamp: {}",
            self.code,
            self.message,
            t.trace_id,
            t.correlation_id,
            entra_timestamp(t.now)
        )
    }

    pub fn error_uri(&self) -> Option<String> {
        entry(self.code)
            .documented
            .then(|| format!("https://login.microsoftonline.com/error?code={}", self.code))
    }

    /// The JSON body (docs/entra.md#errors; reference-error-codes.md sample).
    pub fn body(&self, t: &Trace) -> ErrorBody {
        ErrorBody {
            error: self.error.to_string(),
            error_description: self.description(t),
            error_codes: vec![self.code],
            timestamp: entra_timestamp(t.now),
            trace_id: t.trace_id.clone(),
            correlation_id: t.correlation_id.clone(),
            error_uri: self.error_uri(),
        }
    }

    /// Redirect parameters (`error`, `error_description`, `error_uri`); the
    /// caller adds `state` (docs/entra.md#errors; docs/entra.md#authorization-code-flow "Error response").
    pub fn redirect_params(&self, t: &Trace) -> Vec<(String, String)> {
        let mut p = vec![
            ("error".to_string(), self.error.to_string()),
            ("error_description".to_string(), self.description(t)),
        ];
        if let Some(u) = self.error_uri() {
            p.push(("error_uri".to_string(), u));
        }
        p
    }

    /// Entra's own error page ("Sorry, but we're having trouble signing you
    /// in."), used where the error must not go to the redirect URI — 50011
    /// above all (docs/entra.md#errors).
    pub fn page(&self, t: &Trace) -> String {
        let body = format!(
            r#"<h1>Sign in</h1>
<p>Sorry, but we’re having trouble signing you in.</p>
<p id="error" role="alert"><span id="error-code">AADSTS{code}</span>: {message}</p>
<dl class="trace">
<dt>Request Id</dt><dd id="trace-id">{trace}</dd>
<dt>Correlation Id</dt><dd id="correlation-id">{corr}</dd>
<dt>Timestamp</dt><dd id="timestamp">{ts}</dd>
<dt>Message</dt><dd>AADSTS{code}: {message}</dd>
</dl>
<p><a href="https://login.microsoftonline.com/error?code={code}">More about AADSTS{code}</a></p>"#,
            code = self.code,
            message = html::escape(&self.message),
            trace = t.trace_id,
            corr = t.correlation_id,
            ts = entra_timestamp(t.now),
        );
        html::page("Sign in", &body)
    }
}

// ---------------------------------------------------------------------------
// Messages. Wording follows reference-error-codes.md and the messages Entra
// returns; the text is for people only (act on `error`, docs/entra.md#errors).
// ---------------------------------------------------------------------------

impl StsError {
    /// Replaces the message (for injected or internal failures).
    pub fn with_message(mut self, message: impl Into<String>) -> StsError {
        self.message = message.into();
        self
    }
    /// 50089 — ERR: the sign-in page's flow expired or is unknown.
    pub fn flow_expired() -> StsError {
        StsError::new(50089, "Flow token expired. Authentication failed because the sign-in page's flow is no longer valid; start the sign-in again.")
    }
    /// 50012 — docs/entra.md#errors: the sandbox does not accept certificate credentials.
    pub fn assertion_not_supported() -> StsError {
        StsError::new(50012, "Authentication failed: the sandbox tenant accepts client secrets only, not client assertions.")
    }
    /// 90002 — docs/entra.md#errors.
    pub fn tenant_not_found(tenant: &str) -> StsError {
        StsError::new(90002, format!("Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant."))
    }
    /// 900144 — docs/entra.md#errors.
    pub fn missing_parameter(name: &str) -> StsError {
        StsError::new(
            900144,
            format!("The request body must contain the following parameter: '{name}'."),
        )
    }
    /// 700016 — docs/entra.md#errors.
    pub fn app_not_found(app_id: &str, tenant: &str) -> StsError {
        StsError::new(700016, format!("Application with identifier '{app_id}' was not found in the directory '{tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant."))
    }
    /// 50011 — docs/entra.md#errors; docs/entra.md#redirect-uri-restrictions.
    pub fn redirect_mismatch(uri: &str, app_id: &str) -> StsError {
        StsError::new(50011, format!("The redirect URI '{uri}' specified in the request does not match the redirect URIs configured for the application '{app_id}'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal. Navigate to https://aka.ms/redirectUriMismatchError to learn more about how to fix this."))
    }
    /// 500113 — docs/entra.md#errors.
    pub fn no_reply_address_registered() -> StsError {
        StsError::new(
            500113,
            "No reply address is registered for the application.",
        )
    }
    /// 900971 — docs/entra.md#errors.
    pub fn no_reply_address_provided() -> StsError {
        StsError::new(900971, "No reply address provided.")
    }
    /// 90102 — docs/entra.md#errors.
    pub fn not_absolute_uri(param: &str) -> StsError {
        StsError::new(
            90102,
            format!("'{param}' value must be a valid absolute URI."),
        )
    }
    /// 70011 — docs/entra.md#errors; docs/entra.md#authorization-code-flow sample.
    pub fn invalid_scope(scope: &str) -> StsError {
        StsError::new(70011, format!("The provided value for the input parameter 'scope' is not valid. The scope {scope} is not valid."))
    }
    /// 500011 — docs/entra.md#errors; docs/entra.md#error-codes.
    pub fn resource_not_found(resource: &str, tenant: &str) -> StsError {
        StsError::new(500011, format!("The resource principal named {resource} was not found in the tenant named {tenant}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant."))
    }
    /// 50105 — docs/entra.md#errors; docs/entra.md#error-codes.
    pub fn not_assigned(app_name: &str, app_id: &str, upn: &str) -> StsError {
        StsError::new(50105, format!("Your administrator has configured the application {app_name} ('{app_id}') to block users unless they are specifically granted ('assigned') access to the application. The signed in user '{upn}' is blocked because they are not a direct member of a group with access, nor had access directly assigned by an administrator. Please contact your administrator to assign access to this application."))
    }
    /// 65001 — docs/entra.md#errors; docs/entra.md#error-codes.
    pub fn consent_missing(app_id: &str, app_name: &str) -> StsError {
        StsError::new(65001, format!("The user or administrator has not consented to use the application with ID '{app_id}' named '{app_name}'. Send an interactive authorization request for this user and resource."))
    }
    /// 65004 — docs/entra.md#errors; docs/entra.md#error-codes.
    pub fn consent_declined() -> StsError {
        StsError::new(65004, "User declined to consent to access the app.")
    }
    /// 50126 — docs/entra.md#errors; docs/entra.md#error-codes.
    pub fn bad_credentials() -> StsError {
        StsError::new(
            50126,
            "Error validating credentials due to invalid username or password.",
        )
    }
    /// 50034 — docs/entra.md#errors; docs/entra.md#error-codes.
    pub fn user_not_found(upn: &str, tenant: &str) -> StsError {
        StsError::new(50034, format!("The user account {upn} does not exist in the {tenant} directory. To sign into this application, the account must be added to the directory."))
    }
    /// 50020 — docs/entra.md#errors; docs/entra.md#error-codes.
    pub fn user_from_other_tenant(
        upn: &str,
        idp: &str,
        tenant: &str,
        app_id: &str,
        app_name: &str,
    ) -> StsError {
        StsError::new(50020, format!("User account '{upn}' from identity provider '{idp}' does not exist in tenant '{tenant}' and cannot access the application '{app_id}'({app_name}) in that tenant. The account needs to be added as an external user in the tenant first. Sign out and sign in again with a different Azure Active Directory user account."))
    }
    /// 50057 — ERR.
    pub fn user_disabled() -> StsError {
        StsError::new(50057, "The user account is disabled.")
    }
    /// 50058 — docs/entra.md#errors; docs/entra.md#error-codes.
    pub fn login_required() -> StsError {
        StsError::new(
            50058,
            "A silent sign-in request was sent but no user is signed in.",
        )
    }
    /// 50194 — docs/entra.md#errors; docs/entra.md#error-codes.
    pub fn not_multi_tenant(app_id: &str, app_name: &str) -> StsError {
        StsError::new(50194, format!("Application '{app_id}'({app_name}) is not configured as a multi-tenant application. Usage of the /common endpoint is not supported for such applications created after '10/15/2018'. Use a tenant-specific endpoint or configure the application to be multi-tenant."))
    }
    /// 700054 — docs/entra.md#errors; docs/entra.md#error-codes.
    pub fn id_token_not_enabled() -> StsError {
        StsError::new(
            700054,
            "response_type 'id_token' is not enabled for the application.",
        )
    }
    /// 70005 — ERR ("response type 'token' isn't enabled for the app").
    pub fn token_not_enabled() -> StsError {
        StsError::new(
            70005,
            "response_type 'token' is not enabled for the application.",
        )
    }
    /// 70005 — ERR (unsupported response type).
    pub fn unsupported_response_type(rt: &str) -> StsError {
        StsError::new(70005, format!("The provided value for the input parameter 'response_type' is not allowed for this request. Expected value: 'code' or 'id_token' or 'token', got '{rt}'."))
    }
    /// 70007 — ERR (UnsupportedResponseMode); ACF (`query` not supported for ID tokens).
    pub fn unsupported_response_mode(mode: &str) -> StsError {
        StsError::new(70007, format!("The provided value '{mode}' for the input parameter 'response_mode' is not supported for this request."))
    }
    /// 901002 — docs/entra.md#errors; docs/entra.md#error-codes.
    pub fn resource_param_not_supported() -> StsError {
        StsError::new(901002, "The 'resource' request parameter is not supported.")
    }
    /// 90100 — ERR (InvalidRequestParameter).
    pub fn invalid_parameter(name: &str) -> StsError {
        StsError::new(
            90100,
            format!("The parameter '{name}' is empty or not valid."),
        )
    }
    /// 501491 — ERR.
    pub fn bad_code_challenge() -> StsError {
        StsError::new(501491, "Invalid size of Code_Challenge parameter.")
    }
    /// 70003 — ERR.
    pub fn unsupported_grant_type(gt: &str) -> StsError {
        StsError::new(
            70003,
            format!("The app requested an unsupported grant type '{gt}'."),
        )
    }
    /// 7000218 — docs/entra.md#errors.
    pub fn secret_required() -> StsError {
        StsError::new(7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.")
    }
    /// 7000215 — docs/entra.md#errors (also when the Secret ID is sent).
    pub fn wrong_secret(app_id: &str) -> StsError {
        StsError::new(7000215, format!("Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{app_id}'."))
    }
    /// 7000222 — docs/entra.md#errors.
    pub fn secret_expired(app_id: &str) -> StsError {
        StsError::new(7000222, format!("The provided client secret keys for app '{app_id}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds"))
    }
    /// 700025 — docs/entra.md#errors.
    pub fn public_client_with_secret() -> StsError {
        StsError::new(700025, "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.")
    }
    /// 9002326 — docs/entra.md#errors, docs/entra.md#redirect-uris.
    pub fn cross_origin_not_spa(origin: &str) -> StsError {
        StsError::new(9002326, format!("Cross-origin token redemption is permitted only for the 'Single-Page Application' client-type. Request origin: '{origin}'."))
    }
    /// 9002327 — docs/entra.md#errors, docs/entra.md#redirect-uris.
    pub fn spa_needs_cross_origin() -> StsError {
        StsError::new(9002327, "Tokens issued for the 'Single-Page Application' client-type may only be redeemed via cross-origin requests.")
    }
    /// 9002325 — ACF: PKCE is required for SPA code redemption.
    pub fn spa_needs_pkce() -> StsError {
        StsError::new(9002325, "Proof Key for Code Exchange is required for cross-origin authorization code redemption.")
    }
    /// 50148 — docs/entra.md#errors.
    pub fn pkce_mismatch() -> StsError {
        StsError::new(50148, "The code_verifier does not match the code_challenge supplied in the authorization request for PKCE.")
    }
    /// 54005 — docs/entra.md#errors.
    pub fn code_redeemed() -> StsError {
        StsError::new(54005, "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.")
    }
    /// 70008 — docs/entra.md#errors.
    pub fn grant_expired(issued: i64) -> StsError {
        StsError::new(70008, format!("The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource. The token was issued on {}.", crate::clock::iso8601(issued)))
    }
    /// 700084 — docs/entra.md#errors; docs/entra.md#authorization-code-flow.
    pub fn spa_refresh_expired(issued: i64) -> StsError {
        StsError::new(700084, format!("The refresh token was issued to a single page app (SPA), and therefore has a fixed, limited lifetime of 1.00:00:00, which cannot be extended. It is now expired and a new sign in request must be sent by the SPA to the sign in page. The token was issued on {}.", crate::clock::iso8601(issued)))
    }
    /// 700005 — docs/entra.md#errors; docs/entra.md#error-codes.
    pub fn code_other_tenant() -> StsError {
        StsError::new(
            700005,
            "Provided Authorization Code is intended to use against other tenant, thus rejected.",
        )
    }
    /// 9002313 — ERR.
    pub fn malformed_grant() -> StsError {
        StsError::new(9002313, "Invalid request. Request is malformed or invalid.")
    }
    /// 70000 — ERR (InvalidGrant): a grant presented by another client.
    pub fn grant_not_for_client() -> StsError {
        StsError::new(70000, "The provided value for the 'code' or 'refresh_token' parameter is not valid: it was issued to another client.")
    }
    /// 70000 — ERR (InvalidGrant): redirect_uri differs from the authorize request's
    /// (the code is unconfirmed; the rule is ACF's "The same redirect_uri value").
    pub fn redirect_uri_differs() -> StsError {
        StsError::new(70000, "The provided value for the input parameter 'redirect_uri' is not valid. The value must exactly match the redirect URI used to obtain the authorization code.")
    }
    /// 700022 — ERR.
    pub fn multiple_resources() -> StsError {
        StsError::new(700022, "The provided value for the input parameter scope is not valid because it contains more than one resource. Scope is not valid.")
    }
    /// 1002012 — observed Entra response.
    pub fn client_credentials_scope(scope: &str) -> StsError {
        StsError::new(1002012, format!("The provided value for scope {scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI)."))
    }
    /// 90009 — docs/entra.md#errors; docs/entra.md#error-codes.
    pub fn token_for_itself(app_id: &str, app_name: &str) -> StsError {
        StsError::new(90009, format!("Application '{app_id}'({app_name}) is requesting a token for itself. This scenario is supported only if resource is specified using the GUID based App Identifier."))
    }
    /// 9001023 — ERR.
    pub fn grant_not_on_common() -> StsError {
        StsError::new(9001023, "The grant type isn't supported over the /common or /consumers endpoints. Please use the /organizations or tenant-specific endpoint.")
    }
    /// 900561 — ERR.
    pub fn post_only(method: &str) -> StsError {
        StsError::new(
            900561,
            format!(
                "The endpoint only accepts POST, OPTIONS requests. Received a {method} request."
            ),
        )
    }
    /// 70016 — ERR; DCF (message as Entra returns it).
    pub fn authorization_pending() -> StsError {
        StsError::new(
            70016,
            "OAuth 2.0 device flow error. Authorization is pending. Continue polling.",
        )
    }
    /// 70019 — ERR; DCF `expired_token`.
    pub fn device_code_expired() -> StsError {
        StsError::new(70019, "Verification code expired.")
    }
    /// DCF `authorization_declined` (AADSTS code of Entra's response unconfirmed; 65004 = user declined).
    pub fn device_declined() -> StsError {
        StsError::new(65004, "The end user declined the authorization request.")
            .with_error("authorization_declined")
    }
    /// DCF `bad_verification_code` (AADSTS code unconfirmed; 70000 = invalid grant).
    pub fn device_code_unknown() -> StsError {
        StsError::new(
            70000,
            "The provided value for the input parameter 'device_code' is not valid.",
        )
        .with_error("bad_verification_code")
    }
    /// 70018 — ERR (the user typed a wrong code on the device sign-in page).
    pub fn user_code_wrong() -> StsError {
        StsError::new(70018, "Invalid verification code due to User typing in wrong user code for device code flow. Authorization isn't approved.")
    }
    /// 90120 — ERR.
    pub fn device_request_done() -> StsError {
        StsError::new(90120, "The request was already authorized or declined.")
    }
    /// An injected HTTP status, as the Entra error a client would see.
    pub fn injected(status: u16) -> StsError {
        match status {
            429 => StsError::new(90055, "There are too many incoming requests. (Injected by the sandbox.)"),
            503 => StsError::new(90006, "The service is temporarily unavailable. (Injected by the sandbox.)"),
            _ => StsError::new(50000, "There was an error issuing a token or an issue with our sign-in service. (Injected by the sandbox.)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn the_catalog_has_one_row_per_code_each_with_a_source() {
        let mut seen = HashSet::new();
        for a in CATALOG {
            assert!(seen.insert(a.code), "AADSTS{} twice", a.code);
            assert!(!a.source.is_empty());
            assert!(!a.error.is_empty());
            assert!(StatusCode::from_u16(a.status).is_ok());
        }
    }

    #[test]
    fn every_emitted_code_is_in_the_catalog() {
        // Each constructor resolves its row through `entry`, which panics on a
        // missing code; building them all proves the table complete.
        let all = [
            StsError::tenant_not_found("x"),
            StsError::flow_expired(),
            StsError::assertion_not_supported(),
            StsError::missing_parameter("x"),
            StsError::app_not_found("a", "t"),
            StsError::redirect_mismatch("u", "a"),
            StsError::no_reply_address_registered(),
            StsError::no_reply_address_provided(),
            StsError::not_absolute_uri("redirect_uri"),
            StsError::invalid_scope("s"),
            StsError::resource_not_found("r", "t"),
            StsError::not_assigned("n", "a", "u"),
            StsError::consent_missing("a", "n"),
            StsError::consent_declined(),
            StsError::bad_credentials(),
            StsError::user_not_found("u", "t"),
            StsError::user_from_other_tenant("u", "i", "t", "a", "n"),
            StsError::user_disabled(),
            StsError::login_required(),
            StsError::not_multi_tenant("a", "n"),
            StsError::id_token_not_enabled(),
            StsError::token_not_enabled(),
            StsError::unsupported_response_type("x"),
            StsError::unsupported_response_mode("x"),
            StsError::resource_param_not_supported(),
            StsError::invalid_parameter("x"),
            StsError::bad_code_challenge(),
            StsError::unsupported_grant_type("x"),
            StsError::secret_required(),
            StsError::wrong_secret("a"),
            StsError::secret_expired("a"),
            StsError::public_client_with_secret(),
            StsError::cross_origin_not_spa("o"),
            StsError::spa_needs_cross_origin(),
            StsError::spa_needs_pkce(),
            StsError::pkce_mismatch(),
            StsError::code_redeemed(),
            StsError::grant_expired(0),
            StsError::spa_refresh_expired(0),
            StsError::code_other_tenant(),
            StsError::malformed_grant(),
            StsError::grant_not_for_client(),
            StsError::redirect_uri_differs(),
            StsError::multiple_resources(),
            StsError::client_credentials_scope("s"),
            StsError::token_for_itself("a", "n"),
            StsError::grant_not_on_common(),
            StsError::post_only("GET"),
            StsError::authorization_pending(),
            StsError::device_code_expired(),
            StsError::device_declined(),
            StsError::device_code_unknown(),
            StsError::user_code_wrong(),
            StsError::device_request_done(),
            StsError::injected(429),
            StsError::injected(503),
            StsError::injected(500),
        ];
        assert!(all.iter().all(|e| e.code > 0));
    }

    #[test]
    fn the_body_has_entras_shape() {
        let t = Trace::new(Some("AAAA0000-BB11-2222-33CC-444444DDDDDD"), 1_452_304_932);
        let body = serde_json::to_value(StsError::invalid_scope("groups").body(&t)).expect("json");
        assert_eq!(body["error"], "invalid_scope");
        assert_eq!(body["error_codes"], serde_json::json!([70011]));
        assert_eq!(body["timestamp"], "2016-01-09 02:02:12Z");
        assert_eq!(
            body["correlation_id"],
            "aaaa0000-bb11-2222-33cc-444444dddddd"
        );
        assert_eq!(
            body["error_uri"],
            "https://login.microsoftonline.com/error?code=70011"
        );
        let d = body["error_description"].as_str().expect("description");
        assert!(d.starts_with("AADSTS70011: "));
        assert!(d.contains("\r\nTrace ID: "));
        assert!(d.contains("\r\nCorrelation ID: aaaa0000-bb11-2222-33cc-444444dddddd"));
        assert!(d.ends_with("\r\nTimestamp: 2016-01-09 02:02:12Z"));
    }
}
