import type { ErrorCode } from './bindings';
import { BackendError, toBackendError } from './backend/backend';

export interface ErrorText {
  /** A short headline in an admin's words; the core's message follows it. */
  title: string;
}

/**
 * Every error code the core can send, with its headline. Typed as a full
 * Record: when the Rust side adds a code, the regenerated bindings make this
 * object incomplete and the type check fails until a title is added here.
 */
export const errorText: Record<ErrorCode, ErrorText> = {
  internal: { title: 'Something went wrong inside Entrance' },
  'input.invalid': { title: 'Some of the input isn’t valid' },
  not_built: { title: 'Not available in this build' },
  io: { title: 'Couldn’t read or write a file' },
  'keychain.no_session_bus': { title: 'The keychain can’t be reached (no D-Bus session)' },
  'keychain.no_secret_service': { title: 'No keychain service is running' },
  'keychain.no_keyring': { title: 'The keychain has no default keyring yet' },
  'keychain.locked': { title: 'The keychain is locked' },
  'keychain.unavailable': { title: 'The keychain refused the request' },
  'secret.not_found': { title: 'No secret is saved under that name' },
  'secret.suspicious_value': { title: 'That doesn’t look like a secret Value' },
  'secret.reveal_declined': { title: 'The secret was not shown' },
  'login.rejected': { title: 'The identity provider refused the sign-in' },
  'login.port_in_use': { title: 'The sign-in port is taken by another program' },
  'login.listener': { title: 'The sign-in redirect listener couldn’t start' },
  'login.timeout': { title: 'The sign-in took too long' },
  'login.cancelled': { title: 'The sign-in was cancelled' },
  'login.network': { title: 'The identity provider can’t be reached' },
  'login.tls': { title: 'The secure connection to the identity provider failed' },
  'login.discovery': { title: 'The provider’s metadata or signing keys are unusable' },
  'login.token_invalid': { title: 'The ID token failed verification' },
  'login.protocol': { title: 'The provider’s answer breaks the protocol' },
  'graph.forbidden': { title: 'Microsoft Graph refused to list the groups' },
  'graph.unauthorized': { title: 'Microsoft Graph didn’t accept that token' },
  'graph.failed': { title: 'Microsoft Graph couldn’t be asked' },
  'graph.permission_missing': { title: 'The Microsoft Graph token lacks a permission' },
  'profiles.corrupt': { title: 'Saved setups can’t be read' },
};

/** Headline for codes this UI doesn't know (bindings older than the core). */
export const UNKNOWN_ERROR_TITLE = 'Unexpected error';

export interface ErrorDisplay {
  code: string;
  title: string;
  message: string;
  fix: string | null;
}

/** What to show for any error: mapped title, the core's message, and fix. */
export function describeError(error: unknown): ErrorDisplay {
  const e: BackendError = toBackendError(error);
  const known = Object.hasOwn(errorText, e.code) ? errorText[e.code] : undefined;
  return {
    code: e.code,
    title: known?.title ?? UNKNOWN_ERROR_TITLE,
    message: e.message,
    fix: e.fix,
  };
}
