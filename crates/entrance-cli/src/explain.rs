//! `entrance explain`: the AADSTS codes in a log line, redirect URL, JSON
//! error body or screenshot text, explained.

use std::process::ExitCode;

use clap::Args as ClapArgs;
use entrance_core::aadsts::{find_codes, EntraError, FoundCode};
use entrance_core::Error;
use serde_json::{json, Value};

#[derive(Debug, ClapArgs)]
#[command(after_help = "Examples:\n  entrance explain AADSTS50011\n  \
pbpaste | entrance explain\n  entrance explain --json < error.json\n\n\
Exit status: 0 when a code was found, 1 when none was.")]
pub struct Args {
    /// Text holding AADSTS codes. `-` or nothing: read standard input.
    #[arg(value_name = "TEXT | -")]
    text: Vec<String>,
}

pub fn run(args: &Args, json: bool) -> Result<ExitCode, Error> {
    let text = match args.text.as_slice() {
        [] => crate::inspect::read_input(None)?,
        [only] if only == "-" => crate::inspect::read_input(None)?,
        words => words.join(" "),
    };
    let codes = find_codes(&text);
    let error = EntraError::parse(&text).ok();
    if json {
        let body = json!({
            "codes": codes.iter().map(code_json).collect::<Vec<_>>(),
            "error": error,
        });
        println!("{body}");
    } else {
        print!("{}", render(&codes, error.as_ref()));
    }
    Ok(if codes.is_empty() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn code_json(found: &FoundCode) -> Value {
    match &found.entry {
        Some(e) => json!({
            "code": found.code,
            "known": true,
            "title": e.title,
            "cause": e.cause,
            "fix": e.fix,
            "where": e.blade.label(),
            "source": e.source,
            "links": [found.lookup_url],
        }),
        None => json!({
            "code": found.code,
            "known": false,
            "title": "Not in Entrance's catalog",
            "cause": null,
            "fix": format!("Look the code up on Entra's error page: {}", found.lookup_url),
            "where": null,
            "source": null,
            "links": [found.lookup_url],
        }),
    }
}

fn render(codes: &[FoundCode], error: Option<&EntraError>) -> String {
    let mut out = String::new();
    if codes.is_empty() {
        out.push_str("No AADSTS code found in the text.\n");
    }
    for found in codes {
        match &found.entry {
            Some(e) => {
                out.push_str(&format!("AADSTS{} — {}\n", found.code, e.title));
                out.push_str(&format!("  cause  {}\n", e.cause));
                out.push_str(&format!("  fix    {}\n", e.fix));
                if let Some(blade) = e.blade.label() {
                    out.push_str(&format!("  where  {blade}\n"));
                }
            }
            None => out.push_str(&format!(
                "AADSTS{} — not in Entrance's catalog\n",
                found.code
            )),
        }
        out.push_str(&format!("  more   {}\n\n", found.lookup_url));
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
