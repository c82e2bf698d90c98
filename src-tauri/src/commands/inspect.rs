//! The Inspect page: adapters over [`entrance_core::inspect`] and
//! [`entrance_core::groups`].
//!
//! Nothing leaves the machine unless asked: [`inspect_text`] decodes offline
//! and fetches the tenant's signing keys only when `verify` is true;
//! [`resolve_groups`] calls Microsoft Graph only on the admin's click. The
//! Graph token arrives as a string and is wrapped in a [`SecretString`] at
//! once; it is never logged, stored or returned.

use entrance_core::groups::{self, GroupQuery, GroupResolution};
use entrance_core::inspect::{self, InspectOptions, Inspection};
use entrance_core::secrets::SecretString;
use entrance_core::verify::VerifyOptions;
use entrance_core::IpcError;

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Decodes and explains a paste; verifies signatures only when `verify`.
#[tauri::command]
#[specta::specta]
pub async fn inspect_text(
    text: String,
    client_id: Option<String>,
    tenant: Option<String>,
    verify: bool,
) -> Result<Inspection, IpcError> {
    let options = InspectOptions {
        client_id: client_id.filter(|c| !c.trim().is_empty()),
        tenant: tenant.filter(|t| !t.trim().is_empty()),
        ..InspectOptions::default()
    };
    let result = if verify {
        inspect::inspect_and_verify(&text, &options, &VerifyOptions::default(), now()).await
    } else {
        inspect::inspect_text(&text, &options, now())
    };
    result.map_err(IpcError::from)
}

/// Lists the token user's groups through Microsoft Graph (overage).
#[tauri::command]
#[specta::specta]
pub async fn resolve_groups(
    query: GroupQuery,
    graph_token: String,
) -> Result<GroupResolution, IpcError> {
    let token = SecretString::from(graph_token);
    groups::resolve_groups(&query, &token)
        .await
        .map_err(|e| IpcError::from(entrance_core::Error::from(e)))
}
