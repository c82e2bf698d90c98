//! Client secrets: kept in the OS keychain, never on disk, in logs, reports
//! or argv.
//!
//! - A secret's **value** lives only in the keychain ([`keychain`]) or, when
//!   the admin explicitly chooses it, in this process's memory for the
//!   session ([`SecretStore::Session`]). In Rust it is a
//!   [`secrecy::SecretString`]: it prints as `[REDACTED]`, has no
//!   `Serialize`, and is zeroized when dropped.
//! - The **index** of saved secrets (name, where, dates, expiry) is not
//!   secret and is saved in the config folder as `secrets.json`, atomically.
//! - Values are checked before they are stored ([`shape`]): a GUID is most
//!   likely the Secret ID, not the Value.
//! - Expiry: the secret's end date, entered or read from the registration,
//!   gives a warning [`EXPIRY_WARNING_DAYS`] days ahead.

pub mod keychain;
pub mod registration;

/// An application's `passwordCredentials` as Graph answers them. For the
/// fuzz targets.
pub(crate) fn registration_secrets(body: &serde_json::Value) -> usize {
    registration::parse(body).len()
}
pub mod shape;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

pub use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

use crate::error::{Error, Result};
pub use keychain::{Keychain, KeychainProblem, SERVICE};
pub use shape::{check_value, is_guid, SecretWarning};

/// Days before a secret's end date from which Entrance warns.
pub const EXPIRY_WARNING_DAYS: i64 = 30;

/// Where a secret's value is stored: a storage backend.
pub trait Backend: Send + Sync {
    /// Stores or replaces the value.
    fn set(&self, name: &SecretName, value: &SecretString) -> Result<()>;
    /// The value, or `None` when there is no such item.
    fn get(&self, name: &SecretName) -> Result<Option<SecretString>>;
    /// Removes the value; `false` when there was none.
    fn delete(&self, name: &SecretName) -> Result<bool>;
}

/// The name a secret is saved under, e.g. `prod-grafana`: 1–64 characters
/// of letters, digits, `.`, `_` and `-`, starting with a letter or digit.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SecretName(String);

impl SecretName {
    /// Checks and wraps a name.
    pub fn parse(name: &str) -> Result<Self> {
        let ok_chars = name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
        let ok_start = name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric());
        if name.is_empty() || name.len() > 64 || !ok_chars || !ok_start {
            return Err(Error::InvalidInput {
                field: "Secret name".into(),
                reason: format!(
                    "{name:?} is not a valid name: use 1–64 letters, digits, '.', '_' or '-', starting with a letter or digit"
                ),
                fix: Some("Name it after the profile, for example prod-grafana.".into()),
            });
        }
        Ok(Self(name.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for SecretName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where a secret's value is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum SecretStore {
    /// The OS keychain.
    Keychain,
    /// This process's memory only, gone when Entrance quits.
    Session,
}

/// Where an expiry date came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ExpirySource {
    /// Typed in by the admin.
    Entered,
    /// Read from the app registration's `passwordCredentials[].endDateTime`
    /// through Microsoft Graph (docs/entra.md#azure-cli-and-graph-equivalents, audit).
    Registration,
}

/// The non-secret facts about one saved secret, as kept in the index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Record {
    store: SecretStore,
    #[serde(with = "time::serde::rfc3339")]
    created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    updated_at: OffsetDateTime,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    expires_on: Option<Date>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    expiry_source: Option<ExpirySource>,
}

/// How close a secret is to its end date. (Day counts are `i64` for date
/// arithmetic but cross IPC as TypeScript `number`: they fit easily.)
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Expiry {
    /// No end date is known.
    Unknown,
    /// More than [`EXPIRY_WARNING_DAYS`] days left.
    Valid {
        #[specta(type = i32)]
        days_left: i64,
    },
    /// At most [`EXPIRY_WARNING_DAYS`] days left.
    ExpiresSoon {
        #[specta(type = i32)]
        days_left: i64,
    },
    /// The end date has passed: Entra answers AADSTS7000222 (docs/entra.md#errors).
    Expired {
        #[specta(type = i32)]
        days_ago: i64,
    },
}

impl Expiry {
    /// The expiry of a secret ending on `expires_on`, seen on `today`.
    pub fn on(expires_on: Option<Date>, today: Date) -> Self {
        let Some(end) = expires_on else {
            return Expiry::Unknown;
        };
        let days = (end - today).whole_days();
        if days < 0 {
            Expiry::Expired { days_ago: -days }
        } else if days <= EXPIRY_WARNING_DAYS {
            Expiry::ExpiresSoon { days_left: days }
        } else {
            Expiry::Valid { days_left: days }
        }
    }

    /// A sentence for the admin, or `None` when there is nothing to say.
    pub fn warning(&self, name: &str) -> Option<String> {
        match self {
            Expiry::ExpiresSoon { days_left: 0 } => Some(format!("The secret {name} expires today.")),
            Expiry::ExpiresSoon { days_left } => Some(format!("The secret {name} expires in {days_left} days.")),
            Expiry::Expired { days_ago } => Some(format!(
                "The secret {name} expired {days_ago} days ago: Entra rejects it with AADSTS7000222."
            )),
            _ => None,
        }
    }
}

