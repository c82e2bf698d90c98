//! Who signs in: a public client (Mobile and desktop: no secret) or a
//! confidential one (Web: a client secret, sent in the body or as HTTP Basic)
//! — docs/entra.md#redirect-uris.

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

/// Public or confidential, as the registration's platform decides (docs/entra.md#redirect-uris).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ClientKind {
    /// Mobile and desktop applications: no secret; PKCE protects the code.
    Public,
    /// Web: the code is redeemed with the client secret.
    Confidential,
}

/// How a client secret reaches the token endpoint (RFC 6749 §2.3.1; both
/// accepted by Entra, docs/entra.md#redirect-uris).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum SecretMethod {
    /// `client_secret` in the form body (`client_secret_post`).
    #[default]
    Post,
    /// `Authorization: Basic` (`client_secret_basic`).
    Basic,
}

impl SecretMethod {
    /// The OpenID Connect name (`client_secret_post`, `client_secret_basic`).
    pub fn as_str(self) -> &'static str {
        match self {
            SecretMethod::Post => "client_secret_post",
            SecretMethod::Basic => "client_secret_basic",
        }
    }
}

/// The client's credential. Holds the secret; never serialized.
#[derive(Debug, Clone)]
pub enum ClientCredential {
    /// A public client: no secret.
    Public,
    /// A confidential client with its secret (from the keychain).
    Secret {
        secret: SecretString,
        method: SecretMethod,
        /// The name the secret is saved under, for messages (`prod-grafana`).
        label: Option<String>,
    },
}

impl ClientCredential {
    /// Public or confidential.
    pub fn kind(&self) -> ClientKind {
        match self {
            ClientCredential::Public => ClientKind::Public,
            ClientCredential::Secret { .. } => ClientKind::Confidential,
        }
    }

    /// How the client authenticates, for summaries.
    pub fn auth(&self) -> ClientAuth {
        match self {
            ClientCredential::Public => ClientAuth::None,
            ClientCredential::Secret {
                method: SecretMethod::Post,
                ..
            } => ClientAuth::ClientSecretPost,
            ClientCredential::Secret {
                method: SecretMethod::Basic,
                ..
            } => ClientAuth::ClientSecretBasic,
        }
    }

    /// The saved secret is shaped like a GUID: the Secret ID, not the Value
    /// (docs/entra.md#errors 7000215).
    pub(crate) fn secret_looks_like_id(&self) -> bool {
        match self {
            ClientCredential::Public => false,
            ClientCredential::Secret { secret, .. } => {
                crate::secrets::is_guid(secret.expose_secret().trim())
            }
        }
    }

    pub(crate) fn label(&self) -> Option<&str> {
        match self {
            ClientCredential::Secret { label, .. } => label.as_deref(),
            ClientCredential::Public => None,
        }
    }
}

/// How the client authenticated at the token endpoint (the OpenID Connect
/// `token_endpoint_auth_method` names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ClientAuth {
    /// A public client.
    None,
    ClientSecretPost,
    ClientSecretBasic,
}
