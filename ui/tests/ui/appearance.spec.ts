import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { AREAS, expect, expectHeading, test } from './fixtures';

const SCREENS = path.join(import.meta.dirname, '..', '..', 'test-results', 'screens');
mkdirSync(SCREENS, { recursive: true });

/** Relative luminance (0 = black, 1 = white) of a CSS rgb()/rgba() colour. */
function luminance(css: string): number {
  const [r, g, b] = (css.match(/[\d.]+/g) ?? []).slice(0, 3).map((v) => {
    const c = Number(v) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * (r ?? 0) + 0.7152 * (g ?? 0) + 0.0722 * (b ?? 0);
}

for (const scheme of ['light', 'dark'] as const) {
  test.describe(`${scheme} mode`, () => {
    test.use({ colorScheme: scheme });

    test(`body background follows prefers-color-scheme: ${scheme}`, async ({ page }) => {
      await page.goto('/');
      await expectHeading(page, 'Setup');
      const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      const fg = await page.evaluate(() => getComputedStyle(document.body).color);
      if (scheme === 'dark') {
        expect(luminance(bg), bg).toBeLessThan(0.05);
        expect(luminance(fg), fg).toBeGreaterThan(0.6);
      } else {
        expect(luminance(bg), bg).toBeGreaterThan(0.9);
        expect(luminance(fg), fg).toBeLessThan(0.05);
      }
    });

    for (const area of AREAS) {
      test(`${area.name} fits 1024×700 without horizontal scrolling (screenshot)`, async ({ page }) => {
        await page.setViewportSize({ width: 1024, height: 700 });
        await page.goto(`/#/${area.id}`);
        await expectHeading(page, area.name);
        if (area.id === 'about') await expect(page.locator('dd').first()).toContainText('0.0.0-mock');

        const width = await page.evaluate(() => document.scrollingElement?.scrollWidth ?? Infinity);
        expect(width).toBeLessThanOrEqual(1024);

        // The sidebar, including About at its bottom, is fully visible.
        await expect(page.getByRole('navigation', { name: 'Areas' }).getByRole('link', { name: /^About/ })).toBeInViewport({ ratio: 1 });

        await page.screenshot({ path: path.join(SCREENS, `${area.id}-${scheme}.png`) });
      });
    }
  });
}

for (const scheme of ['light', 'dark'] as const) {
  test(`About error state and nav focus ring look right: ${scheme} (screenshots)`, async ({ page }) => {
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto('/?mock-error=not_built#/about');
    await expect(page.getByRole('alert')).toBeVisible();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('ArrowDown');
    await expect(page.getByRole('link', { name: /^Inspect/ })).toBeFocused();
    expect(await page.evaluate(() => document.scrollingElement?.scrollWidth)).toBeLessThanOrEqual(1024);
    await page.screenshot({ path: path.join(SCREENS, `about-error-${scheme}.png`) });
  });
}
