import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { expect, expectHeading, test } from './fixtures';

const SCREENS = path.join(import.meta.dirname, '..', '..', 'test-results', 'screens');
mkdirSync(SCREENS, { recursive: true });

test.use({ permissions: ['clipboard-read', 'clipboard-write'] });

/** Presses Tab until `target` has focus; fails if it takes more than `max` presses. */
async function tabTo(page: Page, target: Locator, max = 40) {
  for (let i = 0; i < max; i++) {
    if (await target.evaluate((el) => el === document.activeElement)) return;
    await page.keyboard.press('Tab');
  }
  await expect(target).toBeFocused();
}

const item = (page: Page, id: string) => page.locator(`li.item[data-check="${id}"]`);

test('a diagnosis is run by keyboard only and every check ends passed', async ({ page }) => {
  await page.goto('/');
  await page.keyboard.press('Alt+3');
  await expectHeading(page, 'Diagnose');
  const tenant = page.getByLabel('Directory (tenant) ID or domain');
  await tabTo(page, tenant);
  // The focused field shows the focus ring.
  expect(await tenant.evaluate((el) => getComputedStyle(el).outlineStyle !== 'none' || getComputedStyle(el).boxShadow !== 'none')).toBe(true);
  await page.keyboard.type('contoso.onmicrosoft.com');
  await page.keyboard.press('Enter');
  await expect(item(page, 'environment')).toHaveAttribute('data-state', /running|passed/);
  await expect(page.getByRole('heading', { name: 'Healthy' })).toBeFocused();
  for (const id of ['dns.authority', 'tcp.authority', 'tls.authority', 'http.authority', 'tenant', 'dns.graph', 'graph']) {
    await expect(item(page, id)).toHaveAttribute('data-state', 'passed');
  }
  await expect(item(page, 'app_secret')).toHaveAttribute('data-state', 'skipped');
  await page.getByRole('button', { name: 'Copy Markdown' }).click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toContain('# Entrance diagnosis');
});

test('Escape cancels a diagnosis in progress', async ({ page }) => {
  await page.goto('/#/diagnose');
  await page.getByLabel('Directory (tenant) ID or domain').fill('contoso.onmicrosoft.com');
  await page.getByRole('button', { name: 'Run diagnosis' }).click();
  await expect(page.getByRole('button', { name: 'Cancel' })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('heading', { name: 'Cancelled' })).toBeVisible();
  await expect(item(page, 'browser')).toHaveAttribute('data-state', 'cancelled');
});

for (const scheme of ['light', 'dark'] as const) {
  test.describe(`${scheme} mode`, () => {
    test.use({ colorScheme: scheme });

    test(`an unknown sandbox tenant is the root cause and blocks the rest (screenshot ${scheme})`, async ({ page }) => {
      await page.goto('/#/diagnose');
      await expectHeading(page, 'Diagnose');
      const sandbox = page.getByRole('button', { name: 'Try with the sandbox tenant' });
      await tabTo(page, sandbox);
      await page.keyboard.press('Enter');
      await expect(page.getByLabel('Sandbox app registration')).toBeFocused();
      await expect(page.getByLabel('Saved secret’s name')).toHaveValue('sandbox-grafana');
      const authority = page.getByLabel('Authority URL', { exact: true });
      const url = await authority.inputValue();
      await authority.fill(url.replace(/\/[^/]+\/v2\.0$/, '/contoso-typo.sandbox/v2.0'));
      await authority.press('Enter');

      // During: a check runs with a spinner, the live region counts.
      await expect(page.locator('li.item[data-state="running"] .spinner').first()).toBeVisible();
      await expect(page.getByRole('status').filter({ hasText: /checks done/ })).toBeVisible();
      await page.locator('#checks-heading').scrollIntoViewIfNeeded();
      await page.screenshot({ path: path.join(SCREENS, `diagnose-running-${scheme}.png`) });

      // After: the root cause with its fix and AADSTS code; the rest blocked.
      await expect(page.getByRole('heading', { name: 'Problems found' })).toBeFocused();
      const cause = page.locator('li.cause[data-root="true"]');
      await expect(cause).toContainText('AADSTS90002');
      await expect(cause).toContainText('Fix:');
      await expect(cause).toContainText('Explains 4 blocked checks');
      await cause.getByRole('button', { name: /Copy the link to AADSTS90002/ }).click();
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('https://login.microsoftonline.com/error?code=90002');
      await expect(item(page, 'tenant')).toHaveAttribute('data-state', 'failed');
      await expect(item(page, 'app_secret')).toHaveAttribute('data-state', 'blocked');
      await expect(item(page, 'app_secret')).toContainText('Blocked by Tenant discovery at');
      await expect(page.locator('g[data-check="tenant"]')).toHaveAttribute('data-tone', 'danger');
      await expect(page.locator('g[data-check="jwks"]')).toHaveAttribute('data-tone', 'muted');
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      expect(width).toBeLessThanOrEqual(1024);
      await page.screenshot({ path: path.join(SCREENS, `diagnose-failure-${scheme}.png`), fullPage: true });

      await page.getByRole('button', { name: 'Save JSON' }).click();
      await expect(page.getByText(/Saved to .*entrance-diagnosis-.*\.json/)).toBeVisible();
    });
  });
}

test('the explainer reads AADSTS codes out of a redirect URL', async ({ page }) => {
  await page.goto('/#/diagnose');
  await page.getByLabel('Error text').fill('https://app.example.com/cb?error=invalid_client&error_description=AADSTS7000215%3A+Invalid+client+secret');
  await page.getByRole('button', { name: 'Explain' }).click();
  const code = page.locator('article[data-code="7000215"]');
  await expect(code).toContainText('An invalid client secret was provided.');
  await expect(code).toContainText('Where: App registration → Certificates & secrets');
});
