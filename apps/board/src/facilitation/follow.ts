/**
 * "Follow me": the facilitator's awareness carries where they are on the board
 * (`view: { focus, at }`); the projector always follows it, and coordinators follow it after
 * "Bring everyone here" (a summon in the document) until they step away. Awareness only: the
 * focus is never written to the document.
 */
import type { Facilitation, Role } from '@tabla/plan-model';

export interface FocusTarget {
  readonly kind: 'lane' | 'activity';
  readonly id: string;
}

/** The awareness field, as this app writes it. */
export interface ViewPresence {
  readonly focus: FocusTarget | null;
  /** Server time of the change: with two facilitators, the latest wins. */
  readonly at: number;
}

export const isFocusTarget = (v: unknown): v is FocusTarget =>
  typeof v === 'object' && v !== null && ((v as FocusTarget).kind === 'lane' || (v as FocusTarget).kind === 'activity') &&
  typeof (v as FocusTarget).id === 'string' && (v as FocusTarget).id.length > 0 && (v as FocusTarget).id.length <= 64;

export interface FacilitatorFocus {
  readonly clientId: number;
  readonly focus: FocusTarget;
}

/** The focus of the facilitator who moved last (others than this client); null when none has one. */
export function facilitatorFocus(states: ReadonlyMap<number, Record<string, unknown>>, self: number): FacilitatorFocus | null {
  let best: (FacilitatorFocus & { at: number }) | null = null;
  for (const [clientId, state] of states) {
    if (clientId === self) continue;
    const user = state.user as { role?: unknown } | undefined;
    const view = state.view as { focus?: unknown; at?: unknown } | undefined;
    if (user?.role !== 'facilitator' || !isFocusTarget(view?.focus)) continue;
    const at = typeof view.at === 'number' ? view.at : 0;
    if (best === null || at > best.at || (at === best.at && clientId < best.clientId)) best = { clientId, focus: { kind: view.focus.kind, id: view.focus.id }, at };
  }
  return best && { clientId: best.clientId, focus: best.focus };
}

/** A summon older than this no longer pulls anyone (someone opening the board the next day). */
export const SUMMON_TTL_MS = 3 * 60 * 60_000;

export type FollowReason = 'projector' | 'summon' | null;

/**
 * Why this person follows the facilitator, if they do: the projector always does; anyone else
 * but a facilitator after a summon, until they stepped away from that same summon.
 */
export function followReason(input: {
  readonly role: Role | null;
  readonly projector: boolean;
  readonly summon: Facilitation['summon'];
  readonly steppedAwayFrom: string | null;
  readonly serverNow: number;
}): FollowReason {
  if (input.role === 'facilitator') return null;
  if (input.projector) return 'projector';
  const { summon } = input;
  if (summon && summon.nonce !== input.steppedAwayFrom && input.serverNow - summon.at < SUMMON_TTL_MS) return 'summon';
  return null;
}

/** A fresh summon nonce (the document takes at most 32 characters); no secure context needed. */
export function newNonce(): string {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}
