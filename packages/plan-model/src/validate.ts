/**
 * Validation of untrusted documents and of what one transaction changed, for the
 * server: it applies an incoming update to a shadow replica, then asks these
 * functions whether the result still follows schema v1 and which roots it touched.
 */
import * as Y from 'yjs';
import { type EntryKind, entryProblems, facilitationProblems, metaProblems, PROGRESS_KEY, ROOTS, type RootName } from './schema.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyType = Y.AbstractType<any>;

const isRootName = (name: string): name is RootName => (ROOTS as readonly string[]).includes(name);

/** A map that also holds list content (items without a key) was written as the wrong type. */
const hasListContent = (map: Y.Map<unknown>): boolean => map._start !== null;

/** Problems of a whole document (empty = valid). */
export function documentProblems(doc: Y.Doc): string[] {
  const problems: string[] = [];
  for (const [name, type] of doc.share) {
    if (!isRootName(name)) {
      problems.push(`unknown root "${name.slice(0, 40)}"`);
      continue;
    }
    const map = rootAsMap(doc, name);
    if (!map || hasListContent(map)) {
      problems.push(`root "${name}" is not a Y.Map`);
      continue;
    }
    if (name === 'meta') problems.push(...metaProblems(map));
    else if (name === 'facilitation') problems.push(...facilitationProblems(map));
    else for (const [key, entry] of map.entries()) problems.push(...entryProblems(name, key, entry));
    void type;
  }
  return problems;
}

/**
 * A root read as a Y.Map without converting it: a root that was first integrated from
 * an update is a generic AbstractType until someone calls getMap, and calling getMap on
 * one that holds list content would hide that content.
 */
function rootAsMap(doc: Y.Doc, name: string): Y.Map<unknown> | null {
  const type: AnyType | undefined = doc.share.get(name);
  if (type === undefined) return null;
  if (type instanceof Y.Map) return type as Y.Map<unknown>;
  const isGeneric = type.constructor === Y.AbstractType;
  if (isGeneric && type._start === null) return doc.getMap(name);
  return null;
}

export interface ChangeReport {
  /** Roots whose content the transaction changed (unknown names included). */
  readonly roots: ReadonlySet<string>;
  /** Ids of the activities the transaction added, changed or deleted. */
  readonly activities: ReadonlySet<string>;
  /** Votes the transaction touched: their settings (anything but ballots), and whose ballots. */
  readonly votes: ReadonlyMap<string, VoteChange>;
  readonly problems: readonly string[];
}

export interface VoteChange {
  settings: boolean;
  readonly ballots: Set<string>;
}

/**
 * What one applied transaction changed, and whether the touched entries are still
 * valid. Call from `doc.on('afterTransaction')` of a replica that holds nothing else.
 */
export function inspectTransaction(tr: Y.Transaction): ChangeReport {
  const doc = tr.doc;
  const rootName = (root: AnyType): string => {
    for (const [name, type] of doc.share) if (type === root) return name;
    return '?';
  };

  const touched = new Set<string>();
  const problems: string[] = [];
  const entriesToCheck = new Map<string, { kind: EntryKind; key: string }>();
  const votes = new Map<string, VoteChange>();
  const voteChange = (id: string): VoteChange => {
    let change = votes.get(id);
    if (!change) votes.set(id, (change = { settings: false, ballots: new Set() }));
    return change;
  };

  for (const [type, keys] of tr.changed) {
    // Walk up to the root, remembering the path of keys.
    const path: string[] = [];
    let t: AnyType = type;
    let deleted = false;
    while (t._item !== null) {
      if (t._item.deleted) deleted = true;
      path.unshift(t._item.parentSub ?? '#');
      t = t._item.parent as AnyType;
    }
    const name = rootName(t);
    touched.add(name);
    if (!isRootName(name)) {
      problems.push(`unknown root "${name.slice(0, 40)}"`);
      continue;
    }
    if (!(t instanceof Y.Map) && !rootAsMap(doc, name)) {
      problems.push(`root "${name}" is not a Y.Map`);
      continue;
    }
    if (deleted) continue;
    if (keys.has(null) || (type instanceof Y.Map && hasListContent(type))) {
      problems.push(`${name}: list content in a map`);
      continue;
    }
    // Flat roots: their values are checked whole.
    if (name === 'meta' || name === 'facilitation') {
      if (path.length > 0) problems.push(`${name}: nested too deep`);
      else problems.push(...(name === 'meta' ? metaProblems : facilitationProblems)(rootAsMap(doc, name)!));
      continue;
    }
    if (name === 'votes') {
      // Depth 0: votes added or removed; 1: a vote's settings; 2: its ballots map; 3: one municipality's ballot.
      const ballotsPath = path.length >= 2 && path[1] === 'ballots';
      if (path.length > 3 || (path.length >= 2 && !ballotsPath)) {
        problems.push('votes: nested too deep');
        continue;
      }
      if (path.length === 0) for (const key of keys) if (key !== null) voteChange(key).settings = true;
      if (path.length === 1) voteChange(path[0]!).settings = true;
      if (path.length === 2) for (const key of keys) if (key !== null) voteChange(path[0]!).ballots.add(key);
      if (path.length === 3) voteChange(path[0]!).ballots.add(path[2]!);
      const ids = path.length === 0 ? [...keys].filter((k): k is string => k !== null) : [path[0]!];
      for (const key of ids) entriesToCheck.set(`votes/${key}`, { kind: 'votes', key });
      continue;
    }
    // Depth 0: the root's keys changed; 1: an entry's keys; 2: an activity's partners or progress notes.
    if (path.length === 0) {
      for (const key of keys) if (key !== null) entriesToCheck.set(`${name}/${key}`, { kind: name, key });
    } else if (path.length === 1 || (path.length === 2 && name === 'activities' && (path[1] === 'partners' || path[1] === PROGRESS_KEY))) {
      entriesToCheck.set(`${name}/${path[0]}`, { kind: name, key: path[0]! });
    } else {
      problems.push(`${name}: nested too deep`);
    }
  }
  for (const { kind, key } of entriesToCheck.values()) {
    const entry = rootAsMap(doc, kind)!.get(key);
    if (entry !== undefined) problems.push(...entryProblems(kind, key, entry));
  }
  const activities = new Set<string>();
  for (const { kind, key } of entriesToCheck.values()) if (kind === 'activities') activities.add(key);
  return { roots: touched, activities, votes, problems };
}
