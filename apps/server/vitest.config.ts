import { defineConfig } from 'vitest/config';

// Spawned servers and PDF layouts take seconds on a loaded 2-core CI machine: more than vitest's 5 s.
export default defineConfig({ test: { include: ['src/**/*.test.ts'], testTimeout: 30_000 } });
