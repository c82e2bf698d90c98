//! Logic of saved secrets over an in-memory backend. The real keychain is
//! exercised in `tests/keychain.rs` against a real Secret Service.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use time::macros::date;

use super::*;

#[derive(Default, Clone)]
struct MemoryBackend(Arc<Mutex<HashMap<String, String>>>);

impl Backend for MemoryBackend {
    fn set(&self, name: &SecretName, value: &SecretString) -> Result<()> {
        self.0
            .lock()
            .unwrap()
            .insert(name.to_string(), value.expose_secret().to_string());
        Ok(())
    }
    fn get(&self, name: &SecretName) -> Result<Option<SecretString>> {
        Ok(self
            .0
            .lock()
            .unwrap()
            .get(name.as_str())
            .cloned()
            .map(SecretString::from))
    }
    fn delete(&self, name: &SecretName) -> Result<bool> {
        Ok(self.0.lock().unwrap().remove(name.as_str()).is_some())
    }
}

fn fixture() -> (Secrets, MemoryBackend, tempdir::Dir) {
    let dir = tempdir::Dir::new();
    let backend = MemoryBackend::default();
    (
        Secrets::open(dir.path(), Box::new(backend.clone())),
        backend,
        dir,
    )
}

mod tempdir {
    pub struct Dir(std::path::PathBuf);
    impl Dir {
        pub fn new() -> Self {
            use std::sync::atomic::{AtomicU32, Ordering};
            static N: AtomicU32 = AtomicU32::new(0);
            let p = std::env::temp_dir().join(format!(
                "entrance-secrets-{}-{}",
                std::process::id(),
                N.fetch_add(1, Ordering::SeqCst)
            ));
            std::fs::create_dir_all(&p).unwrap();
            Self(p)
        }
        pub fn path(&self) -> &std::path::Path {
            &self.0
        }
    }
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

const VALUE: &str = "Xy48Q~unitTestValueUnitTestValueUnitTest";

fn name(n: &str) -> SecretName {
    SecretName::parse(n).unwrap()
}

#[test]
fn a_stored_secret_is_read_back_and_listed_without_its_value() {
    let (secrets, backend, dir) = fixture();
    let out = secrets
        .set(
            &name("prod-grafana"),
            SecretString::from(VALUE),
            SetOptions {
                expires_on: Some(date!(2027 - 05 - 31)),
                ..Default::default()
            },
        )
        .unwrap();
    assert!(!out.replaced);
    assert_eq!(
        secrets.get(&name("prod-grafana")).unwrap().expose_secret(),
        VALUE
    );
    assert_eq!(backend.0.lock().unwrap().len(), 1);

    let list = secrets.list(date!(2027 - 05 - 01)).unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].name, "prod-grafana");
    assert!(list[0].present);
    assert_eq!(list[0].expires_on.as_deref(), Some("2027-05-31"));
    assert_eq!(list[0].expiry, Expiry::ExpiresSoon { days_left: 30 });

    // The index on disk and every serialized status hold no value.
    let index = std::fs::read_to_string(dir.path().join("secrets.json")).unwrap();
    assert!(index.contains("prod-grafana"));
    assert!(!index.contains(VALUE));
    assert!(!serde_json::to_string(&list).unwrap().contains(VALUE));
}

#[test]
fn replacing_keeps_the_creation_date_and_the_expiry() {
    let (secrets, _, _dir) = fixture();
    let n = name("staging-keep");
    let first = secrets
        .set(
            &n,
            SecretString::from(VALUE),
            SetOptions {
                expires_on: Some(date!(2027 - 01 - 01)),
                ..Default::default()
            },
        )
        .unwrap();
    let second = secrets
        .set(
            &n,
            SecretString::from("Ab12Q~second"),
            SetOptions::default(),
        )
        .unwrap();
    assert!(second.replaced);
    assert_eq!(second.status.created_at, first.status.created_at);
    assert_eq!(second.status.expires_on.as_deref(), Some("2027-01-01"));
    assert_eq!(secrets.get(&n).unwrap().expose_secret(), "Ab12Q~second");
}

