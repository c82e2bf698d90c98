//! Saved setup profiles: "prod Grafana", "staging Keep".
//!
//! A profile is what the Setup wizard remembers about one app registration:
//! the target product, the inputs the admin typed (never a secret — only the
//! keychain *name* of the client secret, inside [`TargetInputs::secret_name`]),
//! the cloud, each step's state and the last test sign-in's verdict.
//!
//! All profiles live in one JSON file, `profiles.json` in the config folder
//! ([`crate::paths`]), written atomically. A file that cannot be read is never
//! overwritten: every operation answers [`Error::ProfilesCorrupt`], a copy is
//! kept beside it as `profiles.json.corrupt`, and only
//! [`ProfileStore::start_over`] (an explicit choice) moves it aside.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::targets::{self, TargetInputs, Verdict};

/// The file's name in the config folder.
pub const FILE_NAME: &str = "profiles.json";

/// The longest profile name accepted.
pub const MAX_NAME_LEN: usize = 80;

/// Where a step of the setup stands.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum StepState {
    /// Not done yet.
    #[default]
    Todo,
    /// The admin says it is done.
    Done,
    /// A test sign-in showed that it works.
    Verified,
    /// A test sign-in showed that it does not.
    Failed,
}

/// One saved setup.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct Profile {
    /// The admin's name for it ("prod Grafana"), unique case-insensitively.
    pub name: String,
    /// The target product's stable name (`grafana`).
    pub target: String,
    /// What the admin typed: base URL, tenant, client ID, cloud, the secret's
    /// keychain name and the product's settings. No secret value.
    pub inputs: TargetInputs,
    /// Each step's state, keyed by the step's key (the wizard's `kind:n`).
    #[serde(default)]
    pub steps: BTreeMap<String, StepState>,
    /// The verdict of the last test sign-in.
    #[serde(default)]
    pub verdict: Option<Verdict>,
    /// When it was last saved, Unix seconds.
    #[serde(default)]
    pub updated_at: f64,
}

/// Every profile and the one opened last (it reopens after a restart).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct ProfileList {
    /// The profile opened last, if it still exists.
    pub last: Option<String>,
    /// All profiles, sorted by name.
    pub profiles: Vec<Profile>,
}

/// The file's layout on disk.
#[derive(Debug, Default, Serialize, Deserialize)]
struct FileV1 {
    version: u32,
    #[serde(default)]
    last: Option<String>,
    #[serde(default)]
    profiles: Vec<Profile>,
}

const VERSION: u32 = 1;

/// The profiles file.
#[derive(Debug, Clone)]
pub struct ProfileStore {
    path: PathBuf,
}

impl ProfileStore {
    /// The store in the shared config folder.
    pub fn open_default() -> Result<ProfileStore> {
        Ok(ProfileStore::at(
            crate::paths::config_dir()?.join(FILE_NAME),
        ))
    }

