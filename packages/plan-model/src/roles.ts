import type { RootName } from './schema.js';

/**
 * Who may write what. A coordinator (editor) changes activities; the facilitator
 * changes everything; a viewer only reads. The server enforces this per update.
 */
export const ROLES = ['facilitator', 'editor', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export const isRole = (v: unknown): v is Role => ROLES.includes(v as Role);

const WRITABLE: Record<Role, ReadonlySet<string>> = {
  facilitator: new Set<RootName>(['meta', 'municipalities', 'lanes', 'activities', 'facilitation']),
  editor: new Set<RootName>(['activities']),
  viewer: new Set<RootName>(),
};

export const canWriteRoot = (role: Role, root: string): boolean => WRITABLE[role].has(root);