#[test]
fn a_secret_id_is_refused_until_the_admin_confirms() {
    let (secrets, backend, _dir) = fixture();
    let n = name("prod-grafana");
    let err = secrets
        .set(
            &n,
            SecretString::from("3f2b8c1e-9d4a-4e7b-8c2d-1a2b3c4d5e6f"),
            SetOptions::default(),
        )
        .unwrap_err();
    assert_eq!(err.code(), crate::ErrorCode::SecretSuspiciousValue);
    assert!(err.to_string().contains("Secret ID"));
    assert!(backend.0.lock().unwrap().is_empty(), "nothing stored");

    let out = secrets
        .set(
            &n,
            SecretString::from("3f2b8c1e-9d4a-4e7b-8c2d-1a2b3c4d5e6f"),
            SetOptions {
                accept_warnings: true,
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(out.warnings[0].code, "secret.looks_like_secret_id");
}

#[test]
fn an_empty_value_is_never_stored() {
    let (secrets, _, _dir) = fixture();
    let err = secrets
        .set(
            &name("x"),
            SecretString::from(""),
            SetOptions {
                accept_warnings: true,
                ..Default::default()
            },
        )
        .unwrap_err();
    assert_eq!(err.code(), crate::ErrorCode::SecretSuspiciousValue);
}

#[test]
fn session_only_secrets_stay_in_memory_and_off_the_index() {
    let (secrets, backend, dir) = fixture();
    let n = name("laptop-test");
    secrets
        .set(
            &n,
            SecretString::from(VALUE),
            SetOptions {
                session_only: true,
                ..Default::default()
            },
        )
        .unwrap();
    assert!(backend.0.lock().unwrap().is_empty());
    assert!(!dir.path().join("secrets.json").exists());
    assert_eq!(secrets.get(&n).unwrap().expose_secret(), VALUE);
    let list = secrets.list(today()).unwrap();
    assert_eq!(list[0].store, SecretStore::Session);
    secrets.delete(&n).unwrap();
    assert!(secrets.list(today()).unwrap().is_empty());
}

#[test]
fn moving_a_keychain_secret_to_the_session_removes_it_from_the_keychain() {
    let (secrets, backend, _dir) = fixture();
    let n = name("moving");
    secrets
        .set(&n, SecretString::from(VALUE), SetOptions::default())
        .unwrap();
    secrets
        .set(
            &n,
            SecretString::from(VALUE),
            SetOptions {
                session_only: true,
                ..Default::default()
            },
        )
        .unwrap();
    assert!(backend.0.lock().unwrap().is_empty());
    assert_eq!(secrets.list(today()).unwrap().len(), 1);
}

#[test]
fn deleting_an_unknown_secret_says_so() {
    let (secrets, _, _dir) = fixture();
    let err = secrets.delete(&name("nope")).unwrap_err();
    assert_eq!(err.code(), crate::ErrorCode::SecretNotFound);
    assert!(err.fix().unwrap().contains("entrance secret set nope"));
    assert_eq!(
        secrets.get(&name("nope")).unwrap_err().code(),
        crate::ErrorCode::SecretNotFound
    );
}

#[test]
fn expiry_is_warned_thirty_days_ahead() {
    let today = date!(2026 - 11 - 23);
    assert_eq!(Expiry::on(None, today), Expiry::Unknown);
    assert_eq!(
        Expiry::on(Some(date!(2026 - 12 - 24)), today),
        Expiry::Valid { days_left: 31 }
    );
    assert_eq!(
        Expiry::on(Some(date!(2026 - 12 - 23)), today),
        Expiry::ExpiresSoon { days_left: 30 }
    );
    assert_eq!(
        Expiry::on(Some(today), today).warning("p").unwrap(),
        "The secret p expires today."
    );
    let expired = Expiry::on(Some(date!(2026 - 11 - 16)), today);
    assert_eq!(expired, Expiry::Expired { days_ago: 7 });
    assert!(expired.warning("p").unwrap().contains("AADSTS7000222"));
}

#[test]
fn set_expiry_records_where_the_date_came_from() {
    let (secrets, _, _dir) = fixture();
    let n = name("audited");
    secrets
        .set(&n, SecretString::from(VALUE), SetOptions::default())
        .unwrap();
    let st = secrets
        .set_expiry(&n, Some(date!(2027 - 02 - 01)), ExpirySource::Registration)
        .unwrap();
    assert_eq!(st.expiry_source, Some(ExpirySource::Registration));
    assert_eq!(
        secrets.status(&n, date!(2027 - 02 - 02)).unwrap().expiry,
        Expiry::Expired { days_ago: 1 }
    );
}

#[test]
fn names_are_checked() {
    for bad in ["", "-x", "has space", "slash/name", &"x".repeat(65)] {
        let err = SecretName::parse(bad).unwrap_err();
        assert_eq!(err.code(), crate::ErrorCode::InputInvalid, "{bad:?}");
    }
    assert!(SecretName::parse("prod.grafana_2-b").is_ok());
}

#[test]
fn dates_are_read_as_admins_type_them() {
    assert_eq!(parse_date("2027-05-31").unwrap(), date!(2027 - 05 - 31));
    assert_eq!(
        parse_date("2027-05-31T10:11:12Z").unwrap(),
        date!(2027 - 05 - 31)
    );
    assert_eq!(
        parse_date("31/05/2027").unwrap_err().code(),
        crate::ErrorCode::InputInvalid
    );
}

#[test]
fn a_damaged_index_is_an_error_not_a_loss() {
    let (secrets, _, dir) = fixture();
    std::fs::write(dir.path().join("secrets.json"), b"{not json").unwrap();
    let err = secrets.list(today()).unwrap_err();
    assert_eq!(err.code(), crate::ErrorCode::InputInvalid);
    assert_eq!(
        std::fs::read(dir.path().join("secrets.json")).unwrap(),
        b"{not json"
    );
}

#[test]
fn a_secret_prints_redacted() {
    let s = SecretString::from(VALUE);
    assert!(!format!("{s:?}").contains(VALUE));
}
