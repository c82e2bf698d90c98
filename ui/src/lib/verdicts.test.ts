import { describe, expect, it } from 'vitest';
import type { Verdict } from './bindings';
import { outcomeLabel, outcomeTone, sortVerdicts } from './verdicts';

const v = (target: string, outcome: Verdict['outcome']): Verdict => ({
  target,
  product: target,
  outcome,
  summary: '',
  reason: null,
  checks: [],
});

describe('verdicts', () => {
  it('puts refusals first, then degraded, unknown and working products, keeping ties in order', () => {
    const sorted = sortVerdicts([v('a', 'works'), v('b', 'unknown'), v('c', 'fails'), v('d', 'degraded'), v('e', 'fails')]);
    expect(sorted.map((x) => x.target)).toEqual(['c', 'e', 'd', 'b', 'a']);
  });

  it('reads each outcome in words with a matching tone', () => {
    expect(outcomeLabel('fails')).toBe('Refuses');
    expect(outcomeTone('fails')).toBe('danger');
    expect(outcomeLabel('degraded')).toBe('Signs in, not as intended');
    expect(outcomeTone('degraded')).toBe('warn');
    expect(outcomeTone('works')).toBe('ok');
    expect(outcomeLabel('unknown')).toBe('Cannot tell');
  });
});
