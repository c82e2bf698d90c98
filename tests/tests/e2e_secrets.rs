//! Secrets in the real app, against the real OS keychain: an admin stores a
//! client secret through the Secrets page, the Secret Service holds it (seen
//! from outside with `secret-tool`), the admin deletes it, and the value was
//! never written to the app's folders or the test artifacts.
//!
//! `cargo xtask test` runs this inside a private D-Bus session with an
//! unlocked gnome-keyring and private `XDG_*` folders, so the keychain and
//! config folder here are the test's own.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{bail, Context, Result};
use entrance_e2e::{App, UI_TIMEOUT};
use fantoccini::Locator;

const ADD_FORM: &str = "section[aria-labelledby='add-heading']";

#[tokio::test]
#[ignore = "needs a display, tauri-driver and a Secret Service: run through `cargo xtask test`"]
async fn a_secret_stored_in_the_app_is_in_the_keychain_and_nowhere_else() -> Result<()> {
    let config = config_dir()?;
    let stamp = SystemTime::now().duration_since(UNIX_EPOCH)?.as_nanos();
    let name = format!("e2e-{}", std::process::id());
    let value = format!("E2eQ~{stamp}-typed-into-the-real-app");
    assert_eq!(lookup(&name)?, None, "the keychain starts without {name}");

    let app = App::start().await?;
    app.open_area("Secrets").await?;
    app.wait_for_text(Locator::Css("main"), "Saved secrets")
        .await?;

    // Fill in "Add a secret" as an admin would: the name, then the value into
    // the masked field.
    let form = format!("{ADD_FORM} ");
    app.wait_for(Locator::Css(&format!("{form}#new-secret-name")))
        .await?
        .send_keys(&name)
        .await?;
    let field = app
        .client
        .find(Locator::Css(&format!("{form}input.value-input")))
        .await?;
    assert_eq!(
        field.attr("type").await?.as_deref(),
        Some("password"),
        "the value field is masked"
    );
    field.send_keys(&value).await?;
    app.client
        .find(Locator::XPath(
            "//section[@aria-labelledby='add-heading']//button[normalize-space()='Store in keychain']",
        ))
        .await?
        .click()
        .await?;

    // Listed as stored in the keychain…
    let row = format!("li.secret[data-name='{name}']");
    let text = app
        .wait_for_text(Locator::Css(&row), "Stored in keychain")
        .await?;
    assert!(text.contains("Expiry unknown"), "row: {text}");
    assert!(
        !text.contains(&value),
        "the list never shows the value: {text}"
    );
    let page = app.client.source().await?;
    assert!(
        !page.contains(&value),
        "the value is not in the page after storing"
    );
    app.screenshot("secrets-stored").await?;

    // …and really there: the Secret Service answers `secret-tool` with it.
    assert_eq!(
        lookup(&name)?.as_deref(),
        Some(value.as_str()),
        "secret-tool finds the value under service=entrance username={name}"
    );
    let index = std::fs::read_to_string(config.join("secrets.json"))
        .with_context(|| format!("the index in {}", config.display()))?;
    assert!(index.contains(&name), "the index lists {name}: {index}");

    // A script in the window asks for the value on its own, as injected
    // content would. Entrance opens its own confirmation dialog and waits:
    // nothing comes back until a person answers. Dismissed, the script gets
    // the typed refusal and never the value.
    let script = r#"
        const [name, done] = arguments;
        window.__TAURI_INTERNALS__.invoke('secret_reveal', { name })
            .then((v) => done('VALUE:' + v), (e) => done('REFUSED:' + JSON.stringify(e)));
    "#;
    let asked = {
        let client = app.client.clone();
        let name = name.clone();
        tokio::spawn(async move {
            client
                .execute_async(script, vec![serde_json::Value::String(name)])
                .await
        })
    };
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(
        !asked.is_finished(),
        "the value did not come back without a person's answer"
    );
    dismiss_dialog("Show a saved secret?")?;
    let answer = tokio::time::timeout(UI_TIMEOUT, asked)
        .await
        .context("the script's call ended once the dialog was dismissed")???;
    let answer = answer.as_str().unwrap_or_default().to_string();
    assert!(
        answer.starts_with("REFUSED:") && answer.contains("secret.reveal_declined"),
        "the script got a refusal: {answer}"
    );
    assert!(!answer.contains(&value), "the script never saw the value");

    // Delete it in the UI, through the confirm step.
    app.client
        .find(Locator::Css(&format!(
            "{row} button[aria-label='Delete {name}']"
        )))
        .await?
        .click()
        .await?;
    app.wait_for(Locator::Css(&format!(
        "{row} button[aria-label='Yes, delete {name}']"
    )))
    .await?
    .click()
    .await?;
    wait_until_gone(&app, &row).await?;
    app.screenshot("secrets-deleted").await?;
    app.close().await?;

    assert_eq!(
        lookup(&name)?,
        None,
        "secret-tool no longer finds {name} after Delete"
    );
    let index = std::fs::read_to_string(config.join("secrets.json"))?;
    assert!(!index.contains(&name), "the index forgot {name}: {index}");

    // The value was never written where files live: the config folder, the
    // app's data and cache folders (WebView storage), and the artifacts.
    let mut searched = vec![config.clone()];
    for var in ["XDG_DATA_HOME", "XDG_CACHE_HOME", "ENTRANCE_E2E_ARTIFACTS"] {
        if let Some(dir) = std::env::var_os(var) {
            searched.push(PathBuf::from(dir));
        }
    }
    let mut files = 0;
    for dir in &searched {
        for (path, bytes) in files_under(dir) {
            files += 1;
            assert!(
                !contains(&bytes, value.as_bytes()),
                "the secret's value was written to {}",
                path.display()
            );
        }
    }
    assert!(files > 0, "searched no files in {searched:?}");
    Ok(())
}

