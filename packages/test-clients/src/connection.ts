/** What every test client shares, stock or raw: how it presents itself, and how it was closed. */

/** How a test client presents itself, beyond its role token. */
export interface ClientOptions {
  /** The device's client key, sent as `?key=` (binds the Yjs client ids it writes under). */
  readonly key?: string;
}

export interface CloseInfo {
  readonly code: number;
  readonly reason: string;
}
