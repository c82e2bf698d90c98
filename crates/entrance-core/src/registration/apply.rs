//! Applying a plan: every permission checked first (nothing is sent when
//! the token lacks one), then the requests in order, stopping at the first
//! failure and saying what was and was not applied. IDs that earlier steps
//! return (`{app.id}`, `{app.appId}`, `{sp.id}`) fill later steps. A new
//! secret's Value (addPassword's `secretText`) goes straight into the
//! keychain and is never part of the outcome.

use secrecy::SecretString;
use serde::Serialize;
use serde_json::Value;

use super::graph::{GraphClient, GraphRequest};
use super::plan::Plan;
use crate::error::Result;
use crate::secrets::{SecretName, Secrets, SetOptions};

/// One request that was sent and succeeded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Applied {
    pub summary: String,
    pub method: String,
    /// With the IDs filled in.
    pub url: String,
    pub status: u16,
}

/// The request that failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Failed {
    pub summary: String,
    pub method: String,
    pub url: String,
    /// 0 when Graph was not reached.
    pub status: u16,
    /// Graph's error code and message, or what went wrong.
    pub error: String,
    pub fix: Option<String>,
}

/// What happened.
#[derive(Debug, Default, Serialize)]
pub struct ApplyOutcome {
    pub applied: Vec<Applied>,
    pub failed: Option<Failed>,
    /// Summaries of the steps not sent after a failure.
    pub not_applied: Vec<String>,
    /// The new registration's appId and object ID (creation).
    pub app_id: Option<String>,
    pub object_id: Option<String>,
    pub service_principal_id: Option<String>,
    /// The keychain name the new secret's Value was stored under.
    pub secret_stored: Option<String>,
    /// The new secret's Value, only for an admin who asked to see it.
    #[serde(skip)]
    pub secret: Option<SecretString>,
}

/// Where a new secret's Value goes.
pub struct SecretSink<'a> {
    pub secrets: &'a Secrets,
    pub name: SecretName,
    /// Keep the Value in the outcome too (the admin asked to see it).
    pub reveal: bool,
}

fn fill(text: &str, ids: &[(&str, Option<&String>)]) -> String {
    let mut t = text.to_string();
    for (k, v) in ids {
        if let Some(v) = v {
            t = t.replace(k, v);
        }
    }
    t
}

/// Applies `plan` in order.
///
/// # Errors
/// [`crate::Error::GraphPermissionMissing`] before anything is sent, when
/// the token lacks a permission a step needs. Failures of Graph requests
/// are in the outcome, not errors.
pub async fn apply(
    client: &GraphClient,
    plan: &Plan,
    sink: Option<&SecretSink<'_>>,
) -> Result<ApplyOutcome> {
    for step in &plan.steps {
        client
            .token()
            .require(step.permission, &step.summary.to_lowercase())?;
    }
    let mut out = ApplyOutcome::default();
    let mut steps = plan.steps.iter();
    for step in steps.by_ref() {
        let ids = [
            ("{app.id}", out.object_id.as_ref()),
            ("{app.appId}", out.app_id.as_ref()),
            ("{sp.id}", out.service_principal_id.as_ref()),
        ];
        let url = fill(&step.url, &ids);
        let body: Option<Value> = step
            .body
            .as_ref()
            .and_then(|b| serde_json::from_str(&fill(&b.to_string(), &ids)).ok());
        let fail = |status: u16, error: String, fix: Option<String>| Failed {
            summary: step.summary.clone(),
            method: step.method.to_string(),
            url: url.clone(),
            status,
            error,
            fix,
        };
        let result = client.send(step.method, &url, body.as_ref()).await;
        let r = match result {
            Ok(r) if r.ok() => r,
            Ok(r) => {
                let e = client.failure(&r, step.permission, &step.summary.to_lowercase());
                out.failed = Some(fail(r.status, e.to_string(), e.fix()));
                break;
            }
            Err(e) => {
                out.failed = Some(fail(0, e.to_string(), e.fix()));
                break;
            }
        };
        record_ids(step, &r.body, &mut out);
        if let Some(value) = r.secret_text {
            match sink {
                Some(s) => {
                    let expires = r.body["endDateTime"]
                        .as_str()
                        .and_then(|t| crate::secrets::parse_date(t.get(..10)?).ok());
                    let stored = s.secrets.set(
                        &s.name,
                        value.clone(),
                        SetOptions {
                            session_only: false,
                            expires_on: expires,
                            accept_warnings: true,
                        },
                    );
                    if let Err(e) = stored {
                        out.failed = Some(fail(
                            r.status,
                            format!("the new client secret (keyId {}) was added but could not be stored in the keychain: {e}", r.body["keyId"].as_str().unwrap_or("?")),
                            e.fix(),
                        ));
                        break;
                    }
                    out.secret_stored = Some(s.name.to_string());
                    if s.reveal {
                        out.secret = Some(value);
                    }
                }
                None => {
                    out.failed = Some(fail(
                        r.status,
                        format!("a client secret (keyId {}) was added, but no keychain name was given, so its Value was not kept", r.body["keyId"].as_str().unwrap_or("?")),
                        Some("Remove it under Certificates & secrets and run again with --secret-name.".into()),
                    ));
                    break;
                }
            }
        }
        out.applied.push(Applied {
            summary: step.summary.clone(),
            method: step.method.to_string(),
            url,
            status: r.status,
        });
    }
    out.not_applied = steps.map(|s| s.summary.clone()).collect();
    Ok(out)
}

fn record_ids(step: &GraphRequest, body: &Value, out: &mut ApplyOutcome) {
    if step.method != "POST" {
        return;
    }
    if step.url.ends_with("/v1.0/applications") {
        out.object_id = body["id"].as_str().map(str::to_string);
        out.app_id = body["appId"].as_str().map(str::to_string);
    } else if step.url.ends_with("/v1.0/servicePrincipals") {
        out.service_principal_id = body["id"].as_str().map(str::to_string);
    }
}
