import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppInfo, IpcError, SecretStatus, SetOutcome } from '../bindings';
import { BackendError } from './backend';
import { MockBackend, TauriBackend, createBackend, getBackend, isTauri, setBackend } from './index';
import { unwrap } from './tauri';

const INFO: AppInfo = {
  core: {
    name: 'Entrance',
    version: '1.2.3',
    git_commit: 'abc1234',
    build_date: '2026-01-01',
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

const STATUS: SecretStatus = {
  name: 'prod-grafana',
  store: 'keychain',
  present: true,
  created_at: '2026-05-01T09:00:00Z',
  updated_at: '2026-05-01T09:00:00Z',
  expires_on: '2027-05-31',
  expiry_source: 'entered',
  expiry: { state: 'valid', days_left: 395 },
};

describe('TauriBackend secrets', () => {
  /** Answers like the core would and records every call with its arguments. */
  function fakeCore(answers: Record<string, unknown>) {
    const calls: { cmd: string; args: unknown }[] = [];
    mockIPC((cmd, args) => {
      calls.push({ cmd, args });
      if (!(cmd in answers)) throw new Error(`unexpected command ${cmd}`);
      const answer = answers[cmd];
      if (answer instanceof Error) throw answer;
      if (typeof answer === 'object' && answer !== null && 'code' in answer) throw answer;
      return answer;
    });
    return calls;
  }

  it('lists secrets and checks values through their commands', async () => {
    const warning = { code: 'secret.looks_like_secret_id', message: 'This looks like the Secret ID', fix: 'Copy the Value.' };
    const calls = fakeCore({ secret_list: [STATUS], secret_check: [warning] });
    const backend = new TauriBackend();
    await expect(backend.secretList()).resolves.toEqual([STATUS]);
    await expect(backend.secretCheck('3f2b8c1e-9d4a-4e7b-8c2d-1a2b3c4d5e6f')).resolves.toEqual([warning]);
    expect(calls).toEqual([
      { cmd: 'secret_list', args: {} },
      { cmd: 'secret_check', args: { value: '3f2b8c1e-9d4a-4e7b-8c2d-1a2b3c4d5e6f' } },
    ]);
  });

  it('sends what secret_set needs, with the options the admin chose', async () => {
    const outcome: SetOutcome = { status: STATUS, replaced: false, warnings: [] };
    const calls = fakeCore({ secret_set: outcome });
    await expect(
      new TauriBackend().secretSet({
        name: 'prod-grafana',
        value: 'Xy48Q~value',
        expiresOn: '2027-05-31',
        sessionOnly: false,
        acceptWarnings: true,
      }),
    ).resolves.toEqual(outcome);
    expect(calls).toEqual([
      {
        cmd: 'secret_set',
        args: { name: 'prod-grafana', value: 'Xy48Q~value', expiresOn: '2027-05-31', sessionOnly: false, acceptWarnings: true },
      },
    ]);
  });

  it('deletes, sets the expiry and reveals by name', async () => {
    const calls = fakeCore({ secret_delete: null, secret_set_expiry: STATUS, secret_reveal: 'Xy48Q~value' });
    const backend = new TauriBackend();
    await expect(backend.secretDelete('prod-grafana')).resolves.toBeUndefined();
    await expect(backend.secretSetExpiry('prod-grafana', null)).resolves.toEqual(STATUS);
    await expect(backend.secretReveal('prod-grafana')).resolves.toBe('Xy48Q~value');
    expect(calls).toEqual([
      { cmd: 'secret_delete', args: { name: 'prod-grafana' } },
      { cmd: 'secret_set_expiry', args: { name: 'prod-grafana', expiresOn: null } },
      { cmd: 'secret_reveal', args: { name: 'prod-grafana' } },
    ]);
  });

  it('reports "nothing saved under that name" as null, other failures as errors', async () => {
    fakeCore({ secret_status: { code: 'secret.not_found', message: 'no secret named x is saved', fix: null } });
    await expect(new TauriBackend().secretStatus('x')).resolves.toBeNull();

    clearMocks();
    fakeCore({ secret_status: STATUS });
    await expect(new TauriBackend().secretStatus('prod-grafana')).resolves.toEqual(STATUS);

    clearMocks();
    fakeCore({ secret_status: { code: 'keychain.locked', message: 'The keychain is locked.', fix: 'Unlock it.' } });
    await expect(new TauriBackend().secretStatus('prod-grafana')).rejects.toMatchObject({
      name: 'BackendError',
      code: 'keychain.locked',
      fix: 'Unlock it.',
    });
  });

  it('passes the core’s refusal of a suspicious value on with its message and fix', async () => {
    const refusal: IpcError = {
      code: 'secret.suspicious_value',
      message: 'This looks like the Secret ID (a GUID), not the secret’s Value.',
      fix: 'Copy the Value column.',
    };
    fakeCore({ secret_set: refusal });
    const request = { name: 'a', value: 'b', expiresOn: null, sessionOnly: false, acceptWarnings: false };
    await expect(new TauriBackend().secretSet(request)).rejects.toMatchObject(refusal);
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

describe('TauriBackend diagnosis', () => {
  it('sends the request, the Graph token and a channel; exports and saves by format; explains text', async () => {
    const calls: { cmd: string; args: Record<string, unknown> }[] = [];
    mockIPC((cmd, args) => {
      calls.push({ cmd, args: args as Record<string, unknown> });
      if (cmd === 'diagnose_export') return '# Entrance diagnosis';
      if (cmd === 'diagnose_save') return '/home/admin/Downloads/entrance-diagnosis-2026-11-23_18-30-27.json';
      if (cmd === 'explain_text') return [];
      if (cmd === 'diagnose_cancel') return null;
      throw new Error(`unexpected command ${cmd}`);
    });
    const backend = new TauriBackend();
    await expect(backend.diagnoseExport('md')).resolves.toBe('# Entrance diagnosis');
    await expect(backend.diagnoseSave('json')).resolves.toMatch(/\.json$/);
    await expect(backend.explainText('AADSTS50011')).resolves.toEqual([]);
    await backend.diagnoseCancel();
    expect(calls).toEqual([
      { cmd: 'diagnose_export', args: { format: 'md' } },
      { cmd: 'diagnose_save', args: { format: 'json' } },
      { cmd: 'explain_text', args: { text: 'AADSTS50011' } },
      { cmd: 'diagnose_cancel', args: {} },
    ]);
  });

  it('starts a diagnosis with the saved secret’s name and a channel for its events', async () => {
    let seen: Record<string, unknown> = {};
    mockIPC((cmd, args) => {
      seen = { cmd, ...(args as Record<string, unknown>) };
      return Promise.reject({ code: 'secret.not_found', message: 'Nothing is saved under prod-grafana', fix: 'Store it first.' });
    });
    const request = { authority: null, tenant: 'contoso.onmicrosoft.com', cloud: 'global', client_id: null, secret_name: 'prod-grafana', target: null, base_url: null, redirect_uris: [], graph_url: null, loopback_port: null, timeout_secs: 10, ca_file: null } as const;
    await expect(new TauriBackend().diagnoseStart({ ...request, redirect_uris: [] }, null, () => {})).rejects.toMatchObject({ code: 'secret.not_found', fix: 'Store it first.' });
    expect(seen).toMatchObject({ cmd: 'diagnose_start', request: { secret_name: 'prod-grafana' }, graphToken: null });
    expect(seen.onEvent).toBeDefined();
  });
});
