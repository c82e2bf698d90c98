//! Field-level checks of what the admin types, cheap enough to run on every
//! keystroke. Each returns messages for one field; an empty list means
//! nothing looks wrong (not that the value is right).

use serde::Serialize;

use super::{FieldKind, Target, TargetInputs};
use crate::secrets::{check_value, is_guid};

/// How serious a message is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum MessageLevel {
    /// The value cannot work.
    Error,
    /// The value is probably a mistake.
    Warning,
    /// Worth knowing.
    Info,
}

/// One message about one field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct FieldMessage {
    /// The field (`base_url`, `tenant`, `client_id`, a setting key, `secret`).
    pub field: String,
    /// How serious.
    pub level: MessageLevel,
    /// Stable code (`client_id.not_guid`).
    pub code: String,
    /// What is wrong.
    pub message: String,
    /// What to do.
    pub fix: Option<String>,
}

fn msg(
    field: &str,
    level: MessageLevel,
    code: &str,
    message: String,
    fix: Option<&str>,
) -> FieldMessage {
    FieldMessage {
        field: field.into(),
        level,
        code: code.into(),
        message,
        fix: fix.map(str::to_string),
    }
}

/// A Directory (tenant) ID or a verified domain (`contoso.onmicrosoft.com`).
pub fn check_tenant(value: &str) -> Vec<FieldMessage> {
    let v = value.trim();
    let f = "tenant";
    if v.is_empty() {
        return vec![msg(
            f,
            MessageLevel::Error,
            "tenant.empty",
            "The tenant is empty.".into(),
            Some("Copy the Directory (tenant) ID from App registration → Overview."),
        )];
    }
    if is_guid(v) {
        if v.eq_ignore_ascii_case("9188040d-6c67-4c5b-b112-36a304b66dad") {
            return vec![msg(f, MessageLevel::Error, "tenant.msa", "This is the personal Microsoft account tenant, not an organization (docs/entra.md#token-versions-and-issuers).".into(),
                Some("Use your organization's Directory (tenant) ID."))];
        }
        return Vec::new();
    }
    match v.to_ascii_lowercase().as_str() {
        "common" | "organizations" | "consumers" => {
            return vec![msg(
                f,
                MessageLevel::Warning,
                "tenant.not_a_tenant",
                format!("`{v}` is not a tenant but a multi-tenant endpoint."),
                Some("Give your own tenant here; choose \"multi-tenant\" for who may sign in."),
            )];
        }
        _ => {}
    }
    let looks_domain = v.contains('.')
        && v.split('.')
            .all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
    if looks_domain {
        return vec![msg(f, MessageLevel::Info, "tenant.domain",
            "A domain works in URLs; tokens carry the tenant ID (`tid`), so verdicts compare better with the GUID.".into(),
            Some("Prefer the Directory (tenant) ID from App registration → Overview."))];
    }
    if v.chars().filter(|c| c.is_ascii_hexdigit()).count() >= 30 {
        return vec![msg(
            f,
            MessageLevel::Error,
            "tenant.not_guid",
            "This looks like a GUID with a typo (a GUID is 8-4-4-4-12 hex digits).".into(),
            Some("Copy the Directory (tenant) ID again from App registration → Overview."),
        )];
    }
    vec![msg(
        f,
        MessageLevel::Error,
        "tenant.invalid",
        "Neither a Directory (tenant) ID (a GUID) nor a domain name.".into(),
        Some("Copy the Directory (tenant) ID from App registration → Overview."),
    )]
}

/// The Application (client) ID: a GUID.
pub fn check_client_id(value: &str) -> Vec<FieldMessage> {
    let v = value.trim();
    let f = "client_id";
    if v.is_empty() {
        return vec![msg(
            f,
            MessageLevel::Error,
            "client_id.empty",
            "The client ID is empty.".into(),
            Some("Copy the Application (client) ID from App registration → Overview."),
        )];
    }
    if is_guid(v) {
        return Vec::new();
    }
    if v.starts_with("api://") {
        return vec![msg(
            f,
            MessageLevel::Error,
            "client_id.app_id_uri",
            "This is an Application ID URI, not the Application (client) ID.".into(),
            Some("Use the GUID after `api://`, or copy the Application (client) ID from Overview."),
        )];
    }
    if !check_value(v).is_empty() || v.contains('~') {
        return vec![msg(f, MessageLevel::Error, "client_id.secret",
            "This looks like a client secret, not the Application (client) ID.".into(),
            Some("Copy the Application (client) ID from App registration → Overview; keep the secret for the secret field."))];
    }
    vec![msg(
        f,
        MessageLevel::Error,
        "client_id.not_guid",
        "The Application (client) ID is a GUID (8-4-4-4-12 hex digits).".into(),
        Some("Copy the Application (client) ID from App registration → Overview."),
    )]
}

