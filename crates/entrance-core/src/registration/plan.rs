//! A repair or creation plan: the exact Graph requests, in order, and the
//! registration's before → after diff that they make. Nothing is sent here.

use serde::Serialize;
use serde_json::{json, Value};

use super::audit::Draft;
use super::graph::GraphRequest;
use super::model::{Application, PATCHABLE};
use super::token::WRITE_APPLICATIONS;

/// One changed property of the registration.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// The Graph property (`web`, `appRoles`…).
    pub property: String,
    pub before: Value,
    pub after: Value,
}

/// What a repair or a creation will send.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    /// The Graph requests, in the order they are sent.
    pub steps: Vec<GraphRequest>,
    /// The registration before → after.
    pub changes: Vec<Change>,
    /// What the plan cannot do, and why.
    pub notes: Vec<String>,
}

impl Plan {
    /// Nothing to send.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// The before → after diff, one line per added, removed or changed value.
    pub fn diff_lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        for c in &self.changes {
            diff(&c.property, &c.before, &c.after, &mut out);
        }
        out
    }
}

/// What identifies an element of a collection (app role, scope, permission, resource).
fn key(v: &Value) -> Option<&Value> {
    v.get("id").or_else(|| v.get("resourceAppId"))
}

fn short(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Object(m) => m
            .get("value")
            .or_else(|| m.get("id"))
            .or_else(|| m.get("resourceAppId"))
            .map(|x| format!("{{… {}}}", short(x)))
            .unwrap_or_else(|| v.to_string()),
        other => other.to_string(),
    }
}

fn diff(path: &str, before: &Value, after: &Value, out: &mut Vec<String>) {
    if before == after {
        return;
    }
    match (before, after) {
        (Value::Object(b), Value::Object(a)) => {
            let mut keys: Vec<&String> = b.keys().chain(a.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                diff(
                    &format!("{path}.{k}"),
                    b.get(k).unwrap_or(&Value::Null),
                    a.get(k).unwrap_or(&Value::Null),
                    out,
                );
            }
        }
        (Value::Array(b), Value::Array(a)) => {
            for x in b.iter().filter(|x| !a.contains(x)) {
                let changed = a.iter().find(|y| key(y).is_some() && key(y) == key(x));
                match (changed, key(x)) {
                    (Some(y), Some(k)) => diff(&format!("{path}[{}]", short(k)), x, y, out),
                    _ => out.push(format!("- {path}: {}", short(x))),
                }
            }
            for y in a.iter().filter(|y| !b.contains(y)) {
                if !b.iter().any(|x| key(y).is_some() && key(x) == key(y)) {
                    out.push(format!("+ {path}: {}", short(y)));
                }
            }
        }
        (Value::Null, a) => out.push(format!("+ {path}: {}", short(a))),
        (b, Value::Null) => out.push(format!("- {path}: {}", short(b))),
        (b, a) => out.push(format!("~ {path}: {} → {}", short(b), short(a))),
    }
}

/// The repair plan: one `PATCH /applications/{id}` with every changed
/// property (whole values, so other entries are kept), then the other steps.
pub fn repair(graph_root: &str, before: &Application, draft: Draft) -> Plan {
    let mut changes = Vec::new();
    let mut body = serde_json::Map::new();
    for p in PATCHABLE {
        let (b, a) = (before.property(p), draft.app.property(p));
        if b != a {
            body.insert((*p).to_string(), a.clone());
            changes.push(Change {
                property: (*p).to_string(),
                before: b,
                after: a,
            });
        }
    }
    let mut steps = Vec::new();
    if !body.is_empty() {
        let names: Vec<&str> = changes.iter().map(|c| c.property.as_str()).collect();
        steps.push(GraphRequest {
            method: "PATCH",
            url: format!(
                "{}/v1.0/applications/{}",
                graph_root.trim_end_matches('/'),
                before.id
            ),
            body: Some(Value::Object(body)),
            summary: format!("Update the app registration ({})", names.join(", ")),
            permission: WRITE_APPLICATIONS,
        });
    }
    steps.extend(draft.steps);
    Plan {
        steps,
        changes,
        notes: draft.notes,
    }
}

/// A property as a creation sends it (`null` when empty).
pub(crate) fn creation_body(app: &Application) -> Value {
    let mut body = json!({"displayName": app.display_name});
    for p in PATCHABLE {
        let v = app.property(p);
        let empty = match &v {
            Value::Null => true,
            Value::Array(a) => a.is_empty(),
            Value::String(s) => s.is_empty(),
            _ => false,
        };
        if !empty {
            body[*p] = v;
        }
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_diff_names_added_removed_and_changed_values_by_their_ids() {
        let plan = Plan {
            steps: Vec::new(),
            changes: vec![
                Change {
                    property: "web".into(),
                    before: json!({"redirectUris": ["https://a/x"], "implicitGrantSettings": {"enableIdTokenIssuance": false}}),
                    after: json!({"redirectUris": ["https://a/x", "https://a/cb"], "implicitGrantSettings": {"enableIdTokenIssuance": true}}),
                },
                Change {
                    property: "appRoles".into(),
                    before: json!([{"id": "r1", "value": "viewer"}]),
                    after: json!([{"id": "r1", "value": "Viewer"}, {"id": "r2", "value": "Admin"}]),
                },
                Change {
                    property: "requiredResourceAccess".into(),
                    before: json!([{"resourceAppId": "g", "resourceAccess": [{"id": "p1", "type": "Scope"}]}]),
                    after: json!([{"resourceAppId": "g", "resourceAccess": [{"id": "p1", "type": "Scope"}, {"id": "p2", "type": "Scope"}]}]),
                },
            ],
            notes: Vec::new(),
        };
        assert_eq!(
            plan.diff_lines(),
            vec![
                "~ web.implicitGrantSettings.enableIdTokenIssuance: false → true",
                "+ web.redirectUris: https://a/cb",
                "~ appRoles[r1].value: viewer → Viewer",
                "+ appRoles: {… Admin}",
                "+ requiredResourceAccess[g].resourceAccess: {… p2}",
            ]
        );
    }
}
