import type { RootName } from './schema.js';

/**
 * Who may write what. A coordinator (editor) changes activities and gives its municipality's dots; the facilitator
 * changes everything; a viewer only reads. The server enforces this per update.
 */
export const ROLES = ['facilitator', 'editor', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export const isRole = (v: unknown): v is Role => ROLES.includes(v as Role);

/**
 * What a board link grants: a role, and for a coordinator's link the municipality it speaks for
 * (null = a link bound to none). The server binds it; see attribution.ts and votes.ts.
 */
export interface Access {
  readonly role: Role;
  readonly municipalityId: string | null;
}

const WRITABLE: Record<Role, ReadonlySet<string>> = {
  facilitator: new Set<RootName>(['meta', 'municipalities', 'lanes', 'activities', 'facilitation', 'votes']),
  // Votes: only their own municipality's ballot of an open vote (votes.ts, voteViolations).
  editor: new Set<RootName>(['activities', 'votes']),
  viewer: new Set<RootName>(),
};

export const canWriteRoot = (role: Role, root: string): boolean => WRITABLE[role].has(root);
