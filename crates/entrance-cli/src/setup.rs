//! `entrance setup`: the app registration steps for a target product, in the
//! portal's words, with a deep link and the `az` / Graph equivalent.
//!
//! The target arguments ([`TargetArgs`]) are shared with `entrance config`
//! and `entrance inspect --target`.

use std::path::PathBuf;

use clap::Args as ClapArgs;
use entrance_core::targets::{
    self, check_inputs, Audience, ClientType, Cloud, FieldMessage, MessageLevel, Target,
    TargetInputs,
};
use entrance_core::Error;
use serde_json::json;

/// The targets, for `--help`.
pub fn targets_help() -> String {
    let mut s = String::from("Targets:\n");
    for t in targets::all() {
        let info = t.info();
        s.push_str(&format!(
            "  {:<14} {} — {}\n",
            info.name, info.display_name, info.summary
        ));
        for f in t.fields() {
            s.push_str(&format!("      --set {}=…  {}\n", f.key, f.label));
        }
    }
    s
}

/// What identifies the product and the registration.
#[derive(Debug, Clone, ClapArgs)]
pub struct TargetArgs {
    /// The target product (see the list below).
    #[arg(long, value_name = "NAME")]
    pub target: String,
    /// The product's public URL, e.g. https://grafana.example.com
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// Directory (tenant) ID or verified domain.
    #[arg(long, value_name = "TENANT")]
    pub tenant: Option<String>,
    /// Application (client) ID, once the app is registered (links then open its blades).
    #[arg(long, value_name = "ID")]
    pub client_id: Option<String>,
    /// global, usgov or china.
    #[arg(long, value_name = "CLOUD", default_value = "global")]
    pub cloud: String,
    /// Accounts in any organizational directory (default: single tenant).
    #[arg(long)]
    pub multi_tenant: bool,
    /// confidential or public (default: the product's).
    #[arg(long, value_name = "TYPE")]
    pub client_type: Option<String>,
    /// The keychain name of the client secret (for the placeholder).
    #[arg(long, value_name = "NAME")]
    pub secret_name: Option<String>,
    /// A product-specific input, e.g. --set allowed_groups=GUID (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub settings: Vec<String>,
    /// Read the inputs from a JSON file (TargetInputs); flags override it.
    #[arg(long, value_name = "FILE")]
    pub target_config: Option<PathBuf>,
}

fn invalid(field: &str, reason: String, fix: Option<String>) -> Error {
    Error::InvalidInput {
        field: field.into(),
        reason,
        fix,
    }
}

impl TargetArgs {
    /// The target and its inputs; input checks of level error stop here.
    pub fn resolve(&self) -> Result<(&'static dyn Target, TargetInputs, Vec<FieldMessage>), Error> {
        let target = targets::require(&self.target)?;
        let mut inputs = match &self.target_config {
            Some(path) => read_inputs(path)?,
            None => TargetInputs::default(),
        };
        if let Some(b) = &self.base_url {
            inputs.base_url = b.clone();
        }
        if inputs.base_url.trim().is_empty() {
            return Err(invalid(
                "--base-url",
                "is required".into(),
                Some(
                    "Give the product's public URL, e.g. --base-url https://grafana.example.com"
                        .into(),
                ),
            ));
        }
        if self.tenant.is_some() {
            inputs.tenant = self.tenant.clone();
        }
        if self.client_id.is_some() {
            inputs.client_id = self.client_id.clone();
        }
        if self.target_config.is_none() || self.cloud != "global" {
            inputs.cloud = Cloud::parse(&self.cloud).ok_or_else(|| {
                invalid(
                    "--cloud",
                    format!("`{}` is not a cloud", self.cloud),
                    Some("Use global, usgov or china.".into()),
                )
            })?;
        }
        if self.multi_tenant {
            inputs.audience = Audience::MultiTenant;
        }
        if let Some(c) = &self.client_type {
            inputs.client_type = Some(match c.to_ascii_lowercase().as_str() {
                "confidential" | "web" => ClientType::Confidential,
                "public" | "spa" => ClientType::Public,
                _ => {
                    return Err(invalid(
                        "--client-type",
                        format!("`{c}` is not a client type"),
                        Some("Use confidential or public.".into()),
                    ))
                }
            });
        }
        if self.secret_name.is_some() {
            inputs.secret_name = self.secret_name.clone();
        }
        for s in &self.settings {
            let (k, v) = s.split_once('=').ok_or_else(|| {
                invalid(
                    "--set",
                    format!("`{s}` is not KEY=VALUE"),
                    Some(format!("Keys for {}: {}", target.info().name, keys(target))),
                )
            })?;
            let k = k.trim();
            if !target.fields().iter().any(|f| f.key == k) {
                return Err(invalid(
                    "--set",
                    format!("`{k}` is not an input of {}", target.info().name),
                    Some(format!("Keys: {}", keys(target))),
                ));
            }
            inputs.settings.insert(k.to_string(), v.to_string());
        }
        let messages = check_inputs(target, &inputs);
        if let Some(m) = messages.iter().find(|m| m.level == MessageLevel::Error) {
            return Err(invalid(&m.field, m.message.clone(), m.fix.clone()));
        }
        Ok((target, inputs, messages))
    }
}

