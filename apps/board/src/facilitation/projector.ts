import { useCallback, useMemo, useState } from 'react';
import type { Municipality, Role } from '@tabla/plan-model';
import { municipalityCodes } from './codes.js';
import type { ProjectorState } from './context.js';

/**
 * Projector view: on by itself for the read-only (viewer) link, which is what a projector opens;
 * anyone can switch it on or off for their own screen.
 */
export function useProjectorMode(role: Role | null, municipalities: readonly Municipality[]): [ProjectorState, () => void] {
  const [choice, setChoice] = useState<boolean | null>(null);
  const projector = choice ?? role === 'viewer';
  const toggle = useCallback(() => setChoice(!projector), [projector]);
  const codes = useMemo(() => municipalityCodes(municipalities), [municipalities]);
  const state = useMemo<ProjectorState>(() => ({ projector, codes }), [projector, codes]);
  return [state, toggle];
}
