/** Projector mode for the components below the app: whether it is on, and the municipalities' short codes. */
import { createContext, useContext } from 'react';

export interface ProjectorState {
  readonly projector: boolean;
  /** Municipality id -> short code, distinct on the board: on cards' chips, in the legend and the matrix. */
  readonly codes: ReadonlyMap<string, string>;
}

export const ProjectorContext = createContext<ProjectorState>({ projector: false, codes: new Map() });

export const useProjector = (): ProjectorState => useContext(ProjectorContext);
