import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BACKEND_CONTEXT, MockBackend, type SecretStatus } from '../backend';
import type { MockSecret } from '../backend/mock-secrets';
import { REVEAL_MS } from '../secrets';
import SecretField from './SecretField.svelte';

const VALUE = 'Xy48Q~value-typed-in-the-test-0001';
const SECRET_ID = '3f2b8c1e-9d4a-4e7b-8c2d-1a2b3c4d5e6f';
const SAVED: MockSecret = { name: 'prod-grafana', value: VALUE, store: 'keychain', expiresOn: null };

type Props = {
  name: string;
  label: string;
  status?: SecretStatus | null;
  sessionOnly?: boolean;
  onstored?: () => void;
  ondeleted?: () => void;
};

function renderField(backend: MockBackend, props: Partial<Props> = {}) {
  return render(SecretField, {
    props: { name: 'prod-grafana', label: 'Client secret Value', ...props },
    context: new Map([[BACKEND_CONTEXT, backend]]),
  });
}

let writeText: ReturnType<typeof vi.fn>;

function stubClipboard() {
  writeText = vi.fn().mockResolvedValue(undefined);
  Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
}

beforeEach(stubClipboard);

afterEach(() => {
  vi.useRealTimers();
  Reflect.deleteProperty(navigator, 'clipboard');
});

const valueInput = () => screen.getByLabelText('Client secret Value') as HTMLInputElement;

