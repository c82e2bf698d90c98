import { render, screen, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import type { LoginProgress } from '../../bindings';
import { MOCK_FAILURE, MOCK_SANDBOX, scriptFor } from '../../backend/mock-signin';
import SignInFlow from './SignInFlow.svelte';

const request = (clientId: string) => ({
  authority: { kind: 'url' as const, url: MOCK_SANDBOX.authority },
  client_id: clientId,
  client: { kind: 'public' as const },
  scopes: [],
  port: null,
  redirect_uri: null,
});

function stepState(label: string): string | null {
  const step = screen.getByText(label, { selector: '.label' }).closest('li');
  return step?.getAttribute('data-state') ?? null;
}

describe('SignInFlow', () => {
  it('shows the sign-in URL with a copy button while waiting for the browser', () => {
    const events = scriptFor(request(MOCK_SANDBOX.apps[0].client_id)).events.slice(0, 2);
    render(SignInFlow, { props: { events } });
    expect(stepState('Browser')).toBe('active');
    expect(stepState('Callback')).toBe('pending');
    expect(screen.getByText(/\/oauth2\/v2\.0\/authorize\?/)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Copy the sign-in URL' })).toBeInTheDocument();
    expect(screen.getByText('Opened with xdg-open.')).toBeInTheDocument();
  });

  it('ticks every step off when done', () => {
    const { events } = scriptFor(request(MOCK_SANDBOX.apps[0].client_id));
    render(SignInFlow, { props: { events } });
    for (const label of ['Browser', 'Callback', 'Token exchange', 'Verify', 'Done']) expect(stepState(label)).toBe('done');
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('renders a failure with the AADSTS code, Entra’s message, cause, fix and blade', () => {
    const misconfigured = MOCK_SANDBOX.apps.find((a) => !a.correct)!;
    const { events } = scriptFor(request(misconfigured.client_id));
    render(SignInFlow, { props: { events } });
    expect(stepState('Token exchange')).toBe('failed');
    expect(stepState('Callback')).toBe('done');
    expect(stepState('Verify')).toBe('pending');
    const alert = screen.getByRole('alert');
    expect(alert).toHaveAttribute('data-code', 'login.rejected');
    expect(within(alert).getByText('AADSTS9002327')).toBeInTheDocument();
    expect(alert).toHaveTextContent('Token exchange failed');
    expect(alert).toHaveTextContent(`Entra said: ${MOCK_FAILURE.message}`);
    expect(alert).toHaveTextContent(/Cause: The redirect URI is registered under Single-page application/);
    expect(alert).toHaveTextContent(/Fix: Move/);
    expect(alert).toHaveTextContent('Where: App registration → Authentication');
    // The URL is no longer offered once the sign-in is over.
    expect(screen.queryByRole('button', { name: 'Copy the sign-in URL' })).toBeNull();
  });

  it('shows a cancelled sign-in at the step it was in, without an AADSTS code', () => {
    const events: LoginProgress[] = [
      scriptFor(request(MOCK_SANDBOX.apps[0].client_id)).events[0],
      { event: 'failed', error: { ...MOCK_FAILURE, code: 'login.cancelled', aadsts: null, message: 'the sign-in was cancelled', cause: null, blade: null } },
    ];
    render(SignInFlow, { props: { events } });
    expect(stepState('Browser')).toBe('failed');
    expect(screen.getByRole('alert')).toHaveTextContent('Browser failed');
    expect(screen.queryByText(/AADSTS/)).toBeNull();
  });
});
