// What each target product does with SAMPLE_TOKEN, for the mock backend. Made
// by `entrance inspect --json --target NAME` on SAMPLE_TOKEN, once per target.
import type { Verdict } from './bindings';

export const SAMPLE_VERDICTS: Verdict[] = [
  {
    "target": "keep",
    "product": "Keep",
    "outcome": "unknown",
    "summary": "Keep: cannot tell from this paste: Keep's backend authorizes on the access token; none was pasted.",
    "reason": "Keep's backend authorizes on the access token; none was pasted.",
    "checks": [
      {
        "code": "keep.access_token.missing",
        "status": "unknown",
        "message": "Keep's backend authorizes on the access token; none was pasted.",
        "fix": "Paste the token response, or the access token for api://{clientId}/default.",
        "source": "docs/products/keep.md#what-it-needs-from-entra"
      }
    ]
  },
  {
    "target": "authentik",
    "product": "authentik",
    "outcome": "unknown",
    "summary": "authentik: cannot tell from this paste: authentik reads the user from Microsoft Graph (/me) with the access token; no Graph access token was pasted.",
    "reason": "authentik reads the user from Microsoft Graph (/me) with the access token; no Graph access token was pasted.",
    "checks": [
      {
        "code": "authentik.graph_token.missing",
        "status": "unknown",
        "message": "authentik reads the user from Microsoft Graph (/me) with the access token; no Graph access token was pasted.",
        "fix": "Paste the token response of the source's sign-in.",
        "source": "docs/products/authentik.md#what-it-needs-from-entra"
      }
    ]
  },
  {
    "target": "grafana",
    "product": "Grafana",
    "outcome": "works",
    "summary": "Grafana signs the user in: Role: Editor (highest of `roles`: Editor).",
    "reason": "Role: Editor (highest of `roles`: Editor).",
    "checks": [
      {
        "code": "grafana.token.version",
        "status": "pass",
        "message": "v2.0 ID token.",
        "fix": null,
        "source": "docs/entra.md#token-versions-and-issuers"
      },
      {
        "code": "grafana.email",
        "status": "pass",
        "message": "Grafana's email for the user: many.groups@contoso.com.",
        "fix": null,
        "source": "docs/products/grafana.md#what-it-needs-from-entra"
      },
      {
        "code": "grafana.role",
        "status": "info",
        "message": "Role: Editor (highest of `roles`: Editor).",
        "fix": null,
        "source": "docs/products/grafana.md#what-it-needs-from-entra"
      }
    ]
  },
  {
    "target": "camunda",
    "product": "Camunda Self-Managed",
    "outcome": "unknown",
    "summary": "Camunda Self-Managed: cannot tell from this paste: Camunda validates the access token; none was pasted.",
    "reason": "Camunda validates the access token; none was pasted.",
    "checks": [
      {
        "code": "camunda.access_token.missing",
        "status": "unknown",
        "message": "Camunda validates the access token; none was pasted.",
        "fix": "Request the scope <Application (client) ID>/.default and paste the token response.",
        "source": "docs/products/camunda.md#what-it-needs-from-entra"
      }
    ]
  },
  {
    "target": "openmetadata",
    "product": "OpenMetadata",
    "outcome": "works",
    "summary": "OpenMetadata signs the user in",
    "reason": null,
    "checks": [
      {
        "code": "openmetadata.user",
        "status": "pass",
        "message": "User name: many.groups@contoso.com.",
        "fix": null,
        "source": "docs/products/openmetadata.md#what-it-needs-from-entra"
      }
    ]
  },
  {
    "target": "generic-oidc",
    "product": "Generic OpenID Connect",
    "outcome": "works",
    "summary": "Generic OpenID Connect signs the user in",
    "reason": null,
    "checks": [
      {
        "code": "oidc.ok",
        "status": "pass",
        "message": "The ID token fits this registration.",
        "fix": null,
        "source": "docs/entra.md#token-versions-and-issuers, docs/entra.md#redirect-uris"
      }
    ]
  }
];
