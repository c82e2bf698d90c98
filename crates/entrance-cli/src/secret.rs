//! `entrance secret`: client secrets in the OS keychain.
//!
//! Values are read from standard input (typed without echo at a terminal),
//! or from an environment variable when explicitly asked with `--from-env` —
//! never from the command line, where every process listing would show them.

use clap::{Args as ClapArgs, Subcommand};
use entrance_core::secrets::{self, SecretName, SecretStatus, SecretString, Secrets, SetOptions};
use entrance_core::Error;

#[derive(Debug, ClapArgs)]
pub struct Args {
    #[command(subcommand)]
    action: Action,
}

#[derive(Debug, Subcommand)]
enum Action {
    /// Store a secret under NAME; the value is read from standard input.
    ///
    /// At a terminal you are asked for it without echo; otherwise pipe it in,
    /// e.g. `pass show grafana | entrance secret set prod-grafana`.
    Set {
        /// The name to save it under, e.g. prod-grafana.
        name: String,
        /// The secret's end date (YYYY-MM-DD, the "Expires" column of
        /// Certificates & secrets); Entrance warns 30 days ahead.
        #[arg(long, value_name = "DATE")]
        expires: Option<String>,
        /// Read the value from this environment variable instead of stdin.
        #[arg(long, value_name = "VAR")]
        from_env: Option<String>,
        /// Store even if the value looks like a mistake (e.g. a Secret ID).
        #[arg(long)]
        force: bool,
    },
    /// Show whether a secret is stored and when it expires — never its value.
    Status { name: String },
    /// Delete a secret from the keychain.
    Delete { name: String },
    /// List saved secrets with their expiry.
    List,
    /// Record a saved secret's end date: typed (`--on`), or read from the app
    /// registration through Microsoft Graph (`--from-registration`).
    ///
    /// Graph never returns a secret's value; Entrance matches the saved value
    /// to its registration entry by the three-character hint Graph shows.
    /// Reading the registration needs Application.Read.All (or owning the app).
    #[command(group = clap::ArgGroup::new("source").required(true).args(["on", "clear", "from_registration"]))]
    Expiry {
        name: String,
        /// The end date, YYYY-MM-DD.
        #[arg(long, value_name = "DATE")]
        on: Option<String>,
        /// Forget the recorded end date.
        #[arg(long)]
        clear: bool,
        /// Read it from the app registration's Certificates & secrets.
        #[arg(long, requires_all = ["client_id", "graph_token_env"])]
        from_registration: bool,
        /// The Application (client) ID of the registration.
        #[arg(long, value_name = "ID")]
        client_id: Option<String>,
        /// The environment variable holding a Microsoft Graph access token.
        #[arg(long, value_name = "VAR")]
        graph_token_env: Option<String>,
        /// Microsoft Graph's root.
        #[arg(
            long,
            value_name = "URL",
            default_value = "https://graph.microsoft.com"
        )]
        graph_url: String,
    },
}

