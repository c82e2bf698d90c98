import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BACKEND_CONTEXT, MockBackend } from '../lib/backend';
import { MOCK_SANDBOX } from '../lib/backend/mock-signin';
import { takeDiagnosePrefill } from '../lib/diagnose';
import SetupPage from './SetupPage.svelte';

function renderPage(backend: MockBackend) {
  backend.signInStepMs = 0;
  return render(SetupPage, { context: new Map([[BACKEND_CONTEXT, backend]]) });
}

async function pickGrafanaWithSandbox(user: ReturnType<typeof userEvent.setup>) {
  await user.click(await screen.findByRole('radio', { name: /^Grafana/ }));
  await user.click(screen.getByRole('button', { name: 'Try with the sandbox tenant' }));
  await waitFor(() => expect(screen.getByLabelText(/^Application \(client\) ID/)).toHaveValue('33333333-0000-4000-8000-000000000005'));
}

const stepItem = (key: string) => document.querySelector(`[data-step="${key}"]`) as HTMLElement;

beforeEach(() => {
  Object.defineProperty(navigator, 'clipboard', { value: { writeText: vi.fn() }, configurable: true });
});
afterEach(() => {
  Reflect.deleteProperty(navigator, 'clipboard');
});

describe('SetupPage', () => {
  it('lists every product and fills Grafana’s inputs from the sandbox tenant', async () => {
    const user = userEvent.setup();
    renderPage(new MockBackend());
    for (const name of ['Keep', 'authentik', 'Grafana', 'Camunda', 'OpenMetadata', 'Any OpenID Connect app'])
      expect(await screen.findByRole('radio', { name: new RegExp(`^${name}`) })).toBeInTheDocument();
    await pickGrafanaWithSandbox(user);
    expect(screen.getByLabelText('Directory (tenant) ID or domain')).toHaveValue(MOCK_SANDBOX.tenant_id);
    expect(screen.getByLabelText(/Client secret saved as/)).toHaveValue('sandbox-grafana');
    expect(screen.getByLabelText(/Grafana's public URL/)).toHaveValue('https://grafana.contoso.sandbox');
  });

  it('says what is wrong as the admin types', async () => {
    const user = userEvent.setup();
    renderPage(new MockBackend());
    await user.click(await screen.findByRole('radio', { name: /^Grafana/ }));
    await user.type(screen.getByLabelText(/Grafana's public URL/), 'http://grafana.example.com');
    expect(await screen.findByText(/http redirect URIs only for localhost/)).toBeInTheDocument();
    await user.type(screen.getByLabelText('Allowed groups (object IDs)'), 'Grafana Editors');
    expect(await screen.findByText(/looks like a group's display name/)).toBeInTheDocument();
    await user.type(screen.getByLabelText(/^Application \(client\) ID/), 'Gra8Q~abc');
    expect(await screen.findByText(/looks like a client secret/)).toBeInTheDocument();
  });

  it('walks the steps with the keyboard and counts them', async () => {
    const user = userEvent.setup();
    renderPage(new MockBackend());
    await pickGrafanaWithSandbox(user);
    const first = within(stepItem('register:0')).getByRole('checkbox');
    first.focus();
    await user.keyboard(' ');
    expect(stepItem('register:0')).toHaveAttribute('data-state', 'done');
    expect(screen.getByText(/^1 of \d+ done$/)).toBeInTheDocument();
    await user.keyboard(' ');
    expect(stepItem('register:0')).toHaveAttribute('data-state', 'todo');
    const redirect = within(stepItem('redirect_uris:0'));
    expect(redirect.getByRole('button', { name: 'Copy https://grafana.contoso.sandbox/login/azuread' })).toBeInTheDocument();
  });

  it('opens the step’s blade in the admin center of the app', async () => {
    const user = userEvent.setup();
    const backend = new MockBackend();
    renderPage(backend);
    await pickGrafanaWithSandbox(user);
    await user.click(within(stepItem('redirect_uris:0')).getByRole('button', { name: 'Open in Entra admin center' }));
    await waitFor(() => expect(backend.setup.opened).toHaveLength(1));
    expect(backend.setup.opened[0]).toMatch(/^https:\/\/portal\.azure\.com\/#@aaaaaaaa-.*\/Authentication\/appId\/33333333-0000-4000-8000-000000000005$/);
  });

  it('shows grafana.ini with a placeholder secret, and the Value only on Reveal', async () => {
    const user = userEvent.setup();
    const backend = new MockBackend();
    renderPage(backend);
    await pickGrafanaWithSandbox(user);
    const panel = await screen.findByRole('tabpanel');
    await waitFor(() => expect(panel).toHaveTextContent('[auth.azuread]'));
    expect(panel).toHaveTextContent('client_secret = <client secret Value from the keychain: sandbox-grafana>');
    expect(backend.setup.revealed).toEqual([]);
    const tabs = screen.getAllByRole('tab').map((t) => t.textContent);
    expect(tabs).toEqual(['grafana.ini', '.env', 'docker compose / Helm']);
    screen.getByRole('tab', { name: 'grafana.ini' }).focus();
    await user.keyboard('{ArrowRight}');
    expect(screen.getByRole('tab', { name: '.env' })).toHaveAttribute('aria-selected', 'true');
    expect(screen.getByRole('tabpanel')).toHaveTextContent('GF_AUTH_AZUREAD_CLIENT_ID=33333333-0000-4000-8000-000000000005');
    await user.click(screen.getByRole('button', { name: 'Reveal secret' }));
    await waitFor(() => expect(screen.getByRole('tabpanel')).toHaveTextContent('Mock8Q~sandbox-demo-grafana'));
    expect(backend.setup.revealed).toEqual(['sandbox-grafana']);
    await user.click(screen.getByRole('button', { name: 'Hide secret' }));
    await waitFor(() => expect(screen.getByRole('tabpanel')).not.toHaveTextContent('Mock8Q~'));
  });

  it('tells which loopback redirect to add, runs the test sign-in and shows that Grafana works', async () => {
    const user = userEvent.setup();
    const backend = new MockBackend();
    renderPage(backend);
    await pickGrafanaWithSandbox(user);
    expect(await screen.findByTestId('test-redirect')).toHaveTextContent('http://localhost/login/azuread');
    await user.click(within(stepItem('redirect_uris:0')).getByRole('checkbox'));
    await user.click(screen.getByLabelText('I added this redirect URI'));
    await user.click(screen.getByRole('button', { name: 'Run the test sign-in' }));
    const heading = await screen.findByRole('heading', { name: 'What Grafana would do' });
    await waitFor(() => expect(heading).toHaveFocus());
    const verdict = document.querySelector('[data-outcome]') as HTMLElement;
    expect(verdict).toHaveAttribute('data-outcome', 'works');
    expect(within(verdict).getByText('Works')).toBeInTheDocument();
    expect(backend.lastSignIn?.redirect_uri).toBe('http://localhost/login/azuread');
    expect(backend.lastSignIn?.client).toEqual({ kind: 'confidential', secret_name: 'sandbox-grafana', method: 'post' });
    expect(backend.lastSignIn?.authority).toEqual({ kind: 'url', url: MOCK_SANDBOX.authority });
    expect(stepItem('redirect_uris:0')).toHaveAttribute('data-state', 'verified');
  });

  it('names the problem of the misconfigured twin and marks its step failed', async () => {
    const user = userEvent.setup();
    renderPage(new MockBackend());
    await pickGrafanaWithSandbox(user);
    await user.click(screen.getByLabelText(/misconfigured twin/));
    await waitFor(() => expect(screen.getByLabelText(/^Application \(client\) ID/)).toHaveValue('33333333-0000-4000-8000-000000000006'));
    await user.click(screen.getByRole('button', { name: 'Run the test sign-in' }));
    await screen.findByRole('heading', { name: 'What Grafana would do' });
    const verdict = document.querySelector('[data-outcome]') as HTMLElement;
    expect(verdict).toHaveAttribute('data-outcome', 'fails');
    expect(verdict).toHaveTextContent('AADSTS9002327');
    expect(verdict).toHaveTextContent('Move the redirect URI from Single-page application to Web.');
    expect(stepItem('redirect_uris:0')).toHaveAttribute('data-state', 'failed');
  });

  it('saves a profile that reopens after a restart with its step states, and renames and deletes it', async () => {
    const user = userEvent.setup();
    const backend = new MockBackend();
    const first = renderPage(backend);
    await pickGrafanaWithSandbox(user);
    await user.type(screen.getByLabelText(/Save this setup as/), 'prod Grafana');
    await user.click(screen.getByRole('button', { name: 'Save profile' }));
    expect(await screen.findByText('Saved as “prod Grafana”.')).toBeInTheDocument();
    await user.click(within(stepItem('register:0')).getByRole('checkbox'));
    await waitFor(async () => expect((await backend.setup.profiles()).profiles[0]?.steps?.['register:0']).toBe('done'));
    first.unmount();

    renderPage(backend);
    await waitFor(() => expect(screen.getByLabelText('Saved setup')).toHaveValue('prod Grafana'));
    await waitFor(() => expect(stepItem('register:0')).toHaveAttribute('data-state', 'done'));
    expect(screen.getByLabelText(/^Application \(client\) ID/)).toHaveValue('33333333-0000-4000-8000-000000000005');

    await user.click(screen.getByRole('button', { name: 'Rename' }));
    await user.clear(screen.getByLabelText('New name'));
    await user.type(screen.getByLabelText('New name'), 'staging Grafana{Enter}');
    expect(await screen.findByText('Renamed to “staging Grafana”.')).toBeInTheDocument();
    expect(screen.getByLabelText('Saved setup')).toHaveValue('staging Grafana');

    await user.click(screen.getByRole('button', { name: 'Delete' }));
    await user.click(screen.getByRole('button', { name: 'Delete profile' }));
    expect(await screen.findByText('Deleted “staging Grafana”.')).toBeInTheDocument();
    expect((await backend.setup.profiles()).profiles).toEqual([]);
  });

  it('explains an unreadable profiles file and starts over only when asked', async () => {
    const user = userEvent.setup();
    const backend = new MockBackend({ setup: { corrupt: true } });
    renderPage(backend);
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('cannot be read');
    expect(alert).toHaveTextContent('profiles.json.corrupt');
    await user.click(screen.getByRole('button', { name: 'Start over' }));
    await waitFor(() => expect(screen.queryByRole('alert')).toBeNull());
    expect(screen.getByLabelText('Saved setup')).toHaveValue('');
  });

  it('hands the setup to Diagnose', async () => {
    const user = userEvent.setup();
    renderPage(new MockBackend());
    await pickGrafanaWithSandbox(user);
    await user.click(screen.getByRole('button', { name: 'Diagnose' }));
    expect(window.location.hash).toBe('#/diagnose');
    expect(takeDiagnosePrefill()).toEqual({
      target: 'grafana',
      baseUrl: 'https://grafana.contoso.sandbox',
      authority: MOCK_SANDBOX.authority,
      clientId: '33333333-0000-4000-8000-000000000005',
      secretName: 'sandbox-grafana',
    });
  });
});
