import { render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BACKEND_CONTEXT, MockBackend, type Backend } from '../lib/backend';
import { errorText } from '../lib/errors';
import AboutPage from './AboutPage.svelte';

function renderWith(backend: Backend) {
  return render(AboutPage, { context: new Map([[BACKEND_CONTEXT, backend]]) });
}

let writeText: ReturnType<typeof vi.fn>;

beforeEach(() => {
  writeText = vi.fn().mockResolvedValue(undefined);
  Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
});

afterEach(() => {
  Reflect.deleteProperty(navigator, 'clipboard');
});

describe('AboutPage', () => {
  it('shows Loading… and then the versions from the backend', async () => {
    renderWith(new MockBackend({ delayMs: 10 }));
    expect(screen.getByRole('heading', { level: 1, name: 'About' })).toBeInTheDocument();
    expect(screen.getByText('Loading…')).toBeInTheDocument();

    const term = await screen.findByText('Entrance version');
    const row = term.closest('div') as HTMLElement;
    expect(within(row).getByText('0.0.0-mock')).toBeInTheDocument();
    expect(screen.queryByText('Loading…')).not.toBeInTheDocument();
    expect(screen.getByText(/Demo values/)).toBeInTheDocument();

    const terms = screen.getAllByRole('term').map((t) => t.textContent);
    expect(terms).toEqual([
      'Entrance version',
      'Core version',
      'Commit',
      'Build date',
      'Build profile',
      'Target',
      'Rust compiler',
      'Tauri version',
      'WebView version',
    ]);
  });

  it('has a copy button per value and one for everything', async () => {
    const user = userEvent.setup();
    // user-event installs its own clipboard stub; put ours back.
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    renderWith(new MockBackend());

    await user.click(await screen.findByRole('button', { name: 'Copy Tauri version' }));
    expect(writeText).toHaveBeenLastCalledWith('0.0.0-mock');

    await user.click(screen.getByRole('button', { name: 'Copy all details' }));
    const text = writeText.mock.lastCall?.[0] as string;
    expect(text).toContain('Entrance version: 0.0.0-mock');
    expect(text.trimEnd().split('\n')).toHaveLength(9);
  });

  it('shows the mapped title, the message and the fix when the backend fails', async () => {
    const backend = new MockBackend({
      failWith: { code: 'not_built', message: 'About is switched off.', fix: 'Rebuild with the about feature.' },
    });
    renderWith(backend);

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent(errorText.not_built.title);
    expect(alert).toHaveTextContent('About is switched off.');
    expect(alert).toHaveTextContent('How to fix: Rebuild with the about feature.');
    expect(screen.queryByRole('term')).not.toBeInTheDocument();

    // Retry after the cause is gone.
    backend.failWith = null;
    await userEvent.click(within(alert).getByRole('button', { name: 'Try again' }));
    expect(await screen.findByText('Entrance version')).toBeInTheDocument();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('omits the fix line when the core gives none', async () => {
    renderWith(new MockBackend({ failWith: { code: 'io', message: 'Could not read build info.', fix: null } }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent(errorText.io.title);
    expect(alert).not.toHaveTextContent('How to fix');
  });
});
