//! Findings: what Entrance noticed, how much it matters, and what to do.
//!
//! A finding's `code` is stable — scripts and the UI match on it — and is
//! serialized as a dotted lowercase string like [`crate::ErrorCode`]s.

use serde::Serialize;

/// How much a finding matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Worth knowing; nothing is wrong.
    Info,
    /// Likely to break a sign-in or a product's mapping.
    Warning,
    /// Wrong for the purpose given, or not usable at all.
    Error,
}

impl Severity {
    /// `info`, `warning`, `error`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

macro_rules! finding_codes {
    ($($(#[$doc:meta])* $variant:ident = $wire:literal,)*) => {
        /// Stable finding codes.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, specta::Type)]
        #[non_exhaustive]
        pub enum FindingCode {
            $($(#[$doc])* #[serde(rename = $wire)] $variant,)*
        }

        impl FindingCode {
            /// Every code, for tables and tests that walk them.
            pub const ALL: &'static [FindingCode] = &[$(FindingCode::$variant,)*];

            /// The code as it appears on the wire.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(FindingCode::$variant => $wire,)*
                }
            }
        }
    };
}

finding_codes! {
    /// The paste is an encrypted JWT (JWE): unreadable without the key.
    InputJwe = "input.jwe",
    /// The paste is SAML, not a JWT.
    InputSaml = "input.saml",
    /// The paste is not a token.
    InputNotAToken = "input.not_a_token",
    /// The paste is an authorization code, which is not a token.
    InputAuthorizationCode = "input.authorization_code",
    /// The paste is an error response from Entra.
    InputErrorResponse = "input.error_response",
    /// `exp` (plus skew) is in the past.
    TokenExpired = "token.expired",
    /// `nbf` (minus skew) is in the future.
    TokenNotYetValid = "token.not_yet_valid",
    /// A v1.0 token.
    TokenV1 = "token.v1",
    /// A Microsoft Graph access token: not for your app.
    TokenGraphAccessToken = "token.graph_access_token",
    /// The groups overflowed (`_claim_names.groups`).
    GroupsOverage = "groups.overage",
    /// `hasgroups`: groups left out of an implicit-flow token.
    GroupsHasgroups = "groups.hasgroups",
    /// A user token with no group information at all.
    GroupsAbsent = "groups.absent",
    /// No `roles`, and the target needs them.
    RolesAbsent = "roles.absent",
    /// `wids` (directory roles) present.
    WidsPresent = "wids.present",
    /// A user token without `email`.
    EmailAbsent = "email.absent",
    /// The user is a guest (`#EXT#` UPN or `acct` 1).
    UpnGuest = "upn.guest",
    /// `aud` is not the given client ID.
    AudMismatch = "aud.mismatch",
    /// The tenant in `iss` differs from `tid` or from the expected tenant.
    IssTenantMismatch = "iss.tenant_mismatch",
    /// The issuer's form (v1/v2) contradicts `ver`.
    IssVersionMismatch = "iss.version_mismatch",
    /// The signature verified against the tenant's key.
    SignatureValid = "signature.valid",
    /// The signature does not verify with the key named by `kid`.
    SignatureInvalid = "signature.invalid",
    /// No key with the token's `kid` in the key set.
    SignatureKidUnknown = "signature.kid_unknown",
    /// The signature cannot be checked (Graph token, no key location, keys unavailable…).
    SignatureUnverifiable = "signature.unverifiable",
    /// No app registration has this Application (client) ID in the tenant.
    RegistrationNotFound = "registration.not_found",
    /// A redirect URI the product sends is not registered.
    RegistrationRedirectMissing = "registration.redirect_missing",
    /// A redirect URI is registered under the wrong platform (Web / SPA / Mobile and desktop).
    RegistrationRedirectWrongPlatform = "registration.redirect_wrong_platform",
    /// An app role the product maps is not defined.
    RegistrationAppRoleMissing = "registration.app_role_missing",
    /// An app role's value differs from what the product matches (case, spaces) or it is disabled.
    RegistrationAppRoleValue = "registration.app_role_value",
    /// The groups claim the product reads is not configured.
    RegistrationGroupsClaimMissing = "registration.groups_claim_missing",
    /// `api.requestedAccessTokenVersion` is not what the product needs.
    RegistrationTokenVersion = "registration.token_version",
    /// The Application ID URI the product's scope names is missing.
    RegistrationIdentifierUriMissing = "registration.identifier_uri_missing",
    /// The scope the product requests is not exposed (Expose an API).
    RegistrationScopeMissing = "registration.scope_missing",
    /// A Microsoft Graph permission the product needs is not requested (API permissions).
    RegistrationPermissionMissing = "registration.permission_missing",
    /// Admin consent for a needed permission has not been granted.
    RegistrationConsentMissing = "registration.consent_missing",
    /// The supported account types do not allow the authority the product uses.
    RegistrationSignInAudience = "registration.sign_in_audience",
    /// ID tokens from the authorization endpoint (implicit/hybrid) are needed but off.
    RegistrationIdTokenIssuance = "registration.id_token_issuance",
    /// Assignment is required but nobody is assigned.
    RegistrationAssignmentNone = "registration.assignment_none",
    /// The client secret has expired.
    RegistrationSecretExpired = "registration.secret_expired",
    /// The client secret expires within 30 days.
    RegistrationSecretExpiring = "registration.secret_expiring",
    /// The saved secret matches none of the registration's secrets (its hint).
    RegistrationSecretHintMismatch = "registration.secret_hint_mismatch",
}

impl std::fmt::Display for FindingCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One thing Entrance noticed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct Finding {
    /// Stable code.
    pub code: FindingCode,
    /// How much it matters.
    pub severity: Severity,
    /// What Entrance noticed, in one or two sentences.
    pub message: String,
    /// What to do about it, when something is to be done.
    pub fix: Option<String>,
}

impl Finding {
    pub(crate) fn new(
        code: FindingCode,
        severity: Severity,
        message: impl Into<String>,
    ) -> Finding {
        Finding {
            code,
            severity,
            message: message.into(),
            fix: None,
        }
    }

    pub(crate) fn fix(mut self, fix: impl Into<String>) -> Finding {
        self.fix = Some(fix.into());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_are_unique_dotted_and_serialize_to_their_wire_string() {
        let mut seen = HashSet::new();
        for code in FindingCode::ALL {
            let s = code.as_str();
            assert!(seen.insert(s), "duplicate {s}");
            assert!(
                s.contains('.')
                    && s.chars().all(|c| c.is_ascii_lowercase()
                        || c.is_ascii_digit()
                        || c == '.'
                        || c == '_'),
                "{s}"
            );
            assert_eq!(serde_json::to_string(code).unwrap(), format!("\"{s}\""));
        }
    }

    #[test]
    fn severities_order_from_info_to_error() {
        assert!(Severity::Info < Severity::Warning && Severity::Warning < Severity::Error);
        assert_eq!(
            serde_json::to_string(&Severity::Warning).unwrap(),
            "\"warning\""
        );
    }
}
