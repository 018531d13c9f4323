import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { pino, type DestinationStream, type Logger as Pino } from 'pino';
import type { Config } from './config.js';

/**
 * Structured JSON logs (pino). Callers never pass tokens in; the redact list is a second line
 * of defence for fields that could carry one.
 */
/**
 * By default the logs go to process.stdout as a stream (main.ts drops its write errors). Not
 * pino's own file destination: at exit that one flushes synchronously and, on a closed pipe,
 * retries for ever, so a shutdown with a vanished log reader would hang (seen with `| head`).
 */
export function createLogger(level: Config['logLevel'], destination: DestinationStream = process.stdout): Pino {
  return pino(
    {
      level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: ['token', 'tokens', '*.token', '*.tokens', 'authorization', '*.authorization', 'clientKey'], censor: '[redacted]' },
    },
    destination,
  );
}

export type LogFormat = 'pretty' | 'json';

/** `LOG_FORMAT` when set; else `pretty` for a person at a terminal and `json` for anything else (a pipe, a supervisor, a test harness). */
export function logFormatFor(configured: Config['logFormat'], stdoutIsTTY: boolean): LogFormat {
  return configured ?? (stdoutIsTTY ? 'pretty' : 'json');
}

/** The log file of `LOG_FORMAT=pretty`, beside the database. */
export const LOG_FILE_NAME = 'tabla.log';

export interface Logging {
  readonly logger: Pino;
  readonly format: LogFormat;
  /** Where the JSON lines go: the log file (pretty), stdout (json), or nowhere (`LOG_LEVEL=silent`). */
  readonly destination: { readonly file: string } | 'stdout' | 'off';
  /** Closes the log file, if one is open. */
  close(): void;
}

export interface LoggingOptions {
  readonly level: Config['logLevel'];
  readonly format: LogFormat;
  readonly dataDir: string;
  readonly stdout?: DestinationStream;
  readonly stderr?: DestinationStream;
}

/**
 * Where the logs go, by `LOG_FORMAT`:
 * - `json`: every line as JSON on stdout, for a log collector (and nothing else there).
 * - `pretty`: the JSON lines are appended to `DATA_DIR/tabla.log`, and warnings and errors are
 *   also written to stderr as one readable line each; stdout is left to the start banner.
 */
export function startLogging(options: LoggingOptions): Logging {
  const { level, format, dataDir } = options;
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  if (level === 'silent') return { logger: createLogger('silent', stdout), format, destination: 'off', close() {} };
  if (format === 'json') return { logger: createLogger(level, stdout), format, destination: 'stdout', close() {} };
  const file = join(dataDir, LOG_FILE_NAME);
  const logFile = appendOnlyFile(file);
  const streams = pino.multistream([
    { level, stream: logFile },
    { level: 'warn', stream: readableLines(stderr) },
  ]);
  return { logger: createLogger(level, streams), format, destination: { file }, close: () => logFile.close() };
}

/**
 * A log file written synchronously (a line logged just before `process.exit` is in the file),
 * opened for appending (a log rotation that truncates the file in place, logrotate's
 * `copytruncate`, is fine). A line the disk refuses is dropped: a full disk must not take the
 * server down through its logger.
 */
function appendOnlyFile(file: string): DestinationStream & { close(): void } {
  let fd: number | null = openSync(file, 'a', 0o600);
  return {
    write(line: string) {
      if (fd === null) return;
      try {
        writeSync(fd, line);
      } catch {
        // dropped; see above
      }
    },
    close() {
      if (fd !== null) closeSync(fd);
      fd = null;
    },
  };
}

const LEVEL_WORDS: Record<number, string> = { 40: 'warning', 50: 'error', 60: 'fatal error' };
/** Fields that are not the log line's details (nor are empty ones). */
const FRAME = new Set(['level', 'time', 'msg', 'pid', 'hostname']);
const MAX_VALUE = 160;

/** One JSON log line as one line for a person: `14:03:22 warning: storage write failed (boardId: b1; err: SQLITE_FULL)`. */
export function readableLine(json: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return oneLine(json);
  }
  const level = typeof entry.level === 'number' ? entry.level : 0;
  const word = LEVEL_WORDS[level] ?? (level > 60 ? 'fatal error' : 'note');
  const time = typeof entry.time === 'string' || typeof entry.time === 'number' ? new Date(entry.time) : null;
  const clock = time && !Number.isNaN(time.getTime()) ? `${[time.getHours(), time.getMinutes(), time.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':')} ` : '';
  const details = Object.entries(entry)
    .filter(([key, value]) => !FRAME.has(key) && value !== null && value !== undefined)
    .map(([key, value]) => `${key}: ${shortValue(value)}`);
  const msg = typeof entry.msg === 'string' ? entry.msg : '';
  return `${clock}${word}: ${oneLine(msg)}${details.length > 0 ? ` (${details.join('; ')})` : ''}`;
}

function shortValue(value: unknown): string {
  const text =
    typeof value === 'string'
      ? value
      : value && typeof value === 'object' && typeof (value as { message?: unknown }).message === 'string'
        ? (value as { message: string }).message
        : JSON.stringify(value);
  const line = oneLine(text ?? String(value));
  return line.length > MAX_VALUE ? `${line.slice(0, MAX_VALUE - 1)}…` : line;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

/** Writes each JSON log line it is given to `out` as a readable line (`readableLine`). */
function readableLines(out: DestinationStream): DestinationStream {
  return { write: (line: string) => void out.write(`${readableLine(line)}\n`) };
}
