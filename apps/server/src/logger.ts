import { pino, type DestinationStream, type Logger as Pino } from 'pino';
import type { Config } from './config.js';

/**
 * Structured JSON logs (pino) on stdout. Callers never pass tokens in; the redact
 * list is a second line of defence for fields that could carry one.
 */
export function createLogger(level: Config['logLevel'], destination?: DestinationStream): Pino {
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
