import { randomBytes } from 'node:crypto';
import type { Fanout, FanoutStatus } from './types.js';

/** One instance, no pipe: the default. */
export class NoFanout implements Fanout {
  readonly enabled = false;
  readonly instanceId = `solo-${randomBytes(6).toString('hex')}`;
  start(): void {}
  async subscribe(): Promise<void> {}
  unsubscribe(): void {}
  publishUpdate(): void {}
  publishPresence(): void {}
  status(): FanoutStatus {
    return { state: 'disabled', unpublished: 0, malformed: 0 };
  }
  async close(): Promise<void> {}
}
