import { defineConfig } from 'vitest/config';

// Tests live beside the code; integration tests start real servers, so allow for a busy machine.
export default defineConfig({ test: { include: ['src/**/*.test.ts'], testTimeout: 20_000 } });
