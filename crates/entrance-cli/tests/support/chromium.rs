//! Headless Chromium (Debian's `/usr/bin/chromium`) driven by `chromedriver`
//! through fantoccini: opens the URL `entrance` handed to `BROWSER` and
//! completes the sandbox's sign-in page as a person would. Shared by the CLI's
//! tests, the sandbox's own (`#[path]`) and the app's end-to-end tests.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;
use tokio::process::{Child, Command};

pub const CHROMIUM: &str = "/usr/bin/chromium";

/// `None` (with a message) when Chromium is not installed: the only reason
/// these tests skip. `cargo xtask test` installs it.
pub fn available() -> bool {
    if Path::new(CHROMIUM).exists() {
        true
    } else {
        eprintln!("skipped: {CHROMIUM} is not installed (cargo xtask setup test installs chromium and chromium-driver)");
        false
    }
}

fn chromedriver() -> PathBuf {
    for p in ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"] {
        if Path::new(p).exists() {
            return PathBuf::from(p);
        }
    }
    panic!("chromium is installed but chromedriver is not: apt-get install chromium-driver (cargo xtask setup test does)");
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A headless Chromium session with its own profile.
pub struct Chromium {
    client: Client,
    driver: Child,
    profile: PathBuf,
}

impl Chromium {
    pub async fn start() -> Chromium {
        let port = free_port();
        let driver = Command::new(chromedriver())
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("chromedriver starts");
        let profile =
            std::env::temp_dir().join(format!("entrance-chromium-{}-{port}", std::process::id()));
        let _ = std::fs::remove_dir_all(&profile);
        std::fs::create_dir_all(&profile).unwrap();
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": CHROMIUM,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                    // `localhost` redirect URIs reach loopback listeners bound to 127.0.0.1.
                    "--host-resolver-rules=MAP localhost 127.0.0.1",
                    format!("--user-data-dir={}", profile.display()),
                ],
            }),
        );
        let url = format!("http://127.0.0.1:{port}");
        let mut last = None;
        for _ in 0..100 {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector)
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                Ok(client) => {
                    return Chromium {
                        client,
                        driver,
                        profile,
                    }
                }
                Err(e) => {
                    last = Some(e.to_string());
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
        panic!("chromedriver did not start a session: {last:?}");
    }

    /// Opens `url` (the authorize URL) and signs in as `upn`; returns the
    /// text of the page the browser ends on (Entrance's answer, or the
    /// sandbox's error page).
    pub async fn sign_in(&self, url: &str, upn: &str, password: &str) -> String {
        self.client.goto(url).await.expect("open the sign-in URL");
        self.fill_sign_in(upn, password).await;
        self.ended_on().await
    }

    async fn fill_sign_in(&self, upn: &str, password: &str) {
        let c = &self.client;
        let user = c
            .wait()
            .at_most(Duration::from_secs(20))
            .for_element(Locator::Id("user"))
            .await
            .expect("the sign-in page");
        user.select_by_value(upn).await.expect("pick the account");
        c.find(Locator::Id("password"))
            .await
            .expect("password field")
            .send_keys(password)
            .await
            .expect("type the password");
        c.find(Locator::Id("submit"))
            .await
            .expect("submit button")
            .click()
            .await
            .expect("submit");
    }

    /// Enters the device code on `/devicelogin` and signs in.
    pub async fn device_sign_in(
        &self,
        page: &str,
        code: &str,
        upn: &str,
        password: &str,
    ) -> String {
        let c = &self.client;
        c.goto(page).await.expect("open the device page");
        c.find(Locator::Id("otc"))
            .await
            .expect("code field")
            .send_keys(code)
            .await
            .expect("type the code");
        c.find(Locator::Id("next"))
            .await
            .expect("next")
            .click()
            .await
            .expect("next");
        self.fill_sign_in(upn, password).await;
        self.ended_on().await
    }

    async fn ended_on(&self) -> String {
        let c = &self.client;
        let end = c
            .wait()
            .at_most(Duration::from_secs(60))
            .for_element(Locator::Css("#entrance-result, #error-code, #result"))
            .await;
        if let Err(e) = end {
            let url = c
                .current_url()
                .await
                .map(|u| u.to_string())
                .unwrap_or_default();
            let source = c.source().await.unwrap_or_default();
            panic!("no result page ({e}); the browser is at {url}:\n{source}");
        }
        c.find(Locator::Css("body"))
            .await
            .expect("body")
            .text()
            .await
            .unwrap_or_default()
    }

    /// The WebDriver session, for tests that drive the page themselves.
    pub fn client(&self) -> &Client {
        &self.client
    }

    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill().await;
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// A `BROWSER` command that hands the URL to the test: it writes it to a
/// file the test waits for, then Chromium opens it.
pub struct BrowserHandoff {
    dir: PathBuf,
}

impl BrowserHandoff {
    pub fn new() -> BrowserHandoff {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("entrance-browser-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let script = dir.join("browser");
        std::fs::write(
            &script,
            format!(
                "#!/bin/sh\nprintf '%s\\n' \"$1\" > '{d}/url.tmp' && mv '{d}/url.tmp' '{d}/url'\n",
                d = dir.display()
            ),
        )
        .unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        BrowserHandoff { dir }
    }

    /// The value for `BROWSER` (`%s` is the URL).
    pub fn command(&self) -> String {
        format!("{} %s", self.dir.join("browser").display())
    }

    /// The next URL `entrance` opened, once it has. Each URL is handed out
    /// once, so a second sign-in waits for its own.
    pub async fn url(&self, within: Duration) -> Option<String> {
        let file = self.dir.join("url");
        let start = std::time::Instant::now();
        while start.elapsed() < within {
            if let Ok(s) = std::fs::read_to_string(&file) {
                let _ = std::fs::remove_file(&file);
                return Some(s.trim().to_string());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        None
    }
}

impl Drop for BrowserHandoff {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
