import { fireEvent, render, screen } from '@testing-library/svelte';
import { tick } from 'svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import CopyButton, { FEEDBACK_MS } from './CopyButton.svelte';

let writeText: ReturnType<typeof vi.fn>;

beforeEach(() => {
  vi.useFakeTimers();
  writeText = vi.fn().mockResolvedValue(undefined);
  Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
});

afterEach(() => {
  vi.useRealTimers();
  Reflect.deleteProperty(navigator, 'clipboard');
});

async function settle() {
  await vi.advanceTimersByTimeAsync(0);
  await tick();
}

describe('CopyButton', () => {
  it('copies the value and says "Copied" for a moment', async () => {
    render(CopyButton, { value: 'abc123', label: 'Commit' });
    const button = screen.getByRole('button', { name: 'Copy Commit' });
    expect(button).toHaveTextContent('Copy');

    await fireEvent.click(button);
    await settle();
    expect(writeText).toHaveBeenCalledWith('abc123');
    expect(button).toHaveTextContent('Copied');
    expect(screen.getByRole('status')).toHaveTextContent('Commit copied');

    await vi.advanceTimersByTimeAsync(FEEDBACK_MS - 100);
    expect(button).toHaveTextContent('Copied');
    await vi.advanceTimersByTimeAsync(200);
    await tick();
    expect(button).not.toHaveTextContent('Copied');
    expect(button).toHaveTextContent('Copy');
  });

  it('says so when the clipboard refuses', async () => {
    writeText.mockRejectedValue(new DOMException('denied', 'NotAllowedError'));
    render(CopyButton, { value: 'x', label: 'Target', caption: 'Copy all' });
    const button = screen.getByRole('button', { name: 'Copy Target' });
    expect(button).toHaveTextContent('Copy all');
    await fireEvent.click(button);
    await settle();
    expect(button).toHaveTextContent('Couldn’t copy');
  });

  it('copes with no clipboard API at all', async () => {
    Reflect.deleteProperty(navigator, 'clipboard');
    render(CopyButton, { value: 'x', label: 'Target' });
    await fireEvent.click(screen.getByRole('button'));
    await settle();
    expect(screen.getByRole('button')).toHaveTextContent('Couldn’t copy');
  });
});
