//! `entrance login`: sign in against a tenant in the system browser
//! (authorization code + PKCE) or with a device code.
//!
//! Progress goes to standard error — the sign-in URL always, so the flow also
//! works where no browser opens; the result goes to standard output: text, or
//! one JSON object with `--json`. Tokens are redacted (header and claims,
//! never the signature) unless `--show-tokens`.

use std::process::ExitCode;
use std::time::Duration;

use clap::{Args as ClapArgs, ValueEnum};
use entrance_core::claims;
use entrance_core::login::{
    self, Authority, Browser, CancellationToken, ClientAuth, ClientCredential, DecodedToken,
    DeviceCodeRequest, Flow, InteractiveRequest, LoginError, LoginFailure, LoginOutcome,
    LoginProgress, LoginSummary, RedirectSpec, SecretMethod,
};
use entrance_core::secrets::{ExposeSecret, SecretName, SecretString, Secrets};
use entrance_core::Error;
use serde_json::{json, Value};

#[derive(Debug, ClapArgs)]
pub struct Args {
    /// The authority: https://login.microsoftonline.com/{tenant}/v2.0 (login.microsoftonline.us
    /// or login.partner.microsoftonline.cn in the national clouds; without /v2.0 for v1), or
    /// another OpenID provider's issuer URL.
    #[arg(long, value_name = "URL")]
    authority: String,
    /// The Application (client) ID.
    #[arg(long = "client-id", value_name = "ID")]
    client_id: String,
    /// Sign in as a confidential (Web) client with the secret saved under NAME
    /// (`entrance secret set NAME`).
    #[arg(long = "secret-name", value_name = "NAME", conflicts_with = "public")]
    secret_name: Option<String>,
    /// Sign in as a public client (Mobile and desktop: no secret). The default.
    #[arg(long)]
    public: bool,
    /// How the secret is sent.
    #[arg(long = "secret-method", value_enum, default_value_t = Method::Post, requires = "secret_name")]
    secret_method: Method,
    /// A scope besides `openid` (repeat for more). Default: profile email
    /// (+ offline_access on Entra).
    #[arg(long = "scope", value_name = "SCOPE")]
    scopes: Vec<String>,
    /// Listen on this loopback port instead of one the system picks.
    #[arg(long, value_name = "PORT")]
    port: Option<u16>,
    /// The loopback redirect URI to use, e.g. http://localhost/entrance/callback
    /// (default: http://localhost for a public client, http://localhost/entrance/callback
    /// for a confidential one).
    #[arg(long = "redirect-uri", value_name = "URI")]
    redirect_uri: Option<String>,
    /// How long to wait for the browser, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 300)]
    timeout: u64,
    /// Sign in with a device code instead of a browser on this machine.
    #[arg(long = "device-code", conflicts_with_all = ["port", "redirect_uri", "no_browser"])]
    device_code: bool,
    /// Do not open a browser; only print the URL.
    #[arg(long = "no-browser")]
    no_browser: bool,
    /// Preselect the account (`login_hint`).
    #[arg(long = "login-hint", value_name = "UPN")]
    login_hint: Option<String>,
    /// `prompt`: select_account, login or consent.
    #[arg(long, value_name = "PROMPT")]
    prompt: Option<String>,
    /// v1 endpoints: the resource (App ID URI or GUID) to get a token for.
    #[arg(long, value_name = "URI")]
    resource: Option<String>,
    /// Print the raw tokens. Anyone holding them can act as the user.
    #[arg(long = "show-tokens")]
    show_tokens: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Method {
    /// client_secret_post: the secret in the form body.
    Post,
    /// client_secret_basic: the secret in an Authorization: Basic header.
    Basic,
}

impl From<Method> for SecretMethod {
    fn from(m: Method) -> Self {
        match m {
            Method::Post => SecretMethod::Post,
            Method::Basic => SecretMethod::Basic,
        }
    }
}

/// The secret saved under `name`, from the keychain.
pub fn secret(name: &str, method: Method) -> Result<ClientCredential, Error> {
    let name = SecretName::parse(name)?;
    let secrets = Secrets::open_default()?;
    let secret = secrets.get(&name)?;
    Ok(ClientCredential::Secret {
        secret,
        method: method.into(),
        label: Some(name.as_str().to_string()),
    })
}

pub fn run(args: &Args, json: bool) -> Result<ExitCode, Error> {
    let authority = Authority::parse(&args.authority)?;
    let credential = match &args.secret_name {
        Some(name) => secret(name, args.secret_method)?,
        None => ClientCredential::Public,
    };
    let runtime = runtime()?;
    let cancel = cancel_on_ctrl_c(&runtime);
    let result = if args.device_code {
        let mut req = DeviceCodeRequest::new(authority, &args.client_id, credential);
        req.scopes = args.scopes.clone();
        req.timeout = Some(Duration::from_secs(args.timeout));
        runtime.block_on(login::device_code(req, print_progress, cancel))
    } else {
        let mut req = InteractiveRequest::new(authority, &args.client_id, credential);
        req.scopes = args.scopes.clone();
        req.resource = args.resource.clone();
        req.timeout = Duration::from_secs(args.timeout);
        req.login_hint = args.login_hint.clone();
        req.prompt = args.prompt.clone();
        if args.no_browser {
            req.browser = Browser::None;
        }
        // Without --redirect-uri the core picks the provider's default
        // (localhost on Entra, 127.0.0.1 elsewhere) once discovery tells.
        req.redirect = args
            .redirect_uri
            .as_deref()
            .map(RedirectSpec::parse)
            .transpose()?;
        req.port = args.port;
        runtime.block_on(login::interactive(req, print_progress, cancel))
    };
    Ok(finish(result, json, args.show_tokens))
}

pub fn runtime() -> Result<tokio::runtime::Runtime, Error> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::Internal(format!("cannot start the async runtime: {e}")))
}

