/**
 * The mock backend's sign-in: a canned sandbox tenant and a scripted
 * progress sequence, for the browser preview and the UI tests.
 *
 * The sequence imitates `entrance_core::login::interactive` against the
 * sandbox: a correctly registered app signs in as Alice; a misconfigured twin
 * fails where the real sandbox fails it (the failure text is the core's
 * AADSTS catalog's, abridged). Passwords are the sandbox's published demo values.
 */
import type { LoginFailure, LoginProgress, LoginSummary, SandboxInfo, SignInRequest } from '../bindings';

const BASE = 'http://127.0.0.1:48123';
const TENANT_ID = 'aaaaaaaa-0000-4000-8000-000000000001';

export const MOCK_SANDBOX: SandboxInfo = {
  base_url: BASE,
  authority: `${BASE}/${TENANT_ID}/v2.0`,
  tenant_id: TENANT_ID,
  tenant_domain: 'contoso.sandbox',
  tenant_name: 'Contoso (sandbox)',
  apps: [
    {
      name: 'entrance',
      display_name: 'Entrance',
      target: null,
      client_id: '33333333-0000-4000-8000-000000000011',
      correct: true,
      kind: 'public',
      secret_name: null,
      redirect_uri: null,
      public_url: null,
      notes: "Entrance's own desktop registration: public client, loopback redirect, device code flow.",
    },
    {
      name: 'grafana',
      display_name: 'Grafana',
      target: 'grafana',
      client_id: '33333333-0000-4000-8000-000000000005',
      correct: true,
      kind: 'confidential',
      secret_name: 'sandbox-grafana',
      redirect_uri: 'http://localhost/login/azuread',
      public_url: 'https://grafana.contoso.sandbox',
      notes: 'Correct: Web redirects, app roles, SecurityGroup groups claim, GroupMember.Read.All consented; assignment required.',
    },
    {
      name: 'grafana-misconfigured',
      display_name: 'Grafana (misconfigured)',
      target: 'grafana',
      client_id: '33333333-0000-4000-8000-000000000006',
      correct: false,
      kind: 'confidential',
      secret_name: 'sandbox-grafana-misconfigured',
      redirect_uri: 'http://localhost/login/azuread',
      public_url: 'https://grafana.contoso.sandbox',
      notes:
        'Misconfigured: the redirect is registered as SPA (Grafana’s server-side redemption fails with 9002327), no app roles, no groups claim.',
    },
  ],
  users: [
    {
      name: 'alice',
      user_principal_name: 'alice@contoso.sandbox',
      display_name: 'Alice Anders',
      sandbox_demo_password: 'Alice-sandbox-1',
      enabled: true,
    },
    {
      name: 'bob',
      user_principal_name: 'bob@contoso.sandbox',
      display_name: 'Bob Nested',
      sandbox_demo_password: 'Bob-sandbox-1',
      enabled: true,
    },
  ],
};

/** The failure the sandbox gives a misconfigured twin (AADSTS9002327). */
export const MOCK_FAILURE: LoginFailure = {
  code: 'login.rejected',
  aadsts: 9002327,
  oauth_error: 'invalid_request',
  message:
    "the identity provider refused the token request: AADSTS9002327: Tokens issued for the 'Single-Page Application' client-type may only be redeemed via cross-origin requests.",
  cause: 'The redirect URI is registered under Single-page application, but the product redeems the code on its server.',
  fix: 'Move `http://localhost/login/azuread` from Single-page application to Web in App registration → Authentication.',
  blade: 'App registration → Authentication',
  cli: 'az ad app update --id {app-id} --web-redirect-uris {uri} (and remove it from spa.redirectUris)',
  lookup_url: 'https://login.microsoftonline.com/error?code=9002327',
  trace_id: '00000000-0000-0000-0000-00000000mock',
  correlation_id: null,
  timestamp: null,
  redirect: null,
};

