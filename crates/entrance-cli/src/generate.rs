//! `entrance completions <shell>` and `entrance man`: shell completions and
//! the man page, generated from the same clap definitions the CLI parses
//! with, so they never fall behind a new subcommand or option. The packages
//! ship their output (`cargo xtask dist` runs both before bundling).

use clap::ValueEnum;
use entrance_core::Error;

/// A shell to complete `entrance` in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    Powershell,
    Elvish,
}

impl From<Shell> for clap_complete::Shell {
    fn from(shell: Shell) -> Self {
        match shell {
            Shell::Bash => clap_complete::Shell::Bash,
            Shell::Zsh => clap_complete::Shell::Zsh,
            Shell::Fish => clap_complete::Shell::Fish,
            Shell::Powershell => clap_complete::Shell::PowerShell,
            Shell::Elvish => clap_complete::Shell::Elvish,
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell: bash, zsh, fish, powershell or elvish.
    pub shell: Shell,
}

/// The completion script for `shell`, printed on stdout.
pub fn completions(args: &CompletionsArgs, mut command: clap::Command) -> Result<(), Error> {
    let mut script = Vec::new();
    clap_complete::generate(
        clap_complete::Shell::from(args.shell),
        &mut command,
        "entrance",
        &mut script,
    );
    print!("{}", String::from_utf8_lossy(&script));
    Ok(())
}

/// The man page `entrance(1)` in roff, printed on stdout.
pub fn man(command: clap::Command) -> Result<(), Error> {
    let mut page = Vec::new();
    clap_mangen::Man::new(command)
        .render(&mut page)
        .map_err(|source| Error::Io {
            action: "render",
            path: "the man page".into(),
            source,
        })?;
    print!("{}", String::from_utf8_lossy(&page));
    Ok(())
}
