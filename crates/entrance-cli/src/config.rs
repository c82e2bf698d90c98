//! `entrance config`: a target product's configuration in its own format.
//! The client secret is a placeholder unless `--reveal` takes its Value from
//! the keychain for this one print (it is never written anywhere).

use clap::Args as ClapArgs;
use entrance_core::secrets::{SecretName, Secrets};
use entrance_core::targets::ConfigFormat;
use entrance_core::Error;
use serde_json::json;

use crate::setup::{print_messages, targets_help, TargetArgs};

#[derive(Debug, ClapArgs)]
#[command(after_help = targets_help())]
pub struct Args {
    #[command(flatten)]
    pub target: TargetArgs,
    /// env, ini, yaml or fields (default: each block in the product's own format).
    #[arg(long, value_name = "FORMAT")]
    pub format: Option<String>,
    /// Print the client secret's Value from the keychain (the --secret-name
    /// entry, else the target's name) instead of a placeholder.
    #[arg(long)]
    pub reveal: bool,
}

pub fn run(args: &Args, json: bool) -> Result<(), Error> {
    let (target, inputs, messages) = args.target.resolve()?;
    let format = match &args.format {
        Some(f) => Some(ConfigFormat::parse(f).ok_or_else(|| Error::InvalidInput {
            field: "--format".into(),
            reason: format!("`{f}` is not a format"),
            fix: Some("Use env, ini, yaml or fields.".into()),
        })?),
        None => None,
    };
    let secret = if args.reveal {
        let name = inputs
            .secret_name
            .clone()
            .unwrap_or_else(|| target.info().name.to_string());
        let secrets = Secrets::open_default()?;
        Some(secrets.get(&SecretName::parse(&name)?)?)
    } else {
        None
    };
    let config = target.configuration(&inputs, secret.as_ref());
    if json {
        println!(
            "{}",
            json!({
                "target": target.info(),
                "checks": messages,
                "configuration": config,
                "text": config.render(format),
            })
        );
    } else {
        print_messages(&messages);
        print!("{}", config.render(format));
    }
    Ok(())
}
