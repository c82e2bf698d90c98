//! The part of Microsoft Graph's `application`, `servicePrincipal`,
//! `oauth2PermissionGrant` and `appRoleAssignment` resources the audit reads
//! and the repair writes (docs/graph.md#objects). Properties Entrance does
//! not model are kept in `extra`, so writing a collection back (app roles,
//! scopes, `web`, `api`) never drops what another product or the admin set.
//! Secret values are never part of these types: Graph returns only `hint`.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

/// `null` reads as the default (Graph sends `null` for empty complex values).
fn nullable<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// Read-only or derived properties that must not be sent back in a PATCH.
const READ_ONLY: &[&str] = &["origin", "redirectUriSettings", "@odata.type"];

fn writable(extra: &Map<String, Value>) -> Map<String, Value> {
    extra
        .iter()
        .filter(|(k, _)| !READ_ONLY.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// An app registration (application-get).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Application {
    /// The object ID.
    #[serde(default, deserialize_with = "nullable")]
    pub id: String,
    #[serde(default, deserialize_with = "nullable")]
    pub app_id: String,
    #[serde(default, deserialize_with = "nullable")]
    pub display_name: String,
    #[serde(default, deserialize_with = "nullable")]
    pub sign_in_audience: String,
    #[serde(default, deserialize_with = "nullable")]
    pub identifier_uris: Vec<String>,
    #[serde(default)]
    pub group_membership_claims: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub web: Web,
    #[serde(default, deserialize_with = "nullable")]
    pub spa: RedirectList,
    #[serde(default, deserialize_with = "nullable")]
    pub public_client: RedirectList,
    #[serde(default, deserialize_with = "nullable")]
    pub api: Api,
    #[serde(default, deserialize_with = "nullable")]
    pub app_roles: Vec<AppRole>,
    #[serde(default, deserialize_with = "nullable")]
    pub required_resource_access: Vec<RequiredResourceAccess>,
    #[serde(default)]
    pub optional_claims: Option<Value>,
    /// Never serialized back: credentials change only through addPassword/removePassword.
    #[serde(default, deserialize_with = "nullable", skip_serializing)]
    pub password_credentials: Vec<PasswordCredential>,
}

/// `web` (Authentication → Web).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Web {
    #[serde(default, deserialize_with = "nullable")]
    pub redirect_uris: Vec<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub implicit_grant_settings: ImplicitGrantSettings,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `web.implicitGrantSettings`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImplicitGrantSettings {
    #[serde(default, deserialize_with = "nullable")]
    pub enable_id_token_issuance: bool,
    #[serde(default, deserialize_with = "nullable")]
    pub enable_access_token_issuance: bool,
}

/// `spa` / `publicClient`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RedirectList {
    #[serde(default, deserialize_with = "nullable")]
    pub redirect_uris: Vec<String>,
}

/// `api` (Expose an API; the access token version).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Api {
    #[serde(default)]
    pub requested_access_token_version: Option<u8>,
    #[serde(default, deserialize_with = "nullable")]
    pub oauth2_permission_scopes: Vec<PermissionScope>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One exposed scope.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PermissionScope {
    #[serde(default, deserialize_with = "nullable")]
    pub id: String,
    #[serde(default, deserialize_with = "nullable")]
    pub value: String,
    #[serde(default, deserialize_with = "nullable")]
    pub is_enabled: bool,
    #[serde(rename = "type", default, deserialize_with = "nullable")]
    pub kind: String,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One app role.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppRole {
    #[serde(default, deserialize_with = "nullable")]
    pub id: String,
    #[serde(default, deserialize_with = "nullable")]
    pub value: String,
    #[serde(default, deserialize_with = "nullable")]
    pub display_name: String,
    #[serde(default, deserialize_with = "nullable")]
    pub is_enabled: bool,
    #[serde(default, deserialize_with = "nullable")]
    pub allowed_member_types: Vec<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// API permissions of one resource.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RequiredResourceAccess {
    pub resource_app_id: String,
    #[serde(default, deserialize_with = "nullable")]
    pub resource_access: Vec<ResourceAccess>,
}

/// One permission: `Scope` (delegated) or `Role` (application).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct ResourceAccess {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
}

