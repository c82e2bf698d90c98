import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { expect, expectHeading, navLink, test } from './fixtures';

const SCREENS = path.join(import.meta.dirname, '..', '..', 'test-results', 'screens');
mkdirSync(SCREENS, { recursive: true });

const VALUE = 'Xy48Q~typed-in-chromium-not-a-real-secret';
const SECRET_ID = '3f2b8c1e-9d4a-4e7b-8c2d-1a2b3c4d5e6f';

test.use({ permissions: ['clipboard-read', 'clipboard-write'] });

/** `YYYY-MM-DD`, `days` from today (UTC, as the mock counts). */
function inDays(days: number): string {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

function row(page: Page, name: string): Locator {
  return page.locator('li.secret', { has: page.getByRole('heading', { level: 3, name, exact: true }) });
}

const addForm = (page: Page) => page.getByRole('region', { name: 'Add a secret' });

/** Presses Tab until `target` has focus; fails if it takes more than `max` presses. */
async function tabTo(page: Page, target: Locator, max = 12) {
  for (let i = 0; i < max; i++) {
    if (await target.evaluate((el) => el === document.activeElement)) return;
    await page.keyboard.press('Tab');
  }
  await expect(target).toBeFocused();
}

test('a secret is added with the keyboard alone and listed with its badge and expiry', async ({ page }) => {
  await page.goto('/');
  await page.keyboard.press('Alt+5');
  await expectHeading(page, 'Secrets');
  await expect(page.getByText('No secrets saved yet.')).toBeVisible();

  const form = addForm(page);
  const name = form.getByLabel('Name');
  const value = form.getByLabel('Value', { exact: true });
  await tabTo(page, name);
  await page.keyboard.type('prod-grafana');
  await page.keyboard.press('Tab');
  await expect(value).toBeFocused();
  await expect(value).toHaveAttribute('type', 'password');
  await page.keyboard.type(VALUE);

  // The Expires date, typed as the date field takes it (month, day, year).
  const end = inDays(12);
  const expires = form.getByLabel(/Expires/);
  await tabTo(page, expires);
  await page.keyboard.type(`${end.slice(5, 7)}${end.slice(8, 10)}${end.slice(0, 4)}`);
  await expect(expires).toHaveValue(end);

  const store = form.getByRole('button', { name: 'Store in keychain' });
  await tabTo(page, store);
  await page.keyboard.press('Enter');

  const added = row(page, 'prod-grafana');
  await expect(added).toContainText('Stored in keychain');
  await expect(added).toContainText('Expires soon');
  await expect(added).toContainText(`Expires ${end} · 12 days left`);
  await expect(added).toContainText('It expires in 12 days');
  await expect(page.getByRole('heading', { level: 3, name: 'prod-grafana' })).toBeFocused();
  await expect(form.getByText('Stored prod-grafana in the OS keychain.')).toBeVisible();
  await expect(value).toHaveValue('');
  // The value is nowhere in the page.
  expect(await page.content()).not.toContain(VALUE);
});

test('the Secret-ID warning appears as a GUID is typed, and Store asks before storing it', async ({ page }) => {
  await page.goto('/#/secrets');
  const form = addForm(page);
  await form.getByLabel('Name').fill('prod-grafana');
  await form.getByLabel('Value', { exact: true }).pressSequentially(SECRET_ID, { delay: 5 });
  const warning = form.getByText('This looks like the Secret ID (a GUID), not the secret’s Value.');
  await expect(warning).toBeVisible();
  await expect(form.getByText(/copy the Value column/)).toBeVisible();

  await form.getByRole('button', { name: 'Store in keychain' }).click();
  const confirm = form.getByRole('group', { name: 'Store it anyway?' });
  await expect(confirm).toContainText('Nothing was stored.');
  await expect(confirm.getByRole('button', { name: 'Store anyway' })).toBeFocused();
  await expect(page.getByText('No secrets saved yet.')).toBeVisible();

  await confirm.getByRole('button', { name: 'Change the value' }).click();
  await expect(form.getByLabel('Value', { exact: true })).toBeFocused();
});

test('the eye toggle shows and hides what was typed', async ({ page }) => {
  await page.goto('/#/secrets');
  const value = addForm(page).getByLabel('Value', { exact: true });
  await value.fill(VALUE);
  await expect(value).toHaveAttribute('type', 'password');
  await page.getByRole('button', { name: 'Show what you typed' }).click();
  await expect(value).toHaveAttribute('type', 'text');
  await page.getByRole('button', { name: 'Hide what you typed' }).click();
  await expect(value).toHaveAttribute('type', 'password');
});

test('saved secrets show where they are kept and their expiry state', async ({ page }) => {
  await page.goto('/?mock-secrets=demo#/secrets');
  await expect(page.locator('li.secret h3')).toHaveText(['camunda-test', 'old-authentik', 'prod-grafana', 'staging-keep']);
  await expect(row(page, 'prod-grafana')).toContainText('Valid');
  await expect(row(page, 'prod-grafana')).toContainText('Stored in keychain');
  await expect(row(page, 'staging-keep')).toContainText('Expires soon');
  await expect(row(page, 'old-authentik')).toContainText('Expired');
  await expect(row(page, 'old-authentik')).toContainText('AADSTS7000222');
  await expect(row(page, 'camunda-test')).toContainText('Expiry unknown');
  await expect(row(page, 'camunda-test')).toContainText('This session only');
  expect(await page.content()).not.toContain('demo-value');
});

test('Reveal shows the value only when clicked; Copy puts it on the clipboard', async ({ page }) => {
  await page.goto('/?mock-secrets=demo#/secrets');
  const grafana = row(page, 'prod-grafana');
  await expect(grafana).toContainText('Stored in keychain');
  expect(await page.content()).not.toContain('Gr4Q~demo-value');

  await grafana.getByRole('button', { name: 'Reveal prod-grafana' }).click();
  await expect(grafana.locator('output')).toHaveText('Gr4Q~demo-value-not-a-real-secret-0001');
  await grafana.getByRole('button', { name: 'Hide prod-grafana' }).click();
  await expect(grafana.locator('output')).not.toContainText('Gr4Q');

  const copy = grafana.getByRole('button', { name: 'Copy prod-grafana' });
  await copy.click();
  await expect(copy).toHaveText('Copied');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('Gr4Q~demo-value-not-a-real-secret-0001');
  expect(await page.content()).not.toContain('Gr4Q~demo-value');
});

test('a secret is deleted only after the confirm step', async ({ page }) => {
  await page.goto('/?mock-secrets=demo#/secrets');
  const keep = row(page, 'staging-keep');
  await keep.getByRole('button', { name: 'Delete staging-keep' }).click();
  const confirm = keep.getByRole('group', { name: 'Delete staging-keep from the OS keychain?' });
  await expect(confirm).toBeVisible();
  await expect(confirm.getByRole('button', { name: 'Yes, delete staging-keep' })).toBeFocused();

  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter'); // Cancel
  await expect(confirm).toHaveCount(0);
  await expect(keep.getByRole('button', { name: 'Delete staging-keep' })).toBeFocused();

  await page.keyboard.press('Enter');
  await page.keyboard.press('Enter'); // Yes, delete
  await expect(row(page, 'staging-keep')).toHaveCount(0);
  await expect(page.locator('li.secret')).toHaveCount(3);
});

test('a locked keychain is explained with its fix, and this session is offered instead', async ({ page }) => {
  await page.goto('/?mock-secrets=demo&mock-keychain=locked#/secrets');
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('The keychain is locked');
  await expect(alert).toContainText('How to fix: Unlock the keyring');
  await page.getByRole('button', { name: 'Add a secret for this session only' }).click();
  const form = addForm(page);
  await expect(form.getByRole('checkbox', { name: /Keep for this session only/ })).toBeChecked();
  await expect(form.getByLabel('Name')).toBeFocused();
  await page.keyboard.type('temp-grafana');
  await form.getByLabel('Value', { exact: true }).fill(VALUE);
  await form.getByRole('button', { name: 'Keep for this session' }).click();
  await expect(form.getByText('Stored temp-grafana for this session only.')).toBeVisible();
});

test('the Secrets page carries no inline styles or scripts', async ({ page }) => {
  await page.goto('/?mock-secrets=demo#/secrets');
  await expect(page.locator('li.secret')).toHaveCount(4);
  await row(page, 'prod-grafana').getByRole('button', { name: 'Set expiry of prod-grafana' }).click();
  await row(page, 'staging-keep').getByRole('button', { name: 'Delete staging-keep' }).click();
  expect(await page.locator('[style]').count()).toBe(0);
  expect(await page.locator('script:not([src])').count()).toBe(0);
});

for (const scheme of ['light', 'dark'] as const) {
  test.describe(`Secrets in ${scheme} mode`, () => {
    test.use({ colorScheme: scheme, viewport: { width: 1024, height: 700 } });

    test(`the list, the add form with a warning, and a keychain error (screenshots, ${scheme})`, async ({ page }) => {
      await page.goto('/?mock-secrets=demo#/secrets');
      await expect(page.locator('li.secret')).toHaveCount(4);
      await expect(navLink(page, 'Secrets')).toHaveAttribute('aria-current', 'page');
      expect(await page.evaluate(() => document.scrollingElement?.scrollWidth)).toBeLessThanOrEqual(1024);
      await page.screenshot({ path: path.join(SCREENS, `secrets-list-${scheme}.png`) });
      await row(page, 'old-authentik').getByRole('button', { name: 'Reveal old-authentik' }).click();
      await row(page, 'prod-grafana').getByRole('button', { name: 'Set expiry of prod-grafana' }).click();
      await row(page, 'staging-keep').getByRole('button', { name: 'Delete staging-keep' }).click();
      expect(await page.evaluate(() => document.scrollingElement?.scrollWidth)).toBeLessThanOrEqual(1024);
      await page.screenshot({ path: path.join(SCREENS, `secrets-list-actions-${scheme}.png`), fullPage: true });

      const form = addForm(page);
      await form.getByLabel('Name').fill('prod-keep');
      await form.getByLabel('Value', { exact: true }).fill(SECRET_ID);
      await expect(form.getByText(/looks like the Secret ID/)).toBeVisible();
      await form.getByLabel('Value', { exact: true }).focus();
      await form.scrollIntoViewIfNeeded();
      expect(await page.evaluate(() => document.scrollingElement?.scrollWidth)).toBeLessThanOrEqual(1024);
      await page.screenshot({ path: path.join(SCREENS, `secrets-add-warning-${scheme}.png`) });

      await page.goto('/?mock-keychain=no_secret_service#/secrets');
      await expect(page.getByText('No secrets saved yet.')).toBeVisible();
      await form.getByLabel('Name').fill('prod-grafana');
      await form.getByLabel('Value', { exact: true }).fill(VALUE);
      await form.getByRole('button', { name: 'Store in keychain' }).click();
      await expect(form.getByRole('alert')).toContainText('No keychain service is running');
      const offer = form.getByRole('button', { name: 'Keep it for this session only' });
      await offer.scrollIntoViewIfNeeded();
      await expect(offer).toBeInViewport();
      await page.screenshot({ path: path.join(SCREENS, `secrets-keychain-error-${scheme}.png`) });
    });
  });
}
