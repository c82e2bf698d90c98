//! A person's confirmation in the system's own dialog.
//!
//! A saved secret's value leaves Rust only after the admin confirms it in a
//! native dialog that Entrance opens itself. A script running in the webview
//! (injected content, a compromised dependency) can call any command the
//! window may call, but it cannot answer that dialog: so it cannot read a
//! secret on its own, whatever it asks for.

use entrance_core::{Error, IpcError};
use tauri::{AppHandle, Runtime};
use tauri_plugin_dialog::{DialogExt, MessageDialogButtons, MessageDialogKind};

/// Asks the admin, in a native dialog, whether the secret saved as `name`
/// may be shown or copied for `purpose`. `Ok` only on "Reveal".
pub async fn confirm_reveal<R: Runtime>(
    app: &AppHandle<R>,
    name: &str,
    purpose: &str,
) -> Result<(), IpcError> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.dialog()
        .message(format!(
            "Entrance is about to {purpose} the client secret saved as “{name}”. \
             Continue only if you just asked for it."
        ))
        .title("Show a saved secret?")
        .kind(MessageDialogKind::Warning)
        .buttons(MessageDialogButtons::OkCancelCustom(
            "Reveal".into(),
            "Cancel".into(),
        ))
        .show(move |ok| {
            let _ = tx.send(ok);
        });
    match rx.await {
        Ok(true) => Ok(()),
        _ => Err(Error::RevealDeclined {
            name: name.to_string(),
        }
        .into()),
    }
}
