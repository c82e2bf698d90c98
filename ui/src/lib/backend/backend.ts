import type {
  AppInfo,
  ErrorCode,
  Expiry,
  ExpirySource,
  IpcError,
  SecretStatus,
  SecretStore,
  SecretWarning,
  SetOutcome,
} from '../bindings';
import type { GroupQuery, GroupResolution, Inspection, Verdict } from '../bindings';
export type { GroupQuery, GroupResolution, Inspection };
import type {
  AuthorityInput,
  ClientInput,
  LoginFailure,
  LoginProgress,
  LoginSummary,
  RedirectAdvice,
  SandboxApp,
  SandboxInfo,
  SandboxUser,
  SignInCloud,
  SignInRequest,
} from '../bindings';
export type {
  AuthorityInput,
  ClientInput,
  LoginFailure,
  LoginProgress,
  LoginSummary,
  RedirectAdvice,
  SandboxApp,
  SandboxInfo,
  SandboxUser,
  SignInCloud,
  SignInRequest,
};

import type { DiagnoseEvent, DiagnoseRequest, Diagnosis, FoundCode, ReportFormat } from '../bindings';
export type { DiagnoseEvent, DiagnoseRequest, Diagnosis, FoundCode, ReportFormat };

/** What `inspectVerdicts` needs: the paste, the IDs the product is configured with, and one product or all. */
export interface VerdictRequest {
  text: string;
  clientId: string | null;
  tenant: string | null;
  /** A target name (`grafana`); `null` for every product. */
  target: string | null;
  /** A saved setup whose product is judged with its settings; `null` for defaults. */
  profile: string | null;
}

/** What `inspectText` needs. Nothing leaves the machine unless `verify`. */
export interface InspectRequest {
  text: string;
  clientId: string | null;
  tenant: string | null;
  /** Fetch the tenant's signing keys and check the signature. */
  verify: boolean;
}

export type { AppInfo, ErrorCode, Expiry, ExpirySource, IpcError, SecretStatus, SecretStore, SecretWarning, SetOutcome };

/** What `secretSet` needs. The value only ever goes to the core. */
export interface SecretSetRequest {
  name: string;
  value: string;
  /** The secret's end date, `YYYY-MM-DD`; null keeps what was known. */
  expiresOn: string | null;
  /** Keep it in Entrance's memory for this session instead of the keychain. */
  sessionOnly: boolean;
  /** Store even though the core warned (the admin confirmed "Store anyway"). */
  acceptWarnings: boolean;
}

/**
 * What every generated command resolves to. Declared here rather than
 * imported so the UI doesn't depend on whether a given tauri-specta version
 * exports it from bindings.ts.
 */
export type CommandResult<T, E = IpcError> = { status: 'ok'; data: T } | { status: 'error'; error: E };

/** Where the answers come from: the desktop core, or built-in demo values. */
export type BackendKind = 'tauri' | 'mock';

import type { SetupApi } from './setup-api';
export type { SetupApi } from './setup-api';

/** Everything the UI asks of the Rust core. Pages only talk to this. */
export interface Backend {
  readonly kind: BackendKind;
  /** The Setup page's commands (setup-api.ts). */
  readonly setup: SetupApi;
  /** Versions and build details of the running app. */
  about(): Promise<AppInfo>;

  /** Saved secrets (keychain and this session), by name — never values. */
  secretList(): Promise<SecretStatus[]>;
  /** One saved secret, or null when nothing is saved under that name. */
  secretStatus(name: string): Promise<SecretStatus | null>;
  /** What looks wrong with a value as it is typed; [] when nothing does. */
  secretCheck(value: string): Promise<SecretWarning[]>;
  /** Store or replace a secret; `secret.suspicious_value` unless accepted. */
  secretSet(request: SecretSetRequest): Promise<SetOutcome>;
  /** Delete a secret from the keychain (or this session). */
  secretDelete(name: string): Promise<void>;
  /** Record the secret's end date (`YYYY-MM-DD`), or forget it with null. */
  secretSetExpiry(name: string, expiresOn: string | null): Promise<SecretStatus>;
  /**
   * The value itself. The one way a secret reaches the webview: call it only
   * on the admin's explicit Reveal or Copy click, and don't keep the result.
   */
  secretReveal(name: string): Promise<string>;

