/** What trace-preload.ts writes into `TABLA_TRACE_FILE` and stages.ts reads: each relayed update's stages, in ms. */
export const STAGES = ['judging', 'waiting', 'crossing', 'commit', 'relaying', 'server'] as const;
export type TraceFile = Record<(typeof STAGES)[number], number[]>;
