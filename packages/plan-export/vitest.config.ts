import { defineConfig } from 'vitest/config';

// Tests live beside the code; never pick up compiled copies from dist/. Laying out a PDF takes
// seconds on a loaded 2-core CI machine (fonts on the first one): a longer timeout than vitest's 5 s.
export default defineConfig({ test: { include: ['src/**/*.test.ts'], testTimeout: 60_000 } });