/// What Entrance knows about a saved secret — never its value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct SecretStatus {
    pub name: String,
    pub store: SecretStore,
    /// Whether the value is really there (the keychain was asked).
    pub present: bool,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// RFC 3339, UTC.
    pub updated_at: String,
    /// The secret's end date, `YYYY-MM-DD`, when known.
    pub expires_on: Option<String>,
    pub expiry_source: Option<ExpirySource>,
    pub expiry: Expiry,
}

/// Options for [`Secrets::set`].
#[derive(Debug, Clone, Default)]
pub struct SetOptions {
    /// Keep the value in memory for this session instead of the keychain.
    pub session_only: bool,
    /// The secret's end date, when known.
    pub expires_on: Option<Date>,
    /// Store even when [`check_value`] warns (the admin confirmed).
    pub accept_warnings: bool,
}

/// What [`Secrets::set`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct SetOutcome {
    pub status: SecretStatus,
    /// An existing secret of that name was replaced.
    pub replaced: bool,
    /// Warnings the admin accepted.
    pub warnings: Vec<SecretWarning>,
}

/// The index file on disk.
#[derive(Debug, Default, Serialize, Deserialize)]
struct IndexFile {
    version: u32,
    secrets: BTreeMap<String, Record>,
}

/// Saved secrets: the keychain (or session memory) for values, the index for
/// the rest.
pub struct Secrets {
    index_path: PathBuf,
    keychain: Box<dyn Backend>,
    session: Mutex<BTreeMap<String, (SecretString, Record)>>,
}

impl Secrets {
    /// Secrets in the OS keychain, indexed in Entrance's config folder.
    pub fn open_default() -> Result<Self> {
        Ok(Self::open(&crate::paths::config_dir()?, Box::new(Keychain)))
    }

    /// Secrets in `backend`, indexed in `config_dir/secrets.json`.
    pub fn open(config_dir: &Path, backend: Box<dyn Backend>) -> Self {
        Self {
            index_path: config_dir.join("secrets.json"),
            keychain: backend,
            session: Mutex::new(BTreeMap::new()),
        }
    }

    /// Stores `value` under `name`, replacing any earlier one.
    pub fn set(
        &self,
        name: &SecretName,
        value: SecretString,
        opts: SetOptions,
    ) -> Result<SetOutcome> {
        let warnings = check_value(value.expose_secret());
        if value.expose_secret().is_empty() || (!warnings.is_empty() && !opts.accept_warnings) {
            return Err(Error::SuspiciousSecret { warnings });
        }
        let now = now_seconds();
        let mut index = self.read_index()?;
        let mut session = self
            .session
            .lock()
            .map_err(|_| Error::Internal("secret session store poisoned".into()))?;
        let earlier = index
            .secrets
            .get(name.as_str())
            .cloned()
            .or_else(|| session.get(name.as_str()).map(|(_, r)| r.clone()));
        let record = Record {
            store: if opts.session_only {
                SecretStore::Session
            } else {
                SecretStore::Keychain
            },
            created_at: earlier.as_ref().map_or(now, |r| r.created_at),
            updated_at: now,
            expires_on: opts
                .expires_on
                .or(earlier.as_ref().and_then(|r| r.expires_on)),
            expiry_source: if opts.expires_on.is_some() {
                Some(ExpirySource::Entered)
            } else {
                earlier.as_ref().and_then(|r| r.expiry_source)
            },
        };
        if opts.session_only {
            // Moving a secret to the session removes it from the keychain.
            if index.secrets.remove(name.as_str()).is_some() {
                self.keychain.delete(name)?;
                self.write_index(&index)?;
            }
            session.insert(name.to_string(), (value, record.clone()));
        } else {
            self.keychain.set(name, &value)?;
            session.remove(name.as_str());
            index.secrets.insert(name.to_string(), record.clone());
            self.write_index(&index)?;
        }
        Ok(SetOutcome {
            status: status_of(name.as_str(), &record, true, today()),
            replaced: earlier.is_some(),
            warnings,
        })
    }

    /// The value, for use in a request. Never log or serialize it.
    pub fn get(&self, name: &SecretName) -> Result<SecretString> {
        if let Some((value, _)) = self.session_lock()?.get(name.as_str()) {
            return Ok(value.clone());
        }
        self.keychain
            .get(name)?
            .ok_or_else(|| Error::SecretNotFound {
                name: name.to_string(),
            })
    }

    /// Removes a secret from the keychain (or the session) and the index.
    pub fn delete(&self, name: &SecretName) -> Result<()> {
        if self.session_lock()?.remove(name.as_str()).is_some() {
            return Ok(());
        }
        let mut index = self.read_index()?;
        let indexed = index.secrets.remove(name.as_str()).is_some();
        let stored = self.keychain.delete(name)?;
        if indexed {
            self.write_index(&index)?;
        }
        if indexed || stored {
            Ok(())
        } else {
            Err(Error::SecretNotFound {
                name: name.to_string(),
            })
        }
    }

