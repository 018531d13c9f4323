import type { ReactNode } from 'react';
import { ProjectorContext, type ProjectorState } from './context.js';

/** The whole board screen, in projector mode or not (large type, no editing chrome: see styles.css). */
export function ProjectorScreen({ state, children }: { state: ProjectorState; children: ReactNode }) {
  return (
    <ProjectorContext.Provider value={state}>
      <div className={`screen${state.projector ? ' screen--projector' : ''}`}>{children}</div>
    </ProjectorContext.Provider>
  );
}
