/**
 * The Diagnose page's logic, kept out of the component so it can be tested
 * alone: the form's checks and the request it sends, each check's live state
 * from the core's events, how a status reads (text and tone), the picture of
 * the dependency chain, the ranked summary, and the hand-off from other pages.
 */
import type {
  CheckKind,
  CheckResult,
  CheckStatus,
  DiagnoseEvent,
  DiagnoseFinding,
  DiagnoseRequest,
  Diagnosis,
  PlannedCheck,
  RootCause,
  SignInCloud,
} from './bindings';
import { hashFor } from './areas';
import { authorityProblem, clientIdProblem, tenantProblem, type AuthorityChoice } from './signin';

// ---------------------------------------------------------------- status

/** The colour family a status is drawn in (the app's --ok / --warn / --danger / --info tokens). */
export type Tone = 'neutral' | 'running' | 'ok' | 'warn' | 'danger' | 'muted';

export const STATUS: Readonly<Record<CheckStatus, { text: string; tone: Tone; icon: string }>> = {
  pending: { text: 'Waiting', tone: 'neutral', icon: '·' },
  running: { text: 'Running', tone: 'running', icon: '' },
  passed: { text: 'Passed', tone: 'ok', icon: '✓' },
  warning: { text: 'Warning', tone: 'warn', icon: '!' },
  failed: { text: 'Failed', tone: 'danger', icon: '✕' },
  timed_out: { text: 'Timed out', tone: 'danger', icon: '⧗' },
  blocked: { text: 'Blocked', tone: 'muted', icon: '–' },
  skipped: { text: 'Skipped', tone: 'muted', icon: '○' },
  cancelled: { text: 'Cancelled', tone: 'muted', icon: '–' },
};

/** Whether the check has ended (anything but waiting or running). */
export function isFinished(status: CheckStatus): boolean {
  return status !== 'pending' && status !== 'running';
}

/** A check's own problem (not a consequence of another's). */
export function isProblem(status: CheckStatus): boolean {
  return status === 'failed' || status === 'timed_out' || status === 'warning';
}

const KIND_LABEL: Readonly<Record<CheckKind, string>> = {
  environment: 'Proxy & CA',
  dns: 'DNS',
  tcp: 'TCP',
  tls: 'TLS',
  http: 'HTTP',
  clock: 'Clock',
  tenant: 'Tenant',
  jwks: 'Signing keys',
  app_secret: 'App & secret',
  redirect_uri: 'Redirect URIs',
  graph: 'Graph',
  loopback: 'Loopback',
  browser: 'Browser',
};

/** A short name for the picture: "DNS", "TLS · Graph", "App & secret". */
export function shortLabel(check: Pick<PlannedCheck, 'kind' | 'subject'>): string {
  const label = KIND_LABEL[check.kind];
  return check.subject === 'graph' && check.kind !== 'graph' ? `${label} · Graph` : label;
}

// ---------------------------------------------------------------- live state

export interface LiveCheck {
  check: PlannedCheck;
  status: CheckStatus;
  result: CheckResult | null;
}

export interface LiveState {
  checks: LiveCheck[];
  diagnosis: Diagnosis | null;
}

export const EMPTY: LiveState = { checks: [], diagnosis: null };

/** The state after one more event from the core (a new object; the old one is untouched). */
export function apply(state: LiveState, event: DiagnoseEvent): LiveState {
  switch (event.event) {
    case 'planned':
      return { checks: event.checks.map((check) => ({ check, status: 'pending', result: null })), diagnosis: null };
    case 'started':
      return {
        ...state,
        checks: state.checks.map((c) => (c.check.id === event.id ? { ...c, status: 'running' } : c)),
      };
    case 'finished':
      return {
        ...state,
        checks: state.checks.map((c) =>
          c.check.id === event.result.id ? { ...c, status: event.result.status, result: event.result } : c,
        ),
      };
    case 'done':
      return fromDiagnosis(event.diagnosis, state.checks.map((c) => c.check));
  }
}