fn keys(target: &dyn Target) -> String {
    let k: Vec<&str> = target.fields().iter().map(|f| f.key).collect();
    if k.is_empty() {
        "(none)".into()
    } else {
        k.join(", ")
    }
}

/// Reads a `TargetInputs` JSON file.
pub fn read_inputs(path: &PathBuf) -> Result<TargetInputs, Error> {
    let text = entrance_core::paths::read_bounded(path, crate::input::MAX_FILE_INPUT)?;
    serde_json::from_str(&text).map_err(|e| invalid("--target-config", format!("{} is not target inputs JSON: {e}", path.display()),
        Some("Write {\"base_url\": \"https://…\", \"tenant\": \"…\", \"client_id\": \"…\", \"settings\": {\"key\": \"value\"}}".into())))
}

/// Prints warnings and notes about the inputs on standard error.
pub fn print_messages(messages: &[FieldMessage]) {
    for m in messages {
        let level = match m.level {
            MessageLevel::Error => "error",
            MessageLevel::Warning => "warning",
            MessageLevel::Info => "note",
        };
        eprintln!("{level}: {}: {}", m.field, m.message);
        if let Some(f) = &m.fix {
            eprintln!("  fix: {f}");
        }
    }
}

#[derive(Debug, ClapArgs)]
#[command(after_help = targets_help())]
pub struct Args {
    #[command(flatten)]
    pub target: TargetArgs,
}

pub fn run(args: &Args, json: bool) -> Result<(), Error> {
    let (target, inputs, messages) = args.target.resolve()?;
    let steps = targets::steps(target, &inputs);
    let req = target.requirements(&inputs);
    if json {
        println!(
            "{}",
            json!({
                "target": target.info(),
                "inputs": inputs,
                "checks": messages,
                "requirements": req,
                "steps": steps,
            })
        );
        return Ok(());
    }
    print_messages(&messages);
    let info = target.info();
    println!(
        "Set up Microsoft Entra ID sign-in for {} ({})",
        info.display_name, info.source
    );
    for (i, s) in steps.iter().enumerate() {
        println!("\n{}. {}", i + 1, s.title);
        println!("   {}", s.portal_path);
        for a in &s.actions {
            println!("   - {a}");
        }
        if let Some(l) = &s.link {
            println!("   link: {l}");
        }
        if !s.commands.is_empty() {
            println!("   az:");
            for c in &s.commands {
                for line in c.lines() {
                    println!("     {line}");
                }
            }
        }
        println!("   source: {}", s.source);
    }
    if !req.notes.is_empty() {
        println!("\nNotes:");
        for n in &req.notes {
            println!("  - {n}");
        }
    }
    println!(
        "\nNext: `entrance config --target {} …` prints the product's configuration.",
        info.name
    );
    Ok(())
}

/// `entrance inspect --target NAME [--target-config FILE]`: the target and
/// its inputs; `--client-id` / `--tenant` fill what the file leaves out.
pub fn inspect_target(
    name: Option<&str>,
    config: Option<&PathBuf>,
    client_id: Option<&str>,
    tenant: Option<&str>,
) -> Result<Option<(&'static dyn Target, TargetInputs)>, Error> {
    let Some(name) = name else {
        return Ok(None);
    };
    let target = targets::require(name)?;
    let mut inputs = match config {
        Some(path) => read_inputs(path)?,
        None => TargetInputs::default(),
    };
    if let Some(c) = client_id {
        inputs.client_id = Some(c.to_string());
    }
    if let Some(t) = tenant {
        inputs.tenant = Some(t.to_string());
    }
    Ok(Some((target, inputs)))
}

/// The verdict lines of `entrance inspect --target` (human output).
pub fn render_verdicts(verdicts: &[entrance_core::targets::Verdict]) -> String {
    use entrance_core::targets::CheckStatus;
    let mut out = String::new();
    for v in verdicts {
        out.push_str(&format!("\nVerdict ({}): {}\n", v.target, v.summary));
        for c in &v.checks {
            let mark = match c.status {
                CheckStatus::Pass => "ok  ",
                CheckStatus::Fail => "FAIL",
                CheckStatus::Warn => "warn",
                CheckStatus::Unknown => "?   ",
                CheckStatus::Info => "info",
            };
            out.push_str(&format!("  {mark} {} [{}]\n", c.message, c.source));
            if let Some(f) = &c.fix {
                out.push_str(&format!("       fix: {f}\n"));
            }
        }
    }
    out
}
