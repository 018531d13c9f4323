// Module hooks that let a worker thread run the TypeScript sources under test (Node 20 cannot):
// `SqliteThreadStorage` registers them for its worker when it runs from .ts (sqlite-thread.ts).
// A relative `./x.js` import from a .ts file finds `./x.ts`, as tsc's NodeNext resolution does;
// a .ts file has its types stripped on load by the transformer vitest's vite uses (oxc, through
// rolldown), not type-checked. (TypeScript's own transpileModule takes ~1 s to load per worker.)
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { transformSync } from 'rolldown/experimental';

export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (err) {
    if (!(specifier.startsWith('.') && specifier.endsWith('.js') && context.parentURL?.endsWith('.ts'))) throw err;
    return nextResolve(`${specifier.slice(0, -'.js'.length)}.ts`, context);
  }
}

export async function load(url, context, nextLoad) {
  if (!url.endsWith('.ts')) return nextLoad(url, context);
  const file = fileURLToPath(url);
  const { code, errors } = transformSync(file, await readFile(file, 'utf8'), { lang: 'ts', sourcemap: false });
  if (errors.length > 0) throw new Error(`${file}: ${errors.map((e) => e.message).join('; ')}`);
  return { format: 'module', source: code, shortCircuit: true };
}
