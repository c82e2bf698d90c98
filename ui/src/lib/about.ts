import type { AppInfo } from './bindings';

export interface AboutRow {
  label: string;
  value: string;
}

const NOT_REPORTED = 'Not reported';

/** The About page's lines, in order. */
export function aboutRows(info: AppInfo): AboutRow[] {
  const c = info.core;
  return [
    { label: 'Entrance version', value: info.app_version },
    { label: 'Core version', value: c.version },
    { label: 'Commit', value: c.git_commit },
    { label: 'Build date', value: c.build_date },
    { label: 'Build profile', value: c.build_profile },
    { label: 'Target', value: c.target },
    { label: 'Rust compiler', value: c.rustc },
    { label: 'Tauri version', value: info.tauri_version },
    { label: 'WebView version', value: info.webview_version ?? NOT_REPORTED },
  ].map((row) => ({ ...row, value: row.value.trim() || NOT_REPORTED }));
}

/** Plain text for "Copy all", e.g. to paste into a support ticket. */
export function aboutText(info: AppInfo): string {
  const rows = aboutRows(info);
  const width = Math.max(...rows.map((r) => r.label.length)) + 1;
  return rows.map((r) => `${`${r.label}:`.padEnd(width)} ${r.value}`).join('\n') + '\n';
}
