import { AREAS, expect, expectHeading, test } from './fixtures';
import { APP_CSP, FREEZE_PROTOTYPE, SECURITY_SOURCE } from '../../security.ts';

test(`the built app is served with the app’s CSP (from ${SECURITY_SOURCE})`, async ({ page }) => {
  const response = await page.goto('/');
  expect(response?.headers()['content-security-policy']).toBe(APP_CSP);
  expect(APP_CSP).toContain("script-src 'self'");
  expect(APP_CSP).toContain("style-src 'self'");
  expect(APP_CSP).not.toContain('unsafe-');
});

test('the app runs with Object.prototype frozen, as in the Tauri window', async ({ page }) => {
  test.skip(!FREEZE_PROTOTYPE, 'tauri.conf.json does not freeze the prototype');
  await page.goto('/#/about');
  await expect(page.locator('dd').first()).toContainText('0.0.0-mock');
  expect(await page.evaluate(() => Object.isFrozen(Object.prototype))).toBe(true);
});

test('visiting every area under the CSP produces no console errors or violations', async ({ page, problems }) => {
  await page.goto('/');
  for (const area of AREAS) {
    await page.goto(`/#/${area.id}`);
    await expectHeading(page, area.name);
  }
  await expect(page.locator('dd').first()).toContainText('0.0.0-mock');
  // The fixture's teardown asserts the same; checking here keeps the test self-explanatory.
  expect(problems.console).toEqual([]);
  expect(problems.pageErrors).toEqual([]);
  expect(problems.foreignRequests).toEqual([]);
  expect(await page.evaluate(() => window.__cspViolations)).toEqual([]);
});

test('markup carries no inline scripts or style attributes', async ({ page }) => {
  await page.goto('/#/about');
  await expect(page.locator('dd').first()).toContainText('0.0.0-mock');
  expect(await page.locator('[style]').count()).toBe(0);
  expect(await page.locator('script:not([src])').count()).toBe(0);
  expect(await page.locator('style').count()).toBe(0);
  expect(await page.locator('link[rel="stylesheet"]').count()).toBeGreaterThan(0);
});

test('the CSP is really enforced (an inline script is refused)', async ({ browser, baseURL }) => {
  // A separate page, so the deliberate violation doesn't trip the watchdog.
  const page = await browser.newPage();
  await page.goto(`${baseURL}/`);
  const result = await page.evaluate(async () => {
    const seen = new Promise<string>((resolve) =>
      document.addEventListener('securitypolicyviolation', (e) => resolve(e.effectiveDirective), { once: true }),
    );
    const s = document.createElement('script');
    s.textContent = 'window.__inlineRan = true';
    document.head.append(s);
    return { directive: await seen, ran: (window as { __inlineRan?: boolean }).__inlineRan === true };
  });
  expect(result).toEqual({ directive: 'script-src-elem', ran: false });
  await page.close();
});
