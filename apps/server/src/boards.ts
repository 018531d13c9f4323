/** New boards from a template (product logic; the sync core only stores them). */
import * as Y from 'yjs';
import { copyBoardStructure, LIMITS, type Role, randomId, seedDemoBoard, seedEmptyBoard } from '@tabla/plan-model';
import { type BoardRecord, type BoardStorage, generateRoleTokens } from '@tabla/sync-server';

/** 'empty', the demo plan, or another board's structure (see copyBoardStructure). */
export type BoardTemplate = 'empty' | 'demo' | { readonly copyOf: Y.Doc };

export interface CreatedBoard {
  readonly board: BoardRecord;
  /** Plain tokens: shown once, stored only hashed. */
  readonly tokens: Record<Role, string>;
}

/** Creates a board with its first state and a fresh token per role. */
export async function createBoard(
  storage: BoardStorage,
  input: { title: string; template: BoardTemplate; id?: string },
): Promise<CreatedBoard> {
  const title = input.title.trim().slice(0, LIMITS.title);
  const doc = new Y.Doc();
  if (typeof input.template === 'object') copyBoardStructure(input.template.copyOf, doc, title);
  else if (input.template === 'demo') seedDemoBoard(doc);
  else seedEmptyBoard(doc, title);
  if (input.template === 'demo' && title) seedEmptyBoard(doc, title);
  const board: BoardRecord = { id: input.id ?? randomId(16), title, createdAt: Date.now() };
  const { tokens, records } = generateRoleTokens();
  await storage.createBoard(board, Y.encodeStateAsUpdate(doc), records);
  doc.destroy();
  return { board, tokens };
}
