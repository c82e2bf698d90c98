// A realistic sample for the mock backend: an expired v2 ID token of a user in
// 250 groups (overage) with one custom claim. Made by `entrance inspect --json`
// on SAMPLE_TOKEN, whose signature is filler: the mock never verifies.
import type { Inspection } from './bindings';

export const SAMPLE_TOKEN =
  'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiIsImtpZCI6IlhyMW1WOXNKYkgyUWswcFo0bkx3OHRZY0RlQSJ9.eyJhdWQiOiIzMzMzMzMzMy0wMDAwLTQwMDAtODAwMC0wMDAwMDAwMDAwMDUiLCJpc3MiOiJodHRwczovL2xvZ2luLm1pY3Jvc29mdG9ubGluZS5jb20vYWFhYWFhYWEtMDAwMC00MDAwLTgwMDAtMDAwMDAwMDAwMDAxL3YyLjAiLCJpYXQiOjE3OTU0NDk0MzgsIm5iZiI6MTc5NTQ0OTQzOCwiZXhwIjoxNzk1NDUzMDM4LCJhdXRoX3RpbWUiOjE3OTU0NDkzNzgsIl9jbGFpbV9uYW1lcyI6eyJncm91cHMiOiJzcmMxIn0sIl9jbGFpbV9zb3VyY2VzIjp7InNyYzEiOnsiZW5kcG9pbnQiOiJodHRwczovL2dyYXBoLndpbmRvd3MubmV0L2FhYWFhYWFhLTAwMDAtNDAwMC04MDAwLTAwMDAwMDAwMDAwMS91c2Vycy8xMTExMTExMS0wMDAwLTQwMDAtODAwMC0wMDAwMDAwMDAwMDIvZ2V0TWVtYmVyT2JqZWN0cyJ9fSwiYWlvIjoiQVdRQW0vOFpBQUFBIiwiZW1haWwiOiJtYW55Lmdyb3Vwc0Bjb250b3NvLmNvbSIsImVtcGxveWVlX2lkIjoiRS0xMDQyIiwibmFtZSI6Ik1vcmdhbiBNYW55LUdyb3VwcyIsIm5vbmNlIjoibi0wUzZfV3pBMk1qIiwib2lkIjoiMTExMTExMTEtMDAwMC00MDAwLTgwMDAtMDAwMDAwMDAwMDAyIiwicHJlZmVycmVkX3VzZXJuYW1lIjoibWFueS5ncm91cHNAY29udG9zby5jb20iLCJyaCI6IjAuQUFBQSIsInJvbGVzIjpbIkVkaXRvciJdLCJzaWQiOiIwMDE5YThjNC0zYjdlLTRkMGEtOWYyYy03YzFlNWEwYjlkMTEiLCJzdWIiOiJIcTJwVzl2WngwTHI3c1QxdVliTjNjS2U1Zko4bUE0ZEdpNm9ReVh3RTFzIiwidGlkIjoiYWFhYWFhYWEtMDAwMC00MDAwLTgwMDAtMDAwMDAwMDAwMDAxIiwidXRpIjoidFExbVpzOWFLRWEydlEweFAzYkxBQSIsInZlciI6IjIuMCIsIndpZHMiOlsiYjc5ZmJmNGQtM2VmOS00Njg5LTgxNDMtNzZiMTk0ZTg1NTA5Il19.AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQ';

