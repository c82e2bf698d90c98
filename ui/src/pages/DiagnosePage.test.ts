import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { BACKEND_CONTEXT, MockBackend } from '../lib/backend';
import { MOCK_TARGETS } from '../lib/backend/mock-setup';
import { MOCK_SANDBOX } from '../lib/backend/mock-signin';
import { handOffToDiagnose } from '../lib/diagnose';
import DiagnosePage from './DiagnosePage.svelte';

function renderPage(backend: MockBackend, stepMs = 0) {
  backend.diagnoseStepMs = stepMs;
  return render(DiagnosePage, { context: new Map([[BACKEND_CONTEXT, backend]]) });
}

const state = (id: string) => document.querySelector(`li.item[data-check="${id}"]`)?.getAttribute('data-state');

/** What the Copy buttons put on the clipboard (user-event's stand-in clipboard). */
const clipboard = () => navigator.clipboard.readText();

describe('DiagnosePage', () => {
  it('suggests the targets the core lists (setup_targets), spelled as the core spells them', async () => {
    const backend = new MockBackend();
    const core = [MOCK_TARGETS.find((t) => t.info.name === 'grafana')!, { ...MOCK_TARGETS[0], info: { ...MOCK_TARGETS[0].info, name: 'generic-oidc' } }];
    const targets = vi.spyOn(backend.setup, 'targets').mockResolvedValue(core);
    renderPage(backend);
    const options = () => [...document.querySelectorAll('datalist#targets option')].map((o) => (o as HTMLOptionElement).value);
    await waitFor(() => expect(options()).toEqual(['grafana', 'generic-oidc']));
    expect(targets).toHaveBeenCalled();
    expect(options()).not.toContain('generic_oidc');
  });

  it('does not run without an authority and says what to enter', async () => {
    const user = userEvent.setup();
    const backend = new MockBackend();
    renderPage(backend);
    await user.click(screen.getByRole('button', { name: 'Run diagnosis' }));
    expect(backend.lastDiagnose).toBeNull();
    expect(screen.getByText(/Enter the Directory \(tenant\) ID/)).toBeInTheDocument();
  });

  it('diagnoses the sandbox’s correct app: every check passes and the summary says healthy', async () => {
    const user = userEvent.setup();
    const backend = new MockBackend();
    renderPage(backend);
    await user.click(screen.getByRole('button', { name: 'Try with the sandbox tenant' }));
    const picker = await screen.findByLabelText('Sandbox app registration');
    await waitFor(() => expect(screen.getByLabelText(/Saved secret’s name/)).toHaveValue('sandbox-grafana'));
    expect(picker).toHaveFocus();
    expect(screen.getByLabelText('Authority URL')).toHaveValue(MOCK_SANDBOX.authority);
    expect(screen.getByLabelText(/Target product/)).toHaveValue('grafana');
    expect(screen.getByLabelText(/Product’s base URL/)).toHaveValue('https://grafana.contoso.sandbox');
    await user.click(screen.getByRole('button', { name: 'Run diagnosis' }));
    const heading = await screen.findByRole('heading', { name: 'Healthy' });
    await waitFor(() => expect(heading).toHaveFocus());
    expect(backend.lastDiagnose?.request).toMatchObject({ authority: MOCK_SANDBOX.authority, secret_name: 'sandbox-grafana', target: 'grafana' });
    expect(backend.lastDiagnose?.graphToken).toBeNull();
    expect(state('tenant')).toBe('passed');
    expect(state('app_secret')).toBe('passed');
    expect(screen.getByText('Diagnosis finished: every check that ran passed.')).toBeInTheDocument();
  });

  it('explains an unknown tenant: the root cause with its fix and AADSTS code, the rest blocked by it', async () => {
    const user = userEvent.setup();
    const backend = new MockBackend();
    renderPage(backend);
    await user.click(screen.getByRole('button', { name: 'Try with the sandbox tenant' }));
    await waitFor(() => expect(screen.getByLabelText(/Saved secret’s name/)).toHaveValue('sandbox-grafana'));
    const authority = screen.getByLabelText('Authority URL');
    await user.clear(authority);
    await user.type(authority, MOCK_SANDBOX.authority.replace(MOCK_SANDBOX.tenant_id, 'contoso-typo.sandbox'));
    await user.keyboard('{Enter}');
    await screen.findByRole('heading', { name: 'Problems found' });

    const cause = document.querySelector('li.cause[data-root="true"]') as HTMLElement;
    expect(cause).toHaveTextContent('AADSTS90002');
    expect(cause).toHaveTextContent('Root cause');
    expect(cause).toHaveTextContent(/Fix:.*Directory \(tenant\) ID/);
    expect(cause).toHaveTextContent(/Explains 4 blocked checks.*Microsoft Graph/);
    await user.click(within(cause).getByRole('button', { name: /Copy the link to AADSTS90002/ }));
    expect(await clipboard()).toBe('https://login.microsoftonline.com/error?code=90002');

    expect(state('tenant')).toBe('failed');
    for (const id of ['jwks', 'app_secret', 'redirect_uri']) expect(state(id)).toBe('blocked');
    const blocked = document.querySelector('li.item[data-check="jwks"]') as HTMLElement;
    expect(blocked).toHaveTextContent('Blocked by Tenant discovery at');
    // The picture: the broken step is drawn failed, what it blocked greyed.
    expect(document.querySelector('g[data-check="tenant"]')?.getAttribute('data-tone')).toBe('danger');
    expect(document.querySelector('g[data-check="app_secret"]')?.getAttribute('data-tone')).toBe('muted');
  });

  it('shows each check running with a spinner while it runs, and Escape cancels', async () => {
    const user = userEvent.setup();
    const backend = new MockBackend();
    renderPage(backend, 200);
    await user.type(screen.getByLabelText('Directory (tenant) ID or domain'), 'contoso.onmicrosoft.com{Enter}');
    await waitFor(() => expect(state('environment')).toBe('running'));
    expect(document.querySelector('li[data-check="environment"] .spinner')).not.toBeNull();
    expect(screen.getByText(/0 of \d+ checks done; running: Proxy and CA settings/)).toBeInTheDocument();
    await user.keyboard('{Escape}');
    await screen.findByRole('heading', { name: 'Cancelled' });
    expect(state('loopback')).toBe('cancelled');
  });

  it('copies the Markdown report and saves Markdown and JSON, saying where', async () => {
    const user = userEvent.setup();
    const backend = new MockBackend();
    renderPage(backend);
    await user.type(screen.getByLabelText('Directory (tenant) ID or domain'), 'contoso.onmicrosoft.com{Enter}');
    await screen.findByRole('heading', { name: 'Healthy' });
    await user.click(screen.getByRole('button', { name: 'Copy Markdown' }));
    expect(await clipboard()).toContain('# Entrance diagnosis');
    expect(await screen.findByText('Copied the Markdown report.')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Save JSON' }));
    expect(await screen.findByText(/Saved to \/home\/admin\/Downloads\/entrance-diagnosis-.*\.json/)).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Save Markdown' }));
    expect(backend.saved.at(-1)).toMatch(/\.md$/);
  });

  it('refuses a saved secret name that holds nothing, with the core’s fix', async () => {
    const user = userEvent.setup();
    const backend = new MockBackend();
    renderPage(backend);
    await user.type(screen.getByLabelText('Directory (tenant) ID or domain'), 'contoso.onmicrosoft.com');
    await user.type(screen.getByLabelText(/Saved secret’s name/), 'prod-missing');
    await user.click(screen.getByRole('button', { name: 'Run diagnosis' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('prod-missing');
    expect(alert).toHaveTextContent(/How to fix/);
    expect(screen.queryByRole('heading', { name: /Healthy|Problems/ })).toBeNull();
  });

  it('explains AADSTS codes pasted in any text', async () => {
    const user = userEvent.setup();
    renderPage(new MockBackend());
    await user.type(screen.getByLabelText('Error text'), 'error_description=AADSTS50011%3A+The+redirect+URI and AADSTS7000215');
    await user.click(screen.getByRole('button', { name: 'Explain' }));
    const first = await waitFor(() => document.querySelector('article[data-code="50011"]') as HTMLElement);
    expect(first).toHaveTextContent('does not match a redirect URI registered');
    expect(first).toHaveTextContent('Where: App registration → Authentication');
    expect(document.querySelector('article[data-code="7000215"]')).toHaveTextContent('invalid client secret');
    await user.clear(screen.getByLabelText('Error text'));
    await user.type(screen.getByLabelText('Error text'), 'nothing to see');
    await user.click(screen.getByRole('button', { name: 'Explain' }));
    expect(await screen.findByText('No AADSTS code in that text.')).toBeInTheDocument();
  });

  it('opens with what another page handed over', () => {
    handOffToDiagnose({ tenant: 'fabrikam.onmicrosoft.com', clientId: '33333333-0000-4000-8000-000000000005', target: 'grafana', baseUrl: 'https://grafana.fabrikam.com' }, { location: { hash: '' } } as unknown as Window);
    renderPage(new MockBackend());
    expect(screen.getByLabelText('Directory (tenant) ID or domain')).toHaveValue('fabrikam.onmicrosoft.com');
    expect(screen.getByLabelText(/Application \(client\) ID/)).toHaveValue('33333333-0000-4000-8000-000000000005');
    expect(screen.getByLabelText(/Product’s base URL/)).toHaveValue('https://grafana.fabrikam.com');
  });
});
