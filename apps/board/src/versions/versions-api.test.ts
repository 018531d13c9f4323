import { describe, expect, it } from 'vitest';
import { fetchSnapshot, formatVersionTime, listVersions, saveVersion } from './versions-api.js';

const link = { boardId: 'b 1', token: 't&x' };
const record = { id: 'v_1', name: 'Plan', createdAt: 1, by: 'facilitatorica', auto: false, summary: 's' };

describe('versions api', () => {
  it('lists, saves and fetches with the link token; says why it failed', async () => {
    const calls: [string, RequestInit | undefined][] = [];
    const answer = (res: Response) => async (url: string, init?: RequestInit) => {
      calls.push([url, init]);
      return res;
    };
    expect(await listVersions(link, answer(Response.json([record])))).toEqual({ ok: true, value: [record] });
    expect(calls[0]![0]).toBe('/api/boards/b%201/versions?token=t%26x');
    expect(await saveVersion(link, 'Plan', 'facilitatorica', answer(Response.json(record, { status: 201 })))).toEqual({ ok: true, value: record });
    expect(JSON.parse(String(calls[1]![1]!.body))).toEqual({ name: 'Plan', by: 'facilitatorica' });
    expect(await saveVersion(link, 'Plan', '', answer(Response.json({}, { status: 403 })))).toEqual({ ok: false, reason: 'unauthorized' });
    expect(await saveVersion(link, '', '', answer(Response.json({}, { status: 400 })))).toEqual({ ok: false, reason: 'invalid' });
    const offline = async () => {
      throw new TypeError('network');
    };
    expect(await listVersions(link, offline)).toEqual({ ok: false, reason: 'offline' });
    const snap = await fetchSnapshot(link, 'v/1', answer(new Response(new Uint8Array([1, 2, 3]))));
    expect(snap).toEqual({ ok: true, value: new Uint8Array([1, 2, 3]) });
    expect(calls.at(-1)![0]).toBe('/api/boards/b%201/versions/v%2F1/snapshot?token=t%26x');
  });

  it('formats times per language, with month names and a 24-hour time', () => {
    const at = new Date(2022, 9, 19, 10, 30).getTime();
    expect(formatVersionTime(at, 'bs')).toBe('19. oktobar 2022. u 10:30');
    expect(formatVersionTime(at, 'sr-Cyrl-BA')).toBe('19. октобар 2022. у 10:30');
    expect(formatVersionTime(at, 'en')).toBe('19 October 2022, 10:30');
  });
});
