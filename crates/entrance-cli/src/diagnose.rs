//! `entrance diagnose`: everything between this machine and the tenant —
//! proxy and CA settings, DNS, TCP, TLS, HTTP, the clock, the tenant, the app
//! and its secret, redirect URIs, Microsoft Graph and the loopback sign-in —
//! checked in parallel, with the root causes ranked.
//!
//! Progress goes to standard error, one line per check as it ends; the
//! verdict and the root causes with their fixes go to standard output (one
//! JSON object with `--json`). `--report FILE` writes Markdown (JSON for
//! `.json`) for a ticket. Everything printed or written is redacted: token
//! signatures removed, the client secret and the Graph token scrubbed.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args as ClapArgs;
use entrance_core::diagnose::report::{
    self, duration_words, overall_words, status_counts, status_word,
};
use entrance_core::diagnose::{
    self, CheckResult, CheckStatus, Credentials, DiagnoseEvent, DiagnoseRequest, Diagnosis,
    Environment, Overall,
};
use entrance_core::login::{Authority, Cloud};
use entrance_core::secrets::{SecretName, SecretString, Secrets};
use entrance_core::Error;

/// Exit status when Ctrl-C stopped the diagnosis (128 + SIGINT, as shells do).
const EXIT_CANCELLED: u8 = 130;

#[derive(Debug, ClapArgs)]
#[command(after_help = "Examples:\n  \
entrance diagnose --tenant contoso.onmicrosoft.com\n  \
entrance diagnose --tenant contoso.onmicrosoft.com --client-id 00000000-0000-0000-0000-000000000000 \
--secret-name grafana --target grafana --base-url https://grafana.example.com --report diagnosis.md\n  \
entrance diagnose --authority https://login.microsoftonline.us/contoso.onmicrosoft.us/v2.0 --json\n\n\
The client secret is read from the keychain by the name it was saved under (`entrance secret set NAME`), \
and the Microsoft Graph token from an environment variable or a file: never from the command line. \
Reports and output never hold them, nor a token's signature.\n\n\
Exit status: 0 healthy (or warnings only), 1 problems found (or the secret could not be read from the \
keychain), 2 unusable input (a malformed authority, an unknown target, a client ID that is not a GUID, \
an unreadable Graph token file…), 130 stopped with Ctrl-C (what finished is still printed and written).")]
pub struct Args {
    /// The authority: https://login.microsoftonline.com/{tenant}/v2.0 (login.microsoftonline.us or
    /// login.partner.microsoftonline.cn in the national clouds), or another OpenID provider's issuer.
    #[arg(long, value_name = "URL", conflicts_with_all = ["tenant", "cloud"])]
    authority: Option<String>,
    /// The Directory (tenant) ID or a verified domain (instead of --authority).
    #[arg(long, value_name = "TENANT")]
    tenant: Option<String>,
    /// The cloud of --tenant: global (default), us-gov or china.
    #[arg(long, value_name = "CLOUD", requires = "tenant", value_parser = parse_cloud)]
    cloud: Option<Cloud>,
    /// The Application (client) ID; without it the app, secret and redirect
    /// URI checks are skipped.
    #[arg(long = "client-id", value_name = "ID")]
    client_id: Option<String>,
    /// Check the client secret saved under NAME (`entrance secret set NAME`).
    #[arg(long = "secret-name", value_name = "NAME", requires = "client_id")]
    secret_name: Option<String>,
    /// A target product (grafana, keep, authentik, camunda, openmetadata,
    /// generic-oidc) whose redirect URIs to probe; needs --base-url.
    #[arg(long, value_name = "NAME", requires = "base_url")]
    target: Option<String>,
    /// The product's public URL, e.g. https://grafana.example.com.
    #[arg(long = "base-url", value_name = "URL", requires = "target")]
    base_url: Option<String>,
    /// A redirect URI to probe (repeat for more).
    #[arg(long = "redirect-uri", value_name = "URI")]
    redirect_uris: Vec<String>,
    /// Microsoft Graph's root (default: the cloud's, or the tenant's `msgraph_host`).
    #[arg(long = "graph-url", value_name = "URL")]
    graph_url: Option<String>,
    /// The environment variable holding a Microsoft Graph access token (to
    /// read consented permissions).
    #[arg(
        long = "graph-token-env",
        value_name = "VAR",
        conflicts_with = "graph_token_file"
    )]
    graph_token_env: Option<String>,
    /// A file holding a Microsoft Graph access token (`-`: standard input).
    #[arg(long = "graph-token-file", value_name = "FILE")]
    graph_token_file: Option<String>,
    /// The loopback port a sign-in will listen on (default: one the system picks).
    #[arg(long = "loopback-port", value_name = "PORT")]
    loopback_port: Option<u16>,
    /// A CA certificate file (PEM) to trust besides the system's (default: SSL_CERT_FILE).
    #[arg(long = "ca-file", value_name = "FILE")]
    ca_file: Option<String>,
    /// Timeout of each check in seconds (default 10).
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u32).range(1..=600))]
    timeout: Option<u32>,
    /// Write the report to FILE: Markdown, or JSON when FILE ends in .json
    /// (repeat for both). Redacted like everything else.
    #[arg(long = "report", value_name = "FILE")]
    reports: Vec<PathBuf>,
}

