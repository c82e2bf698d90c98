import { describe, expect, it } from 'vitest';
import { aboutRows, aboutText } from './about';
import { MOCK_APP_INFO } from './backend/mock';

describe('aboutRows', () => {
  it('lists the nine build facts in order', () => {
    expect(aboutRows(MOCK_APP_INFO).map((r) => r.label)).toEqual([
      'Entrance version',
      'Core version',
      'Commit',
      'Build date',
      'Build profile',
      'Target',
      'Rust compiler',
      'Tauri version',
      'WebView version',
    ]);
  });

  it('takes the Entrance version from the app and the core version from the core', () => {
    const rows = aboutRows({ ...MOCK_APP_INFO, app_version: '2.0.0', core: { ...MOCK_APP_INFO.core, version: '1.5.0' } });
    expect(rows[0]).toEqual({ label: 'Entrance version', value: '2.0.0' });
    expect(rows[1]).toEqual({ label: 'Core version', value: '1.5.0' });
  });

  it('says "Not reported" for a missing WebView version or empty values', () => {
    const rows = aboutRows({
      ...MOCK_APP_INFO,
      core: { ...MOCK_APP_INFO.core, git_commit: '' },
      webview_version: null,
    });
    expect(rows.find((r) => r.label === 'WebView version')?.value).toBe('Not reported');
    expect(rows.find((r) => r.label === 'Commit')?.value).toBe('Not reported');
  });
});

describe('aboutText', () => {
  it('is one aligned "Label: value" line per fact', () => {
    const text = aboutText(MOCK_APP_INFO);
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(9);
    expect(lines[0]).toBe('Entrance version: 0.0.0-mock');
    expect(lines[1]).toBe('Core version:     0.0.0-mock');
    expect(text.endsWith('\n')).toBe(true);
  });
});
