/**
 * Board document, schema v1 (see SCHEMA.md). The only file that spells Y.Map keys:
 * everything else reads and writes through the accessors below.
 */
import * as Y from 'yjs';
import type { ActivityId, LaneId, MunicipalityId } from './ids.js';

export const SCHEMA_VERSION = 1;

export const ROOTS = ['meta', 'municipalities', 'lanes', 'activities', 'facilitation'] as const;
export type RootName = (typeof ROOTS)[number];

export const STATUSES = ['planned', 'in_progress', 'done', 'postponed'] as const;
export type Status = (typeof STATUSES)[number];

export const MUNICIPALITY_KINDS = ['opcina', 'opstina', 'grad'] as const;
export type MunicipalityKind = (typeof MUNICIPALITY_KINDS)[number];

/** Size limits, enforced by validation (server) and by the UI's counters. */
export const LIMITS = {
  id: 64,
  rank: 128,
  title: 200,
  name: 120,
  shortText: 500,
  longText: 5000,
  unknownValue: 2000,
} as const;

export interface BoardMeta {
  readonly schemaVersion: number;
  readonly title: string;
  /** The facilitator locked the whole board: coordinators can no longer change activities. */
  readonly locked: boolean;
}

/** What the facilitator put in focus; the rest dims for everyone. */
export interface Spotlight {
  readonly kind: 'lane' | 'activity';
  readonly id: string;
}

/**
 * A countdown everyone sees alike. Times are the server's clock (ms since epoch): each
 * client corrects for its own clock's offset. Running: `endsAt` is set. Paused or not
 * started: `endsAt` is null and `remainingMs` holds what is left.
 */
export interface TimerState {
  readonly durationMs: number;
  readonly endsAt: number | null;
  readonly remainingMs: number;
}

/** Facilitation state shared by the room (the `facilitation` root). */
export interface Facilitation {
  readonly spotlight: Spotlight | null;
  readonly timer: TimerState | null;
  /** "Bring everyone here": a new nonce asks every coordinator to follow the facilitator. */
  readonly summon: { readonly nonce: string; readonly at: number } | null;
}

export interface Municipality {
  readonly id: MunicipalityId;
  readonly name: string;
  /** #rrggbb */
  readonly color: string;
  readonly kind?: MunicipalityKind;
}

export interface Lane {
  readonly id: LaneId;
  readonly title: string;
  readonly rank: string;
  readonly color?: string;
  readonly description?: string;
  /** Put away by the facilitator: not shown, its activities kept with it. */
  readonly archived: boolean;
  /** Agreed and locked by the facilitator: coordinators cannot move or edit its activities. */
  readonly locked: boolean;
}

export interface Activity {
  readonly id: ActivityId;
  readonly title: string;
  /** null = not yet placed */
  readonly laneId: LaneId | null;
  readonly rank: string;
  readonly description?: string;
  readonly leadId?: MunicipalityId;
  /** Sorted ids of partner municipalities. */
  readonly partners: readonly MunicipalityId[];
  /** "2023-Q2" */
  readonly timeframe?: string;
  /** Absent in the document = planned. */
  readonly status: Status;
  /** A role, never a real name ("koordinatorica LDP-a"). */
  readonly responsible?: string;
  /** Resources in KM. */
  readonly budget?: number;
  readonly fundingSource?: string;
  readonly indicator?: string;
  readonly notes?: string;
}

/** The editable fields of an activity; `undefined` removes an optional key. */
export interface ActivityFields {
  title?: string;
  description?: string | undefined;
  leadId?: MunicipalityId | undefined;
  partners?: readonly MunicipalityId[];
  timeframe?: string | undefined;
  status?: Status;
  responsible?: string | undefined;
  budget?: number | undefined;
  fundingSource?: string | undefined;
  indicator?: string | undefined;
  notes?: string | undefined;
}

export interface MunicipalityFields {
  name?: string;
  color?: string;
  kind?: MunicipalityKind | undefined;
}

export interface LaneFields {
  title?: string;
  color?: string | undefined;
  description?: string | undefined;
  archived?: boolean | undefined;
  locked?: boolean | undefined;
}

// ---------------------------------------------------------------------------
// Roots

export type EntryMap = Y.Map<unknown>;

export interface BoardRoots {
  readonly meta: Y.Map<unknown>;
  readonly municipalities: Y.Map<EntryMap>;
  readonly lanes: Y.Map<EntryMap>;
  readonly activities: Y.Map<EntryMap>;
  readonly facilitation: Y.Map<unknown>;
}

export function roots(doc: Y.Doc): BoardRoots {
  return {
    meta: doc.getMap<unknown>('meta'),
    municipalities: doc.getMap<EntryMap>('municipalities'),
    lanes: doc.getMap<EntryMap>('lanes'),
    activities: doc.getMap<EntryMap>('activities'),
    facilitation: doc.getMap<unknown>('facilitation'),
  };
}

