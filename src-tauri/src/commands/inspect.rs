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
use entrance_core::profiles::ProfileStore;
use entrance_core::secrets::SecretString;
use entrance_core::targets::{self, Target, TargetInputs, Verdict};
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
    sandbox: tauri::State<'_, super::sandbox::SandboxState>,
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
        // The running sandbox tenant is the one local issuer whose keys are
        // fetched on a token's word.
        let verify = VerifyOptions {
            local_issuers: sandbox.base_url().await.into_iter().collect(),
            ..VerifyOptions::default()
        };
        inspect::inspect_and_verify(&text, &options, &verify, now()).await
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

/// What each target product (or only `target`) will do with the tokens in a
/// paste: decoded offline, judged by the product's rules
/// ([`entrance_core::targets::verdict`]). The client and tenant IDs, when
/// given, are the ones the product is configured with. With `profile`, the
/// saved setup's product is judged with that setup's settings (e.g. Grafana's
/// allowed groups and role mapping); the form's IDs, when given, still win.
#[tauri::command]
#[specta::specta]
pub async fn inspect_verdicts(
    text: String,
    client_id: Option<String>,
    tenant: Option<String>,
    target: Option<String>,
    profile: Option<String>,
) -> Result<Vec<Verdict>, IpcError> {
    let client_id = client_id.filter(|c| !c.trim().is_empty());
    let tenant = tenant.filter(|t| !t.trim().is_empty());
    let options = InspectOptions {
        client_id: client_id.clone(),
        tenant: tenant.clone(),
        ..InspectOptions::default()
    };
    let inspection = inspect::inspect_text(&text, &options, now()).map_err(IpcError::from)?;
    let chosen: Vec<&'static dyn Target> = match target.as_deref().filter(|t| !t.trim().is_empty())
    {
        Some(name) => vec![targets::require(name).map_err(IpcError::from)?],
        None => targets::all().to_vec(),
    };
    let saved = match profile.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        Some(name) => Some(ProfileStore::open_default()?.get(name)?),
        None => None,
    };
    let mut inputs = TargetInputs::new("");
    inputs.client_id.clone_from(&client_id);
    inputs.tenant.clone_from(&tenant);
    let pairs: Vec<(&dyn Target, TargetInputs)> = chosen
        .into_iter()
        .map(|t| match &saved {
            Some(p) if p.target == t.info().name => {
                let mut own = p.inputs.clone();
                if client_id.is_some() {
                    own.client_id.clone_from(&client_id);
                }
                if tenant.is_some() {
                    own.tenant.clone_from(&tenant);
                }
                (t, own)
            }
            _ => (t, inputs.clone()),
        })
        .collect();
    Ok(targets::verdicts(&pairs, &inspection))
}
