/**
 * Board document, schema v1 (see SCHEMA.md). The only file that spells Y.Map keys:
 * everything else reads and writes through the accessors below.
 */
import * as Y from 'yjs';
import type { ActivityId, LaneId, MunicipalityId } from './ids.js';

export const SCHEMA_VERSION = 1;

export const ROOTS = ['meta', 'municipalities', 'lanes', 'activities', 'facilitation', 'votes'] as const;
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
  /** Unknown keys one entry (or `meta`) may hold: a newer client adds a few, not thousands (each is an item in memory). */
  unknownKeys: 16,
  /** Length of an unknown key's name. */
  unknownKeyName: 64,
  /** Dots one municipality may give in one vote. */
  dotsPerMunicipality: 20,
  /** Entries of a vote's frozen results. */
  voteResults: 1000,
  /** Progress notes one activity keeps [PM30]. */
  progressNotes: 200,
  /** Text of one progress note. */
  progressText: 1000,
  /** A link written into the document (the wall's QR code). */
  link: 512,
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
  /** The link the projector's QR code carries (and the plan document's, when read-only); null: none chosen. */
  readonly wallLink: WallLink | null;
  /** What the projector shows: the board (null) or the commitments matrix. */
  readonly wallView: WallView | null;
}

/**
 * A link put on the wall by the facilitator: read-only, or the general coordinator link. Whoever can
 * read the document can read it, as anyone in the room can scan it (SCHEMA.md says so).
 */
export interface WallLink {
  readonly role: 'viewer' | 'editor';
  readonly url: string;
}

export const WALL_VIEWS = ['matrix'] as const;
export type WallView = (typeof WALL_VIEWS)[number];

export const VOTE_STATES = ['open', 'revealed', 'closed'] as const;
/** open: municipalities give dots, hidden; revealed: results shown, no more dots; closed: kept as a record. */
export type VoteState = (typeof VOTE_STATES)[number];

/** One line of a vote's results, frozen when revealed (titles as they were then). */
export interface VoteResult {
  readonly activityId: ActivityId;
  readonly title: string;
  readonly dots: number;
  /** How many municipalities gave it at least one dot. */
  readonly municipalities: number;
}

/**
 * A dot vote (the `votes` root): each municipality has `dots` dots to give to the activities
 * of one lane (or of the whole board, laneId null). Ballots are keyed by municipality, so a
 * large delegation cannot outvote a small one.
 */