// ---------------------------------------------------------------------------
// Value checks shared by readers and validation

const COLOR = /^#[0-9a-fA-F]{6}$/;
const TIMEFRAME = /^\d{4}-Q[1-4]$/;

export const isColor = (v: unknown): v is string => typeof v === 'string' && COLOR.test(v);
export const isTimeframe = (v: unknown): v is string => typeof v === 'string' && TIMEFRAME.test(v);
export const isStatus = (v: unknown): v is Status => STATUSES.includes(v as Status);
export const isMunicipalityKind = (v: unknown): v is MunicipalityKind =>
  MUNICIPALITY_KINDS.includes(v as MunicipalityKind);
const isText = (max: number) => (v: unknown): v is string => typeof v === 'string' && v.length <= max;
const isBudget = (v: unknown): v is number =>
  typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 1e12;

type Check = (v: unknown) => boolean;

/** Known keys of each entry kind, with their check and whether they are required. */
const ENTRY_KEYS = {
  municipalities: {
    id: { check: isText(LIMITS.id), required: true },
    name: { check: isText(LIMITS.name), required: true },
    color: { check: isColor, required: true },
    kind: { check: isMunicipalityKind, required: false },
  },
  lanes: {
    id: { check: isText(LIMITS.id), required: true },
    title: { check: isText(LIMITS.title), required: true },
    rank: { check: isText(LIMITS.rank), required: true },
    color: { check: isColor, required: false },
    description: { check: isText(LIMITS.longText), required: false },
    archived: { check: (v) => typeof v === 'boolean', required: false },
    locked: { check: (v) => typeof v === 'boolean', required: false },
  },
  activities: {
    id: { check: isText(LIMITS.id), required: true },
    title: { check: isText(LIMITS.title), required: true },
    laneId: { check: (v) => v === null || isText(LIMITS.id)(v), required: true },
    rank: { check: isText(LIMITS.rank), required: true },
    description: { check: isText(LIMITS.longText), required: false },
    leadId: { check: isText(LIMITS.id), required: false },
    partners: { check: (v) => v instanceof Y.Map, required: false },
    timeframe: { check: isTimeframe, required: false },
    status: { check: isStatus, required: false },
    responsible: { check: isText(LIMITS.shortText), required: false },
    budget: { check: isBudget, required: false },
    fundingSource: { check: isText(LIMITS.shortText), required: false },
    indicator: { check: isText(LIMITS.shortText), required: false },
    notes: { check: isText(LIMITS.longText), required: false },
  },
} satisfies Record<Exclude<RootName, 'meta' | 'facilitation'>, Record<string, { check: Check; required: boolean }>>;

