import { render } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import type { Verdict } from '../../bindings';
import VerdictView from './VerdictView.svelte';

const reason = 'Entra answered AADSTS9002327: the redirect URI is registered as Single-page application.';
const fails: Verdict = {
  target: 'grafana',
  product: 'Grafana',
  outcome: 'fails',
  summary: `Grafana refuses the sign-in: ${reason}`,
  reason,
  checks: [{ code: 'grafana.redirect', status: 'fail', message: reason, fix: 'Move the redirect URI from Single-page application to Web.', source: 'docs/entra.md#errors' }],
} as Verdict;

describe('VerdictView', () => {
  it('says the product’s answer once and the reason once, with its fix', () => {
    const { container } = render(VerdictView, { verdict: fails });
    expect(container.querySelector('.summary')?.textContent).toContain('Grafana refuses the sign-in.');
    expect(container.querySelector('.summary')?.textContent).not.toContain('AADSTS9002327');
    const text = container.textContent ?? '';
    expect(text.split('AADSTS9002327').length - 1).toBe(1);
    expect(text).toContain('How to fix: Move the redirect URI');
  });

  it('keeps a summary that does not end with the reason', () => {
    const own = { ...fails, summary: 'Grafana cannot tell', reason: null } as Verdict;
    const { container } = render(VerdictView, { verdict: own });
    expect(container.querySelector('.summary')?.textContent).toContain('Grafana cannot tell');
  });
});
