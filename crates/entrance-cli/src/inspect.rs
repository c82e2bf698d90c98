//! `entrance inspect`: decode, explain and (with `--verify`) verify a token.
//!
//! The token is read from standard input by default: a bearer token on the
//! command line ends up in shell history and in every process listing.

use std::process::ExitCode;

use clap::Args as ClapArgs;
use entrance_core::claims::ClaimExplanation;
use entrance_core::groups::{self, GroupMethod, GroupQuery, GroupResolution, GroupSubject};
use entrance_core::inspect::{
    self, InspectOptions, Inspection, TokenKind, TokenReport, TokenVersion,
};
use entrance_core::secrets::SecretString;
use entrance_core::verify::{JwksSource, SignatureCheck, VerifyOptions};
use entrance_core::Error;
use serde_json::{json, Value};

#[derive(Debug, ClapArgs)]
#[command(
    after_help = "Reading from standard input is the recommended way: a token given as an argument \
is visible to other users in process listings and stays in your shell history.\n\n\
Examples:\n  pbpaste | entrance inspect\n  entrance inspect --verify --client-id 00000000-0000-0000-0000-000000000000 < token.txt\n  \
entrance inspect - --json < response.json\n\n\
Resolving group overage (--resolve-groups): a token for a user in more than 200 groups carries \
_claim_names/_claim_sources instead of `groups`. Entrance then lists the user's groups through Microsoft \
Graph, as the product would, with a delegated Graph access token (User.Read + GroupMember.Read.All, \
admin consent). That token is never taken from the command line: give --graph-token-env VAR (the name \
of an environment variable holding it) or --graph-token-file FILE (a file holding it; `-` is standard \
input when the inspected token comes from FILE/argument instead).\n  \
entrance inspect --resolve-groups --graph-token-env GRAPH_TOKEN < id_token.txt\n\n\
Exit status: 0 decoded (even with warnings), 1 verification asked and failed, 2 unusable input, \
3 --resolve-groups asked and Microsoft Graph refused or failed."
)]
pub struct Args {
    /// A token, `Authorization:` header, redirect URL, token response or SAML
    /// response. `-` or nothing: read standard input (recommended).
    #[arg(value_name = "TOKEN | -")]
    token: Option<String>,
    /// Verify the signature against the tenant's signing keys (fetched from
    /// Entra) and validate time, audience and tenant.
    #[arg(long)]
    verify: bool,
    /// Take the signing keys from this JWKS file or URL (implies --verify).
    #[arg(long, value_name = "FILE|URL")]
    jwks: Option<String>,
    /// The Application (client) ID the token should be for.
    #[arg(long, value_name = "ID")]
    client_id: Option<String>,
    /// The Directory (tenant) ID the token should come from.
    #[arg(long, value_name = "TENANT-ID")]
    tenant: Option<String>,
    /// Allowed clock skew in seconds (default 300, at most 900).
    #[arg(long, value_name = "SECONDS")]
    skew: Option<u32>,
    /// List the user's groups through Microsoft Graph (for group overage,
    /// or to compare with `groups`). Needs --graph-token-env or --graph-token-file.
    #[arg(long)]
    resolve_groups: bool,
    /// The environment variable that holds the Graph access token.
    #[arg(
        long,
        value_name = "VAR",
        requires = "resolve_groups",
        conflicts_with = "graph_token_file"
    )]
    graph_token_env: Option<String>,
    /// A file holding the Graph access token (`-`: standard input, only when
    /// the inspected token is not read from it).
    #[arg(long, value_name = "FILE", requires = "resolve_groups")]
    graph_token_file: Option<String>,
    /// How to ask Graph: `transitive-member-of` (names, paged by 999) or
    /// `get-member-objects` (IDs only, one call).
    #[arg(long, value_name = "METHOD", default_value = "transitive-member-of", value_parser = ["transitive-member-of", "get-member-objects"])]
    groups_method: String,
    /// Microsoft Graph's root (default: the Graph of --cloud). The Graph token
    /// is sent only there, never to a host named inside the inspected token.
    #[arg(long, value_name = "URL", requires = "resolve_groups")]
    graph_url: Option<String>,
    /// The cloud whose Microsoft Graph to ask: global (default), us-gov or china.
    #[arg(long, value_name = "CLOUD", requires = "resolve_groups", conflicts_with = "graph_url", value_parser = crate::diagnose::parse_cloud)]
    cloud: Option<entrance_core::login::Cloud>,
    /// Say what this target product will do with the token (keep, grafana,
    /// authentik, camunda, openmetadata, generic-oidc).
    #[arg(long, value_name = "NAME")]
    target: Option<String>,
    /// The target's inputs as JSON (TargetInputs: base_url, tenant,
    /// client_id, settings), e.g. Grafana's allowed_groups.
    #[arg(long, value_name = "FILE", requires = "target")]
    target_config: Option<std::path::PathBuf>,
}

