// How a product's verdict on a token reads: the outcome's words and tone, and
// the order (refusals first, then degraded, unknown, works).
import type { Verdict, VerdictOutcome } from './bindings';
import type { Tone } from './secrets';

const ORDER: Record<VerdictOutcome, number> = { fails: 0, degraded: 1, unknown: 2, works: 3 };

export function outcomeLabel(outcome: VerdictOutcome): string {
  switch (outcome) {
    case 'works':
      return 'Signs in';
    case 'degraded':
      return 'Signs in, not as intended';
    case 'fails':
      return 'Refuses';
    case 'unknown':
      return 'Cannot tell';
  }
}

export function outcomeTone(outcome: VerdictOutcome): Tone {
  switch (outcome) {
    case 'works':
      return 'ok';
    case 'degraded':
      return 'warn';
    case 'fails':
      return 'danger';
    case 'unknown':
      return 'neutral';
  }
}

/** Refusals first; ties keep the products' own order. */
export function sortVerdicts(verdicts: Verdict[]): Verdict[] {
  return verdicts
    .map((v, i) => ({ v, i }))
    .sort((a, b) => ORDER[a.v.outcome] - ORDER[b.v.outcome] || a.i - b.i)
    .map(({ v }) => v);
}