pub fn run(args: &Args, json: bool) -> Result<(), Error> {
    let secrets = Secrets::open_default()?;
    let today = secrets::today();
    match &args.action {
        Action::Set {
            name,
            expires,
            from_env,
            force,
        } => {
            let name = SecretName::parse(name)?;
            let expires_on = expires.as_deref().map(secrets::parse_date).transpose()?;
            let value = read_value(from_env.as_deref())?;
            let out = secrets
                .set(
                    &name,
                    value,
                    SetOptions {
                        expires_on,
                        accept_warnings: *force,
                        session_only: false,
                    },
                )
                .map_err(|e| match e {
                    Error::SuspiciousSecret { warnings } => Error::InvalidInput {
                        field: "Secret value".into(),
                        reason: format!(
                            "{} Nothing was stored.",
                            warnings
                                .first()
                                .map_or("The secret is empty.", |w| w.message.as_str())
                        ),
                        fix: warnings
                            .first()
                            .map(|w| format!("{} (To store it anyway, add --force.)", w.fix)),
                    },
                    other => other,
                })?;
            if json {
                print_json(&out);
            } else {
                let verb = if out.replaced { "Replaced" } else { "Stored" };
                println!("{verb} {name} in the OS keychain.");
                for w in &out.warnings {
                    eprintln!("warning: {} {}", w.message, w.fix);
                }
                describe(&out.status);
            }
        }
        Action::Status { name } => {
            let status = secrets.status(&SecretName::parse(name)?, today)?;
            if json {
                print_json(&status);
            } else {
                describe(&status);
            }
        }
        Action::Delete { name } => {
            let name = SecretName::parse(name)?;
            secrets.delete(&name)?;
            if json {
                print_json(&serde_json::json!({ "deleted": name.as_str() }));
            } else {
                println!("Deleted {name} from the OS keychain.");
            }
        }
        Action::Expiry {
            name,
            on,
            clear,
            from_registration,
            client_id,
            graph_token_env,
            graph_url,
        } => {
            let name = SecretName::parse(name)?;
            let (date, source) = if *from_registration {
                let (Some(client_id), Some(var)) = (client_id, graph_token_env) else {
                    unreachable!("clap requires --client-id and --graph-token-env")
                };
                let token = crate::graph_token::read(&crate::graph_token::Source {
                    env: Some(var),
                    file: None,
                    stdin_taken: false,
                    fix: "Put a Microsoft Graph access token with Application.Read.All in an environment variable and name it with --graph-token-env.",
                })?
                .ok_or_else(|| Error::Internal("no Graph token source".into()))?;
                let value = secrets.get(&name)?;
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(|e| Error::Internal(format!("cannot start the async runtime: {e}")))?;
                let registered = runtime.block_on(secrets::registration::registered_secrets(
                    graph_url, client_id, &token,
                ))?;
                let found = secrets::registration::matching(&value, &registered).ok_or_else(|| {
                    let hints: Vec<String> = registered
                        .iter()
                        .map(|r| format!("{} (hint {}, expires {})", r.display_name.as_deref().unwrap_or("no description"), r.hint.as_deref().unwrap_or("?"), r.expires_on.as_deref().unwrap_or("?")))
                        .collect();
                    Error::InvalidInput {
                        field: "registration".into(),
                        reason: format!(
                            "none of the app's {} client secret(s) matches the value saved as {name} (or several do): {}",
                            registered.len(),
                            if hints.is_empty() { "no client secrets".to_string() } else { hints.join("; ") }
                        ),
                        fix: Some(format!("Check that {name} holds a secret of this app (client ID {client_id}), or record the date by hand with --on YYYY-MM-DD.")),
                    }
                })?;
                (found.expiry_date(), secrets::ExpirySource::Registration)
            } else if *clear {
                (None, secrets::ExpirySource::Entered)
            } else {
                let date = on.as_deref().map(secrets::parse_date).transpose()?;
                (date, secrets::ExpirySource::Entered)
            };
            let status = secrets.set_expiry(&name, date, source)?;
            if json {
                print_json(&status);
            } else {
                describe(&status);
            }
        }
        Action::List => {
            let list = secrets.list(today)?;
            if json {
                print_json(&list);
            } else if list.is_empty() {
                println!("No secrets saved. Add one with `entrance secret set NAME` (the value is read from stdin).");
            } else {
                for s in &list {
                    describe(s);
                }
            }
        }
    }
    Ok(())
}

/// The value, from the environment when asked, else stdin.
fn read_value(from_env: Option<&str>) -> Result<SecretString, Error> {
    if let Some(var) = from_env {
        return std::env::var(var)
            .map(SecretString::from)
            .map_err(|_| Error::InvalidInput {
                field: "--from-env".into(),
                reason: format!("the environment variable {var} is not set (or not UTF-8)"),
                fix: Some(format!(
                    "Export {var} first, or pipe the value into `entrance secret set` instead."
                )),
            });
    }
    let stdin = std::io::stdin();
    if crate::term::stdin_interactive() {
        let value = rpassword::prompt_password("Client secret Value (input hidden): ").map_err(
            |source| Error::Io {
                action: "read from",
                path: "the terminal".into(),
                source,
            },
        )?;
        return Ok(SecretString::from(value));
    }
    let value = crate::input::text(stdin.lock(), "the secret", crate::input::MAX_SECRET_INPUT)?;
    // One trailing line break is how shells end a piped line, not part of the secret.
    let trimmed = value
        .strip_suffix('\n')
        .map(|v| v.strip_suffix('\r').unwrap_or(v));
    Ok(SecretString::from(trimmed.unwrap_or(&value).to_string()))
}

fn describe(s: &SecretStatus) {
    let place = match (s.store, s.present) {
        (secrets::SecretStore::Session, _) => "kept for this session only",
        (_, true) => "stored in the OS keychain",
        (_, false) => "listed, but missing from the OS keychain",
    };
    let expiry = match &s.expiry {
        secrets::Expiry::Unknown => "expiry unknown (set it with --expires)".to_string(),
        secrets::Expiry::Valid { days_left } => {
            format!(
                "expires {} ({days_left} days left)",
                s.expires_on.as_deref().unwrap_or("?")
            )
        }
        secrets::Expiry::ExpiresSoon { days_left } => {
            format!(
                "EXPIRES SOON: {} ({days_left} days left)",
                s.expires_on.as_deref().unwrap_or("?")
            )
        }
        secrets::Expiry::Expired { days_ago } => {
            format!(
                "EXPIRED on {} ({days_ago} days ago)",
                s.expires_on.as_deref().unwrap_or("?")
            )
        }
    };
    println!("{}: {place}; {expiry}", s.name);
    if let Some(w) = s.expiry.warning(&s.name) {
        eprintln!(
            "warning: {w} Add a new client secret in Certificates & secrets and store its Value."
        );
    }
}

fn print_json<T: serde::Serialize>(value: &T) {
    match serde_json::to_string(value) {
        Ok(s) => println!("{s}"),
        Err(e) => eprintln!("error: could not print JSON: {e}"),
    }
}
