import { render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import App from './App.svelte';
import { MockBackend, setBackend } from './lib/backend';

beforeEach(() => {
  history.replaceState(null, '', '/');
  setBackend(new MockBackend());
});

afterEach(() => {
  setBackend(null);
});

const heading = () => screen.getByRole('heading', { level: 1 });

describe('App', () => {
  it('opens Setup by default and normalises the hash', async () => {
    render(App);
    expect(heading()).toHaveTextContent('Setup');
    await waitFor(() => expect(location.hash).toBe('#/setup'));
    expect(document.title).toBe('Setup · Entrance');
    expect(await screen.findByRole('radio', { name: /^Grafana/ })).toBeInTheDocument();
  });

  it('follows the hash', async () => {
    history.replaceState(null, '', '/#/diagnose');
    render(App);
    expect(heading()).toHaveTextContent('Diagnose');

    location.hash = '#/inspect';
    await waitFor(() => expect(heading()).toHaveTextContent('Inspect'));
    expect(screen.getByRole('link', { name: /Inspect/ })).toHaveAttribute('aria-current', 'page');

    location.hash = '#/nowhere';
    await waitFor(() => expect(heading()).toHaveTextContent('Setup'));
    expect(location.hash).toBe('#/setup');
  });

  it('switches areas with Alt+1…6', async () => {
    const user = userEvent.setup();
    render(App);
    await user.keyboard('{Alt>}2{/Alt}');
    await waitFor(() => expect(heading()).toHaveTextContent('Inspect'));
    expect(location.hash).toBe('#/inspect');
    await user.keyboard('{Alt>}3{/Alt}');
    await waitFor(() => expect(heading()).toHaveTextContent('Diagnose'));
    await user.keyboard('{Alt>}4{/Alt}');
    await waitFor(() => expect(heading()).toHaveTextContent('Sign in'));
    await user.keyboard('{Alt>}5{/Alt}');
    await waitFor(() => expect(heading()).toHaveTextContent('Secrets'));
    expect(document.title).toBe('Secrets · Entrance');
    await user.keyboard('{Alt>}6{/Alt}');
    await waitFor(() => expect(heading()).toHaveTextContent('About'));
    expect(await screen.findByText('Entrance version')).toBeInTheDocument();
    await user.keyboard('{Alt>}1{/Alt}');
    await waitFor(() => expect(heading()).toHaveTextContent('Setup'));
  });

  it('can be driven from the sidebar with the keyboard alone', async () => {
    const user = userEvent.setup();
    render(App);
    await user.tab(); // skip link
    expect(screen.getByRole('button', { name: 'Skip to content' })).toHaveFocus();
    await user.tab(); // first area
    expect(screen.getByRole('link', { name: /Setup/ })).toHaveFocus();
    await user.keyboard('{ArrowDown}{ArrowDown}{Enter}');
    await waitFor(() => expect(heading()).toHaveTextContent('Diagnose'));
    expect(screen.getByRole('link', { name: /Diagnose/ })).toHaveFocus();
  });

  it('labels demo data as such', () => {
    render(App);
    expect(screen.getByText(/demo data/i)).toBeInTheDocument();
  });
});
