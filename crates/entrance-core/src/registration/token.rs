//! The admin's Microsoft Graph token: where it comes from and what it may do.
//!
//! Graph access tokens cannot be signature-checked by anyone but Graph
//! (docs/graph.md#tokens), so the token is only
//! decoded: who it is for, which tenant, and its permissions — `scp`
//! (delegated, space-separated) or `roles` (application). A permission an
//! action needs and the token lacks is [`Error::GraphPermissionMissing`]
//! before anything is sent. Tokens stay in memory, in a [`SecretString`].

use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use serde_json::Value;

use crate::error::{Error, Result};

/// Delegated (a signed-in admin) or application (app-only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum TokenKind {
    /// `scp`: on behalf of a signed-in user.
    Delegated,
    /// `roles`: the app itself.
    Application,
}

impl TokenKind {
    /// `delegated` or `application`.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenKind::Delegated => "delegated",
            TokenKind::Application => "application",
        }
    }
}

/// Who is connected, to which tenant, with which permissions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct Connection {
    /// The signed-in user (`upn`, `preferred_username`, `unique_name`) or
    /// the app (`app_displayname`, else its appId).
    pub who: String,
    /// The tenant ID (`tid`).
    pub tenant_id: String,
    /// The client app that obtained the token (`appid`/`azp`).
    pub client_app_id: String,
    pub kind: TokenKind,
    /// `scp` or `roles`, as the token carries them.
    pub permissions: Vec<String>,
    /// `exp`, Unix seconds.
    pub expires_at: Option<i64>,
}

/// A Graph token and what it says about itself.
pub struct GraphToken {
    secret: SecretString,
    connection: Connection,
}

impl std::fmt::Debug for GraphToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GraphToken")
            .field("connection", &self.connection)
            .finish_non_exhaustive()
    }
}

/// An action's permission: the least-privileged one, and those that also do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Permission {
    /// Named in errors.
    pub least: &'static str,
    /// Any of these will do (the least one included).
    pub any_of: &'static [&'static str],
}

/// Read an app registration and its service principal (application-get,
/// serviceprincipal-get, serviceprincipal-list-approleassignedto).
pub const READ_APPLICATIONS: Permission = Permission {
    least: "Application.Read.All",
    any_of: &[
        "Application.Read.All",
        "Application.ReadWrite.All",
        "Directory.Read.All",
        "Directory.ReadWrite.All",
    ],
};
/// Create and change registrations, secrets and service principals
/// (application-post-applications, application-update, application-addpassword,
/// serviceprincipal-post-serviceprincipals).
pub const WRITE_APPLICATIONS: Permission = Permission {
    least: "Application.ReadWrite.All",
    any_of: &["Application.ReadWrite.All", "Directory.ReadWrite.All"],
};
/// Assign users, groups and application permissions (serviceprincipal-post-approleassignedto).
pub const WRITE_ASSIGNMENTS: Permission = Permission {
    least: "AppRoleAssignment.ReadWrite.All",
    any_of: &["AppRoleAssignment.ReadWrite.All", "Directory.ReadWrite.All"],
};
/// Grant delegated consent (oauth2permissiongrant-post, oauth2permissiongrant-update).
pub const WRITE_GRANTS: Permission = Permission {
    least: "DelegatedPermissionGrant.ReadWrite.All",
    any_of: &[
        "DelegatedPermissionGrant.ReadWrite.All",
        "Directory.ReadWrite.All",
    ],
};
/// Read sign-in logs (signin-list).
pub const READ_SIGN_INS: Permission = Permission {
    least: "AuditLog.Read.All",
    any_of: &["AuditLog.Read.All"],
};

/// The delegated scopes to ask for when the admin signs in for Graph:
/// reading, or reading and changing (bare names are Microsoft Graph's).
pub fn sign_in_scopes(write: bool) -> Vec<String> {
    let mut s = vec![READ_APPLICATIONS.least.to_string()];
    if write {
        s.extend(
            [WRITE_APPLICATIONS, WRITE_ASSIGNMENTS, WRITE_GRANTS]
                .iter()
                .map(|p| p.least.to_string()),
        );
    }
    s
}