/// Where the app keeps its files: `$ENTRANCE_CONFIG_DIR`, else
/// `$XDG_CONFIG_HOME/entrance` (the test session sets XDG_CONFIG_HOME).
fn config_dir() -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os("ENTRANCE_CONFIG_DIR") {
        return Ok(PathBuf::from(dir));
    }
    let Some(xdg) = std::env::var_os("XDG_CONFIG_HOME") else {
        bail!("XDG_CONFIG_HOME is not set: run the end-to-end tests through `cargo xtask test`, which gives them a private one");
    };
    Ok(PathBuf::from(xdg).join("entrance"))
}

/// Presses Escape in the native dialog titled `title`, as a person would
/// (xdotool under Xvfb), once it has appeared.
fn dismiss_dialog(title: &str) -> Result<()> {
    let deadline = Instant::now() + UI_TIMEOUT;
    loop {
        let found = Command::new("xdotool")
            .args(["search", "--onlyvisible", "--name", title])
            .output()
            .context("running xdotool (apt: xdotool)")?;
        let id = String::from_utf8_lossy(&found.stdout)
            .lines()
            .next()
            .unwrap_or_default()
            .to_string();
        if !id.is_empty() {
            let status = Command::new("xdotool")
                .args([
                    "windowfocus",
                    &id,
                    "sleep",
                    "0.3",
                    "key",
                    "--clearmodifiers",
                    "Escape",
                ])
                .status()?;
            if status.success() {
                return Ok(());
            }
        }
        if Instant::now() > deadline {
            bail!("no dialog titled {title:?} appeared");
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// The value the Secret Service holds for `name`, seen from outside Entrance.
fn lookup(name: &str) -> Result<Option<String>> {
    let out = Command::new("secret-tool")
        .args(["lookup", "service", "entrance", "username", name])
        .output()
        .context("running secret-tool (apt: libsecret-tools)")?;
    let found = String::from_utf8(out.stdout)?;
    Ok((out.status.success() && !found.is_empty()).then_some(found))
}

async fn wait_until_gone(app: &App, css: &str) -> Result<()> {
    let deadline = Instant::now() + UI_TIMEOUT;
    while app.client.find(Locator::Css(css)).await.is_ok() {
        if Instant::now() > deadline {
            bail!("{css} was still shown after {UI_TIMEOUT:?}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(())
}

fn files_under(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        match entry.file_type() {
            Ok(t) if t.is_dir() => out.extend(files_under(&path)),
            Ok(t) if t.is_file() => {
                if let Ok(bytes) = std::fs::read(&path) {
                    out.push((path, bytes));
                }
            }
            _ => {}
        }
    }
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}
