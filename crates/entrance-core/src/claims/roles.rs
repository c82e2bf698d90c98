//! Directory role template IDs, as they appear in `wids`.
//!
//! Source: docs/entra.md#directory-role-templates, from Microsoft's permissions-reference.md (docs/entra.md#built-in-roles).
//! The default member role is seen in real member tokens but not documented
//! (unconfirmed), and is marked so.

use serde::Serialize;

/// One built-in directory role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
pub struct DirectoryRole {
    /// The role template ID (the value in `wids`).
    pub template_id: &'static str,
    /// The role's name in the portal.
    pub name: &'static str,
    /// Documented by Microsoft (`false`: only seen in real tokens).
    pub confirmed: bool,
    /// Where the mapping comes from.
    pub source: &'static str,
}

const fn role(template_id: &'static str, name: &'static str) -> DirectoryRole {
    DirectoryRole {
        template_id,
        name,
        confirmed: true,
        source: "docs/entra.md#directory-role-templates, docs/entra.md#built-in-roles",
    }
}

/// The template ID of the default member role ("User").
pub const DEFAULT_MEMBER_ROLE: &str = "b79fbf4d-3ef9-4689-8143-76b194e85509";

/// The directory roles Entrance names.
pub const DIRECTORY_ROLES: &[DirectoryRole] = &[
    role(
        "62e90394-69f5-4237-9190-012177145e10",
        "Global Administrator",
    ),
    role("f2ef992c-3afb-46b9-b7cf-a126ee74c451", "Global Reader"),
    role(
        "e8611ab8-c189-46e8-94e1-60213ab1f814",
        "Privileged Role Administrator",
    ),
    role(
        "7be44c8a-adaf-4e2a-84d6-ab2649e08a13",
        "Privileged Authentication Administrator",
    ),
    role(
        "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3",
        "Application Administrator",
    ),
    role(
        "158c047a-c907-4556-b7ef-446551a6b5f7",
        "Cloud Application Administrator",
    ),
    role(
        "cf1c38e5-3621-4004-a7cb-879624dced7c",
        "Application Developer",
    ),
    role("fe930be7-5e62-47db-91af-98c3a49a38b1", "User Administrator"),
    role(
        "fdd7a751-b60b-444a-984c-02652fe8fa1c",
        "Groups Administrator",
    ),
    role(
        "729827e3-9c14-49f7-bb1b-9608f156bbb8",
        "Helpdesk Administrator",
    ),
    role(
        "966707d0-3269-4727-9be2-8c3a10f19b9d",
        "Password Administrator",
    ),
    role(
        "c4e39bd9-1100-46d3-8c65-fb160da0071f",
        "Authentication Administrator",
    ),
    role(
        "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9",
        "Conditional Access Administrator",
    ),
    role(
        "194ae4cb-b126-40b2-bd5b-6091b380977d",
        "Security Administrator",
    ),
    role("5d6b6bb7-de71-4623-b4af-96380a352509", "Security Reader"),
    role("5f2222b1-57c3-48ba-8ad5-d4759f1fde6f", "Security Operator"),
    role(
        "8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2",
        "Hybrid Identity Administrator",
    ),
    role(
        "29232cdf-9323-42fd-ade2-1d097af3e4de",
        "Exchange Administrator",
    ),
    role(
        "f28a1f50-f6e7-4571-818b-6a12f2af6b6c",
        "SharePoint Administrator",
    ),
    role(
        "69091246-20e8-4a56-aa4d-066075b2a7a8",
        "Teams Administrator",
    ),
    role(
        "3a2c62db-5318-420d-8d74-23affee5d9d5",
        "Intune Administrator",
    ),
    role("88d8e3e3-8f55-4a1e-953a-9b9898b8876b", "Directory Readers"),
    role("9360feb5-f418-4baa-8175-e2a00bac4301", "Directory Writers"),
    role("4a5d8f65-41da-4de4-8968-e035b65339cf", "Reports Reader"),
    role(
        "b0f54661-2d74-4c50-afa3-1ec803f12efe",
        "Billing Administrator",
    ),
    role(
        "4d6ac14f-3453-41d0-bef9-a3e0c569773a",
        "License Administrator",
    ),
    DirectoryRole {
        template_id: DEFAULT_MEMBER_ROLE,
        name: "User (default member role)",
        confirmed: false,
        source: "docs/entra.md#directory-role-templates (seen in real member tokens; unconfirmed)",
    },
];

/// The role with this template ID (case-insensitive).
pub fn directory_role(template_id: &str) -> Option<&'static DirectoryRole> {
    DIRECTORY_ROLES
        .iter()
        .find(|r| r.template_id.eq_ignore_ascii_case(template_id.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn the_table_has_the_26_documented_templates_and_the_unconfirmed_member_role() {
        assert_eq!(DIRECTORY_ROLES.iter().filter(|r| r.confirmed).count(), 26);
        let unconfirmed: Vec<_> = DIRECTORY_ROLES.iter().filter(|r| !r.confirmed).collect();
        assert_eq!(unconfirmed.len(), 1);
        assert_eq!(unconfirmed[0].template_id, DEFAULT_MEMBER_ROLE);
        assert!(unconfirmed[0].source.contains("unconfirmed"));
    }

    #[test]
    fn template_ids_and_names_are_unique_guids() {
        let mut ids = HashSet::new();
        let mut names = HashSet::new();
        for r in DIRECTORY_ROLES {
            assert!(crate::token::is_guid(r.template_id), "{}", r.template_id);
            assert!(ids.insert(r.template_id), "duplicate {}", r.template_id);
            assert!(names.insert(r.name), "duplicate {}", r.name);
        }
    }

    #[test]
    fn lookup_ignores_case() {
        assert_eq!(
            directory_role("62E90394-69F5-4237-9190-012177145E10").map(|r| r.name),
            Some("Global Administrator")
        );
        assert!(directory_role("00000000-0000-0000-0000-000000000000").is_none());
    }
}
