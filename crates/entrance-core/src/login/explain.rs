//! A provider's refusal, explained with what this sign-in knows.
//!
//! The AADSTS catalog ([`crate::aadsts`]) says what a code means in general;
//! here the fix names this sign-in's redirect URI, platform and secret — the
//! registration mix-ups of docs/entra.md#redirect-uris that the catalog can only describe.

use crate::aadsts::EntraError;

use super::redirect::{advice, Platform};
use super::{
    ClientCredential, ClientKind, LoginError, Phase, RedirectAdvice, RedirectSpec, Rejection,
};

/// What a sign-in attempt knows about itself.
#[derive(Debug, Clone)]
pub(crate) struct Attempt<'a> {
    pub entra: bool,
    pub client: &'a ClientCredential,
    /// The redirect URI sent, port included.
    pub redirect_sent: Option<String>,
    pub redirect: Option<&'a RedirectSpec>,
}

impl Attempt<'_> {
    fn advice(&self, kind: ClientKind) -> Option<RedirectAdvice> {
        self.redirect.map(|r| advice(self.entra, kind, r))
    }

    /// The refusal as a typed error with this attempt's fix.
    pub fn rejected(&self, phase: Phase, entra: EntraError) -> LoginError {
        let context = self.context(&entra);
        LoginError::Rejected {
            phase,
            entra: Box::new(entra),
            context: Box::new(context),
        }
    }

    fn context(&self, entra: &EntraError) -> Rejection {
        let Some(code) = entra.aadsts else {
            return Rejection::default();
        };
        let kind = self.client.kind();
        let sent = self.redirect_sent.as_deref().unwrap_or("the redirect URI");
        let secret_name = self
            .client
            .label()
            .map(|n| format!("`{n}`"))
            .unwrap_or_else(|| "the secret".into());
        match code {
            // docs/entra.md#errors 50011 / 500113, docs/entra.md#redirect-uris: the URI to register, on the platform.
            50011 | 500113 => {
                let a = self.advice(kind);
                let fix = a.as_ref().map(|a| {
                    format!(
                        "Register `{}` under {} ({}). Entrance sent `{sent}`; Entra ignores the port for localhost (docs/entra.md#redirect-uris), so register it without one, with exactly this path.",
                        a.uri,
                        a.platform.map(Platform::label).unwrap_or("the app's redirect URIs"),
                        a.portal
                    )
                });
                Rejection { fix, redirect: a }
            }
            // docs/entra.md#errors 7000218, docs/entra.md#redirect-uris: a Web redirect needs the secret.
            7000218 => Rejection {
                fix: Some(format!(
                    "`{sent}` is registered under Web, so Entra wants the client secret to redeem the code (docs/entra.md#redirect-uris). Sign in as a confidential client with the secret's Value (CLI: `--secret-name NAME`, saved with `entrance secret set NAME`), or — if this app really is a desktop/public client — move the URI to Mobile and desktop applications."
                )),
                redirect: self.advice(ClientKind::Confidential),
            },
            // docs/entra.md#errors 700025, docs/entra.md#redirect-uris: a public redirect must not get a secret.
            700025 => Rejection {
                fix: Some(format!(
                    "`{sent}` is registered under Mobile and desktop applications (or Single-page application): that makes this a public client, which must not send a secret (docs/entra.md#redirect-uris). Sign in as a public client, without a secret (CLI: `--public`), or, if the product is a confidential (Web) client, move the URI to Web."
                )),
                redirect: self.advice(ClientKind::Public),
            },
            // docs/entra.md#errors 9002327, docs/entra.md#redirect-uris: a SPA code cannot be redeemed here.
            9002327 => {
                let a = self.advice(kind);
                Rejection {
                    fix: Some(format!(
                        "`{sent}` is registered under Single-page application: only a browser may redeem that code, cross-origin (docs/entra.md#redirect-uris). A desktop app or server cannot. Register {} under {} for this test (keep the SPA URI for the product's browser client, on a different path — never a port-only difference).",
                        a.as_ref().map(|a| format!("`{}`", a.uri)).unwrap_or_else(|| "the loopback URI".into()),
                        a.as_ref().and_then(|a| a.platform).map(Platform::label).unwrap_or("another platform")
                    )),
                    redirect: a,
                }
            }
            // docs/entra.md#errors 9002326, docs/entra.md#redirect-uris.
            9002326 => Rejection {
                fix: Some("An Origin header reached Entra with a Web or desktop code; Entrance sends none, so a proxy added it. Remove the header at the proxy.".into()),
                redirect: None,
            },
            // docs/entra.md#errors 7000215: the Secret ID instead of the Value.
            7000215 if self.client.secret_looks_like_id() => Rejection {
                fix: Some(format!(
                    "{secret_name} is a GUID: that is the secret's **Secret ID**, not its **Value** (docs/entra.md#errors). In App registration → Certificates & secrets, create a new secret, copy its Value (shown only once) and save it again (CLI: `entrance secret set NAME`)."
                )),
                redirect: None,
            },
            7000215 => Rejection {
                fix: Some(format!(
                    "{secret_name} is not the Value of a current client secret of this app. The usual cause is the Secret ID copied instead of the Value; also check that it belongs to this client ID and was not cut or quoted. Copy the Value from App registration → Certificates & secrets (shown once: create a new secret if needed) and save it again."
                )),
                redirect: None,
            },
            _ => Rejection::default(),
        }
    }
}
