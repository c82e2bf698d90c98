//! `entrance registration audit | fix | create`: the app registration in the
//! tenant, read through Microsoft Graph with an admin's token, compared with
//! the product, repaired or created. `fix` and `create` print their plan —
//! the exact Graph requests and the registration's before → after — and
//! change nothing without `--yes`.

use std::process::ExitCode;

use clap::{Args as ClapArgs, Subcommand};
use entrance_core::app::registration::{self as app, AuditReport, RegistrationRequest};
use entrance_core::registration::apply::ApplyOutcome;
use entrance_core::registration::{GraphToken, Plan, RegistrationFinding};
use entrance_core::secrets::ExposeSecret;
use entrance_core::secrets::Secrets;
use entrance_core::targets::Cloud;
use entrance_core::Error;
use serde_json::{json, Value};

use crate::setup::{targets_help, TargetArgs};

#[derive(Debug, ClapArgs)]
pub struct Args {
    #[command(subcommand)]
    action: Action,
}

#[derive(Debug, Subcommand)]
enum Action {
    /// Read the registration and say everything the product needs that it lacks.
    #[command(after_help = after_help())]
    Audit(Common),
    /// Plan the repair of what the audit found; apply it with --yes.
    #[command(after_help = after_help())]
    Fix(FixArgs),
    /// Plan a new registration for the product; create it with --yes.
    #[command(after_help = after_help())]
    Create(CreateArgs),
    /// The tenant's sign-in logs for the app: failures first, each AADSTS code
    /// explained (needs AuditLog.Read.All and Entra ID P1/P2).
    #[command(after_help = after_help())]
    Signins(SigninsArgs),
    /// Predict a user's ID token claims and the product's verdict, from Graph only.
    #[command(after_help = after_help())]
    Preview(PreviewArgs),
}

fn after_help() -> String {
    format!(
        "The Graph token comes from --graph-token-env VAR, --graph-token-file FILE (- for standard input) \
or --az (the Azure CLI's session), never from the command line. Reading needs Application.Read.All; \
repairing and creating need Application.ReadWrite.All, AppRoleAssignment.ReadWrite.All and \
DelegatedPermissionGrant.ReadWrite.All.\n\n\
Exit status: 0 clean, 1 findings (or a step failed), 2 unusable input.\n\n{}",
        targets_help()
    )
}

#[derive(Debug, ClapArgs)]
struct Common {
    #[command(flatten)]
    target: TargetArgs,
    /// The authority the product signs in at (instead of --tenant/--cloud);
    /// Graph's root comes from its discovery document.
    #[arg(long, value_name = "URL", conflicts_with = "tenant")]
    authority: Option<String>,
    /// Microsoft Graph's root (default: the authority's `msgraph_host`).
    #[arg(long = "graph-url", value_name = "URL")]
    graph_url: Option<String>,
    /// The environment variable holding the admin's Microsoft Graph token.
    #[arg(long = "graph-token-env", value_name = "VAR", conflicts_with_all = ["graph_token_file", "az"])]
    graph_token_env: Option<String>,
    /// A file holding the Microsoft Graph token (`-`: standard input).
    #[arg(long = "graph-token-file", value_name = "FILE", conflicts_with = "az")]
    graph_token_file: Option<String>,
    /// Use the Azure CLI's session: `az account get-access-token --resource-type ms-graph`.
    #[arg(long, conflicts_with = "graph_sign_in")]
    az: bool,
    /// Sign the admin in (system browser) with this Application (client) ID to get
    /// the Graph token; the app needs the Graph permissions as delegated ones.
    #[arg(long = "graph-sign-in", value_name = "CLIENT_ID", conflicts_with_all = ["graph_token_env", "graph_token_file"])]
    graph_sign_in: Option<String>,
    /// With --graph-sign-in: a device code instead of a browser on this machine.
    #[arg(long = "device-code", requires = "graph_sign_in")]
    device_code: bool,
    /// The tenant segment the product's own configuration signs in at
    /// (`common`, `organizations`…), when it is not the tenant.
    #[arg(long = "product-tenant", value_name = "SEGMENT")]
    product_tenant: Option<String>,
    /// A user or group object ID to assign when assignment is required (and on create).
    #[arg(long = "assign", value_name = "OBJECT_ID")]
    assign: Option<String>,
}

