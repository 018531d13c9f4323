import { cleanup, screen } from '@testing-library/react';
import type { i18n as I18n } from 'i18next';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { setupI18n } from '../i18n/index.js';
import type { SessionState } from '../session/board-session.js';
import { fakeSession, renderWithSession } from '../test/session.js';
import { ConnectionStatus } from './ConnectionStatus.js';

let bs: I18n;
let en: I18n;
let sr: I18n;
beforeAll(async () => {
  [bs, en, sr] = await Promise.all([setupI18n('bs'), setupI18n('en'), setupI18n('sr-Cyrl-BA')]);
});
afterEach(() => cleanup());

function show(state: Partial<SessionState>, i18n: I18n = bs) {
  renderWithSession(fakeSession(new Y.Doc(), { role: 'editor', ...state }), <ConnectionStatus />, i18n);
  return {
    connection: screen.getByRole('status', { name: /Veza sa serverom|Connection to the server|Веза са сервером/ }),
    saved: screen.queryByRole('status', { name: /Izmjene na serveru|Changes on the server|Измјене на серверу/ }),
  };
}

describe('the header’s connection: state you can trust at a glance', () => {
  it('offline, with how many changes wait on this device (Bosnian plurals)', () => {
    for (const [pending, text] of [
      [1, '1 izmjena čeka na ovom uređaju'],
      [3, '3 izmjene čekaju na ovom uređaju'],
      [5, '5 izmjena čeka na ovom uređaju'],
      [21, '21 izmjena čeka na ovom uređaju'],
    ] as const) {
      const { connection, saved } = show({ connection: 'offline', saved: 'unsaved-offline', pending });
      expect(connection.textContent).toBe('Van mreže');
      expect(connection.dataset.state).toBe('offline');
      expect(saved!.textContent).toBe(text);
      cleanup();
    }
  });

  it('in English and Serbian too', () => {
    expect(show({ connection: 'offline', saved: 'unsaved-offline', pending: 2 }, en).saved!.textContent).toBe('2 changes waiting on this device');
    cleanup();
    const { connection, saved } = show({ connection: 'reconnecting', saved: 'unsaved-offline', pending: 2 }, sr);
    expect(connection.textContent).toBe('Поновно повезивање…');
    expect(saved!.textContent).toBe('2 измјене чекају на овом уређају');
  });

  it('connected and confirmed: saved; a viewer (who changes nothing) has no count', () => {
    expect(show({ connection: 'connected', saved: 'saved', pending: 0 }).saved!.textContent).toBe('Sve izmjene su sačuvane');
    cleanup();
    expect(show({ role: 'viewer', connection: 'offline', saved: 'saved', pending: 0 }).saved).toBeNull();
  });
});
