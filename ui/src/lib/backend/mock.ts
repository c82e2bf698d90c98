import type { AppInfo, IpcError } from '../bindings';
import { BackendError, type Backend } from './backend';

/**
 * Demo values used when the UI runs in a plain browser (vite dev/preview,
 * tests). Every value says "mock" so nobody mistakes it for a real build.
 */
export const MOCK_APP_INFO: AppInfo = {
  core: {
    name: 'Entrance (mock)',
    version: '0.0.0-mock',
    git_commit: '0000000 (mock)',
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
}

/** A stand-in backend with fixed demo data; can be told to fail. */
export class MockBackend implements Backend {
  readonly kind = 'mock' as const;
  failWith: IpcError | null;
  delayMs: number;
  /** How many calls were made, for tests. */
  calls = 0;

  constructor(options: MockOptions = {}) {
    this.failWith = options.failWith ?? null;
    this.delayMs = options.delayMs ?? 0;
  }

  async about(): Promise<AppInfo> {
    await this.respond();
    return structuredClone(MOCK_APP_INFO);
  }

  private async respond(): Promise<void> {
    this.calls += 1;
    if (this.delayMs > 0) {
      await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    }
    if (this.failWith) throw BackendError.fromIpc(this.failWith);
  }
}
