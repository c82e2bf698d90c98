/**
 * The Setup wizard's pure helpers: step keys and states, what a verdict
 * says about each step, messages per field, labels, and the hand-off to
 * Diagnose. The page renders; these decide.
 */
import type {
  ConfigFormat,
  FieldMessage,
  MessageLevel,
  Profile,
  SandboxInfo,
  SignInCloud,
  Step,
  StepKind,
  StepState,
  TargetInputs,
  Verdict,
  VerdictOutcome,
} from './bindings';
import type { DiagnosePrefill } from './diagnose';
import type { Tone } from './secrets';

/** A step as the wizard tracks it: the core's step and its stable key. */
export interface KeyedStep {
  key: string;
  step: Step;
}

/**
 * Keys `kind:n` (the n-th step of that kind): stable while inputs change a
 * step's wording, so a saved state stays on its step.
 */
export function keyedSteps(steps: readonly Step[]): KeyedStep[] {
  const seen = new Map<StepKind, number>();
  return steps.map((step) => {
    const n = seen.get(step.kind) ?? 0;
    seen.set(step.kind, n + 1);
    return { key: `${step.kind}:${n}`, step };
  });
}

export const STEP_STATE_TEXT: Readonly<Record<StepState, { text: string; tone: Tone }>> = {
  todo: { text: 'To do', tone: 'neutral' },
  done: { text: 'Done', tone: 'ok' },
  verified: { text: 'Verified', tone: 'ok' },
  failed: { text: 'Failed', tone: 'danger' },
};

/** The admin's toggle: to do ↔ done (a verified or failed step goes back to done / to do). */
export function toggled(state: StepState): StepState {
  switch (state) {
    case 'todo':
      return 'done';
    case 'done':
      return 'todo';
    case 'verified':
      return 'done';
    case 'failed':
      return 'done';
  }
}

/** How many steps are done or verified. */
export function progress(steps: readonly KeyedStep[], states: Readonly<Record<string, StepState>>): { done: number; total: number } {
  const done = steps.filter((s) => states[s.key] === 'done' || states[s.key] === 'verified').length;
  return { done, total: steps.length };
}

/**
 * The portal step a verdict check is about, by its code (`grafana.roles.absent`,
 * `entra.aadsts9002327`). `null` when no one step is to blame.
 */
export function stepKindForCheck(code: string): StepKind | null {
  const c = code.toLowerCase();
  const aadsts = /aadsts(\d+)/.exec(c)?.[1];
  if (aadsts) {
    if (['50011', '9002326', '9002327', '700025', '7000218'].includes(aadsts)) return 'redirect_uris';
    if (['7000215', '7000222'].includes(aadsts)) return 'client_secret';
    if (['65001'].includes(aadsts)) return 'admin_consent';
    if (['50105'].includes(aadsts)) return 'assign_users';
    if (['70011'].includes(aadsts)) return 'expose_api';
    if (['700016'].includes(aadsts)) return 'register';
    return null;
  }
  if (/\.roles?\b|\.role\./.test(c) || c.includes('app_role')) return 'app_roles';
  if (c.includes('group')) return 'groups_claim';
  if (c.includes('optional') || c.includes('email') || c.includes('upn')) return 'optional_claims';
  if (c.includes('.aud')) return 'register';
  if (c.includes('.token.v1') || c.includes('version')) return 'token_version';
  if (c.includes('consent') || c.includes('permission')) return 'api_permissions';
  return null;
}

/**
 * The step states after a test sign-in: a step a failing (or warning) check
 * points at is `failed`; when the product signs the user in, every step
 * marked done becomes `verified`. Steps still to do stay as they are.
 */
export function statesAfterVerdict(
  steps: readonly KeyedStep[],
  states: Readonly<Record<string, StepState>>,
  verdict: Verdict,
): Record<string, StepState> {
  const next: Record<string, StepState> = { ...states };
  const blamed = new Set<StepKind>();
  for (const check of verdict.checks) {
    if (check.status !== 'fail' && check.status !== 'warn') continue;
    const kind = stepKindForCheck(check.code);
    if (kind) blamed.add(kind);
  }
  for (const { key, step } of steps) {
    const state = next[key] ?? 'todo';
    if (blamed.has(step.kind)) next[key] = 'failed';
    else if (verdict.outcome === 'works' && (state === 'done' || state === 'failed')) next[key] = 'verified';
  }
  return next;
}

export const OUTCOME_TEXT: Readonly<Record<VerdictOutcome, { text: string; tone: Tone }>> = {
  works: { text: 'Works', tone: 'ok' },
  degraded: { text: 'Works, not as intended', tone: 'warn' },
  fails: { text: 'Fails', tone: 'danger' },
  unknown: { text: 'Cannot tell', tone: 'neutral' },
};

