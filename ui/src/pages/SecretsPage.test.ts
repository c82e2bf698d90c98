import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BACKEND_CONTEXT, MockBackend } from '../lib/backend';
import { demoSecrets } from '../lib/backend/mock-secrets';
import SecretsPage from './SecretsPage.svelte';

const TODAY = '2026-05-01';
const VALUE = 'Xy48Q~value-typed-on-the-page-0001';
const SECRET_ID = '3f2b8c1e-9d4a-4e7b-8c2d-1a2b3c4d5e6f';

function renderPage(backend: MockBackend) {
  return render(SecretsPage, { context: new Map([[BACKEND_CONTEXT, backend]]) });
}

function row(name: string): HTMLElement {
  const heading = screen.getByRole('heading', { level: 3, name });
  return heading.closest('li') as HTMLElement;
}

const addForm = () => screen.getByRole('region', { name: 'Add a secret' });

beforeEach(() => {
  Object.defineProperty(navigator, 'clipboard', { value: { writeText: vi.fn() }, configurable: true });
});

afterEach(() => {
  Reflect.deleteProperty(navigator, 'clipboard');
});

describe('SecretsPage', () => {
  it('explains itself when nothing is saved, including the CLI way', async () => {
    renderPage(new MockBackend({ today: TODAY }));
    expect(screen.getByRole('heading', { level: 1, name: 'Secrets' })).toBeInTheDocument();
    expect(await screen.findByText('No secrets saved yet.')).toBeInTheDocument();
    const empty = screen.getByText('No secrets saved yet.').parentElement as HTMLElement;
    expect(empty).toHaveTextContent('OS keychain');
    expect(empty).toHaveTextContent('entrance secret set prod-grafana');
    expect(empty).toHaveTextContent('never from the command line');
    expect(within(empty).getByRole('button', { name: 'Copy the command' })).toBeInTheDocument();
    expect(within(addForm()).getByLabelText('Name')).toBeInTheDocument();
  });

  it('lists saved secrets with where they are kept and a coloured expiry state with its warning', async () => {
    renderPage(new MockBackend({ today: TODAY, secrets: demoSecrets(TODAY) }));
    await screen.findByRole('heading', { level: 3, name: 'prod-grafana' });
    const names = screen.getAllByRole('heading', { level: 3 }).map((h) => h.textContent);
    expect(names).toEqual(['camunda-test', 'old-authentik', 'prod-grafana', 'staging-keep']);

    const valid = row('prod-grafana');
    expect(valid).toHaveAttribute('data-expiry', 'valid');
    expect(within(valid).getByText('Valid')).toHaveAttribute('data-tone', 'ok');
    expect(valid).toHaveTextContent('Expires 2027-06-17 · 412 days left');
    expect(valid).toHaveTextContent('Stored in keychain');

    const soon = row('staging-keep');
    expect(within(soon).getByText('Expires soon')).toHaveAttribute('data-tone', 'warn');
    expect(soon).toHaveTextContent('Expires 2026-05-13 · 12 days left');
    expect(soon).toHaveTextContent('It expires in 12 days');
    expect(soon).toHaveTextContent('Add a new client secret in Certificates & secrets');

    const expired = row('old-authentik');
    expect(within(expired).getByText('Expired')).toHaveAttribute('data-tone', 'danger');
    expect(expired).toHaveTextContent('Expired 2026-04-28 · 3 days ago');
    expect(expired).toHaveTextContent('AADSTS7000222');

    const unknown = row('camunda-test');
    expect(within(unknown).getByText('Expiry unknown')).toHaveAttribute('data-tone', 'neutral');
    expect(unknown).toHaveTextContent('This session only');

    for (const name of names) {
      const r = row(name as string);
      for (const action of ['Reveal', 'Copy', 'Replace', 'Delete']) {
        expect(within(r).getByRole('button', { name: `${action} ${name}` })).toBeInTheDocument();
      }
      expect(within(r).getByRole('button', { name: `Set expiry of ${name}` })).toBeInTheDocument();
    }
    expect(document.body.innerHTML).not.toContain('demo-value');
  });

  it('adds a secret with an end date and shows it in the list', async () => {
    const user = userEvent.setup();
    const backend = new MockBackend({ today: TODAY });
    renderPage(backend);
    await screen.findByText('No secrets saved yet.');
    const form = addForm();
    const store = within(form).getByRole('button', { name: 'Store in keychain' });
    expect(store).toBeDisabled();

    await user.type(within(form).getByLabelText('Name'), 'prod-grafana');
    await user.type(within(form).getByLabelText('Value'), VALUE);
    await user.type(within(form).getByLabelText(/Expires/), '2026-05-20');
    await user.click(store);

    const added = await screen.findByRole('heading', { level: 3, name: 'prod-grafana' });
    await waitFor(() => expect(added).toHaveFocus());
    expect(row('prod-grafana')).toHaveTextContent('Stored in keychain');
    expect(row('prod-grafana')).toHaveTextContent('Expires soon');
    expect(row('prod-grafana')).toHaveTextContent('Expires 2026-05-20 · 19 days left');
    expect(within(form).getByText('Stored prod-grafana in the OS keychain.')).toBeInTheDocument();
    // The form is empty again, ready for the next one.
    expect(within(form).getByLabelText('Name')).toHaveValue('');
    expect(within(form).getByLabelText('Value')).toHaveValue('');
    expect(await backend.secretReveal('prod-grafana')).toBe(VALUE);
  });

  it('refuses a Secret ID until the admin confirms "Store anyway"', async () => {
    const user = userEvent.setup();
    const backend = new MockBackend({ today: TODAY });
    renderPage(backend);
    await screen.findByText('No secrets saved yet.');
    const form = addForm();
    await user.type(within(form).getByLabelText('Name'), 'prod-grafana');
    await user.type(within(form).getByLabelText('Value'), SECRET_ID);
    expect(await within(form).findByText(/looks like the Secret ID/)).toBeInTheDocument();

    await user.click(within(form).getByRole('button', { name: 'Store in keychain' }));
    const confirm = await within(form).findByRole('group', { name: 'Store it anyway?' });
    expect(confirm).toHaveTextContent('Nothing was stored.');
    expect(screen.getByText('No secrets saved yet.')).toBeInTheDocument();

    await user.click(within(confirm).getByRole('button', { name: 'Store anyway' }));
    expect(await screen.findByRole('heading', { level: 3, name: 'prod-grafana' })).toBeInTheDocument();
  });

  it('shows a keychain error with its fix and offers this session only as the way forward', async () => {
    const user = userEvent.setup();
    const backend = new MockBackend({
      today: TODAY,
      secrets: demoSecrets(TODAY).filter((s) => s.store === 'keychain'),
      keychainProblem: 'keychain.locked',
    });
    renderPage(backend);

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('The keychain is locked');
    expect(alert).toHaveTextContent('How to fix: Unlock the keyring');
    const forward = screen.getByRole('button', { name: 'Add a secret for this session only' });
    expect(forward.parentElement).toHaveTextContent('Entrance can still keep a secret for this session only');

    await user.click(forward);
    const form = addForm();
    expect(within(form).getByRole('checkbox', { name: /Keep for this session only/ })).toBeChecked();
    expect(within(form).getByLabelText('Name')).toHaveFocus();
    await user.keyboard('temp-grafana');
    await user.type(within(form).getByLabelText('Value'), VALUE);
    await user.click(within(form).getByRole('button', { name: 'Keep for this session' }));
    expect(await within(form).findByText('Stored temp-grafana for this session only.')).toBeInTheDocument();
  });

  it('offers this session only when storing in the keychain fails', async () => {
    const user = userEvent.setup();
    renderPage(new MockBackend({ today: TODAY, keychainProblem: 'keychain.no_session_bus' }));
    await screen.findByText('No secrets saved yet.');
    const form = addForm();
    await user.type(within(form).getByLabelText('Name'), 'prod-grafana');
    await user.type(within(form).getByLabelText('Value'), VALUE);
    await user.click(within(form).getByRole('button', { name: 'Store in keychain' }));

    const alert = await within(form).findByRole('alert');
    expect(alert).toHaveTextContent('The keychain can’t be reached (no D-Bus session)');
    expect(alert).toHaveTextContent('dbus-run-session');
    await user.click(within(form).getByRole('button', { name: 'Keep it for this session only' }));
    const added = await screen.findByRole('heading', { level: 3, name: 'prod-grafana' });
    expect(added.closest('li')).toHaveTextContent('This session only');
  });

  it('sets, changes and forgets an end date per secret', async () => {
    const user = userEvent.setup();
    const backend = new MockBackend({
      today: TODAY,
      secrets: [{ name: 'prod-grafana', value: VALUE, store: 'keychain', expiresOn: null }],
    });
    renderPage(backend);
    await screen.findByRole('heading', { level: 3, name: 'prod-grafana' });
    expect(row('prod-grafana')).toHaveTextContent('Expiry unknown');

    await user.click(screen.getByRole('button', { name: 'Set expiry of prod-grafana' }));
    const editor = screen.getByRole('group', { name: 'Expiry of prod-grafana' });
    const date = within(editor).getByLabelText('Expires');
    expect(date).toHaveFocus();
    await user.type(date, '2026-04-30{Enter}');
    await waitFor(() => expect(row('prod-grafana')).toHaveTextContent('Expired 2026-04-30 · 1 day ago'));

    await user.click(screen.getByRole('button', { name: 'Set expiry of prod-grafana' }));
    await user.click(screen.getByRole('button', { name: 'Forget the date' }));
    await waitFor(() => expect(row('prod-grafana')).toHaveTextContent('Expiry unknown'));
  });

  it('deletes a secret from its row after the confirm step', async () => {
    const user = userEvent.setup();
    const backend = new MockBackend({ today: TODAY, secrets: demoSecrets(TODAY) });
    renderPage(backend);
    await screen.findByRole('heading', { level: 3, name: 'staging-keep' });
    await user.click(screen.getByRole('button', { name: 'Delete staging-keep' }));
    expect(row('staging-keep')).toHaveTextContent('Delete staging-keep from the OS keychain?');
    await user.click(screen.getByRole('button', { name: 'Yes, delete staging-keep' }));
    await waitFor(() => expect(screen.queryByRole('heading', { level: 3, name: 'staging-keep' })).not.toBeInTheDocument());
    await waitFor(() => expect(screen.getByRole('heading', { level: 2, name: 'Saved secrets' })).toHaveFocus());
    expect((await backend.secretList()).map((s) => s.name)).not.toContain('staging-keep');
  });

  it('says when a name is taken or not valid', async () => {
    const user = userEvent.setup();
    renderPage(new MockBackend({ today: TODAY, secrets: demoSecrets(TODAY) }));
    await screen.findByRole('heading', { level: 3, name: 'prod-grafana' });
    const name = within(addForm()).getByLabelText('Name');
    await user.type(name, 'prod-grafana');
    expect(addForm()).toHaveTextContent('prod-grafana is saved already: storing replaces its value.');
    await user.clear(name);
    await user.type(name, 'has space');
    expect(addForm()).toHaveTextContent('Names use 1–64 letters');
  });
});
