//! Harness for end-to-end tests of the real Entrance app.
//!
//! Each test starts `tauri-driver` (which drives WebKitWebDriver), opens the
//! app built with its UI embedded, and talks WebDriver to it through
//! fantoccini. The tests are `#[ignore]`d in a bare `cargo test` because they
//! need a display; `cargo xtask test` runs them under Xvfb with
//! `--ignored`, passing:
//! - `ENTRANCE_APP`: the app binary (built with `--features custom-protocol`);
//! - `TAURI_DRIVER`: the `tauri-driver` binary;
//! - `ENTRANCE_E2E_ARTIFACTS`: where screenshots go.

use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use fantoccini::{Client, ClientBuilder, Locator};

/// How long a UI element may take to appear.
pub const UI_TIMEOUT: Duration = Duration::from_secs(20);

/// The running app, driven through WebDriver. Closing it ends the session,
/// the app and the driver.
pub struct App {
    pub client: Client,
    driver: Child,
}

impl App {
    /// Starts `tauri-driver` and the app; returns once the window's UI is up.
    pub async fn start() -> Result<Self> {
        Self::start_with_env(&[]).await
    }

    /// Like [`App::start`], with extra environment variables for the app
    /// (tauri-driver → WebKitWebDriver → the app inherit them), e.g. `BROWSER`.
    pub async fn start_with_env(vars: &[(&str, &str)]) -> Result<Self> {
        let app = PathBuf::from(env("ENTRANCE_APP")?);
        let driver_bin = env("TAURI_DRIVER")?;
        let port = free_port()?;
        let native_port = free_port()?;
        let mut command = Command::new(&driver_bin);
        command
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .envs(vars.iter().copied());
        // Its own process group, so stopping it also stops WebKitWebDriver
        // and the app (see `stop`).
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let driver = command
            .spawn()
            .with_context(|| format!("starting {driver_bin}"))?;
        let mut guard = DriverGuard(Some(driver));
        wait_for_port(port, Duration::from_secs(20))?;

        let mut caps = serde_json::Map::new();
        caps.insert(
            "tauri:options".into(),
            serde_json::json!({ "application": app.canonicalize().unwrap_or(app) }),
        );
        caps.insert("browserName".into(), serde_json::json!("wry"));
        // tauri-driver listens before WebKitWebDriver behind it is ready; on a
        // loaded machine the first session request can find nobody there.
        let mut attempt = 0;
        let client = loop {
            attempt += 1;
            match ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                .capabilities(caps.clone())
                .connect(&format!("http://127.0.0.1:{port}"))
                .await
            {
                Ok(client) => break client,
                Err(
                    fantoccini::error::NewSessionError::Failed(_)
                    | fantoccini::error::NewSessionError::FailedC(_)
                    | fantoccini::error::NewSessionError::Lost(_),
                ) if attempt < 4 => {
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
                Err(e) => return Err(e).context("opening a WebDriver session on the app"),
            }
        };
        let driver = guard.0.take().expect("driver still owned");
        let app = App { client, driver };
        app.wait_for(Locator::Css("nav"))
            .await
            .context("the app's sidebar never appeared")?;
        Ok(app)
    }

    /// Waits up to [`UI_TIMEOUT`] for an element.
    pub async fn wait_for(&self, locator: Locator<'_>) -> Result<fantoccini::elements::Element> {
        Ok(self
            .client
            .wait()
            .at_most(UI_TIMEOUT)
            .for_element(locator)
            .await?)
    }

    /// Waits until `locator`'s text contains `needle`; returns the text.
    pub async fn wait_for_text(&self, locator: Locator<'_>, needle: &str) -> Result<String> {
        let deadline = Instant::now() + UI_TIMEOUT;
        loop {
            let text = match self.client.find(locator).await {
                Ok(el) => el.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            if text.contains(needle) {
                return Ok(text);
            }
            if Instant::now() > deadline {
                bail!("waited {UI_TIMEOUT:?} for {needle:?}; last text was {text:?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Opens an area from the sidebar by its label ("Diagnose") and waits
    /// for its page heading.
    pub async fn open_area(&self, label: &str) -> Result<()> {
        self.client
            .find(Locator::XPath(&format!(
                "//nav[@aria-label='Areas']//*[self::a or self::button][.//text()[normalize-space()='{label}']]"
            )))
            .await?
            .click()
            .await?;
        self.wait_for_text(Locator::Css("main h1"), label).await?;
        Ok(())
    }

    /// The current value of the form field with this `id`.
    pub async fn value_of(&self, id: &str) -> Result<String> {
        Ok(self
            .client
            .find(Locator::Id(id))
            .await?
            .prop("value")
            .await?
            .unwrap_or_default())
    }

    /// Waits up to [`UI_TIMEOUT`] until the field `id` holds `expected`.
    pub async fn wait_for_value(&self, id: &str, expected: &str) -> Result<()> {
        let deadline = Instant::now() + UI_TIMEOUT;
        loop {
            let now = self.value_of(id).await.unwrap_or_default();
            if now == expected {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!("#{id} never became {expected:?}; it is {now:?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Fills the field `id` the way a paste does and Svelte's `bind:value`
    /// hears it: one `input` event, not key by key.
    pub async fn set_value(&self, id: &str, text: &str) -> Result<()> {
        self.client
            .execute(
                "const el = document.getElementById(arguments[0]); el.value = arguments[1]; \
                 el.dispatchEvent(new Event('input', { bubbles: true }));",
                vec![id.into(), text.into()],
            )
            .await?;
        Ok(())
    }

    /// Saves a screenshot of the window to the artifacts folder.
    pub async fn screenshot(&self, name: &str) -> Result<PathBuf> {
        let dir = PathBuf::from(
            std::env::var("ENTRANCE_E2E_ARTIFACTS").unwrap_or_else(|_| "target/e2e".into()),
        );
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, self.client.screenshot().await?)?;
        Ok(path)
    }

    /// Ends the session and stops the app and the driver.
    pub async fn close(mut self) -> Result<()> {
        let closed = self.client.clone().close().await;
        stop(&mut self.driver);
        closed.context("closing the WebDriver session")
    }
}

impl Drop for App {
    fn drop(&mut self) {
        stop(&mut self.driver);
    }
}

struct DriverGuard(Option<Child>);

impl Drop for DriverGuard {
    fn drop(&mut self) {
        if let Some(c) = &mut self.0 {
            stop(c);
        }
    }
}

/// Stops tauri-driver with everything it started. Killing tauri-driver alone
/// would leave WebKitWebDriver (and the app) running, holding the test
/// runner's output open so that `cargo xtask test` never finishes.
fn stop(driver: &mut Child) {
    #[cfg(unix)]
    {
        // The group tauri-driver leads (spawned with `process_group(0)`).
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", driver.id())])
            .stderr(Stdio::null())
            .status();
    }
    let _ = driver.kill();
    let _ = driver.wait();
}

fn env(name: &str) -> Result<String> {
    std::env::var(name).with_context(|| {
        format!("{name} is not set: run the end-to-end tests through `cargo xtask test`")
    })
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?
        .local_addr()?
        .port())
}

fn wait_for_port(port: u16, within: Duration) -> Result<()> {
    let deadline = Instant::now() + within;
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
        if Instant::now() > deadline {
            bail!("tauri-driver did not listen on port {port} within {within:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(())
}
