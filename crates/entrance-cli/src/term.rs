//! What reaches the terminal. Text from outside — a token's claims, an
//! identity provider's `error_description`, a forged callback's parameters,
//! a server's answer — may carry control characters: ESC sequences that move
//! the cursor over a "signature valid" line, rewrite the window title or
//! ring the bell, a carriage return that overwrites a line, or bidirectional
//! overrides that reorder what is shown. Every line the CLI prints passes
//! [`escape_controls`] (the crate's `print!`/`println!`/`eprint!`/`eprintln!`
//! are shadowed in `main.rs` to do so), which writes each such character as
//! `\uXXXX` — readable, and still valid inside a JSON string.
//!
//! Colour and interaction follow one rule, here: colour only on a terminal,
//! never with `NO_COLOR` set to anything but the empty string
//! (<https://no-color.org>) or with `TERM=dumb`; prompts and hints meant for
//! a person only when standard input is a terminal. Piped or redirected
//! output is plain text.

use std::borrow::Cow;
use std::ffi::OsStr;
use std::io::IsTerminal;

/// The rule for colour, given what the process sees: whether the stream is
/// a terminal, and the `NO_COLOR` and `TERM` variables.
pub fn colour_allowed(is_terminal: bool, no_color: Option<&OsStr>, term: Option<&OsStr>) -> bool {
    is_terminal && no_color.is_none_or(|v| v.is_empty()) && term.is_none_or(|t| t != "dumb")
}

/// Whether colour may go to standard error now.
pub fn stderr_colour() -> bool {
    colour_allowed(
        std::io::stderr().is_terminal(),
        std::env::var_os("NO_COLOR").as_deref(),
        std::env::var_os("TERM").as_deref(),
    )
}

/// Whether a person is typing on standard input (prompts and hidden input
/// make sense); otherwise input is piped and read as it is.
pub fn stdin_interactive() -> bool {
    std::io::stdin().is_terminal()
}

/// Whether `c` must not reach a terminal as it is: C0 and C1 controls and
/// DEL (but newline and tab), and the Unicode bidirectional controls.
fn is_dangerous(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `text` with every dangerous character written as `\uXXXX`.
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_dangerous) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if is_dangerous(c) {
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Prints `text` on standard error, in one of Entrance's own ANSI colour
/// codes when [`stderr_colour`] allows it: the one way an ESC leaves the CLI
/// on purpose.
pub fn eprint_coloured(code: &str, text: &str) {
    if stderr_colour() {
        std::eprint!("\x1b[{code}m{}\x1b[0m", escape_controls(text));
    } else {
        std::eprint!("{}", escape_controls(text));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_escapes_are_made_visible_and_plain_text_is_untouched() {
        assert_eq!(
            escape_controls("name: \x1b]0;pwned\x07\x1b[2A✓ valid\r"),
            "name: \\u001b]0;pwned\\u0007\\u001b[2A✓ valid\\u000d"
        );
        assert_eq!(escape_controls("evil\u{202e}txt.exe"), "evil\\u202etxt.exe");
        assert_eq!(escape_controls("a\u{9b}31m"), "a\\u009b31m");
        let plain = "Ada Lovelace · ada@contoso.com\n\tgroups: 2 ✓";
        assert!(matches!(escape_controls(plain), Cow::Borrowed(p) if p == plain));
    }

    /// Output only through the shadowed macros: nothing in the crate writes
    /// to the terminal around them (term.rs and the macros in main.rs aside).
    #[test]
    fn no_output_bypasses_the_escaping() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut offenders = Vec::new();
        for entry in std::fs::read_dir(&dir).expect("src").flatten() {
            let path = entry.path();
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            if name == "term.rs" || path.extension().and_then(|e| e.to_str()) != Some("rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("source");
            for (i, line) in text.lines().enumerate() {
                let raw = [
                    "std::print",
                    "std::eprint",
                    "stdout().write",
                    "stderr().write",
                    "stdout().lock",
                    "stderr().lock",
                ]
                .iter()
                .any(|p| line.contains(p));
                let in_macros = name == "main.rs" && line.contains("escape_controls");
                if raw
                    && !in_macros
                    && !(name == "main.rs" && line.trim() == "() => { std::println!() };")
                    && !(name == "main.rs" && line.trim() == "() => { std::eprintln!() };")
                {
                    offenders.push(format!("{name}:{}: {}", i + 1, line.trim()));
                }
            }
        }
        assert!(
            offenders.is_empty(),
            "output that skips escape_controls:\n{}",
            offenders.join("\n")
        );
    }

    #[test]
    fn colour_only_on_a_terminal_without_no_color_or_a_dumb_terminal() {
        let os = |s: &'static str| Some(OsStr::new(s));
        assert!(colour_allowed(true, None, os("xterm-256color")));
        assert!(colour_allowed(true, None, None));
        // https://no-color.org: present and not empty disables colour.
        assert!(!colour_allowed(true, os("1"), os("xterm")));
        assert!(!colour_allowed(true, os("0"), os("xterm")));
        assert!(colour_allowed(true, os(""), os("xterm")));
        assert!(!colour_allowed(true, None, os("dumb")));
        // Piped or redirected: never.
        assert!(!colour_allowed(false, None, os("xterm-256color")));
    }

    /// Nothing decides about terminals on its own: every is-terminal test
    /// and every `NO_COLOR` read is here.
    #[test]
    fn one_rule_for_colour_and_prompts() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut offenders = Vec::new();
        for entry in std::fs::read_dir(&dir).expect("src").flatten() {
            let path = entry.path();
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_string();
            if name == "term.rs" || !name.ends_with(".rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("source");
            for (i, line) in text.lines().enumerate() {
                if line.contains("is_terminal") || line.contains("NO_COLOR") {
                    offenders.push(format!("{name}:{}: {}", i + 1, line.trim()));
                }
            }
        }
        assert!(
            offenders.is_empty(),
            "decided outside term.rs:\n{}",
            offenders.join("\n")
        );
    }

    #[test]
    fn escaped_text_stays_valid_inside_json_strings() {
        let escaped = escape_controls("\"x\u{1b}[31m\u{202e}\"");
        let v: serde_json::Value = serde_json::from_str(&escaped).expect("valid JSON");
        assert_eq!(v, "x\u{1b}[31m\u{202e}");
    }
}
