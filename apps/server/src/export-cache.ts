/**
 * Rendered exports, kept per board until the board changes: rendering reads the whole plan and
 * builds a file (an XLSX is a zip), while asking whether it changed is one storage read.
 */

/**
 * One rendering per board and version: `version` is the board's last stored sequence number,
 * which grows with every accepted update and only then (compaction keeps it), so an equal
 * number means an equal plan. Concurrent requests for the same version share one rendering.
 * Holds at most `maxBoards` boards, dropping the least recently used.
 */
export class RenderCache<T> {
  readonly #entries = new Map<string, { readonly version: number; readonly rendered: Promise<T> }>();

  constructor(readonly maxBoards = 16) {}

  /** The rendering of `boardId` at `version`, made with `render` unless already at hand. */
  get(boardId: string, version: number, render: () => Promise<T>): Promise<T> {
    const entry = this.#entries.get(boardId);
    this.#entries.delete(boardId); // re-inserted below: a Map iterates oldest first
    if (entry && entry.version === version) {
      this.#entries.set(boardId, entry);
      return entry.rendered;
    }
    const rendered = render();
    this.#entries.set(boardId, { version, rendered });
    // A failed rendering is not kept: the next request tries again.
    rendered.catch(() => {
      if (this.#entries.get(boardId)?.rendered === rendered) this.#entries.delete(boardId);
    });
    while (this.#entries.size > this.maxBoards) this.#entries.delete(this.#entries.keys().next().value!);
    return rendered;
  }

  get size(): number {
    return this.#entries.size;
  }
}