#[derive(Debug, ClapArgs)]
struct FixArgs {
    #[command(flatten)]
    common: Common,
    /// Apply the plan.
    #[arg(long)]
    yes: bool,
}

#[derive(Debug, ClapArgs)]
struct PreviewArgs {
    #[command(flatten)]
    common: Common,
    /// The user: UPN or object ID.
    #[arg(long, value_name = "UPN|OID")]
    user: String,
    /// The OpenID scopes the product asks for.
    #[arg(long, value_name = "SCOPES", default_value = app::PREVIEW_SCOPES)]
    scopes: String,
}

#[derive(Debug, ClapArgs)]
struct SigninsArgs {
    #[command(flatten)]
    common: Common,
    /// How many hours back to read.
    #[arg(long, value_name = "HOURS", default_value_t = 24, value_parser = clap::value_parser!(u32).range(1..=720))]
    since: u32,
}

#[derive(Debug, ClapArgs)]
struct CreateArgs {
    #[command(flatten)]
    common: Common,
    /// The registration's display name (default: the product's).
    #[arg(long, value_name = "NAME")]
    name: Option<String>,
    /// Create it.
    #[arg(long)]
    yes: bool,
    /// Print the new client secret's Value once (it is in the keychain anyway).
    #[arg(long = "show-secret")]
    show_secret: bool,
    /// Save the new IDs and the secret's keychain name in this setup profile
    /// (the desktop app's Setup reopens it; created when missing).
    #[arg(long, value_name = "NAME")]
    profile: Option<String>,
}

fn request(c: &Common) -> Result<(RegistrationRequest, Option<Secrets>), Error> {
    let (_, inputs, _) = c.target.resolve()?;
    let authority = match &c.authority {
        Some(a) => a.clone(),
        None => {
            let tenant = inputs.tenant.clone().ok_or_else(|| Error::InvalidInput {
                field: "--authority".into(),
                reason: "neither --authority nor --tenant was given".into(),
                fix: Some(
                    "Give --tenant <tenant ID or domain> (and --cloud), or --authority URL.".into(),
                ),
            })?;
            let cloud: Cloud = inputs.cloud;
            format!("https://{}/{}/v2.0", cloud.authority_host(), tenant.trim())
        }
    };
    let secrets = match &inputs.secret_name {
        Some(_) => Some(Secrets::open_default()?),
        None => None,
    };
    Ok((
        RegistrationRequest {
            target: c.target.target.clone(),
            secret_name: inputs.secret_name.clone(),
            inputs,
            authority,
            graph_url: c.graph_url.clone(),
            assignee: c.assign.clone(),
            product_tenant: c.product_tenant.clone(),
            display_name: None,
            reveal_secret: false,
            profile: None,
        },
        secrets,
    ))
}

fn token(
    c: &Common,
    req: &RegistrationRequest,
    write: bool,
    runtime: &tokio::runtime::Runtime,
) -> Result<GraphToken, Error> {
    if c.az {
        return runtime.block_on(GraphToken::from_azure_cli());
    }
    if let Some(client_id) = &c.graph_sign_in {
        use entrance_core::login::{
            self, Authority, ClientCredential, DeviceCodeRequest, InteractiveRequest,
        };
        let authority = Authority::parse(&req.authority)?;
        let scopes = entrance_core::registration::token::sign_in_scopes(write);
        let cancel = crate::login::cancel_on_ctrl_c(runtime);
        let outcome = if c.device_code {
            let mut r = DeviceCodeRequest::new(authority, client_id, ClientCredential::Public);
            r.scopes = scopes;
            runtime.block_on(login::device_code(r, crate::login::print_progress, cancel))
        } else {
            let mut r = InteractiveRequest::new(authority, client_id, ClientCredential::Public);
            r.scopes = scopes;
            runtime.block_on(login::interactive(r, crate::login::print_progress, cancel))
        }
        .map_err(|e| Error::Login(Box::new(e)))?;
        return GraphToken::new(outcome.tokens.access_token);
    }
    let fix = "Give the admin's Microsoft Graph token with --graph-token-env VAR, --graph-token-file FILE, --az, or --graph-sign-in CLIENT_ID.";
    let secret = crate::graph_token::read(&crate::graph_token::Source {
        env: c.graph_token_env.as_deref(),
        file: c.graph_token_file.as_deref(),
        stdin_taken: false,
        fix,
    })?
    .ok_or_else(|| Error::InvalidInput {
        field: "Graph token".into(),
        reason: "no Graph token was given".into(),
        fix: Some(fix.into()),
    })?;
    GraphToken::new(secret)
}

