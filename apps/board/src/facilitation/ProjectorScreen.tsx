import type { ReactNode } from 'react';
import { useBoard } from '@tabla/plan-react';
import { useSession } from '../ui/context.js';
import { ProjectorContext, type ProjectorState } from './context.js';

/**
 * The whole board screen, in projector mode or not (large type, no editing chrome: see styles.css).
 * On the projector, the facilitator's choice of view (`wallView`): the board, or the commitments
 * matrix in its place (projector.css, with the projector panel).
 */
export function ProjectorScreen({ state, children }: { state: ProjectorState; children: ReactNode }) {
  const session = useSession();
  const wallView = useBoard(session.doc).facilitation.wallView;
  const className = state.projector ? `screen screen--projector${wallView === 'matrix' ? ' screen--wall-matrix' : ''}` : 'screen';
  return (
    <ProjectorContext.Provider value={state}>
      <div className={className}>{children}</div>
    </ProjectorContext.Provider>
  );
}
