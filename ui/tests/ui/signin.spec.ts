import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { expect, expectHeading, test } from './fixtures';

const SCREENS = path.join(import.meta.dirname, '..', '..', 'test-results', 'screens');
mkdirSync(SCREENS, { recursive: true });

test.use({ permissions: ['clipboard-read', 'clipboard-write'] });

/** Presses Tab until `target` has focus; fails if it takes more than `max` presses. */
async function tabTo(page: Page, target: Locator, max = 30) {
  for (let i = 0; i < max; i++) {
    if (await target.evaluate((el) => el === document.activeElement)) return;
    await page.keyboard.press('Tab');
  }
  await expect(target).toBeFocused();
}

test('a sign-in is filled by keyboard and its progress and claims are shown', async ({ page }) => {
  await page.goto('/');
  await page.keyboard.press('Alt+4');
  await expectHeading(page, 'Sign in');

  const tenant = page.getByLabel('Directory (tenant) ID or domain');
  await tabTo(page, tenant);
  await page.keyboard.type('contoso.onmicrosoft.com');
  const clientId = page.getByLabel('Application (client) ID');
  await tabTo(page, clientId);
  await page.keyboard.type('33333333-0000-4000');
  await expect(page.locator('#client-id-check')).toContainText('Incomplete');
  await page.keyboard.type('-8000-000000000011');
  await expect(page.locator('#client-id-check')).toHaveText('');

  // The redirect URI to register, with its platform and a copy button.
  await expect(page.locator('.advice')).toContainText('http://localhost');
  await expect(page.locator('.advice')).toContainText('Mobile and desktop applications');
  await page.getByRole('button', { name: 'Copy the redirect URI' }).click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('http://localhost');

  await clientId.focus();
  await page.keyboard.press('Enter');
  await expect(page.locator('li[data-step="browser"]')).toHaveAttribute('data-state', 'active');
  await expect(page.getByRole('button', { name: 'Copy the sign-in URL' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Signed in as alice@contoso.sandbox' })).toBeVisible();
  for (const step of ['browser', 'callback', 'exchange', 'verify', 'done']) {
    await expect(page.locator(`li[data-step="${step}"]`)).toHaveAttribute('data-state', 'done');
  }
  await expect(page.locator('tr[data-claim="preferred_username"]').first()).toContainText('alice@contoso.sandbox');
});

for (const scheme of ['light', 'dark'] as const) {
  test.describe(`${scheme} mode`, () => {
    test.use({ colorScheme: scheme });

    test(`the sandbox's misconfigured app fails and is explained (screenshot ${scheme})`, async ({ page }) => {
      await page.goto('/#/signin');
      await expectHeading(page, 'Sign in');
      const sandbox = page.getByRole('button', { name: 'Try with the sandbox tenant' });
      await tabTo(page, sandbox);
      await page.keyboard.press('Enter');
      const picker = page.getByLabel('Sandbox app registration');
      await expect(picker).toBeFocused();
      await expect(page.getByLabel('Authority URL', { exact: true })).toHaveValue(/^http:\/\/127\.0\.0\.1:\d+\/.+\/v2\.0$/);
      await picker.selectOption('grafana-misconfigured');
      await expect(page.getByLabel('Saved secret’s name')).toHaveValue('sandbox-grafana-misconfigured');
      await expect(page.locator('.advice')).toContainText('http://localhost/login/azuread');
      await expect(page.locator('.advice')).toContainText('Web');
      await page.screenshot({ path: path.join(SCREENS, `signin-form-${scheme}.png`), fullPage: true });

      await page.getByRole('button', { name: 'Sign in' }).focus();
      await page.keyboard.press('Enter');
      await expect(page.getByRole('button', { name: 'Cancel' })).toBeVisible();
      const alert = page.getByRole('alert');
      await expect(alert).toContainText('AADSTS9002327');
      await expect(alert).toContainText('Token exchange failed');
      await expect(alert).toContainText('Cause:');
      await expect(alert).toContainText('Fix:');
      await expect(alert).toContainText('App registration → Authentication');
      await expect(page.locator('li[data-step="exchange"]')).toHaveAttribute('data-state', 'failed');
      await expect(page.locator('li[data-step="callback"]')).toHaveAttribute('data-state', 'done');
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      expect(width).toBeLessThanOrEqual(1024);
      await page.locator('.flow').scrollIntoViewIfNeeded();
      await page.screenshot({ path: path.join(SCREENS, `signin-failure-${scheme}.png`) });
    });
  });
}

test('Cancel ends a sign-in in progress', async ({ page }) => {
  await page.goto('/#/signin');
  await page.getByRole('button', { name: 'Try with the sandbox tenant' }).click();
  await expect(page.getByLabel('Sandbox app registration')).toBeFocused();
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByRole('alert')).toContainText('failed');
  await expect(page.getByRole('alert')).toHaveAttribute('data-code', 'login.cancelled');
});
