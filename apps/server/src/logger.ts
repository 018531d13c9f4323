import type { Logger } from '@tabla/sync-server';
import type { Config } from './config.js';

const levels = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const;

/** Structured JSON lines on stdout. Callers never pass secrets (tokens) in. */
export function createLogger(level: Config['logLevel'], out: (line: string) => void = (l) => process.stdout.write(l)): Logger & { debug: Logger['info'] } {
  const at = levels[level];
  const write = (name: keyof typeof levels, obj: object, msg?: string) => {
    if (levels[name] < at) return;
    out(`${JSON.stringify({ time: new Date().toISOString(), level: name, msg, ...obj })}\n`);
  };
  return {
    debug: (obj, msg) => write('debug', obj, msg),
    info: (obj, msg) => write('info', obj, msg),
    warn: (obj, msg) => write('warn', obj, msg),
    error: (obj, msg) => write('error', obj, msg),
  };
}
