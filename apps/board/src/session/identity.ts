/** Who this person said they are, remembered on this device per board. */
export interface Identity {
  readonly name: string;
  readonly municipalityId: string | null;
}

const key = (boardId: string) => `tabla.identity.${boardId}`;

export function loadIdentity(boardId: string): Identity | null {
  try {
    const raw = localStorage.getItem(key(boardId));
    if (!raw) return null;
    const parsed = JSON.parse(raw) as Partial<Identity>;
    if (typeof parsed.name !== 'string' || !parsed.name.trim()) return null;
    return { name: parsed.name.slice(0, 80), municipalityId: typeof parsed.municipalityId === 'string' ? parsed.municipalityId : null };
  } catch {
    return null;
  }
}

export function saveIdentity(boardId: string, identity: Identity): void {
  try {
    localStorage.setItem(key(boardId), JSON.stringify(identity));
  } catch {
    // private mode: asked again next time
  }
}
