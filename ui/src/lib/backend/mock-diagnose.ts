/**
 * The mock backend's diagnosis, for the browser preview and the UI tests.
 *
 * It imitates `entrance_core::diagnose`: the same plan (environment → DNS →
 * TCP → TLS when https → HTTP → clock / tenant → keys, app & secret, redirect
 * URIs; Graph; loopback; browser), checks that start when what they depend on
 * passed and are blocked otherwise, root causes with the check they explain.
 * Scripted outcomes (every other check passes):
 * - a host ending in `.invalid` does not resolve (`dns.unresolvable`);
 * - a tenant containing `unknown`, or any tenant of the mock sandbox other
 *   than its own, is AADSTS90002 (`tenant.unknown`);
 * - a client ID ending in `99` (or not one of the mock sandbox's apps, on the
 *   sandbox) is AADSTS700016 (`app.unknown`);
 * - a target's redirect URI on the sandbox's misconfigured twin is AADSTS50011.
 * The AADSTS texts are the core's catalog's, abridged.
 */
import type {
  AadstsEntry,
  CheckKind,
  CheckResult,
  CheckStatus,
  DiagnoseEvent,
  DiagnoseFinding,
  DiagnoseRequest,
  Diagnosis,
  FoundCode,
  PlannedCheck,
  ReferenceCode,
  ReportFormat,
  RootCause,
  Subject,
} from '../bindings';
import { MOCK_SANDBOX } from './mock-signin';

const LOOKUP = (code: number) => `https://login.microsoftonline.com/error?code=${code}`;

/** The catalog rows the mock explains (abridged from the core's). */
export const MOCK_CATALOG: readonly AadstsEntry[] = [
  {
    code: 50011,
    title: 'The redirect URI in the request does not match a redirect URI registered for the app.',
    cause: 'Scheme, host, port, path, letter case or trailing slash differ from the registered URI.',
    fix: 'Register the exact redirect URI the product sends under App registration → Authentication, on the right platform (Web / SPA / Mobile and desktop).',
    cli: 'az ad app update --id {app-id} --web-redirect-uris {every web URI, existing ones included}',
    blade: 'authentication',
    products: [{ product: 'grafana', note: 'Grafana sends `root_url` + `/login/azuread`: set `[server] root_url` to the public https URL.' }],
    source: 'docs/aadsts.md#registration-and-platform',
  },
  {
    code: 90002,
    title: 'The tenant was not found.',
    cause: 'A typo in the tenant ID or domain, the wrong national cloud, or a domain that is not verified in the tenant.',
    fix: 'Copy the Directory (tenant) ID from App registration → Overview and use the authority host of the tenant’s cloud.',
    cli: 'az account show --query tenantId',
    blade: 'overview',
    products: [],
    source: 'docs/aadsts.md#guests-and-tenants',
  },
  {
    code: 700016,
    title: 'The application was not found in the directory.',
    cause: 'A wrong client ID, the wrong tenant, the wrong national cloud, or the app was deleted.',
    fix: 'Copy the Application (client) ID and the Directory (tenant) ID from App registration → Overview into the product.',
    cli: 'az ad app show --id {app-id} --query "{appId:appId,name:displayName}"',
    blade: 'overview',
    products: [],
    source: 'docs/aadsts.md#registration-and-platform',
  },
  {
    code: 7000215,
    title: 'An invalid client secret was provided.',
    cause: 'The secret’s ID was copied instead of its Value, the secret was replaced, or quoting changed it.',
    fix: 'Create a new client secret under Certificates & secrets, copy its Value (shown once — not the Secret ID) into the product.',
    cli: 'az ad app credential reset --id {app-id} --append --years 1 (prints the new Value once)',
    blade: 'certificates_and_secrets',
    products: [],
    source: 'docs/aadsts.md#secrets-and-certificates',
  },
];

