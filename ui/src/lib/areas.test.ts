import { describe, expect, it } from 'vitest';
import { areaForShortcut, areaFromHash, areas, hashFor } from './areas';

describe('areas', () => {
  it('round-trips every area through its hash', () => {
    for (const area of areas) expect(areaFromHash(hashFor(area.id))).toBe(area.id);
    expect(areas.map((a) => a.shortcut)).toEqual(['1', '2', '3', '4', '5', '6']);
  });

  it('rejects unknown hashes', () => {
    for (const hash of ['', '#', '#/', '#/nope', '#/setup/extra', 'setup']) {
      expect(areaFromHash(hash), hash).toBeNull();
    }
    expect(areaFromHash('#/inspect/')).toBe('inspect');
  });

  it('maps Alt+digit (by physical key) to areas', () => {
    const key = (code: string, mods: Partial<Record<'altKey' | 'ctrlKey' | 'metaKey' | 'shiftKey', boolean>> = {}) =>
      areaForShortcut({ altKey: true, ctrlKey: false, metaKey: false, shiftKey: false, code, ...mods });
    expect(key('Digit1')).toBe('setup');
    expect(key('Digit2')).toBe('inspect');
    expect(key('Numpad3')).toBe('diagnose');
    expect(key('Digit4')).toBe('signin');
    expect(key('Digit5')).toBe('secrets');
    expect(key('Digit6')).toBe('about');
    expect(key('Digit7')).toBeNull();
    expect(key('KeyA')).toBeNull();
    expect(key('Digit1', { altKey: false })).toBeNull();
    expect(key('Digit1', { ctrlKey: true })).toBeNull();
    expect(key('Digit1', { shiftKey: true })).toBeNull();
  });
});
