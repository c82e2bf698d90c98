import type { Locator, Page } from '@playwright/test';
import { SAMPLE_TOKEN } from '../../src/lib/inspect-sample.ts';
import { expect, expectHeading, navLink, test } from './fixtures';
import { STATES, openFolds } from './states';

/**
 * Keyboard alone: every control of every page is reached with Tab (and
 * Shift+Tab walks back), each shows a focus indicator that contrasts with
 * its surroundings at 3:1 or more (WCAG 2.4.7, 1.4.11), and the main task
 * of each page is done with Tab, Shift+Tab, Enter, Space and arrow keys.
 */

test.use({ permissions: ['clipboard-read', 'clipboard-write'] });

interface Stop {
  id: string;
  label: string;
  indicator: boolean;
  contrast: number;
  inView: boolean;
}

/** Marks every visible, enabled control with `data-kbd` and returns their ids (one per radio group). */
async function controls(page: Page): Promise<{ id: string; label: string }[]> {
  return page.evaluate(() => {
    const describe = (el: HTMLElement) => {
      const name = (el.getAttribute('aria-label') ?? (el as HTMLInputElement).labels?.[0]?.textContent ?? el.textContent ?? '').trim().slice(0, 50);
      const type = el instanceof HTMLInputElement ? `[type=${el.type}]` : '';
      return `${el.tagName.toLowerCase()}${type}${el.id ? '#' + el.id : ''} "${name}"`;
    };
    const selector =
      'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), ' +
      'textarea:not([disabled]), summary, [tabindex]:not([tabindex="-1"])';
    const seenGroups = new Set<string>();
    const out: { id: string; label: string }[] = [];
    document.querySelectorAll<HTMLElement>(selector).forEach((el, i) => {
      if (!el.checkVisibility({ visibilityProperty: true }) || el.closest('[inert]')) return;
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) return;
      let id = `c${i}`;
      // A radio group and a tab list are one Tab stop; arrow keys move inside them.
      const tablist = el.getAttribute('role') === 'tab' ? el.closest('[role="tablist"]') : null;
      const group =
        el instanceof HTMLInputElement && el.type === 'radio' && el.name
          ? `radio:${el.name}`
          : tablist
            ? `tablist:${[...document.querySelectorAll('[role="tablist"]')].indexOf(tablist)}`
            : null;
      if (group) {
        id = group;
        if (seenGroups.has(id)) {
          el.dataset.kbd = id;
          return;
        }
        seenGroups.add(id);
      }
      el.dataset.kbd = id;
      out.push({ id, label: describe(el) });
    });
    return out;
  });
}

/** What has focus now, and how its focus indicator looks. */
async function stop(page: Page): Promise<Stop | null> {
  return page.evaluate(() => {
    const describe = (el: HTMLElement) => {
      const name = (el.getAttribute('aria-label') ?? (el as HTMLInputElement).labels?.[0]?.textContent ?? el.textContent ?? '').trim().slice(0, 50);
      const type = el instanceof HTMLInputElement ? `[type=${el.type}]` : '';
      return `${el.tagName.toLowerCase()}${type}${el.id ? '#' + el.id : ''} "${name}"`;
    };
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body) return null;
    const parse = (css: string) => (css.match(/[\d.]+/g) ?? []).map(Number);
    const lum = (css: string) => {
      const [r, g, b] = parse(css).slice(0, 3).map((v) => {
        const c = v / 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * (r ?? 0) + 0.7152 * (g ?? 0) + 0.0722 * (b ?? 0);
    };
    const ratio = (a: string, b: string) => {
      const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x) as [number, number];
      return (hi + 0.05) / (lo + 0.05);
    };
    /** The first opaque background behind `node`. */
    const backdrop = (node: Element | null): string => {
      for (let n = node; n; n = n.parentElement) {
        const bg = getComputedStyle(n).backgroundColor;
        const alpha = parse(bg)[3];
        if (bg !== 'transparent' && (alpha === undefined || alpha > 0.5)) return bg;
      }
      return getComputedStyle(document.body).backgroundColor;
    };
    const s = getComputedStyle(el);
    const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 1;
    const shadow = s.boxShadow !== 'none';
    // The ring is drawn outside (or just inside) the element: compare it with what is behind.
    const ringColour = outline ? s.outlineColor : (s.boxShadow.match(/rgba?\([^)]*\)/)?.[0] ?? s.color);
    const r = el.getBoundingClientRect();
    return {
      id: el.dataset.kbd ?? `untracked ${el.tagName.toLowerCase()}#${el.id}.${el.className}`,
      label: describe(el),
      indicator: outline || shadow,
      contrast: ratio(ringColour, backdrop(el.parentElement)),
      inView: r.bottom > 0 && r.top < innerHeight && r.right > 0 && r.left < innerWidth,
    };
  });
}

/** Tabs through the page from its start until focus comes round again. */
async function walk(page: Page, key: 'Tab' | 'Shift+Tab', max = 400): Promise<Stop[]> {
  const stops: Stop[] = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(key);
    const s = await stop(page);
    if (!s) continue;
    if (stops.length > 0 && s.id === stops[0]!.id) break;
    stops.push(s);
  }
  return stops;
}

