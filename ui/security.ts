/**
 * The desktop window's security settings, read from the Tauri config so the
 * browser preview and the Playwright tests run under the same rules as the
 * app: `vite preview` sends the same Content-Security-Policy header, and the
 * tests freeze Object.prototype when Tauri does (`freezePrototype`).
 *
 * Node-only (used by vite.config.ts and the Playwright tests).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const TAURI_CONF = fileURLToPath(new URL('../src-tauri/tauri.conf.json', import.meta.url));

/** Used when the UI is built on its own, without the Rust tree next to it. */
const FALLBACK_CSP: Record<string, string> = {
  'default-src': "'self'",
  'script-src': "'self'",
  'style-src': "'self'",
  'img-src': "'self' data:",
  'connect-src': 'ipc: http://ipc.localhost',
};

interface TauriSecurity {
  csp?: string | Record<string, string | string[]> | null;
  freezePrototype?: boolean;
}

function readSecurity(): TauriSecurity | null {
  try {
    const conf = JSON.parse(readFileSync(TAURI_CONF, 'utf8')) as { app?: { security?: TauriSecurity } };
    return conf.app?.security ?? null;
  } catch {
    return null;
  }
}

function serialise(csp: string | Record<string, string | string[]>): string {
  if (typeof csp === 'string') return csp;
  return Object.entries(csp)
    .map(([directive, sources]) => `${directive} ${Array.isArray(sources) ? sources.join(' ') : sources}`)
    .join('; ');
}

const security = readSecurity();

/** The policy the app runs under, as a header value. */
export const APP_CSP: string = serialise(security?.csp ?? FALLBACK_CSP);

/** Whether Tauri freezes Object.prototype before the app's scripts run. */
export const FREEZE_PROTOTYPE: boolean = security?.freezePrototype ?? true;

/** Where the settings came from, for test titles and messages. */
export const SECURITY_SOURCE: string = security ? 'src-tauri/tauri.conf.json' : 'built-in fallback';
