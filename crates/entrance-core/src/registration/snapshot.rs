//! What is in the tenant: the app registration, its service principal, the
//! delegated consent granted to it, who is assigned to it, and Microsoft
//! Graph's own service principal (for permission and resource IDs).
//! Read-only; needs `Application.Read.All` (docs/graph.md#reading-a-registration).

use super::graph::GraphClient;
use super::model::{AppRoleAssignment, Application, PermissionGrant, ServicePrincipal};
use super::token::READ_APPLICATIONS;
use crate::error::{Error, Result};
use crate::targets::graph_permissions::GRAPH_APP_ID;

/// The registration as Graph shows it now.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// `None`: no registration with this appId in the token's tenant.
    pub app: Option<Application>,
    /// The Enterprise application, when it exists.
    pub sp: Option<ServicePrincipal>,
    /// Delegated consent granted to the app (`oauth2PermissionGrants`).
    pub grants: Vec<PermissionGrant>,
    /// Users and groups assigned to the app (`appRoleAssignedTo`).
    pub assignments: Vec<AppRoleAssignment>,
    /// Microsoft Graph's service principal in the tenant.
    pub graph_sp: Option<ServicePrincipal>,
}

fn parse<T: serde::de::DeserializeOwned>(v: serde_json::Value, what: &str) -> Result<T> {
    serde_json::from_value(v).map_err(|e| Error::Graph {
        action: format!("read {what}"),
        status: 200,
        detail: format!("the answer is not the expected shape: {e}"),
        fix: None,
    })
}

fn list<T: serde::de::DeserializeOwned>(
    v: Option<serde_json::Value>,
    what: &str,
) -> Result<Vec<T>> {
    match v {
        Some(mut v) => parse(v["value"].take(), what),
        None => Ok(Vec::new()),
    }
}

/// Checks the form of an Application (client) ID before it goes into a URL.
pub fn check_app_id(app_id: &str) -> Result<&str> {
    let app_id = app_id.trim();
    if crate::token::is_guid(app_id) {
        Ok(app_id)
    } else {
        Err(Error::InvalidInput {
            field: "client ID".into(),
            reason: format!("{app_id:?} is not a GUID"),
            fix: Some(
                "Copy the Application (client) ID from the app registration's Overview.".into(),
            ),
        })
    }
}

/// Reads everything the audit looks at.
///
/// # Errors
/// [`Error::GraphPermissionMissing`] when the token cannot read app
/// registrations; [`Error::Graph`] when Graph fails.
pub async fn read(client: &GraphClient, app_id: &str) -> Result<Snapshot> {
    let app_id = check_app_id(app_id)?;
    let action = "read the app registration";
    client.token().require(READ_APPLICATIONS, action)?;
    let app = match client
        .get(
            &format!("/applications(appId='{app_id}')"),
            READ_APPLICATIONS,
            action,
        )
        .await?
    {
        Some(v) => Some(parse::<Application>(v, "the application")?),
        None => None,
    };
    let sp = match client
        .get(
            &format!("/servicePrincipals(appId='{app_id}')"),
            READ_APPLICATIONS,
            action,
        )
        .await?
    {
        Some(v) => Some(parse::<ServicePrincipal>(v, "the service principal")?),
        None => None,
    };
    let (grants, assignments) = match &sp {
        Some(sp) => (
            list(
                client
                    .get(
                        &format!("/servicePrincipals/{}/oauth2PermissionGrants", sp.id),
                        READ_APPLICATIONS,
                        action,
                    )
                    .await?,
                "the consent grants",
            )?,
            list(
                client
                    .get(
                        &format!("/servicePrincipals/{}/appRoleAssignedTo", sp.id),
                        READ_APPLICATIONS,
                        action,
                    )
                    .await?,
                "the assignments",
            )?,
        ),
        None => (Vec::new(), Vec::new()),
    };
    let graph_sp = match client
        .get(
            &format!("/servicePrincipals(appId='{GRAPH_APP_ID}')?$select=id,appId,appRoles,oauth2PermissionScopes"),
            READ_APPLICATIONS,
            action,
        )
        .await?
    {
        Some(v) => Some(parse::<ServicePrincipal>(v, "Microsoft Graph's service principal")?),
        None => None,
    };
    Ok(Snapshot {
        app,
        sp,
        grants,
        assignments,
        graph_sp,
    })
}
