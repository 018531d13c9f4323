import { cleanup, fireEvent, screen } from '@testing-library/react';
import type { i18n as I18n } from 'i18next';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { setupI18n } from '../i18n/index.js';
import type { SessionState } from '../session/board-session.js';
import { fakeSession, renderWithSession } from '../test/session.js';
import { Header } from './Header.js';

let i18n: I18n;
beforeAll(async () => {
  i18n = await setupI18n('bs');
});
afterEach(() => cleanup());

function showStopped(stopped: SessionState['stopped']) {
  const doc = new Y.Doc();
  const session = fakeSession(doc, { role: 'viewer', connection: 'stopped', stopped }, { link: { boardId: 'b1', token: 't' } });
  const retry = vi.fn();
  const setAsideLocalWork = vi.fn();
  Object.assign(session, { retry, setAsideLocalWork });
  renderWithSession(session, <Header title="Tabla" onChangeIdentity={() => {}} onToggleProjector={() => {}} />, i18n);
  return { retry, setAsideLocalWork };
}

describe('the header when the board cannot connect', () => {
  it('1009: says why, offers to try again and to keep this device’s changes aside', () => {
    const { retry, setAsideLocalWork } = showStopped({ code: 1009, reason: 'Max payload size exceeded' });
    expect(screen.getByRole('status', { name: 'Veza sa serverom' }).textContent).toBe(
      'Ne možemo se povezati: izmjene s ovog uređaja su prevelike da bi se poslale odjednom',
    );
    fireEvent.click(screen.getByRole('button', { name: 'Pokušaj ponovo' }));
    expect(retry).toHaveBeenCalledOnce();
    fireEvent.click(screen.getByRole('button', { name: 'Sačuvaj izmjene po strani i učitaj tablu' }));
    expect(setAsideLocalWork).toHaveBeenCalledOnce();
  });

  it('4400: a message the server could not read; only "try again"', () => {
    showStopped({ code: 4400, reason: 'malformed message' });
    expect(screen.getByRole('status', { name: 'Veza sa serverom' }).textContent).toContain('server ne razumije poruke ove verzije table');
    expect(screen.getByRole('button', { name: 'Pokušaj ponovo' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Sačuvaj izmjene po strani i učitaj tablu' })).toBeNull();
  });
});
