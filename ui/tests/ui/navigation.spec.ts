import { AREAS, expect, expectHeading, navLink, test } from './fixtures';

test.beforeEach(async ({ page }) => {
  await page.goto('/');
});

test('opens Setup by default', async ({ page }) => {
  await expectHeading(page, 'Setup');
  await expect(page).toHaveURL(/#\/setup$/);
  await expect(page).toHaveTitle('Setup · Entrance');
  await expect(navLink(page, 'Setup')).toHaveAttribute('aria-current', 'page');
  await expect(page.getByRole('radio', { name: /^Grafana/ })).toBeVisible();
});

test('every area is reachable by clicking the sidebar', async ({ page }) => {
  for (const area of [...AREAS].reverse()) {
    await navLink(page, area.name).click();
    await expectHeading(page, area.name);
    await expect(page).toHaveURL(new RegExp(`#/${area.id}$`));
    await expect(navLink(page, area.name)).toHaveAttribute('aria-current', 'page');
    await expect(page.locator('[aria-current="page"]')).toHaveCount(1);
  }
});

test('every area is reachable with the keyboard: Tab into the nav, arrows, Enter', async ({ page }) => {
  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: 'Skip to content' })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(navLink(page, 'Setup')).toBeFocused();

  // The focused item shows a focus ring.
  const outline = await navLink(page, 'Setup').evaluate((el) => getComputedStyle(el).outlineStyle);
  expect(outline).not.toBe('none');

  for (const area of AREAS.slice(1)) {
    await page.keyboard.press('ArrowDown');
    await expect(navLink(page, area.name)).toBeFocused();
    await page.keyboard.press('Enter');
    await expectHeading(page, area.name);
  }

  // Wraps around, and Space activates too.
  await page.keyboard.press('ArrowDown');
  await expect(navLink(page, 'Setup')).toBeFocused();
  await page.keyboard.press('Space');
  await expectHeading(page, 'Setup');
  await page.keyboard.press('ArrowUp');
  await expect(navLink(page, 'About')).toBeFocused();
});

test('Alt+1…6 switch areas from anywhere', async ({ page }) => {
  for (const [i, area] of [...AREAS.entries()].reverse()) {
    await page.keyboard.press(`Alt+${i + 1}`);
    await expectHeading(page, area.name);
  }
});

test('Skip to content moves focus to the page heading', async ({ page }) => {
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1 })).toBeFocused();
});

test('deep links and back/forward work', async ({ page }) => {
  await page.goto('/#/diagnose');
  await expectHeading(page, 'Diagnose');
  await navLink(page, 'Inspect').click();
  await expectHeading(page, 'Inspect');
  await page.goBack();
  await expectHeading(page, 'Diagnose');
  await page.goto('/#/does-not-exist');
  await expectHeading(page, 'Setup');
});