pub fn run(args: &Args, json: bool) -> Result<ExitCode, Error> {
    let target = crate::setup::inspect_target(
        args.target.as_deref(),
        args.target_config.as_ref(),
        args.client_id.as_deref(),
        args.tenant.as_deref(),
    )?;
    let text = read_input(args.token.as_deref())?;
    let options = InspectOptions {
        client_id: args
            .client_id
            .clone()
            .or_else(|| target.as_ref().and_then(|(_, i)| i.client_id.clone())),
        tenant: args.tenant.clone(),
        skew_seconds: args.skew,
        needs: target.as_ref().map(|(t, i)| t.needs(i)).unwrap_or_default(),
        ..InspectOptions::default()
    };
    let verify = args.verify || args.jwks.is_some();
    let verify_options = VerifyOptions {
        jwks: args.jwks.as_deref().map(JwksSource::parse).transpose()?,
        ..VerifyOptions::default()
    };
    let now = now();
    let inspection = if verify {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::Internal(format!("cannot start the async runtime: {e}")))?;
        runtime.block_on(inspect::inspect_and_verify(
            &text,
            &options,
            &verify_options,
            now,
        ))?
    } else {
        inspect::inspect_text(&text, &options, now)?
    };
    let resolved = if args.resolve_groups && inspection.readable() {
        Some(resolve(
            args,
            &inspection,
            args.token.is_none() || args.token.as_deref() == Some("-"),
        ))
    } else {
        None
    };
    let verdicts: Vec<entrance_core::targets::Verdict> = target
        .iter()
        .map(|(t, i)| entrance_core::targets::verdict(*t, &inspection, i))
        .collect();
    if json {
        let mut body = to_json(&inspection);
        if let Value::Object(map) = &mut body {
            map.insert("verdicts".into(), json!(verdicts));
        }
        if let (Value::Object(map), Some(r)) = (&mut body, &resolved) {
            map.insert(
                "groups_resolved".into(),
                match r {
                    Ok(g) => json!(g),
                    Err(e) => json!({"error": e.to_ipc()}),
                },
            );
        }
        println!("{body}");
    } else {
        print!("{}", render(&inspection, verify));
        print!("{}", crate::setup::render_verdicts(&verdicts));
        if let Some(r) = &resolved {
            print!("{}", render_groups(r));
        }
    }
    if matches!(resolved, Some(Err(_))) && inspection.readable() {
        return Ok(ExitCode::from(3));
    }
    Ok(if !inspection.readable() {
        ExitCode::from(2)
    } else if verify && inspection.verified() != Some(true) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Lists the primary token user's groups through Microsoft Graph.
fn resolve(
    args: &Args,
    inspection: &Inspection,
    stdin_taken: bool,
) -> Result<GroupResolution, Error> {
    let token = graph_token(args, stdin_taken)?;
    let report = inspection.tokens.get(primary(inspection));
    let claims = report.and_then(|t| t.claims.as_ref());
    // The admin's choice only: the token's own overage marker could name any host.
    let graph_base = match &args.graph_url {
        Some(u) => u.clone(),
        None => groups::graph_base_for_cloud(args.cloud.unwrap_or_default()).to_string(),
    };
    // The token's user, as the product asks (`/users/{oid}`); else `/me`.
    let subject = match claims.and_then(|c| c.get("oid")).and_then(Value::as_str) {
        Some(oid) => GroupSubject::User { oid: oid.into() },
        None => GroupSubject::Me,
    };
    let query = GroupQuery {
        graph_base,
        method: if args.groups_method == "get-member-objects" {
            GroupMethod::GetMemberObjects
        } else {
            GroupMethod::TransitiveMemberOf
        },
        subject,
        page_size: None,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Internal(format!("cannot start the async runtime: {e}")))?;
    Ok(runtime.block_on(groups::resolve_groups(&query, &token))?)
}

/// The Graph token: from the named environment variable or a file — never argv.
fn graph_token(args: &Args, stdin_taken: bool) -> Result<SecretString, Error> {
    const FIX: &str = "Put a delegated Microsoft Graph access token (User.Read + GroupMember.Read.All) in an environment variable and pass its name with --graph-token-env VAR, or in a file with --graph-token-file FILE.";
    crate::graph_token::read(&crate::graph_token::Source {
        env: args.graph_token_env.as_deref(),
        file: args.graph_token_file.as_deref(),
        stdin_taken,
        fix: FIX,
    })?
    .ok_or_else(|| Error::InvalidInput {
        field: "Graph token".into(),
        reason: "--resolve-groups needs --graph-token-env or --graph-token-file".into(),
        fix: Some(FIX.into()),
    })
}

fn render_groups(r: &Result<GroupResolution, Error>) -> String {
    let mut out = String::from("\nGroups through Microsoft Graph\n");
    match r {
        Ok(g) => {
            out.push_str(&format!(
                "  {} groups ({} request{}, {})\n",
                g.count,
                g.pages,
                if g.pages == 1 { "" } else { "s" },
                match g.method {
                    GroupMethod::GetMemberObjects => "getMemberObjects",
                    GroupMethod::TransitiveMemberOf => "transitiveMemberOf",
                }
            ));
            if let Some(note) = &g.note {
                out.push_str(&format!("  note: {note}\n"));
            }
            for (i, id) in g.ids.iter().enumerate() {
                match g.names.get(i).and_then(Option::as_deref) {
                    Some(name) => out.push_str(&format!("  {id}  {name}\n")),
                    None => out.push_str(&format!("  {id}\n")),
                }
            }
        }
        Err(e) => {
            out.push_str(&format!("  failed: {e}\n"));
            if let Some(fix) = e.fix() {
                out.push_str(&format!("  fix: {fix}\n"));
            }
        }
    }
    out
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

pub(crate) fn read_input(arg: Option<&str>) -> Result<String, Error> {
    match arg {
        Some(text) if text != "-" => {
            eprintln!(
                "Warning: a token on the command line can be read by other users of this machine (in the process list) and stays in your shell's history. Pipe it in instead: entrance inspect < token.txt"
            );
            Ok(text.to_string())
        }
        _ => {
            if crate::term::stdin_interactive() {
                eprintln!("Paste the text, then press Ctrl-D (Ctrl-Z then Enter on Windows):");
            }
            crate::input::stdin_text("standard input", crate::input::MAX_TOKEN_INPUT)
        }
    }
}

/// The token the admin most likely cares about: the first decoded JWT, else
/// the first item.
fn primary(inspection: &Inspection) -> usize {
    inspection
        .tokens
        .iter()
        .position(|t| t.claims.is_some())
        .or_else(|| inspection.tokens.iter().position(|t| t.saml.is_some()))
        .unwrap_or(0)
}

/// One JSON object: the primary token's report at the top level, the other
/// items under `others`. `verdicts` is filled by `--target` (the target profiles).
fn to_json(inspection: &Inspection) -> Value {
    let main = primary(inspection);
    let mut body = inspection
        .tokens
        .get(main)
        .and_then(|t| serde_json::to_value(t).ok())
        .unwrap_or_else(|| json!({}));
    if let Value::Object(map) = &mut body {
        map.insert("wrapper".into(), json!(inspection.wrapper));
        map.insert("verified".into(), json!(inspection.verified()));
        map.insert("verdicts".into(), json!([]));
        let others: Vec<&TokenReport> = inspection
            .tokens
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != main)
            .map(|(_, t)| t)
            .collect();
        map.insert("others".into(), json!(others));
    }
    body
}

fn kind_name(kind: TokenKind) -> &'static str {
    match kind {
        TokenKind::IdToken => "ID token",
        TokenKind::AccessToken => "Access token",
        TokenKind::Jwt => "JWT",
        TokenKind::Jwe => "Encrypted JWT (JWE)",
        TokenKind::Saml => "SAML",
        TokenKind::AuthorizationCode => "Authorization code",
        TokenKind::ErrorResponse => "Entra error response",
        TokenKind::NotAToken => "Not a token",
        _ => "Item",
    }
}