  /** Decode and explain a paste (verifies only when asked). */
  inspectText(request: InspectRequest): Promise<Inspection>;
  /** What each target product (or only `target`) does with the paste's tokens. Offline. */
  inspectVerdicts(request: VerdictRequest): Promise<Verdict[]>;
  /** List a user's groups through Microsoft Graph with a Graph access token. */
  resolveGroups(query: GroupQuery, graphToken: string): Promise<GroupResolution>;

  /** Start the sandbox tenant (once) on 127.0.0.1 and describe it. */
  sandboxStart(): Promise<SandboxInfo>;
  /** Stop the sandbox tenant. */
  sandboxStop(): Promise<void>;
  /** Store a sandbox app's demo secret for this session; resolves to its name. */
  sandboxUseSecret(app: string): Promise<string>;
  /** A browser sign-in; progress events arrive through `onProgress`. Claims only, never tokens. */
  loginStart(request: SignInRequest, onProgress: (event: LoginProgress) => void): Promise<LoginSummary>;
  /** Cancel the sign-in in flight. */
  loginCancel(): Promise<void>;
  /** The redirect URI to register, its platform and why. */
  loginRedirectAdvice(request: RedirectAdviceRequest): Promise<RedirectAdvice>;

  /**
   * Run a diagnosis; each check's progress arrives through `onEvent`. The
   * client secret is looked up by `request.secret_name` in the core; a Graph
   * token, when given, is used for this run only.
   */
  diagnoseStart(request: DiagnoseRequest, graphToken: string | null, onEvent: (event: DiagnoseEvent) => void): Promise<Diagnosis>;
  /** Cancel the diagnosis in flight. */
  diagnoseCancel(): Promise<void>;
  /** The last diagnosis's report (no secret in it), for Copy. */
  diagnoseExport(format: ReportFormat): Promise<string>;
  /** Save the last diagnosis's report in the Downloads folder; resolves to the file's path. */
  diagnoseSave(format: ReportFormat): Promise<string>;
  /** The AADSTS codes in any text, each with its title, cause, fix and portal blade. */
  explainText(text: string): Promise<FoundCode[]>;
}

/** What `loginRedirectAdvice` needs: the sign-in's authority, client kind and redirect. */
export interface RedirectAdviceRequest {
  authority: AuthorityInput;
  client: ClientInput;
  port: number | null;
  redirectUri: string | null;
}

/** A failure reported by (or on the way to) the core, with an optional fix. */
export class BackendError extends Error {
  readonly code: ErrorCode;
  readonly fix: string | null;

  constructor(code: ErrorCode, message: string, fix: string | null = null) {
    super(message);
    this.name = 'BackendError';
    this.code = code;
    this.fix = fix;
  }

  static fromIpc(error: IpcError): BackendError {
    return new BackendError(error.code, error.message, error.fix ?? null);
  }
}

export function isIpcError(value: unknown): value is IpcError {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.code === 'string' &&
    typeof v.message === 'string' &&
    (v.fix === null || v.fix === undefined || typeof v.fix === 'string')
  );
}

/**
 * Normalise anything thrown or returned as an error into a BackendError.
 * Tauri itself rejects with plain strings (unknown command, denied by the
 * capability config), and a broken bridge throws ordinary Errors.
 */
export function toBackendError(value: unknown): BackendError {
  if (value instanceof BackendError) return value;
  if (isIpcError(value)) return BackendError.fromIpc(value);
  if (value instanceof Error) return new BackendError('internal', value.message || value.name);
  if (typeof value === 'string' && value.length > 0) return new BackendError('internal', value);
  return new BackendError('internal', 'The core returned an error without details.');
}
