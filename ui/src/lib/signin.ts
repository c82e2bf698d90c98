/**
 * The Sign-in page's logic, kept out of the components so it can be tested
 * alone: the form's checks, the scope presets, and the picture of the flow
 * (which step is running, done or broken) built from the core's progress events.
 */
import type { AuthorityInput, ClientInput, LoginFailure, LoginProgress, SignInCloud } from './bindings';

export const CLOUDS: readonly { id: SignInCloud; label: string; host: string }[] = [
  { id: 'global', label: 'Global', host: 'login.microsoftonline.com' },
  { id: 'us_gov', label: 'US Gov', host: 'login.microsoftonline.us' },
  { id: 'china', label: 'China (21Vianet)', host: 'login.partner.microsoftonline.cn' },
];

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isGuid(text: string): boolean {
  return GUID.test(text.trim());
}

/** What is wrong with a client ID as typed; null when it is an Application (client) ID. */
export function clientIdProblem(text: string): string | null {
  const t = text.trim();
  if (t === '') return 'Enter the Application (client) ID from the app registration’s Overview page.';
  if (isGuid(t)) return null;
  if (/^[0-9a-f-]+$/i.test(t) && t.length < 36) return 'Incomplete: an Application (client) ID has 36 characters (8-4-4-4-12).';
  return 'Not an Application (client) ID: it looks like 00000000-0000-0000-0000-000000000000 (Overview page, not the Object ID).';
}