/// A token cancelled by Ctrl-C: the sign-in ends cleanly (the listener
/// closes, the browser gets an answer) instead of the process dying.
pub fn cancel_on_ctrl_c(runtime: &tokio::runtime::Runtime) -> CancellationToken {
    let cancel = CancellationToken::new();
    let c = cancel.clone();
    runtime.spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            c.cancel();
        }
    });
    cancel
}

/// Reads a token from standard input (never from the command line).
pub fn read_stdin(what: &str) -> Result<SecretString, Error> {
    let text = crate::input::stdin_text(what, crate::input::MAX_TOKEN_INPUT)?;
    Ok(SecretString::from(text.trim().to_string()))
}

/// Progress, for people, on standard error.
pub fn print_progress(event: LoginProgress) {
    match event {
        LoginProgress::WaitingForBrowser {
            url,
            redirect_uri,
            listening_on,
            advice,
            timeout_secs,
        } => {
            eprintln!(
                "Open this URL to sign in (Entrance also tries to open a browser):\n\n  {url}\n"
            );
            eprintln!(
                "Redirect URI: {redirect_uri} (listening on {})",
                listening_on.join(", ")
            );
            let platform = advice
                .platform
                .map(|p| format!(" under {}", p.label()))
                .unwrap_or_default();
            eprintln!(
                "It must be registered as {}{platform}: {}",
                advice.uri, advice.portal
            );
            eprintln!("Waiting up to {timeout_secs} s for the browser…");
        }
        LoginProgress::BrowserOpened { command } => eprintln!("Browser opened ({command})."),
        LoginProgress::BrowserNotOpened { command, reason } => eprintln!(
            "No browser opened{}: {reason}. Open the URL above yourself.",
            command.map(|c| format!(" with `{c}`")).unwrap_or_default()
        ),
        LoginProgress::RequestIgnored { reason } => eprintln!("(ignored: {reason})"),
        LoginProgress::CallbackReceived => eprintln!("The browser came back."),
        LoginProgress::DeviceCode {
            user_code,
            verification_uri,
            message,
            expires_in_secs,
        } => {
            eprintln!(
                "{}",
                message.unwrap_or_else(|| format!(
                    "To sign in, open {verification_uri} and enter the code {user_code}."
                ))
            );
            eprintln!("Code: {user_code}   Page: {verification_uri}   (valid {expires_in_secs} s)");
        }
        LoginProgress::Exchanging { token_endpoint } => {
            eprintln!("Redeeming at {token_endpoint}…")
        }
        LoginProgress::Verifying => eprintln!("Verifying the ID token…"),
        LoginProgress::Done { .. } | LoginProgress::Failed { .. } => {}
        _ => {}
    }
}

