//! Where Entrance keeps its files. The desktop app and the CLI share them, so
//! a profile saved in one is seen by the other.
//!
//! - config: `$ENTRANCE_CONFIG_DIR`, else the platform's config folder +
//!   `entrance` (`~/.config/entrance` on Linux, `~/Library/Application
//!   Support/entrance` on macOS, `%APPDATA%\entrance` on Windows).
//!
//! Only non-secret data is written there; secrets live in the OS keychain.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The config folder (not created).
pub fn config_dir() -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os("ENTRANCE_CONFIG_DIR") {
        return Ok(PathBuf::from(dir));
    }
    dirs::config_dir()
        .map(|d| d.join("entrance"))
        .ok_or_else(|| Error::Internal("this system reports no configuration folder".into()))
}

/// Writes `bytes` to `path` atomically: a temporary file in the same folder,
/// flushed, then renamed over the target. A crash leaves the old file or the
/// new one, never half of either.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|source| Error::Io {
        action: "create folder",
        path: dir.display().to_string(),
        source,
    })?;
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("file"),
        std::process::id()
    ));
    let io = |action: &'static str, p: &Path| {
        let p = p.display().to_string();
        move |source| Error::Io {
            action,
            path: p,
            source,
        }
    };
    let mut file = std::fs::File::create(&tmp).map_err(io("create", &tmp))?;
    file.write_all(bytes).map_err(io("write", &tmp))?;
    file.sync_all().map_err(io("flush", &tmp))?;
    drop(file);
    std::fs::rename(&tmp, path).map_err(io("replace", path))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_the_whole_file_and_leaves_no_temporary() {
        let dir = std::env::temp_dir().join(format!("entrance-paths-{}", std::process::id()));
        let file = dir.join("settings.json");
        write_atomic(&file, b"first version, rather long").unwrap();
        write_atomic(&file, b"second").unwrap();
        assert_eq!(std::fs::read(&file).unwrap(), b"second");
        let leftovers: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
