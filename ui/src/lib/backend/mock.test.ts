import { describe, expect, it } from 'vitest';
import { BackendError } from './backend';
import { mockOptionsFromQuery } from './index';
import { MOCK_APP_INFO, MockBackend } from './mock';
import { MOCK_TARGETS } from './mock-setup';
import { SAMPLE_VERDICTS } from '../inspect-verdicts-sample';

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
    expect(mockOptionsFromQuery('')).toEqual({ failWith: null, delayMs: 0, secrets: [], keychainProblem: null });
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

describe('MockBackend secrets', () => {
  const TODAY = '2026-05-01';
  const VALUE = 'Xy48Q~mock-value-for-the-tests-0000';
  const SECRET_ID = '3f2b8c1e-9d4a-4e7b-8c2d-1a2b3c4d5e6f';
  const set = (backend: MockBackend, name: string, value = VALUE, more: Partial<Parameters<MockBackend['secretSet']>[0]> = {}) =>
    backend.secretSet({ name, value, expiresOn: null, sessionOnly: false, acceptWarnings: false, ...more });

  it('starts empty, stores a secret in the "keychain" and lists it without its value', async () => {
    const backend = new MockBackend({ today: TODAY });
    expect(await backend.secretList()).toEqual([]);
    const outcome = await set(backend, 'prod-grafana', VALUE, { expiresOn: '2027-05-31' });
    expect(outcome.replaced).toBe(false);
    expect(outcome.status).toMatchObject({
      name: 'prod-grafana',
      store: 'keychain',
      present: true,
      expires_on: '2027-05-31',
      expiry_source: 'entered',
      expiry: { state: 'valid', days_left: 395 },
    });
    const list = await backend.secretList();
    expect(list.map((s) => s.name)).toEqual(['prod-grafana']);
    expect(JSON.stringify(list)).not.toContain(VALUE);
    expect(await backend.secretStatus('prod-grafana')).toMatchObject({ name: 'prod-grafana' });
    expect(await backend.secretStatus('nothing-here')).toBeNull();
  });

  it('gives the value back only through secretReveal, and records that it did', async () => {
    const backend = new MockBackend({ today: TODAY });
    await set(backend, 'prod-grafana');
    expect(backend.revealed).toEqual([]);
    expect(await backend.secretReveal('prod-grafana')).toBe(VALUE);
    expect(backend.revealed).toEqual(['prod-grafana']);
  });

  it('checks values like the core: a Secret ID is refused unless accepted', async () => {
    const backend = new MockBackend({ today: TODAY });
    const warnings = await backend.secretCheck(SECRET_ID);
    expect(warnings.map((w) => w.code)).toEqual(['secret.looks_like_secret_id']);
    expect(warnings[0]?.message).toContain('Secret ID');
    expect(await backend.secretCheck(VALUE)).toEqual([]);
    expect((await backend.secretCheck(` "${SECRET_ID}" `)).map((w) => w.code)).toEqual([
      'secret.looks_like_secret_id',
      'secret.surrounding_whitespace',
      'secret.quoted',
    ]);

    await expect(set(backend, 'prod-grafana', SECRET_ID)).rejects.toMatchObject({
      code: 'secret.suspicious_value',
      message: 'This looks like the Secret ID (a GUID), not the secret’s Value.',
    });
    expect(await backend.secretList()).toEqual([]);
    const stored = await set(backend, 'prod-grafana', SECRET_ID, { acceptWarnings: true });
    expect(stored.warnings.map((w) => w.code)).toEqual(['secret.looks_like_secret_id']);
    await expect(set(backend, 'empty', '', { acceptWarnings: true })).rejects.toMatchObject({ code: 'secret.suspicious_value' });
  });

  it('refuses names and dates the core would refuse', async () => {
    const backend = new MockBackend({ today: TODAY });
    await expect(set(backend, 'has space')).rejects.toMatchObject({ code: 'input.invalid' });
    await expect(set(backend, 'ok', VALUE, { expiresOn: '31/05/2027' })).rejects.toMatchObject({ code: 'input.invalid' });
  });

  it('works out the expiry states from the end date', async () => {
    const backend = new MockBackend({ today: TODAY });
    const expiry = async (date: string | null) => (await set(backend, 'x', VALUE, { expiresOn: date })).status.expiry;
    expect(await expiry('2026-06-15')).toEqual({ state: 'valid', days_left: 45 });
    expect(await expiry('2026-05-31')).toEqual({ state: 'expires_soon', days_left: 30 });
    expect(await expiry('2026-05-01')).toEqual({ state: 'expires_soon', days_left: 0 });
    expect(await expiry('2026-04-28')).toEqual({ state: 'expired', days_ago: 3 });
    await backend.secretSetExpiry('x', null);
    expect((await backend.secretStatus('x'))?.expiry).toEqual({ state: 'unknown' });
  });

  it('replaces, sets the expiry and deletes', async () => {
    const backend = new MockBackend({ today: TODAY });
    await set(backend, 'prod-grafana', VALUE, { expiresOn: '2027-01-01' });
    const again = await set(backend, 'prod-grafana', 'Ab1Q~second');
    expect(again.replaced).toBe(true);
    expect(again.status.expires_on).toBe('2027-01-01');
    expect((await backend.secretSetExpiry('prod-grafana', '2026-05-10')).expiry).toEqual({ state: 'expires_soon', days_left: 9 });
    await backend.secretDelete('prod-grafana');
    expect(await backend.secretList()).toEqual([]);
    await expect(backend.secretDelete('prod-grafana')).rejects.toMatchObject({ code: 'secret.not_found' });
  });

  it('fails keychain calls like a broken keychain, while session-only secrets still work', async () => {
    const backend = new MockBackend({ today: TODAY, keychainProblem: 'keychain.no_secret_service' });
    const failure = await set(backend, 'prod-grafana').catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(BackendError);
    expect(failure).toMatchObject({ code: 'keychain.no_secret_service' });
    expect((failure as BackendError).fix).toContain('gnome-keyring');

    const session = await set(backend, 'prod-grafana', VALUE, { sessionOnly: true });
    expect(session.status.store).toBe('session');
    expect((await backend.secretList()).map((s) => s.store)).toEqual(['session']);
    expect(await backend.secretReveal('prod-grafana')).toBe(VALUE);
  });
});

describe('mockOptionsFromQuery for secrets', () => {
  it('can seed one secret in each expiry state', () => {
    const { secrets } = mockOptionsFromQuery('?mock-secrets=demo');
    expect(secrets?.map((s) => s.name)).toEqual(['prod-grafana', 'staging-keep', 'old-authentik', 'camunda-test']);
  });

  it('can break the keychain, and ignores what isn’t a keychain code', () => {
    expect(mockOptionsFromQuery('?mock-keychain=locked').keychainProblem).toBe('keychain.locked');
    expect(mockOptionsFromQuery('?mock-keychain=on-fire').keychainProblem).toBeNull();
  });

  it('names the targets as the core does (its verdicts, from `entrance inspect --target`)', () => {
    const core = SAMPLE_VERDICTS.map((v) => v.target).sort();
    expect(MOCK_TARGETS.map((t) => t.info.name).sort()).toEqual(core);
  });
});