/** Rows of Microsoft's reference table the mock knows (meaning only). */
export const MOCK_REFERENCE: readonly ReferenceCode[] = [
  { code: 50011, error: 'invalid_request', meaning: 'The redirect URI sent does not match any redirect URI registered for the app.' },
  { code: 50015, error: null, meaning: 'The user needs legal-age-group consent.' },
  { code: 90002, error: 'invalid_tenant', meaning: 'The tenant was not found.' },
  { code: 700016, error: 'unauthorized_client', meaning: 'No application with this client ID exists in the tenant.' },
  { code: 7000215, error: 'invalid_client', meaning: 'The client secret sent is not valid.' },
];

/** The mock's `explain_text`: every `AADSTS` code in the text, in order, once. */
export function explain(text: string): FoundCode[] {
  const decoded = text.replace(/\+/g, ' ').replace(/%3A/gi, ':');
  const codes: number[] = [];
  for (const m of decoded.matchAll(/AADSTS[\s-]?(\d{4,8})/gi)) {
    const code = Number(m[1]);
    if (!codes.includes(code)) codes.push(code);
  }
  return codes.map((code) => ({
    code,
    entry: MOCK_CATALOG.find((e) => e.code === code) ?? null,
    reference: MOCK_REFERENCE.find((r) => r.code === code) ?? null,
    lookup_url: LOOKUP(code),
  }));
}

interface Plan {
  authority: string;
  checks: PlannedCheck[];
}

function hostOf(url: URL): string {
  return url.host;
}

function authorityOf(r: DiagnoseRequest): string {
  if (r.authority) return r.authority.trim();
  const host = r.cloud === 'us_gov' ? 'login.microsoftonline.us' : r.cloud === 'china' ? 'login.partner.microsoftonline.cn' : 'login.microsoftonline.com';
  return `https://${host}/${(r.tenant ?? '').trim()}/v2.0`;
}

const check = (kind: CheckKind, subject: Subject | null, title: string, depends_on: string[]): PlannedCheck => ({
  id: subject ? `${kind}.${subject}` : kind,
  kind,
  subject,
  title,
  depends_on,
});

function network(out: PlannedCheck[], subject: Subject, url: URL) {
  const host = hostOf(url);
  out.push(check('dns', subject, `Resolve ${host}`, ['environment']));
  out.push(check('tcp', subject, `Connect to ${host}`, [`dns.${subject}`]));
  let last = `tcp.${subject}`;
  if (url.protocol === 'https:') {
    out.push(check('tls', subject, `TLS with ${host}`, [last]));
    last = `tls.${subject}`;
  }
  out.push(check('http', subject, `HTTP answer from ${host}`, [last]));
}

/** The plan the core would make, or the core's input error. */
export function plan(r: DiagnoseRequest): Plan | { error: string; fix: string } {
  const authority = authorityOf(r);
  let url: URL;
  try {
    url = new URL(authority);
  } catch {
    return { error: `authority: \`${authority}\` is not a URL`, fix: 'Give the tenant ID or domain (and the cloud), or the authority URL.' };
  }
  const out: PlannedCheck[] = [check('environment', null, 'Proxy and CA settings', [])];
  network(out, 'authority', url);
  out.push(check('clock', null, "Clock against the server's", ['http.authority']));
  out.push(check('tenant', null, `Tenant discovery at ${authority}`, ['http.authority']));
  out.push(check('jwks', null, 'Signing keys', ['tenant']));
  out.push(check('app_secret', null, 'App registration and client secret', ['tenant']));
  out.push(check('redirect_uri', null, 'Redirect URIs registered', ['tenant']));
  if (url.protocol === 'https:') {
    network(out, 'graph', new URL('https://graph.microsoft.com'));
    out.push(check('graph', null, 'Microsoft Graph and consented permissions', ['http.graph']));
  } else {
    out.push(check('graph', null, 'Microsoft Graph and consented permissions', ['tenant']));
  }
  out.push(check('loopback', null, 'Loopback listener for a sign-in', []));
  out.push(check('browser', null, 'Browser for a sign-in', []));
  return { authority, checks: out };
}

type Outcome = Pick<CheckResult, 'status' | 'summary' | 'details' | 'findings'>;