pub(crate) fn parse_cloud(text: &str) -> Result<Cloud, String> {
    Cloud::parse(text)
        .ok_or_else(|| format!("`{text}` is not a cloud: use global, us-gov or china"))
}

pub fn run(args: &Args, json: bool) -> Result<ExitCode, Error> {
    let request = request(args)?;
    // Unusable input ends here, before the keychain or the network.
    diagnose::plan(&request)?;
    check_client_id(args)?;
    for path in &args.reports {
        check_report_path(path)?;
    }
    let (client_secret, client_secret_expiry) = match &args.secret_name {
        Some(name) => {
            let (store, name) = (Secrets::open_default()?, SecretName::parse(name)?);
            let expiry = store.status(&name, entrance_core::secrets::today())?.expiry;
            (Some(store.get(&name)?), Some(expiry))
        }
        None => (None, None),
    };
    let graph_token = graph_token(args)?;
    let credentials = Credentials {
        client_secret,
        graph_token,
        client_secret_expiry,
    };

    let runtime = crate::login::runtime()?;
    let cancel = crate::login::cancel_on_ctrl_c(&runtime);
    let progress = Progress {
        colour: crate::term::stderr_colour(),
    };
    let diagnosis = runtime.block_on(diagnose::run(
        request,
        credentials,
        Environment::from_process(),
        cancel,
        |event| progress.event(&event),
    ))?;

    if json {
        println!("{}", report::to_json_value(&diagnosis));
    } else {
        print!("{}", summary(&diagnosis));
    }
    for path in &args.reports {
        let text = if is_json_path(path) {
            report::to_json(&diagnosis)
        } else {
            report::to_markdown(&diagnosis)
        };
        entrance_core::paths::write_atomic(path, text.as_bytes())?;
        eprintln!("Report written to {}", path.display());
    }
    Ok(match diagnosis.overall {
        Overall::Healthy | Overall::Warnings => ExitCode::SUCCESS,
        Overall::Problems => ExitCode::FAILURE,
        Overall::Cancelled => ExitCode::from(EXIT_CANCELLED),
    })
}

fn request(args: &Args) -> Result<DiagnoseRequest, Error> {
    Ok(DiagnoseRequest {
        authority: args.authority.clone(),
        tenant: args.tenant.clone(),
        cloud: args.cloud,
        client_id: args.client_id.as_deref().map(|c| c.trim().to_string()),
        secret_name: args.secret_name.clone(),
        target: args.target.clone(),
        base_url: args.base_url.clone(),
        redirect_uris: args.redirect_uris.clone(),
        graph_url: args.graph_url.clone(),
        loopback_port: args.loopback_port,
        timeout_secs: args.timeout,
        ca_file: args.ca_file.clone(),
    })
}

/// On Entra (a Microsoft sign-in host, or an Entra-shaped path such as the
/// sandbox tenant's) the Application (client) ID is a GUID; another OpenID
/// provider may use any string.
fn check_client_id(args: &Args) -> Result<(), Error> {
    let Some(id) = args.client_id.as_deref().map(str::trim) else {
        return Ok(());
    };
    let entra = match &args.authority {
        Some(url) => Authority::parse(url).is_ok_and(|a| a.is_entra_host() || a.tenant().is_some()),
        None => true,
    };
    if entra && !entrance_core::token::is_guid(id) {
        return Err(Error::InvalidInput {
            field: "client ID".into(),
            reason: format!("`{id}` is not a GUID; an Application (client) ID looks like 00000000-0000-0000-0000-000000000000"),
            fix: Some("Copy the Application (client) ID from App registration → Overview (not the Object ID or the app's name).".into()),
        });
    }
    Ok(())
}

/// A report path must be a file path (its folder is created when missing).
fn check_report_path(path: &Path) -> Result<(), Error> {
    if path.as_os_str().is_empty() || path.is_dir() {
        return Err(Error::InvalidInput {
            field: "report".into(),
            reason: format!("`{}` is a folder, not a file", path.display()),
            fix: Some(
                "Give a file name, e.g. --report diagnosis.md or --report diagnosis.json.".into(),
            ),
        });
    }
    Ok(())
}

fn is_json_path(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
}

