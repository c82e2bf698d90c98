import path from 'node:path';
import { SAMPLE_TOKEN } from '../../src/lib/inspect-sample.ts';
import { expect, expectHeading, test } from './fixtures';

const SCREENS = path.join('test-results', 'screens');

async function pasteAndInspect(page: import('@playwright/test').Page) {
  await page.goto('/#/inspect');
  await expectHeading(page, 'Inspect');
  const box = page.getByLabel(/Token, Authorization header/);
  await box.fill(`\n  ${SAMPLE_TOKEN}  \n`);
  await box.press('Control+Enter');
  await expect(page.getByRole('tab', { name: /Claims/ })).toBeVisible();
}

test('paste a token: claims, findings, timeline, group resolution and search', async ({ page }) => {
  await pasteAndInspect(page);
  await expect(page.getByText('Nothing leaves the machine unless you ask for verification')).toBeVisible();
  await expect(page.getByRole('img', { name: /Token timeline/ })).toBeVisible();
  await expect(page.getByText(/^Expired .* ago$/)).toBeVisible();
  await expect(page.getByRole('rowheader', { name: 'oid' })).toBeVisible();
  await expect(page.getByRole('rowheader', { name: /employee_id/ })).toContainText('custom/optional');

  await page.getByRole('tab', { name: /Claims/ }).press('ArrowRight');
  await expect(page.getByRole('tab', { name: /Findings/ })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByText('groups.overage', { exact: true })).toBeVisible();
  await expect(page.getByText('token.expired', { exact: true })).toBeVisible();

  await page.getByRole('tab', { name: 'Raw' }).click();
  await expect(page.getByRole('tabpanel')).not.toContainText(SAMPLE_TOKEN.split('.')[2]!);

  await page.getByRole('button', { name: 'Resolve through Microsoft Graph' }).click();
  const field = page.getByLabel(/Microsoft Graph access token/);
  await expect(field).toHaveAttribute('type', 'password');
  await field.fill('eyJ.graph.token');
  await field.press('Enter');
  await expect(page.getByTestId('group-count')).toContainText('250 through Microsoft Graph');
  await page.getByLabel('Search groups').fill('group 042');
  await expect(page.getByTestId('group-list').getByRole('listitem')).toHaveCount(1);
  await expect(page.getByTestId('group-list')).toContainText('Bulk group 042');
});

test('each product says what it will do with the token; keyboard opens the checks', async ({ page }) => {
  await pasteAndInspect(page);
  const section = page.getByRole('region', { name: 'What the products will do' });
  await expect(section.locator('li[data-target]')).toHaveCount(6);
  const grafana = section.locator('li[data-target="grafana"]');
  await expect(grafana).toContainText('Signs in');
  await expect(grafana).toContainText('Role: Editor');
  const keep = section.locator('li[data-target="keep"]');
  await expect(keep).toContainText('Cannot tell');
  // Closed by default (it does not fail); Enter on its summary opens the checks and the fix.
  await expect(keep.getByText(/Paste the token response/)).toBeHidden();
  await keep.locator('summary').focus();
  await page.keyboard.press('Enter');
  await expect(keep.getByText(/Paste the token response/)).toBeVisible();
  await section.screenshot({ path: path.join(SCREENS, 'inspect-verdicts-light.png') });
  await page.getByLabel('Product', { exact: true }).selectOption('grafana');
  await expect(section.locator('li[data-target]')).toHaveCount(1);
  await expect(section.getByText('grafana.token.version')).toBeVisible();
});

for (const scheme of ['light', 'dark'] as const) {
  test.describe(`Inspect in ${scheme} mode`, () => {
    test.use({ colorScheme: scheme, viewport: { width: 1024, height: 700 } });
    test(`claims, timeline, findings and groups (screenshots, ${scheme})`, async ({ page }) => {
      await pasteAndInspect(page);
      await page.getByRole('img', { name: /Token timeline/ }).scrollIntoViewIfNeeded();
      await page.screenshot({ path: path.join(SCREENS, `inspect-claims-${scheme}.png`) });
      await page.getByRole('tab', { name: /Findings/ }).click();
      await page.screenshot({ path: path.join(SCREENS, `inspect-findings-${scheme}.png`), fullPage: true });
      await page.getByRole('button', { name: 'Resolve through Microsoft Graph' }).click();
      // The Graph the token goes to is the admin's to see and change: the
      // issuer's cloud is suggested, never a host named inside the token.
      await expect(page.getByLabel('Microsoft Graph address')).toHaveValue('https://graph.microsoft.com');
      await page.getByLabel(/Microsoft Graph access token/).fill('eyJ.graph.token');
      await page.getByRole('form').or(page.locator('form.resolve')).first().scrollIntoViewIfNeeded();
      await page.screenshot({ path: path.join(SCREENS, `inspect-resolve-form-${scheme}.png`) });
      await page.getByRole('button', { name: 'Resolve groups' }).click();
      await page.getByLabel('Search groups').fill('bulk group 1');
      await page.getByTestId('group-list').scrollIntoViewIfNeeded();
      await page.screenshot({ path: path.join(SCREENS, `inspect-groups-${scheme}.png`) });
    });
  });
}