pub fn run(args: &Args, json: bool) -> Result<ExitCode, Error> {
    let runtime = crate::login::runtime()?;
    match &args.action {
        Action::Audit(c) => {
            let (req, secrets) = request(c)?;
            let report = runtime.block_on(app::audit(
                &req,
                token(c, &req, false, &runtime)?,
                secrets.as_ref(),
            ))?;
            if json {
                println!("{}", audit_json(&report));
            } else {
                print_audit(&report);
                if !report.plan.is_empty() {
                    println!("\n`entrance registration fix` with the same arguments shows this plan again; --yes applies it.");
                }
            }
            Ok(status(report.findings.is_empty()))
        }
        Action::Fix(f) => {
            let (req, secrets) = request(&f.common)?;
            let report = runtime.block_on(app::fix(
                &req,
                token(&f.common, &req, f.yes, &runtime)?,
                secrets.as_ref(),
                f.yes,
            ))?;
            let clean = match (&report.applied, &report.after) {
                (Some(a), Some(after)) => a.failed.is_none() && after.is_empty(),
                _ => report.before.findings.is_empty(),
            };
            if json {
                let mut v = audit_json(&report.before);
                add_outcome(&mut v, report.applied.as_ref());
                v["after"] = json!(report.after.as_ref().map(|f| findings_json(f)));
                println!("{v}");
            } else {
                print_audit(&report.before);
                match (&report.applied, &report.after) {
                    (Some(a), after) => {
                        print_outcome(a);
                        if let Some(after) = after {
                            print_after(after);
                        }
                    }
                    (None, _) if report.before.plan.is_empty() => println!("\nNothing to change."),
                    (None, _) => println!(
                        "\nNothing was changed: add --yes to send these {} request(s).",
                        report.before.plan.steps.len()
                    ),
                }
            }
            Ok(status(clean))
        }
        Action::Preview(p) => {
            let (req, _) = request(&p.common)?;
            let report = runtime.block_on(app::preview(
                &req,
                token(&p.common, &req, false, &runtime)?,
                &p.user,
                Some(&p.scopes),
            ))?;
            let works = report.assigned
                && report
                    .verdict
                    .as_ref()
                    .is_some_and(|v| v.outcome == entrance_core::targets::Outcome::Works);
            if json {
                println!(
                    "{}",
                    json!({
                        "claims": report.claims,
                        "access_token": report.access_token,
                        "verdict": report.verdict,
                        "assigned": report.assigned,
                        "refusal": report.refusal,
                    })
                );
            } else {
                print_preview(&report);
            }
            Ok(status(works))
        }
        Action::Signins(s) => {
            let (req, _) = request(&s.common)?;
            let report = runtime.block_on(app::signins(
                &req,
                token(&s.common, &req, false, &runtime)?,
                s.since,
            ))?;
            let failures = report.sign_ins.iter().filter(|x| !x.succeeded()).count();
            if json {
                println!(
                    "{}",
                    json!({
                        "app_id": report.app_id,
                        "since": report.since,
                        "graph_root": report.graph_root,
                        "failures": failures,
                        "sign_ins": report.sign_ins,
                    })
                );
            } else {
                print_signins(&report);
            }
            Ok(status(failures == 0))
        }
        Action::Create(c) => {
            let (mut req, secrets) = request(&c.common)?;
            req.display_name = c.name.clone();
            req.reveal_secret = c.show_secret;
            req.profile = c.profile.clone();
            let profiles = match &c.profile {
                Some(_) => Some(entrance_core::profiles::ProfileStore::open_default()?),
                None => None,
            };
            let report = runtime.block_on(app::create(
                &req,
                token(&c.common, &req, c.yes, &runtime)?,
                secrets.as_ref(),
                profiles.as_ref(),
                c.yes,
            ))?;
            let clean = match &report.applied {
                Some(a) => {
                    a.failed.is_none() && report.after.as_ref().is_some_and(|f| f.is_empty())
                }
                None => true,
            };
            if json {
                let mut v = json!({
                    "connection": report.connection,
                    "graph_root": report.graph_root,
                    "existing_app_id": report.existing_app_id,
                    "app_id": report.app_id,
                    "configuration": report.configuration,
                    "profile_saved": report.profile_saved,
                    "after": report.after.as_ref().map(|f| findings_json(f)),
                });
                plan_json(&mut v, &report.plan);
                add_outcome(&mut v, report.applied.as_ref());
                println!("{v}");
            } else {
                print_connection(&report.connection, &report.graph_root);
                if let Some(id) = &report.existing_app_id {
                    println!("A registration with this name exists ({id}): repairing it instead.");
                }
                print_plan(&report.plan);
                match &report.applied {
                    Some(a) => {
                        print_outcome(a);
                        if let Some(id) = &report.app_id {
                            println!("\nApplication (client) ID: {id}");
                        }
                        if let Some(after) = &report.after {
                            print_after(after);
                        }
                        if let Some(s) = &a.secret {
                            println!(
                                "Client secret Value (shown once, as asked): {}",
                                s.expose_secret()
                            );
                        }
                        if let Some(p) = &report.profile_saved {
                            println!("Saved in the setup profile {p:?}.");
                        }
                        if let Some(cfg) = &report.configuration {
                            println!("\n{} configuration:\n{}", req.target, cfg.render(None));
                        }
                    }
                    None if report.plan.is_empty() => println!("\nNothing to change."),
                    None => println!(
                        "\nNothing was created: add --yes to send these {} request(s).",
                        report.plan.steps.len()
                    ),
                }
            }
            Ok(status(clean))
        }
    }
}