/** What is wrong with a tenant as typed; null when it is a GUID or a domain. */
export function tenantProblem(text: string): string | null {
  const t = text.trim();
  if (t === '') return 'Enter the Directory (tenant) ID or a verified domain such as contoso.onmicrosoft.com.';
  if (isGuid(t) || /^[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(t)) return null;
  if (['common', 'organizations', 'consumers'].includes(t.toLowerCase())) return null;
  return 'A tenant is its Directory (tenant) ID (a GUID) or a verified domain (contoso.onmicrosoft.com).';
}

/** What is wrong with an authority URL as typed. The core checks it fully. */
export function authorityProblem(text: string): string | null {
  const t = text.trim();
  if (t === '') return 'Enter the authority, e.g. https://login.microsoftonline.com/{tenant}/v2.0.';
  try {
    const url = new URL(t);
    const loopback = url.hostname === '127.0.0.1' || url.hostname === 'localhost';
    if (url.protocol === 'https:' || (url.protocol === 'http:' && loopback)) return null;
    return 'The authority must use https (http only for the sandbox tenant on 127.0.0.1).';
  } catch {
    return 'Not a URL: an authority looks like https://login.microsoftonline.com/{tenant}/v2.0.';
  }
}

export interface ScopePreset {
  id: string;
  label: string;
  scopes: (clientId: string) => string[];
}

/** Scopes besides `openid` (the core always sends it). */
export const SCOPE_PRESETS: readonly ScopePreset[] = [
  { id: 'basic', label: 'openid profile email', scopes: () => ['profile', 'email'] },
  { id: 'offline', label: '+ offline_access', scopes: () => ['profile', 'email', 'offline_access'] },
  {
    id: 'graph',
    label: '+ User.Read GroupMember.Read.All',
    scopes: () => ['profile', 'email', 'offline_access', 'User.Read', 'GroupMember.Read.All'],
  },
  {
    id: 'api',
    label: '+ api://{clientId}/.default',
    scopes: (clientId) => ['profile', 'email', 'offline_access', `api://${clientId.trim() || '{clientId}'}/.default`],
  },
];

/** A preset's scopes plus free text (space- or comma-separated), without duplicates or `openid`. */
export function scopesFor(presetId: string, clientId: string, extra: string): string[] {
  const preset = SCOPE_PRESETS.find((p) => p.id === presetId) ?? SCOPE_PRESETS[0];
  const all = [...preset.scopes(clientId), ...extra.split(/[\s,]+/)].map((s) => s.trim()).filter((s) => s && s !== 'openid');
  return [...new Set(all)];
}

/** Where to sign in, as the Sign-in and Diagnose forms ask for it. */
export interface AuthorityChoice {
  mode: 'tenant' | 'url';
  cloud: SignInCloud;
  tenant: string;
  authorityUrl: string;
}

export interface SignInForm extends AuthorityChoice {
  clientId: string;
  confidential: boolean;
  secretName: string;
  method: 'post' | 'basic';
  redirectUri: string;
}

export function authorityInput(form: SignInForm): AuthorityInput {
  return form.mode === 'url'
    ? { kind: 'url', url: form.authorityUrl.trim() }
    : { kind: 'entra', cloud: form.cloud, tenant: form.tenant.trim() };
}

export function clientInput(form: SignInForm): ClientInput {
  return form.confidential
    ? { kind: 'confidential', secret_name: form.secretName.trim(), method: form.method }
    : { kind: 'public' };
}

/** Every problem of the form, by field; empty when it can be sent. */
export function formProblems(form: SignInForm): Partial<Record<'authority' | 'clientId' | 'secretName', string>> {
  const problems: Partial<Record<'authority' | 'clientId' | 'secretName', string>> = {};
  const authority = form.mode === 'url' ? authorityProblem(form.authorityUrl) : tenantProblem(form.tenant);
  if (authority) problems.authority = authority;
  const client = clientIdProblem(form.clientId);
  if (client) problems.clientId = client;
  if (form.confidential && form.secretName.trim() === '') {
    problems.secretName = 'Enter the name the client secret is saved under (Secrets page), e.g. prod-grafana.';
  }
  return problems;
}

export type StepId = 'browser' | 'callback' | 'exchange' | 'verify' | 'done';
export type StepState = 'pending' | 'active' | 'done' | 'failed';

export const STEPS: readonly { id: StepId; label: string }[] = [
  { id: 'browser', label: 'Browser' },
  { id: 'callback', label: 'Callback' },
  { id: 'exchange', label: 'Token exchange' },
  { id: 'verify', label: 'Verify' },
  { id: 'done', label: 'Done' },
];

export interface FlowPicture {
  steps: { id: StepId; label: string; state: StepState }[];
  /** The sign-in URL, once the core has built it. */
  url: string | null;
  /** A note on the browser step (opened with …, or not opened). */
  browserNote: string | null;
  failure: LoginFailure | null;
  /** Which step broke. */
  failedAt: StepId | null;
}

/** The index of the step each event starts (or, for `done`, completes). */
function stepOf(event: LoginProgress): number | null {
  switch (event.event) {
    case 'waiting_for_browser':
    case 'browser_opened':
    case 'browser_not_opened':
    case 'device_code':
      return 0;
    case 'callback_received':
      return 2; // the callback is in: the exchange comes next
    case 'exchanging':
      return 2;
    case 'verifying':
      return 3;
    case 'done':
      return 5;
    default:
      return null;
  }
}

/** The picture of the flow after `events` (in the order they came). */
export function flowPicture(events: readonly LoginProgress[]): FlowPicture {
  let reached = -1;
  let url: string | null = null;
  let browserNote: string | null = null;
  let failure: LoginFailure | null = null;
  for (const event of events) {
    if (event.event === 'waiting_for_browser') url = event.url;
    if (event.event === 'browser_opened') browserNote = `Opened with ${event.command}.`;
    if (event.event === 'browser_not_opened') browserNote = `No browser opened: ${event.reason}. Open the URL below yourself.`;
    if (event.event === 'failed') failure = event.error;
    const step = stepOf(event);
    if (step !== null) reached = Math.max(reached, step);
  }
  const failedIndex = failure ? Math.max(reached, 0) : -1;
  const steps = STEPS.map((s, i) => {
    let state: StepState = 'pending';
    if (failure) state = i < failedIndex ? 'done' : i === failedIndex ? 'failed' : 'pending';
    else if (reached >= 5) state = 'done';
    else if (i < reached) state = 'done';
    else if (i === reached) state = 'active';
    return { ...s, state };
  });
  return { steps, url, browserNote, failure, failedAt: failure ? STEPS[failedIndex].id : null };
}

/** A claim's value as a line of text. */
export function claimText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
