import { defineConfig } from 'vitest/config';

// The smoke run starts real server processes and a few hundred sockets: seconds, not milliseconds.
export default defineConfig({ test: { include: ['src/**/*.test.ts'], testTimeout: 120_000 } });
