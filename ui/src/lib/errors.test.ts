import { describe, expect, expectTypeOf, it } from 'vitest';
import { BackendError } from './backend/backend';
import type { ErrorCode } from './bindings';
import { UNKNOWN_ERROR_TITLE, describeError, errorText, type ErrorText } from './errors';

describe('errorText', () => {
  it('is typed as a complete map over ErrorCode', () => {
    // `npm run check` verifies this. Because errorText is a full
    // Record<ErrorCode, …>, a code added on the Rust side (and so in the
    // regenerated bindings) without a title here fails the type check.
    // This guards against someone loosening that type (e.g. to Partial).
    expectTypeOf(errorText).toEqualTypeOf<Record<ErrorCode, ErrorText>>();
  });

  it('gives every code a distinct, non-empty title', () => {
    const entries = Object.entries(errorText);
    expect(entries.length).toBeGreaterThan(0);
    for (const [code, text] of entries) {
      expect(text.title.trim(), code).not.toBe('');
    }
    const titles = entries.map(([, t]) => t.title);
    expect(new Set(titles).size).toBe(titles.length);
  });
});

describe('describeError', () => {
  it('shows the mapped title, the core’s message and the fix', () => {
    for (const code of Object.keys(errorText) as ErrorCode[]) {
      const shown = describeError(new BackendError(code, 'The message', 'The fix'));
      expect(shown).toEqual({ code, title: errorText[code].title, message: 'The message', fix: 'The fix' });
    }
  });

  it('keeps fix null when the core has none', () => {
    expect(describeError(new BackendError('io', 'disk full')).fix).toBeNull();
  });

  it('accepts a raw IpcError', () => {
    const shown = describeError({ code: 'input.invalid', message: 'bad tenant id', fix: 'Use a GUID.' });
    expect(shown.title).toBe(errorText['input.invalid'].title);
    expect(shown.fix).toBe('Use a GUID.');
  });

  it('falls back for codes newer than this UI', () => {
    const shown = describeError({ code: 'from.the.future', message: 'hello', fix: null });
    expect(shown.title).toBe(UNKNOWN_ERROR_TITLE);
    expect(shown.message).toBe('hello');
  });

  it('treats plain errors and strings as internal', () => {
    expect(describeError(new Error('boom'))).toMatchObject({ code: 'internal', message: 'boom' });
    expect(describeError('Command about not allowed by ACL')).toMatchObject({
      code: 'internal',
      title: errorText.internal.title,
      message: 'Command about not allowed by ACL',
    });
    expect(describeError(undefined).message).not.toBe('');
  });
});