export interface Vote {
  readonly id: string;
  readonly laneId: LaneId | null;
  readonly dots: number;
  readonly state: VoteState;
  readonly openedAt: number;
  /** municipality -> activity -> dots (> 0). */
  readonly ballots: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** Sorted, most dots first; set when revealed. */
  readonly results: readonly VoteResult[] | null;
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

/**
 * A dated progress note on an activity [PM30]: follow-through after the plan is agreed. Kept as a
 * history (append-only for coordinators, see attribution.ts), never overwritten.
 */
export interface ProgressNote {
  readonly id: string;
  /** When it was written (ms since epoch, the writer's clock). */
  readonly at: number;
  /** The municipality whose coordinator wrote it (bound to their link by the server); null = a general link. */
  readonly by: MunicipalityId | null;
  readonly text: string;
  /** How far along, a whole number 0..100; absent = not said. */
  readonly percent?: number;
  /** The status the note set on the activity; absent = unchanged. */
  readonly status?: Status;
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
  /** The municipality whose coordinator added it (bound to their link by the server); absent = unknown. */
  readonly createdBy?: MunicipalityId;
  /** Progress notes, oldest first (by `at`, then id); absent when there are none [PM30]. */
  readonly progress?: readonly ProgressNote[];
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
  readonly votes: Y.Map<EntryMap>;
}

export function roots(doc: Y.Doc): BoardRoots {
  return {
    meta: doc.getMap<unknown>('meta'),
    municipalities: doc.getMap<EntryMap>('municipalities'),
    lanes: doc.getMap<EntryMap>('lanes'),
    activities: doc.getMap<EntryMap>('activities'),
    facilitation: doc.getMap<unknown>('facilitation'),
    votes: doc.getMap<EntryMap>('votes'),
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

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
const hasOnlyKeys = (v: Record<string, unknown>, keys: readonly string[]) => Object.keys(v).every((k) => keys.includes(k));
const isMs = (v: unknown, max: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max;
const isCount = (v: unknown, max: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= max;
const DAY_MS = 24 * 60 * 60 * 1000;
const EPOCH_MAX = 4_102_444_800_000; // year 2100

export const isVoteState = (v: unknown): v is VoteState => VOTE_STATES.includes(v as VoteState);

const isVoteResult = (v: unknown): v is VoteResult =>
  isPlainObject(v) &&
  hasOnlyKeys(v, ['activityId', 'title', 'dots', 'municipalities']) &&
  isText(LIMITS.id)(v.activityId) &&
  isText(LIMITS.title)(v.title) &&
  isCount(v.dots, 1_000_000) &&
  isCount(v.municipalities, 1_000_000);

export const isVoteResults = (v: unknown): v is readonly VoteResult[] =>
  Array.isArray(v) && v.length <= LIMITS.voteResults && v.every(isVoteResult);

/** A progress note as stored (its id is its key): `{ at, by, text, percent?, status? }` [PM30]. */
export type ProgressRecord = Omit<ProgressNote, 'id'>;

export const isProgressPercent = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 100;

export const isProgressRecord = (v: unknown): v is ProgressRecord =>
  isPlainObject(v) &&
  hasOnlyKeys(v, ['at', 'by', 'text', 'percent', 'status']) &&
  isMs(v.at, EPOCH_MAX) &&
  (v.by === null || isText(LIMITS.id)(v.by)) &&
  isText(LIMITS.progressText)(v.text) &&
  (v.percent === undefined || isProgressPercent(v.percent)) &&
  (v.status === undefined || isStatus(v.status));

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
    createdBy: { check: isText(LIMITS.id), required: false },
    progress: { check: (v) => v instanceof Y.Map, required: false },
  },
  votes: {
    id: { check: isText(LIMITS.id), required: true },
    laneId: { check: (v) => v === null || isText(LIMITS.id)(v), required: true },
    dots: { check: (v) => isCount(v, LIMITS.dotsPerMunicipality), required: true },
    state: { check: isVoteState, required: true },
    openedAt: { check: (v) => isMs(v, EPOCH_MAX), required: true },
    ballots: { check: (v) => v instanceof Y.Map, required: true },
    results: { check: isVoteResults, required: false },
  },
} satisfies Record<Exclude<RootName, 'meta' | 'facilitation'>, Record<string, { check: Check; required: boolean }>>;

const META_KEYS: Record<string, Check> = {
  schemaVersion: (v) => v === SCHEMA_VERSION,
  title: isText(LIMITS.title),
  locked: (v) => typeof v === 'boolean',
};

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

export const isWallLink = (v: unknown): v is WallLink =>
  isPlainObject(v) &&
  hasOnlyKeys(v, ['role', 'url']) &&
  (v.role === 'viewer' || v.role === 'editor') &&
  isText(LIMITS.link)(v.url) &&
  /^https?:\/\/\S+$/.test(v.url);

const isWallView = (v: unknown): v is WallView => typeof v === 'string' && (WALL_VIEWS as readonly string[]).includes(v);

/** Keys of the `facilitation` root; each may also be null (= off). */
const FACILITATION_KEYS: Record<string, Check> = {
  spotlight: (v) => v === null || isSpotlight(v),
  timer: (v) => v === null || isTimerState(v),
  summon: (v) => v === null || isSummon(v),
  wallLink: (v) => v === null || isWallLink(v),
  wallView: (v) => v === null || isWallView(v),
};

/** Unknown keys are preserved, but must stay small plain values. */
const isSmallPlainValue = (v: unknown): boolean => {
  if (v === null || typeof v === 'boolean' || typeof v === 'number') return true;
  if (typeof v === 'string') return v.length <= LIMITS.unknownValue;
  return false;
};

export type EntryKind = keyof typeof ENTRY_KEYS;

/** Each kind's known keys as a list, made once: validation walks them for every entry a change touches. */
const ENTRY_KEY_LISTS = Object.fromEntries(Object.entries(ENTRY_KEYS).map(([kind, spec]) => [kind, Object.entries(spec)])) as Record<
  EntryKind,
  [string, { check: Check; required: boolean }][]
>;

// Maps are walked with Y.Map#forEach, not entries() or keys(): those build a lib0 iterator per
// step, and validation runs on every incoming update.

/** Problems of one entry of `municipalities`, `lanes` or `activities` (empty = valid). */
export function entryProblems(kind: EntryKind, key: string, entry: unknown): string[] {
  if (!(entry instanceof Y.Map)) return [`${kind}.${key}: not a Y.Map`];
  if (key.length > LIMITS.id) return [`${kind}: id too long`];
  // Items without a key inside a map: written as another type, invisible to readers.
  if (entry._start !== null) return [`${kind}.${key}: list content in a map`];
  const problems: string[] = [];
  for (const [name, { check, required }] of ENTRY_KEY_LISTS[kind]) {
    if (!entry.has(name)) {
      if (required) problems.push(`${kind}.${key}.${name}: missing`);
    } else if (!check(entry.get(name))) {
      problems.push(`${kind}.${key}.${name}: wrong type or too long`);
    }
  }
  if (entry.get('id') !== key) problems.push(`${kind}.${key}.id: does not match its key`);
  problems.push(...unknownKeyProblems(`${kind}.${key}`, entry, ENTRY_KEYS[kind]));
  if (kind === 'votes') problems.push(...ballotProblems(key, entry));
  if (kind === 'activities') {
    const partners = entry.get('partners');
    if (partners instanceof Y.Map) {
      if (partners._start !== null) problems.push(`activities.${key}.partners: list content in a map`);
      partners.forEach((value, id) => {
        if (value !== true || id.length > LIMITS.id) problems.push(`activities.${key}.partners.${id}: must be true`);
      });
    }
    problems.push(...progressProblems(key, entry.get('progress')));
  }
  return problems;
}

/** An activity's progress notes [PM30]: at most `LIMITS.progressNotes`, each a valid record under an id. */
function progressProblems(key: string, progress: unknown): string[] {
  if (!(progress instanceof Y.Map)) return [];
  if (progress._start !== null) return [`activities.${key}.progress: list content in a map`];
  if (progress.size > LIMITS.progressNotes) return [`activities.${key}.progress: more than ${LIMITS.progressNotes} notes`];
  const problems: string[] = [];
  (progress as Y.Map<unknown>).forEach((note, id) => {
    if (id.length > LIMITS.id || !isProgressRecord(note)) problems.push(`activities.${key}.progress.${id.slice(0, LIMITS.id)}: not a valid progress note`);
  });
  return problems;
}

/**
 * Ballots: municipality -> Y.Map(activity -> whole dots, 1 to the vote's `dots`). How many count
 * (in scope, at most `dots` per municipality) is decided when counting (votes.ts, countedBallot).
 */
function ballotProblems(key: string, vote: EntryMap): string[] {
  const ballots = vote.get('ballots');
  const dots = vote.get('dots');
  if (!(ballots instanceof Y.Map) || typeof dots !== 'number') return [];
  if (ballots._start !== null) return [`votes.${key}.ballots: list content in a map`];
  const problems: string[] = [];
  ballots.forEach((ballot, municipalityId) => {
    const where = `votes.${key}.ballots.${municipalityId.slice(0, LIMITS.id)}`;
    if (municipalityId.length > LIMITS.id || !(ballot instanceof Y.Map) || ballot._start !== null) {
      problems.push(`${where}: must be a map of dots`);
      return;
    }
    (ballot as Y.Map<unknown>).forEach((given, activityId) => {
      if (activityId.length > LIMITS.id || !isCount(given, dots)) problems.push(`${where}.${activityId.slice(0, LIMITS.id)}: dots must be a whole number from 1 to ${dots}`);
    });
  });
  return problems;
}

export function metaProblems(meta: Y.Map<unknown>): string[] {
  const problems: string[] = [];
  meta.forEach((value, name) => {
    const check = Object.hasOwn(META_KEYS, name) ? META_KEYS[name] : undefined;
    if (check && !check(value)) problems.push(`meta.${name}: wrong type`);
  });
  problems.push(...unknownKeyProblems('meta', meta, META_KEYS));
  return problems;
}

/**
 * Unknown keys [PM7][PM25]: preserved for newer clients, but few, short-named and small-valued, so
 * tiny keys cannot fill a board's memory (each is a whole item in every replica).
 */
function unknownKeyProblems(where: string, map: Y.Map<unknown>, known: object): string[] {
  const problems: string[] = [];
  let unknown = 0;
  map.forEach((value, name) => {
    if (Object.hasOwn(known, name)) return;
    unknown++;
    if (name.length > LIMITS.unknownKeyName) problems.push(`${where}: unknown key name too long`);
    else if (!isSmallPlainValue(value)) problems.push(`${where}.${name}: unknown key with a complex value`);
  });
  if (unknown > LIMITS.unknownKeys) problems.push(`${where}: more than ${LIMITS.unknownKeys} unknown keys`);
  return problems;
}

/** Facilitation keys are few and known: anything else is refused. */
export function facilitationProblems(map: Y.Map<unknown>): string[] {
  const problems: string[] = [];
  map.forEach((value, name) => {
    const check = Object.hasOwn(FACILITATION_KEYS, name) ? FACILITATION_KEYS[name] : undefined;
    if (!check) problems.push(`facilitation.${name.slice(0, 40)}: unknown key`);
    else if (!check(value)) problems.push(`facilitation.${name}: wrong value`);
  });
  return problems;
}

// ---------------------------------------------------------------------------
// Readers: tolerant (a bad value reads as absent), used by the board view.

const str = (m: EntryMap, k: string): string | undefined => {
  const v = m.get(k);
  return typeof v === 'string' ? v : undefined;
};

/**
 * Adds `key: value` to `base`, a fresh object, only when the value is present, so optional keys
 * stay absent. Fills it in place: readers run for every entry a change touches.
 */
function withOptional<T extends object>(base: T, optional: Record<string, unknown>): T {
  const out = base as Record<string, unknown>;
  for (const k in optional) {
    const v = optional[k];
    if (v !== undefined) out[k] = v;
  }
  return base;
}

/** Whether the facilitator locked the whole board. */
export const readBoardLocked = (meta: Y.Map<unknown>): boolean => meta.get('locked') === true;

/** Whether the facilitator locked a lane. */
export const readLaneLocked = (m: EntryMap): boolean => m.get('locked') === true;

/** An activity's lane (null = the pool), as `readActivity` reads it. */
export function readActivityLaneId(m: EntryMap): LaneId | null {
  const laneId = m.get('laneId');
  return typeof laneId === 'string' ? (laneId as LaneId) : null;
}

/**
 * Who an activity is for, as `readActivity` reads it (the write policy's attribution needs only
 * this): the municipality that added it, the lead, and the sorted partners.
 */
export function readActivityParties(m: EntryMap): Pick<Activity, 'createdBy' | 'leadId' | 'partners'> {
  return {
    createdBy: str(m, 'createdBy') as MunicipalityId | undefined,
    leadId: str(m, 'leadId') as MunicipalityId | undefined,
    partners: readPartners(m.get('partners')),
  };
}

/** Partners: the keys of the nested map that hold true, sorted. */
function readPartners(partners: unknown): MunicipalityId[] {
  const joined: MunicipalityId[] = [];
  if (partners instanceof Y.Map) {
    partners.forEach((value, id) => {
      if (value === true) joined.push(id as MunicipalityId);
    });
  }
  return joined.sort();
}

export function readMeta(meta: Y.Map<unknown>): BoardMeta {
  const title = meta.get('title');
  const version = meta.get('schemaVersion');
  return {
    schemaVersion: typeof version === 'number' ? version : SCHEMA_VERSION,
    title: typeof title === 'string' ? title : '',
    locked: readBoardLocked(meta),
  };
}

export function readFacilitation(map: Y.Map<unknown>): Facilitation {
  const spotlight = map.get('spotlight');
  const timer = map.get('timer');
  const summon = map.get('summon');
  const wallLink = map.get('wallLink');
  const wallView = map.get('wallView');
  return {
    spotlight: isSpotlight(spotlight) ? { kind: spotlight.kind, id: spotlight.id } : null,
    timer: isTimerState(timer) ? { durationMs: timer.durationMs, endsAt: timer.endsAt, remainingMs: timer.remainingMs } : null,
    summon: isSummon(summon) && summon ? { nonce: summon.nonce, at: summon.at } : null,
    wallLink: isWallLink(wallLink) ? { role: wallLink.role, url: wallLink.url } : null,
    wallView: isWallView(wallView) ? wallView : null,
  };
}

export function readVote(id: string, m: EntryMap): Vote | null {
  const laneId = m.get('laneId');
  const dots = m.get('dots');
  const state = m.get('state');
  const openedAt = m.get('openedAt');
  const ballots = m.get('ballots');
  const results = m.get('results');
  if (!isCount(dots, LIMITS.dotsPerMunicipality) || !isVoteState(state)) return null;
  const read: Record<string, Record<string, number>> = {};
  if (ballots instanceof Y.Map) {
    for (const [municipalityId, ballot] of ballots.entries()) {
      if (!(ballot instanceof Y.Map)) continue;
      const given: Record<string, number> = {};
      for (const [activityId, n] of (ballot as Y.Map<unknown>).entries()) if (isCount(n, dots)) given[activityId] = n;
      read[municipalityId] = given;
    }
  }
  return {
    id,
    laneId: typeof laneId === 'string' ? (laneId as LaneId) : null,
    dots,
    state,
    openedAt: isMs(openedAt, EPOCH_MAX) ? openedAt : 0,
    ballots: read,
    results: isVoteResults(results) ? results.map((r) => ({ ...r })) : null,
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
    { id: id as LaneId, title: str(m, 'title') ?? '', rank: str(m, 'rank') ?? '', archived: m.get('archived') === true, locked: readLaneLocked(m) },
    { color: isColor(color) ? color : undefined, description: str(m, 'description') },
  );
}

export function readActivity(id: string, m: EntryMap): Activity {
  const status = m.get('status');
  const timeframe = m.get('timeframe');
  const budget = m.get('budget');
  const progress = readProgress(m.get('progress'));
  return withOptional<Activity>(
    {
      id: id as ActivityId,
      title: str(m, 'title') ?? '',
      laneId: readActivityLaneId(m),
      rank: str(m, 'rank') ?? '',
      partners: readPartners(m.get('partners')),
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
      createdBy: str(m, 'createdBy'),
      progress: progress.length > 0 ? progress : undefined,
    },
  );
}

/** Progress notes, oldest first (by `at`, then id, in code-unit order); malformed ones are skipped. */
function readProgress(progress: unknown): ProgressNote[] {
  if (!(progress instanceof Y.Map)) return [];
  const notes: ProgressNote[] = [];
  (progress as Y.Map<unknown>).forEach((v, id) => {
    if (!isProgressRecord(v)) return;
    notes.push(
      withOptional<ProgressNote>(
        { id, at: v.at, by: (v.by ?? null) as MunicipalityId | null, text: v.text },
        { percent: v.percent, status: v.status },
      ),
    );
  });
  return notes.sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
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

/** The key of an activity's progress notes: a restore keeps it (versions.ts), validation allows its depth. */
export const PROGRESS_KEY = 'progress';

/** An activity's map of progress notes as it is (undefined when missing or not a map): reading only. */
export function existingProgressOf(m: EntryMap | undefined): Y.Map<unknown> | undefined {
  const map = m?.get(PROGRESS_KEY);
  return map instanceof Y.Map ? (map as Y.Map<unknown>) : undefined;
}

/**
 * An activity's map of progress notes, created when missing. Created with the activity (and for
 * every activity when the plan is agreed), so two coordinators' first notes never race to create it.
 */
export function progressOf(m: EntryMap): Y.Map<ProgressRecord> {
  let map = m.get(PROGRESS_KEY);
  if (!(map instanceof Y.Map)) {
    map = new Y.Map<ProgressRecord>();
    m.set(PROGRESS_KEY, map);
  }
  return map as Y.Map<ProgressRecord>;
}

/** Adds one progress note (plain record; its id is its key). Notes are never edited in place. */
export function writeProgressNote(m: EntryMap, id: string, record: ProgressRecord): void {
  const out: Record<string, unknown> = { at: record.at, by: record.by, text: record.text };
  if (record.percent !== undefined) out.percent = record.percent;
  if (record.status !== undefined) out.status = record.status;
  progressOf(m).set(id, out as unknown as ProgressRecord);
}

/** Who added an activity: written once, with the activity, never edited. */
export function writeCreatedBy(m: EntryMap, municipalityId: MunicipalityId): void {
  m.set('createdBy', municipalityId);
}

export function writeVote(
  m: EntryMap,
  fields: { laneId?: LaneId | null; dots?: number; state?: VoteState; openedAt?: number; results?: readonly VoteResult[] },
): void {
  for (const [key, value] of Object.entries(fields)) setOrDelete(m, key, key === 'results' ? (value as VoteResult[]).map((r) => ({ ...r })) : value);
}

/** A new vote's map of ballots (written by the facilitator with the vote: a coordinator never creates it). */
export function newBallots(vote: EntryMap): void {
  if (!(vote.get('ballots') instanceof Y.Map)) vote.set('ballots', new Y.Map<Y.Map<number>>());
}

/** A vote's ballot map of one municipality, created if missing (if the vote has its map of ballots). */
export function ballotOf(vote: EntryMap, municipalityId: MunicipalityId, create: boolean): Y.Map<number> | null {
  const ballots = vote.get('ballots');
  if (!(ballots instanceof Y.Map)) return null;
  const map = ballots as Y.Map<Y.Map<number>>;
  let ballot = map.get(municipalityId);
  if (!(ballot instanceof Y.Map)) {
    if (!create) return null;
    ballot = new Y.Map<number>();
    map.set(municipalityId, ballot);
  }
  return ballot;
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
