/**
 * Test-only: a stand-in for a BoardSession (no network, no IndexedDB) and the providers the
 * board's components expect around them. Component tests render through these.
 */
import { render, type RenderResult } from '@testing-library/react';
import type { i18n as I18n } from 'i18next';
import type { ReactNode } from 'react';
import { I18nextProvider } from 'react-i18next';
import { Awareness } from 'y-protocols/awareness';
import type * as Y from 'yjs';
import type { BoardSession, SessionState } from '../session/board-session.js';
import { SessionContext } from '../ui/context.js';

/** The parts of a session a test may give besides its document and state. */
export type FakeSessionParts = Partial<Pick<BoardSession, 'awareness' | 'undoManager' | 'link'>>;

/**
 * A session over `doc`, connected and synced, with `state` on top (its role, its municipality…).
 * Its state never changes (nothing to subscribe to); presence goes nowhere. Without an awareness
 * in `parts` it gets one of its own (nobody else present), ended with the document.
 */
export function fakeSession(doc: Y.Doc, state: Partial<SessionState> = {}, parts: FakeSessionParts = {}): BoardSession {
  const full = { connection: 'connected', synced: true, ...state } as SessionState;
  return {
    doc,
    subscribe: () => () => {},
    getState: () => full,
    setActivity: () => {},
    ...parts,
    awareness: parts.awareness ?? new Awareness(doc),
  } as unknown as BoardSession;
}

/** Renders `ui` inside the translations and the session, as the app provides them. */
export function renderWithSession(session: BoardSession, ui: ReactNode, i18n: I18n): RenderResult {
  return render(
    <I18nextProvider i18n={i18n}>
      <SessionContext.Provider value={session}>{ui}</SessionContext.Provider>
    </I18nextProvider>,
  );
}