    /// The store at `path` (tests, other folders).
    pub fn at(path: impl Into<PathBuf>) -> ProfileStore {
        ProfileStore { path: path.into() }
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Where an unreadable file's copy is kept.
    pub fn corrupt_copy_path(&self) -> PathBuf {
        let mut name = self.path.as_os_str().to_owned();
        name.push(".corrupt");
        PathBuf::from(name)
    }

    /// Every profile and the last opened one.
    pub fn list(&self) -> Result<ProfileList> {
        let file = self.read()?;
        let last = file
            .last
            .filter(|l| file.profiles.iter().any(|p| p.name == *l));
        let mut profiles = file.profiles;
        profiles.sort_by_key(|p| p.name.to_lowercase());
        Ok(ProfileList { last, profiles })
    }

    /// The profile named `name` (case-insensitive).
    pub fn get(&self, name: &str) -> Result<Profile> {
        let file = self.read()?;
        file.profiles
            .into_iter()
            .find(|p| same_name(&p.name, name))
            .ok_or_else(|| not_found(name))
    }

    /// Creates or replaces the profile with `profile.name` and makes it the
    /// last opened. Returns it as saved.
    pub fn save(&self, mut profile: Profile) -> Result<Profile> {
        profile.name = check_name(&profile.name)?;
        targets::require(&profile.target)?;
        profile.target = profile.target.trim().to_ascii_lowercase();
        profile.updated_at = now();
        let mut file = self.read()?;
        match file
            .profiles
            .iter_mut()
            .find(|p| same_name(&p.name, &profile.name))
        {
            Some(existing) => *existing = profile.clone(),
            None => file.profiles.push(profile.clone()),
        }
        file.last = Some(profile.name.clone());
        self.write(&file)?;
        Ok(profile)
    }

    /// Deletes the profile named `name`.
    pub fn delete(&self, name: &str) -> Result<()> {
        let mut file = self.read()?;
        let before = file.profiles.len();
        file.profiles.retain(|p| !same_name(&p.name, name));
        if file.profiles.len() == before {
            return Err(not_found(name));
        }
        if file.last.as_deref().is_some_and(|l| same_name(l, name)) {
            file.last = None;
        }
        self.write(&file)
    }

    /// Renames `from` to `to`; `to` must not name another profile.
    pub fn rename(&self, from: &str, to: &str) -> Result<Profile> {
        let to = check_name(to)?;
        let mut file = self.read()?;
        if !same_name(from, &to) && file.profiles.iter().any(|p| same_name(&p.name, &to)) {
            return Err(Error::InvalidInput {
                field: "profile name".into(),
                reason: format!("a profile named `{to}` already exists"),
                fix: Some("Choose another name, or delete the other profile first.".into()),
            });
        }
        let profile = file
            .profiles
            .iter_mut()
            .find(|p| same_name(&p.name, from))
            .ok_or_else(|| not_found(from))?;
        let old = std::mem::replace(&mut profile.name, to.clone());
        profile.updated_at = now();
        let renamed = profile.clone();
        if file.last.as_deref().is_some_and(|l| same_name(l, &old)) {
            file.last = Some(to);
        }
        self.write(&file)?;
        Ok(renamed)
    }

    /// Remembers `name` as the profile to reopen.
    pub fn set_last(&self, name: Option<&str>) -> Result<()> {
        let mut file = self.read()?;
        file.last = match name {
            Some(n) => Some(
                file.profiles
                    .iter()
                    .find(|p| same_name(&p.name, n))
                    .map(|p| p.name.clone())
                    .ok_or_else(|| not_found(n))?,
            ),
            None => None,
        };
        self.write(&file)
    }

    /// The admin's explicit choice after [`Error::ProfilesCorrupt`]: the
    /// unreadable file is moved to its `.corrupt` copy and an empty list
    /// starts. A readable file is left alone.
    pub fn start_over(&self) -> Result<ProfileList> {
        match self.read() {
            Ok(_) => self.list(),
            Err(Error::ProfilesCorrupt { .. }) => {
                let copy = self.corrupt_copy_path();
                std::fs::rename(&self.path, &copy).map_err(|source| Error::Io {
                    action: "move aside",
                    path: self.path.display().to_string(),
                    source,
                })?;
                Ok(ProfileList::default())
            }
            Err(e) => Err(e),
        }
    }

    fn read(&self) -> Result<FileV1> {
        let bytes = match crate::paths::read_file_limited(
            &self.path,
            crate::paths::MAX_CONFIG_FILE_BYTES,
        ) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(FileV1 {
                    version: VERSION,
                    ..FileV1::default()
                })
            }
            Err(source) => {
                return Err(Error::Io {
                    action: "read",
                    path: self.path.display().to_string(),
                    source,
                })
            }
        };
        let parsed = serde_json::from_slice::<FileV1>(&bytes)
            .map_err(|e| e.to_string())
            .and_then(|f| {
                if f.version == VERSION {
                    Ok(f)
                } else {
                    Err(format!(
                        "version {} is not one this Entrance reads (it reads {VERSION})",
                        f.version
                    ))
                }
            });
        match parsed {
            Ok(f) => Ok(f),
            Err(detail) => {
                let copy = self.corrupt_copy_path();
                // Keep the admin's data: a copy beside it, never overwritten by
                // a later, different corruption's copy of itself.
                let _ = crate::paths::write_atomic(&copy, &bytes);
                Err(Error::ProfilesCorrupt {
                    path: self.path.display().to_string(),
                    copy: copy.display().to_string(),
                    detail,
                })
            }
        }
    }

    fn write(&self, file: &FileV1) -> Result<()> {
        let file = FileV1 {
            version: VERSION,
            last: file.last.clone(),
            profiles: file.profiles.clone(),
        };
        let json = serde_json::to_vec_pretty(&file)
            .map_err(|e| Error::Internal(format!("profiles do not serialize: {e}")))?;
        crate::paths::write_atomic(&self.path, &json)
    }
}

