//! Saved secrets against the real OS keychain: on Linux a real Secret Service
//! (gnome-keyring in a private D-Bus session, started by `cargo xtask test`),
//! checked from outside with `secret-tool`.
//!
//! These tests run when `ENTRANCE_TEST_KEYRING=1` (set by `cargo xtask test`)
//! and fail if the keychain does not answer; in a bare `cargo test` without
//! that variable they are skipped with a note, so they never touch a
//! developer's own keyring by accident.

use std::process::Command;

use entrance_core::secrets::{
    ExposeSecret, Keychain, SecretName, SecretString, Secrets, SetOptions,
};

fn keyring_expected() -> bool {
    let on = std::env::var_os("ENTRANCE_TEST_KEYRING").is_some();
    if !on {
        eprintln!("skipped: set ENTRANCE_TEST_KEYRING=1 (cargo xtask test does) to test against the real keychain");
        return false;
    }
    if cfg!(target_os = "linux") {
        // gnome-keyring keeps its files in $XDG_DATA_HOME/keyrings: a test
        // session has its own, never the user's ~/.local/share.
        let data = std::env::var_os("XDG_DATA_HOME").map(std::path::PathBuf::from);
        let users =
            std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".local/share"));
        assert!(
            data.is_some() && data != users,
            "ENTRANCE_TEST_KEYRING is set but XDG_DATA_HOME is not a private folder: \
             run these tests through `cargo xtask test`, which starts a private D-Bus \
             session and keyring, so the user's own keyring is never touched"
        );
    }
    true
}

fn unique(name: &str) -> SecretName {
    SecretName::parse(&format!("{name}-{}", std::process::id())).unwrap()
}

fn secret_tool(args: &[&str]) -> String {
    let out = Command::new("secret-tool")
        .args(args)
        .output()
        .expect("secret-tool runs (apt: libsecret-tools)");
    // `search` prints the item's attributes on stderr, the secret on stdout.
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    if args.first() == Some(&"search") {
        text.push_str(&String::from_utf8_lossy(&out.stderr));
    }
    text
}

struct TempDir(std::path::PathBuf);
impl TempDir {
    fn new(tag: &str) -> Self {
        let p = std::env::temp_dir().join(format!("entrance-kc-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&p).unwrap();
        Self(p)
    }
}
impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn store_read_back_overwrite_and_delete_in_the_real_keychain() {
    if !keyring_expected() {
        return;
    }
    let dir = TempDir::new("roundtrip");
    let secrets = Secrets::open(&dir.0, Box::new(Keychain));
    let name = unique("roundtrip");
    let first = "Ab1Q~first-value-for-the-keychain-test";
    let second = "Cd2Q~second-value-for-the-keychain-test";

    secrets
        .set(&name, SecretString::from(first), SetOptions::default())
        .unwrap();
    assert_eq!(secrets.get(&name).unwrap().expose_secret(), first);

    if cfg!(target_os = "linux") {
        // Seen from outside Entrance: the item, under our service and name.
        assert_eq!(
            secret_tool(&["lookup", "service", "entrance", "username", name.as_str()]),
            first
        );
        let attrs = secret_tool(&[
            "search",
            "--all",
            "service",
            "entrance",
            "username",
            name.as_str(),
        ]);
        assert!(attrs.contains("attribute.service = entrance"), "{attrs}");
        assert!(
            attrs.contains(&format!("attribute.username = {name}")),
            "{attrs}"
        );
    }

    let replaced = secrets
        .set(&name, SecretString::from(second), SetOptions::default())
        .unwrap();
    assert!(replaced.replaced);
    assert_eq!(secrets.get(&name).unwrap().expose_secret(), second);
    if cfg!(target_os = "linux") {
        assert_eq!(
            secret_tool(&["lookup", "service", "entrance", "username", name.as_str()]),
            second
        );
    }

    secrets.delete(&name).unwrap();
    assert_eq!(
        secrets.get(&name).unwrap_err().code(),
        entrance_core::ErrorCode::SecretNotFound
    );
    if cfg!(target_os = "linux") {
        assert_eq!(
            secret_tool(&["lookup", "service", "entrance", "username", name.as_str()]),
            ""
        );
    }
    // The index never held the values.
    let index = std::fs::read_to_string(dir.0.join("secrets.json")).unwrap();
    assert!(!index.contains(first) && !index.contains(second));
}

#[test]
fn a_secret_saved_by_one_entrance_is_seen_by_another() {
    if !keyring_expected() {
        return;
    }
    let dir = TempDir::new("shared");
    let name = unique("shared");
    Secrets::open(&dir.0, Box::new(Keychain))
        .set(
            &name,
            SecretString::from("Ef3Q~shared-between-app-and-cli"),
            SetOptions::default(),
        )
        .unwrap();
    let other = Secrets::open(&dir.0, Box::new(Keychain));
    let list = other.list(entrance_core::secrets::today()).unwrap();
    assert!(list.iter().any(|s| s.name == name.as_str() && s.present));
    other.delete(&name).unwrap();
}
