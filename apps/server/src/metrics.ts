/** Prometheus metrics (`GET /metrics`), read from the sync server's counters at scrape time. */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { SyncServer } from '@tabla/sync-server';

export interface Metrics {
  readonly registry: Registry;
  /** Feed for SyncServerOptions.onStorageWrite. */
  observeStorageWrite(seconds: number, updates: number): void;
}

export function createMetrics(): Metrics & { watch(sync: SyncServer): void } {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'tabla_process_' });
  const storageWrite = new Histogram({
    name: 'tabla_storage_write_seconds',
    help: 'Time to append one batch of updates durably (one transaction per event-loop tick).',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  });
  const storageWriteUpdates = new Counter({ name: 'tabla_storage_written_updates_total', help: 'Updates written to storage.', registers: [registry] });

  return {
    registry,
    observeStorageWrite(seconds, updates) {
      storageWrite.observe(seconds);
      storageWriteUpdates.inc(updates);
    },
    watch(sync) {
      const stats = sync.stats;
      // Counters mirrored from the server's own monotonic counts when scraped.
      const mirror = (name: string, help: string, read: () => number) =>
        new Counter({
          name,
          help,
          registers: [registry],
          collect() {
            this.reset();
            this.inc(read());
          },
        });
      new Gauge({ name: 'tabla_connections', help: 'Open sync connections.', registers: [registry], collect() { this.set(stats.connections); } });
      new Gauge({ name: 'tabla_rooms', help: 'Boards loaded in memory.', registers: [registry], collect() { this.set(sync.loadedRoomCount); } });
      mirror('tabla_updates_stored_total', 'Updates accepted and stored.', () => stats.updatesStored);
      mirror('tabla_update_bytes_stored_total', 'Bytes of updates accepted and stored.', () => stats.bytesStored);
      mirror('tabla_updates_relayed_total', 'Update frames relayed to other clients.', () => stats.updatesRelayed);
      mirror('tabla_update_bytes_relayed_total', 'Bytes of update frames relayed to other clients.', () => stats.bytesRelayed);
      new Counter({
        name: 'tabla_refused_total',
        help: 'Connections closed for a refused message or limit, by reason.',
        labelNames: ['reason'],
        registers: [registry],
        collect() {
          this.reset();
          for (const [reason, n] of Object.entries(stats.refused)) this.inc({ reason }, n);
        },
      });
    },
  };
}
