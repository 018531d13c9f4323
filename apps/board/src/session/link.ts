/** What the address bar says: which board, and the role token of the link. */
export interface BoardLink {
  readonly boardId: string;
  readonly token: string;
}

export function parseBoardLink(location: { pathname: string; search: string }): BoardLink | null {
  const match = /^\/b\/([^/]+)\/?$/.exec(location.pathname);
  const token = new URLSearchParams(location.search).get('token');
  if (!match || !token) return null;
  try {
    return { boardId: decodeURIComponent(match[1]!), token };
  } catch {
    return null;
  }
}
