//! The Setup page: adapters over [`entrance_core::targets`] and
//! [`entrance_core::profiles`].
//!
//! - [`setup_targets`], [`setup_check`], [`setup_plan`]: the products, the
//!   checks of what the admin types, and the portal steps with their links
//!   and commands, plus the loopback redirect URI a test sign-in needs.
//! - [`setup_configuration`]: the product's configuration in each format it
//!   offers. The client secret is a placeholder; with `reveal` its Value is
//!   read in Rust by its saved name — the webview never sends one.
//! - [`setup_test_sign_in`]: a browser sign-in the way the product signs in
//!   (its scopes, its redirect path on the loopback interface), then the
//!   product's verdict on the claims — or on Entra's refusal. No raw token
//!   crosses IPC.
//! - `setup_profile_*`: saved setups, one JSON file in the config folder.

use entrance_core::login::{self, DecodedToken, LoginProgress, LoginSummary, SecretMethod};
use entrance_core::profiles::{Profile, ProfileList, ProfileStore};
use entrance_core::secrets::SecretName;
use entrance_core::targets::{
    self, ClientType, ConfigFormat, Configuration, Field, FieldMessage, Platform, Requirements,
    Step, TargetInfo, TargetInputs, TokenSet, Verdict,
};
use entrance_core::{ErrorCode, IpcError};
use serde::Serialize;
use tauri::ipc::Channel;
use tauri::State;

use super::login::{AuthorityInput, ClientInput, LoginState, SignInRequest};
use super::secrets::SecretsState;

/// A product as the Setup page lists it.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct SetupTarget {
    pub info: TargetInfo,
    /// The product-specific inputs.
    pub fields: Vec<Field>,
    pub default_client_type: ClientType,
}

/// The product's answer to the inputs: the registration, the steps and the
/// loopback redirect URI for the test sign-in.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct SetupPlan {
    pub requirements: Requirements,
    /// In order, in the portal's words; the product's own steps last.
    pub steps: Vec<Step>,
    pub test_redirect: TestRedirect,
}

/// The redirect URI to register for Entrance's test sign-in.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct TestRedirect {
    /// `http://localhost{the product's callback path}`; any port matches
    /// (loopback, docs/entra.md#redirect-uris).
    pub uri: String,
    pub platform: Platform,
    pub client_type: ClientType,
    /// The scopes the product requests.
    pub scopes: Vec<String>,
}

/// The configuration in one format.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct RenderedConfig {
    pub format: ConfigFormat,
    pub text: String,
}

/// The configuration, structured and rendered in every format the product offers.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct SetupConfiguration {
    pub configuration: Configuration,
    /// The product's native format first.
    pub rendered: Vec<RenderedConfig>,
    /// The secret's Value is in the text (only when asked with `reveal`).
    pub revealed: bool,
}

/// The test sign-in: what happened and what the product would do.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct SetupTestResult {
    /// The decoded claims, when tokens came back.
    pub summary: Option<LoginSummary>,
    /// Entra's refusal, when it refused.
    pub error: Option<IpcError>,
    pub verdict: Verdict,
}

fn target(name: &str) -> Result<&'static dyn targets::Target, IpcError> {
    targets::require(name).map_err(IpcError::from)
}

/// Every product, in the order the page lists them.
#[tauri::command]
#[specta::specta]
pub fn setup_targets() -> Vec<SetupTarget> {
    targets::all()
        .iter()
        .map(|t| SetupTarget {
            info: t.info(),
            fields: t.fields(),
            default_client_type: t.default_client_type(),
        })
        .collect()
}

/// The checks of every input, cheap enough for each keystroke.
#[tauri::command]
#[specta::specta]
pub fn setup_check(
    target_name: String,
    inputs: TargetInputs,
) -> Result<Vec<FieldMessage>, IpcError> {
    Ok(targets::check_inputs(target(&target_name)?, &inputs))
}