const META_KEYS: Record<string, Check> = {
  schemaVersion: (v) => v === SCHEMA_VERSION,
  title: isText(LIMITS.title),
  locked: (v) => typeof v === 'boolean',
};

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
const hasOnlyKeys = (v: Record<string, unknown>, keys: readonly string[]) => Object.keys(v).every((k) => keys.includes(k));
const isMs = (v: unknown, max: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max;
const DAY_MS = 24 * 60 * 60 * 1000;
const EPOCH_MAX = 4_102_444_800_000; // year 2100

export const isSpotlight = (v: unknown): v is Spotlight =>
  isPlainObject(v) && hasOnlyKeys(v, ['kind', 'id']) && (v.kind === 'lane' || v.kind === 'activity') && isText(LIMITS.id)(v.id);

export const isTimerState = (v: unknown): v is TimerState =>
  isPlainObject(v) &&
  hasOnlyKeys(v, ['durationMs', 'endsAt', 'remainingMs']) &&
  isMs(v.durationMs, DAY_MS) &&
  isMs(v.remainingMs, 2 * DAY_MS) &&
  (v.endsAt === null || isMs(v.endsAt, EPOCH_MAX));

const isSummon = (v: unknown): v is Facilitation['summon'] =>
  isPlainObject(v) && hasOnlyKeys(v, ['nonce', 'at']) && isText(32)(v.nonce) && isMs(v.at, EPOCH_MAX);

/** Keys of the `facilitation` root; each may also be null (= off). */
const FACILITATION_KEYS: Record<string, Check> = {
  spotlight: (v) => v === null || isSpotlight(v),
  timer: (v) => v === null || isTimerState(v),
  summon: (v) => v === null || isSummon(v),
};

/** Unknown keys are preserved, but must stay small plain values. */
const isSmallPlainValue = (v: unknown): boolean => {
  if (v === null || typeof v === 'boolean' || typeof v === 'number') return true;
  if (typeof v === 'string') return v.length <= LIMITS.unknownValue;
  return false;
};

export type EntryKind = keyof typeof ENTRY_KEYS;

/** Problems of one entry of `municipalities`, `lanes` or `activities` (empty = valid). */
export function entryProblems(kind: EntryKind, key: string, entry: unknown): string[] {
  if (!(entry instanceof Y.Map)) return [`${kind}.${key}: not a Y.Map`];
  if (key.length > LIMITS.id) return [`${kind}: id too long`];
  // Items without a key inside a map: written as another type, invisible to readers.
  if (entry._start !== null) return [`${kind}.${key}: list content in a map`];
  const problems: string[] = [];
  const spec: Record<string, { check: Check; required: boolean }> = ENTRY_KEYS[kind];
  for (const [name, { check, required }] of Object.entries(spec)) {
    if (!entry.has(name)) {
      if (required) problems.push(`${kind}.${key}.${name}: missing`);
    } else if (!check(entry.get(name))) {
      problems.push(`${kind}.${key}.${name}: wrong type or too long`);
    }
  }
  if (entry.get('id') !== key) problems.push(`${kind}.${key}.id: does not match its key`);
  for (const [name, value] of entry.entries()) {
    if (!Object.hasOwn(spec, name) && !isSmallPlainValue(value)) problems.push(`${kind}.${key}.${name}: unknown key with a complex value`);
  }
  if (kind === 'activities') {
    const partners = entry.get('partners');
    if (partners instanceof Y.Map) {
      if (partners._start !== null) problems.push(`activities.${key}.partners: list content in a map`);
      for (const [id, value] of partners.entries()) {
        if (value !== true || id.length > LIMITS.id) problems.push(`activities.${key}.partners.${id}: must be true`);
      }
    }
  }
  return problems;
}

export function metaProblems(meta: Y.Map<unknown>): string[] {
  const problems: string[] = [];
  for (const [name, value] of meta.entries()) {
    const check = Object.hasOwn(META_KEYS, name) ? META_KEYS[name] : undefined;
    if (check ? !check(value) : !isSmallPlainValue(value)) problems.push(`meta.${name}: wrong type`);
  }
  return problems;
}

/** Facilitation keys are few and known: anything else is refused. */
export function facilitationProblems(map: Y.Map<unknown>): string[] {
  const problems: string[] = [];
  for (const [name, value] of map.entries()) {
    const check = Object.hasOwn(FACILITATION_KEYS, name) ? FACILITATION_KEYS[name] : undefined;
    if (!check) problems.push(`facilitation.${name.slice(0, 40)}: unknown key`);
    else if (!check(value)) problems.push(`facilitation.${name}: wrong value`);
  }
  return problems;
}

// ---------------------------------------------------------------------------
// Readers: tolerant (a bad value reads as absent), used by the board view.

const str = (m: EntryMap, k: string): string | undefined => {
  const v = m.get(k);
  return typeof v === 'string' ? v : undefined;
};

/** Adds `key: value` only when the value is present, so optional keys stay absent. */
function withOptional<T extends object>(base: T, optional: Record<string, unknown>): T {
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(optional)) if (v !== undefined) out[k] = v;
  return out as T;
}

export function readMeta(meta: Y.Map<unknown>): BoardMeta {
  const title = meta.get('title');
  const version = meta.get('schemaVersion');
  return {
    schemaVersion: typeof version === 'number' ? version : SCHEMA_VERSION,
    title: typeof title === 'string' ? title : '',
    locked: meta.get('locked') === true,
  };
}

export function readFacilitation(map: Y.Map<unknown>): Facilitation {
  const spotlight = map.get('spotlight');
  const timer = map.get('timer');
  const summon = map.get('summon');
  return {
    spotlight: isSpotlight(spotlight) ? { kind: spotlight.kind, id: spotlight.id } : null,
    timer: isTimerState(timer) ? { durationMs: timer.durationMs, endsAt: timer.endsAt, remainingMs: timer.remainingMs } : null,
    summon: isSummon(summon) && summon ? { nonce: summon.nonce, at: summon.at } : null,
  };
}

export function readMunicipality(id: string, m: EntryMap): Municipality {
  const color = m.get('color');
  const kind = m.get('kind');
  return withOptional<Municipality>(
    { id: id as MunicipalityId, name: str(m, 'name') ?? id, color: isColor(color) ? color : '#777777' },
    { kind: isMunicipalityKind(kind) ? kind : undefined },
  );
}

export function readLane(id: string, m: EntryMap): Lane {
  const color = m.get('color');
  return withOptional<Lane>(
    { id: id as LaneId, title: str(m, 'title') ?? '', rank: str(m, 'rank') ?? '', archived: m.get('archived') === true, locked: m.get('locked') === true },
    { color: isColor(color) ? color : undefined, description: str(m, 'description') },
  );
}