/** The final state of a finished diagnosis (its results are authoritative). */
export function fromDiagnosis(diagnosis: Diagnosis, plan: readonly PlannedCheck[] = []): LiveState {
  const planned = new Map(plan.map((p) => [p.id, p]));
  return {
    diagnosis,
    checks: diagnosis.results.map((result) => ({
      check: planned.get(result.id) ?? {
        id: result.id,
        kind: result.kind,
        subject: result.subject,
        title: result.title,
        depends_on: [],
      },
      status: result.status,
      result,
    })),
  };
}

/** "Blocked by Resolve login.microsoftonline.com" — the titles of what did not pass. */
export function blockedByText(result: CheckResult, checks: readonly LiveCheck[]): string {
  if (result.blocked_by.length === 0) return '';
  const title = (id: string) => checks.find((c) => c.check.id === id)?.check.title ?? id;
  return `Blocked by ${result.blocked_by.map(title).join(', ')}`;
}

/** One sentence for the live region: how far the run is, and what is running. */
export function progressText(state: LiveState, running: boolean): string {
  const total = state.checks.length;
  if (total === 0) return running ? 'Planning the checks…' : '';
  const done = state.checks.filter((c) => isFinished(c.status)).length;
  if (state.diagnosis) return `Diagnosis finished: ${overallText(state.diagnosis)}`;
  const now = state.checks.filter((c) => c.status === 'running').map((c) => c.check.title);
  return `${done} of ${total} checks done${now.length ? `; running: ${now.join(', ')}` : ''}`;
}

export function overallText(diagnosis: Diagnosis): string {
  const n = diagnosis.root_causes.length;
  switch (diagnosis.overall) {
    case 'healthy':
      return 'every check that ran passed.';
    case 'warnings':
      return `works, with ${n === 1 ? 'one thing' : `${n} things`} to look at.`;
    case 'problems':
      return `${n === 1 ? 'one root cause' : `${n} root causes`} found.`;
    case 'cancelled':
      return 'cancelled before every check ended.';
  }
}

export const OVERALL_TONE: Readonly<Record<Diagnosis['overall'], Tone>> = {
  healthy: 'ok',
  warnings: 'warn',
  problems: 'danger',
  cancelled: 'muted',
};

// ---------------------------------------------------------------- the picture

export interface PictureNode {
  id: string;
  label: string;
  title: string;
  row: number;
  col: number;
  status: CheckStatus;
}

export interface PictureEdge {
  from: string;
  to: string;
  /** The dependency did not pass: the line is drawn broken. */
  broken: boolean;
}

export interface Picture {
  nodes: PictureNode[];
  edges: PictureEdge[];
  rows: number;
  cols: number;
}

/**
 * The dependency chain as a layered drawing, top to bottom: a check's row is
 * the length of its longest dependency path; it keeps the column of its first
 * dependency when free — checks that others depend on choose first, so DNS →
 * TCP → TLS → HTTP → tenant is one straight line — and takes the nearest free
 * column otherwise. Checks with neither
 * dependencies nor dependents (loopback, browser) share the last row.
 */
