/**
 * The mock backend's secret store: an in-memory list that behaves like the
 * core's for the browser preview and the UI tests.
 *
 * The real checks, expiry rules and keychain errors are the core's
 * (`crates/entrance-core/src/secrets/`): `checkValue` and `expiryOn` below
 * only imitate them for the demo, and the mock's GUID check is simpler.
 */
import type { ErrorCode, Expiry, IpcError, SecretStatus, SecretStore, SecretWarning } from '../bindings';

/** Days before the end date from which Entrance warns (the core's EXPIRY_WARNING_DAYS). */
export const EXPIRY_WARNING_DAYS = 30;

export type KeychainCode = Extract<ErrorCode, `keychain.${string}`>;

/** The keychain failures an admin meets, worded as the core words them on Linux. */
export const KEYCHAIN_PROBLEMS: Record<KeychainCode, Omit<IpcError, 'code'>> = {
  'keychain.no_session_bus': {
    message: 'The keychain cannot be reached: there is no D-Bus session (DBUS_SESSION_BUS_ADDRESS is not set).',
    fix: "Run Entrance inside a desktop session, or start one for this shell: `dbus-run-session -- sh -c 'gnome-keyring-daemon --unlock --components=secrets; exec $SHELL'`. Over SSH, use a desktop session's keyring or keep the secret for this session only.",
  },
  'keychain.no_secret_service': {
    message:
      'The keychain cannot be reached: no Secret Service (gnome-keyring or KWallet) runs in this D-Bus session.',
    fix: 'Install and start a Secret Service: `sudo apt-get install gnome-keyring` (or KWallet on KDE), then log in again or run `gnome-keyring-daemon --start --components=secrets`.',
  },
  'keychain.no_keyring': {
    message: 'The keychain has no default keyring yet.',
    fix: 'Create the default keyring once: open "Passwords and Keys" (seahorse) and create a "Login" keyring, or run `gnome-keyring-daemon --unlock` and type a password.',
  },
  'keychain.locked': {
    message: 'The keychain is locked.',
    fix: 'Unlock the keyring ("Passwords and Keys", or `gnome-keyring-daemon --unlock`), then try again.',
  },
  'keychain.unavailable': {
    message: 'The OS keychain refused the request.',
    fix: 'Check that the system keychain works (`secret-tool search service entrance` on Linux), or keep the secret for this session only.',
  },
};

export function keychainError(code: KeychainCode): IpcError {
  return { code, ...KEYCHAIN_PROBLEMS[code] };
}

export function isKeychainCode(code: string): code is KeychainCode {
  return Object.hasOwn(KEYCHAIN_PROBLEMS, code);
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An imitation of the core's `check_value`, for the demo. */
export function checkValue(value: string): SecretWarning[] {
  if (value === '') {
    return [
      {
        code: 'secret.empty',
        message: 'The secret is empty.',
        fix: 'Paste the client secret’s Value from Certificates & secrets.',
      },
    ];
  }
  const out: SecretWarning[] = [];
  const trimmed = value.trim();
  if (GUID.test(trimmed.replace(/^["']+|["']+$/g, ''))) {
    out.push({
      code: 'secret.looks_like_secret_id',
      message: 'This looks like the Secret ID (a GUID), not the secret’s Value.',
      fix: 'In the app registration’s Certificates & secrets page, copy the Value column — it is shown only once, right after the secret is created. If it is no longer shown, add a new client secret and copy its Value. Entra answers AADSTS7000215 when the Secret ID is sent.',
    });
  }
  if (/[\r\n]/.test(value)) {
    out.push({
      code: 'secret.multiline',
      message: 'The secret spans more than one line.',
      fix: 'Paste the Value on its own: client secrets are a single line.',
    });
  } else if (trimmed.length !== value.length) {
    out.push({
      code: 'secret.surrounding_whitespace',
      message: 'The secret starts or ends with spaces.',
      fix: 'Remove the spaces: they would be sent as part of the secret.',
    });
  }
  if (/^(["']).*\1$/s.test(trimmed) && trimmed.length >= 2) {
    out.push({
      code: 'secret.quoted',
      message: 'The secret is wrapped in quotes.',
      fix: 'Remove the quotes unless they really are part of the Value.',
    });
  }
  return out;
}

/** Today in UTC, `YYYY-MM-DD` (the core's `today()`). */
export function todayUtc(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}

/** `YYYY-MM-DD` plus `days` (may be negative). */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function isDate(text: string): boolean {
  return DATE.test(text) && !Number.isNaN(Date.parse(`${text}T00:00:00Z`));
}

/** An imitation of the core's `Expiry::on`. */
export function expiryOn(expiresOn: string | null, today: string): Expiry {
  if (!expiresOn) return { state: 'unknown' };
  const days = Math.round((Date.parse(`${expiresOn}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / 86_400_000);
  if (days < 0) return { state: 'expired', days_ago: -days };
  if (days <= EXPIRY_WARNING_DAYS) return { state: 'expires_soon', days_left: days };
  return { state: 'valid', days_left: days };
}

/** One secret as the mock keeps it. */
export interface MockSecret {
  name: string;
  value: string;
  store: SecretStore;
  /** False: listed in the index, but the keychain has lost it. */
  present?: boolean;
  expiresOn: string | null;
  createdAt?: string;
  updatedAt?: string;
}

export function statusOf(secret: MockSecret, today: string): SecretStatus {
  const stamp = secret.createdAt ?? `${today}T09:00:00Z`;
  return {
    name: secret.name,
    store: secret.store,
    present: secret.present ?? true,
    created_at: stamp,
    updated_at: secret.updatedAt ?? stamp,
    expires_on: secret.expiresOn,
    expiry_source: secret.expiresOn ? 'entered' : null,
    expiry: expiryOn(secret.expiresOn, today),
  };
}

/** Example secrets for `?mock-secrets=demo`: one of each expiry state. */
export function demoSecrets(today: string): MockSecret[] {
  return [
    { name: 'prod-grafana', value: 'Gr4Q~demo-value-not-a-real-secret-0001', store: 'keychain', expiresOn: addDays(today, 412) },
    { name: 'staging-keep', value: 'Kp7Q~demo-value-not-a-real-secret-0002', store: 'keychain', expiresOn: addDays(today, 12) },
    { name: 'old-authentik', value: 'Au1Q~demo-value-not-a-real-secret-0003', store: 'keychain', expiresOn: addDays(today, -3) },
    { name: 'camunda-test', value: 'Cm9Q~demo-value-not-a-real-secret-0004', store: 'session', expiresOn: null },
  ];
}

/** The core's rule for names: 1–64 of letters, digits, `.`, `_`, `-`, starting with a letter or digit. */
export function checkName(name: string): IpcError | null {
  if (/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name)) return null;
  return {
    code: 'input.invalid',
    message: `Secret name: ${JSON.stringify(name)} is not a valid name: use 1–64 letters, digits, '.', '_' or '-', starting with a letter or digit`,
    fix: 'Name it after the profile, for example prod-grafana.',
  };
}

export function notFound(name: string): IpcError {
  return {
    code: 'secret.not_found',
    message: `no secret named ${name} is saved`,
    fix: `Save it first: \`entrance secret set ${name}\` (the value is read from standard input), or pick it in Entrance's secret field.`,
  };
}

export function badDate(text: string): IpcError {
  return {
    code: 'input.invalid',
    message: `Expires: ${JSON.stringify(text)} is not a date in the form YYYY-MM-DD`,
    fix: 'Copy the Expires date from Certificates & secrets, e.g. 2027-05-31.',
  };
}
