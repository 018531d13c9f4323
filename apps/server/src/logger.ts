import { pino, type DestinationStream, type Logger as Pino } from 'pino';
import type { Config } from './config.js';

/**
 * Structured JSON logs (pino) on stdout. Callers never pass tokens in; the redact
 * list is a second line of defence for fields that could carry one.
 */
/**
 * Logs go to process.stdout as a stream (main.ts drops its write errors). Not pino's own
 * file destination: at exit that one flushes synchronously and, on a closed pipe, retries
 * for ever, so a shutdown with a vanished log reader would hang (seen with `| head`).
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
