//! `registration audit | fix | create`: connect to the tenant with an admin's
//! Graph token, read the registration, compare it with the product, repair
//! it or create it. Changes are planned first and sent only with
//! `confirm`; after applying, the registration is read and audited again.

use secrecy::SecretString;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::login::{Authority, HttpOptions, Provider};
use crate::profiles::{Profile, ProfileStore};
use crate::registration::apply::{apply, ApplyOutcome, SecretSink};
use crate::registration::audit::{audit as run_audit, AuditInput, RegistrationFinding};
use crate::registration::create::{self, CreateInput};
use crate::registration::plan::{self, Plan};
use crate::registration::snapshot::{self, check_app_id};
use crate::registration::token::READ_APPLICATIONS;
use crate::registration::{Connection, GraphClient, GraphToken};
use crate::secrets::{SecretName, Secrets};
use crate::targets::{self, Configuration, TargetInputs};

/// Where the tenant is and what the product looks like.
#[derive(Debug, Clone, Default)]
pub struct RegistrationRequest {
    /// The target product (`grafana`).
    pub target: String,
    /// The product's inputs: base URL, tenant, client ID (not for create),
    /// cloud, audience, settings.
    pub inputs: TargetInputs,
    /// The authority the product signs in at; Graph's root comes from its
    /// discovery document's `msgraph_host` unless `graph_url` is given.
    pub authority: String,
    /// Microsoft Graph's root, when the admin names it.
    pub graph_url: Option<String>,
    /// The keychain name of the product's client secret.
    pub secret_name: Option<String>,
    /// A user or group object ID to assign (when assignment is required, and on create).
    pub assignee: Option<String>,
    /// The tenant segment the product's own configuration uses (`common`…).
    pub product_tenant: Option<String>,
    /// The display name for `create`.
    pub display_name: Option<String>,
    /// Show the new secret's Value (create/fix) — only when the admin asks.
    pub reveal_secret: bool,
    /// The saved setup profile that `create` fills with the new IDs
    /// (created when none has that name).
    pub profile: Option<String>,
}

/// What the audit found.
#[derive(Debug, Serialize)]
pub struct AuditReport {
    /// Who is connected, to which tenant, with which permissions.
    pub connection: Connection,
    pub graph_root: String,
    pub app_id: String,
    pub findings: Vec<RegistrationFinding>,
    /// The repair the findings call for (nothing sent).
    pub plan: Plan,
    /// What Entrance could not look at.
    pub notes: Vec<String>,
}

/// What the repair did.
#[derive(Debug, Serialize)]
pub struct FixReport {
    /// The audit before, with the plan.
    pub before: AuditReport,
    /// `None` without confirmation, or when there was nothing to do.
    pub applied: Option<ApplyOutcome>,
    /// The findings after applying (read again from Graph).
    pub after: Option<Vec<RegistrationFinding>>,
}

/// What the creation did.
#[derive(Debug, Serialize)]
pub struct CreateReport {
    pub connection: Connection,
    pub graph_root: String,
    /// `Some` when a registration of that name exists: it is repaired instead.
    pub existing_app_id: Option<String>,
    pub plan: Plan,
    pub applied: Option<ApplyOutcome>,
    /// The new (or existing) registration's appId.
    pub app_id: Option<String>,
    /// The audit of the result (read again from Graph).
    pub after: Option<Vec<RegistrationFinding>>,
    /// The product's configuration with the new IDs (secret as a placeholder).
    pub configuration: Option<Configuration>,
    /// The saved setup profile that now holds the new IDs.
    pub profile_saved: Option<String>,
}

