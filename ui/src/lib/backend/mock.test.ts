import { describe, expect, it } from 'vitest';
import { BackendError } from './backend';
import { mockOptionsFromQuery } from './index';
import { MOCK_APP_INFO, MockBackend } from './mock';

describe('MockBackend', () => {
  it('returns clearly labelled demo values', async () => {
    const backend = new MockBackend();
    expect(backend.kind).toBe('mock');
    const info = await backend.about();
    expect(info).toEqual(MOCK_APP_INFO);
    expect(info.core.version).toBe('0.0.0-mock');
    expect(info.app_version).toBe('0.0.0-mock');
    for (const value of [...Object.values(info.core), info.app_version, info.tauri_version, info.webview_version]) {
      expect(String(value)).toMatch(/mock/);
    }
  });

  it('hands out copies, so callers can’t change the demo data', async () => {
    const backend = new MockBackend();
    const info = await backend.about();
    info.core.version = 'changed';
    expect((await backend.about()).core.version).toBe('0.0.0-mock');
  });

  it('fails with a BackendError when told to', async () => {
    const backend = new MockBackend({ failWith: { code: 'io', message: 'disk on fire', fix: 'Call the fire brigade.' } });
    const error = await backend.about().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendError);
    expect(error).toMatchObject({ code: 'io', message: 'disk on fire', fix: 'Call the fire brigade.' });

    backend.failWith = null;
    await expect(backend.about()).resolves.toEqual(MOCK_APP_INFO);
    expect(backend.calls).toBe(2);
  });

  it('can be slow on purpose', async () => {
    const backend = new MockBackend({ delayMs: 20 });
    const started = Date.now();
    await backend.about();
    expect(Date.now() - started).toBeGreaterThanOrEqual(15);
  });
});

describe('mockOptionsFromQuery', () => {
  it('is a plain, working mock without parameters', () => {
    expect(mockOptionsFromQuery('')).toEqual({ failWith: null, delayMs: 0 });
  });

  it('can ask for a failure and a delay', () => {
    const options = mockOptionsFromQuery('?mock-error=not_built&mock-delay=250');
    expect(options.failWith).toMatchObject({ code: 'not_built' });
    expect(options.failWith?.fix).toBeTruthy();
    expect(options.delayMs).toBe(250);
  });

  it('ignores nonsense delays', () => {
    expect(mockOptionsFromQuery('?mock-delay=abc').delayMs).toBe(0);
    expect(mockOptionsFromQuery('?mock-delay=-5').delayMs).toBe(0);
  });
});
