import * as Y from 'yjs';
import { randomId, type Role, seedDemoBoard, setBoardTitle } from '@tabla/plan-model';
import type { BoardStorage } from '../storage/types.js';
import { generateRoleTokens } from '../tokens.js';

export interface TestBoard {
  readonly boardId: string;
  readonly tokens: Record<Role, string>;
}

/**
 * Stores plan-model's demo board, titled `title`, with a fresh token per role: the fixture of
 * the tests and the bench. Creating boards from templates is product logic (apps/server).
 */
export async function storeDemoBoard(storage: BoardStorage, title: string): Promise<TestBoard> {
  const doc = new Y.Doc();
  seedDemoBoard(doc);
  setBoardTitle(doc, title);
  const boardId = randomId(16);
  const { tokens, records } = generateRoleTokens();
  await storage.createBoard({ id: boardId, title, createdAt: Date.now() }, Y.encodeStateAsUpdate(doc), records);
  doc.destroy();
  return { boardId, tokens };
}