fn invalid(reason: impl Into<String>) -> Error {
    Error::InvalidInput {
        field: "Graph token".into(),
        reason: reason.into(),
        fix: Some("Use an access token for Microsoft Graph (aud https://graph.microsoft.com): `az account get-access-token --resource-type ms-graph`, or one from an app with the Graph permissions the action needs.".into()),
    }
}

impl GraphToken {
    /// Decodes (does not verify) a Graph access token.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when it is not a JWT, or not for Microsoft Graph.
    pub fn new(secret: SecretString) -> Result<GraphToken> {
        let text = secret.expose_secret().trim();
        let text = text
            .strip_prefix("Bearer ")
            .or_else(|| text.strip_prefix("bearer "))
            .unwrap_or(text)
            .trim();
        let mut parts = text.split('.');
        let (Some(_), Some(payload), Some(_), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(invalid("it is not a JWT (three dot-separated parts)"));
        };
        let claims: Value = URL_SAFE_NO_PAD
            .decode(payload.trim_end_matches('='))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .ok_or_else(|| invalid("its claims are not base64url JSON"))?;
        let aud = claims["aud"].as_str().unwrap_or_default();
        let graph_aud = aud.eq_ignore_ascii_case(crate::targets::graph_permissions::GRAPH_APP_ID)
            || url::Url::parse(aud)
                .ok()
                .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
                .is_some_and(|h| h.contains("graph"));
        if !graph_aud {
            return Err(invalid(format!(
                "its audience is {aud:?}, not Microsoft Graph"
            )));
        }
        let scopes: Vec<String> = claims["scp"]
            .as_str()
            .map(|s| s.split_whitespace().map(str::to_string).collect())
            .unwrap_or_default();
        let roles: Vec<String> = claims["roles"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|r| r.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        let kind = if claims.get("scp").is_some() {
            TokenKind::Delegated
        } else {
            TokenKind::Application
        };
        let client_app_id = claims["appid"]
            .as_str()
            .or(claims["azp"].as_str())
            .unwrap_or_default()
            .to_string();
        let who = [
            "upn",
            "preferred_username",
            "unique_name",
            "app_displayname",
        ]
        .iter()
        .find_map(|k| claims[*k].as_str())
        .unwrap_or(&client_app_id)
        .to_string();
        let connection = Connection {
            who,
            tenant_id: claims["tid"].as_str().unwrap_or_default().to_string(),
            client_app_id,
            kind,
            permissions: if kind == TokenKind::Delegated {
                scopes
            } else {
                roles
            },
            expires_at: claims["exp"].as_i64(),
        };
        Ok(GraphToken {
            secret: SecretString::from(text.to_string()),
            connection,
        })
    }

    /// Who, which tenant, which permissions.
    pub fn connection(&self) -> &Connection {
        &self.connection
    }

    /// The bearer value, for the Graph client only.
    pub(crate) fn bearer(&self) -> &str {
        self.secret.expose_secret()
    }

    /// Whether the token carries one of `p`'s permissions.
    pub fn allows(&self, p: Permission) -> bool {
        self.connection
            .permissions
            .iter()
            .any(|have| p.any_of.iter().any(|a| a.eq_ignore_ascii_case(have)))
    }

    /// [`Error::GraphPermissionMissing`] naming `p.least` unless the token allows it.
    pub fn require(&self, p: Permission, action: &str) -> Result<()> {
        if self.allows(p) {
            Ok(())
        } else {
            Err(self.missing(p, action, None))
        }
    }

    /// The typed error for a permission this token lacks (or that Graph refused).
    pub fn missing(&self, p: Permission, action: &str, detail: Option<String>) -> Error {
        Error::GraphPermissionMissing {
            permission: p.least.to_string(),
            action: action.to_string(),
            kind: self.connection.kind.as_str().to_string(),
            detail,
        }
    }

    /// `az account get-access-token --resource-type ms-graph`
    /// (docs/graph.md#tokens): the JSON's `accessToken`. The output
    /// stays in memory; the command gets 30 seconds.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when `az` is missing, not signed in, or prints
    /// something else.
    pub async fn from_azure_cli() -> Result<GraphToken> {
        let fix = "Install the Azure CLI and run `az login` (with an account that may read app registrations), or pass a token with --graph-token-env.";
        let az_invalid = |reason: String| Error::InvalidInput {
            field: "Azure CLI".into(),
            reason,
            fix: Some(fix.into()),
        };
        let run = tokio::process::Command::new("az")
            .args([
                "account",
                "get-access-token",
                "--resource-type",
                "ms-graph",
                "--output",
                "json",
            ])
            .stdin(std::process::Stdio::null())
            .kill_on_drop(true)
            .output();
        let out = tokio::time::timeout(Duration::from_secs(30), run)
            .await
            .map_err(|_| {
                az_invalid("`az account get-access-token` did not answer within 30 seconds".into())
            })?
            .map_err(|e| az_invalid(format!("`az` cannot be run: {e}")))?;
        if !out.status.success() {
            let err = String::from_utf8_lossy(&out.stderr);
            let first = err
                .lines()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("no message");
            return Err(az_invalid(format!(
                "`az account get-access-token` failed: {first}"
            )));
        }
        let v: Value = serde_json::from_slice(&out.stdout)
            .map_err(|_| az_invalid("`az account get-access-token` did not print JSON".into()))?;
        let token = v["accessToken"]
            .as_str()
            .ok_or_else(|| az_invalid("the Azure CLI's answer has no accessToken".into()))?;
        GraphToken::new(SecretString::from(token.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(claims: Value) -> SecretString {
        let h = URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256","typ":"JWT","nonce":"x"}"#);
        let p = URL_SAFE_NO_PAD.encode(claims.to_string());
        SecretString::from(format!("{h}.{p}.sig"))
    }

    #[test]
    fn an_app_only_token_reads_its_roles_and_names_what_it_lacks() {
        let t = GraphToken::new(jwt(serde_json::json!({
            "aud": "https://graph.microsoft.com", "tid": "t1", "appid": "a1",
            "app_displayname": "automation", "roles": ["Application.Read.All"], "exp": 10
        })))
        .unwrap();
        assert_eq!(t.connection().kind, TokenKind::Application);
        assert_eq!(t.connection().who, "automation");
        assert!(t.allows(READ_APPLICATIONS));
        let e = t
            .require(WRITE_APPLICATIONS, "change the registration")
            .unwrap_err();
        assert_eq!(e.code(), crate::ErrorCode::GraphPermissionMissing);
        assert!(e.to_string().contains("Application.ReadWrite.All"), "{e}");
        assert!(e.fix().unwrap().contains("Application permissions"));
    }

    #[test]
    fn a_delegated_token_reads_scp_and_a_non_graph_token_is_refused() {
        let t = GraphToken::new(jwt(serde_json::json!({
            "aud": "00000003-0000-0000-c000-000000000000", "tid": "t1", "azp": "c",
            "upn": "ada@contoso.example", "scp": "User.Read Application.ReadWrite.All"
        })))
        .unwrap();
        assert_eq!(t.connection().kind, TokenKind::Delegated);
        assert_eq!(t.connection().who, "ada@contoso.example");
        assert!(t.allows(WRITE_APPLICATIONS) && !t.allows(WRITE_GRANTS));
        let other = GraphToken::new(jwt(serde_json::json!({"aud": "api://x", "scp": "a"})));
        assert!(other
            .unwrap_err()
            .to_string()
            .contains("not Microsoft Graph"));
        assert!(GraphToken::new(SecretString::from("nope".to_string())).is_err());
        assert!(
            !format!("{t:?}").contains("eyJ"),
            "Debug never prints the token"
        );
    }
}