async function tabTo(page: Page, target: Locator, max = 80) {
  for (let i = 0; i < max; i++) {
    if (await target.evaluate((el) => el === document.activeElement)) return;
    await page.keyboard.press('Tab');
  }
  await expect(target).toBeFocused();
}

for (const scheme of ['light', 'dark'] as const) {
  test.describe(`keyboard, ${scheme} theme`, () => {
    test.use({ colorScheme: scheme });

    for (const state of STATES) {
      test(`${state.name}: every control is reached by Tab and shows its focus`, async ({ page }) => {
        await state.show(page);
        await openFolds(page);
        const all = await controls(page);
        await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());

        const forward = await walk(page, 'Tab');
        const reached = new Set(forward.map((s) => s.id));
        const missed = all.filter((c) => !reached.has(c.id)).map((c) => c.label);
        expect(missed, 'controls Tab never reaches').toEqual([]);

        const faint = forward.filter((s) => !s.indicator || s.contrast < 3).map((s) => `${s.label}: ${s.indicator ? `ring ${s.contrast.toFixed(2)}:1` : 'no focus indicator'}`);
        expect(faint, 'focus indicators missing or under 3:1').toEqual([]);
        const hidden = forward.filter((s) => !s.inView).map((s) => s.label);
        expect(hidden, 'focused controls scrolled out of view').toEqual([]);

        // Shift+Tab walks the same controls back.
        const backward = await walk(page, 'Shift+Tab');
        expect(new Set(backward.map((s) => s.id))).toEqual(reached);
      });
    }
  });
}

test('the journeys of every page, keyboard only', async ({ page }) => {
  await page.goto('/');
  await expectHeading(page, 'Setup');

  // Setup: pick Grafana with the arrow keys, fill the base URL, see its configuration.
  const keep = page.getByRole('radio', { name: /^Keep/ });
  await tabTo(page, keep);
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await expect(page.getByRole('radio', { name: /^Grafana/ })).toBeChecked();
  await expect(page.getByRole('radio', { name: /^Grafana/ })).toBeFocused();
  await tabTo(page, page.getByRole('button', { name: 'Try with the sandbox tenant' }));
  await page.keyboard.press('Enter');
  await expect(page.getByLabel(/^Application \(client\) ID/)).toHaveValue('33333333-0000-4000-8000-000000000005');
  const format = page.getByRole('tab', { name: 'grafana.ini' });
  await tabTo(page, page.getByRole('tab', { selected: true }));
  await expect(page.getByRole('tabpanel')).toContainText('[auth.azuread]');
  await page.keyboard.press('ArrowRight');
  await expect(format).not.toBeFocused();
  await expect(page.getByRole('tab', { selected: true })).toBeFocused();

  // To Inspect through the sidebar: Shift+Tab back to the areas, Enter on a link.
  await tabTo(page, navLink(page, 'Inspect'), 200);
  await page.keyboard.press('Enter');
  await expectHeading(page, 'Inspect');
  const box = page.getByLabel(/Token, Authorization header/);
  await tabTo(page, box);
  await page.keyboard.insertText(SAMPLE_TOKEN);
  await page.keyboard.press('Tab');
  await tabTo(page, page.getByRole('button', { name: /^Inspect/ }));
  await page.keyboard.press('Enter');
  const claims = page.getByRole('tab', { name: /Claims/ });
  await expect(claims).toBeVisible();
  await tabTo(page, claims);
  await page.keyboard.press('ArrowRight');
  await expect(page.getByRole('tab', { name: /Findings/ })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('tab', { name: /Findings/ })).toBeFocused();

  // Diagnose: tenant, Enter, a healthy diagnosis.
  await tabTo(page, navLink(page, 'Diagnose'), 300);
  await page.keyboard.press('Enter');
  await expectHeading(page, 'Diagnose');
  await tabTo(page, page.getByLabel('Directory (tenant) ID or domain'));
  await page.keyboard.type('contoso.onmicrosoft.com');
  await tabTo(page, page.getByRole('button', { name: 'Run diagnosis' }));
  await page.keyboard.press('Space');
  await expect(page.getByRole('heading', { name: 'Healthy' })).toBeFocused();

  // Secrets: add one with Tab and typing, store it with Enter.
  await tabTo(page, navLink(page, 'Secrets'), 300);
  await page.keyboard.press('Enter');
  await expectHeading(page, 'Secrets');
  const add = page.getByRole('region', { name: 'Add a secret' }).or(page.locator('form').filter({ hasText: 'Add a secret' })).first();
  await tabTo(page, add.getByLabel('Name'));
  await page.keyboard.type('prod-grafana');
  await page.keyboard.press('Tab');
  await page.keyboard.type('kZ8Q~abcdefghijklmnopqrstuvwxyz0123456');
  await tabTo(page, add.getByRole('button', { name: 'Store in keychain' }));
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 3, name: 'prod-grafana' })).toBeFocused();

  // About: Enter on its link; Copy all works from the keyboard.
  await tabTo(page, navLink(page, 'About'), 300);
  await page.keyboard.press('Enter');
  await expectHeading(page, 'About');
  await tabTo(page, page.getByRole('button', { name: 'Copy all details' }));
  await page.keyboard.press('Enter');
  await expect(page.getByRole('button', { name: 'Copy all details' })).toHaveText('Copied');
});