/// Prints the outcome and picks the exit status.
pub fn finish(result: Result<LoginOutcome, LoginError>, json: bool, show_tokens: bool) -> ExitCode {
    match result {
        Ok(outcome) => {
            if json {
                println!("{}", success_json(&outcome, show_tokens));
            } else {
                print_summary(&outcome, show_tokens);
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            let report = error.report();
            if json {
                println!("{}", json!({ "ok": false, "error": report }));
            } else {
                print_failure(&report);
            }
            match error {
                LoginError::InvalidRequest { .. } => ExitCode::from(2),
                _ => ExitCode::FAILURE,
            }
        }
    }
}

/// A JWT without its signature: the header and claims can be read and
/// pasted into an inspector, but it cannot be replayed.
fn redact(token: &str) -> String {
    let parts: Vec<&str> = token.split('.').collect();
    match parts.as_slice() {
        [h, p, _] => format!("{h}.{p}.[signature redacted]"),
        _ => format!("[redacted: {} characters]", token.len()),
    }
}

fn success_json(outcome: &LoginOutcome, show_tokens: bool) -> Value {
    let tokens = if show_tokens {
        let raw = outcome.tokens.reveal();
        json!({
            "redacted": false,
            "raw": {
                "access_token": raw.access_token,
                "id_token": raw.id_token,
                "refresh_token": raw.refresh_token,
            },
        })
    } else {
        json!({
            "redacted": true,
            "access_token": redact(outcome.tokens.access_token.expose_secret()),
            "id_token": outcome.tokens.id_token.as_ref().map(|t| redact(t.expose_secret())),
            "refresh_token": outcome.tokens.refresh_token.as_ref().map(|_| "[redacted]"),
        })
    };
    json!({ "ok": true, "summary": outcome.summary, "tokens": tokens })
}

fn flow_words(flow: Flow) -> &'static str {
    match flow {
        Flow::AuthorizationCode => "authorization code + PKCE (browser)",
        Flow::DeviceCode => "device code",
        Flow::ClientCredentials => "client credentials",
        Flow::RefreshToken => "refresh token",
    }
}