fn render(inspection: &Inspection, verify: bool) -> String {
    let mut out = String::new();
    for (i, t) in inspection.tokens.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        render_token(&mut out, t, verify);
    }
    out
}

fn render_token(out: &mut String, t: &TokenReport, verify: bool) {
    let version = match t.version {
        Some(TokenVersion::V1) => " v1.0",
        Some(TokenVersion::V2) => " v2.0",
        None => "",
    };
    let app_only = if t.app_only { ", app-only" } else { "" };
    out.push_str(&format!(
        "{}{version}{app_only} — {}\n",
        kind_name(t.kind),
        t.source.label()
    ));
    if !t.kind_evidence.is_empty() {
        out.push_str(&format!("  because   {}\n", t.kind_evidence.join("; ")));
    }
    if let Some(issuer) = &t.issuer {
        out.push_str(&format!(
            "  issuer    {} ({})\n",
            issuer.url,
            issuer.cloud.label()
        ));
        if let Some(note) = &issuer.cloud_note {
            out.push_str(&format!("            note: {note}\n"));
        }
    }
    if let Some(tid) = &t.tenant_id {
        out.push_str(&format!("  tenant    {tid}\n"));
    }
    if t.claims.is_some() {
        out.push_str(&format!(
            "  signature {}\n",
            signature_line(&t.signature, verify)
        ));
    }
    if let Some(header) = &t.header {
        out.push_str("\nHeader\n");
        for (k, v) in header {
            out.push_str(&format!("  {k:<10} {}\n", short(v, 70)));
        }
    }
    if !t.explanations.is_empty() {
        out.push_str("\nClaims\n");
        for e in &t.explanations {
            render_claim(out, e, t);
        }
    }
    if let Some(saml) = &t.saml {
        out.push_str("\nSAML\n");
        for (label, value) in [
            ("issuer", &saml.issuer),
            ("subject", &saml.subject),
            ("not after", &saml.not_on_or_after),
        ] {
            if let Some(v) = value {
                out.push_str(&format!("  {label:<10} {v}\n"));
            }
        }
        for a in &saml.audiences {
            out.push_str(&format!("  {:<10} {a}\n", "audience"));
        }
        for a in &saml.attributes {
            let claim = a
                .jwt_claim
                .as_deref()
                .map(|c| format!(" (= {c})"))
                .unwrap_or_default();
            out.push_str(&format!(
                "  {}{claim}\n      {}\n",
                a.name,
                a.values.join(", ")
            ));
        }
    }
    if let Some(error) = &t.error {
        out.push_str("\nError\n");
        for (label, value) in [
            ("error", &error.error),
            ("trace ID", &error.trace_id),
            ("corr. ID", &error.correlation_id),
            ("timestamp", &error.timestamp),
        ] {
            if let Some(v) = value {
                out.push_str(&format!("  {label:<10} {v}\n"));
            }
        }
        for code in &t.aadsts {
            out.push_str(&format!("  AADSTS{}  {}\n", code.code, code.lookup_url));
        }
    }
    out.push_str("\nFindings\n");
    if t.findings.is_empty() {
        out.push_str("  none\n");
    }
    for f in &t.findings {
        out.push_str(&format!(
            "  {:<8} {}  {}\n",
            f.severity.as_str(),
            f.code,
            f.message
        ));
        if let Some(fix) = &f.fix {
            out.push_str(&format!("  {:<8} fix: {fix}\n", ""));
        }
    }
}

