//! A Microsoft Graph access token for `inspect --resolve-groups`,
//! `diagnose` and `secret expiry --from-registration`: from a named
//! environment variable or a file (`-`: standard input) — never from argv,
//! where every process listing would show it.

use entrance_core::secrets::SecretString;
use entrance_core::Error;

/// Where the token comes from, as the flags say.
pub(crate) struct Source<'a> {
    /// `--graph-token-env VAR`.
    pub env: Option<&'a str>,
    /// `--graph-token-file FILE`.
    pub file: Option<&'a str>,
    /// Standard input already holds something else (the inspected token).
    pub stdin_taken: bool,
    /// What the admin should do when it is missing or unusable.
    pub fix: &'a str,
}

/// The token, `Ok(None)` when no source was given. A `Bearer ` prefix and
/// surrounding whitespace are dropped.
pub(crate) fn read(source: &Source<'_>) -> Result<Option<SecretString>, Error> {
    let invalid = |reason: String| Error::InvalidInput {
        field: "Graph token".into(),
        reason,
        fix: Some(source.fix.to_string()),
    };
    let text = if let Some(var) = source.env {
        std::env::var(var)
            .map_err(|_| invalid(format!("the environment variable {var} is not set")))?
    } else if let Some(file) = source.file {
        if file == "-" {
            if source.stdin_taken {
                return Err(invalid(
                    "standard input already holds the inspected token".into(),
                ));
            }
            crate::input::stdin_text("the Graph token", crate::input::MAX_TOKEN_INPUT)?
        } else {
            let f = std::fs::File::open(file)
                .map_err(|e| invalid(format!("the file {file} cannot be read: {e}")))?;
            crate::input::text(f, "the Graph token file", crate::input::MAX_TOKEN_INPUT)?
        }
    } else {
        return Ok(None);
    };
    let text = text.trim();
    let text = text
        .strip_prefix("Bearer ")
        .or_else(|| text.strip_prefix("bearer "))
        .unwrap_or(text)
        .trim();
    if text.is_empty() {
        return Err(invalid("it is empty".into()));
    }
    Ok(Some(SecretString::from(text.to_string())))
}
