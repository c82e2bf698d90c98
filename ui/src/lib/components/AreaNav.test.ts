import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import AreaNav from './AreaNav.svelte';

afterEach(() => {
  history.replaceState(null, '', '/');
});

function links() {
  const nav = screen.getByRole('navigation', { name: 'Areas' });
  return Array.from(nav.querySelectorAll('a'));
}

describe('AreaNav', () => {
  it('lists the areas with subtitles and marks the current one', () => {
    render(AreaNav, { current: 'inspect' });
    expect(links().map((a) => a.dataset.area)).toEqual(['setup', 'inspect', 'diagnose', 'signin', 'secrets', 'about']);
    expect(screen.getByRole('link', { name: /Setup/ })).toHaveTextContent('Register an app, generate config');
    expect(screen.getByRole('link', { name: /Inspect/ })).toHaveTextContent('Decode and explain tokens');
    expect(screen.getByRole('link', { name: /Diagnose/ })).toHaveTextContent('Find why sign-in fails');
    expect(screen.getByRole('link', { name: /Sign in/ })).toHaveTextContent('Test a real sign-in');

    const current = links().filter((a) => a.getAttribute('aria-current') === 'page');
    expect(current.map((a) => a.dataset.area)).toEqual(['inspect']);
    expect(links().map((a) => a.getAttribute('href'))).toEqual([
      '#/setup',
      '#/inspect',
      '#/diagnose',
      '#/signin',
      '#/secrets',
      '#/about',
    ]);
  });

  it('keeps Secrets and About together at the bottom, without subtitles', () => {
    render(AreaNav, { current: 'secrets' });
    const bottom = screen.getByRole('navigation', { name: 'Areas' }).querySelector('ul.bottom') as HTMLElement;
    const names = Array.from(bottom.querySelectorAll('a')).map((a) => a.textContent?.trim());
    expect(names).toEqual(['Secrets', 'About']);
    expect(screen.getByRole('link', { name: /Secrets/ })).toHaveAttribute('aria-current', 'page');
  });

  it('moves focus with Up/Down (wrapping) and Home/End', async () => {
    const user = userEvent.setup();
    render(AreaNav, { current: 'setup' });
    const [setup, inspect, diagnose, signin, secrets, about] = links();

    setup!.focus();
    await user.keyboard('{ArrowDown}');
    expect(inspect).toHaveFocus();
    await user.keyboard('{ArrowDown}{ArrowDown}');
    expect(signin).toHaveFocus();
    await user.keyboard('{ArrowDown}');
    expect(secrets).toHaveFocus();
    await user.keyboard('{ArrowDown}');
    expect(about).toHaveFocus();
    await user.keyboard('{ArrowDown}');
    expect(setup).toHaveFocus();
    await user.keyboard('{ArrowUp}');
    expect(about).toHaveFocus();
    await user.keyboard('{ArrowUp}{ArrowUp}{ArrowUp}');
    expect(diagnose).toHaveFocus();
    await user.keyboard('{Home}');
    expect(setup).toHaveFocus();
    await user.keyboard('{End}');
    expect(about).toHaveFocus();
  });

  it('activates the focused area with Enter and with Space', async () => {
    const user = userEvent.setup();
    render(AreaNav, { current: 'setup' });
    const [setup, inspect, diagnose] = links();

    setup!.focus();
    await user.keyboard('{ArrowDown}{Enter}');
    expect(inspect).toHaveFocus();
    expect(location.hash).toBe('#/inspect');

    await user.keyboard('{ArrowDown} ');
    expect(diagnose).toHaveFocus();
    expect(location.hash).toBe('#/diagnose');
  });

  it('declares the Alt+digit shortcuts', () => {
    render(AreaNav, { current: 'setup' });
    expect(links().map((a) => a.getAttribute('aria-keyshortcuts'))).toEqual([
      'Alt+1',
      'Alt+2',
      'Alt+3',
      'Alt+4',
      'Alt+5',
      'Alt+6',
    ]);
  });
});
