import type { AppInfo, IpcError, SecretStatus, SecretWarning, SetOutcome } from '../bindings';
import { BackendError, type Backend, type SecretSetRequest } from './backend';
import type { GroupQuery, GroupResolution, InspectRequest, Inspection } from './backend';
import { SAMPLE_INSPECTION } from '../inspect-sample';
import { SAMPLE_VERDICTS } from '../inspect-verdicts-sample';
import type { Verdict } from '../bindings';
import type { VerdictRequest } from './backend';
import type { LoginFailure, LoginProgress, LoginSummary, RedirectAdvice, RedirectAdviceRequest, SandboxInfo, SignInRequest } from './backend';
import { MOCK_FAILURE, MOCK_SANDBOX, scriptFor } from './mock-signin';
import type { DiagnoseEvent, DiagnoseRequest, Diagnosis, FoundCode, ReportFormat } from './backend';
import * as mockDiagnose from './mock-diagnose';
import { MockSetup, type MockSetupOptions } from './mock-setup';
import {
  badDate,
  checkName,
  checkValue,
  isDate,
  keychainError,
  notFound,
  statusOf,
  todayUtc,
  type KeychainCode,
  type MockSecret,
} from './mock-secrets';

/**
 * Demo values used when the UI runs in a plain browser (vite dev/preview,
 * tests). Every value says "mock" so nobody mistakes it for a real build.
 */
export const MOCK_APP_INFO: AppInfo = {
  core: {
    name: 'Entrance (mock)',
    version: '0.0.0-mock',
    git_commit: '0000000 (mock)',
    build_date: '2026-01-01 (mock)',
    build_profile: 'mock',
    target: 'browser (mock)',
    rustc: 'none (mock)',
  },
  app_version: '0.0.0-mock',
  tauri_version: '0.0.0-mock',
  webview_version: 'browser (mock)',
};

export interface MockOptions {
  /** Make every call fail with this error, as the core would report it. */
  failWith?: IpcError | null;
  /** Artificial latency, to see loading states. */
  delayMs?: number;
  /** Secrets saved before the page opened (values included: it is a demo). */
  secrets?: MockSecret[];
  /** Make every keychain call fail like this; session-only secrets still work. */
  keychainProblem?: KeychainCode | null;
  /** "Today" for expiry, `YYYY-MM-DD`; defaults to the real date (UTC). */
  today?: string;
  /** Saved setup profiles, or a corrupt profiles file (mock-setup.ts). */
  setup?: MockSetupOptions;
}

/**
 * A stand-in backend with fixed demo data and an in-memory secret store; can
 * be told to fail. The secret checks imitate the core's (see mock-secrets.ts).
 */
export class MockBackend implements Backend {
  readonly kind = 'mock' as const;
  failWith: IpcError | null;
  delayMs: number;
  keychainProblem: KeychainCode | null;
  today: string;
  /** How many calls were made, for tests. */
  calls = 0;
  /** Names whose value left the backend (Reveal or Copy), in order, for tests. */
  readonly revealed: string[] = [];
  readonly #secrets = new Map<string, MockSecret>();

  /** The Setup page's part (mock-setup.ts). */
  readonly setup: MockSetup;

  constructor(options: MockOptions = {}) {
    this.setup = new MockSetup(options.setup ?? {}, {
      wait: () => this.respond(),
      secretValue: (name) => this.#secrets.get(name)?.value ?? null,
      sandboxRunning: () => this.#sandboxRunning,
      loginStart: (request, onProgress) => this.loginStart(request, onProgress),
    });
    this.failWith = options.failWith ?? null;
    this.delayMs = options.delayMs ?? 0;
    this.keychainProblem = options.keychainProblem ?? null;
    this.today = options.today ?? todayUtc();
    for (const secret of options.secrets ?? []) this.#secrets.set(secret.name, { ...secret });
  }

  async about(): Promise<AppInfo> {
    await this.respond();
    return structuredClone(MOCK_APP_INFO);
  }