export const SAMPLE_INSPECTION: Inspection = {
  "wrapper": "bare",
  "tokens": [
    {
      "source": {
        "wrapper": "bare",
        "field": null
      },
      "kind": "id_token",
      "kind_evidence": [
        "nonce (echoed from the sign-in request: ID tokens)"
      ],
      "version": "2.0",
      "issuer": {
        "url": "https://login.microsoftonline.com/aaaaaaaa-0000-4000-8000-000000000001/v2.0",
        "form": "v2",
        "cloud": "global",
        "tenant": "aaaaaaaa-0000-4000-8000-000000000001",
        "cloud_note": null,
        "jwks_url": "https://login.microsoftonline.com/aaaaaaaa-0000-4000-8000-000000000001/discovery/v2.0/keys"
      },
      "tenant_id": "aaaaaaaa-0000-4000-8000-000000000001",
      "app_only": false,
      "header": {
        "typ": "JWT",
        "alg": "RS256",
        "kid": "Xr1mV9sJbH2Qk0pZ4nLw8tYcDeA"
      },
      "claims": {
        "aud": "33333333-0000-4000-8000-000000000005",
        "iss": "https://login.microsoftonline.com/aaaaaaaa-0000-4000-8000-000000000001/v2.0",
        "iat": 1795449438,
        "nbf": 1795449438,
        "exp": 1795453038,
        "auth_time": 1795449378,
        "_claim_names": {
          "groups": "src1"
        },
        "_claim_sources": {
          "src1": {
            "endpoint": "https://graph.windows.net/aaaaaaaa-0000-4000-8000-000000000001/users/11111111-0000-4000-8000-000000000002/getMemberObjects"
          }
        },
        "aio": "AWQAm/8ZAAAA",
        "email": "many.groups@contoso.com",
        "employee_id": "E-1042",
        "name": "Morgan Many-Groups",
        "nonce": "n-0S6_WzA2Mj",
        "oid": "11111111-0000-4000-8000-000000000002",
        "preferred_username": "many.groups@contoso.com",
        "rh": "0.AAAA",
        "roles": [
          "Editor"
        ],
        "sid": "0019a8c4-3b7e-4d0a-9f2c-7c1e5a0b9d11",
        "sub": "Hq2pW9vZx0Lr7sT1uYbN3cKe5fJ8mA4dGi6oQyXwE1s",
        "tid": "aaaaaaaa-0000-4000-8000-000000000001",
        "uti": "tQ1mZs9aKEa2vQ0xP3bLAA",
        "ver": "2.0",
        "wids": [
          "b79fbf4d-3ef9-4689-8143-76b194e85509"
        ]
      },
      "explanations": [
        {
          "claim": "aud",
          "known": true,
          "meaning": "Audience: who the token is for. ID token: the client ID. v2 access token: the API's client ID. v1 access token: the App ID URI (with or without trailing slash) or the GUID.",
          "token": "both",
          "versions": "both",
          "pitfall": "An access token for Microsoft Graph (aud 00000003-0000-0000-c000-000000000000) is not for your app and cannot be validated by it.",
          "source": "RFC 7519 \u00a74.1.3; docs/entra.md#access-token-claims-reference, docs/entra.md#id-token-claims-reference, docs/entra.md#optional-claims-reference, docs/entra.md#claims",
          "time": null,
          "labels": []
        },
        {
          "claim": "iss",
          "known": true,
          "meaning": "Issuer: the security token service and the tenant. v1: https://sts.windows.net/{tid}/; v2: https://login.microsoftonline.com/{tid}/v2.0.",
          "token": "both",
          "versions": "both",
          "pitfall": "Multi-tenant apps must check the tenant part; compare against the discovery document's issuer with {tenantid} replaced by the token's tid.",
          "source": "RFC 7519 \u00a74.1.1; docs/entra.md#access-token-claims-reference, docs/entra.md#id-token-claims-reference, docs/entra.md#token-versions-and-issuers",
          "time": null,
          "labels": []
        },
        {
          "claim": "iat",
          "known": true,
          "meaning": "Issued at (Unix seconds): when authentication for this token happened.",
          "token": "both",
          "versions": "both",
          "pitfall": "Not the sign-in time when the token came from a refresh; auth_time (optional) is.",
          "source": "RFC 7519 \u00a74.1.6; docs/entra.md#access-token-claims-reference, docs/entra.md#id-token-claims-reference",
          "time": {
            "unix": 1795449438.0,
            "utc": "2026-11-23T15:57:18Z",
            "relative": "70 minutes ago"
          },
          "labels": []
        },
        {
          "claim": "nbf",
          "known": true,
          "meaning": "Not before (Unix seconds): the token is not valid earlier.",
          "token": "both",
          "versions": "both",
          "pitfall": "A server whose clock runs behind rejects fresh tokens as not yet valid.",
          "source": "RFC 7519 \u00a74.1.5; docs/entra.md#access-token-claims-reference",
          "time": {
            "unix": 1795449438.0,
            "utc": "2026-11-23T15:57:18Z",
            "relative": "70 minutes ago"
          },
          "labels": []
        },
        {
          "claim": "exp",
          "known": true,
          "meaning": "Expiration time (Unix seconds). Access tokens live 60\u201390 minutes (75 on average), ID tokens 1 hour.",
          "token": "both",
          "versions": "both",
          "pitfall": "Allow a few minutes of clock skew; a resource may reject a token before exp (revocation, CAE).",
          "source": "RFC 7519 \u00a74.1.4; docs/entra.md#access-token-claims-reference, docs/entra.md#access-tokens",
          "time": {
            "unix": 1795453038.0,
            "utc": "2026-11-23T16:57:18Z",
            "relative": "10 minutes ago"
          },
          "labels": []
        },
        {
          "claim": "auth_time",
          "known": true,
          "meaning": "When the user last authenticated (Unix seconds). Optional claim.",
          "token": "both",
          "versions": "both",
          "pitfall": "Only present when configured as an optional claim.",
          "source": "OIDC \u00a72; docs/entra.md#optional-claims-reference",
          "time": {
            "unix": 1795449378.0,
            "utc": "2026-11-23T15:56:18Z",
            "relative": "71 minutes ago"
          },
          "labels": []
        },
        {
          "claim": "_claim_names",
          "known": true,
          "meaning": "Distributed-claims marker: {\"groups\": \"src1\"} means the groups overflowed (more than 200) and are not in the token.",
          "token": "both",
          "versions": "both",
          "pitfall": "The app must read the groups from Microsoft Graph (getMemberObjects), which needs GroupMember.Read.All or similar.",
          "source": "docs/entra.md#access-token-claims-reference, docs/entra.md#id-token-claims-reference, docs/entra.md#groups-overage",
          "time": null,
          "labels": []
        },
        {
          "claim": "_claim_sources",
          "known": true,
          "meaning": "Where to read overflowed groups: {\"src1\": {\"endpoint\": \u2026}}. The endpoint is an Azure AD Graph URL (graph.windows.net).",
          "token": "both",
          "versions": "both",
          "pitfall": "Build a Microsoft Graph URL instead of calling the endpoint given (docs/entra.md#access-token-claims-reference).",
          "source": "docs/entra.md#access-token-claims-reference, docs/entra.md#groups-overage",
          "time": null,
          "labels": []
        },
        {
          "claim": "aio",
          "known": true,
          "meaning": "Opaque internal claim used by Entra for token reuse; ignore it.",
          "token": "both",
          "versions": "both",
          "pitfall": null,
          "source": "docs/entra.md#access-token-claims-reference, docs/entra.md#id-token-claims-reference",
          "time": null,
          "labels": []
        },
        {
          "claim": "email",
          "known": true,
          "meaning": "The user's email address. Default only for guests; members need the email optional claim or (v2) the email scope, and a populated mail attribute.",
          "token": "both",
          "versions": "both",
          "pitfall": "Mutable and not verified for every account: never authorize on it.",
          "source": "OIDC \u00a75.1; docs/entra.md#id-token-claims-reference, docs/entra.md#optional-claims-reference, docs/entra.md#claims",
          "time": null,
          "labels": []
        },
        {
          "claim": "employee_id",
          "known": false,
          "meaning": "Custom or optional claim: not in Entrance's catalog (a directory extension, a claims-mapping policy, or a claim Microsoft added).",
          "token": null,
          "versions": null,
          "pitfall": null,
          "source": null,
          "time": null,
          "labels": []
        },
        {
          "claim": "name",
          "known": true,
          "meaning": "The user's display name. Needs the profile scope.",
          "token": "both",
          "versions": "both",
          "pitfall": "Display only: mutable and not unique.",
          "source": "OIDC \u00a75.1; docs/entra.md#access-token-claims-reference, docs/entra.md#id-token-claims-reference",
          "time": null,
          "labels": []
        },
        {
          "claim": "nonce",
          "known": true,
          "meaning": "The nonce of the authorize request, echoed back to bind the ID token to it.",
          "token": "id",
          "versions": "both",
          "pitfall": "Must equal the nonce the app sent, else reject the token (replay). A nonce in the header instead marks a Microsoft Graph access token.",
          "source": "OIDC \u00a72; docs/entra.md#id-token-claims-reference",
          "time": null,
          "labels": []
        },
        {
          "claim": "oid",
          "known": true,
          "meaning": "The user's (or service principal's) object ID: immutable, the same across apps in a tenant, = Microsoft Graph id. Needs the profile scope.",
          "token": "both",
          "versions": "both",
          "pitfall": "Different in each tenant for the same person; key users on oid + tid.",
          "source": "docs/entra.md#access-token-claims-reference, docs/entra.md#id-token-claims-reference, docs/entra.md#claims",
          "time": null,
          "labels": []
        },
        {
          "claim": "preferred_username",
          "known": true,
          "meaning": "The primary username (often the UPN or email). v2 tokens (v1 via optional claim); needs the profile scope.",
          "token": "both",
          "versions": "v2",
          "pitfall": "Mutable: show it, never authorize on it or use it as a key.",
          "source": "OIDC \u00a75.1; docs/entra.md#id-token-claims-reference, docs/entra.md#access-token-claims-reference, docs/entra.md#optional-claims-reference",
          "time": null,
          "labels": []
        },
        {
          "claim": "rh",
          "known": true,
          "meaning": "Opaque internal claim used to revalidate tokens; ignore it.",
          "token": "both",
          "versions": "both",
          "pitfall": null,
          "source": "docs/entra.md#access-token-claims-reference, docs/entra.md#id-token-claims-reference",
          "time": null,
          "labels": []
        },
        {
          "claim": "roles",
          "known": true,
          "meaning": "App roles assigned to the user (or group) on this app; in app-only tokens, the application permissions granted.",
          "token": "both",
          "versions": "both",
          "pitfall": "Roles of this app only; with emit_as_roles, groups appear here and hide real app roles.",
          "source": "docs/entra.md#access-token-claims-reference, docs/entra.md#id-token-claims-reference, docs/entra.md#claims",
          "time": null,
          "labels": []
        },
        {
          "claim": "sid",
          "known": true,
          "meaning": "Session ID, used for per-session sign-out.",
          "token": "both",
          "versions": "both",
          "pitfall": null,
          "source": "OIDC Front-Channel Logout; docs/entra.md#id-token-claims-reference, docs/entra.md#optional-claims-reference",
          "time": null,
          "labels": []
        },
        {
          "claim": "sub",
          "known": true,
          "meaning": "Subject: the user (or app), as a pairwise identifier unique to this application.",
          "token": "both",
          "versions": "both",
          "pitfall": "Two apps see different sub values for the same user; to correlate users across apps use oid + tid.",
          "source": "RFC 7519 \u00a74.1.2; docs/entra.md#id-token-claims-reference, docs/entra.md#access-token-claims-reference",
          "time": null,
          "labels": []
        },
        {
          "claim": "tid",
          "known": true,
          "meaning": "The tenant the user signed in to. 9188040d-6c67-4c5b-b112-36a304b66dad is the personal Microsoft account tenant.",
          "token": "both",
          "versions": "both",
          "pitfall": "In access tokens it needs the profile scope.",
          "source": "docs/entra.md#access-token-claims-reference, docs/entra.md#id-token-claims-reference, docs/entra.md#token-versions-and-issuers, docs/entra.md#claims",
          "time": null,
          "labels": []
        },
        {
          "claim": "uti",
          "known": true,
          "meaning": "Token identifier, equivalent to jti; unique per token, case-sensitive.",
          "token": "both",
          "versions": "both",
          "pitfall": null,
          "source": "docs/entra.md#access-token-claims-reference, docs/entra.md#id-token-claims-reference",
          "time": null,
          "labels": []
        },
        {
          "claim": "ver",
          "known": true,
          "meaning": "Token version: 1.0 or 2.0. ID tokens follow the endpoint; access tokens follow the API's requestedAccessTokenVersion (accessTokenAcceptedVersion).",
          "token": "both",
          "versions": "both",
          "pitfall": "Grafana rejects 1.0 ID tokens; an API registered with null/1 gets v1 access tokens even from the v2 endpoint.",
          "source": "docs/entra.md#access-token-claims-reference, docs/entra.md#id-token-claims-reference, docs/entra.md#token-versions-and-issuers",
          "time": null,
          "labels": []
        },
        {
          "claim": "wids",
          "known": true,
          "meaning": "Tenant-wide directory roles of the user, as role template IDs. Emitted when groupMembershipClaims is All or DirectoryRole.",
          "token": "both",
          "versions": "both",
          "pitfall": "Directory roles are not groups or app roles; may be missing in implicit flow.",
          "source": "docs/entra.md#access-token-claims-reference, docs/entra.md#groups-overage",
          "time": null,
          "labels": [
            {
              "value": "b79fbf4d-3ef9-4689-8143-76b194e85509",
              "label": "User (default member role)",
              "confirmed": false
            }
          ]
        }
      ],
      "saml": null,
      "error": null,
      "aadsts": [],
      "signature": {
        "status": "not_checked"
      },
      "findings": [
        {
          "code": "token.expired",
          "severity": "warning",
          "message": "The token expired 10 minutes ago (2026-11-23T16:57:18Z), beyond the 5 minutes of clock skew Entrance allows.",
          "fix": "Get a fresh token by signing in again. If it was issued just now, check the clock of this machine and of the server."
        },
        {
          "code": "groups.overage",
          "severity": "warning",
          "message": "The user is in more groups than fit in a token (200 in a JWT), so Entra left the groups claim out and points to Microsoft Graph instead (_claim_names / _claim_sources) (docs/entra.md#access-token-claims-reference). The endpoint given is an Azure AD Graph URL (graph.windows.net): call Microsoft Graph instead.",
          "fix": "Either let the product read the groups from Microsoft Graph (POST /me/getMemberObjects; delegated GroupMember.Read.All with admin consent + User.Read \u2014 Grafana does this; Keep does not), or emit fewer groups: Token configuration \u2192 groups claim \u2192 \"Groups assigned to the application\" and assign only the groups the product needs."
        },
        {
          "code": "wids.present",
          "severity": "info",
          "message": "Directory roles (wids): User (default member role) \u2014 unconfirmed. These are tenant-wide directory role templates, emitted because groupMembershipClaims is All or DirectoryRole \u2014 not groups and not app roles (docs/entra.md#access-token-claims-reference).",
          "fix": null
        }
      ]
    }
  ]
};