fn print_summary(outcome: &LoginOutcome, show_tokens: bool) {
    let s: &LoginSummary = &outcome.summary;
    match &s.signed_in_as {
        Some(who) => println!("Signed in as {who}"),
        None => println!("Token obtained"),
    }
    let row = |k: &str, v: &str| println!("  {k:<14} {v}");
    row("flow", flow_words(s.flow));
    let provider = match &s.provider.entra {
        Some(e) => format!(
            "{} (Entra ID{}{})",
            s.provider.authority,
            e.cloud
                .map(|c| format!(", {}", c.label()))
                .unwrap_or_default(),
            e.tenant_id
                .as_deref()
                .map(|t| format!(", tenant {t}"))
                .unwrap_or_default()
        ),
        None => format!("{} (OpenID provider)", s.provider.authority),
    };
    row("authority", &provider);
    let auth = match s.client_auth {
        ClientAuth::None => "public client",
        ClientAuth::ClientSecretPost => "confidential, client_secret_post",
        ClientAuth::ClientSecretBasic => "confidential, client_secret_basic",
    };
    row("client", &format!("{} ({auth})", s.client_id));
    if let Some(r) = &s.redirect_uri {
        row("redirect URI", r);
    }
    row("scopes", &s.granted_scopes.join(" "));
    if let Some(e) = s.expires_in {
        row("expires in", &format!("{e} s"));
    }
    if let Some(v) = &s.id_token_verification {
        row(
            "ID token",
            &format!(
                "verified — signature {}{} (keys {}), issuer {}, audience {}, expiry (skew {} s){}",
                v.alg,
                v.kid
                    .as_deref()
                    .map(|k| format!(" kid {k}"))
                    .unwrap_or_default(),
                v.keys_from,
                v.issuer,
                v.audience,
                v.skew_secs,
                if v.nonce_checked { ", nonce" } else { "" }
            ),
        );
    }
    if let Some(t) = &s.id_token {
        print_token("ID token claims", t);
    }
    print_token(
        "Access token claims (decoded; verified only by its API)",
        &s.access_token,
    );
    if let Some(note) = &s.access_token_note {
        println!("  note: {note}");
    }
    if s.refresh_token {
        println!(
            "Refresh token: received{}",
            if show_tokens {
                ""
            } else {
                " (--show-tokens prints it)"
            }
        );
    }
    if show_tokens {
        let raw = outcome.tokens.reveal();
        println!("\nRaw tokens (bearer credentials: anyone holding them can use them):");
        if let Some(t) = raw.id_token {
            println!("id_token={t}");
        }
        println!("access_token={}", raw.access_token);
        if let Some(t) = raw.refresh_token {
            println!("refresh_token={t}");
        }
    }
}

fn print_token(title: &str, token: &DecodedToken) {
    match token {
        DecodedToken::Jwt { claims, .. } => {
            println!("{title}:");
            let width = claims.keys().map(String::len).max().unwrap_or(0);
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs() as i64)
                .unwrap_or(0);
            for (k, v) in claims {
                let time = match (k.as_str(), v.as_i64()) {
                    ("exp" | "nbf" | "iat" | "auth_time", Some(t)) => {
                        claims::time_value(t, now).map(|t| format!("  ({}, {})", t.utc, t.relative))
                    }
                    _ => None,
                };
                let v = match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                println!("  {k:<width$}  {v}{}", time.unwrap_or_default());
            }
        }
        DecodedToken::Encrypted { .. } => println!("{title}: encrypted (JWE), not readable here"),
        DecodedToken::Opaque { length } => {
            println!("{title}: opaque ({length} characters), not a JWT")
        }
    }
}

pub fn print_failure(f: &LoginFailure) {
    eprintln!("error: {}", f.message);
    if let Some(c) = &f.cause {
        eprintln!("  why: {c}");
    }
    if let Some(fix) = &f.fix {
        eprintln!("  fix: {fix}");
    }
    if let Some(r) = &f.redirect {
        let platform = r
            .platform
            .map(|p| format!(" under {}", p.label()))
            .unwrap_or_default();
        eprintln!("  register: {}{platform} — {}", r.uri, r.portal);
    }
    if let Some(b) = &f.blade {
        eprintln!("  where: {b}");
    }
    if let Some(c) = &f.cli {
        eprintln!("  cli: {c}");
    }
    if let Some(t) = &f.trace_id {
        eprintln!(
            "  trace ID: {t}{}",
            f.correlation_id
                .as_deref()
                .map(|c| format!(", correlation ID: {c}"))
                .unwrap_or_default()
        );
    }
    if let Some(u) = &f.lookup_url {
        eprintln!("  more: {u}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_keeps_header_and_claims_never_the_signature() {
        assert_eq!(redact("aaa.bbb.ccc"), "aaa.bbb.[signature redacted]");
        assert_eq!(redact("opaque"), "[redacted: 6 characters]");
    }
}
