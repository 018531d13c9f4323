/**
 * Loaded into our server with `--import` by the "one update's way" bench (stages.ts): hears the
 * sync server's trace points (@tabla/sync-server/trace) and, when the server exits, writes each
 * relayed update's wall-clock stages to the file `TABLA_TRACE_FILE` names (trace-file.ts). Node runs
 * it in every thread: on the SQLite worker it passes each commit's own duration to the main thread.
 * It keeps no update's bytes: they only key weak maps.
 */
import { subscribe } from 'node:diagnostics_channel';
import { writeFileSync } from 'node:fs';
import { BroadcastChannel, isMainThread } from 'node:worker_threads';
import { traceChannels, type TracedBatch, type TracedCommit, type TracedUpdate } from '@tabla/sync-server/trace';
import type { TraceFile } from './trace-file.js';

interface Write {
  readonly started: number;
  ended?: number;
}

interface Times {
  readonly received: number;
  accepted?: number;
  write?: Write;
  relayed?: number;
}

const commits = new BroadcastChannel('tabla-bench-trace');
commits.unref();
const name = (channel: { readonly name: string | symbol }) => channel.name as string;

if (isMainThread) {
  const now = () => performance.now();
  const pending = new WeakMap<Uint8Array, Times>();
  const writes = new WeakMap<object, Write>();
  const relayed: Times[] = [];
  /** Writes in the order they were stored, and their commits' own durations in the same order: SQLite commits one write at a time. */
  const stored: Write[] = [];
  const commitMs: number[] = [];
  subscribe(name(traceChannels.received), (m) => void pending.set((m as TracedUpdate).update, { received: now() }));
  subscribe(name(traceChannels.accepted), (m) => {
    const times = pending.get((m as TracedUpdate).update);
    if (times) times.accepted = now();
  });
  subscribe(name(traceChannels.writing), (m) => {
    const write: Write = { started: now() };
    writes.set(m as object, write);
    for (const update of (m as TracedBatch).updates) {
      const times = pending.get(update);
      if (times) times.write = write;
    }
  });
  // The same message object as its `writing`.
  subscribe(name(traceChannels.written), (m) => {
    const write = writes.get(m as object);
    if (!write) return;
    write.ended = now();
    stored.push(write);
  });
  subscribe(name(traceChannels.relayed), (m) => {
    const t = now();
    for (const update of (m as TracedBatch).updates) {
      const times = pending.get(update);
      if (!times) continue;
      times.relayed = t;
      relayed.push(times);
    }
  });
  commits.onmessage = (event) => void commitMs.push(((event as MessageEvent).data as TracedCommit).ms);
  process.on('exit', () => {
    const file = process.env.TABLA_TRACE_FILE;
    if (!file) return;
    const commitOf = new Map(stored.map((write, i) => [write, commitMs[i]]));
    const stages: TraceFile = { judging: [], waiting: [], crossing: [], commit: [], relaying: [], server: [] };
    for (const t of relayed) {
      const commit = t.write && commitOf.get(t.write);
      if (t.accepted === undefined || t.relayed === undefined || t.write?.ended === undefined || commit === undefined) continue;
      stages.judging.push(t.accepted - t.received);
      stages.waiting.push(t.write.started - t.accepted);
      stages.crossing.push(t.write.ended - t.write.started - commit);
      stages.commit.push(commit);
      stages.relaying.push(t.relayed - t.write.ended);
      stages.server.push(t.relayed - t.received);
    }
    writeFileSync(file, JSON.stringify(stages));
  });
} else {
  subscribe(name(traceChannels.committed), (m) => commits.postMessage(m as TracedCommit));
}
