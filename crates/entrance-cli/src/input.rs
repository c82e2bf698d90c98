//! What the CLI reads from standard input or small files: always within a
//! limit, checked one byte past it, so an endless pipe or `/dev/zero`
//! costs at most the limit in memory.

use std::io::Read;

use entrance_core::Error;

/// The most read for a token or a paste (the inspector's own limit).
pub const MAX_TOKEN_INPUT: u64 = entrance_core::token::MAX_INPUT_BYTES as u64;
/// The most read for a client secret.
pub const MAX_SECRET_INPUT: u64 = 64 * 1024;
/// The most read for a JSON or configuration file given by path.
pub const MAX_FILE_INPUT: u64 = 4 << 20;

/// Standard input as UTF-8 text of at most `limit` bytes.
pub fn stdin_text(what: &str, limit: u64) -> Result<String, Error> {
    text(std::io::stdin().lock(), what, limit)
}

/// `reader` as UTF-8 text of at most `limit` bytes.
pub fn text(reader: impl Read, what: &str, limit: u64) -> Result<String, Error> {
    let bytes = entrance_core::paths::read_limited(reader, limit).map_err(|e| {
        let reason = match e.kind() {
            std::io::ErrorKind::InvalidData => format!("is larger than {limit} bytes"),
            _ => format!("cannot be read: {e}"),
        };
        Error::InvalidInput {
            field: what.into(),
            reason,
            fix: Some(format!("Give {what} alone, as text.")),
        }
    })?;
    String::from_utf8(bytes).map_err(|e| Error::InvalidInput {
        field: what.into(),
        reason: format!("is not UTF-8 text: {e}"),
        fix: Some(format!("Give {what} as text.")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_endless_input_is_refused_at_the_limit() {
        let endless = std::io::repeat(b'a');
        let err = text(endless, "standard input", 1024).expect_err("refused");
        assert!(err.to_string().contains("larger than 1024 bytes"), "{err}");
        assert_eq!(
            text(&b"eyJ0"[..], "standard input", 4).expect("fits"),
            "eyJ0"
        );
    }
}
