//! Opening the system browser.
//!
//! `BROWSER` is honored the way other Unix tools read it: a `:`-separated
//! list of commands tried in order; `%s` in a command is replaced by the URL,
//! otherwise the URL is appended as the last argument. Commands are split into
//! words (with `'…'` / `"…"` quoting) and run directly, never through a shell,
//! so nothing in the URL is interpreted. Without `BROWSER`, the platform's
//! opener is used (`xdg-open`, `open`, `rundll32 url.dll,FileProtocolHandler`).
//!
//! Failing to open a browser does not end a sign-in: the URL is always shown
//! first, and the admin can open it by hand.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Which browser a sign-in opens.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Browser {
    /// `BROWSER` if set, else the platform's opener.
    #[default]
    FromEnvironment,
    /// The platform's opener, ignoring `BROWSER`.
    System,
    /// This command (same syntax as `BROWSER`).
    Command(String),
    /// Open nothing: the admin opens the URL shown.
    None,
}

/// How long a browser command may take to fail before it counts as started
/// (openers like `xdg-open` exit at once; a browser keeps running).
const SETTLE: Duration = Duration::from_millis(1500);

/// What happened when opening the browser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Launch {
    Opened {
        command: String,
    },
    Failed {
        command: Option<String>,
        reason: String,
    },
    Skipped,
}

impl Browser {
    /// The commands to try, in order.
    fn commands(&self) -> Vec<String> {
        match self {
            Browser::FromEnvironment => commands_for(std::env::var("BROWSER").ok().as_deref()),
            Browser::System => vec![system_opener().to_string()],
            Browser::Command(c) => split_list(c),
            Browser::None => Vec::new(),
        }
    }

    /// Opens `url` outside a sign-in (a portal link); answers the command
    /// that opened it, or why none did. Blocks for at most [`SETTLE`] per
    /// command tried.
    pub fn open_link(&self, url: &str) -> Result<String, String> {
        match self.open(url) {
            Launch::Opened { command } => Ok(command),
            Launch::Failed { reason, .. } => Err(reason),
            Launch::Skipped => Err("no browser is configured".into()),
        }
    }

    /// Opens `url`; blocking for at most [`SETTLE`] per command tried.
    pub(crate) fn open(&self, url: &str) -> Launch {
        let commands = self.commands();
        if commands.is_empty() {
            return Launch::Skipped;
        }
        let mut last = None;
        for command in commands {
            match run(&command, url) {
                Ok(()) => return Launch::Opened { command },
                Err(reason) => last = Some((command, reason)),
            }
        }
        let (command, reason) = last.unwrap_or_default();
        Launch::Failed {
            command: Some(command),
            reason,
        }
    }
}

/// The commands a sign-in tries for this `BROWSER` value (`None` or blank:
/// the platform's opener), in order.
pub(crate) fn commands_for(browser_var: Option<&str>) -> Vec<String> {
    match browser_var {
        Some(v) if !v.trim().is_empty() => split_list(v),
        _ => vec![system_opener().to_string()],
    }
}

/// The program a command runs: its first word, quotes removed.
pub(crate) fn program_of(command: &str) -> Option<String> {
    words(command).into_iter().next()
}

fn system_opener() -> &'static str {
    if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        // Not `cmd /c start`: cmd would interpret `&` in the URL.
        "rundll32 url.dll,FileProtocolHandler"
    } else {
        "xdg-open"
    }
}

/// `BROWSER` is a `:`-separated list (`firefox:chromium`).
fn split_list(value: &str) -> Vec<String> {
    value
        .split(':')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect()
}

/// Words of a command line, with single and double quotes.
fn words(command: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    for c in command.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    out.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            (None, c) => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        out.push(word);
    }
    out
}

/// The argv for one command and the URL: `%s` replaced, else appended.
pub(crate) fn argv(command: &str, url: &str) -> Vec<String> {
    let mut args = words(command);
    if args.iter().any(|a| a.contains("%s")) {
        for a in &mut args {
            *a = a.replace("%s", url).replace("%%", "%");
        }
    } else {
        args.push(url.to_string());
    }
    args
}

fn run(command: &str, url: &str) -> Result<(), String> {
    let args = argv(command, url);
    let Some((program, rest)) = args.split_first() else {
        return Err("the command is empty".into());
    };
    let mut child = Command::new(program)
        .args(rest)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start `{program}`: {e}"))?;
    let start = Instant::now();
    while start.elapsed() < SETTLE {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => return Ok(()),
            Ok(Some(status)) => return Err(format!("`{program}` exited with {status}")),
            Ok(None) => std::thread::sleep(Duration::from_millis(25)),
            Err(e) => return Err(format!("`{program}`: {e}")),
        }
    }
    // Still running: a browser. Reap it when it ends, without waiting here.
    std::thread::spawn(move || {
        let _ = child.wait();
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_s_is_replaced_else_the_url_is_appended() {
        assert_eq!(
            argv("firefox --new-window %s", "http://x/?a=1&b=2"),
            ["firefox", "--new-window", "http://x/?a=1&b=2"]
        );
        assert_eq!(argv("xdg-open", "http://x"), ["xdg-open", "http://x"]);
        assert_eq!(
            argv(r#""/opt/my browser/run" --url=%s"#, "u"),
            ["/opt/my browser/run", "--url=u"]
        );
        assert_eq!(argv("echo 100%% %s", "u"), ["echo", "100%", "u"]);
    }

    #[test]
    fn browser_lists_are_colon_separated() {
        assert_eq!(
            split_list("firefox:chromium %s: "),
            ["firefox", "chromium %s"]
        );
    }

    #[test]
    fn a_missing_command_fails_and_the_next_one_is_tried() {
        let b = Browser::Command("/nonexistent/browser:true".into());
        assert_eq!(
            b.open("http://x"),
            Launch::Opened {
                command: "true".into()
            }
        );
        match Browser::Command("/nonexistent/browser".into()).open("http://x") {
            Launch::Failed { reason, .. } => assert!(reason.contains("cannot start"), "{reason}"),
            other => panic!("{other:?}"),
        }
        match Browser::Command("false".into()).open("http://x") {
            Launch::Failed { reason, .. } => assert!(reason.contains("exited"), "{reason}"),
            other => panic!("{other:?}"),
        }
        assert_eq!(Browser::None.open("http://x"), Launch::Skipped);
    }
}