/// The registration, the portal steps and the test redirect for these inputs.
#[tauri::command]
#[specta::specta]
pub fn setup_plan(target_name: String, inputs: TargetInputs) -> Result<SetupPlan, IpcError> {
    let t = target(&target_name)?;
    let requirements = t.requirements(&inputs);
    let test_redirect = test_redirect(t, &inputs, &requirements);
    Ok(SetupPlan {
        steps: targets::steps(t, &inputs),
        requirements,
        test_redirect,
    })
}

/// The configuration; the client secret's Value only when `reveal`.
#[tauri::command]
#[specta::specta]
pub async fn setup_configuration<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    secrets: State<'_, SecretsState>,
    target_name: String,
    inputs: TargetInputs,
    reveal: bool,
) -> Result<SetupConfiguration, IpcError> {
    let t = target(&target_name)?;
    let secret = if reveal {
        let name = SecretName::parse(&secret_name(t, &inputs)).map_err(IpcError::from)?;
        super::gesture::confirm_reveal(&app, name.as_str(), "put into the configuration shown")
            .await?;
        Some(secrets.run(move |s| s.get(&name)).await?)
    } else {
        None
    };
    let configuration = t.configuration(&inputs, secret.as_ref());
    Ok(SetupConfiguration {
        rendered: formats(&configuration)
            .into_iter()
            .map(|format| RenderedConfig {
                format,
                text: configuration.render(Some(format)),
            })
            .collect(),
        configuration,
        revealed: secret.is_some(),
    })
}

/// Signs in as the product does, on the loopback interface, and answers the
/// product's verdict. `authority` overrides the tenant's (the sandbox tenant).
#[tauri::command]
#[specta::specta]
pub async fn setup_test_sign_in(
    secrets: State<'_, SecretsState>,
    login: State<'_, LoginState>,
    target_name: String,
    inputs: TargetInputs,
    authority: Option<String>,
    on_progress: Channel<LoginProgress>,
) -> Result<SetupTestResult, IpcError> {
    let t = target(&target_name)?;
    let redirect = test_redirect(t, &inputs, &t.requirements(&inputs));
    let request = SignInRequest {
        authority: match authority.filter(|a| !a.trim().is_empty()) {
            Some(url) => AuthorityInput::Url { url },
            None => AuthorityInput::Entra {
                cloud: inputs.cloud,
                tenant: inputs.authority_tenant(),
            },
        },
        client_id: inputs.client_id.clone().unwrap_or_default(),
        client: match redirect.client_type {
            ClientType::Public => ClientInput::Public,
            ClientType::Confidential => ClientInput::Confidential {
                secret_name: secret_name(t, &inputs),
                method: SecretMethod::Post,
            },
        },
        scopes: redirect
            .scopes
            .iter()
            .filter(|s| *s != "openid")
            .cloned()
            .collect(),
        port: None,
        redirect_uri: Some(redirect.uri),
    };
    match super::login::login_start(secrets, login, request, on_progress).await {
        Ok(summary) => {
            let verdict = targets::verdict_on(t, &token_set(&summary), &inputs);
            Ok(SetupTestResult {
                summary: Some(summary),
                error: None,
                verdict,
            })
        }
        Err(error) if error.code == ErrorCode::LoginRejected => {
            let code = entrance_core::aadsts::find_codes(&error.message)
                .first()
                .map(|c| c.code);
            let tokens = TokenSet {
                error: code,
                error_description: Some(error.message.as_str()),
                ..TokenSet::default()
            };
            let verdict = targets::verdict_on(t, &tokens, &inputs);
            Ok(SetupTestResult {
                summary: None,
                error: Some(error),
                verdict,
            })
        }
        Err(error) => Err(error),
    }
}

/// Opens a step's link in the browser. Only Azure portal links of the three
/// clouds are opened; anything else is refused.
#[tauri::command]
#[specta::specta]
pub async fn setup_open_portal(url: String) -> Result<(), IpcError> {
    if !is_portal_link(&url) {
        return Err(IpcError::from(entrance_core::Error::InvalidInput {
            field: "link".into(),
            reason: "only Azure portal links are opened".into(),
            fix: Some("Copy the link and open it yourself.".into()),
        }));
    }
    tauri::async_runtime::spawn_blocking(move || login::Browser::FromEnvironment.open_link(&url))
        .await
        .map_err(|e| entrance_core::Error::Internal(format!("the browser task stopped: {e}")))?
        .map(|_| ())
        .map_err(|reason| {
            IpcError::from(entrance_core::Error::InvalidInput {
                field: "browser".into(),
                reason: format!("the browser did not open: {reason}"),
                fix: Some("Copy the link and open it in your browser.".into()),
            })
        })
}

