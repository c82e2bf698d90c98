import type { Page } from '@playwright/test';
import { SAMPLE_TOKEN } from '../../src/lib/inspect-sample.ts';
import { expect, expectHeading } from './fixtures';

/**
 * The states of every page that the accessibility tests visit: each page as
 * it opens, and as it looks with results, inline forms and errors shown.
 */

/** Opens every fold (`<details>`) so its content is audited too. */
export async function openFolds(page: Page) {
  await page.locator('details').evaluateAll((all) => all.forEach((d) => ((d as HTMLDetailsElement).open = true)));
}

export interface State {
  name: string;
  show: (page: Page) => Promise<void>;
}

export const STATES: State[] = [
  {
    name: 'setup',
    show: async (page) => {
      await page.goto('/#/setup');
      await expectHeading(page, 'Setup');
    },
  },
  {
    name: 'setup-configured',
    show: async (page) => {
      await page.goto('/#/setup');
      await page.getByRole('radio', { name: /^Grafana/ }).check();
      await page.getByRole('button', { name: 'Try with the sandbox tenant' }).click();
      await expect(page.getByRole('tabpanel')).toContainText('client_secret');
    },
  },
  {
    name: 'inspect',
    show: async (page) => {
      await page.goto('/#/inspect');
      await expectHeading(page, 'Inspect');
    },
  },
  {
    name: 'inspect-token',
    show: async (page) => {
      await page.goto('/#/inspect');
      const box = page.getByLabel(/Token, Authorization header/);
      await box.fill(SAMPLE_TOKEN);
      await box.press('Control+Enter');
      await expect(page.getByRole('tab', { name: /Claims/ })).toBeVisible();
      await page.getByRole('button', { name: 'Resolve through Microsoft Graph' }).click();
      await expect(page.getByLabel(/Microsoft Graph access token/)).toBeVisible();
    },
  },
  {
    name: 'inspect-findings',
    show: async (page) => {
      await page.goto('/#/inspect');
      const box = page.getByLabel(/Token, Authorization header/);
      await box.fill(SAMPLE_TOKEN);
      await box.press('Control+Enter');
      await page.getByRole('tab', { name: /Findings/ }).click();
      await expect(page.getByRole('tab', { name: /Findings/ })).toHaveAttribute('aria-selected', 'true');
    },
  },
  {
    name: 'inspect-raw',
    show: async (page) => {
      await page.goto('/#/inspect');
      const box = page.getByLabel(/Token, Authorization header/);
      await box.fill(SAMPLE_TOKEN);
      await box.press('Control+Enter');
      await page.getByRole('tab', { name: 'Raw' }).click();
      await expect(page.getByRole('tab', { name: 'Raw' })).toHaveAttribute('aria-selected', 'true');
    },
  },
  {
    name: 'diagnose',
    show: async (page) => {
      await page.goto('/#/diagnose');
      await expectHeading(page, 'Diagnose');
    },
  },
  {
    name: 'diagnose-run',
    show: async (page) => {
      await page.goto('/#/diagnose');
      await page.getByLabel('Directory (tenant) ID or domain').fill('contoso.onmicrosoft.com');
      await page.getByRole('button', { name: 'Run diagnosis' }).click();
      await expect(page.getByRole('heading', { name: 'Healthy' })).toBeVisible();
      await page.getByLabel('Error text').fill('AADSTS7000215: Invalid client secret provided.');
      await page.getByRole('button', { name: 'Explain' }).click();
    },
  },
  {
    name: 'signin',
    show: async (page) => {
      await page.goto('/#/signin');
      await expectHeading(page, 'Sign in');
    },
  },
  {
    name: 'signin-done',
    show: async (page) => {
      await page.goto('/#/signin');
      await page.getByLabel('Directory (tenant) ID or domain').fill('contoso.onmicrosoft.com');
      await page.getByLabel('Application (client) ID').fill('33333333-0000-4000-8000-000000000011');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect(page.getByRole('heading', { name: 'Signed in as alice@contoso.sandbox' })).toBeVisible();
    },
  },
  {
    name: 'secrets',
    show: async (page) => {
      await page.goto('/#/secrets');
      await expectHeading(page, 'Secrets');
    },
  },
  {
    name: 'secrets-saved',
    show: async (page) => {
      await page.goto('/?mock-secrets=demo#/secrets');
      await expect(page.locator('li.secret h3')).toHaveCount(4);
      const expiry = page.locator('button[aria-expanded]').first();
      await expiry.click();
      await expect(expiry).toHaveAttribute('aria-expanded', 'true');
      await page.getByRole('button', { name: 'Reveal prod-grafana' }).click();
    },
  },
  {
    name: 'about',
    show: async (page) => {
      await page.goto('/#/about');
      await expect(page.locator('dd').first()).toContainText('0.0.0-mock');
    },
  },
  {
    name: 'about-error',
    show: async (page) => {
      await page.goto('/?mock-error=not_built#/about');
      await expect(page.getByRole('alert')).toBeVisible();
    },
  },
];
