//! A person's sign-in, played by headless Chromium: the authorize URL, the
//! sign-in page (pick an account, type the password, Sign in), the redirect
//! to a loopback listener, then the code redemption.
//!
//! Needs Debian's `chromium` and `chromium-driver` (`cargo xtask setup`
//! installs both). Skips, saying so, only when `/usr/bin/chromium` is absent.

use std::net::Ipv4Addr;
use std::time::Duration;

use fantoccini::Locator;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use crate::support::*;

#[path = "../../../entrance-cli/tests/support/chromium.rs"]
mod session;

/// The app's redirect URI: answers once and hands over the query string.
async fn loopback_listener() -> (u16, tokio::sync::oneshot::Receiver<String>) {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .await
        .expect("listener");
    let port = listener.local_addr().expect("addr").port();
    let (tx, rx) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        let mut tx = Some(tx);
        while let Ok((mut s, _)) = listener.accept().await {
            let mut buf = vec![0u8; 16 * 1024];
            let n = s.read(&mut buf).await.unwrap_or(0);
            let request = String::from_utf8_lossy(&buf[..n]).to_string();
            let target = request.split_whitespace().nth(1).unwrap_or("").to_string();
            let body = "<html><body><h1 id=\"done\">Signed in</h1></body></html>";
            let _ = s
                .write_all(format!("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len()).as_bytes())
                .await;
            if target.contains("code=") || target.contains("error=") {
                if let Some(tx) = tx.take() {
                    let _ = tx.send(target);
                }
            }
        }
    });
    (port, rx)
}

#[tokio::test]
async fn a_person_signs_in_with_headless_chromium() {
    if !session::available() {
        return;
    }

    let sb = sandbox().await;
    let keep = app(&sb, "keep");
    let (app_port, got) = loopback_listener().await;
    // Registered as http://localhost:3000/…: the port is ignored for localhost (reply-url.md).
    let redirect = format!("http://localhost:{app_port}/api/auth/callback/microsoft-entra-id");
    let p = pkce();
    let scope = format!(
        "api://{}/default openid profile email offline_access",
        keep.app_id
    );
    let url = authorize_url(
        &sb,
        "contoso",
        &[
            ("client_id", keep.app_id.as_str()),
            ("response_type", "code"),
            ("redirect_uri", redirect.as_str()),
            ("scope", scope.as_str()),
            ("state", "chromium-state"),
            ("nonce", "chromium-nonce"),
            ("code_challenge", p.challenge.as_str()),
            ("code_challenge_method", "S256"),
            ("login_hint", "alice@contoso.sandbox"),
        ],
    );

    let chromium = session::Chromium::start().await;
    let browser = chromium.client();

    let result = async {
        browser.goto(&url).await?;
        let user = browser
            .wait()
            .at_most(Duration::from_secs(15))
            .for_element(Locator::Css("#user"))
            .await?;
        assert_eq!(
            user.prop("value").await?.as_deref(),
            Some("alice@contoso.sandbox"),
            "login_hint preselects Alice"
        );
        // A person may also pick the account explicitly.
        user.select_by_value("alice@contoso.sandbox").await?;
        browser
            .find(Locator::Css("#password"))
            .await?
            .send_keys(&password(&sb, "alice"))
            .await?;
        browser
            .find(Locator::Css("button[type=submit]"))
            .await?
            .click()
            .await?;
        browser
            .wait()
            .at_most(Duration::from_secs(15))
            .for_element(Locator::Css("#done"))
            .await?;
        Ok::<_, fantoccini::error::CmdError>(())
    }
    .await;
    chromium.close().await;
    result.expect("the browser signed in and landed on the redirect URI");

    let target = tokio::time::timeout(Duration::from_secs(5), got)
        .await
        .expect("the redirect arrived")
        .expect("a query");
    let params: std::collections::HashMap<String, String> =
        url::form_urlencoded::parse(target.split_once('?').map(|x| x.1).unwrap_or("").as_bytes())
            .into_owned()
            .collect();
    assert_eq!(
        params.get("state").map(String::as_str),
        Some("chromium-state")
    );
    let code = params.get("code").expect("a code");
    let (status, body) = token(
        &sb,
        "contoso",
        &[
            ("grant_type", "authorization_code"),
            ("client_id", &keep.app_id),
            ("client_secret", &secret(&keep)),
            ("code", code),
            ("redirect_uri", &redirect),
            ("code_verifier", &p.verifier),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let id = claims(body["id_token"].as_str().expect("id_token"));
    assert_eq!(id["name"], "Alice Anders");
    assert_eq!(id["nonce"], "chromium-nonce");
    let at = claims(body["access_token"].as_str().expect("access_token"));
    assert_eq!(at["aud"], format!("api://{}", keep.app_id));
    assert!(
        at["groups"].as_array().is_some_and(|g| !g.is_empty()),
        "Keep gets the admin group in the access token"
    );
}