  async secretList(): Promise<SecretStatus[]> {
    await this.respond();
    const all = [...this.#secrets.values()];
    if (all.some((s) => s.store === 'keychain')) this.keychain();
    return all.map((s) => statusOf(s, this.today)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async secretStatus(name: string): Promise<SecretStatus | null> {
    await this.respond();
    this.name(name);
    const secret = this.#secrets.get(name);
    if (secret?.store !== 'session') this.keychain();
    return secret ? statusOf(secret, this.today) : null;
  }

  async secretCheck(value: string): Promise<SecretWarning[]> {
    await this.respond();
    return checkValue(value);
  }

  async secretSet(request: SecretSetRequest): Promise<SetOutcome> {
    await this.respond();
    const warnings = checkValue(request.value);
    const first = warnings[0];
    if (first && (request.value === '' || !request.acceptWarnings)) {
      throw BackendError.fromIpc({ code: 'secret.suspicious_value', message: first.message, fix: first.fix });
    }
    this.name(request.name);
    if (request.expiresOn !== null && !isDate(request.expiresOn)) throw BackendError.fromIpc(badDate(request.expiresOn));
    const earlier = this.#secrets.get(request.name);
    if (!request.sessionOnly || earlier?.store === 'keychain') this.keychain();
    const now = `${this.today}T${new Date().toISOString().slice(11, 19)}Z`;
    const secret: MockSecret = {
      name: request.name,
      value: request.value,
      store: request.sessionOnly ? 'session' : 'keychain',
      expiresOn: request.expiresOn ?? earlier?.expiresOn ?? null,
      createdAt: earlier?.createdAt ?? now,
      updatedAt: now,
    };
    this.#secrets.set(request.name, secret);
    return { status: statusOf(secret, this.today), replaced: earlier !== undefined, warnings };
  }

  async secretDelete(name: string): Promise<void> {
    await this.respond();
    this.name(name);
    const secret = this.#secrets.get(name);
    if (secret?.store !== 'session') this.keychain();
    if (!secret) throw BackendError.fromIpc(notFound(name));
    this.#secrets.delete(name);
  }

  async secretSetExpiry(name: string, expiresOn: string | null): Promise<SecretStatus> {
    await this.respond();
    this.name(name);
    if (expiresOn !== null && !isDate(expiresOn)) throw BackendError.fromIpc(badDate(expiresOn));
    const secret = this.#secrets.get(name);
    if (!secret) throw BackendError.fromIpc(notFound(name));
    if (secret.store !== 'session') this.keychain();
    secret.expiresOn = expiresOn;
    return statusOf(secret, this.today);
  }

  async secretReveal(name: string): Promise<string> {
    await this.respond();
    this.name(name);
    const secret = this.#secrets.get(name);
    if (secret?.store !== 'session') this.keychain();
    if (!secret || secret.present === false) throw BackendError.fromIpc(notFound(name));
    this.revealed.push(name);
    return secret.value;
  }

  /** The last inspect request, for tests (`verify` must be explicit). */
  lastInspect: InspectRequest | null = null;

  /** A canned inspection of a realistic token; an empty paste is refused like the core does. */
  async inspectText(request: InspectRequest): Promise<Inspection> {
    await this.respond();
    this.lastInspect = { ...request };
    if (request.text.trim() === '') {
      throw BackendError.fromIpc({
        code: 'input.invalid',
        message: 'paste: is empty',
        fix: 'Paste an ID token, access token, Authorization header, redirect URL or token response.',
      });
    }
    return structuredClone(SAMPLE_INSPECTION);
  }

  /** The canned verdicts of the sample token; an unknown target is refused like the core does. */
  /** The last verdict request, for tests. */
  lastVerdicts: VerdictRequest | null = null;

  async inspectVerdicts(request: VerdictRequest): Promise<Verdict[]> {
    await this.respond();
    this.lastVerdicts = { ...request };
    if (request.text.trim() === '') {
      throw BackendError.fromIpc({
        code: 'input.invalid',
        message: 'paste: is empty',
        fix: 'Paste an ID token, access token, Authorization header, redirect URL or token response.',
      });
    }
    if (request.target === null) return structuredClone(SAMPLE_VERDICTS);
    const one = SAMPLE_VERDICTS.filter((v) => v.target === request.target);
    if (one.length === 0) {
      throw BackendError.fromIpc({
        code: 'input.invalid',
        message: `target: no target named ${request.target}`,
        fix: 'Choose one of keep, authentik, grafana, camunda, openmetadata, generic-oidc.',
      });
    }
    return structuredClone(one);
  }

  /** 250 generated groups; a Graph token containing "forbidden" gets Graph's 403. */
  async resolveGroups(query: GroupQuery, graphToken: string): Promise<GroupResolution> {
    await this.respond();
    if (graphToken.includes('forbidden')) {
      throw BackendError.fromIpc({
        code: 'graph.forbidden',
        message:
          'Microsoft Graph refused to list the groups (HTTP 403 Authorization_RequestDenied): Insufficient privileges to complete the operation.',
        fix: 'Resolving overage needs the delegated Microsoft Graph permissions User.Read and GroupMember.Read.All, and GroupMember.Read.All needs admin consent.',
      });
    }
    const ids = Array.from({ length: 250 }, (_, i) => `22222222-0000-4000-8001-${String(i + 1).padStart(12, '0')}`);
    const named = query.method === 'transitive_member_of';
    return {
      method: query.method,
      ids,
      names: named ? ids.map((_, i) => `Bulk group ${String(i + 1).padStart(3, '0')}`) : [],
      count: ids.length,
      pages: 1,
      url: `${query.graph_base.replace(/\/$/, '')}/v1.0/me/…`,
      note: null,
    };
  }

  /** Pause between scripted sign-in events, ms (tests may set 0). */
  signInStepMs = 400;
  /** The last sign-in request, for tests. */
  lastSignIn: SignInRequest | null = null;
  #sandboxRunning = false;
  #cancelled = false;

  async sandboxStart(): Promise<SandboxInfo> {
    await this.respond();
    this.#sandboxRunning = true;
    return structuredClone(MOCK_SANDBOX);
  }

  async sandboxStop(): Promise<void> {
    await this.respond();
    this.#sandboxRunning = false;
  }

  /** Stores the app's (fake) demo secret for this session, like the core. */
  async sandboxUseSecret(app: string): Promise<string> {
    await this.respond();
    if (!this.#sandboxRunning) {
      throw BackendError.fromIpc({
        code: 'input.invalid',
        message: 'sandbox: the sandbox tenant is not running',
        fix: 'Click "Try with the sandbox tenant" first.',
      });
    }
    const name = `sandbox-${app}`;
    this.#secrets.set(name, { name, value: `Mock8Q~sandbox-demo-${app}`, store: 'session', expiresOn: null });
    return name;
  }

  /** Plays the scripted sequence of `scriptFor`; Cancel ends it as the core does. */
  async loginStart(request: SignInRequest, onProgress: (event: LoginProgress) => void): Promise<LoginSummary> {
    await this.respond();
    this.lastSignIn = structuredClone(request);
    this.#cancelled = false;
    const { events, outcome } = scriptFor(request);
    for (const event of events) {
      if (this.#cancelled) {
        const cancelled: LoginFailure = {
          ...MOCK_FAILURE,
          code: 'login.cancelled',
          aadsts: null,
          oauth_error: null,
          message: 'the sign-in was cancelled',
          cause: null,
          fix: 'Start the sign-in again when ready.',
          blade: null,
          lookup_url: null,
          trace_id: null,
        };
        onProgress({ event: 'failed', error: cancelled });
        throw BackendError.fromIpc({ code: cancelled.code, message: cancelled.message, fix: cancelled.fix });
      }
      onProgress(event);
      if (this.signInStepMs > 0) await new Promise((resolve) => setTimeout(resolve, this.signInStepMs));
    }
    if ('flow' in outcome) return outcome;
    throw BackendError.fromIpc({ code: outcome.code, message: outcome.message, fix: outcome.fix });
  }

  async loginCancel(): Promise<void> {
    this.#cancelled = true;
  }

  /** The core's rule (docs/entra.md#redirect-uris), abridged: bare localhost for public, a path under Web for confidential. */
  async loginRedirectAdvice(r: RedirectAdviceRequest): Promise<RedirectAdvice> {
    await this.respond();
    const confidential = r.client.kind === 'confidential';
    const given = r.redirectUri?.trim() || (confidential ? 'http://localhost/entrance/callback' : 'http://localhost');
    const uri = r.port ? given.replace(/^http:\/\/localhost(:\d+)?/, `http://localhost:${r.port}`) : given;
    return confidential
      ? {
          uri,
          platform: 'web',
          portal: `App registration → Authentication → Web → Redirect URIs → Add URI: \`${uri}\``,
          why: 'To test the Web (confidential) registration the way the product uses it, the loopback URI must be under Web and the code redeemed with the client secret (docs/entra.md#redirect-uris).',
        }
      : {
          uri,
          platform: 'mobile_and_desktop',
          portal: `App registration → Authentication → Add a platform → Mobile and desktop applications → Custom redirect URIs: \`${uri}\``,
          why: 'Entrance signs in as a desktop app (public client, PKCE, no secret). Entra ignores the port for localhost, so register it without one (docs/entra.md#redirect-uris).',
        };
  }

  /** Pause per check of a scripted diagnosis, ms (tests may set 0). */
  diagnoseStepMs = 250;
  /** The last diagnosis request and Graph token given, for tests. */
  lastDiagnose: { request: DiagnoseRequest; graphToken: string | null } | null = null;
  /** Paths the mock pretended to save reports to, for tests. */
  readonly saved: string[] = [];
  #diagnosis: Diagnosis | null = null;
  #diagnoseCancelled = false;

  /** Plays the scripted diagnosis of mock-diagnose.ts; a saved secret name must exist, as in the core. */
  async diagnoseStart(request: DiagnoseRequest, graphToken: string | null, onEvent: (event: DiagnoseEvent) => void): Promise<Diagnosis> {
    await this.respond();
    this.lastDiagnose = { request: structuredClone(request), graphToken };
    this.#diagnoseCancelled = false;
    const secretName = request.secret_name?.trim();
    if (secretName) {
      this.name(secretName);
      const secret = this.#secrets.get(secretName);
      if (secret?.store !== 'session') this.keychain();
      if (!secret) throw BackendError.fromIpc(notFound(secretName));
    }
    try {
      this.#diagnosis = await mockDiagnose.run({
        request,
        onEvent,
        stepMs: this.diagnoseStepMs,
        cancelled: () => this.#diagnoseCancelled,
      });
    } catch (error) {
      if (error instanceof Error) throw error;
      const { error: message, fix } = error as { error: string; fix: string };
      throw BackendError.fromIpc({ code: 'input.invalid', message, fix });
    }
    return this.#diagnosis;
  }

  async diagnoseCancel(): Promise<void> {
    this.#diagnoseCancelled = true;
  }

  async diagnoseExport(format: ReportFormat): Promise<string> {
    await this.respond();
    return mockDiagnose.render(this.#lastDiagnosis(), format);
  }

  async diagnoseSave(format: ReportFormat): Promise<string> {
    await this.respond();
    const path = mockDiagnose.savedPath(this.#lastDiagnosis(), format);
    this.saved.push(path);
    return path;
  }

  async explainText(text: string): Promise<FoundCode[]> {
    await this.respond();
    return mockDiagnose.explain(text);
  }

  #lastDiagnosis(): Diagnosis {
    if (this.#diagnosis) return this.#diagnosis;
    throw BackendError.fromIpc({
      code: 'input.invalid',
      message: 'report: no diagnosis has finished yet',
      fix: 'Run a diagnosis first; its report can then be copied or saved.',
    });
  }

  /** Throws the configured keychain failure, if any. */
  private keychain(): void {
    if (this.keychainProblem) throw BackendError.fromIpc(keychainError(this.keychainProblem));
  }

  /** Throws the core's error for a name it would refuse. */
  private name(name: string): void {
    const invalid = checkName(name);
    if (invalid) throw BackendError.fromIpc(invalid);
  }

  private async respond(): Promise<void> {
    this.calls += 1;
    if (this.delayMs > 0) {
      await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    }
    if (this.failWith) throw BackendError.fromIpc(this.failWith);
  }
}
