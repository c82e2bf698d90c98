//! The real app, as an admin first meets it: the sidebar's three areas and
//! the About panel with the version that came from Rust.

use entrance_core::BuildInfo;
use entrance_e2e::App;
use fantoccini::Locator;

const AREAS: &[(&str, &str)] = &[
    ("Setup", "setup"),
    ("Inspect", "inspect"),
    ("Diagnose", "diagnose"),
    ("Sign in", "signin"),
];

fn nav_item(label: &str) -> String {
    format!("//nav[@aria-label='Areas']//*[self::a or self::button][.//text()[normalize-space()='{label}']]")
}

#[tokio::test]
#[ignore = "needs a display and tauri-driver: run through `cargo xtask test`"]
async fn sidebar_visits_every_area_and_about_shows_the_cores_build() -> anyhow::Result<()> {
    let app = App::start().await?;

    for (label, slug) in AREAS {
        app.client
            .find(Locator::XPath(&nav_item(label)))
            .await?
            .click()
            .await?;
        let heading = app.wait_for_text(Locator::Css("main h1"), label).await?;
        assert_eq!(heading.trim(), *label);
        let current = app.client.find(Locator::XPath(&nav_item(label))).await?;
        assert_eq!(
            current.attr("aria-current").await?.as_deref(),
            Some("page"),
            "{label} is marked current"
        );
        app.screenshot(&format!("area-{slug}")).await?;
    }

    app.client
        .find(Locator::XPath(&nav_item("About")))
        .await?
        .click()
        .await?;
    let core = BuildInfo::current();
    // The About panel's figures come from the `about` command in Rust.
    let text = app
        .wait_for_text(Locator::Css("main"), &core.git_commit)
        .await?;
    assert!(
        text.contains(&core.version),
        "About shows the core version {}: {text}",
        core.version
    );
    assert!(
        text.contains(&core.target),
        "About shows the target {}: {text}",
        core.target
    );
    assert!(text.contains("2."), "About shows the Tauri version: {text}");
    assert!(
        !text.contains("mock"),
        "the real app must not use the mock backend: {text}"
    );
    app.screenshot("area-about").await?;

    app.close().await
}

#[tokio::test]
#[ignore = "needs a display and tauri-driver: run through `cargo xtask test`"]
async fn the_areas_are_reachable_with_the_keyboard_alone() -> anyhow::Result<()> {
    let app = App::start().await?;
    // Alt+2 jumps to the second area, Inspect.
    app.client
        .execute(
            "window.dispatchEvent(new KeyboardEvent('keydown', {key: '2', code: 'Digit2', altKey: true, bubbles: true}));",
            vec![],
        )
        .await?;
    app.wait_for_text(Locator::Css("main h1"), "Inspect")
        .await?;

    // Arrow keys move along the sidebar; Enter opens the focused area.
    let inspect = app
        .client
        .find(Locator::XPath(&nav_item("Inspect")))
        .await?;
    inspect.send_keys("\u{E015}").await?; // ArrowDown
    let focused = app
        .client
        .execute("return document.activeElement.textContent", vec![])
        .await?;
    assert!(
        focused.as_str().unwrap_or_default().contains("Diagnose"),
        "focus moved to Diagnose: {focused}"
    );
    app.client
        .active_element()
        .await?
        .send_keys("\u{E007}")
        .await?; // Enter
    app.wait_for_text(Locator::Css("main h1"), "Diagnose")
        .await?;
    app.close().await
}
