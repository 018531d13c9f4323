/**
 * A random key per device (browser profile), sent with every connection. The server
 * binds each Yjs client id to the key that first wrote under it, so nobody else can
 * write in this device's name, and this device's offline edits are accepted later.
 */
const STORAGE_KEY = 'tabla.deviceKey';
const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function randomKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return Array.from(bytes, (b) => alphabet[b % 64]).join('');
}

let fallback: string | null = null;

export function deviceKey(): string {
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    if (stored && /^[A-Za-z0-9_-]{32}$/.test(stored)) return stored;
    const key = randomKey();
    localStorage.setItem(STORAGE_KEY, key);
    return key;
  } catch {
    // No storage (private mode): a key for this page's life.
    fallback ??= randomKey();
    return fallback;
  }
}
