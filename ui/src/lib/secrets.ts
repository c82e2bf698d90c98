import type { SecretStatus } from './bindings';

/** How a state is coloured: the tokens `--ok-*`, `--warn-*`, `--danger-*`, or muted. */
export type Tone = 'ok' | 'warn' | 'danger' | 'neutral';

export interface Shown {
  tone: Tone;
  /** A short badge text. */
  label: string;
  /** One line with the facts. */
  detail: string;
  /** What to do, when something needs doing. */
  warning: string | null;
}

const RENEW = 'Add a new client secret in Certificates & secrets and store its Value here.';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Where the value is kept, as a badge. */
export function storeShown(s: SecretStatus): Shown {
  if (s.store === 'session') {
    return {
      tone: 'neutral',
      label: 'This session only',
      detail: 'Kept in Entrance’s memory, not in the keychain; gone when Entrance quits.',
      warning: null,
    };
  }
  if (!s.present) {
    return {
      tone: 'danger',
      label: 'Missing from keychain',
      detail: 'Listed here, but the keychain no longer has its value.',
      warning: 'Replace it with the Value from Certificates & secrets, or delete the entry.',
    };
  }
  return { tone: 'ok', label: 'Stored in keychain', detail: 'Kept in the OS keychain.', warning: null };
}

/** How close the secret is to its end date (the state comes from the core). */
export function expiryShown(s: SecretStatus): Shown {
  const date = s.expires_on ?? '';
  switch (s.expiry.state) {
    case 'valid':
      return {
        tone: 'ok',
        label: 'Valid',
        detail: `Expires ${date} · ${plural(s.expiry.days_left, 'day')} left`,
        warning: null,
      };
    case 'expires_soon': {
      const left = s.expiry.days_left;
      return {
        tone: 'warn',
        label: 'Expires soon',
        detail: left === 0 ? `Expires today (${date})` : `Expires ${date} · ${plural(left, 'day')} left`,
        warning: `${left === 0 ? 'It expires today' : `It expires in ${plural(left, 'day')}`}: after that Entra refuses it. ${RENEW}`,
      };
    }
    case 'expired':
      return {
        tone: 'danger',
        label: 'Expired',
        detail: `Expired ${date} · ${plural(s.expiry.days_ago, 'day')} ago`,
        warning: `Entra rejects it with AADSTS7000222. ${RENEW}`,
      };
    default:
      return {
        tone: 'neutral',
        label: 'Expiry unknown',
        detail: 'No end date entered',
        warning: null,
      };
  }
}

/** A name the core accepts: 1–64 letters, digits, `.`, `_` or `-`, starting with a letter or digit. */
export function looksLikeName(name: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name);
}

/** How long a revealed value stays on screen. */
export const REVEAL_MS = 30_000;

/** How long the check waits after the last keystroke. */
export const CHECK_DEBOUNCE_MS = 250;

/** The CLI command that stores a secret, as shown to the admin. */
export function cliSetCommand(name: string): string {
  return `entrance secret set ${looksLikeName(name) ? name : 'NAME'}`;
}
