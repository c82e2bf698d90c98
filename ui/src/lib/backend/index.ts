import { getContext, setContext } from 'svelte';
import type { Backend, ErrorCode } from './backend';
import { MockBackend, type MockOptions } from './mock';
import { demoSecrets, isKeychainCode, todayUtc } from './mock-secrets';
import { TauriBackend } from './tauri';

export * from './backend';
export { MockBackend, MOCK_APP_INFO, type MockOptions } from './mock';
export type { KeychainCode, MockSecret } from './mock-secrets';
export { TauriBackend } from './tauri';

/** True inside the Tauri window (its IPC bridge is present). */
export function isTauri(): boolean {
  return typeof window !== 'undefined' && '__TAURI_INTERNALS__' in window;
}

/**
 * Browser-preview switches for reviewing states by hand, e.g.
 * `/?mock-error=not_built#/about`, `/?mock-delay=2000#/about`,
 * `/?mock-secrets=demo#/secrets` (one secret in each expiry state) or
 * `/?mock-keychain=locked#/secrets` (the keychain fails with
 * `keychain.locked`; session-only secrets still work).
 * Only ever read for the mock; the desktop app ignores them.
 */
export function mockOptionsFromQuery(search: string): MockOptions {
  const params = new URLSearchParams(search);
  const code = params.get('mock-error');
  const delay = Number(params.get('mock-delay'));
  const keychain = `keychain.${params.get('mock-keychain') ?? ''}`;
  return {
    secrets: params.get('mock-secrets') === 'demo' ? demoSecrets(todayUtc()) : [],
    keychainProblem: isKeychainCode(keychain) ? keychain : null,
    failWith: code
      ? {
          code: code as ErrorCode,
          message: `Demo failure requested with ?mock-error=${code}.`,
          fix: 'Remove mock-error from the address to see the demo values again.',
        }
      : null,
    delayMs: Number.isFinite(delay) && delay > 0 ? Math.min(delay, 60_000) : 0,
  };
}

/** A fresh backend for the current environment: Tauri if present, else the mock. */
export function createBackend(): Backend {
  if (isTauri()) return new TauriBackend();
  return new MockBackend(typeof location === 'undefined' ? {} : mockOptionsFromQuery(location.search));
}

let current: Backend | null = null;

/** The app-wide backend (created on first use). */
export function getBackend(): Backend {
  current ??= createBackend();
  return current;
}

/** Replace the app-wide backend; `null` resets to auto-detection. For tests. */
export function setBackend(backend: Backend | null): void {
  current = backend;
}

/** Context key, so component tests can hand a backend to a single component. */
export const BACKEND_CONTEXT = Symbol('entrance.backend');

/** Make `backend` available to this component's children. */
export function provideBackend(backend: Backend): void {
  setContext(BACKEND_CONTEXT, backend);
}

/** The backend from context, falling back to the app-wide one. */
export function useBackend(): Backend {
  return getContext<Backend | undefined>(BACKEND_CONTEXT) ?? getBackend();
}
