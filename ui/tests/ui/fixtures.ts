import { test as base, expect, type Page } from '@playwright/test';
import { FREEZE_PROTOTYPE } from '../../security.ts';

export { expect };

export const AREAS = [
  { id: 'setup', name: 'Setup' },
  { id: 'inspect', name: 'Inspect' },
  { id: 'diagnose', name: 'Diagnose' },
  { id: 'signin', name: 'Sign in' },
  { id: 'secrets', name: 'Secrets' },
  { id: 'about', name: 'About' },
] as const;

export type AreaName = (typeof AREAS)[number]['name'];

declare global {
  interface Window {
    __cspViolations?: string[];
  }
}

interface Problems {
  console: string[];
  pageErrors: string[];
  foreignRequests: string[];
}

/**
 * Every test runs like the desktop window (the app's CSP from the preview
 * server, Object.prototype frozen if Tauri freezes it) and with a watchdog:
 * any console error, uncaught exception, CSP violation, or request leaving
 * the app's own origin fails the test.
 */
export const test = base.extend<{ problems: Problems }>({
  problems: [
    async ({ page, baseURL }, use) => {
      const problems: Problems = { console: [], pageErrors: [], foreignRequests: [] };
      const origin = new URL(baseURL ?? 'http://127.0.0.1').origin;

      if (FREEZE_PROTOTYPE) {
        // Tauri's `freezePrototype` does this before any app script runs.
        await page.addInitScript(() => Object.freeze(Object.prototype));
      }
      await page.addInitScript(() => {
        window.__cspViolations = [];
        document.addEventListener('securitypolicyviolation', (e) => {
          window.__cspViolations?.push(`${e.effectiveDirective} blocked ${e.blockedURI || 'inline'}`);
        });
      });
      page.on('console', (msg) => {
        if (msg.type() === 'error') problems.console.push(msg.text());
      });
      page.on('pageerror', (err) => problems.pageErrors.push(err.message));
      page.on('request', (req) => {
        const url = req.url();
        if (!url.startsWith('data:') && new URL(url).origin !== origin) problems.foreignRequests.push(url);
      });

      await use(problems);

      const csp = page.isClosed() ? [] : await page.evaluate(() => window.__cspViolations ?? []).catch(() => []);
      expect.soft(csp, 'CSP violations').toEqual([]);
      expect.soft(problems.console, 'console errors').toEqual([]);
      expect.soft(problems.pageErrors, 'uncaught exceptions').toEqual([]);
      expect.soft(problems.foreignRequests, 'requests to other origins').toEqual([]);
    },
    { auto: true },
  ],
});

export async function expectHeading(page: Page, name: string) {
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(name);
}

export function navLink(page: Page, name: AreaName) {
  return page.getByRole('navigation', { name: 'Areas' }).getByRole('link', { name: new RegExp(`^${name}\\b`) });
}
