//! The baseline of `cargo xtask bench`: a bare Tauri v2 window showing one
//! static page, built with the same profile and measured the same way as
//! Entrance (exec → page loaded, then idle memory).

fn main() {
    tauri::Builder::default()
        .on_page_load(|_webview, payload| {
            if matches!(payload.event(), tauri::webview::PageLoadEvent::Finished) {
                println!("entrance-bench: window ready");
            }
        })
        .run(tauri::generate_context!(
            "examples/bare-window/tauri.conf.json"
        ))
        .expect("bare window");
}
