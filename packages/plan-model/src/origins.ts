/**
 * Transaction origins, a tagged union (as in Hocuspocus): observers and the undo
 * manager tell a person's own edits from remote ones, seeds and server work.
 */
export type PlanOrigin =
  | { readonly source: 'local' }
  | { readonly source: 'seed' }
  | { readonly source: 'remote'; readonly connectionId?: string }
  | { readonly source: 'storage' };

/** The one origin of this replica's user actions; an UndoManager tracks it by identity. */
export const localOrigin: PlanOrigin = Object.freeze({ source: 'local' });
export const seedOrigin: PlanOrigin = Object.freeze({ source: 'seed' });
export const storageOrigin: PlanOrigin = Object.freeze({ source: 'storage' });

export const isPlanOrigin = (origin: unknown): origin is PlanOrigin =>
  typeof origin === 'object' && origin !== null && 'source' in origin;