/** The messages about one field, errors first. */
export function messagesFor(messages: readonly FieldMessage[], field: string): FieldMessage[] {
  const rank: Record<MessageLevel, number> = { error: 0, warning: 1, info: 2 };
  return messages.filter((m) => m.field === field).sort((a, b) => rank[a.level] - rank[b.level]);
}

/** Whether any message blocks (an error). */
export function hasErrors(messages: readonly FieldMessage[]): boolean {
  return messages.some((m) => m.level === 'error');
}

export const FORMAT_LABEL: Readonly<Record<ConfigFormat, string>> = {
  ini: 'ini',
  env: 'Environment',
  yaml: 'YAML',
  fields: 'Form fields',
};

/** The file name a block goes into, for the tab's caption ("grafana.ini"). */
export function formatCaption(format: ConfigFormat, target: string): string {
  if (format === 'ini' && target === 'grafana') return 'grafana.ini';
  if (format === 'env') return '.env';
  if (format === 'yaml') return 'docker compose / Helm';
  return FORMAT_LABEL[format];
}

/** Inputs with every field present (the core fills absent ones with its defaults). */
export type SetupInputs = Required<TargetInputs>;

/** `inputs` with the core's defaults for what is absent. */
export function filled(inputs: TargetInputs): SetupInputs {
  return { ...blankInputs(), ...inputs, settings: { ...(inputs.settings ?? {}) } } as SetupInputs;
}

/** Empty inputs for a product: only its defaults. */
export function blankInputs(): SetupInputs {
  return {
    base_url: '',
    tenant: null,
    client_id: null,
    cloud: 'global',
    audience: 'single_tenant',
    client_type: null,
    secret_name: null,
    settings: {},
  };
}

/**
 * The sandbox tenant's values for `target`: its tenant, the product's
 * correctly registered app (or the misconfigured twin) and that app's demo
 * secret's session name. `null` when the sandbox has no app for it.
 */
export function sandboxInputs(
  sandbox: SandboxInfo,
  target: string,
  twin: boolean,
  current: SetupInputs,
): { inputs: SetupInputs; app: string } | null {
  const app = sandbox.apps.find((a) => a.target === target && a.correct === !twin);
  if (!app) return null;
  return {
    app: app.name,
    inputs: {
      ...current,
      base_url: current.base_url.trim() || (app.public_url ?? ''),
      tenant: sandbox.tenant_id,
      client_id: app.client_id,
      cloud: 'global',
      audience: 'single_tenant',
      secret_name: app.secret_name,
    },
  };
}

/** What the Diagnose page is opened with. */
export function diagnosePrefill(target: string, inputs: TargetInputs, authority: string | null): DiagnosePrefill {
  const prefill: DiagnosePrefill = { target, baseUrl: inputs.base_url.trim() || undefined };
  if (authority) prefill.authority = authority;
  else if (inputs.tenant?.trim()) {
    prefill.tenant = inputs.tenant.trim();
    prefill.cloud = (inputs.cloud ?? 'global') as SignInCloud;
  }
  if (inputs.client_id?.trim()) prefill.clientId = inputs.client_id.trim();
  if (inputs.secret_name?.trim()) prefill.secretName = inputs.secret_name.trim();
  return prefill;
}

/** A new profile's name: the product and a number not taken yet ("Grafana 2"). */
export function freshProfileName(display: string, taken: readonly string[]): string {
  const lower = new Set(taken.map((t) => t.toLowerCase()));
  if (!lower.has(display.toLowerCase())) return display;
  for (let n = 2; ; n++) {
    const name = `${display} ${n}`;
    if (!lower.has(name.toLowerCase())) return name;
  }
}

/** A profile of the current page state. */
export function profileOf(
  name: string,
  target: string,
  inputs: TargetInputs,
  steps: Readonly<Record<string, StepState>>,
  verdict: Verdict | null,
): Profile {
  return { name, target, inputs: filled(inputs), steps: { ...steps }, verdict, updated_at: 0 };
}

/** The portal's wording for the loopback redirect's platform. */
export const PLATFORM_LABEL: Readonly<Record<string, string>> = {
  web: 'Web',
  spa: 'Single-page application',
  mobile_desktop: 'Mobile and desktop applications',
};

/**
 * Values worth copying out of an action line: `code` spans, URLs and IDs
 * (GUIDs), each once, without trailing punctuation.
 */
export function copyables(action: string): string[] {
  const URL = /\bhttps?:\/\/[^\s"'<>\])]+/g;
  const GUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;
  const prose = action.replace(/`[^`]*`/g, ' ');
  const found = [
    ...[...action.matchAll(/`([^`]+)`/g)].map((m) => m[1]),
    ...[...prose.matchAll(URL)].map((m) => m[0].replace(/[.,;:]+$/, '')),
    ...[...prose.replace(URL, ' ').matchAll(GUID)].map((m) => m[0]),
  ];
  return [...new Set(found)];
}
