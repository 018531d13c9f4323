/**
 * Checks of what the facilitator types, before an operation runs. Codes, not texts: the
 * panel words them (in the person's language) next to the field concerned.
 */
import { isColor, LIMITS, type Municipality, type MunicipalityId } from '@tabla/plan-model';

export type NameProblem = 'required' | 'tooLong';
export type MunicipalityProblem = NameProblem | 'taken';

/** Leading and trailing spaces never count; a name of spaces only is empty. */
export function checkName(value: string, max: number): NameProblem | null {
  const name = value.trim();
  if (name === '') return 'required';
  if (name.length > max) return 'tooLong';
  return null;
}

export const checkBoardTitle = (value: string) => checkName(value, LIMITS.title);
export const checkLaneTitle = (value: string) => checkName(value, LIMITS.title);

/**
 * A municipality's name must be its own: two "Općina Trnovo" could not be told apart in a
 * list (while "Općina Trnovo" and "Opština Trnovo" are two partners). Case and spaces ignored.
 */
export function checkMunicipalityName(value: string, others: readonly Municipality[], self?: MunicipalityId): MunicipalityProblem | null {
  const problem = checkName(value, LIMITS.name);
  if (problem) return problem;
  const key = normalise(value);
  return others.some((m) => m.id !== self && normalise(m.name) === key) ? 'taken' : null;
}

const normalise = (name: string) => name.trim().replace(/\s+/g, ' ').toLocaleLowerCase('bs');

/** #rrggbb, as the schema stores it (a colour picker gives that; a typed value may not). */
export const checkColor = (value: string): 'color' | null => (isColor(value.trim()) ? null : 'color');

export const COLOR_FORMAT = '#rrggbb';
export const COLOR_EXAMPLE = '#1d4e89';

/** Distinct colours that read on the board's light grey, with white text too. */
export const PALETTE = ['#1d4e89', '#2b8a3e', '#8a4b08', '#6f42c1', '#a4161a', '#0b7285', '#5c940d', '#c2255c', '#5b6770'] as const;

/** The first colour of the palette nobody uses yet (the first one when all are taken). */
export function unusedColor(used: Iterable<string | undefined>): string {
  const taken = new Set([...used].filter((c): c is string => !!c).map((c) => c.toLowerCase()));
  return PALETTE.find((c) => !taken.has(c)) ?? PALETTE[0];
}