export function picture(checks: readonly LiveCheck[]): Picture {
  const byId = new Map(checks.map((c) => [c.check.id, c]));
  const dependents = new Set(checks.flatMap((c) => c.check.depends_on));
  const alone = (c: LiveCheck) => c.check.depends_on.length === 0 && !dependents.has(c.check.id);
  const depth = new Map<string, number>();
  const depthOf = (id: string, seen: Set<string> = new Set()): number => {
    const known = depth.get(id);
    if (known !== undefined) return known;
    const c = byId.get(id);
    if (!c || seen.has(id)) return 0;
    seen.add(id);
    const d = c.check.depends_on.reduce((m, dep) => Math.max(m, depthOf(dep, seen) + 1), 0);
    depth.set(id, d);
    return d;
  };
  const chained = checks.filter((c) => !alone(c));
  const rows: LiveCheck[][] = [];
  for (const c of chained) (rows[depthOf(c.check.id)] ??= []).push(c);
  const col = new Map<string, number>();
  const nodes: PictureNode[] = [];
  const place = (c: LiveCheck, row: number, taken: Set<number>, wanted: number) => {
    let k = wanted;
    for (let step = 1; taken.has(k); step++) k = wanted + (step % 2 ? Math.ceil(step / 2) : -step / 2);
    if (k < 0) for (k = 0; taken.has(k); k++);
    taken.add(k);
    col.set(c.check.id, k);
    nodes.push({ id: c.check.id, label: shortLabel(c.check), title: c.check.title, row, col: k, status: c.status });
  };
  const fanOut = (c: LiveCheck) => checks.filter((d) => d.check.depends_on.includes(c.check.id)).length;
  rows.forEach((row, r) => {
    const taken = new Set<number>();
    // Checks that others depend on first, so the chain stays straight.
    const ordered = [...(row ?? [])].sort((a, b) => fanOut(b) - fanOut(a));
    for (const c of ordered) place(c, r, taken, col.get(c.check.depends_on[0] ?? '') ?? 0);
  });
  const lonely = checks.filter(alone);
  if (lonely.length > 0) {
    const taken = new Set<number>();
    lonely.forEach((c, i) => place(c, rows.length, taken, i));
  }
  const edges: PictureEdge[] = chained.flatMap((c) =>
    c.check.depends_on
      .filter((d) => byId.has(d))
      .map((d) => {
        const s = byId.get(d)?.status ?? 'pending';
        return { from: d, to: c.check.id, broken: isFinished(s) && s !== 'passed' && s !== 'warning' };
      }),
  );
  return {
    nodes,
    edges,
    rows: rows.length + (lonely.length > 0 ? 1 : 0),
    cols: Math.max(1, ...nodes.map((n) => n.col + 1)),
  };
}

// ---------------------------------------------------------------- the summary

export interface SummaryItem {
  checkId: string;
  title: string;
  status: CheckStatus;
  finding: DiagnoseFinding | null;
  /** Titles of the checks this one explains (blocked because of it). */
  explains: string[];
  /** A root cause (true) or a warning worth a look (false). */
  root: boolean;
}

/**
 * Root causes first, in the core's order (most important first), each with
 * what it explains; then the warnings of checks that are not root causes.
 */
export function summary(diagnosis: Diagnosis): SummaryItem[] {
  const title = (id: string) => diagnosis.results.find((r) => r.id === id)?.title ?? id;
  const roots = diagnosis.root_causes.map((rc: RootCause) => ({
    checkId: rc.check_id,
    title: rc.title,
    status: rc.status,
    finding: rc.finding,
    explains: rc.explains.map(title),
    root: true,
  }));
  const rootIds = new Set(roots.map((r) => r.checkId));
  const warnings = diagnosis.results
    .filter((r) => !rootIds.has(r.id))
    .flatMap((r) =>
      r.findings
        .filter((f) => f.severity === 'warning' || f.severity === 'error')
        .map((finding) => ({ checkId: r.id, title: r.title, status: r.status, finding, explains: [], root: false })),
    );
  return [...roots, ...warnings];
}

/** The `backticked` values in a fix (commands, URIs, names): each gets a Copy button. */
export function copyables(text: string): string[] {
  const parts = text.split('`');
  const out: string[] = [];
  for (let i = 1; i < parts.length - 1; i += 2) {
    const value = parts[i].trim();
    if (value && !out.includes(value)) out.push(value);
  }
  return out;
}

// ---------------------------------------------------------------- the form

export interface DiagnoseForm extends AuthorityChoice {
  clientId: string;
  secretName: string;
  target: string;
  baseUrl: string;
  /** Seconds per check, as typed. */
  timeout: string;
}

export const EMPTY_FORM: DiagnoseForm = {
  mode: 'tenant',
  cloud: 'global',
  tenant: '',
  authorityUrl: '',
  clientId: '',
  secretName: '',
  target: '',
  baseUrl: '',
  timeout: '10',
};

export type FormField = 'authority' | 'clientId' | 'target' | 'baseUrl' | 'timeout';

