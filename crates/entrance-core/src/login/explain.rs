//! A provider's refusal, explained with what this sign-in knows.
//!
//! The AADSTS catalog ([`crate::aadsts`]) says what a code means in general;
//! here the fix names this sign-in's redirect URI, platform and secret — the
//! registration mix-ups (docs/aadsts.md#registration-and-platform) that the
//! catalog can only describe. Every other code goes through
//! [`crate::aadsts::explain`] with what this sign-in knows.

use crate::aadsts::{self, EntraError, Situation};

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
            // docs/aadsts.md#registration-and-platform: the URI to register, on the platform.
            50011 | 500113 => {
                let a = self.advice(kind);
                let fix = a.as_ref().map(|a| {
                    format!(
                        "Register `{}` under {} ({}). Entrance sent `{sent}`; Entra ignores the port for localhost, so register it without one, with exactly this path.",
                        a.uri,
                        a.platform.map(Platform::label).unwrap_or("the app's redirect URIs"),
                        a.portal
                    )
                });
                Rejection { fix, redirect: a }
            }
            // docs/aadsts.md#registration-and-platform: a Web redirect needs the secret.
            7000218 => Rejection {
                fix: Some(format!(
                    "`{sent}` is registered under Web, so Entra wants the client secret to redeem the code. Sign in as a confidential client with the secret's Value (CLI: `--secret-name NAME`, saved with `entrance secret set NAME`), or — if this app really is a desktop/public client — move the URI to Mobile and desktop applications."
                )),
                redirect: self.advice(ClientKind::Confidential),
            },
            // docs/aadsts.md#registration-and-platform: a public redirect must not get a secret.
            700025 => Rejection {
                fix: Some(format!(
                    "`{sent}` is registered under Mobile and desktop applications (or Single-page application): that makes this a public client, which must not send a secret. Sign in as a public client, without a secret (CLI: `--public`), or, if the product is a confidential (Web) client, move the URI to Web."
                )),
                redirect: self.advice(ClientKind::Public),
            },
            // docs/aadsts.md#registration-and-platform: a SPA code cannot be redeemed here.
            9002327 => {
                let a = self.advice(kind);
                Rejection {
                    fix: Some(format!(
                        "`{sent}` is registered under Single-page application: only a browser may redeem that code, cross-origin. A desktop app or server cannot. Register {} under {} for this test (keep the SPA URI for the product's browser client, on a different path — never a port-only difference).",
                        a.as_ref().map(|a| format!("`{}`", a.uri)).unwrap_or_else(|| "the loopback URI".into()),
                        a.as_ref().and_then(|a| a.platform).map(Platform::label).unwrap_or("another platform")
                    )),
                    redirect: a,
                }
            }
            // docs/aadsts.md#registration-and-platform.
            9002326 => Rejection {
                fix: Some("An Origin header reached Entra with a Web or desktop code; Entrance sends none, so a proxy added it. Remove the header at the proxy.".into()),
                redirect: None,
            },
            // docs/aadsts.md#secrets-and-certificates: the Secret ID instead of the Value.
            7000215 if self.client.secret_looks_like_id() => Rejection {
                fix: Some(format!(
                    "{secret_name} is a GUID: that is the secret's **Secret ID**, not its **Value**. In App registration → Certificates & secrets, create a new secret, copy its Value (shown only once) and save it again (CLI: `entrance secret set NAME`)."
                )),
                redirect: None,
            },
            7000215 => Rejection {
                fix: Some(format!(
                    "{secret_name} is not the Value of a current client secret of this app. The usual cause is the Secret ID copied instead of the Value; also check that it belongs to this client ID and was not cut or quoted. Copy the Value from App registration → Certificates & secrets (shown once: create a new secret if needed) and save it again."
                )),
                redirect: None,
            },
            // Every other code: the catalog's explanation with this sign-in's
            // redirect URI, or, for a code only Microsoft's table has, its
            // meaning and lookup page.
            _ => {
                let explained = aadsts::explain(
                    code,
                    &Situation {
                        redirect_uri: self.redirect_sent.as_deref(),
                        ..Situation::default()
                    },
                );
                let general = aadsts::lookup(code).map(|e| e.fix);
                let fix = match general {
                    Some(general) if general == explained.fix => None,
                    _ if explained.known => Some(if explained.targeted {
                        explained.fix
                    } else {
                        format!("AADSTS{code}: {} {}", explained.title, explained.fix)
                    }),
                    _ => None,
                };
                Rejection {
                    fix,
                    redirect: None,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attempt<'a>(client: &'a ClientCredential, redirect: Option<&str>) -> Attempt<'a> {
        Attempt {
            entra: true,
            client,
            redirect_sent: redirect.map(str::to_string),
            redirect: None,
        }
    }

    fn refusal(code: u32) -> EntraError {
        EntraError {
            error: Some("invalid_request".into()),
            aadsts: Some(code),
            ..EntraError::default()
        }
    }

    #[test]
    fn a_code_only_microsofts_table_has_gets_its_meaning_and_lookup_page() {
        let public = ClientCredential::Public;
        let a = attempt(&public, None);
        let e = a.rejected(Phase::Token, refusal(50015));
        let fix = e.fix().unwrap_or_default();
        assert!(fix.contains("legal-age-group consent"), "{fix}");
        assert!(
            fix.contains("https://login.microsoftonline.com/error?code=50015"),
            "{fix}"
        );
        assert!(!fix.contains("not in Entrance's catalog"));
    }

    #[test]
    fn a_redirect_uri_code_names_the_uri_this_sign_in_sent() {
        let public = ClientCredential::Public;
        let a = attempt(&public, Some("http://grafana.contoso.com/login/azuread"));
        let fix = a
            .rejected(Phase::Authorize, refusal(500117))
            .fix()
            .unwrap_or_default();
        assert!(
            fix.contains("`https://grafana.contoso.com/login/azuread`"),
            "{fix}"
        );
        let general = a
            .rejected(Phase::Token, refusal(54005))
            .fix()
            .unwrap_or_default();
        assert_eq!(
            general,
            aadsts::lookup(54005).map(|e| e.fix).unwrap_or_default()
        );
    }

    #[test]
    fn admin_text_carries_no_source_tags() {
        let public = ClientCredential::Public;
        let a = attempt(&public, Some("http://localhost:8400/callback"));
        for code in [50011, 7000218, 700025, 9002326, 9002327, 7000215] {
            let fix = a
                .rejected(Phase::Token, refusal(code))
                .fix()
                .unwrap_or_default();
            assert!(
                !fix.contains('§') && !fix.contains(concat!("entra", "-facts")),
                "{code}: {fix}"
            );
        }
    }
}
