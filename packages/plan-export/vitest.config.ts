import { defineConfig } from 'vitest/config';

// Tests live beside the code; never pick up compiled copies from dist/.
export default defineConfig({ test: { include: ['src/**/*.test.ts'] } });
