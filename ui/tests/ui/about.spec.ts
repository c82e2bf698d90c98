import { expect, expectHeading, test } from './fixtures';

test.use({ permissions: ['clipboard-read', 'clipboard-write'] });

test('About shows the mock build details', async ({ page }) => {
  await page.goto('/#/about');
  await expectHeading(page, 'About');
  const details = page.locator('dl');
  await expect(details.locator('dt')).toHaveText([
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
  await expect(details.locator('dd').first()).toContainText('0.0.0-mock');
  await expect(page.getByText(/Demo values/)).toBeVisible();
});

test('a copy button copies its value and says so', async ({ page }) => {
  await page.goto('/#/about');
  const button = page.getByRole('button', { name: 'Copy Entrance version' });
  await button.click();
  await expect(button).toHaveText('Copied');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('0.0.0-mock');
  await expect(button).toHaveText('Copy', { timeout: 3000 });
});

test('Copy all puts every line on the clipboard', async ({ page }) => {
  await page.goto('/#/about');
  await page.getByRole('button', { name: 'Copy all details' }).click();
  await expect(page.getByRole('button', { name: 'Copy all details' })).toHaveText('Copied');
  const text = await page.evaluate(() => navigator.clipboard.readText());
  expect(text).toContain('Entrance version: 0.0.0-mock');
  expect(text).toContain('Tauri version:');
  expect(text.trimEnd().split('\n')).toHaveLength(9);
});

test('while the core answers, About says Loading…', async ({ page }) => {
  await page.goto('/?mock-delay=1500#/about');
  await expect(page.getByText('Loading…')).toBeVisible();
  await expect(page.locator('dd').first()).toContainText('0.0.0-mock');
  await expect(page.getByText('Loading…')).toHaveCount(0);
});

test('when the core fails, About shows the mapped title, the message and the fix', async ({ page }) => {
  await page.goto('/?mock-error=not_built#/about');
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('Not available in this build');
  await expect(alert).toContainText('Demo failure requested with ?mock-error=not_built.');
  await expect(alert).toContainText('How to fix: Remove mock-error from the address');
  await expect(page.locator('dl')).toHaveCount(0);
});