const finding = (code: DiagnoseFinding['code'], message: string, fix: string, aadsts: number | null = null): DiagnoseFinding => ({
  code,
  severity: 'error',
  message,
  fix,
  aadsts,
  links: aadsts === null ? [] : [{ label: `AADSTS${aadsts} on Microsoft's error lookup`, url: LOOKUP(aadsts) }],
});

const passed = (summary: string, details: CheckResult['details'] = []): Outcome => ({ status: 'passed', summary, details, findings: [] });
const failed = (summary: string, f: DiagnoseFinding): Outcome => ({ status: 'failed', summary, details: [], findings: [f] });

/** The scripted outcome of one check. */
function outcome(c: PlannedCheck, r: DiagnoseRequest, authority: URL): Outcome {
  const sandbox = authority.origin === MOCK_SANDBOX.base_url;
  const tenantSegment = authority.pathname.split('/').filter(Boolean)[0] ?? '';
  const client = (r.client_id ?? '').trim();
  switch (c.kind) {
    case 'dns':
      if (c.subject === 'authority' && authority.hostname.endsWith('.invalid')) {
        return failed(
          `${authority.hostname} does not resolve`,
          finding('dns.unresolvable', `${authority.hostname} does not resolve.`, 'Check the authority host for a typo, and that this server’s DNS resolver answers for public names: `nslookup login.microsoftonline.com`.'),
        );
      }
      return passed(`Resolved to ${sandbox ? '127.0.0.1' : '20.190.151.68'}`, [{ label: 'Addresses', value: sandbox ? '127.0.0.1' : '20.190.151.68' }]);
    case 'tenant': {
      const unknown = sandbox ? ![MOCK_SANDBOX.tenant_id, MOCK_SANDBOX.tenant_domain].includes(tenantSegment) : tenantSegment.includes('unknown');
      if (unknown) {
        return failed(
          'AADSTS90002: the tenant was not found',
          finding('tenant.unknown', `Tenant \`${tenantSegment}\` was not found (AADSTS90002).`, 'Copy the Directory (tenant) ID from App registration → Overview and use the authority host of the tenant’s cloud.', 90002),
        );
      }
      return passed('Found the tenant’s discovery document', [{ label: 'Issuer', value: `${authority.origin}/${tenantSegment}/v2.0` }]);
    }
    case 'app_secret': {
      if (client === '') return { status: 'skipped', summary: 'No client ID given', details: [], findings: [] };
      const known = sandbox ? MOCK_SANDBOX.apps.some((a) => a.client_id === client) : !client.endsWith('99');
      if (!known) {
        return failed(
          'AADSTS700016: no such application in the tenant',
          finding('app.unknown', `No application with client ID \`${client}\` in this tenant (AADSTS700016).`, 'Copy the Application (client) ID and the Directory (tenant) ID from App registration → Overview into the product.', 700016),
        );
      }
      return passed(r.secret_name ? 'The app exists and the client secret is valid' : 'The app exists (no secret given)');
    }
    case 'redirect_uri': {
      if (!r.target || !r.base_url) return { status: 'skipped', summary: 'No target or redirect URI given', details: [], findings: [] };
      const uri = `${r.base_url.replace(/\/$/, '')}/login/azuread`;
      const twin = MOCK_SANDBOX.apps.find((a) => a.name === 'grafana-misconfigured')?.client_id;
      if (sandbox && client === twin) {
        return failed(
          `${uri} is not registered (AADSTS50011)`,
          finding('redirect.unregistered', `The redirect URI \`${uri}\` is not registered for this app (AADSTS50011).`, `Register \`${uri}\` under App registration → Authentication → Web.`, 50011),
        );
      }
      return passed(`${uri} is registered`);
    }
    case 'graph':
      return passed('Microsoft Graph answered');
    default:
      return passed('OK');
  }
}

export interface MockRun {
  request: DiagnoseRequest;
  onEvent: (e: DiagnoseEvent) => void;
  stepMs: number;
  cancelled: () => boolean;
}

