import { describe, expect, it } from 'vitest';
import { checkLink, listLinks, listMunicipalityLinks, revokeLink, rotateLink } from './links-api.js';

const auth = { boardId: 'b 1', token: 'fac-token' };

function fakeFetch(respond: () => Response | Promise<Response>) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fn = async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    return respond();
  };
  return { fn, calls };
}

describe('role links on the server', () => {
  it('rotates with the facilitator token and returns the new link', async () => {
    const f = fakeFetch(() => Response.json({ role: 'editor', token: 't2', link: 'http://127.0.0.1:1/b/b%201?token=t2' }));
    expect(await rotateLink(auth, 'editor', f.fn)).toEqual({ ok: true, value: 'http://127.0.0.1:1/b/b%201?token=t2' });
    expect(f.calls).toHaveLength(1);
    expect(f.calls[0]!.url).toBe('/api/boards/b%201/links/editor');
    expect(f.calls[0]!.init.method).toBe('POST');
    expect((f.calls[0]!.init.headers as Record<string, string>).authorization).toBe('Bearer fac-token');
  });

  it('revokes with DELETE', async () => {
    const f = fakeFetch(() => new Response(null, { status: 204 }));
    expect(await revokeLink(auth, 'viewer', f.fn)).toEqual({ ok: true, value: null });
    expect(f.calls[0]!.init.method).toBe('DELETE');
    expect(f.calls[0]!.url).toBe('/api/boards/b%201/links/viewer');
  });

  it('tells a refused token, no network and a server failure apart', async () => {
    expect(await rotateLink(auth, 'editor', fakeFetch(() => Response.json({ error: 'no' }, { status: 401 })).fn)).toEqual({ ok: false, reason: 'unauthorized', status: 401 });
    expect(await revokeLink(auth, 'editor', fakeFetch(() => Promise.reject(new TypeError('Failed to fetch'))).fn)).toEqual({ ok: false, reason: 'offline' });
    expect(await rotateLink(auth, 'editor', fakeFetch(() => new Response('oops', { status: 500 })).fn)).toEqual({ ok: false, reason: 'failed', status: 500 });
    // A 200 without a usable link is a failure too, never an empty link shown as new.
    expect(await rotateLink(auth, 'editor', fakeFetch(() => Response.json({ link: 'javascript:alert(1)' })).fn)).toEqual({ ok: false, reason: 'failed', status: 200 });
  });

  it('issues, revokes and lists the coordinator link of one municipality', async () => {
    const f = fakeFetch(() => Response.json({ role: 'editor', municipalityId: 'm 1', token: 't3', link: 'http://h/b/b%201?token=t3' }));
    expect(await rotateLink(auth, { municipalityId: 'm 1' }, f.fn)).toEqual({ ok: true, value: 'http://h/b/b%201?token=t3' });
    expect(f.calls[0]!.url).toBe('/api/boards/b%201/links/editor/m%201');
    const d = fakeFetch(() => new Response(null, { status: 204 }));
    expect(await revokeLink(auth, { municipalityId: 'm 1' }, d.fn)).toEqual({ ok: true, value: null });
    expect(d.calls[0]!.url).toBe('/api/boards/b%201/links/editor/m%201');
    const l = fakeFetch(() => Response.json({ roles: { editor: true }, municipalities: { m_a: { issuedAt: 5 }, m_b: { issuedAt: 'x' } } }));
    const listed = await listMunicipalityLinks(auth, l.fn);
    expect(listed.ok && [...listed.value]).toEqual([['m_a', 5]]);
    expect(l.calls[0]!.init.method).toBe('GET');
    expect(l.calls[0]!.url).toBe('/api/boards/b%201/links');
  });

  it('lists which role links work too, for the room kit', async () => {
    const l = fakeFetch(() => Response.json({ roles: { facilitator: true, editor: false, viewer: true }, municipalities: { m_a: { issuedAt: 5 } } }));
    const listed = await listLinks(auth, l.fn);
    expect(listed.ok && listed.value.roles).toEqual({ facilitator: true, editor: false, viewer: true });
    expect(listed.ok && [...listed.value.municipalities]).toEqual([['m_a', 5]]);
  });

  it('checks what a remembered link grants now: its role and municipality, or that it no longer works', async () => {
    const ok = fakeFetch(() => Response.json({ boardId: 'b 1', role: 'editor', municipalityId: 'm_a' }));
    expect(await checkLink('b 1', 'http://h/b/b%201?token=t+1', ok.fn)).toEqual({ ok: true, value: { role: 'editor', municipalityId: 'm_a' } });
    expect(ok.calls[0]!.url).toBe('/api/boards/b%201/access?token=t%201');
    expect(ok.calls[0]!.init.method).toBe('GET');
    expect(await checkLink('b 1', 'http://h/b/b%201?token=old', fakeFetch(() => Response.json({ error: 'no' }, { status: 401 })).fn)).toEqual({ ok: false, reason: 'unauthorized', status: 401 });
    expect(await checkLink('b 1', 'http://h/b/b%201', fakeFetch(() => Response.json({})).fn)).toEqual({ ok: false, reason: 'unauthorized' });
    expect(await checkLink('b 1', 'http://h/b/b%201?token=x', fakeFetch(() => Promise.reject(new TypeError('offline'))).fn)).toEqual({ ok: false, reason: 'offline' });
  });
});