/// Group object IDs (comma- or space-separated) for `field`.
pub fn check_group_ids(field: &str, value: &str) -> Vec<FieldMessage> {
    let mut out = Vec::new();
    for item in value
        .split([',', ';', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        // Display names may contain spaces: split on spaces only between GUIDs.
        let parts: Vec<&str> = if item.split_whitespace().all(is_guid) {
            item.split_whitespace().collect()
        } else {
            vec![item]
        };
        for p in parts {
            if is_guid(p) {
                continue;
            }
            let display_name = p
                .chars()
                .any(|c| c.is_alphabetic() && !c.is_ascii_hexdigit())
                || p.contains(' ');
            if display_name {
                out.push(msg(field, MessageLevel::Error, "group.display_name",
                    format!("`{p}` looks like a group's display name; tokens carry group object IDs."),
                    Some("Open Microsoft Entra ID → Groups → the group → Overview and copy its Object ID.")));
            } else {
                out.push(msg(
                    field,
                    MessageLevel::Error,
                    "group.not_guid",
                    format!("`{p}` is not a group object ID (a GUID)."),
                    Some("Copy the group's Object ID from Microsoft Entra ID → Groups."),
                ));
            }
        }
    }
    out
}

/// A client secret Value (never stored): Secret ID pasted instead, quotes,
/// spaces (reuses the keychain's checks).
pub fn check_secret_value(value: &str) -> Vec<FieldMessage> {
    check_value(value)
        .into_iter()
        .map(|w| FieldMessage {
            field: "secret".into(),
            level: if w.code == "secret.looks_like_secret_id" || w.code == "secret.empty" {
                MessageLevel::Error
            } else {
                MessageLevel::Warning
            },
            code: w.code,
            message: w.message,
            fix: Some(w.fix),
        })
        .collect()
}

/// A product's base URL: absolute, https unless on this machine, no query.
pub fn check_base_url(field: &str, value: &str) -> Vec<FieldMessage> {
    let v = value.trim();
    if v.is_empty() {
        return vec![msg(
            field,
            MessageLevel::Error,
            "url.empty",
            "The URL is empty.".into(),
            Some("Enter the address users open, e.g. https://grafana.example.com"),
        )];
    }
    let url = match url::Url::parse(v) {
        Ok(u) if u.has_host() => u,
        _ => {
            return vec![msg(
                field,
                MessageLevel::Error,
                "url.invalid",
                format!("`{v}` is not an absolute URL."),
                Some("Start with https:// and the host name users open."),
            )];
        }
    };
    let mut out = Vec::new();
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    let loopback = host == "localhost" || host == "127.0.0.1" || host == "[::1]";
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        "http" => out.push(msg(
            field,
            MessageLevel::Error,
            "url.http",
            "Entra accepts http redirect URIs only for localhost (docs/entra.md#redirect-uris)."
                .into(),
            Some(
                "Use https:// (terminate TLS at the proxy and make the product build https URLs).",
            ),
        )),
        s => out.push(msg(
            field,
            MessageLevel::Error,
            "url.scheme",
            format!("`{s}` is not a web address scheme."),
            Some("Use https://."),
        )),
    }
    if url.query().is_some() || url.fragment().is_some() {
        out.push(msg(
            field,
            MessageLevel::Error,
            "url.query",
            "The base URL must not have a query or fragment.".into(),
            Some("Remove everything from `?` or `#`."),
        ));
    }
    if host == "[::1]" {
        out.push(msg(
            field,
            MessageLevel::Error,
            "url.ipv6_loopback",
            "Entra does not support [::1] in redirect URIs (docs/entra.md#redirect-uris).".into(),
            Some("Use http://localhost or http://127.0.0.1."),
        ));
    }
    if v.ends_with('/') && url.path() != "/" {
        out.push(msg(
            field,
            MessageLevel::Info,
            "url.trailing_slash",
            "The trailing slash is dropped: redirect URIs are built from the URL without it."
                .into(),
            None,
        ));
    }
    if host.chars().any(|c| c.is_ascii_uppercase()) || v.chars().any(|c| c.is_ascii_uppercase()) {
        out.push(msg(field, MessageLevel::Warning, "url.case",
            "Redirect URIs are compared case-sensitively (docs/entra.md#redirect-uris): use exactly the case the product sends.".into(), None));
    }
    out
}

/// Every check for `target` with `inputs`: base URL, tenant, client ID,
/// group-ID settings, then the product's own.
pub fn check_inputs(target: &dyn Target, inputs: &TargetInputs) -> Vec<FieldMessage> {
    let mut out = check_base_url("base_url", &inputs.base_url);
    if let Some(t) = inputs.tenant.as_deref() {
        out.extend(check_tenant(t));
    }
    if let Some(c) = inputs.client_id.as_deref() {
        out.extend(check_client_id(c));
    }
    for field in target.fields() {
        let Some(v) = inputs.setting(field.key) else {
            continue;
        };
        match &field.kind {
            FieldKind::GroupId | FieldKind::GroupIds => out.extend(check_group_ids(field.key, v)),
            FieldKind::TenantIds => {
                for t in v.split([',', ' ']).filter(|s| !s.is_empty()) {
                    if !is_guid(t) {
                        out.push(msg(
                            field.key,
                            MessageLevel::Error,
                            "tenant.not_guid",
                            format!("`{t}` is not a tenant ID (a GUID)."),
                            Some("Use Directory (tenant) IDs: the token's `tid` is compared."),
                        ));
                    }
                }
            }
            FieldKind::Choice { options } => {
                for item in v.split([',', ' ']).filter(|s| !s.is_empty()) {
                    if !options.iter().any(|o| o.eq_ignore_ascii_case(item)) {
                        out.push(msg(
                            field.key,
                            MessageLevel::Error,
                            "choice.unknown",
                            format!("`{item}` is not one of {}.", options.join(", ")),
                            None,
                        ));
                    }
                }
            }
            FieldKind::Flag => {
                if !matches!(
                    v.to_ascii_lowercase().as_str(),
                    "true" | "false" | "yes" | "no" | "1" | "0" | "on" | "off"
                ) {
                    out.push(msg(
                        field.key,
                        MessageLevel::Error,
                        "flag.invalid",
                        format!("`{v}` is not true or false."),
                        None,
                    ));
                }
            }
            FieldKind::Text => {}
        }
    }
    out.extend(target.check(inputs));
    out
}