/** Plays a diagnosis: checks in dependency order, one at a time, as events. */
export async function run({ request, onEvent, stepMs, cancelled }: MockRun): Promise<Diagnosis> {
  const planned = plan(request);
  if ('error' in planned) throw planned;
  const started = Date.now();
  const authority = new URL(planned.authority);
  onEvent({ event: 'planned', checks: planned.checks });
  const results = new Map<string, CheckResult>();
  const ok = (s: CheckStatus) => s === 'passed' || s === 'warning';
  const pause = () => (stepMs > 0 ? new Promise((resolve) => setTimeout(resolve, stepMs)) : Promise.resolve());
  while (results.size < planned.checks.length) {
    const ready = planned.checks.filter((c) => !results.has(c.id) && c.depends_on.every((d) => results.has(d)));
    for (const c of ready) {
      const base = { id: c.id, kind: c.kind, subject: c.subject, title: c.title, blocked_by: [] as string[], duration_ms: 0 };
      const notPassed = c.depends_on.filter((d) => !ok(results.get(d)?.status ?? 'failed'));
      let result: CheckResult;
      if (cancelled()) {
        result = { ...base, status: 'cancelled', summary: 'Stopped by the admin', details: [], findings: [] };
      } else if (notPassed.length > 0) {
        result = { ...base, status: 'blocked', summary: 'Not run: a check it depends on did not pass', details: [], findings: [], blocked_by: notPassed };
      } else {
        onEvent({ event: 'started', id: c.id });
        await pause();
        result = cancelled()
          ? { ...base, status: 'cancelled', summary: 'Stopped by the admin', details: [], findings: [] }
          : { ...base, ...outcome(c, request, authority), duration_ms: Math.max(1, stepMs) };
      }
      results.set(c.id, result);
      onEvent({ event: 'finished', result });
    }
  }
  const ordered = planned.checks.map((c) => results.get(c.id) as CheckResult);
  const explains = (id: string): string[] => {
    const direct = ordered.filter((r) => r.blocked_by.includes(id)).map((r) => r.id);
    return [...direct, ...direct.flatMap(explains)];
  };
  const root_causes: RootCause[] = ordered
    .filter((r) => r.status === 'failed' || r.status === 'timed_out' || r.status === 'warning')
    .map((r) => ({ check_id: r.id, title: r.title, status: r.status, finding: r.findings[0] ?? null, explains: [...new Set(explains(r.id))] }));
  const diagnosis: Diagnosis = {
    request: structuredClone(request),
    authority: planned.authority,
    started_at: new Date(started).toISOString(),
    duration_ms: Date.now() - started,
    overall: ordered.some((r) => r.status === 'cancelled')
      ? 'cancelled'
      : ordered.some((r) => r.status === 'failed' || r.status === 'timed_out')
        ? 'problems'
        : ordered.some((r) => r.status === 'warning')
          ? 'warnings'
          : 'healthy',
    results: ordered,
    root_causes,
    entrance_version: '0.0.0-mock',
  };
  onEvent({ event: 'done', diagnosis });
  return diagnosis;
}

/** The mock's report text (the real one is the core's `report` module). */
export function render(d: Diagnosis, format: ReportFormat): string {
  if (format === 'json') return JSON.stringify(d, null, 2);
  const lines = [`# Entrance diagnosis (mock)`, '', `Authority: ${d.authority}`, `Overall: ${d.overall}`, '', '## Checks', ''];
  for (const r of d.results) lines.push(`- ${r.status}: ${r.title} — ${r.summary}`);
  if (d.root_causes.length > 0) {
    lines.push('', '## Root causes', '');
    for (const rc of d.root_causes) lines.push(`- ${rc.title}: ${rc.finding?.message ?? rc.status}${rc.finding?.fix ? ` Fix: ${rc.finding.fix}` : ''}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Where the mock "saves" (nothing is written in a browser). */
export function savedPath(d: Diagnosis, format: ReportFormat): string {
  const stamp = d.started_at.slice(0, 19).replace('T', '_').replace(/:/g, '-');
  return `/home/admin/Downloads/entrance-diagnosis-${stamp}.${format}`;
}
