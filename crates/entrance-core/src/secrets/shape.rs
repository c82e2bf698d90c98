//! Checks on a secret value before it is stored: the mistakes admins make
//! when copying a client secret out of the portal.
//!
//! The portal's "Certificates & secrets" page shows two columns for each
//! client secret: **Value** (shown once, right after creation) and **Secret
//! ID** (a GUID, always shown). Pasting the Secret ID where the Value belongs
//! is the most common cause of AADSTS7000215 (docs/entra.md#errors, 7000215).

use serde::Serialize;

/// Something about a value that is probably a mistake.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct SecretWarning {
    /// Stable code, e.g. `secret.looks_like_secret_id`.
    pub code: String,
    /// What looks wrong.
    pub message: String,
    /// What to do instead.
    pub fix: String,
}

fn warning(code: &str, message: &str, fix: &str) -> SecretWarning {
    SecretWarning {
        code: code.into(),
        message: message.into(),
        fix: fix.into(),
    }
}

/// Whether `s` has the shape of a GUID (`8-4-4-4-12` hex digits).
pub fn is_guid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.chars().all(|c| c.is_ascii_hexdigit()))
}

/// Warnings about `value`, most serious first. An empty list means nothing
/// looks wrong; it does not prove the secret is valid.
pub fn check_value(value: &str) -> Vec<SecretWarning> {
    let mut out = Vec::new();
    if value.is_empty() {
        out.push(warning(
            "secret.empty",
            "The secret is empty.",
            "Paste the client secret's Value from Certificates & secrets.",
        ));
        return out;
    }
    let trimmed = value.trim();
    if is_guid(trimmed.trim_matches(|c| c == '"' || c == '\'')) {
        out.push(warning(
            "secret.looks_like_secret_id",
            "This looks like the Secret ID (a GUID), not the secret's Value.",
            "In the app registration's Certificates & secrets page, copy the Value column — it is shown \
             only once, right after the secret is created. If it is no longer shown, add a new client \
             secret and copy its Value. Entra answers AADSTS7000215 when the Secret ID is sent.",
        ));
    }
    if value.contains('\n') || value.contains('\r') {
        out.push(warning(
            "secret.multiline",
            "The secret spans more than one line.",
            "Paste the Value on its own: client secrets are a single line.",
        ));
    } else if trimmed.len() != value.len() {
        out.push(warning(
            "secret.surrounding_whitespace",
            "The secret starts or ends with spaces.",
            "Remove the spaces: they would be sent as part of the secret.",
        ));
    }
    let quoted = |q: char| trimmed.len() >= 2 && trimmed.starts_with(q) && trimmed.ends_with(q);
    if quoted('"') || quoted('\'') {
        out.push(warning(
            "secret.quoted",
            "The secret is wrapped in quotes.",
            "Remove the quotes unless they really are part of the Value.",
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(v: &str) -> Vec<String> {
        check_value(v).into_iter().map(|w| w.code).collect()
    }

    #[test]
    fn a_typical_entra_secret_value_raises_nothing() {
        assert!(codes("Xy48Q~fakeFakeFakeFakeFakeFakeFakeFake.a").is_empty());
    }

    #[test]
    fn a_pasted_secret_id_is_called_out() {
        assert_eq!(
            codes("3f2b8c1e-9d4a-4e7b-8c2d-1a2b3c4d5e6f"),
            ["secret.looks_like_secret_id"]
        );
        assert_eq!(
            codes(" \"3F2B8C1E-9D4A-4E7B-8C2D-1A2B3C4D5E6F\" "),
            [
                "secret.looks_like_secret_id",
                "secret.surrounding_whitespace",
                "secret.quoted"
            ]
        );
    }

    #[test]
    fn copy_mistakes_are_named() {
        assert_eq!(codes(""), ["secret.empty"]);
        assert_eq!(codes("abc~def\n"), ["secret.multiline"]);
        assert_eq!(codes("  abc~def"), ["secret.surrounding_whitespace"]);
        assert_eq!(codes("'abc~def'"), ["secret.quoted"]);
    }

    #[test]
    fn guid_shape_is_exact() {
        assert!(is_guid("00000003-0000-0000-c000-000000000000"));
        assert!(!is_guid("00000003-0000-0000-c000-00000000000"));
        assert!(!is_guid("0000000g-0000-0000-c000-000000000000"));
        assert!(!is_guid("Grafana Admins"));
    }
}
