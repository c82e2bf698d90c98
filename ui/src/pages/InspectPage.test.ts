import { render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BACKEND_CONTEXT, MockBackend } from '../lib/backend';
import { SAMPLE_TOKEN } from '../lib/inspect-sample';
import InspectPage from './InspectPage.svelte';

function renderPage(backend: MockBackend) {
  return render(InspectPage, { context: new Map([[BACKEND_CONTEXT, backend]]) });
}

beforeEach(() => {
  Object.defineProperty(navigator, 'clipboard', { value: { writeText: vi.fn() }, configurable: true });
});
afterEach(() => {
  Reflect.deleteProperty(navigator, 'clipboard');
});

describe('InspectPage', () => {
  it('says nothing leaves the machine unless verification is asked, and does not verify by default', async () => {
    const backend = new MockBackend();
    renderPage(backend);
    expect(screen.getByText(/Nothing leaves the machine unless you ask for verification/)).toBeInTheDocument();
    const user = userEvent.setup();
    await user.click(screen.getByLabelText(/Token, Authorization header/));
    await user.paste(`  ${SAMPLE_TOKEN}\n`);
    await user.keyboard('{Control>}{Enter}{/Control}');
    expect(await screen.findByRole('tab', { name: /Claims/ })).toBeInTheDocument();
    expect(backend.lastInspect?.verify).toBe(false);
    expect(screen.getByRole('img', { name: /Token timeline/ })).toBeInTheDocument();
    expect(screen.getByText('preferred_username')).toBeInTheDocument();
  });

  it('says what each product will do with the token, and narrows to one product', async () => {
    renderPage(new MockBackend());
    const user = userEvent.setup();
    await user.click(screen.getByLabelText(/Token, Authorization header/));
    await user.paste(SAMPLE_TOKEN);
    await user.click(screen.getByRole('button', { name: 'Inspect' }));
    const section = await screen.findByRole('region', { name: 'What the products will do' });
    const items = within(section).getAllByRole('listitem').filter((li) => li.hasAttribute('data-target'));
    expect(items.map((li) => li.dataset.target)).toEqual(['keep', 'authentik', 'camunda', 'grafana', 'openmetadata', 'generic-oidc']);
    const grafana = items.find((li) => li.dataset.target === 'grafana')!;
    expect(within(grafana).getByText('Signs in')).toBeInTheDocument();
    expect(within(grafana).getAllByText(/Role: Editor/).length).toBeGreaterThan(0);
    const keep = items.find((li) => li.dataset.target === 'keep')!;
    expect(within(keep).getByText('Cannot tell')).toBeInTheDocument();
    await user.selectOptions(screen.getByLabelText('Product'), 'keep');
    const only = within(screen.getByRole('region', { name: 'What the products will do' }))
      .getAllByRole('listitem')
      .filter((li) => li.hasAttribute('data-target'));
    expect(only).toHaveLength(1);
    // One product opens with its checks and the fix.
    expect(within(only[0]!).getByText(/Paste the token response, or the access token/)).toBeVisible();
  });

  it('judges with a saved setup when one is chosen', async () => {
    const backend = new MockBackend();
    await backend.setup.saveProfile({
      name: 'prod Grafana',
      target: 'grafana',
      inputs: { base_url: 'https://grafana.example.com', tenant: null, client_id: null, cloud: 'global', audience: 'single_tenant', client_type: null, secret_name: null, settings: {} },
      steps: {},
      verdict: null,
      updated_at: 0,
    });
    renderPage(backend);
    const user = userEvent.setup();
    const pick = await screen.findByLabelText(/Judge with a saved setup/);
    expect(within(pick).getByRole('option', { name: 'prod Grafana (grafana)' })).toBeInTheDocument();
    await user.selectOptions(pick, 'prod Grafana');
    await user.click(screen.getByLabelText(/Token, Authorization header/));
    await user.paste(SAMPLE_TOKEN);
    await user.click(screen.getByRole('button', { name: 'Inspect' }));
    await screen.findByRole('region', { name: 'What the products will do' });
    expect(backend.lastVerdicts).toMatchObject({ profile: 'prod Grafana', target: null });
  });

  it('checks GUIDs as they are typed and blocks Inspect', async () => {
    renderPage(new MockBackend());
    const user = userEvent.setup();
    await user.type(screen.getByLabelText(/Directory \(tenant\) ID/), 'contoso.com');
    expect(screen.getByText(/not a domain name/)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Inspect' })).toBeDisabled();
  });

  it('lists findings with codes and resolves overage through Graph with a masked token', async () => {
    const backend = new MockBackend();
    renderPage(backend);
    const user = userEvent.setup();
    await user.click(screen.getByLabelText(/Token, Authorization header/));
    await user.paste(SAMPLE_TOKEN);
    await user.click(screen.getByRole('button', { name: 'Inspect' }));
    await user.click(await screen.findByRole('tab', { name: /Findings/ }));
    expect(screen.getByText('groups.overage')).toBeInTheDocument();
    expect(screen.getByText('token.expired')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Resolve through Microsoft Graph' }));
    const field = screen.getByLabelText(/Microsoft Graph access token/);
    expect(field).toHaveAttribute('type', 'password');
    await user.type(field, 'eyJ.graph.token');
    await user.click(screen.getByRole('button', { name: 'Resolve groups' }));
    expect(await screen.findByTestId('group-count')).toHaveTextContent('250 through Microsoft Graph');
    await user.type(screen.getByLabelText('Search groups'), 'group 042');
    const list = screen.getByTestId('group-list');
    expect(within(list).getAllByRole('listitem')).toHaveLength(1);
    expect(list).toHaveTextContent('Bulk group 042');
  });

  it('explains a 403 from Graph', async () => {
    renderPage(new MockBackend());
    const user = userEvent.setup();
    await user.click(screen.getByLabelText(/Token, Authorization header/));
    await user.paste(SAMPLE_TOKEN);
    await user.click(screen.getByRole('button', { name: 'Inspect' }));
    await user.click(await screen.findByRole('button', { name: 'Resolve through Microsoft Graph' }));
    await user.type(screen.getByLabelText(/Microsoft Graph access token/), 'forbidden');
    await user.click(screen.getByRole('button', { name: 'Resolve groups' }));
    expect(await screen.findByText('Microsoft Graph refused to list the groups')).toBeInTheDocument();
    expect(screen.getAllByText(/GroupMember.Read.All/).length).toBeGreaterThan(0);
  });
});
