import { describe, expect, it } from 'vitest';
import { parseBoardLink } from './link.js';

describe('parseBoardLink', () => {
  it('reads the board id and token of a role link', () => {
    expect(parseBoardLink({ pathname: '/b/demo', search: '?token=abc' })).toEqual({ boardId: 'demo', token: 'abc' });
    expect(parseBoardLink({ pathname: '/b/a%20b/', search: '?token=t&x=1' })).toEqual({ boardId: 'a b', token: 't' });
  });

  it('is null for anything else', () => {
    expect(parseBoardLink({ pathname: '/', search: '' })).toBeNull();
    expect(parseBoardLink({ pathname: '/b/demo', search: '' })).toBeNull();
    expect(parseBoardLink({ pathname: '/b/%E0%A4%A', search: '?token=t' })).toBeNull();
    expect(parseBoardLink({ pathname: '/b/x/y', search: '?token=t' })).toBeNull();
  });
});
