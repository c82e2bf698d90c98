import { mkdirSync } from 'node:fs';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, test } from './fixtures';
import { STATES, openFolds } from './states';

/**
 * The accessibility audit: axe-core over every page and every state that
 * shows more of it (results, folds, inline forms, errors), in the light and
 * the dark theme. WCAG 2.2 A and AA rules, colour contrast included; no
 * serious or critical violation may remain.
 */

const SCREENS = path.join(import.meta.dirname, '..', '..', 'test-results', 'a11y');
mkdirSync(SCREENS, { recursive: true });

for (const scheme of ['light', 'dark'] as const) {
  test.describe(`axe, ${scheme} theme`, () => {
    test.use({ colorScheme: scheme });

    for (const state of STATES) {
      test(`${state.name}: no serious or critical violation`, async ({ page }) => {
        await state.show(page);
        await openFolds(page);
        // Let transitions settle so contrast is measured on final colours.
        await page.waitForTimeout(250);
        const results = await new AxeBuilder({ page })
          .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'])
          .analyze();
        await page.screenshot({ path: path.join(SCREENS, `${state.name}-${scheme}.png`), fullPage: true });
        const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
        const report = bad.map(
          (v) =>
            `${v.impact} ${v.id}: ${v.help}\n` +
            v.nodes.map((n) => `    ${n.target.join(' ')}\n      ${n.failureSummary?.replace(/\n/g, '\n      ')}`).join('\n'),
        );
        expect(report, report.join('\n\n')).toEqual([]);
        // Rules axe ran, so an empty list means checked, not skipped.
        expect(results.passes.map((p) => p.id)).toContain('color-contrast');
      });
    }
  });
}
