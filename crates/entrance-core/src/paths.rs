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

/// The largest file of Entrance's own (profiles, the secrets index) or of
/// the system (hosts) that is read.
pub const MAX_CONFIG_FILE_BYTES: u64 = 16 << 20;

/// Reads at most `limit` bytes from `reader`; more is an `InvalidData`
/// error raised after `limit + 1` bytes, so an endless source (`/dev/zero`,
/// a pipe that never ends) costs `limit + 1` bytes of memory at most.
pub fn read_limited(reader: impl std::io::Read, limit: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("more than {limit} bytes"),
        ));
    }
    Ok(bytes)
}

/// [`read_limited`] over a file.
pub fn read_file_limited(path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    read_limited(std::fs::File::open(path)?, limit)
}

/// Reads a text file of at most `limit` bytes (see [`read_limited`]).
pub fn read_bounded(path: &Path, limit: u64) -> Result<String> {
    let bytes = read_file_limited(path, limit).map_err(|source| {
        if source.kind() == std::io::ErrorKind::InvalidData {
            Error::InvalidInput {
                field: path.display().to_string(),
                reason: format!("the file is larger than {limit} bytes"),
                fix: Some(
                    "Check that this is the file meant; Entrance reads small text files only."
                        .into(),
                ),
            }
        } else {
            Error::Io {
                action: "reading",
                path: path.display().to_string(),
                source,
            }
        }
    })?;
    String::from_utf8(bytes).map_err(|e| Error::InvalidInput {
        field: path.display().to_string(),
        reason: format!("the file is not UTF-8 text ({e})"),
        fix: None,
    })
}

/// Writes `bytes` to `path` atomically: a temporary file in the same folder,
/// flushed, then renamed over the target. A crash leaves the old file or the
/// new one, never half of either.
///
/// The temporary file has an unpredictable name and is created exclusively
/// (`tempfile`: `O_EXCL`, mode 0600), so a symlink planted beside the target
/// is never followed. A symlink *at* the target is replaced by the file, not
/// written through.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir).map_err(|source| Error::Io {
        action: "create folder",
        path: dir.display().to_string(),
        source,
    })?;
    let io = |action: &'static str, p: &Path| {
        let p = p.display().to_string();
        move |source| Error::Io {
            action,
            path: p,
            source,
        }
    };
    let prefix = format!(
        ".{}.",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("file")
    );
    let mut file = tempfile::Builder::new()
        .prefix(&prefix)
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(io("create a temporary file in", dir))?;
    file.write_all(bytes).map_err(io("write", file.path()))?;
    file.as_file()
        .sync_all()
        .map_err(io("flush", file.path()))?;
    file.persist(path)
        .map_err(|e| io("replace", path)(e.error))?;
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

    #[cfg(unix)]
    #[test]
    fn a_bounded_read_refuses_an_endless_file_without_holding_it() {
        let err = read_bounded(Path::new("/dev/zero"), 1024).expect_err("refused");
        assert!(err.to_string().contains("larger than 1024 bytes"), "{err}");
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("a.toml");
        std::fs::write(&f, "x = 1\n").unwrap();
        assert_eq!(read_bounded(&f, 6).unwrap(), "x = 1\n");
        assert!(read_bounded(&f, 5).is_err());
    }

    /// An attacker who can write to the folder plants symlinks at every name
    /// the old code would have used (`.<name>.<pid>.tmp`) pointing at a file
    /// of the victim's; the write must leave that file alone.
    #[cfg(unix)]
    #[test]
    fn atomic_write_never_follows_a_planted_symlink() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim.txt");
        std::fs::write(&victim, b"precious").unwrap();
        let file = dir.path().join("profiles.json");
        let planted = dir
            .path()
            .join(format!(".profiles.json.{}.tmp", std::process::id()));
        std::os::unix::fs::symlink(&victim, &planted).unwrap();
        write_atomic(&file, b"{}").unwrap();
        assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
        assert_eq!(std::fs::read(&file).unwrap(), b"{}");
        // A symlink at the target itself is replaced, not written through.
        let link = dir.path().join("report.md");
        std::os::unix::fs::symlink(&victim, &link).unwrap();
        write_atomic(&link, b"report").unwrap();
        assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
        assert!(!std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
    }
}