function summaryFor(request: SignInRequest): LoginSummary {
  const now = Math.floor(Date.now() / 1000);
  const confidential = request.client.kind === 'confidential';
  const claims = {
    aud: request.client_id,
    iss: `${BASE}/${TENANT_ID}/v2.0`,
    iat: now,
    nbf: now,
    exp: now + 3600,
    name: 'Alice Anders',
    oid: '11111111-0000-4000-8000-000000000001',
    preferred_username: 'alice@contoso.sandbox',
    email: 'alice@contoso.sandbox',
    tid: TENANT_ID,
    ver: '2.0',
  };
  return {
    flow: 'authorization_code',
    provider: {
      authority: `${BASE}/${TENANT_ID}/v2.0`,
      discovery_url: `${BASE}/${TENANT_ID}/v2.0/.well-known/openid-configuration`,
      issuer: `${BASE}/${TENANT_ID}/v2.0`,
      authorization_endpoint: `${BASE}/${TENANT_ID}/oauth2/v2.0/authorize`,
      token_endpoint: `${BASE}/${TENANT_ID}/oauth2/v2.0/token`,
      jwks_uri: `${BASE}/${TENANT_ID}/discovery/v2.0/keys`,
      entra: null,
    },
    client_id: request.client_id,
    client_auth: confidential ? 'client_secret_post' : 'none',
    redirect_uri: 'http://localhost:51234/',
    requested_scopes: ['openid', ...request.scopes],
    granted_scopes: ['openid', 'profile', 'email'],
    token_type: 'Bearer',
    expires_in: 3600,
    obtained_at: now,
    signed_in_as: 'alice@contoso.sandbox',
    id_token: { format: 'jwt', header: { alg: 'RS256', kid: 'mock-kid', typ: 'JWT' }, claims },
    id_token_verification: {
      alg: 'RS256',
      kid: 'mock-kid',
      keys_from: `${BASE}/${TENANT_ID}/discovery/v2.0/keys`,
      issuer: `${BASE}/${TENANT_ID}/v2.0`,
      issuer_from_template: false,
      audience: request.client_id,
      expires_at: now + 3600,
      issued_at: now,
      not_before: now,
      nonce_checked: true,
      skew_secs: 300,
    },
    access_token: {
      format: 'jwt',
      header: { alg: 'RS256', typ: 'JWT' },
      claims: { aud: '00000003-0000-0000-c000-000000000000', scp: 'openid profile email', upn: 'alice@contoso.sandbox' },
    },
    access_token_note: null,
    refresh_token: request.scopes.includes('offline_access'),
  };
}

/**
 * The events of one sign-in, in order, and how it ends: a misconfigured
 * sandbox app fails at the token exchange, anything else succeeds.
 */
export function scriptFor(request: SignInRequest): { events: LoginProgress[]; outcome: LoginSummary | LoginFailure } {
  const app = MOCK_SANDBOX.apps.find((a) => a.client_id === request.client_id);
  const redirect = request.redirect_uri ? request.redirect_uri.replace('localhost', 'localhost:51234') : 'http://localhost:51234/';
  const url = `${BASE}/${TENANT_ID}/oauth2/v2.0/authorize?response_type=code&client_id=${request.client_id}&redirect_uri=${encodeURIComponent(redirect)}&scope=openid+profile+email&state=mock&nonce=mock&code_challenge=mock&code_challenge_method=S256`;
  const events: LoginProgress[] = [
    {
      event: 'waiting_for_browser',
      url,
      redirect_uri: redirect,
      listening_on: ['127.0.0.1:51234', '[::1]:51234'],
      advice: {
        uri: request.redirect_uri ?? 'http://localhost',
        platform: request.client.kind === 'public' ? 'mobile_and_desktop' : 'web',
        portal: 'App registration → Authentication',
        why: 'Entra ignores the port for localhost (docs/entra.md#redirect-uris).',
      },
      timeout_secs: 300,
    },
    { event: 'browser_opened', command: 'xdg-open' },
    { event: 'callback_received' },
    { event: 'exchanging', token_endpoint: `${BASE}/${TENANT_ID}/oauth2/v2.0/token` },
  ];
  if (app && !app.correct) {
    return { events: [...events, { event: 'failed', error: MOCK_FAILURE }], outcome: MOCK_FAILURE };
  }
  return {
    events: [...events, { event: 'verifying' }, { event: 'done', signed_in_as: 'alice@contoso.sandbox' }],
    outcome: summaryFor(request),
  };
}