fn status(clean: bool) -> ExitCode {
    if clean {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn findings_json(f: &[RegistrationFinding]) -> Value {
    json!(f)
}

fn plan_json(v: &mut Value, plan: &Plan) {
    v["plan"] = json!(plan.steps);
    v["changes"] = json!(plan.changes);
    v["diff"] = json!(plan.diff_lines());
    v["plan_notes"] = json!(plan.notes);
}

fn audit_json(r: &AuditReport) -> Value {
    let mut v = json!({
        "connection": r.connection,
        "graph_root": r.graph_root,
        "app_id": r.app_id,
        "findings": findings_json(&r.findings),
        "notes": r.notes,
    });
    plan_json(&mut v, &r.plan);
    v
}

fn add_outcome(v: &mut Value, a: Option<&ApplyOutcome>) {
    v["applied"] = json!(a.map(|a| json!(a.applied)).unwrap_or_else(|| json!([])));
    v["failed"] = json!(a.and_then(|a| a.failed.as_ref()));
    v["not_applied"] = json!(a.map(|a| a.not_applied.clone()).unwrap_or_default());
    v["secret_stored"] = json!(a.and_then(|a| a.secret_stored.as_ref()));
}

fn print_connection(c: &entrance_core::registration::Connection, root: &str) {
    println!(
        "Connected as {} ({}) to tenant {} through {root}",
        c.who,
        c.kind.as_str(),
        c.tenant_id
    );
    println!(
        "  permissions: {}",
        if c.permissions.is_empty() {
            "none".to_string()
        } else {
            c.permissions.join(", ")
        }
    );
}

fn print_finding(f: &RegistrationFinding) {
    println!(
        "{:<8} {}  {}",
        f.severity.as_str(),
        f.code.as_str(),
        f.message
    );
    if let Some(fix) = &f.fix {
        println!("         fix: {fix}");
    }
    println!("         portal: {} — {}", f.portal.location, f.portal.url);
    for r in &f.requests {
        println!("         graph: {} {}", r.method, r.url);
    }
}

fn print_plan(plan: &Plan) {
    if plan.is_empty() && plan.notes.is_empty() {
        return;
    }
    println!("\nPlan:");
    let diff = plan.diff_lines();
    if !diff.is_empty() {
        println!("  The registration, before → after:");
        for l in diff {
            println!("    {l}");
        }
    }
    for (i, s) in plan.steps.iter().enumerate() {
        println!("  {}. {} — {} {}", i + 1, s.summary, s.method, s.url);
        if let Some(b) = &s.body {
            println!("     {b}");
        }
    }
    for n in &plan.notes {
        println!("  note: {n}");
    }
}

fn print_audit(r: &AuditReport) {
    print_connection(&r.connection, &r.graph_root);
    println!(
        "\nApp registration {}: {}",
        r.app_id,
        if r.findings.is_empty() {
            "everything the product needs is in place".to_string()
        } else {
            format!("{} finding(s)", r.findings.len())
        }
    );
    for f in &r.findings {
        print_finding(f);
    }
    for n in &r.notes {
        println!("note: {n}");
    }
    print_plan(&r.plan);
}

fn print_outcome(a: &ApplyOutcome) {
    println!("\nApplied:");
    for s in &a.applied {
        println!("  ✓ {} ({} {} → {})", s.summary, s.method, s.url, s.status);
    }
    if let Some(f) = &a.failed {
        println!(
            "  ✗ {} ({} {} → {}): {}",
            f.summary, f.method, f.url, f.status, f.error
        );
        if let Some(fix) = &f.fix {
            println!("    fix: {fix}");
        }
    }
    for s in &a.not_applied {
        println!("  – not applied: {s}");
    }
    if let Some(n) = &a.secret_stored {
        println!("  The new client secret's Value is in the keychain as {n}.");
    }
}

fn print_after(after: &[RegistrationFinding]) {
    if after.is_empty() {
        println!("\nRead again from Graph: the registration now has everything the product needs.");
    } else {
        println!(
            "\nRead again from Graph: {} finding(s) remain:",
            after.len()
        );
        for f in after {
            print_finding(f);
        }
    }
}

fn print_signins(r: &app::SignInsReport) {
    println!(
        "Sign-ins of {} since {} (the tenant's sign-in logs, {}):",
        r.app_id, r.since, r.graph_root
    );
    if r.sign_ins.is_empty() {
        println!("  none recorded.");
        return;
    }
    for s in &r.sign_ins {
        let corr = s.correlation_id.as_deref().unwrap_or("-");
        if s.succeeded() {
            println!("  ok      {}  {}  correlation {corr}", s.time, s.user);
            continue;
        }
        println!(
            "  FAILED  {}  {}  AADSTS{}  correlation {corr}",
            s.time, s.user, s.error_code
        );
        if let Some(e) = &s.explanation {
            println!("          {}", e.title);
            if let Some(c) = &e.cause {
                println!("          Cause: {c}");
            }
            println!("          Fix: {}", e.fix);
        } else if let Some(f) = &s.failure_reason {
            println!("          {f}");
        }
    }
}

fn print_preview(r: &app::PreviewReport) {
    println!(
        "What {} gets from {} (predicted from Microsoft Graph; scopes: {}):",
        r.user, r.app_id, r.scopes
    );
    match &r.refusal {
        Some(why) => println!("  NOT LET IN: {why}"),
        None => println!("  let in: yes"),
    }
    print_claims("ID token", &r.claims);
    if let Some(at) = &r.access_token {
        print_claims("Access token for the product's own API", at);
    }
    if let Some(v) = &r.verdict {
        println!("\nThe product's verdict: {:?}", v.outcome);
        for c in &v.checks {
            println!("  {:?}  {}  {}", c.status, c.code, c.message);
        }
    }
}

fn print_claims(title: &str, claims: &Value) {
    println!("\n{title}:");
    if let Some(claims) = claims.as_object() {
        for (k, v) in claims {
            let shown = match v {
                Value::Array(a) if a.len() > 8 => format!("[{} values]", a.len()),
                Value::Array(a) => a
                    .iter()
                    .map(|x| {
                        x.as_str()
                            .map(str::to_string)
                            .unwrap_or_else(|| x.to_string())
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            println!("  {k:<20} {shown}");
        }
    }
}