    /// Records the secret's end date.
    pub fn set_expiry(
        &self,
        name: &SecretName,
        expires_on: Option<Date>,
        source: ExpirySource,
    ) -> Result<SecretStatus> {
        if let Some((_, record)) = self.session_lock()?.get_mut(name.as_str()) {
            record.expires_on = expires_on;
            record.expiry_source = expires_on.map(|_| source);
            return Ok(status_of(name.as_str(), record, true, today()));
        }
        let mut index = self.read_index()?;
        let record = index
            .secrets
            .get_mut(name.as_str())
            .ok_or_else(|| Error::SecretNotFound {
                name: name.to_string(),
            })?;
        record.expires_on = expires_on;
        record.expiry_source = expires_on.map(|_| source);
        let record = record.clone();
        self.write_index(&index)?;
        let present = self.keychain.get(name)?.is_some();
        Ok(status_of(name.as_str(), &record, present, today()))
    }

    /// The status of one secret, as of `today`.
    pub fn status(&self, name: &SecretName, today: Date) -> Result<SecretStatus> {
        if let Some((_, record)) = self.session_lock()?.get(name.as_str()) {
            return Ok(status_of(name.as_str(), record, true, today));
        }
        let index = self.read_index()?;
        let present = self.keychain.get(name)?.is_some();
        match index.secrets.get(name.as_str()) {
            Some(record) => Ok(status_of(name.as_str(), record, present, today)),
            None if present => {
                // In the keychain but not in the index (saved by an older
                // Entrance, or the index was removed): report what we know.
                let now = now_seconds();
                let record = Record {
                    store: SecretStore::Keychain,
                    created_at: now,
                    updated_at: now,
                    expires_on: None,
                    expiry_source: None,
                };
                Ok(status_of(name.as_str(), &record, true, today))
            }
            None => Err(Error::SecretNotFound {
                name: name.to_string(),
            }),
        }
    }

    /// Every saved secret, keychain and session, by name.
    pub fn list(&self, today: Date) -> Result<Vec<SecretStatus>> {
        let index = self.read_index()?;
        let mut out = Vec::new();
        for (name, record) in &index.secrets {
            let present = match SecretName::parse(name) {
                Ok(n) => self.keychain.get(&n)?.is_some(),
                Err(_) => false,
            };
            out.push(status_of(name, record, present, today));
        }
        for (name, (_, record)) in self.session_lock()?.iter() {
            out.push(status_of(name, record, true, today));
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    fn session_lock(
        &self,
    ) -> Result<std::sync::MutexGuard<'_, BTreeMap<String, (SecretString, Record)>>> {
        self.session
            .lock()
            .map_err(|_| Error::Internal("secret session store poisoned".into()))
    }

    fn read_index(&self) -> Result<IndexFile> {
        match crate::paths::read_file_limited(&self.index_path, crate::paths::MAX_CONFIG_FILE_BYTES) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| Error::InvalidInput {
                field: self.index_path.display().to_string(),
                reason: format!("the saved-secrets index is damaged ({e})"),
                fix: Some(
                    "Move the file aside; Entrance starts a new index. The secrets themselves stay in the keychain."
                        .into(),
                ),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(IndexFile { version: 1, ..Default::default() }),
            Err(source) => Err(Error::Io {
                action: "read",
                path: self.index_path.display().to_string(),
                source,
            }),
        }
    }

    fn write_index(&self, index: &IndexFile) -> Result<()> {
        let bytes = serde_json::to_vec_pretty(index).map_err(|e| Error::Internal(e.to_string()))?;
        crate::paths::write_atomic(&self.index_path, &bytes)
    }
}

/// Now, to the second (what the index records).
fn now_seconds() -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    now.replace_nanosecond(0).unwrap_or(now)
}

/// Today's date in UTC.
pub fn today() -> Date {
    OffsetDateTime::now_utc().date()
}

/// Parses a `YYYY-MM-DD` end date as typed by an admin (or the date part of
/// a Graph `endDateTime`).
pub fn parse_date(text: &str) -> Result<Date> {
    let text = text.trim();
    let day = text.get(..10).unwrap_or(text);
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(day, format).map_err(|_| Error::InvalidInput {
        field: "Expires".into(),
        reason: format!("{text:?} is not a date in the form YYYY-MM-DD"),
        fix: Some("Copy the Expires date from Certificates & secrets, e.g. 2027-05-31.".into()),
    })
}

fn status_of(name: &str, record: &Record, present: bool, today: Date) -> SecretStatus {
    let rfc3339 = |t: OffsetDateTime| {
        t.format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default()
    };
    SecretStatus {
        name: name.to_string(),
        store: record.store,
        present,
        created_at: rfc3339(record.created_at),
        updated_at: rfc3339(record.updated_at),
        expires_on: record.expires_on.map(|d| d.to_string()),
        expiry_source: record.expiry_source,
        expiry: Expiry::on(record.expires_on, today),
    }
}

#[cfg(test)]
mod tests;