/// The Graph token: from the named environment variable or a file — never argv.
fn graph_token(args: &Args) -> Result<Option<SecretString>, Error> {
    crate::graph_token::read(&crate::graph_token::Source {
        env: args.graph_token_env.as_deref(),
        file: args.graph_token_file.as_deref(),
        stdin_taken: false,
        fix: "Put a Microsoft Graph access token in an environment variable and pass its name with --graph-token-env VAR, or in a file with --graph-token-file FILE.",
    })
}

/// One line per check on standard error as it ends.
struct Progress {
    colour: bool,
}

impl Progress {
    fn event(&self, event: &DiagnoseEvent) {
        match event {
            DiagnoseEvent::Planned { checks } => {
                eprintln!("Running {} checks…", checks.len());
            }
            DiagnoseEvent::Finished { result } => {
                let word = format!("{:<9}", status_word(result.status));
                match (self.colour, colour_of(result.status)) {
                    (true, Some(code)) => crate::term::eprint_coloured(code, &word),
                    _ => eprint!("{word}"),
                }
                eprintln!(" {}", self.line(result));
            }
            DiagnoseEvent::Started { .. } | DiagnoseEvent::Done { .. } => {}
        }
    }

    /// A finished check's line after its status word.
    fn line(&self, r: &CheckResult) -> String {
        let time = match r.status {
            CheckStatus::Blocked | CheckStatus::Skipped => String::new(),
            CheckStatus::Cancelled if r.duration_ms == 0 => String::new(),
            _ => format!(" ({})", duration_words(r.duration_ms)),
        };
        report::Redactor::default().text(&format!("{}: {}{time}", r.title, one_line(&r.summary)))
    }
}

/// ANSI colour of a status word on a terminal.
fn colour_of(status: CheckStatus) -> Option<&'static str> {
    match status {
        CheckStatus::Passed => Some("32"),
        CheckStatus::Warning => Some("33"),
        CheckStatus::Failed | CheckStatus::TimedOut => Some("31"),
        CheckStatus::Blocked | CheckStatus::Skipped | CheckStatus::Cancelled => Some("2"),
        CheckStatus::Pending | CheckStatus::Running => None,
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The verdict and the ranked root causes with their fixes, for standard output.
fn summary(d: &Diagnosis) -> String {
    let mut out = format!(
        "{}: {} ({}, {}).\n",
        capitalized_verdict(d.overall),
        d.authority,
        status_counts(&d.results),
        duration_words(d.duration_ms)
    );
    if d.root_causes.is_empty() {
        out.push_str(match d.overall {
            Overall::Cancelled => {
                "Stopped with Ctrl-C before every check finished; nothing that finished failed.\n"
            }
            _ => "Every check that ran passed.\n",
        });
    } else {
        out.push_str("\nRoot causes, most important first:\n");
    }
    for (i, cause) in d.root_causes.iter().enumerate() {
        let result = d.results.iter().find(|r| r.id == cause.check_id);
        out.push_str(&format!(
            "\n{}. {} — {}\n",
            i + 1,
            cause.title,
            status_word(cause.status)
        ));
        match (&cause.finding, result) {
            (Some(f), _) => {
                out.push_str(&format!("   {}\n", one_line(&f.message)));
                if !f.fix.trim().is_empty() {
                    out.push_str(&format!("   fix: {}\n", one_line(&f.fix)));
                }
                if let Some(code) = f.aadsts {
                    out.push_str(&format!("   Entra error: AADSTS{code}\n"));
                }
                for link in &f.links {
                    out.push_str(&format!("   see: {} — {}\n", link.label, link.url));
                }
            }
            (None, Some(r)) => out.push_str(&format!("   {}\n", one_line(&r.summary))),
            (None, None) => {}
        }
        if !cause.explains.is_empty() {
            let names: Vec<String> = cause
                .explains
                .iter()
                .map(|id| {
                    d.results
                        .iter()
                        .find(|r| &r.id == id)
                        .map_or_else(|| id.clone(), |r| r.title.clone())
                })
                .collect();
            out.push_str(&format!(
                "   explains {} blocked check{}: {}\n",
                names.len(),
                if names.len() == 1 { "" } else { "s" },
                names.join("; ")
            ));
        }
    }
    report::Redactor::default().text(&out)
}

fn capitalized_verdict(overall: Overall) -> String {
    let words = overall_words(overall);
    let mut chars = words.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_ending_in_json_are_json_whatever_the_case() {
        assert!(is_json_path(Path::new("out/diagnosis.JSON")));
        assert!(!is_json_path(Path::new("diagnosis.md")));
        assert!(!is_json_path(Path::new("json")));
    }

    #[test]
    fn a_cloud_is_named_as_admins_name_it() {
        assert_eq!(parse_cloud("us-gov"), Ok(Cloud::UsGov));
        assert!(parse_cloud("mars").is_err_and(|e| e.contains("global, us-gov or china")));
    }
}
