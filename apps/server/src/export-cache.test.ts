import { describe, expect, it, vi } from 'vitest';
import { RenderCache } from './export-cache.js';

describe('RenderCache', () => {
  it('[R18] renders once per board and version, shares a rendering in flight, renders again for a new version', async () => {
    const cache = new RenderCache<string>();
    const render = vi.fn(async () => `v${render.mock.calls.length}`);
    const [a, b] = await Promise.all([cache.get('board', 7, render), cache.get('board', 7, render)]);
    expect([a, b]).toEqual(['v1', 'v1']);
    expect(await cache.get('board', 8, render)).toBe('v2');
    expect(await cache.get('board', 8, render)).toBe('v2');
    expect(render).toHaveBeenCalledTimes(2);
  });

  it('keeps at most maxBoards boards, dropping the least recently used', async () => {
    const cache = new RenderCache<string>(2);
    const render = vi.fn(async () => 'x');
    await cache.get('a', 1, render);
    await cache.get('b', 1, render);
    await cache.get('a', 1, render); // a is now the most recent
    await cache.get('c', 1, render); // drops b
    expect(cache.size).toBe(2);
    await cache.get('a', 1, render);
    expect(render).toHaveBeenCalledTimes(3);
    await cache.get('b', 1, render);
    expect(render).toHaveBeenCalledTimes(4);
  });

  it('does not keep a failed rendering', async () => {
    const cache = new RenderCache<string>();
    await expect(cache.get('a', 1, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await cache.get('a', 1, async () => 'ok')).toBe('ok');
  });
});
