import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import type { i18n as I18n } from 'i18next';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { I18nextProvider } from 'react-i18next';
import { setupI18n } from '../i18n/index.js';
import { type Notify, NOTICE_MS, NOTICE_WITH_ACTION_MS, NoticesProvider, useNotify } from './Notices.js';

let i18n: I18n;
beforeAll(async () => {
  i18n = await setupI18n('bs');
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

/** The provider as the app mounts it, and its `notify` for the test to call. */
function renderNotices(): Notify {
  let notify: Notify = () => {};
  function Grab() {
    notify = useNotify();
    return null;
  }
  render(
    <I18nextProvider i18n={i18n}>
      <NoticesProvider>
        <Grab />
      </NoticesProvider>
    </I18nextProvider>,
  );
  return (n) => act(() => notify(n));
}

/** The live region, which holds the notices to read out. */
const live = () => screen.getByRole('status', { name: 'Obavijesti' });
/** Every notice in view (read out or not). */
const shown = () => document.querySelectorAll('.toast');

describe('notices', () => {
  it('shows the reason in view and says it to screen readers (a polite live region, there from the start)', () => {
    const notify = renderNotices();
    expect(live().getAttribute('aria-live')).toBe('polite');
    expect(live().textContent).toBe('');
    notify({ message: 'Aktivnost „X" nije premještena: oblast je zaključana.', tone: 'refusal' });
    expect(screen.getByText('Aktivnost „X" nije premještena: oblast je zaključana.').closest('[role="status"]')).toBe(live());
    expect(live().querySelector('[data-tone="refusal"]')).not.toBeNull();
  });

  it('a notice screen readers already heard another way is shown, not announced again', () => {
    const notify = renderNotices();
    notify({ message: 'Već izgovoreno', quiet: true });
    expect(screen.getByText('Već izgovoreno')).toBeTruthy();
    expect(live().textContent).toBe('');
  });

  it('goes by itself after a few seconds, but not while the pointer is on it', () => {
    vi.useFakeTimers();
    const notify = renderNotices();
    notify({ message: 'Prva' });
    act(() => vi.advanceTimersByTime(NOTICE_MS - 100));
    expect(shown()).toHaveLength(1);
    fireEvent.mouseEnter(screen.getByText('Prva').closest('.toast')!);
    act(() => vi.advanceTimersByTime(NOTICE_MS * 3));
    expect(screen.getByText('Prva')).toBeTruthy();
    fireEvent.mouseLeave(screen.getByText('Prva').closest('.toast')!);
    act(() => vi.advanceTimersByTime(1_000));
    expect(shown()).toHaveLength(0);
  });

  it('can be closed, by its button or with Escape', () => {
    const notify = renderNotices();
    notify({ message: 'Jedna' });
    notify({ message: 'Druga' });
    fireEvent.click(screen.getAllByRole('button', { name: 'Zatvori obavijest' })[0]!);
    expect(screen.queryByText('Jedna')).toBeNull();
    fireEvent.keyDown(screen.getByText('Druga'), { key: 'Escape' });
    expect(shown()).toHaveLength(0);
  });

  it('an action ("Poništi") runs once and closes the notice; it stays longer, and can take the focus', () => {
    vi.useFakeTimers();
    const notify = renderNotices();
    const run = vi.fn();
    notify({ message: 'Aktivnost „X" je obrisana.', action: { label: 'Poništi', run }, focus: true });
    const undo = screen.getByRole('button', { name: 'Poništi' });
    expect(document.activeElement).toBe(undo);
    fireEvent.blur(undo); // the focus elsewhere: the time runs
    act(() => vi.advanceTimersByTime(NOTICE_MS + 100));
    expect(screen.getByRole('button', { name: 'Poništi' })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Poništi' }));
    expect(run).toHaveBeenCalledOnce();
    expect(shown()).toHaveLength(0);
    notify({ message: 'Opet', action: { label: 'Poništi', run } });
    act(() => vi.advanceTimersByTime(NOTICE_WITH_ACTION_MS + 100));
    expect(shown()).toHaveLength(0);
  });

  it('keeps at most three in view: the oldest goes', () => {
    const notify = renderNotices();
    for (const m of ['1', '2', '3', '4']) notify({ message: `Obavijest ${m}` });
    expect(screen.queryByText('Obavijest 1')).toBeNull();
    expect(shown()).toHaveLength(3);
  });

  it('outside a provider, saying something does nothing (component tests render without one)', () => {
    function Lone() {
      const notify = useNotify();
      notify({ message: 'nikome' });
      return <p>ok</p>;
    }
    render(<Lone />);
    expect(screen.getByText('ok')).toBeTruthy();
  });
});