export function readActivity(id: string, m: EntryMap): Activity {
  const laneId = m.get('laneId');
  const partners = m.get('partners');
  const status = m.get('status');
  const timeframe = m.get('timeframe');
  const budget = m.get('budget');
  return withOptional<Activity>(
    {
      id: id as ActivityId,
      title: str(m, 'title') ?? '',
      laneId: typeof laneId === 'string' ? (laneId as LaneId) : null,
      rank: str(m, 'rank') ?? '',
      partners:
        partners instanceof Y.Map
          ? ([...partners.keys()].filter((k) => partners.get(k) === true).sort() as MunicipalityId[])
          : [],
      status: isStatus(status) ? status : 'planned',
    },
    {
      description: str(m, 'description'),
      leadId: str(m, 'leadId'),
      timeframe: isTimeframe(timeframe) ? timeframe : undefined,
      responsible: str(m, 'responsible'),
      budget: isBudget(budget) ? budget : undefined,
      fundingSource: str(m, 'fundingSource'),
      indicator: str(m, 'indicator'),
      notes: str(m, 'notes'),
    },
  );
}

// ---------------------------------------------------------------------------
// Writers: used only by operations.

const setOrDelete = (m: EntryMap, key: string, value: unknown) => {
  if (value === undefined) m.delete(key);
  else if (m.get(key) !== value) m.set(key, value);
};

export function writeMeta(meta: Y.Map<unknown>, fields: { title?: string; locked?: boolean }): void {
  if (meta.get('schemaVersion') !== SCHEMA_VERSION) meta.set('schemaVersion', SCHEMA_VERSION);
  if (fields.title !== undefined) setOrDelete(meta, 'title', fields.title);
  // false is the default: keep the key absent.
  if (fields.locked !== undefined) setOrDelete(meta, 'locked', fields.locked ? true : undefined);
}

export function writeFacilitation(map: Y.Map<unknown>, fields: Partial<Facilitation>): void {
  for (const [key, value] of Object.entries(fields)) if (JSON.stringify(map.get(key) ?? null) !== JSON.stringify(value)) map.set(key, value);
}

export function writeMunicipality(m: EntryMap, fields: MunicipalityFields): void {
  for (const [key, value] of Object.entries(fields)) setOrDelete(m, key, value);
}

export function writeLane(m: EntryMap, fields: LaneFields & { rank?: string }): void {
  for (const [key, value] of Object.entries(fields)) {
    // Flags default to false: keep the key absent rather than storing false.
    setOrDelete(m, key, (key === 'archived' || key === 'locked') && value === false ? undefined : value);
  }
}

export function writeActivity(m: EntryMap, fields: ActivityFields): void {
  for (const [key, value] of Object.entries(fields)) {
    if (key === 'partners') writePartners(m, value as readonly MunicipalityId[]);
    // 'planned' is the default: keep the key absent, as the contract says.
    else if (key === 'status') setOrDelete(m, key, value === 'planned' ? undefined : value);
    else setOrDelete(m, key, value);
  }
}

/** Partners are a nested map id -> true, so two municipalities joining at once both stay. */
function writePartners(m: EntryMap, partners: readonly MunicipalityId[]): void {
  let map = m.get('partners');
  if (!(map instanceof Y.Map)) {
    map = new Y.Map<boolean>();
    m.set('partners', map);
  }
  const nested = map as Y.Map<boolean>;
  const wanted = new Set<string>(partners);
  for (const id of [...nested.keys()]) if (!wanted.has(id)) nested.delete(id);
  for (const id of wanted) if (nested.get(id) !== true) nested.set(id, true);
}

export function setPartner(m: EntryMap, municipalityId: MunicipalityId, joined: boolean): void {
  let map = m.get('partners');
  if (!(map instanceof Y.Map)) {
    map = new Y.Map<boolean>();
    m.set('partners', map);
  }
  if (joined) (map as Y.Map<boolean>).set(municipalityId, true);
  else (map as Y.Map<boolean>).delete(municipalityId);
}

export function newEntry(id: string, placement?: { laneId?: LaneId | null; rank: string }): EntryMap {
  const m = new Y.Map<unknown>();
  m.set('id', id);
  if (placement) {
    if (placement.laneId !== undefined) m.set('laneId', placement.laneId);
    m.set('rank', placement.rank);
  }
  return m;
}

export function setPlacement(m: EntryMap, laneId: LaneId | null, rank: string): void {
  if (m.get('laneId') !== laneId) m.set('laneId', laneId);
  m.set('rank', rank);
}

export function setRank(m: EntryMap, rank: string): void {
  m.set('rank', rank);
}
