import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BACKEND_CONTEXT, MockBackend } from '../lib/backend';
import { MOCK_SANDBOX } from '../lib/backend/mock-signin';
import SignInPage from './SignInPage.svelte';

function renderPage(backend: MockBackend) {
  backend.signInStepMs = 0;
  return render(SignInPage, { context: new Map([[BACKEND_CONTEXT, backend]]) });
}

beforeEach(() => {
  Object.defineProperty(navigator, 'clipboard', { value: { writeText: vi.fn() }, configurable: true });
});
afterEach(() => {
  Reflect.deleteProperty(navigator, 'clipboard');
});

describe('SignInPage', () => {
  it('checks the client ID as it is typed and does not sign in with a broken form', async () => {
    const user = userEvent.setup();
    const backend = new MockBackend();
    renderPage(backend);
    await user.type(screen.getByLabelText('Directory (tenant) ID or domain'), 'contoso.onmicrosoft.com');
    await user.type(screen.getByLabelText('Application (client) ID'), '3333');
    expect(screen.getByText(/Incomplete/)).toBeInTheDocument();
    await user.keyboard('{Enter}');
    expect(backend.lastSignIn).toBeNull();
    await user.clear(screen.getByLabelText('Application (client) ID'));
    await user.type(screen.getByLabelText('Application (client) ID'), '33333333-0000-4000-8000-000000000011');
    expect(screen.queryByText(/Incomplete/)).toBeNull();
  });

  it('shows the redirect URI to register with its platform', async () => {
    const user = userEvent.setup();
    renderPage(new MockBackend());
    await user.type(screen.getByLabelText('Directory (tenant) ID or domain'), 'contoso.onmicrosoft.com');
    expect(await screen.findByText('http://localhost')).toBeInTheDocument();
    expect(screen.getByText('Mobile and desktop applications')).toBeInTheDocument();
    await user.click(screen.getByLabelText('Confidential (secret in keychain)'));
    expect(await screen.findByText('http://localhost/entrance/callback')).toBeInTheDocument();
    expect(screen.getByText('Web')).toBeInTheDocument();
  });

  it('fills itself from the sandbox tenant and signs in, showing the claims', async () => {
    const user = userEvent.setup();
    const backend = new MockBackend();
    renderPage(backend);
    await user.click(screen.getByRole('button', { name: 'Try with the sandbox tenant' }));
    const picker = await screen.findByLabelText('Sandbox app registration');
    expect(picker).toHaveFocus();
    expect(screen.getByLabelText('Authority URL')).toHaveValue(MOCK_SANDBOX.authority);
    expect(screen.getByLabelText('Application (client) ID')).toHaveValue(MOCK_SANDBOX.apps[0].client_id);
    expect(screen.getByText(/sandbox demo passwords, not real secrets/)).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    const result = await screen.findByRole('heading', { name: 'Signed in as alice@contoso.sandbox' });
    expect(result).toBeInTheDocument();
    const claims = screen.getByText('ID token claims').parentElement as HTMLElement;
    expect(within(claims).getByText('preferred_username').closest('tr')).toHaveTextContent('alice@contoso.sandbox');
    expect(backend.lastSignIn?.client).toEqual({ kind: 'public' });
  });

  it('stores a confidential sandbox app’s demo secret for the session and explains its failure', async () => {
    const user = userEvent.setup();
    const backend = new MockBackend();
    renderPage(backend);
    await user.click(screen.getByRole('button', { name: 'Try with the sandbox tenant' }));
    const picker = await screen.findByLabelText('Sandbox app registration');
    await user.selectOptions(picker, 'grafana-misconfigured');
    await waitFor(() => expect(screen.getByLabelText('Saved secret’s name')).toHaveValue('sandbox-grafana-misconfigured'));
    expect((await backend.secretStatus('sandbox-grafana-misconfigured'))?.store).toBe('session');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('AADSTS9002327');
    expect(alert).toHaveTextContent('Token exchange failed');
    expect(backend.lastSignIn?.client).toEqual({ kind: 'confidential', secret_name: 'sandbox-grafana-misconfigured', method: 'post' });
    expect(backend.lastSignIn?.redirect_uri).toBe('http://localhost/login/azuread');
  });
});
