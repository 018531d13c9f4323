import { act, cleanup, fireEvent, screen, within } from '@testing-library/react';
import type { i18n as I18n } from 'i18next';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { Awareness } from 'y-protocols/awareness';
import * as Y from 'yjs';
import { setupI18n } from '../i18n/index.js';
import { fakeSession, renderWithSession } from '../test/session.js';
import { PresenceList } from './PresenceList.js';

let i18n: I18n;
beforeAll(async () => {
  i18n = await setupI18n('bs');
});

let doc: Y.Doc;
let awareness: Awareness;
beforeEach(() => {
  doc = new Y.Doc();
  awareness = new Awareness(doc);
});
afterEach(() => {
  cleanup();
  awareness.destroy();
  doc.destroy();
});

/** Someone else's presence, as it arrives from the server. */
function others(states: Record<number, Record<string, unknown>>) {
  act(() => {
    for (const [id, state] of Object.entries(states)) awareness.states.set(Number(id), state);
    awareness.emit('change', [{ added: Object.keys(states).map(Number), updated: [], removed: [] }, 'remote']);
  });
}

const list = () => screen.getByRole('region', { name: /Trenutno online/ });

describe('Trenutno online', () => {
  it('lists the people and counts them; a projector is listed as a projector, not counted', () => {
    const change = vi.fn();
    renderWithSession(fakeSession(doc, { role: 'editor' }, { awareness }), <PresenceList onChangeIdentity={change} />, i18n);
    act(() => awareness.setLocalStateField('user', { name: 'Amra, koordinatorica', municipalityId: null, color: '#123456', role: 'editor' }));
    others({
      101: { user: { name: 'Boris, koordinator', municipalityId: 'm_mostar', color: '#654321', role: 'editor' } },
      102: { user: { projector: true, role: 'viewer' } },
      103: {}, // a tab that has not said who it is yet
    });
    expect(within(list()).getByRole('heading').textContent).toBe('Trenutno online (2 osobe)');
    const items = within(list()).getAllByRole('listitem').map((li) => li.textContent);
    expect(items).toEqual(['Amra, koordinatorica (vi) Promijeni', 'Boris, koordinator', 'Projektor']);
    fireEvent.click(within(list()).getByRole('button', { name: 'Promijeni' }));
    expect(change).toHaveBeenCalledOnce();
  });

  it('on the projector itself: "Projektor (vi)", no one to change, and nobody counted', () => {
    renderWithSession(fakeSession(doc, { role: 'viewer' }, { awareness }), <PresenceList onChangeIdentity={() => {}} />, i18n);
    act(() => awareness.setLocalStateField('user', { projector: true, role: 'viewer' }));
    expect(within(list()).getByRole('heading').textContent).toBe('Trenutno online (0 osoba)');
    expect(within(list()).getAllByRole('listitem').map((li) => li.textContent)).toEqual(['Projektor (vi)']);
    expect(within(list()).queryByRole('button')).toBeNull();
  });
});
