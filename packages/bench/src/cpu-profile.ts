/**
 * Reads a V8 CPU profile (`node --cpu-prof`): the time spent inside given functions, each counted
 * once per sample however deep it recurses ("inclusive" time, as DevTools' bottom-up view).
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string };
  readonly children?: readonly number[];
}

interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  /** µs since the previous sample. */
  readonly timeDeltas: readonly number[];
}

/**
 * A function: its name and the end of its file's URL (e.g. `room.js`), which tells same-named ones
 * apart; with `within`, only while called (at any depth) from that other function.
 */
export interface FunctionRef {
  readonly name: string;
  readonly file: string;
  readonly within?: FunctionRef;
}

export const refKey = (f: FunctionRef): string => `${f.name}@${f.file}${f.within ? ` in ${refKey(f.within)}` : ''}`;

/** Milliseconds spent inside each of `functions` (keyed by `refKey`) over the whole profile. */
export function inclusiveMs(file: string, functions: readonly FunctionRef[]): Map<string, number> {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const plain = (f: FunctionRef): FunctionRef => ({ name: f.name, file: f.file });
  const bases = [...functions.map(plain), ...functions.flatMap((f) => (f.within ? [plain(f.within)] : []))];
  const wanted = (n: ProfileNode): string | null => {
    const f = bases.find((w) => w.name === n.callFrame.functionName && n.callFrame.url.endsWith(`/${w.file}`));
    return f ? refKey(f) : null;
  };
  // The functions on each node's stack, computed once per node.
  const stacks = new Map<number, ReadonlySet<string>>();
  const stackOf = (id: number): ReadonlySet<string> => {
    const known = stacks.get(id);
    if (known) return known;
    const up = parent.get(id);
    const set = new Set(up === undefined ? [] : stackOf(up));
    const own = wanted(byId.get(id)!);
    if (own) set.add(own);
    stacks.set(id, set);
    return set;
  };
  const totals = new Map(functions.map((f) => [refKey(f), 0]));
  profile.samples.forEach((id, i) => {
    const stack = stackOf(id);
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    for (const f of functions) {
      if (stack.has(refKey(plain(f))) && (!f.within || stack.has(refKey(plain(f.within))))) totals.set(refKey(f), totals.get(refKey(f))! + ms);
    }
  });
  return totals;
}
