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

fn short(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Object(m) => m
            .get("value")
            .or_else(|| m.get("id"))
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
                let changed = a
                    .iter()
                    .find(|y| y.get("id").is_some() && y.get("id") == x.get("id"));
                match changed {
                    Some(y) => diff(&format!("{path}[{}]", short(&x["id"])), x, y, out),
                    None => out.push(format!("- {path}: {}", short(x))),
                }
            }
            for y in a.iter().filter(|y| !b.contains(y)) {
                if !b
                    .iter()
                    .any(|x| y.get("id").is_some() && x.get("id") == y.get("id"))
                {
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
