import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { originPolicy } from './origin.js';

const req = (host: string) => ({ headers: { host } }) as IncomingMessage;

describe('originPolicy', () => {
  it('allows the page of the same host, and no Origin at all (not a browser page)', () => {
    const allow = originPolicy([]);
    expect(allow('http://192.168.1.20:8787', req('192.168.1.20:8787'))).toBe(true);
    expect(allow(undefined, req('tabla.example'))).toBe(true);
  });

  it('refuses other origins unless listed, and malformed ones', () => {
    const allow = originPolicy(['https://partner.example']);
    expect(allow('https://evil.example', req('tabla.example'))).toBe(false);
    expect(allow('http://tabla.example.evil.example', req('tabla.example'))).toBe(false);
    expect(allow('https://partner.example', req('tabla.example'))).toBe(true);
    expect(allow('null', req('tabla.example'))).toBe(false);
  });
});
