//! `entrance` — a thin clap adapter over `entrance-core`.
//!
//! Every subcommand parses its arguments, calls one core function and prints
//! the result: human lines by default, one JSON object with `--json`. Each
//! built subcommand lives in its own module (`src/<name>.rs`) exposing an
//! `Args` struct and `run(args, json)`; adding one is a module, a variant in
//! [`Command`] and an arm in [`run`]. Errors
//! leave as the core's `IpcError` (`{code, message, fix}`); the exit status is
//! 0 on success, 1 when the task failed, 2 for a usage problem or a feature
//! that is not part of this build.

// Every line printed passes `term::escape_controls`: these shadow the
// standard macros for the whole crate (they must stay above the modules).
macro_rules! print {
    ($($arg:tt)*) => { std::print!("{}", $crate::term::escape_controls(&format!($($arg)*))) };
}
macro_rules! println {
    () => { std::println!() };
    ($($arg:tt)*) => { std::println!("{}", $crate::term::escape_controls(&format!($($arg)*))) };
}
macro_rules! eprint {
    ($($arg:tt)*) => { std::eprint!("{}", $crate::term::escape_controls(&format!($($arg)*))) };
}
macro_rules! eprintln {
    () => { std::eprintln!() };
    ($($arg:tt)*) => { std::eprintln!("{}", $crate::term::escape_controls(&format!($($arg)*))) };
}

mod config;
mod diagnose;
mod explain;
mod generate;
mod graph_token;
mod input;
mod inspect;
mod login;
mod registration;
mod sandbox;
mod secret;
mod setup;
mod term;
mod token;

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use entrance_core::{BuildInfo, Error, ErrorCode, IpcError};

#[derive(Debug, Parser)]
#[command(
    name = "entrance",
    about = "Get Microsoft Entra ID single sign-on working for self-hosted products, and find out why it doesn't.",
    propagate_version = true
)]
struct Cli {
    /// Print one JSON object instead of text.
    #[arg(long, global = true)]
    json: bool,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Decode, verify and explain a token; say what a target product will do with it.
    Inspect(inspect::Args),
    /// Explain AADSTS error codes found in a log line, URL or JSON body.
    Explain(explain::Args),
    /// Sign in against a tenant in the system browser (authorization code + PKCE).
    Login(login::Args),
    /// Obtain tokens without a browser (client credentials, refresh).
    Token(token::Args),
    /// Check DNS, TLS, proxy, clock, tenant, app, secret and redirect URIs.
    Diagnose(diagnose::Args),
    /// Print the app registration steps for a target product.
    Setup(setup::Args),
    /// Print a target product's finished configuration.
    Config(config::Args),
    /// Store, check and delete client secrets in the OS keychain.
    Secret(secret::Args),
    /// Audit, repair or create the app registration through Microsoft Graph.
    Registration(registration::Args),
    /// Run the built-in Entra-like sandbox tenant on 127.0.0.1.
    Sandbox(sandbox::Args),
    /// Print the shell completion script (bash, zsh, fish, powershell, elvish).
    #[command(hide = true)]
    Completions(generate::CompletionsArgs),
    /// Print the man page entrance(1) in roff.
    #[command(hide = true)]
    Man,
}

/// The command line as clap sees it, with the full version line (`--version`
/// prints the commit and the build date).
fn command() -> clap::Command {
    let version: &'static str = Box::leak(BuildInfo::current().version_line().into_boxed_str());
    Cli::command().version(version)
}

fn main() -> ExitCode {
    let matches = command().get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };

    match run(&cli.command, cli.json) {
        Ok(status) => status,
        Err(error) => report(&error.to_ipc(), cli.json),
    }
}

/// Runs one subcommand. Each arm calls its module's `run`.
fn run(command: &Command, json: bool) -> Result<ExitCode, Error> {
    let done = |()| ExitCode::SUCCESS;
    match command {
        // Their own exit status: 1 verification failed / no code found, 2 unusable input.
        Command::Inspect(args) => inspect::run(args, json),
        Command::Explain(args) => explain::run(args, json),
        // 1: the sign-in failed (explained), 2: unusable input.
        Command::Login(args) => login::run(args, json),
        Command::Token(args) => token::run(args, json),
        // 1: problems found, 2: unusable input, 130: stopped with Ctrl-C.
        Command::Diagnose(args) => diagnose::run(args, json),
        Command::Secret(args) => secret::run(args, json).map(done),
        Command::Setup(args) => setup::run(args, json).map(done),
        Command::Config(args) => config::run(args, json).map(done),
        // 1: findings or a failed step, 2: unusable input.
        Command::Registration(args) => registration::run(args, json),
        Command::Sandbox(args) => sandbox::run(args, json).map(done),
        Command::Completions(args) => generate::completions(args, crate::command()).map(done),
        Command::Man => generate::man(crate::command()).map(done),
    }
}

/// Prints an error the way the admin asked for it and picks the exit status.
fn report(error: &IpcError, json: bool) -> ExitCode {
    if json {
        let body = serde_json::json!({ "error": error });
        println!("{body}");
    } else {
        eprintln!("error: {}", error.message);
        if let Some(fix) = &error.fix {
            eprintln!("  fix: {fix}");
        }
    }
    match error.code {
        ErrorCode::NotBuilt | ErrorCode::InputInvalid | ErrorCode::SecretSuspiciousValue => {
            ExitCode::from(2)
        }
        _ => ExitCode::FAILURE,
    }
}
