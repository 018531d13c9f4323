/**
 * Loaded into our server with `--import` by the "one update's way" bench (stages.ts): hears the
 * sync server's trace points (@tabla/sync-server/trace) and, when the server exits, writes each
 * relayed update's wall-clock stages to the file `TABLA_TRACE_FILE` names. Node runs it in every
 * thread: on the SQLite worker it passes each commit's own duration to the main thread.
 */
import { subscribe } from 'node:diagnostics_channel';
import { writeFileSync } from 'node:fs';
import { BroadcastChannel, isMainThread } from 'node:worker_threads';
import { traceChannels, type TracedBatch, type TracedCommit, type TracedUpdate } from '@tabla/sync-server/trace';

/** The stages of one update, in ms, as the trace file lists them. */
export const STAGES = ['judging', 'waiting', 'crossing', 'commit', 'relaying', 'server'] as const;
export type TraceFile = Record<(typeof STAGES)[number], number[]>;

const commits = new BroadcastChannel('tabla-bench-trace');
commits.unref();

if (isMainThread) {
  const file = process.env.TABLA_TRACE_FILE;
  const points = new Map<Uint8Array, { received: number; accepted?: number; write?: number; relayed?: number }>();
  /** Each write: when it started and ended (its commit's own duration comes from the worker, in the same order: SQLite writes one at a time). */
  const writes: { started: number; ended?: number }[] = [];
  const commitMs: number[] = [];
  const now = () => performance.now();
  const name = (channel: { name: string | symbol }) => channel.name as string;
  subscribe(name(traceChannels.received), (m) => void points.set((m as TracedUpdate).update, { received: now() }));
  subscribe(name(traceChannels.accepted), (m) => {
    const p = points.get((m as TracedUpdate).update);
    if (p) p.accepted = now();
  });
  subscribe(name(traceChannels.writing), (m) => {
    writes.push({ started: now() });
    for (const update of (m as TracedBatch).updates) {
      const p = points.get(update);
      if (p) p.write = writes.length - 1;
    }
  });
  subscribe(name(traceChannels.written), (m) => {
    const write = points.get((m as TracedBatch).updates[0]!)?.write;
    if (write !== undefined) writes[write]!.ended = now();
  });
  subscribe(name(traceChannels.relayed), (m) => {
    const t = now();
    for (const update of (m as TracedBatch).updates) {
      const p = points.get(update);
      if (p) p.relayed = t;
    }
  });
  commits.onmessage = (event) => void commitMs.push(((event as MessageEvent).data as TracedCommit).ms);
  process.on('exit', () => {
    if (!file) return;
    const stages: TraceFile = { judging: [], waiting: [], crossing: [], commit: [], relaying: [], server: [] };
    for (const p of points.values()) {
      const write = p.write === undefined ? undefined : writes[p.write];
      const commit = p.write === undefined ? undefined : commitMs[p.write];
      if (p.accepted === undefined || p.relayed === undefined || write?.ended === undefined || commit === undefined) continue;
      stages.judging.push(p.accepted - p.received);
      stages.waiting.push(write.started - p.accepted);
      stages.crossing.push(write.ended - write.started - commit);
      stages.commit.push(commit);
      stages.relaying.push(p.relayed - write.ended);
      stages.server.push(p.relayed - p.received);
    }
    writeFileSync(file, JSON.stringify(stages));
  });
} else {
  subscribe(traceChannels.committed.name as string, (m) => commits.postMessage(m as TracedCommit));
}
