/** Projector mode for the components below the app: whether it is on, and the municipality codes it shows. */
import { createContext, useContext } from 'react';

export interface ProjectorState {
  readonly projector: boolean;
  /** Municipality id -> short code; shown beside colour swatches in projector mode only. */
  readonly codes: ReadonlyMap<string, string> | null;
}

export const ProjectorContext = createContext<ProjectorState>({ projector: false, codes: null });

export const useProjector = (): ProjectorState => useContext(ProjectorContext);
