/**
 * Presence: what one browser tab puts in awareness (never in the document). `user` says who it
 * is (a person, or a projector: the read-only link on the wall, which names nobody and is not
 * counted as a person); `dragging`, `editing` and `view` are transient. `presenceStateProblem` checks the shape and
 * types only; whether the link may claim that role or municipality is the server's business.
 */
import { depthOf, MAX_AWARENESS_DEPTH } from './awareness.js';

/** The roles a link grants (the same names as plan-model's `Role`; this package depends on lib0 only). */
export type PresenceRole = 'facilitator' | 'editor' | 'viewer';

export interface PresenceUser {
  readonly name: string;
  /** The municipality this person speaks for; null: none. */
  readonly municipalityId: string | null;
  readonly color: string;
  /** The role the link grants; null until the server has said. */
  readonly role: PresenceRole | null;
}

/**
 * A projector: the read-only link opened on the room's wall. It asks nobody's name, so it says
 * none; the online list shows it as "projector", not as a person. Only a read-only link may be one
 * (the server's presence gate checks).
 */
export interface ProjectorPresence {
  readonly projector: true;
  /** The role the link grants ('viewer'); null until the server has said. */
  readonly role: PresenceRole | null;
}

export const isProjectorPresence = (user: unknown): user is ProjectorPresence =>
  typeof user === 'object' && user !== null && (user as { projector?: unknown }).projector === true;

/** Where a person is dragging a card to: the target lane ('pool' for not yet placed) and position. */
export interface DraggingPresence {
  readonly activityId: string;
  readonly title: string;
  readonly container: string;
  readonly index: number;
}

export interface FocusTarget {
  readonly kind: 'lane' | 'activity';
  readonly id: string;
}

/** Where a facilitator is on the board ("follow me"). */
export interface ViewPresence {
  readonly focus: FocusTarget | null;
  /** Server time of the change: with two facilitators, the latest wins. */
  readonly at: number;
}

/**
 * One tab's awareness state. Every field is optional: a provider announces `{}` before the board
 * has set anyone, and a transient field is absent or null when nothing is going on.
 */
export interface PresenceState {
  readonly user?: PresenceUser | ProjectorPresence;
  readonly dragging?: DraggingPresence | null;
  /** The activity this person has open for editing. */
  readonly editing?: string | null;
  readonly view?: ViewPresence | null;
}

/** Upper bounds of presence strings (ids and titles match plan-model's LIMITS). */
export const PRESENCE_LIMITS = {
  name: 120,
  id: 64,
  title: 200,
  color: 32,
} as const;

const ROLES: readonly string[] = ['facilitator', 'editor', 'viewer'] satisfies readonly PresenceRole[];
const KEYS = {
  state: ['user', 'dragging', 'editing', 'view'],
  user: ['name', 'municipalityId', 'color', 'role'],
  projector: ['projector', 'role'],
  dragging: ['activityId', 'title', 'container', 'index'],
  view: ['focus', 'at'],
  focus: ['kind', 'id'],
} as const;

type Check = (value: unknown, path: string) => string | null;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const text = (max: number): Check => (v, path) =>
  typeof v !== 'string' ? `${path}: must be a string` : v.length > max ? `${path}: longer than ${max}` : null;
const orNull = (check: Check): Check => (v, path) => (v === null ? null : check(v, path));

/** A record with exactly these keys (each checked), or a problem: unknown keys are refused, missing ones too. */
const record = (keys: readonly string[], fields: Record<string, Check>): Check => (v, path) => {
  if (!isRecord(v)) return `${path}: must be an object`;
  for (const key of Object.keys(v)) if (!keys.includes(key)) return `${path}: unknown key ${JSON.stringify(key.slice(0, 40))}`;
  for (const key of keys) {
    if (!Object.hasOwn(v, key)) return `${path}.${key}: missing`;
    const problem = fields[key]!(v[key], `${path}.${key}`);
    if (problem) return problem;
  }
  return null;
};

const checkRole: Check = (v, path) => (v === null || ROLES.includes(v as string) ? null : `${path}: must be one of ${ROLES.join(', ')} or null`);

const checkPerson = record(KEYS.user, {
  name: text(PRESENCE_LIMITS.name),
  municipalityId: orNull(text(PRESENCE_LIMITS.id)),
  color: text(PRESENCE_LIMITS.color),
  role: checkRole,
});

const checkProjector = record(KEYS.projector, {
  projector: (v, path) => (v === true ? null : `${path}: must be true`),
  role: checkRole,
});

/** A person, or (with the key `projector`) a projector. */
const checkUser: Check = (v, path) => (isRecord(v) && Object.hasOwn(v, 'projector') ? checkProjector(v, path) : checkPerson(v, path));

const checkDragging = record(KEYS.dragging, {
  activityId: text(PRESENCE_LIMITS.id),
  title: text(PRESENCE_LIMITS.title),
  container: text(PRESENCE_LIMITS.id),
  index: (v, path) => (Number.isSafeInteger(v) && (v as number) >= 0 ? null : `${path}: must be a whole number >= 0`),
});

const checkFocus = record(KEYS.focus, {
  kind: (v, path) => (v === 'lane' || v === 'activity' ? null : `${path}: must be lane or activity`),
  id: text(PRESENCE_LIMITS.id),
});

const checkView = record(KEYS.view, {
  focus: orNull(checkFocus),
  at: (v, path) => (typeof v === 'number' && Number.isFinite(v) ? null : `${path}: must be a finite number`),
});

const STATE_FIELDS: Record<(typeof KEYS.state)[number], Check> = {
  user: checkUser,
  dragging: orNull(checkDragging),
  editing: orNull(text(PRESENCE_LIMITS.id)),
  view: orNull(checkView),
};

/**
 * Why `state` is not a presence state, or null when it is one (null itself, a tab that left,
 * is one). Shape and types only: known keys, strings bounded, nesting no deeper than
 * MAX_AWARENESS_DEPTH (checked first, without recursion).
 */
export function presenceStateProblem(state: unknown): string | null {
  if (state === null) return null;
  if (!isRecord(state)) return 'presence: must be an object or null';
  if (depthOf(state) > MAX_AWARENESS_DEPTH) return `presence: nested deeper than ${MAX_AWARENESS_DEPTH}`;
  for (const [key, value] of Object.entries(state)) {
    if (!Object.hasOwn(STATE_FIELDS, key)) return `presence: unknown key ${JSON.stringify(key.slice(0, 40))}`;
    const problem = STATE_FIELDS[key as keyof typeof STATE_FIELDS](value, key);
    if (problem) return problem;
  }
  return null;
}

export const isPresenceState = (state: unknown): state is PresenceState => state !== null && presenceStateProblem(state) === null;
