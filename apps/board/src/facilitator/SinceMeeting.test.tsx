import { act, cleanup, fireEvent, screen } from '@testing-library/react';
import type { i18n as I18n } from 'i18next';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addActivity, addProgressNote, demoLaneId, demoMunicipalityId, readBoard, seedDemoBoard } from '@tabla/plan-model';
import { useBoard } from '@tabla/plan-react';
import { setupI18n } from '../i18n/index.js';
import { fakeSession, renderWithSession } from '../test/session.js';
import { type SinceApi, SinceMeeting } from './SinceMeeting.js';

const MOSTAR = demoMunicipalityId('mostar');
let i18n: I18n;
beforeAll(async () => {
  i18n = await setupI18n('bs');
});
let doc: Y.Doc;
beforeEach(() => {
  doc = new Y.Doc();
  seedDemoBoard(doc);
});
afterEach(() => {
  cleanup();
  doc.destroy();
});

function renderSince(api: SinceApi) {
  function Live() {
    return <SinceMeeting board={useBoard(doc)} api={api} />;
  }
  renderWithSession(fakeSession(doc, { role: 'facilitator' }, { link: { boardId: 'b1', token: 't' } }), <Live />, i18n);
}

describe('"Šta se promijenilo od zadnjeg sastanka"', () => {
  it('shows the plan\'s changes since the newest version, by municipality, and the progress notes since then', async () => {
    const savedAt = Date.now() - 60_000;
    const snapshot = Y.encodeStateAsUpdate(doc);
    const older = Y.encodeStateAsUpdate(new Y.Doc());
    addActivity(doc, { title: 'Nova mostarska aktivnost', leadId: MOSTAR }, { laneId: demoLaneId('A') });
    const decision = [...readBoard(doc).activityById.values()].find((a) => a.title === 'Odluka o LDP-u kao savjetodavnom tijelu')!;
    addProgressNote(doc, decision.id, { text: 'Prije sastanka', by: MOSTAR, at: savedAt - 1_000 });
    addProgressNote(doc, decision.id, { text: 'Vijeće usvojilo odluku', percent: 100, by: MOSTAR, at: savedAt + 1_000 });
    const api: SinceApi = {
      list: async () => ({
        ok: true,
        value: [
          { id: 'v0', name: 'Prazna', createdAt: savedAt - 100_000, by: 'x', auto: false, summary: '' },
          { id: 'v1', name: 'Usaglašeni plan', createdAt: savedAt, by: 'x', auto: false, summary: '' },
        ],
      }),
      snapshot: async (id) => ({ ok: true, value: id === 'v1' ? snapshot : older }),
    };
    renderSince(api);
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Prikaži izmjene' })));
    expect((screen.getByRole('combobox', { name: 'Od verzije' }) as HTMLSelectElement).value).toBe('v1');
    expect(screen.getByRole('heading', { name: 'Grad Mostar' })).toBeTruthy();
    expect(screen.getByText('dodano: Nova mostarska aktivnost')).toBeTruthy();
    expect(screen.getByText('1 bilješka o napretku:')).toBeTruthy();
    expect(screen.getByText(/Odluka o LDP-u kao savjetodavnom tijelu · 100 %: Vijeće usvojilo odluku/)).toBeTruthy();
    expect(screen.queryByText(/Prije sastanka/)).toBeNull();
  });

  it('says so when there are no versions, or the server keeps none', async () => {
    renderSince({ list: async () => ({ ok: true, value: [] }), snapshot: async () => ({ ok: false, reason: 'failed' }) });
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Prikaži izmjene' })));
    expect(screen.getByText('Još nema sačuvanih verzija.')).toBeTruthy();
    cleanup();
    renderSince({ list: async () => ({ ok: false, reason: 'failed' }), snapshot: async () => ({ ok: false, reason: 'failed' }) });
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Prikaži izmjene' })));
    expect(screen.getByText('Verzije trenutno nisu dostupne.')).toBeTruthy();
  });
});
