//! The token endpoint's answer, read leniently enough for Entra's v1
//! endpoints (which send `expires_in` as a string) and for providers that
//! send no ID token; and the openidconnect client type built on it.

use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreErrorResponseType, CoreGenderClaim, CoreIdToken,
    CoreJsonWebKey, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm, CoreRevocableToken,
    CoreRevocationErrorResponse, CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    AccessToken, EmptyAdditionalClaims, EndpointMaybeSet, EndpointNotSet, IdToken,
    OAuth2TokenResponse, RefreshToken, Scope, StandardErrorResponse,
};
use serde::{Deserialize, Deserializer, Serialize};

/// The openidconnect client Entrance uses: core types, [`TokenResponse`].
pub(crate) type OidcClient<HasAuthUrl, HasDeviceAuthUrl, HasTokenUrl = EndpointMaybeSet> =
    openidconnect::Client<
        EmptyAdditionalClaims,
        CoreAuthDisplay,
        CoreGenderClaim,
        CoreJweContentEncryptionAlgorithm,
        CoreJsonWebKey,
        CoreAuthPrompt,
        StandardErrorResponse<CoreErrorResponseType>,
        TokenResponse,
        CoreTokenIntrospectionResponse,
        CoreRevocableToken,
        CoreRevocationErrorResponse,
        HasAuthUrl,
        HasDeviceAuthUrl,
        EndpointNotSet,
        EndpointNotSet,
        HasTokenUrl,
        EndpointMaybeSet,
    >;

/// A token response (RFC 6749 §5.1 + OpenID Connect `id_token`).
///
/// `Serialize` only because openidconnect's `TokenResponse` trait demands it;
/// crate-private and never serialized — the tokens leave it as
/// `SecretString`s ([`super::Tokens`]).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct TokenResponse {
    access_token: AccessToken,
    #[serde(default = "bearer", deserialize_with = "token_type")]
    token_type: CoreTokenType,
    #[serde(default, deserialize_with = "number_or_string")]
    expires_in: Option<u64>,
    #[serde(default)]
    refresh_token: Option<RefreshToken>,
    #[serde(default, deserialize_with = "space_delimited")]
    scope: Option<Vec<Scope>>,
    /// Kept as text: a token that openidconnect cannot read must not hide
    /// the rest of the answer; it is parsed (and verified) afterwards.
    #[serde(default)]
    id_token: Option<String>,
}

fn bearer() -> CoreTokenType {
    CoreTokenType::Bearer
}

fn token_type<'de, D: Deserializer<'de>>(d: D) -> Result<CoreTokenType, D::Error> {
    let s = String::deserialize(d)?;
    Ok(if s.eq_ignore_ascii_case("bearer") {
        CoreTokenType::Bearer
    } else if s.eq_ignore_ascii_case("mac") {
        CoreTokenType::Mac
    } else {
        CoreTokenType::Extension(s)
    })
}

/// Entra's v1 endpoints send `"expires_in": "3599"`.
fn number_or_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum N {
        Number(u64),
        Text(String),
    }
    Ok(match Option::<N>::deserialize(d)? {
        Some(N::Number(n)) => Some(n),
        Some(N::Text(t)) => t.trim().parse().ok(),
        None => None,
    })
}

fn space_delimited<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<Scope>>, D::Error> {
    Ok(Option::<String>::deserialize(d)?.map(|s| {
        s.split_whitespace()
            .map(|x| Scope::new(x.to_string()))
            .collect()
    }))
}

impl TokenResponse {
    /// The ID token as sent.
    pub(crate) fn id_token_text(&self) -> Option<&str> {
        self.id_token.as_deref()
    }
}

impl OAuth2TokenResponse for TokenResponse {
    type TokenType = CoreTokenType;

    fn access_token(&self) -> &AccessToken {
        &self.access_token
    }

    fn token_type(&self) -> &CoreTokenType {
        &self.token_type
    }

    fn expires_in(&self) -> Option<std::time::Duration> {
        self.expires_in.map(std::time::Duration::from_secs)
    }

    fn refresh_token(&self) -> Option<&RefreshToken> {
        self.refresh_token.as_ref()
    }

    fn scopes(&self) -> Option<&Vec<Scope>> {
        self.scope.as_ref()
    }
}

impl
    openidconnect::TokenResponse<
        EmptyAdditionalClaims,
        CoreGenderClaim,
        CoreJweContentEncryptionAlgorithm,
        CoreJwsSigningAlgorithm,
    > for TokenResponse
{
    /// Always `None`: the ID token is kept as text and parsed by
    /// [`super::id_token::verify`], so that an unreadable one is reported as
    /// such rather than as an unreadable token response.
    fn id_token(
        &self,
    ) -> Option<
        &IdToken<
            EmptyAdditionalClaims,
            CoreGenderClaim,
            CoreJweContentEncryptionAlgorithm,
            CoreJwsSigningAlgorithm,
        >,
    > {
        None
    }
}

/// Parses an ID token's compact form.
pub(crate) fn parse_id_token(text: &str) -> Result<CoreIdToken, String> {
    text.parse::<CoreIdToken>().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v1_string_lifetimes_and_space_delimited_scopes_are_read() {
        let r: TokenResponse = serde_json::from_str(
            r#"{"token_type":"Bearer","scope":"openid profile User.Read","expires_in":"3599","ext_expires_in":"3599","access_token":"a.b.c","refresh_token":"r"}"#,
        )
        .unwrap();
        assert_eq!(r.expires_in(), Some(std::time::Duration::from_secs(3599)));
        assert_eq!(r.scopes().map(Vec::len), Some(3));
        assert!(r.id_token_text().is_none());
        let r: TokenResponse =
            serde_json::from_str(r#"{"token_type":"bearer","expires_in":60,"access_token":"x"}"#)
                .unwrap();
        assert_eq!(r.expires_in(), Some(std::time::Duration::from_secs(60)));
        assert_eq!(r.token_type(), &CoreTokenType::Bearer);
    }
}
