import { describe, expect, it } from 'vitest';
import type { Expiry, SecretStatus } from './bindings';
import { cliSetCommand, expiryShown, looksLikeName, storeShown } from './secrets';

function status(expiry: Expiry, more: Partial<SecretStatus> = {}): SecretStatus {
  return {
    name: 'prod-grafana',
    store: 'keychain',
    present: true,
    created_at: '2026-05-01T09:00:00Z',
    updated_at: '2026-05-01T09:00:00Z',
    expires_on: '2026-05-01',
    expiry_source: 'entered',
    expiry,
    ...more,
  };
}

describe('expiryShown', () => {
  it('colours each state and warns only when something needs doing', () => {
    const shown = (e: Expiry) => {
      const s = expiryShown(status(e));
      return [s.tone, s.label, s.warning !== null];
    };
    expect(shown({ state: 'valid', days_left: 90 })).toEqual(['ok', 'Valid', false]);
    expect(shown({ state: 'expires_soon', days_left: 30 })).toEqual(['warn', 'Expires soon', true]);
    expect(shown({ state: 'expired', days_ago: 2 })).toEqual(['danger', 'Expired', true]);
    expect(shown({ state: 'unknown' })).toEqual(['neutral', 'Expiry unknown', false]);
  });

  it('words today and single days naturally', () => {
    const today = expiryShown(status({ state: 'expires_soon', days_left: 0 }));
    expect(today.detail).toBe('Expires today (2026-05-01)');
    expect(today.warning).toMatch(/^It expires today: after that Entra refuses it\./);
    expect(expiryShown(status({ state: 'expires_soon', days_left: 1 })).detail).toBe('Expires 2026-05-01 · 1 day left');
    expect(expiryShown(status({ state: 'expired', days_ago: 1 })).detail).toBe('Expired 2026-05-01 · 1 day ago');
  });
});

describe('storeShown', () => {
  it('tells the keychain, this session and a lost value apart', () => {
    expect(storeShown(status({ state: 'unknown' })).label).toBe('Stored in keychain');
    expect(storeShown(status({ state: 'unknown' }, { store: 'session' })).label).toBe('This session only');
    const lost = storeShown(status({ state: 'unknown' }, { present: false }));
    expect([lost.tone, lost.label]).toEqual(['danger', 'Missing from keychain']);
    expect(lost.warning).toContain('Replace it');
  });
});

describe('names and the CLI', () => {
  it('accepts the names the core accepts', () => {
    for (const ok of ['prod-grafana', 'a', 'Keep_2.test', 'x'.repeat(64)]) expect(looksLikeName(ok), ok).toBe(true);
    for (const bad of ['', '-lead', 'has space', 'x'.repeat(65), 'ümlaut']) expect(looksLikeName(bad), bad).toBe(false);
  });

  it('shows the CLI command for a name', () => {
    expect(cliSetCommand('prod-grafana')).toBe('entrance secret set prod-grafana');
    expect(cliSetCommand('not valid')).toBe('entrance secret set NAME');
  });
});