fn render_claim(out: &mut String, e: &ClaimExplanation, t: &TokenReport) {
    let value = t
        .claims
        .as_ref()
        .and_then(|c| c.get(&e.claim))
        .map(|v| short(v, 60))
        .unwrap_or_default();
    let mut line = value;
    if let Some(time) = &e.time {
        line.push_str(&format!(" → {} ({})", time.utc, time.relative));
    }
    if !e.labels.is_empty() {
        let labels: Vec<String> = e
            .labels
            .iter()
            .map(|l| {
                if l.confirmed {
                    l.label.clone()
                } else {
                    format!("{} (unconfirmed)", l.label)
                }
            })
            .collect();
        line.push_str(&format!(" → {}", labels.join(", ")));
    }
    out.push_str(&format!("  {:<20} {line}\n", e.claim));
    out.push_str(&format!("  {:<20} {}\n", "", first_sentence(&e.meaning)));
}

fn first_sentence(s: &str) -> &str {
    match s.find(". ") {
        Some(i) => &s[..=i],
        None => s,
    }
}

/// A JSON value on one line, cut to `max` characters.
fn short(v: &Value, max: usize) -> String {
    let s = match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if s.chars().count() > max {
        let cut: String = s.chars().take(max.saturating_sub(1)).collect();
        format!("{cut}…")
    } else {
        s
    }
}

fn signature_line(s: &SignatureCheck, verify: bool) -> String {
    match s {
        SignatureCheck::NotChecked if verify => "not checked".into(),
        SignatureCheck::NotChecked => "not checked (add --verify)".into(),
        SignatureCheck::Valid { kid, keys_from, .. } => format!(
            "valid (key {} from {keys_from})",
            kid.as_deref().unwrap_or("-")
        ),
        SignatureCheck::Invalid { .. } => "INVALID".into(),
        SignatureCheck::KidUnknown { kid, .. } => {
            format!("key {} not found", kid.as_deref().unwrap_or("(no kid)"))
        }
        SignatureCheck::Unverifiable { .. } => "cannot be verified".into(),
        _ => "unknown".into(),
    }
}