/// Fills the profile `name` with the registration's IDs and the secret's
/// keychain name (a new profile for the target when none has that name).
fn save_profile(
    store: &ProfileStore,
    name: &str,
    target: &str,
    inputs: &TargetInputs,
) -> Result<String> {
    let mut profile = match store.get(name) {
        Ok(p) if p.target.eq_ignore_ascii_case(target) => p,
        Ok(p) => {
            return Err(Error::InvalidInput {
                field: "profile".into(),
                reason: format!("the profile `{name}` is for {}, not {target}", p.target),
                fix: Some(
                    "Name another profile, or create the registration for its product.".into(),
                ),
            })
        }
        Err(Error::InvalidInput { .. }) => Profile {
            name: name.to_string(),
            target: target.to_string(),
            inputs: inputs.clone(),
            steps: Default::default(),
            verdict: None,
            updated_at: 0.0,
        },
        Err(e) => return Err(e),
    };
    profile.inputs.client_id = inputs.client_id.clone();
    profile.inputs.tenant = inputs.tenant.clone().or(profile.inputs.tenant);
    if inputs.secret_name.is_some() {
        profile.inputs.secret_name = inputs.secret_name.clone();
    }
    Ok(store.save(profile)?.name)
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// Microsoft Graph's root: the admin's `--graph-url`, else the authority's
/// discovery document's `msgraph_host`, else the cloud's Graph host.
pub async fn graph_root(authority: &str, graph_url: Option<&str>) -> Result<String> {
    if let Some(g) = graph_url.map(str::trim).filter(|g| !g.is_empty()) {
        return Ok(g.trim_end_matches('/').to_string());
    }
    let authority = Authority::parse(authority).map_err(|e| Error::Login(Box::new(e)))?;
    let provider = Provider::discover(&authority, &HttpOptions::default())
        .await
        .map_err(|e| Error::Login(Box::new(e)))?;
    let entra = provider.info().entra.clone();
    let from_doc = entra
        .as_ref()
        .and_then(|e| e.msgraph_host.as_deref())
        .and_then(crate::groups::graph_base_from_msgraph_host);
    let from_cloud = entra
        .and_then(|e| e.cloud)
        .or_else(|| authority.cloud())
        .and_then(|c| url::Url::parse(&format!("https://{}", c.graph_host())).ok());
    from_doc
        .or(from_cloud)
        .map(|u| u.as_str().trim_end_matches('/').to_string())
        .ok_or_else(|| Error::InvalidInput {
            field: "authority".into(),
            reason: "its discovery document names no Microsoft Graph host (msgraph_host)".into(),
            fix: Some(
                "Pass --graph-url https://graph.microsoft.com (or your cloud's Graph host).".into(),
            ),
        })
}

fn saved_secret(
    secrets: Option<&Secrets>,
    name: Option<&str>,
    notes: &mut Vec<String>,
) -> Option<SecretString> {
    let (secrets, name) = (secrets?, name?);
    let parsed = SecretName::parse(name).ok()?;
    match secrets.get(&parsed) {
        Ok(v) => Some(v),
        Err(Error::SecretNotFound { .. }) => {
            notes.push(format!(
                "No secret is saved as {name}: its hint was not compared."
            ));
            None
        }
        Err(e) => {
            notes.push(format!(
                "The keychain could not be read ({e}): the secret's hint was not compared."
            ));
            None
        }
    }
}

fn input<'a>(
    req: &'a RegistrationRequest,
    target: &'a dyn targets::Target,
    secret: Option<&'a SecretString>,
    root: &'a str,
) -> AuditInput<'a> {
    AuditInput {
        target,
        inputs: &req.inputs,
        now: now(),
        secret,
        secret_name: req.secret_name.as_deref(),
        assignee: req.assignee.as_deref(),
        product_tenant: req.product_tenant.as_deref(),
        graph_root: root,
    }
}

async fn audit_with(
    client: &GraphClient,
    req: &RegistrationRequest,
    secrets: Option<&Secrets>,
) -> Result<AuditReport> {
    let target = targets::require(&req.target)?;
    let app_id = check_app_id(req.inputs.client_id.as_deref().unwrap_or_default())?.to_string();
    let snap = snapshot::read(client, &app_id).await?;
    let mut notes = Vec::new();
    let secret = saved_secret(secrets, req.secret_name.as_deref(), &mut notes);
    let root = client.root().to_string();
    let ai = input(req, target, secret.as_ref(), &root);
    let (findings, draft) = run_audit(&snap, &ai);
    if let Some(sp) = snap
        .sp
        .as_ref()
        .filter(|sp| sp.app_role_assignment_required)
    {
        if !snap.assignments.is_empty() {
            let who: Vec<String> = snap
                .assignments
                .iter()
                .map(|a| {
                    let name = a
                        .principal_display_name
                        .clone()
                        .unwrap_or_else(|| a.principal_id.clone());
                    match a.principal_type.as_str() {
                        "Group" => {
                            format!("{name} (group: its direct members only, not nested groups)")
                        }
                        t => format!("{name} ({})", t.to_lowercase()),
                    }
                })
                .collect();
            notes.push(format!(
                "Assignment is required for {}: only these may sign in — {}.",
                sp.app_id,
                who.join("; ")
            ));
        }
    }
    let plan = match &snap.app {
        Some(before) => plan::repair(&root, before, draft),
        None => Plan {
            steps: Vec::new(),
            changes: Vec::new(),
            notes: Vec::new(),
        },
    };
    Ok(AuditReport {
        connection: client.token().connection().clone(),
        graph_root: root,
        app_id,
        findings,
        plan,
        notes,
    })
}