/** What is wrong with the form, per field; an empty object when it can run. */
export function formProblems(form: DiagnoseForm): Partial<Record<FormField, string>> {
  const out: Partial<Record<FormField, string>> = {};
  const authority = form.mode === 'url' ? authorityProblem(form.authorityUrl) : tenantProblem(form.tenant);
  if (authority) out.authority = authority;
  if (form.clientId.trim() !== '') {
    const client = clientIdProblem(form.clientId);
    if (client) out.clientId = client;
  }
  if (form.target.trim() !== '' && form.baseUrl.trim() === '') {
    out.baseUrl = 'The product’s redirect URIs are built from its public URL, e.g. https://grafana.example.com.';
  }
  if (form.baseUrl.trim() !== '') {
    try {
      new URL(form.baseUrl.trim());
    } catch {
      out.baseUrl = 'Not a URL: give the product’s public URL, e.g. https://grafana.example.com.';
    }
    if (form.target.trim() === '') out.target = 'Name the product the base URL belongs to (e.g. grafana).';
  }
  const t = form.timeout.trim();
  if (t !== '' && !(/^\d+$/.test(t) && Number(t) >= 1 && Number(t) <= 120)) {
    out.timeout = 'A whole number of seconds from 1 to 120.';
  }
  return out;
}

const orNull = (s: string) => (s.trim() === '' ? null : s.trim());

/** The core's request from the form. No secret: only the saved secret's name. */
export function requestFrom(form: DiagnoseForm): DiagnoseRequest {
  const url = form.mode === 'url';
  return {
    authority: url ? orNull(form.authorityUrl) : null,
    tenant: url ? null : orNull(form.tenant),
    cloud: url ? null : form.cloud,
    client_id: orNull(form.clientId),
    secret_name: orNull(form.secretName),
    target: orNull(form.target),
    base_url: orNull(form.baseUrl),
    redirect_uris: [],
    graph_url: null,
    loopback_port: null,
    timeout_secs: orNull(form.timeout) === null ? null : Number(form.timeout.trim()),
    ca_file: null,
  };
}

/**
 * The target names to suggest: the core's own registry, as `setup_targets`
 * lists it (never a list written here, which would drift from the core's).
 */
export function targetNames(targets: readonly { info: { name: string } }[]): string[] {
  return targets.map((t) => t.info.name);
}

// ---------------------------------------------------------------- hand-off

/**
 * What another page (Setup) hands to Diagnose: the page opens with these
 * fields filled. Any field may be left out.
 */
export interface DiagnosePrefill {
  /** A full authority URL; wins over tenant + cloud. */
  authority?: string;
  tenant?: string;
  cloud?: SignInCloud;
  clientId?: string;
  secretName?: string;
  target?: string;
  baseUrl?: string;
}

let pendingPrefill: DiagnosePrefill | null = null;

/**
 * Opens the Diagnose page with `prefill` in its form: the one way for another
 * page to hand a setup over (`handOffToDiagnose({ tenant, clientId, … })`).
 * The values wait here until the page takes them, once.
 */
export function handOffToDiagnose(prefill: DiagnosePrefill, win: Window = window): void {
  pendingPrefill = { ...prefill };
  win.location.hash = hashFor('diagnose');
}

/** The waiting hand-off, if any, cleared as it is read (the Diagnose page calls this when it opens). */
export function takeDiagnosePrefill(): DiagnosePrefill | null {
  const taken = pendingPrefill;
  pendingPrefill = null;
  return taken;
}

/** The form with a hand-off applied. */
export function withPrefill(form: DiagnoseForm, p: DiagnosePrefill): DiagnoseForm {
  const next = { ...form };
  if (p.authority) Object.assign(next, { mode: 'url', authorityUrl: p.authority });
  else if (p.tenant) Object.assign(next, { mode: 'tenant', tenant: p.tenant, cloud: p.cloud ?? form.cloud });
  if (p.clientId !== undefined) next.clientId = p.clientId;
  if (p.secretName !== undefined) next.secretName = p.secretName;
  if (p.target !== undefined) next.target = p.target;
  if (p.baseUrl !== undefined) next.baseUrl = p.baseUrl;
  return next;
}
