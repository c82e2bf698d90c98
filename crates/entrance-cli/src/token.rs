//! `entrance token`: tokens without a browser — client credentials for
//! machine-to-machine checks, and refresh token redemption.

use std::process::ExitCode;

use clap::{Args as ClapArgs, Subcommand};
use entrance_core::login::{
    self, Authority, ClientCredential, ClientCredentialsRequest, RefreshRequest,
};
use entrance_core::Error;

use crate::login::{cancel_on_ctrl_c, finish, print_progress, read_stdin, runtime, secret, Method};

#[derive(Debug, ClapArgs)]
pub struct Args {
    #[command(subcommand)]
    action: Action,
}

#[derive(Debug, Subcommand)]
enum Action {
    /// An app-only access token with the client's secret (client credentials),
    /// e.g. --scope api://{app ID}/.default.
    ClientCredentials {
        /// The authority: https://login.microsoftonline.com/{tenant}/v2.0 or an issuer URL.
        #[arg(long, value_name = "URL")]
        authority: String,
        /// The Application (client) ID.
        #[arg(long = "client-id", value_name = "ID")]
        client_id: String,
        /// The secret saved under NAME (`entrance secret set NAME`).
        #[arg(long = "secret-name", value_name = "NAME")]
        secret_name: String,
        /// How the secret is sent.
        #[arg(long = "secret-method", value_enum, default_value_t = Method::Post)]
        secret_method: Method,
        /// The scope: on Entra one `{resource}/.default`.
        #[arg(long = "scope", value_name = "SCOPE", required = true)]
        scopes: Vec<String>,
        /// Print the raw access token.
        #[arg(long = "show-tokens")]
        show_tokens: bool,
    },
    /// Redeem a refresh token read from standard input.
    Refresh {
        #[arg(long, value_name = "URL")]
        authority: String,
        #[arg(long = "client-id", value_name = "ID")]
        client_id: String,
        /// A confidential client's secret, saved under NAME; without it, a public client.
        #[arg(long = "secret-name", value_name = "NAME")]
        secret_name: Option<String>,
        #[arg(long = "secret-method", value_enum, default_value_t = Method::Post)]
        secret_method: Method,
        /// Narrow the scopes (default: those of the original sign-in).
        #[arg(long = "scope", value_name = "SCOPE")]
        scopes: Vec<String>,
        #[arg(long = "show-tokens")]
        show_tokens: bool,
    },
}

pub fn run(args: &Args, json: bool) -> Result<ExitCode, Error> {
    match &args.action {
        Action::ClientCredentials {
            authority,
            client_id,
            secret_name,
            secret_method,
            scopes,
            show_tokens,
        } => {
            let authority = Authority::parse(authority)?;
            let ClientCredential::Secret {
                secret,
                method,
                label,
            } = secret(secret_name, *secret_method)?
            else {
                return Err(Error::Internal(
                    "a saved secret is not a confidential credential".into(),
                ));
            };
            let req = ClientCredentialsRequest {
                authority,
                client_id: client_id.clone(),
                secret,
                method,
                secret_label: label,
                scopes: scopes.clone(),
                http: Default::default(),
            };
            let runtime = runtime()?;
            let cancel = cancel_on_ctrl_c(&runtime);
            let result = runtime.block_on(login::client_credentials(req, print_progress, cancel));
            Ok(finish(result, json, *show_tokens))
        }
        Action::Refresh {
            authority,
            client_id,
            secret_name,
            secret_method,
            scopes,
            show_tokens,
        } => {
            let authority = Authority::parse(authority)?;
            let credential = match secret_name {
                Some(name) => secret(name, *secret_method)?,
                None => ClientCredential::Public,
            };
            let refresh_token = read_stdin("refresh token")?;
            let req = RefreshRequest {
                authority,
                client_id: client_id.clone(),
                credential,
                refresh_token,
                scopes: scopes.clone(),
                http: Default::default(),
            };
            let runtime = runtime()?;
            let cancel = cancel_on_ctrl_c(&runtime);
            let result = runtime.block_on(login::refresh(req, print_progress, cancel));
            Ok(finish(result, json, *show_tokens))
        }
    }
}