fn is_portal_link(url: &str) -> bool {
    targets::Cloud::ALL.iter().any(|c| {
        url.strip_prefix("https://")
            .and_then(|rest| rest.strip_prefix(c.portal_host()))
            .is_some_and(|rest| rest.starts_with('/'))
    }) && !url.chars().any(|ch| ch.is_whitespace() || ch.is_control())
}

/// Every profile and the one to reopen.
#[tauri::command]
#[specta::specta]
pub fn setup_profiles() -> Result<ProfileList, IpcError> {
    Ok(ProfileStore::open_default()?.list()?)
}

/// Creates or replaces a profile (and reopens it next time).
#[tauri::command]
#[specta::specta]
pub fn setup_profile_save(profile: Profile) -> Result<Profile, IpcError> {
    Ok(ProfileStore::open_default()?.save(profile)?)
}

/// Renames a profile.
#[tauri::command]
#[specta::specta]
pub fn setup_profile_rename(from: String, to: String) -> Result<Profile, IpcError> {
    Ok(ProfileStore::open_default()?.rename(&from, &to)?)
}

/// Deletes a profile.
#[tauri::command]
#[specta::specta]
pub fn setup_profile_delete(name: String) -> Result<(), IpcError> {
    Ok(ProfileStore::open_default()?.delete(&name)?)
}

/// Remembers the profile to reopen after a restart (`None`: none).
#[tauri::command]
#[specta::specta]
pub fn setup_profile_select(name: Option<String>) -> Result<(), IpcError> {
    Ok(ProfileStore::open_default()?.set_last(name.as_deref())?)
}

/// After `profiles.corrupt`: moves the unreadable file aside (a copy stays).
#[tauri::command]
#[specta::specta]
pub fn setup_profiles_start_over() -> Result<ProfileList, IpcError> {
    Ok(ProfileStore::open_default()?.start_over()?)
}

fn secret_name(t: &dyn targets::Target, inputs: &TargetInputs) -> String {
    inputs
        .secret_name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .unwrap_or(t.info().name)
        .to_string()
}