/// Certificates & secrets → Client secrets: never the value.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PasswordCredential {
    #[serde(default, deserialize_with = "nullable")]
    pub key_id: String,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub hint: Option<String>,
    #[serde(default)]
    pub end_date_time: Option<String>,
}

/// The Enterprise application (serviceprincipal-get).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServicePrincipal {
    pub id: String,
    #[serde(default, deserialize_with = "nullable")]
    pub app_id: String,
    #[serde(default, deserialize_with = "nullable")]
    pub app_role_assignment_required: bool,
    #[serde(default, deserialize_with = "nullable")]
    pub app_roles: Vec<AppRole>,
    #[serde(default, deserialize_with = "nullable")]
    pub oauth2_permission_scopes: Vec<PermissionScope>,
}

/// Delegated consent (oauth2permissiongrant-get).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PermissionGrant {
    pub id: String,
    pub client_id: String,
    #[serde(default, deserialize_with = "nullable")]
    pub consent_type: String,
    #[serde(default)]
    pub principal_id: Option<String>,
    pub resource_id: String,
    #[serde(default, deserialize_with = "nullable")]
    pub scope: String,
}

impl PermissionGrant {
    /// The granted scopes.
    pub fn scopes(&self) -> Vec<&str> {
        self.scope.split_whitespace().collect()
    }
}

/// A user, group or service principal assigned to an app (approleassignment).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppRoleAssignment {
    #[serde(default, deserialize_with = "nullable")]
    pub id: String,
    pub app_role_id: String,
    pub principal_id: String,
    #[serde(default, deserialize_with = "nullable")]
    pub principal_type: String,
    #[serde(default)]
    pub principal_display_name: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub resource_id: String,
}

impl Application {
    /// The value of one top-level property as a PATCH sends it.
    pub fn property(&self, name: &str) -> Value {
        let strip = |v: Value| -> Value {
            match v {
                Value::Object(m) => Value::Object(writable(&m)),
                Value::Array(a) => Value::Array(
                    a.into_iter()
                        .map(|x| match x {
                            Value::Object(m) => Value::Object(writable(&m)),
                            o => o,
                        })
                        .collect(),
                ),
                o => o,
            }
        };
        let v = serde_json::to_value(self).unwrap_or(Value::Null);
        strip(v.get(name).cloned().unwrap_or(Value::Null))
    }
}

/// Top-level properties the repair may change, in the order a diff shows them.
pub const PATCHABLE: &[&str] = &[
    "signInAudience",
    "web",
    "spa",
    "publicClient",
    "identifierUris",
    "groupMembershipClaims",
    "appRoles",
    "api",
    "requiredResourceAccess",
    "optionalClaims",
];

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn graph_nulls_read_as_empty_and_unknown_properties_survive_a_write() {
        let app: Application = serde_json::from_value(json!({
            "id": "o", "appId": "a", "displayName": "X", "signInAudience": "AzureADMyOrg",
            "identifierUris": [], "groupMembershipClaims": null, "optionalClaims": null,
            "web": {"redirectUris": ["https://x/cb"], "homePageUrl": "https://x", "implicitGrantSettings": null,
                    "redirectUriSettings": [{"uri": "https://x/cb", "index": null}]},
            "spa": null, "publicClient": {"redirectUris": []},
            "api": {"requestedAccessTokenVersion": null, "oauth2PermissionScopes": null, "knownClientApplications": []},
            "appRoles": [{"id": "r", "value": "Viewer", "displayName": "V", "isEnabled": true,
                          "allowedMemberTypes": ["User"], "description": "d", "origin": "Application"}],
            "requiredResourceAccess": [],
            "passwordCredentials": [{"keyId": "k", "hint": "Abc", "endDateTime": "2030-01-01T00:00:00Z", "secretText": null}]
        }))
        .unwrap();
        assert!(app.spa.redirect_uris.is_empty());
        assert_eq!(app.password_credentials[0].hint.as_deref(), Some("Abc"));
        let web = app.property("web");
        assert_eq!(web["homePageUrl"], "https://x");
        assert!(
            web.get("redirectUriSettings").is_none(),
            "read-only, not sent back"
        );
        let roles = app.property("appRoles");
        assert_eq!(roles[0]["description"], "d");
        assert!(roles[0].get("origin").is_none());
        assert!(
            app.property("passwordCredentials").is_null(),
            "credentials are never written back"
        );
    }
}