/// Reads the registration and audits it. Changes nothing.
///
/// # Errors
/// Unusable input; [`Error::GraphPermissionMissing`] when the token cannot
/// read app registrations; Graph failures.
pub async fn audit(
    req: &RegistrationRequest,
    token: GraphToken,
    secrets: Option<&Secrets>,
) -> Result<AuditReport> {
    let root = graph_root(&req.authority, req.graph_url.as_deref()).await?;
    let client = GraphClient::new(&root, token)?;
    audit_with(&client, req, secrets).await
}

fn sink<'a>(
    secrets: Option<&'a Secrets>,
    req: &RegistrationRequest,
) -> Result<Option<SecretSink<'a>>> {
    match (secrets, req.secret_name.as_deref()) {
        (Some(s), Some(n)) => Ok(Some(SecretSink {
            secrets: s,
            name: SecretName::parse(n)?,
            reveal: req.reveal_secret,
        })),
        _ => Ok(None),
    }
}

/// Audits, plans the repair and — with `confirm` — applies it, then reads
/// and audits again.
///
/// # Errors
/// As [`audit`]; [`Error::GraphPermissionMissing`] before anything is sent
/// when the token lacks a permission a step needs.
pub async fn fix(
    req: &RegistrationRequest,
    token: GraphToken,
    secrets: Option<&Secrets>,
    confirm: bool,
) -> Result<FixReport> {
    let root = graph_root(&req.authority, req.graph_url.as_deref()).await?;
    let client = GraphClient::new(&root, token)?;
    let before = audit_with(&client, req, secrets).await?;
    if !confirm || before.plan.is_empty() {
        return Ok(FixReport {
            before,
            applied: None,
            after: None,
        });
    }
    let sink = sink(secrets, req)?;
    let outcome = apply(&client, &before.plan, sink.as_ref()).await?;
    let after = audit_with(&client, req, secrets).await?;
    Ok(FixReport {
        before,
        applied: Some(outcome),
        after: Some(after.findings),
    })
}

