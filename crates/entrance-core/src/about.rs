//! What build of Entrance is running: shown in the About panel and by
//! `entrance --version`, and attached to exported reports.

use serde::{Deserialize, Serialize};

/// Build information of the core, recorded at compile time by `build.rs`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct BuildInfo {
    /// Product name, "Entrance".
    pub name: String,
    /// The core's semantic version.
    pub version: String,
    /// Short git commit the build came from, or "unknown" outside a checkout.
    pub git_commit: String,
    /// The day the core was compiled, `YYYY-MM-DD` in UTC (or `SOURCE_DATE_EPOCH`'s).
    pub build_date: String,
    /// Cargo profile: "debug" or "release".
    pub build_profile: String,
    /// Target triple, e.g. `x86_64-unknown-linux-gnu`.
    pub target: String,
    /// Compiler that built it, as `rustc --version` printed it.
    pub rustc: String,
}

impl BuildInfo {
    /// The build information of this binary.
    pub fn current() -> Self {
        Self {
            name: "Entrance".to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            git_commit: env!("ENTRANCE_GIT_COMMIT").to_string(),
            build_date: env!("ENTRANCE_BUILD_DATE").to_string(),
            build_profile: env!("ENTRANCE_PROFILE").to_string(),
            target: env!("ENTRANCE_TARGET").to_string(),
            rustc: env!("ENTRANCE_RUSTC_VERSION").to_string(),
        }
    }

    /// One line for `--version`:
    /// `0.1.0 (abc123def456 2026-12-08, release, x86_64-unknown-linux-gnu)`.
    pub fn version_line(&self) -> String {
        format!(
            "{} ({} {}, {}, {})",
            self.version, self.git_commit, self.build_date, self.build_profile, self.target
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn current_build_names_the_product_and_the_crate_version() {
        let info = BuildInfo::current();
        assert_eq!(info.name, "Entrance");
        assert_eq!(info.version, env!("CARGO_PKG_VERSION"));
        assert!(!info.git_commit.is_empty());
        let date = info.build_date.as_bytes();
        assert!(
            date.len() == 10 && date[4] == b'-' && date[7] == b'-',
            "build date {:?} is not YYYY-MM-DD",
            info.build_date
        );
        assert!(info.build_date.as_str() >= "2025-01-01");
        assert!(info.build_profile == "debug" || info.build_profile == "release");
        assert!(info.rustc.starts_with("rustc ") || info.rustc == "unknown");
    }

    #[test]
    fn version_line_reads_version_commit_date_profile_and_target() {
        let info = BuildInfo {
            name: "Entrance".into(),
            version: "1.2.3".into(),
            git_commit: "0123456789ab".into(),
            build_date: "2026-12-08".into(),
            build_profile: "release".into(),
            target: "x86_64-unknown-linux-gnu".into(),
            rustc: "rustc 1.95.0".into(),
        };
        assert_eq!(
            info.version_line(),
            "1.2.3 (0123456789ab 2026-12-08, release, x86_64-unknown-linux-gnu)"
        );
    }
}
