//! `entrance sandbox`: the Entra-faithful sandbox tenant on 127.0.0.1.
//!
//! `serve` prints the base URL as the first line of stdout (one JSON object
//! with `--json`), a short "try it" hint on stderr, and serves until Ctrl-C
//! or SIGTERM. `scenario` prints the built-in scenario to copy and edit.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args as ClapArgs, Subcommand};
use entrance_core::Error;
use entrance_sandbox::{Options, Sandbox, SandboxError, Scenario};

#[derive(Debug, ClapArgs)]
pub struct Args {
    #[command(subcommand)]
    action: Action,
}

#[derive(Debug, Subcommand)]
enum Action {
    /// Serve the sandbox tenant until stopped; the first line of output is its base URL.
    Serve {
        /// A scenario file (TOML); default: the built-in one (`entrance sandbox scenario`).
        #[arg(long, value_name = "FILE")]
        scenario: Option<PathBuf>,
        /// Where to listen; port 0 picks a free port.
        #[arg(long, value_name = "127.0.0.1:PORT", default_value = "127.0.0.1:0")]
        addr: SocketAddr,
        /// Where Microsoft Graph listens (discovery's `msgraph_host`); port 0 picks a free port.
        #[arg(long, value_name = "127.0.0.1:PORT", default_value = "127.0.0.1:0")]
        graph_addr: SocketAddr,
        /// Serve HTTPS with a certificate from a CA generated at start.
        #[arg(long)]
        tls: bool,
        /// Write the generated CA certificate (PEM) here, for clients to trust.
        #[arg(long, value_name = "FILE", requires = "tls")]
        ca_out: Option<PathBuf>,
        /// Allow --addr/--graph-addr on a non-loopback address. The sandbox's
        /// demo passwords and secrets are public: anyone who can reach it can
        /// sign in and rotate its keys.
        #[arg(long)]
        allow_remote: bool,
    },
    /// Print the built-in scenario (TOML) to copy and edit.
    Scenario,
}

pub fn run(args: &Args, json: bool) -> Result<(), Error> {
    match &args.action {
        Action::Scenario => {
            print!("{}", entrance_sandbox::scenario::BUILTIN_TOML);
            Ok(())
        }
        Action::Serve {
            scenario,
            addr,
            graph_addr,
            tls,
            ca_out,
            allow_remote,
        } => {
            let scenario = load(scenario.as_ref())?;
            let options = Options {
                addr: *addr,
                graph_addr: *graph_addr,
                tls: *tls,
                allow_remote: *allow_remote,
            };
            if *allow_remote && !(addr.ip().is_loopback() && graph_addr.ip().is_loopback()) {
                eprintln!(
                    "Warning: the sandbox listens beyond this machine. Its demo passwords and client secrets are public, so anyone who can reach {addr} can sign in, read its Graph and rotate its keys. Use it only on a network you trust, and stop it when done."
                );
            }
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .map_err(|e| Error::Internal(format!("cannot start the async runtime: {e}")))?;
            runtime.block_on(serve(scenario, options, ca_out.as_ref(), json))
        }
    }
}

/// The largest scenario file read (the built-in one is about 20 KB).
const MAX_SCENARIO_BYTES: u64 = 4 << 20;

fn load(path: Option<&PathBuf>) -> Result<Scenario, Error> {
    let Some(path) = path else {
        return Ok(Scenario::builtin());
    };
    let text = entrance_core::paths::read_bounded(path, MAX_SCENARIO_BYTES)?;
    Scenario::from_toml(&text).map_err(|e| Error::InvalidInput {
        field: format!("Scenario file {}", path.display()),
        reason: e.to_string(),
        fix: Some("Compare it with the built-in scenario: `entrance sandbox scenario`.".into()),
    })
}

async fn serve(
    scenario: Scenario,
    options: Options,
    ca_out: Option<&PathBuf>,
    json: bool,
) -> Result<(), Error> {
    // Listen for Ctrl-C/SIGTERM before announcing the URL, so a stop that
    // comes right after the first line is a clean one.
    let stop = wait_for_stop();
    let addr = options.addr;
    let sandbox = Sandbox::start_with(scenario, options)
        .await
        .map_err(|e| match e {
            SandboxError::Bind { .. } => Error::InvalidInput {
                field: "--addr".into(),
                reason: e.to_string(),
                fix: Some(format!(
                    "Use a free port, or port 0 to pick one (e.g. --addr {}:0).",
                    addr.ip()
                )),
            },
            SandboxError::Scenario(s) => Error::InvalidInput {
                field: "Scenario".into(),
                reason: s.to_string(),
                fix: None,
            },
            SandboxError::NotLoopback { .. } => Error::InvalidInput {
                field: "--addr".into(),
                reason: e.to_string(),
                fix: Some(
                    "Listen on 127.0.0.1 (the default). To serve other machines on purpose, add --allow-remote."
                        .into(),
                ),
            },
            other => Error::Internal(other.to_string()),
        })?;
    if let (Some(path), Some(pem)) = (ca_out, sandbox.ca_pem()) {
        entrance_core::paths::write_atomic(path, pem.as_bytes())?;
    }
    let scenario = sandbox.scenario();
    let first = scenario.tenants.first();
    if json {
        let tenants: Vec<_> = scenario
            .tenants
            .iter()
            .map(|t| serde_json::json!({"name": t.name, "id": t.id, "authority": sandbox.authority(&t.id)}))
            .collect();
        println!(
            "{}",
            serde_json::json!({
                "base_url": sandbox.base_url(),
                "graph_url": sandbox.graph_url(),
                "tenants": tenants,
                "ca_pem_file": ca_out.map(|p| p.display().to_string()),
            })
        );
    } else {
        // The contract: the base URL is the first line of stdout.
        println!("{}", sandbox.base_url());
        if let Some(t) = first {
            let ca = ca_out
                .map(|p| format!(" --cacert {}", p.display()))
                .unwrap_or_default();
            eprintln!("Sandbox tenant \"{}\" ({}) is ready.", t.display_name, t.id);
            eprintln!("  Try:   curl{ca} {}", sandbox.discovery_url(&t.id));
            eprintln!("  Graph: {}/v1.0", sandbox.graph_url());
            eprintln!(
                "  Users, passwords and apps: `entrance sandbox scenario`. Stop with Ctrl-C."
            );
        }
    }
    stop.await;
    sandbox.stop().await;
    Ok(())
}

/// Ctrl-C or SIGTERM. The handlers are installed when this is called (not
/// when the future is first polled), so no signal is lost to the default
/// action in between.
fn wait_for_stop() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let term = signal(SignalKind::terminate());
        let int = signal(SignalKind::interrupt());
        async move {
            match (term, int) {
                (Ok(mut term), Ok(mut int)) => {
                    tokio::select! {
                        _ = term.recv() => {}
                        _ = int.recv() => {}
                    }
                }
                _ => {
                    let _ = tokio::signal::ctrl_c().await;
                }
            }
        }
    }
    #[cfg(not(unix))]
    {
        async {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}
