import { describe, expect, it } from 'vitest';
import { CloseCode, closeCodeName } from './close-codes.js';

describe('CloseCode', () => {
  it('names each code, and every code is unique', () => {
    expect(closeCodeName(CloseCode.forbidden)).toBe('forbidden');
    expect(closeCodeName(CloseCode.presenceRefused)).toBe('presenceRefused');
    const codes = Object.values(CloseCode);
    expect(new Set(codes).size).toBe(codes.length);
  });
});
