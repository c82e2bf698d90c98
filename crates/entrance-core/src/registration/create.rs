//! A registration for a product from scratch, in one plan: the application
//! (redirect URIs on the right platform, app roles, groups claim, exposed
//! scope, access token version, requested permissions), its Application ID
//! URI (a second PATCH: the appId is known only once the application exists,
//! application-post-applications), the service principal, admin consent for
//! the delegated permissions, the assignment of a user or group, and a client
//! secret whose Value goes straight into the keychain.
//!
//! The registration's content comes from the same checks as the audit, run
//! on an empty registration: what the audit would ask for is what is created.

use serde_json::json;

use super::audit::{self, AuditInput, DEFAULT_ACCESS, NEW_SECRET_DAYS};
use super::graph::GraphRequest;
use super::model::{Application, ServicePrincipal};
use super::plan::{creation_body, Change, Plan};
use super::snapshot::Snapshot;
use super::token::{WRITE_APPLICATIONS, WRITE_ASSIGNMENTS, WRITE_GRANTS};
use crate::targets::PermissionKind;

/// What to create.
pub struct CreateInput<'a> {
    /// Target, inputs (base URL, audience, settings), secret name, assignee, Graph root.
    pub audit: AuditInput<'a>,
    /// The registration's display name; default: the product's.
    pub display_name: Option<&'a str>,
    /// Microsoft Graph's service principal in the tenant (for consent).
    pub graph_sp: Option<&'a ServicePrincipal>,
}

/// The creation plan.
pub fn plan(input: &CreateInput<'_>) -> Plan {
    let a = &input.audit;
    let req = a.target.requirements(a.inputs);
    let name = input
        .display_name
        .map(str::to_string)
        .unwrap_or_else(|| req.display_name.clone());
    let blank = Application {
        id: "{app.id}".into(),
        app_id: "{app.appId}".into(),
        display_name: name.clone(),
        sign_in_audience: req.audience.sign_in_audience().into(),
        ..Application::default()
    };
    let snapshot = Snapshot {
        app: Some(blank.clone()),
        graph_sp: input.graph_sp.cloned(),
        ..Snapshot::default()
    };
    // The checks fill the draft; creation sends it whole.
    let scratch = AuditInput {
        secret: None,
        assignee: None,
        product_tenant: None,
        ..*a
    };
    let (_, draft) = audit::audit(&snapshot, &scratch);
    let mut app = draft.app.clone();
    let identifier_uris = std::mem::take(&mut app.identifier_uris);
    let root = a.graph_root.trim_end_matches('/');
    let url = |p: &str| format!("{root}/v1.0{p}");
    let mut steps = vec![GraphRequest {
        method: "POST",
        url: url("/applications"),
        body: Some(creation_body(&app)),
        summary: format!("Create the app registration {name:?}"),
        permission: WRITE_APPLICATIONS,
    }];
    if !identifier_uris.is_empty() {
        steps.push(GraphRequest {
            method: "PATCH",
            url: url("/applications/{app.id}"),
            body: Some(json!({"identifierUris": identifier_uris})),
            summary: format!("Set the Application ID URI {}", identifier_uris.join(", ")),
            permission: WRITE_APPLICATIONS,
        });
    }
    steps.push(GraphRequest {
        method: "POST",
        url: url("/servicePrincipals"),
        body: Some(json!({"appId": "{app.appId}"})),
        summary: "Create the Enterprise application (service principal)".into(),
        permission: WRITE_APPLICATIONS,
    });
    let mut notes = Vec::new();
    let delegated: Vec<&str> = req
        .api_permissions
        .iter()
        .filter(|p| p.kind == PermissionKind::Delegated)
        .map(|p| p.name)
        .collect();
    match (input.graph_sp, delegated.is_empty()) {
        (_, true) => {}
        (Some(g), false) => steps.push(GraphRequest {
            method: "POST",
            url: url("/oauth2PermissionGrants"),
            body: Some(json!({"clientId": "{sp.id}", "consentType": "AllPrincipals", "resourceId": g.id, "scope": delegated.join(" ")})),
            summary: format!("Grant admin consent for {}", delegated.join(", ")),
            permission: WRITE_GRANTS,
        }),
        (None, false) => notes.push("Microsoft Graph's service principal could not be read: grant admin consent in API permissions.".into()),
    }
    match a.assignee {
        Some(principal) => {
            let role = req
                .app_roles
                .first()
                .and_then(|w| app.app_roles.iter().find(|r| r.value == w.value))
                .map(|r| r.id.clone())
                .unwrap_or_else(|| DEFAULT_ACCESS.into());
            steps.push(GraphRequest {
                method: "POST",
                url: url("/servicePrincipals/{sp.id}/appRoleAssignedTo"),
                body: Some(
                    json!({"principalId": principal, "resourceId": "{sp.id}", "appRoleId": role}),
                ),
                summary: format!("Assign {principal} to the app"),
                permission: WRITE_ASSIGNMENTS,
            });
        }
        None if req.assign_users => notes
            .push("Nobody is assigned yet: pass --assign <object ID of a user or group>.".into()),
        None => {}
    }
    if req.secret {
        match a.secret_name {
            Some(n) => {
                let end =
                    time::OffsetDateTime::from_unix_timestamp(a.now + NEW_SECRET_DAYS * 86_400)
                        .map(|t| t.date().to_string())
                        .unwrap_or_default();
                steps.push(GraphRequest {
                    method: "POST",
                    url: url("/applications/{app.id}/addPassword"),
                    body: Some(json!({"passwordCredential": {"displayName": "Entrance", "endDateTime": format!("{end}T00:00:00Z")}})),
                    summary: format!("Add a client secret (until {end}); its Value goes to the keychain as {n}"),
                    permission: WRITE_APPLICATIONS,
                });
            }
            None => notes.push(format!(
                "{} needs a client secret: pass --secret-name so its Value goes into the keychain.",
                a.target.info().display_name
            )),
        }
    }
    let mut changes: Vec<Change> = super::model::PATCHABLE
        .iter()
        .filter_map(|p| {
            let after = draft.app.property(p);
            let before = blank.property(p);
            (after != before).then(|| Change {
                property: (*p).to_string(),
                before,
                after,
            })
        })
        .collect();
    changes.insert(
        0,
        Change {
            property: "displayName".into(),
            before: serde_json::Value::Null,
            after: json!(name),
        },
    );
    Plan {
        steps,
        changes,
        notes,
    }
}