/// An existing registration with this display name (application-list, `$filter`).
async fn find_by_name(client: &GraphClient, name: &str) -> Result<Option<String>> {
    let filter = format!("displayName eq '{}'", name.replace('\'', "''"));
    let mut url = url::Url::parse(&client.url("/applications"))
        .map_err(|e| Error::Internal(e.to_string()))?;
    url.query_pairs_mut()
        .append_pair("$filter", &filter)
        .append_pair("$select", "id,appId,displayName");
    let r = client.send("GET", url.as_str(), None).await?;
    if !r.ok() {
        return Err(client.failure(&r, READ_APPLICATIONS, "look for an existing registration"));
    }
    let found: Vec<String> = r.body["value"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x["appId"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    match found.len() {
        0 => Ok(None),
        1 => Ok(found.into_iter().next()),
        n => Err(Error::InvalidInput {
            field: "name".into(),
            reason: format!("{n} app registrations are named {name:?}"),
            fix: Some("Give a unique --name, or repair one of them with `entrance registration fix --client-id`.".into()),
        }),
    }
}

/// Creates the registration for a product in one plan — or, when one of
/// that name exists, repairs it — and with `confirm` applies it, then reads
/// and audits the result and fills in the product's configuration.
///
/// # Errors
/// As [`fix`].
pub async fn create(
    req: &RegistrationRequest,
    token: GraphToken,
    secrets: Option<&Secrets>,
    profiles: Option<&ProfileStore>,
    confirm: bool,
) -> Result<CreateReport> {
    let target = targets::require(&req.target)?;
    let root = graph_root(&req.authority, req.graph_url.as_deref()).await?;
    let client = GraphClient::new(&root, token)?;
    client
        .token()
        .require(READ_APPLICATIONS, "look for an existing registration")?;
    let name = req
        .display_name
        .clone()
        .unwrap_or_else(|| target.requirements(&req.inputs).display_name);
    let connection = client.token().connection().clone();
    let mut tenant_inputs = req.inputs.clone();
    if tenant_inputs.tenant.is_none() && !connection.tenant_id.is_empty() {
        tenant_inputs.tenant = Some(connection.tenant_id.clone());
    }
    if let Some(existing) = find_by_name(&client, &name).await? {
        let mut r = req.clone();
        r.inputs = tenant_inputs.clone();
        r.inputs.client_id = Some(existing.clone());
        let report = fix(
            &r,
            GraphToken::new(SecretString::from(client.token().bearer().to_string()))?,
            secrets,
            confirm,
        )
        .await?;
        let mut inputs = tenant_inputs;
        inputs.client_id = Some(existing.clone());
        inputs.secret_name = req.secret_name.clone();
        let profile_saved = match (confirm, profiles, req.profile.as_deref()) {
            (true, Some(store), Some(name)) => {
                Some(save_profile(store, name, target.info().name, &inputs)?)
            }
            _ => None,
        };
        return Ok(CreateReport {
            connection,
            graph_root: root,
            existing_app_id: Some(existing.clone()),
            plan: report.before.plan,
            applied: report.applied,
            app_id: Some(existing),
            after: report.after.or(Some(report.before.findings)),
            configuration: Some(target.configuration(&inputs, None)),
            profile_saved,
        });
    }
    let graph_sp = client
        .get(
            &format!(
                "/servicePrincipals(appId='{}')",
                targets::graph_permissions::GRAPH_APP_ID
            ),
            READ_APPLICATIONS,
            "read Microsoft Graph's service principal",
        )
        .await?
        .and_then(|v| serde_json::from_value(v).ok());
    let ai = input(req, target, None, &root);
    let ai = AuditInput {
        inputs: &tenant_inputs,
        ..ai
    };
    let plan = create::plan(&CreateInput {
        audit: ai,
        display_name: Some(&name),
        graph_sp: graph_sp.as_ref(),
    });
    if !confirm {
        return Ok(CreateReport {
            connection,
            graph_root: root,
            existing_app_id: None,
            plan,
            applied: None,
            app_id: None,
            after: None,
            configuration: None,
            profile_saved: None,
        });
    }
    let sink = sink(secrets, req)?;
    let outcome = apply(&client, &plan, sink.as_ref()).await?;
    let app_id = outcome.app_id.clone();
    let (after, configuration, profile_saved) = match &app_id {
        Some(id) if outcome.failed.is_none() => {
            let mut r = req.clone();
            r.inputs = tenant_inputs.clone();
            r.inputs.client_id = Some(id.clone());
            r.inputs.secret_name = req.secret_name.clone();
            let report = audit_with(&client, &r, secrets).await?;
            let saved = match (profiles, req.profile.as_deref()) {
                (Some(store), Some(name)) => {
                    Some(save_profile(store, name, target.info().name, &r.inputs)?)
                }
                _ => None,
            };
            (
                Some(report.findings),
                Some(target.configuration(&r.inputs, None)),
                saved,
            )
        }
        _ => (None, None, None),
    };
    Ok(CreateReport {
        connection,
        graph_root: root,
        existing_app_id: None,
        plan,
        applied: Some(outcome),
        app_id,
        after,
        configuration,
        profile_saved,
    })
}

/// The app's sign-ins as the tenant recorded them.
#[derive(Debug, Serialize)]
pub struct SignInsReport {
    pub connection: Connection,
    pub graph_root: String,
    pub app_id: String,
    /// The start of the window (ISO 8601 UTC).
    pub since: String,
    /// Failures first, each explained.
    pub sign_ins: Vec<crate::registration::signins::SignIn>,
}

/// Reads the app's sign-ins of the last `hours` hours from the tenant's
/// sign-in logs (`GET /auditLogs/signIns`, docs/graph.md#sign-in-logs).
///
/// # Errors
/// [`Error::GraphPermissionMissing`] without `AuditLog.Read.All`;
/// [`Error::GraphLicenceMissing`] for a tenant without Entra ID P1/P2.
pub async fn signins(
    req: &RegistrationRequest,
    token: GraphToken,
    hours: u32,
) -> Result<SignInsReport> {
    let app_id = check_app_id(req.inputs.client_id.as_deref().unwrap_or_default())?.to_string();
    let root = graph_root(&req.authority, req.graph_url.as_deref()).await?;
    let client = GraphClient::new(&root, token)?;
    let since_unix = now() - i64::from(hours) * 3600;
    let product = targets::by_name(&req.target).map(|_| req.target.as_str());
    let sign_ins =
        crate::registration::signins::read(&client, &app_id, since_unix, product).await?;
    Ok(SignInsReport {
        connection: client.token().connection().clone(),
        graph_root: root,
        app_id,
        since: crate::registration::signins::iso(since_unix),
        sign_ins,
    })
}

/// What a user will get from the product's sign-in, predicted from Graph.
#[derive(Debug, Serialize)]
pub struct PreviewReport {
    pub connection: Connection,
    pub graph_root: String,
    pub app_id: String,
    pub user: String,
    /// The scopes the prediction assumes.
    pub scopes: String,
    /// The ID token's predicted claims.
    pub claims: serde_json::Value,
    /// Whether Entra lets the user in (account, tenant, assignment).
    pub assigned: bool,
    /// Why not, when not.
    pub refusal: Option<String>,
    /// The predicted access token for the product's own API, when the
    /// product reads one.
    pub access_token: Option<serde_json::Value>,
    /// The product's verdict on the predicted tokens (when let in).
    pub verdict: Option<targets::Verdict>,
}

/// The scopes products ask for at sign-in.
pub const PREVIEW_SCOPES: &str = "openid profile email";

/// Predicts the claims `user` (UPN or object ID) gets in the product's ID
/// token, and the product's verdict on them, from Graph data only
/// (docs/graph.md#token-preview).
///
/// # Errors
/// As [`audit`]; [`Error::GraphPermissionMissing`] naming User.Read.All.
pub async fn preview(
    req: &RegistrationRequest,
    token: GraphToken,
    user: &str,
    scopes: Option<&str>,
) -> Result<PreviewReport> {
    let target = targets::require(&req.target)?;
    let app_id = check_app_id(req.inputs.client_id.as_deref().unwrap_or_default())?.to_string();
    let root = graph_root(&req.authority, req.graph_url.as_deref()).await?;
    let client = GraphClient::new(&root, token)?;
    let snap = snapshot::read(&client, &app_id).await?;
    let scopes = scopes.unwrap_or(PREVIEW_SCOPES).to_string();
    let needs = target.requirements(&req.inputs);
    let reads_access_token = needs.exposed_scope.is_some() || needs.access_token_version.is_some();
    let p =
        crate::registration::preview::preview(&client, &snap, user, &scopes, reads_access_token)
            .await?;
    let verdict = if p.assigned {
        use crate::registration::preview::unsigned_token;
        let tid = client.token().connection().tenant_id.clone();
        let v2_issuer = format!("https://{}/{tid}/v2.0", req.inputs.cloud.authority_host());
        let id = unsigned_token(&p.claims, &app_id, &v2_issuer, "2.0", None, now());
        let mut response = serde_json::json!({ "id_token": id, "token_type": "Bearer" });
        if let Some(at) = &p.access_token {
            let v2 = snap
                .app
                .as_ref()
                .is_some_and(|a| a.api.requested_access_token_version == Some(2));
            let identifier = needs
                .exposed_scope
                .as_ref()
                .map(|e| e.identifier_uri.clone())
                .unwrap_or_else(|| app_id.clone());
            let scp = needs.exposed_scope.as_ref().map(|e| e.scope);
            // The product signs in with its own client ID: azp/azpacr (v2),
            // appid/appidacr (v1); 1 = a client secret, 0 = a public client.
            let mut at = at.clone();
            at[if v2 { "azp" } else { "appid" }] = serde_json::json!(app_id);
            at[if v2 { "azpacr" } else { "appidacr" }] =
                serde_json::json!(if needs.secret { "1" } else { "0" });
            response["access_token"] = serde_json::json!(if v2 {
                unsigned_token(&at, &app_id, &v2_issuer, "2.0", scp, now())
            } else {
                let v1_issuer = format!("https://sts.windows.net/{tid}/");
                unsigned_token(&at, &identifier, &v1_issuer, "1.0", scp, now())
            });
        }
        let options = crate::inspect::InspectOptions {
            needs: target.needs(&req.inputs),
            ..crate::inspect::InspectOptions::default()
        };
        crate::inspect::inspect_text(&response.to_string(), &options, now())
            .ok()
            .map(|i| targets::verdict(target, &i, &req.inputs))
    } else {
        None
    };
    Ok(PreviewReport {
        connection: client.token().connection().clone(),
        graph_root: root,
        app_id,
        user: user.to_string(),
        scopes,
        claims: p.claims,
        access_token: p.access_token,
        assigned: p.assigned,
        refusal: p.refusal,
        verdict,
    })
}
