import { defineConfig } from 'vitest/config';

// Tests live beside the code; never pick up compiled copies from dist/. The seeded property tests
// (convergence, policy) run for tens of seconds on a loaded 2-core CI machine: they set their own
// limits; the others get 30 s rather than 5 s, which a busy machine can exceed.
export default defineConfig({ test: { include: ['src/**/*.test.ts'], testTimeout: 30_000 } });
