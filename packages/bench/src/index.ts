/** What other workspaces use to hand their figures to the report (the e2e UI bench). */
export { benchMode, compared, type Figure, type Mode, type Part, repoRoot, resultsDir, writePart } from './results.js';
export { FIGURES, type FigureSpec, type Target } from './figures.js';
