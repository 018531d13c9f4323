import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';
import { logFormatFor, readableLine, startLogging } from './logger.js';

const dirs: string[] = [];
const dataDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'tabla-logger-'));
  dirs.push(d);
  return d;
};
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

const collector = () => {
  const lines: string[] = [];
  return { lines, write: (s: string) => void lines.push(...s.split('\n').filter(Boolean)) };
};

describe('LOG_FORMAT', () => {
  it('is read from the environment: pretty, json, or unset', () => {
    expect(loadConfig({ DATA_DIR: dataDir() }).logFormat).toBeNull();
    expect(loadConfig({ DATA_DIR: dataDir(), LOG_FORMAT: 'json' }).logFormat).toBe('json');
    expect(loadConfig({ DATA_DIR: dataDir(), LOG_FORMAT: 'pretty' }).logFormat).toBe('pretty');
    expect(() => loadConfig({ DATA_DIR: dataDir(), LOG_FORMAT: 'xml' })).toThrow(ConfigError);
    expect(() => loadConfig({ DATA_DIR: dataDir(), LOG_FORMAT: 'xml' })).toThrow(/LOG_FORMAT "xml" is not one of pretty, json/);
  });

  it('unset: pretty for a person at a terminal, json for a pipe or a supervisor', () => {
    expect(logFormatFor(null, true)).toBe('pretty');
    expect(logFormatFor(null, false)).toBe('json');
    expect(logFormatFor('json', true)).toBe('json');
    expect(logFormatFor('pretty', false)).toBe('pretty');
  });
});

describe('startLogging', () => {
  it('json: every line as JSON on stdout, nothing on stderr, no log file', () => {
    const dir = dataDir();
    const stdout = collector();
    const stderr = collector();
    const { logger, destination } = startLogging({ level: 'info', format: 'json', dataDir: dir, stdout, stderr });
    logger.info({ port: 1 }, 'listening');
    logger.warn({ boardId: 'b1' }, 'something odd');
    logger.debug({}, 'not at info');
    expect(destination).toBe('stdout');
    expect(stdout.lines.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(['listening', 'something odd']);
    expect(stderr.lines).toEqual([]);
    expect(existsSync(join(dir, 'tabla.log'))).toBe(false);
  });

  it('pretty: JSON lines appended to DATA_DIR/tabla.log, warnings and errors also on stderr as one readable line; stdout untouched', () => {
    const dir = dataDir();
    const file = join(dir, 'tabla.log');
    writeFileSync(file, '{"msg":"an earlier start"}\n');
    const stdout = collector();
    const stderr = collector();
    const logging = startLogging({ level: 'info', format: 'pretty', dataDir: dir, stdout, stderr });
    logging.logger.info({ port: 1 }, 'listening');
    logging.logger.warn({ boardId: 'b1', token: 'secret-token' }, 'something odd');
    logging.logger.error({ err: 'Error: disk full\n    at write (x.js:1:1)' }, 'storage write failed');
    logging.close();

    expect(logging.destination).toEqual({ file });
    expect(stdout.lines).toEqual([]);
    const logged = readFileSync(file, 'utf8').trim().split('\n');
    expect(logged[0]).toBe('{"msg":"an earlier start"}'); // appended, not overwritten
    expect(logged.slice(1).map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(['listening', 'something odd', 'storage write failed']);
    expect(stderr.lines).toHaveLength(2);
    expect(stderr.lines[0]).toMatch(/^\d\d:\d\d:\d\d warning: something odd \(boardId: b1; token: \[redacted\]\)$/);
    expect(stderr.lines[1]).toMatch(/^\d\d:\d\d:\d\d error: storage write failed \(err: Error: disk full at write \(x\.js:1:1\)\)$/);
    expect(stderr.lines.join('\n')).not.toContain('secret-token');
    expect(readFileSync(file, 'utf8')).not.toContain('secret-token');
  });

  it('pretty keeps LOG_LEVEL: at error, warnings go nowhere', () => {
    const dir = dataDir();
    const stderr = collector();
    const logging = startLogging({ level: 'error', format: 'pretty', dataDir: dir, stdout: collector(), stderr });
    logging.logger.warn({}, 'a warning');
    logging.logger.error({}, 'an error');
    logging.close();
    expect(stderr.lines).toEqual([expect.stringContaining('error: an error')]);
    expect(readFileSync(join(dir, 'tabla.log'), 'utf8')).not.toContain('a warning');
  });

  it('silent: nothing anywhere, and no log file', () => {
    const dir = dataDir();
    const stdout = collector();
    const stderr = collector();
    const logging = startLogging({ level: 'silent', format: 'pretty', dataDir: dir, stdout, stderr });
    logging.logger.error({}, 'an error');
    expect(logging.destination).toBe('off');
    expect([...stdout.lines, ...stderr.lines]).toEqual([]);
    expect(existsSync(join(dir, 'tabla.log'))).toBe(false);
  });
});

describe('readableLine', () => {
  it('one line: local time, level, message and the fields, long values shortened', () => {
    const time = new Date(2026, 0, 2, 9, 5, 7).toISOString();
    expect(readableLine(JSON.stringify({ level: 40, time, msg: 'slow write', ms: 812, boardId: 'b1', municipalityId: null }))).toBe('09:05:07 warning: slow write (ms: 812; boardId: b1)');
    expect(readableLine(JSON.stringify({ level: 50, time, msg: 'failed', err: { type: 'Error', message: 'boom', stack: 'Error: boom\n  at x' } }))).toBe('09:05:07 error: failed (err: boom)');
    const long = readableLine(JSON.stringify({ level: 50, msg: 'x', detail: 'a'.repeat(500) }));
    expect(long.length).toBeLessThan(200);
    expect(long).toContain('…');
    expect(readableLine('not json\nat all')).toBe('not json at all');
  });
});