fn same_name(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

fn check_name(name: &str) -> Result<String> {
    let n = name.trim();
    let reason = if n.is_empty() {
        Some("is empty".to_string())
    } else if n.chars().count() > MAX_NAME_LEN {
        Some(format!("is longer than {MAX_NAME_LEN} characters"))
    } else if n.chars().any(char::is_control) {
        Some("contains a control character".to_string())
    } else {
        None
    };
    match reason {
        Some(reason) => Err(Error::InvalidInput {
            field: "profile name".into(),
            reason,
            fix: Some(
                "Name the profile after the product and the environment, e.g. \"prod Grafana\"."
                    .into(),
            ),
        }),
        None => Ok(n.to_string()),
    }
}

fn not_found(name: &str) -> Error {
    Error::InvalidInput {
        field: "profile".into(),
        reason: format!("no profile named `{}` is saved", name.trim()),
        fix: Some("Pick one of the saved profiles, or save this setup as a new one.".into()),
    }
}

fn now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::targets::Cloud;
    use crate::ErrorCode;

    struct Dir(PathBuf);
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn store(tag: &str) -> (Dir, ProfileStore) {
        let dir = std::env::temp_dir().join(format!(
            "entrance-profiles-{tag}-{}-{}",
            std::process::id(),
            now().to_bits()
        ));
        let store = ProfileStore::at(dir.join(FILE_NAME));
        (Dir(dir), store)
    }

    fn grafana(name: &str) -> Profile {
        let mut inputs = TargetInputs::new("https://grafana.example.com").with(
            "role_attribute_path",
            "contains(roles[*], 'Admin') && 'Admin'",
        );
        inputs.tenant = Some("contoso.onmicrosoft.com".into());
        inputs.cloud = Cloud::UsGov;
        inputs.secret_name = Some("prod-grafana".into());
        Profile {
            name: name.into(),
            target: "Grafana".into(),
            inputs,
            steps: BTreeMap::from([
                ("register:0".to_string(), StepState::Done),
                ("redirect_uris:0".to_string(), StepState::Verified),
            ]),
            verdict: None,
            updated_at: 0.0,
        }
    }

    #[test]
    fn a_saved_profile_comes_back_with_its_inputs_cloud_secret_name_and_step_states() {
        let (_d, s) = store("roundtrip");
        let mut p = grafana("prod Grafana");
        let grafana_target = targets::require("grafana").unwrap();
        p.verdict = Some(targets::verdict_on(
            grafana_target,
            &targets::TokenSet::default(),
            &p.inputs,
        ));
        s.save(p).unwrap();
        // A second store on the same file: what the app sees after a restart.
        let again = ProfileStore::at(s.path());
        let list = again.list().unwrap();
        assert_eq!(list.last.as_deref(), Some("prod Grafana"));
        let p = again.get("PROD grafana").unwrap();
        assert_eq!(p.target, "grafana", "the target name is normalized");
        assert_eq!(p.inputs.cloud, Cloud::UsGov);
        assert_eq!(p.inputs.secret_name.as_deref(), Some("prod-grafana"));
        assert_eq!(p.steps["redirect_uris:0"], StepState::Verified);
        let verdict = p.verdict.expect("the last verdict is kept");
        assert_eq!(verdict.outcome, targets::Outcome::Unknown);
        assert!(verdict.check("token.none").is_some());
        assert!(p.updated_at > 0.0);
    }

    #[test]
    fn saving_under_an_existing_name_replaces_it_and_list_is_sorted() {
        let (_d, s) = store("replace");
        s.save(grafana("staging Keep")).unwrap();
        s.save(grafana("prod Grafana")).unwrap();
        let mut changed = grafana("Prod Grafana");
        changed
            .steps
            .insert("client_secret:0".into(), StepState::Failed);
        s.save(changed).unwrap();
        let list = s.list().unwrap();
        let names: Vec<_> = list.profiles.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["Prod Grafana", "staging Keep"]);
        assert_eq!(list.profiles[0].steps["client_secret:0"], StepState::Failed);
    }

    #[test]
    fn rename_keeps_the_profile_and_refuses_a_name_in_use() {
        let (_d, s) = store("rename");
        s.save(grafana("a")).unwrap();
        s.save(grafana("b")).unwrap();
        let err = s.rename("a", "B").unwrap_err();
        assert_eq!(err.code(), ErrorCode::InputInvalid);
        assert!(err.to_string().contains("already exists"));
        let renamed = s.rename("b", "prod Grafana").unwrap();
        assert_eq!(renamed.steps["register:0"], StepState::Done);
        let list = s.list().unwrap();
        assert_eq!(
            list.last.as_deref(),
            Some("prod Grafana"),
            "last follows the rename"
        );
        assert!(s.get("b").is_err());
    }

    #[test]
    fn delete_removes_it_and_forgets_it_as_last() {
        let (_d, s) = store("delete");
        s.save(grafana("prod Grafana")).unwrap();
        s.delete("prod grafana").unwrap();
        let list = s.list().unwrap();
        assert!(list.profiles.is_empty());
        assert_eq!(list.last, None);
        assert_eq!(
            s.delete("prod Grafana").unwrap_err().code(),
            ErrorCode::InputInvalid
        );
    }

    #[test]
    fn names_and_targets_are_checked() {
        let (_d, s) = store("names");
        assert!(s.save(grafana("   ")).is_err());
        assert!(s.save(grafana(&"x".repeat(MAX_NAME_LEN + 1))).is_err());
        let mut unknown = grafana("x");
        unknown.target = "wordpress".into();
        let err = s.save(unknown).unwrap_err();
        assert!(
            err.fix().unwrap().contains("grafana"),
            "the fix lists the targets"
        );
        assert!(!s.path().exists(), "nothing was written");
    }

    #[test]
    fn a_corrupt_file_is_a_typed_error_is_copied_and_is_never_overwritten() {
        let (_d, s) = store("corrupt");
        std::fs::create_dir_all(s.path().parent().unwrap()).unwrap();
        std::fs::write(s.path(), b"{\"version\": 1, \"profiles\": [ {\"name\": ").unwrap();
        let err = s.list().unwrap_err();
        assert_eq!(err.code(), ErrorCode::ProfilesCorrupt);
        assert!(err.to_string().contains(FILE_NAME), "{err}");
        assert!(err.fix().unwrap().contains(".corrupt"));
        assert_eq!(
            std::fs::read(s.corrupt_copy_path()).unwrap(),
            std::fs::read(s.path()).unwrap(),
            "a copy is kept"
        );
        // Saving does not silently replace the admin's file.
        assert_eq!(
            s.save(grafana("prod Grafana")).unwrap_err().code(),
            ErrorCode::ProfilesCorrupt
        );
        assert!(std::fs::read_to_string(s.path())
            .unwrap()
            .ends_with("\"name\": "));
        // Starting over is the explicit choice; the copy stays.
        assert!(s.start_over().unwrap().profiles.is_empty());
        assert!(!s.path().exists());
        assert!(s.corrupt_copy_path().exists());
        s.save(grafana("prod Grafana")).unwrap();
        assert_eq!(s.list().unwrap().profiles.len(), 1);
    }

    #[test]
    fn a_file_from_a_newer_version_is_not_read_as_empty() {
        let (_d, s) = store("version");
        std::fs::create_dir_all(s.path().parent().unwrap()).unwrap();
        std::fs::write(s.path(), br#"{"version": 2, "profiles": []}"#).unwrap();
        let err = s.list().unwrap_err();
        assert_eq!(err.code(), ErrorCode::ProfilesCorrupt);
        assert!(err.to_string().contains("version 2"), "{err}");
    }

    #[test]
    fn the_file_holds_the_secret_name_and_no_secret_value() {
        let (_d, s) = store("nosecret");
        s.save(grafana("prod Grafana")).unwrap();
        let text = std::fs::read_to_string(s.path()).unwrap();
        assert!(text.contains("\"secret_name\": \"prod-grafana\""));
        let keys: Vec<&str> = text
            .lines()
            .filter_map(|l| l.trim().strip_prefix('"'))
            .filter_map(|l| l.split('"').next())
            .collect();
        assert!(
            !keys
                .iter()
                .any(|k| *k == "secret" || *k == "value" || *k == "client_secret"),
            "{keys:?}"
        );
    }
}