describe('SecretField while typing', () => {
  it('masks what is typed, keeps it out of autocomplete and spell-check, and shows it only on the eye toggle', async () => {
    const user = userEvent.setup();
    renderField(new MockBackend());
    const input = await waitFor(valueInput);
    expect(input).toHaveAttribute('type', 'password');
    expect(input).toHaveAttribute('autocomplete', 'off');
    expect(input).toHaveAttribute('spellcheck', 'false');

    await user.type(input, VALUE);
    expect(input.value).toBe(VALUE);
    expect(input).toHaveAttribute('type', 'password');

    const eye = screen.getByRole('button', { name: 'Show what you typed' });
    expect(eye).toHaveAttribute('aria-pressed', 'false');
    await user.click(eye);
    expect(input).toHaveAttribute('type', 'text');
    expect(screen.getByRole('button', { name: 'Hide what you typed' })).toHaveAttribute('aria-pressed', 'true');
    await user.click(screen.getByRole('button', { name: 'Hide what you typed' }));
    expect(input).toHaveAttribute('type', 'password');
  });

  it('says "this looks like the Secret ID" with the fix as a GUID is typed, and stops once it is a Value', async () => {
    const user = userEvent.setup();
    const backend = new MockBackend();
    const check = vi.spyOn(backend, 'secretCheck');
    renderField(backend);
    const input = await waitFor(valueInput);

    await user.type(input, SECRET_ID);
    const warning = await screen.findByText('This looks like the Secret ID (a GUID), not the secret’s Value.');
    expect(warning.closest('li')).toHaveTextContent('copy the Value column');
    expect(input).toHaveAttribute('aria-invalid', 'true');
    // Debounced: the core is asked about the finished text, not every keystroke.
    expect(check.mock.calls.length).toBeLessThan(SECRET_ID.length / 2);
    expect(check).toHaveBeenLastCalledWith(SECRET_ID);

    await user.clear(input);
    await user.type(input, VALUE);
    await waitFor(() => expect(screen.queryByText(/looks like the Secret ID/)).not.toBeInTheDocument());
    expect(input).not.toHaveAttribute('aria-invalid');
  });

  it('stores the value, then shows "Stored in keychain" and forgets what was typed', async () => {
    const user = userEvent.setup();
    const backend = new MockBackend();
    const onstored = vi.fn();
    renderField(backend, { onstored });
    await user.type(await waitFor(valueInput), `${VALUE}{Enter}`);

    expect(await screen.findByText('Stored in keychain')).toBeInTheDocument();
    expect(screen.getByText('Stored prod-grafana in the OS keychain.')).toBeInTheDocument();
    expect(onstored).toHaveBeenCalledWith(expect.objectContaining({ replaced: false }));
    expect(await backend.secretReveal('prod-grafana')).toBe(VALUE);
    expect(screen.queryByLabelText('Client secret Value', { selector: 'input' })).not.toBeInTheDocument();
    expect(document.body.innerHTML).not.toContain(VALUE);
  });

  it('asks before storing a suspicious value, and stores it on "Store anyway"', async () => {
    const user = userEvent.setup();
    const backend = new MockBackend();
    renderField(backend);
    await user.type(await waitFor(valueInput), SECRET_ID);
    await user.click(screen.getByRole('button', { name: 'Store in keychain' }));

    const confirm = await screen.findByRole('group', { name: 'Store it anyway?' });
    expect(confirm).toHaveTextContent('This looks like the Secret ID (a GUID), not the secret’s Value. Nothing was stored.');
    expect(await backend.secretList()).toEqual([]);
    expect(within(confirm).getByRole('button', { name: 'Store anyway' })).toHaveFocus();

    await user.keyboard('{Enter}');
    expect(await screen.findByText('Stored in keychain')).toBeInTheDocument();
    expect(await backend.secretReveal('prod-grafana')).toBe(SECRET_ID);
  });

  it('shows a keychain failure with its fix and offers this session instead', async () => {
    const user = userEvent.setup();
    const backend = new MockBackend({ keychainProblem: 'keychain.no_secret_service' });
    renderField(backend, { status: null });
    await user.type(valueInput(), `${VALUE}{Enter}`);

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('No keychain service is running');
    expect(alert).toHaveTextContent('no Secret Service (gnome-keyring or KWallet) runs in this D-Bus session');
    expect(alert).toHaveTextContent('How to fix: Install and start a Secret Service');

    await user.click(screen.getByRole('button', { name: 'Keep it for this session only' }));
    expect(await screen.findByText('Stored prod-grafana for this session only.')).toBeInTheDocument();
    expect((await backend.secretList()).map((s) => s.store)).toEqual(['session']);
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('does not ask twice: a confirmed value goes to this session when the keychain then fails', async () => {
    const user = userEvent.setup();
    const backend = new MockBackend({ keychainProblem: 'keychain.locked' });
    renderField(backend, { status: null });
    await user.type(valueInput(), `${SECRET_ID}{Enter}`);
    await user.click(await screen.findByRole('button', { name: 'Store anyway' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('The keychain is locked');
    await user.click(screen.getByRole('button', { name: 'Keep it for this session only' }));
    expect(await screen.findByText('Stored prod-grafana for this session only.')).toBeInTheDocument();
    expect(screen.queryByRole('group', { name: 'Store it anyway?' })).not.toBeInTheDocument();
    expect(await backend.secretReveal('prod-grafana')).toBe(SECRET_ID);
  });
});

describe('SecretField for a stored secret', () => {
  it('looks the secret up by name and shows where it is kept, never the value', async () => {
    const backend = new MockBackend({ secrets: [SAVED] });
    const reveal = vi.spyOn(backend, 'secretReveal');
    renderField(backend);
    expect(await screen.findByText('Stored in keychain')).toBeInTheDocument();
    expect(screen.getByText('hidden')).toBeInTheDocument();
    expect(document.body.innerHTML).not.toContain(VALUE);
    expect(reveal).not.toHaveBeenCalled();
    expect(writeText).not.toHaveBeenCalled();
  });

  it('says "This session only" for a secret kept in memory', async () => {
    renderField(new MockBackend({ secrets: [{ ...SAVED, store: 'session' }] }));
    expect(await screen.findByText('This session only')).toBeInTheDocument();
  });

  it('reveals the value only on click, and hides it again after 30 seconds', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime });
    const backend = new MockBackend({ secrets: [SAVED] });
    renderField(backend);
    await user.click(await screen.findByRole('button', { name: 'Reveal prod-grafana' }));

    expect(await screen.findByText(VALUE)).toBeInTheDocument();
    expect(backend.revealed).toEqual(['prod-grafana']);
    expect(screen.getByRole('button', { name: 'Hide prod-grafana' })).toHaveAttribute('aria-pressed', 'true');

    await vi.advanceTimersByTimeAsync(REVEAL_MS - 1000);
    expect(screen.getByText(VALUE)).toBeInTheDocument();
    await vi.advanceTimersByTimeAsync(1500);
    await waitFor(() => expect(screen.queryByText(VALUE)).not.toBeInTheDocument());
    expect(screen.getByRole('button', { name: 'Reveal prod-grafana' })).toBeInTheDocument();
  });

  it('hides a revealed value on "Hide"', async () => {
    const user = userEvent.setup();
    renderField(new MockBackend({ secrets: [SAVED] }));
    await user.click(await screen.findByRole('button', { name: 'Reveal prod-grafana' }));
    expect(await screen.findByText(VALUE)).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Hide prod-grafana' }));
    expect(screen.queryByText(VALUE)).not.toBeInTheDocument();
  });

  it('copies the value on click, says "Copied", and never shows it', async () => {
    const user = userEvent.setup();
    stubClipboard(); // user-event installs its own clipboard; put ours back.
    const backend = new MockBackend({ secrets: [SAVED] });
    renderField(backend);
    const copy = await screen.findByRole('button', { name: 'Copy prod-grafana' });
    expect(writeText).not.toHaveBeenCalled();
    await user.click(copy);
    await waitFor(() => expect(copy).toHaveTextContent('Copied'));
    expect(writeText).toHaveBeenCalledWith(VALUE);
    expect(backend.revealed).toEqual(['prod-grafana']);
    expect(document.body.innerHTML).not.toContain(VALUE);
  });

  it('deletes only after the confirm step', async () => {
    const user = userEvent.setup();
    const backend = new MockBackend({ secrets: [SAVED] });
    const ondeleted = vi.fn();
    renderField(backend, { ondeleted });

    await user.click(await screen.findByRole('button', { name: 'Delete prod-grafana' }));
    const confirm = screen.getByRole('group', { name: 'Delete prod-grafana from the OS keychain?' });
    expect(within(confirm).getByRole('button', { name: 'Yes, delete prod-grafana' })).toHaveFocus();
    await user.click(within(confirm).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('group')).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Delete prod-grafana' })).toHaveFocus();
    expect(await backend.secretList()).toHaveLength(1);

    await user.click(screen.getByRole('button', { name: 'Delete prod-grafana' }));
    await user.click(screen.getByRole('button', { name: 'Yes, delete prod-grafana' }));
    await waitFor(() => expect(ondeleted).toHaveBeenCalledWith('prod-grafana'));
    expect(await backend.secretList()).toEqual([]);
    expect(screen.getByText('Deleted prod-grafana.')).toBeInTheDocument();
    expect(screen.queryByText('Stored in keychain')).not.toBeInTheDocument();
  });

  it('replaces the value: Replace opens a masked field, Escape cancels, Store replaces', async () => {
    const user = userEvent.setup();
    const backend = new MockBackend({ secrets: [SAVED] });
    const onstored = vi.fn();
    renderField(backend, { onstored });

    await user.click(await screen.findByRole('button', { name: 'Replace prod-grafana' }));
    expect(valueInput()).toHaveFocus();
    expect(valueInput()).toHaveAttribute('type', 'password');
    await user.keyboard('{Escape}');
    expect(screen.getByRole('button', { name: 'Replace prod-grafana' })).toHaveFocus();

    await user.click(screen.getByRole('button', { name: 'Replace prod-grafana' }));
    await user.keyboard('Ab1Q~the-new-value{Enter}');
    expect(await screen.findByText('Replaced prod-grafana in the OS keychain.')).toBeInTheDocument();
    expect(onstored).toHaveBeenCalledWith(expect.objectContaining({ replaced: true }));
    expect(await backend.secretReveal('prod-grafana')).toBe('Ab1Q~the-new-value');
  });
});
