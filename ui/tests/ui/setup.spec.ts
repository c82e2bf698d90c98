import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { expect, expectHeading, test } from './fixtures';

const SCREENS = path.join(import.meta.dirname, '..', '..', 'test-results', 'screens');
mkdirSync(SCREENS, { recursive: true });

test.use({ permissions: ['clipboard-read', 'clipboard-write'] });

/** Presses Tab until `target` has focus; fails if it takes more than `max` presses. */
async function tabTo(page: Page, target: Locator, max = 60) {
  for (let i = 0; i < max; i++) {
    if (await target.evaluate((el) => el === document.activeElement)) return;
    await page.keyboard.press('Tab');
  }
  await expect(target).toBeFocused();
}

const step = (page: Page, key: string) => page.locator(`ol.steps > li[data-step="${key}"]`);

test('the Grafana wizard is walked with the keyboard only, to the verdict', async ({ page }) => {
  await page.goto('/');
  await page.keyboard.press('Alt+1');
  await expectHeading(page, 'Setup');

  // Pick Grafana: arrow keys move through the product radios.
  const keep = page.getByRole('radio', { name: /^Keep/ });
  await tabTo(page, keep);
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await expect(page.getByRole('radio', { name: /^Grafana/ })).toBeChecked();

  const sandbox = page.getByRole('button', { name: 'Try with the sandbox tenant' });
  await tabTo(page, sandbox);
  await page.keyboard.press('Enter');
  await expect(page.getByLabel(/^Application \(client\) ID/)).toHaveValue('33333333-0000-4000-8000-000000000005');

  // A step is marked done with Space, and its values copy.
  const register = step(page, 'register:0').getByRole('checkbox');
  await tabTo(page, register);
  await page.keyboard.press('Space');
  await expect(step(page, 'register:0')).toHaveAttribute('data-state', 'done');
  await step(page, 'redirect_uris:0').getByRole('button', { name: 'Copy https://grafana.contoso.sandbox/login/azuread' }).click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('https://grafana.contoso.sandbox/login/azuread');

  // grafana.ini, secret as a placeholder; arrows switch the format.
  const panel = page.getByRole('tabpanel');
  await expect(panel).toContainText('client_secret = <client secret Value from the keychain: sandbox-grafana>');
  const ini = page.getByRole('tab', { name: 'grafana.ini' });
  await tabTo(page, ini);
  await page.keyboard.press('ArrowRight');
  await expect(page.getByRole('tab', { name: '.env' })).toBeFocused();
  await expect(panel).toContainText('GF_AUTH_AZUREAD_CLIENT_SECRET="<client secret Value from the keychain: sandbox-grafana>"');

  await expect(page.getByTestId('test-redirect')).toHaveText('http://localhost/login/azuread');
  const run = page.getByRole('button', { name: 'Run the test sign-in' });
  await tabTo(page, run, 80);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'What Grafana would do' })).toBeFocused();
  await expect(page.locator('.verdict')).toHaveAttribute('data-outcome', 'works');
});

for (const scheme of ['light', 'dark'] as const) {
  test.describe(`${scheme} scheme`, () => {
    test.use({ colorScheme: scheme });

    test(`the twin's verdict names the problem (screenshots ${scheme})`, async ({ page }) => {
      await page.goto('/');
      await page.keyboard.press('Alt+1');
      await page.getByRole('radio', { name: /^Grafana/ }).check();
      await page.getByRole('button', { name: 'Try with the sandbox tenant' }).click();
      await expect(page.getByLabel(/^Application \(client\) ID/)).toHaveValue('33333333-0000-4000-8000-000000000005');
      await step(page, 'register:0').getByRole('checkbox').check();
      await step(page, 'redirect_uris:0').getByRole('checkbox').check();
      await page.locator('#steps-heading').scrollIntoViewIfNeeded();
      await page.screenshot({ path: path.join(SCREENS, `setup-steps-${scheme}.png`), fullPage: true });

      await page.getByLabel(/misconfigured twin/).check();
      await expect(page.getByLabel(/^Application \(client\) ID/)).toHaveValue('33333333-0000-4000-8000-000000000006');
      await page.getByRole('button', { name: 'Run the test sign-in' }).click();
      const verdict = page.locator('.verdict');
      await expect(verdict).toHaveAttribute('data-outcome', 'fails');
      await expect(verdict).toContainText('AADSTS9002327');
      await expect(step(page, 'redirect_uris:0')).toHaveAttribute('data-state', 'failed');
      await verdict.scrollIntoViewIfNeeded();
      await page.screenshot({ path: path.join(SCREENS, `setup-verdict-${scheme}.png`) });
    });
  });
}