/// The product's first redirect URI for its client type, moved to
/// `http://localhost` (port-free: Entra matches any loopback port, docs/entra.md#redirect-uris).
fn test_redirect(
    t: &dyn targets::Target,
    inputs: &TargetInputs,
    req: &Requirements,
) -> TestRedirect {
    let client_type = inputs.client_type_for(t);
    let wanted = match client_type {
        ClientType::Confidential => Platform::Web,
        ClientType::Public => Platform::Spa,
    };
    let product = req
        .redirects
        .iter()
        .find(|r| r.platform == wanted)
        .or_else(|| req.redirects.first());
    let path = product
        .and_then(|r| uri_path(&r.uri))
        .filter(|p| p != "/")
        .unwrap_or_else(|| "/entrance/callback".into());
    let config = t.configuration(inputs, None);
    let scopes = config
        .blocks
        .iter()
        .flat_map(|b| &b.entries)
        .find(|e| {
            let k = e.key.to_ascii_lowercase();
            k == "scopes" || k == "scope" || k.ends_with("_scopes") || k.ends_with("_scope")
        })
        .map(|e| {
            e.value
                .split([' ', ','])
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| vec!["openid".into(), "profile".into(), "email".into()]);
    TestRedirect {
        uri: format!("http://localhost{path}"),
        platform: product.map(|r| r.platform).unwrap_or(wanted),
        client_type,
        scopes,
    }
}

/// The path of an absolute URI (`https://host:port/path?query` → `/path`).
fn uri_path(uri: &str) -> Option<String> {
    let rest = uri.split_once("://")?.1;
    let path = &rest[rest.find('/')?..];
    Some(path.split(['?', '#']).next().unwrap_or(path).to_string())
}

/// The formats the configuration offers: the native one first, then each
/// equivalent block's, then yaml where env converts to it.
fn formats(config: &Configuration) -> Vec<ConfigFormat> {
    let mut out: Vec<ConfigFormat> = Vec::new();
    for b in &config.blocks {
        if !out.contains(&b.format) {
            out.push(b.format);
        }
    }
    if out.contains(&ConfigFormat::Env) && !out.contains(&ConfigFormat::Yaml) {
        out.push(ConfigFormat::Yaml);
    }
    out
}

/// The tokens of a sign-in as the product reads them.
fn token_set(summary: &LoginSummary) -> TokenSet<'_> {
    let access = summary.access_token.claims();
    let graph = access.is_some_and(|c| {
        let aud = c.get("aud").and_then(|a| a.as_str()).unwrap_or_default();
        aud == "00000003-0000-0000-c000-000000000000" || aud.contains("graph.microsoft")
    });
    TokenSet {
        id: summary.id_token.as_ref().and_then(DecodedToken::claims),
        access: if graph { None } else { access },
        graph: if graph { access } else { None },
        ..TokenSet::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grafana() -> TargetInputs {
        let mut i = TargetInputs::new("https://grafana.example.com/");
        i.tenant = Some("aaaaaaaa-0000-4000-8000-000000000001".into());
        i.client_id = Some("33333333-0000-4000-8000-000000000005".into());
        i.secret_name = Some("prod-grafana".into());
        i
    }

    #[test]
    fn grafana_tests_on_its_own_callback_path_on_localhost_under_web() {
        let plan = setup_plan("grafana".into(), grafana()).expect("plan");
        assert_eq!(plan.test_redirect.uri, "http://localhost/login/azuread");
        assert_eq!(plan.test_redirect.platform, Platform::Web);
        assert_eq!(plan.test_redirect.scopes, ["openid", "email", "profile"]);
        assert!(plan.steps.len() >= 3);
        assert!(plan.steps[0].title.to_lowercase().contains("regist"));
    }

    #[test]
    fn grafana_offers_ini_then_env_and_yaml() {
        let t = target("grafana").expect("grafana");
        let config = t.configuration(&grafana(), None);
        assert_eq!(
            formats(&config),
            [ConfigFormat::Ini, ConfigFormat::Env, ConfigFormat::Yaml]
        );
        let ini = config.render(Some(ConfigFormat::Ini));
        assert!(ini.contains("[auth.azuread]"));
        assert!(ini.contains("<client secret Value from the keychain: prod-grafana>"));
    }

    #[test]
    fn only_portal_links_of_the_three_clouds_are_opened() {
        assert!(is_portal_link(
            "https://portal.azure.com/#view/Microsoft_AAD_RegisteredApps"
        ));
        assert!(is_portal_link("https://portal.azure.us/#@contoso/view/x"));
        assert!(is_portal_link("https://portal.azure.cn/"));
        assert!(!is_portal_link("https://portal.azure.com.evil.example/"));
        assert!(!is_portal_link("http://portal.azure.com/"));
        assert!(!is_portal_link("file:///etc/passwd"));
        assert!(!is_portal_link("https://portal.azure.com/ --new-window"));
    }

    #[test]
    fn an_unknown_product_is_an_input_error_listing_the_known_ones() {
        let err = setup_plan("wordpress".into(), grafana()).expect_err("unknown");
        assert_eq!(err.code, ErrorCode::InputInvalid);
        assert!(err.fix.unwrap_or_default().contains("grafana"));
    }

    #[test]
    fn a_display_name_pasted_as_a_group_is_named() {
        let inputs = grafana().with("allowed_groups", "Grafana Editors");
        let messages = setup_check("grafana".into(), inputs).expect("checks");
        assert!(
            messages.iter().any(|m| m.field == "allowed_groups"),
            "{messages:?}"
        );
    }
}
