import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppInfo, IpcError } from '../bindings';
import { BackendError } from './backend';
import { MockBackend, TauriBackend, createBackend, getBackend, isTauri, setBackend } from './index';
import { unwrap } from './tauri';

const INFO: AppInfo = {
  core: {
    name: 'Entrance',
    version: '1.2.3',
    git_commit: 'abc1234',
    build_profile: 'release',
    target: 'x86_64-unknown-linux-gnu',
    rustc: 'rustc 1.83.0',
  },
  app_version: '1.2.4',
  tauri_version: '2.9.0',
  webview_version: '130.0',
};

afterEach(() => {
  clearMocks();
  Reflect.deleteProperty(window, '__TAURI_INTERNALS__');
  Reflect.deleteProperty(window, '__TAURI_EVENT_PLUGIN_INTERNALS__');
  setBackend(null);
});

describe('unwrap', () => {
  it('returns data of an ok result', () => {
    expect(unwrap({ status: 'ok', data: 42 })).toBe(42);
  });

  it('throws a BackendError for an error result', () => {
    const error: IpcError = { code: 'input.invalid', message: 'nope', fix: null };
    expect(() => unwrap({ status: 'error', error })).toThrow(BackendError);
  });
});

describe('TauriBackend', () => {
  it('calls the about command and returns its data', async () => {
    const seen: string[] = [];
    mockIPC((cmd) => {
      seen.push(cmd);
      if (cmd === 'about') return INFO;
      throw new Error(`unexpected command ${cmd}`);
    });
    await expect(new TauriBackend().about()).resolves.toEqual(INFO);
    expect(seen).toEqual(['about']);
  });

  it('turns an IpcError into a BackendError with the same code, message and fix', async () => {
    const ipcError: IpcError = {
      code: 'not_built',
      message: 'Token inspection is not part of this build.',
      fix: 'Install the full edition.',
    };
    mockIPC(() => {
      // Tauri rejects with the command's serialised error value.
      throw ipcError;
    });
    const error = await new TauriBackend().about().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendError);
    const be = error as BackendError;
    expect(be.code).toBe(ipcError.code);
    expect(be.message).toBe(ipcError.message);
    expect(be.fix).toBe(ipcError.fix);
  });

  it('keeps a null fix as null', async () => {
    mockIPC(() => Promise.reject({ code: 'io', message: 'read failed', fix: null }));
    await expect(new TauriBackend().about()).rejects.toMatchObject({ code: 'io', fix: null });
  });

  it('reports Tauri’s own string rejections (e.g. ACL denial) as internal errors', async () => {
    mockIPC(() => Promise.reject('Command about not allowed by ACL'));
    const error = await new TauriBackend().about().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendError);
    expect(error).toMatchObject({ code: 'internal', message: 'Command about not allowed by ACL', fix: null });
  });

  it('wraps a thrown Error (broken bridge) as internal', async () => {
    mockIPC(() => {
      throw new TypeError('IPC bridge is gone');
    });
    await expect(new TauriBackend().about()).rejects.toMatchObject({
      name: 'BackendError',
      code: 'internal',
      message: 'IPC bridge is gone',
    });
  });
});

describe('getBackend', () => {
  it('uses the mock in a plain browser', () => {
    expect(isTauri()).toBe(false);
    expect(createBackend()).toBeInstanceOf(MockBackend);
    expect(getBackend().kind).toBe('mock');
  });

  it('uses Tauri when its IPC bridge is present', () => {
    mockIPC(() => INFO);
    expect(isTauri()).toBe(true);
    expect(createBackend()).toBeInstanceOf(TauriBackend);
    expect(getBackend().kind).toBe('tauri');
  });

  it('is one shared instance that tests can replace', () => {
    const mine = new MockBackend();
    setBackend(mine);
    expect(getBackend()).toBe(mine);
    setBackend(null);
    expect(getBackend()).not.toBe(mine);
    expect(getBackend()).toBe(getBackend());
  });
});
