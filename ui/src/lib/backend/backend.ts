import type { AppInfo, ErrorCode, IpcError } from '../bindings';

export type { AppInfo, ErrorCode, IpcError };

/**
 * What every generated command resolves to. Declared here rather than
 * imported so the UI doesn't depend on whether a given tauri-specta version
 * exports it from bindings.ts.
 */
export type CommandResult<T, E = IpcError> = { status: 'ok'; data: T } | { status: 'error'; error: E };

/** Where the answers come from: the desktop core, or built-in demo values. */
export type BackendKind = 'tauri' | 'mock';

/** Everything the UI asks of the Rust core. Pages only talk to this. */
export interface Backend {
  readonly kind: BackendKind;
  /** Versions and build details of the running app. */
  about(): Promise<AppInfo>;
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
