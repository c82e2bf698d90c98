//! `entrance explain`: the AADSTS codes in a log line, redirect URL, JSON
//! error body or screenshot text, explained — with what the text itself
//! says (an authorize URL's client ID, redirect URI, scopes and authority)
//! and what the admin adds (`--target`, `--redirect-uri`, `--platform`…).

use std::process::ExitCode;

use clap::Args as ClapArgs;
use entrance_core::aadsts::{explain, find_codes, EntraError, Explanation, TextFacts};
use entrance_core::secrets::{ExposeSecret, SecretName, Secrets};
use entrance_core::Error;
use serde::Serialize;

#[derive(Debug, ClapArgs)]
#[command(after_help = "Examples:\n  entrance explain AADSTS50011\n  \
pbpaste | entrance explain\n  entrance explain --json < error.json\n  \
entrance explain --target authentik \"AADSTS65005: … asked for scope 'groups' …\"\n\n\
Exit status: 0 when a code was found, 1 when none was.")]
pub struct Args {
    /// Text holding AADSTS codes. `-` or nothing: read standard input.
    #[arg(value_name = "TEXT | -")]
    text: Vec<String>,
    /// The product the error came from (grafana, keep, authentik, camunda,
    /// openmetadata, generic-oidc): only its notes are shown.
    #[arg(long, value_name = "PRODUCT")]
    target: Option<String>,
    /// The redirect URI the product sent.
    #[arg(long, value_name = "URI")]
    redirect_uri: Option<String>,
    /// The platform that redirect URI is registered under (Web,
    /// Single-page application, Mobile and desktop applications).
    #[arg(long, value_name = "PLATFORM")]
    platform: Option<String>,
    /// The authority the product uses (https://login.microsoftonline.com/{tenant}).
    #[arg(long, value_name = "URL")]
    authority: Option<String>,
    /// The scopes the product asks for, space-separated.
    #[arg(long, value_name = "SCOPES")]
    scope: Option<String>,
    /// A client secret saved with `entrance secret set`: its end date and
    /// first three characters (what the portal shows of it) are used.
    #[arg(long, value_name = "NAME")]
    secret_name: Option<String>,
}

/// What Entrance knows of a saved secret: Graph's 3-character hint (the
/// portal shows the same) and the end date, never the value.
#[derive(Debug, Default)]
struct SecretFacts {
    hint: Option<String>,
    end: Option<String>,
}

fn secret_facts(name: &str) -> Result<SecretFacts, Error> {
    let (store, name) = (Secrets::open_default()?, SecretName::parse(name)?);
    let status = store.status(&name, entrance_core::secrets::today())?;
    let hint = store
        .get(&name)
        .ok()
        .map(|value| value.expose_secret().chars().take(3).collect::<String>())
        .filter(|h| h.chars().count() == 3);
    Ok(SecretFacts {
        hint,
        end: status.expires_on,
    })
}

/// One code as `--json` prints it: the core's [`Explanation`] plus the keys
/// earlier versions printed (`where`, `links`).
#[derive(Debug, Serialize)]
struct CodeJson<'a> {
    #[serde(flatten)]
    explanation: &'a Explanation,
    /// The portal place (same as `blade`).
    #[serde(rename = "where")]
    place: Option<&'a str>,
    /// Entra's lookup page.
    links: [&'a str; 1],
}

#[derive(Debug, Serialize)]
struct Output<'a> {
    codes: Vec<CodeJson<'a>>,
    error: Option<EntraError>,
}

pub fn run(args: &Args, json: bool) -> Result<ExitCode, Error> {
    let text = match args.text.as_slice() {
        [] => crate::inspect::read_input(None)?,
        [only] if only == "-" => crate::inspect::read_input(None)?,
        words => words.join(" "),
    };
    if let Some(target) = args.target.as_deref() {
        let names = entrance_core::targets::names();
        if !names.iter().any(|n| n.eq_ignore_ascii_case(target)) {
            return Err(Error::InvalidInput {
                field: "--target".into(),
                reason: format!("`{target}` is not a product Entrance knows"),
                fix: Some(format!("Use one of: {}.", names.join(", "))),
            });
        }
    }
    let secret = match &args.secret_name {
        Some(name) => secret_facts(name)?,
        None => SecretFacts::default(),
    };
    let explanations = explain_text(&text, args, &secret);
    let error = EntraError::parse(&text).ok();
    if json {
        let body = Output {
            codes: explanations
                .iter()
                .map(|e| CodeJson {
                    explanation: e,
                    place: e.blade.as_deref(),
                    links: [e.lookup_url.as_str()],
                })
                .collect(),
            error,
        };
        println!(
            "{}",
            serde_json::to_string(&body).unwrap_or_else(|_| "{}".into())
        );
    } else {
        print!("{}", render(&explanations, error.as_ref()));
    }
    Ok(if explanations.is_empty() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Every code in `text`, explained with the text's own facts and the flags.
fn explain_text(text: &str, args: &Args, secret: &SecretFacts) -> Vec<Explanation> {
    let facts = TextFacts::from_text(text);
    let mut situation = facts.situation(args.target.as_deref());
    if let Some(uri) = args.redirect_uri.as_deref() {
        situation.redirect_uri = Some(uri);
    }
    if let Some(platform) = args.platform.as_deref() {
        situation.platform = Some(platform);
    }
    if let Some(authority) = args.authority.as_deref() {
        situation.authority = Some(authority);
    }
    if let Some(scope) = args.scope.as_deref() {
        situation.scopes = Some(scope);
    }
    situation.secret_hint = secret.hint.as_deref();
    situation.secret_end = secret.end.as_deref();
    find_codes(text)
        .iter()
        .map(|found| explain(found.code, &situation))
        .collect()
}

fn render(codes: &[Explanation], error: Option<&EntraError>) -> String {
    let mut out = String::new();
    if codes.is_empty() {
        out.push_str("No AADSTS code found in the text.\n");
    }
    for e in codes {
        out.push_str(&format!("AADSTS{} — {}\n", e.code, e.title));
        if let Some(error) = &e.error {
            out.push_str(&format!("  error  {error}\n"));
        }
        if let Some(cause) = &e.cause {
            out.push_str(&format!("  cause  {cause}\n"));
        }
        out.push_str(&format!("  fix    {}\n", e.fix));
        if let Some(blade) = &e.blade {
            out.push_str(&format!("  where  {blade}\n"));
        }
        if let Some(cli) = &e.cli {
            out.push_str(&format!("  cli    {cli}\n"));
        }
        for note in &e.products {
            out.push_str(&format!("  {}: {}\n", note.product, note.note));
        }
        out.push_str(&format!("  more   {}\n\n", e.lookup_url));
    }
    if let Some(e) = error {
        for (label, value) in [
            ("error", &e.error),
            ("trace ID", &e.trace_id),
            ("correlation ID", &e.correlation_id),
            ("timestamp", &e.timestamp),
        ] {
            if let Some(v) = value {
                out.push_str(&format!("{label}: {v}\n"));
            }
        }
    }
    out
}
