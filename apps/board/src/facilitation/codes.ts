/**
 * Short codes for municipalities ("NS" for Općina Novo Sarajevo), shown beside their colour
 * swatch on the projector: colour alone does not tell them apart for colour-blind viewers, nor
 * from the back of a room.
 */

/** Words that say what kind of unit it is, not which one. */
const KIND_WORDS = new Set(['općina', 'opcina', 'opština', 'opstina', 'grad', 'општина', 'град', 'municipality', 'city']);

/** The letters of a name that identify it: the kind word and anything in brackets dropped. */
function nameWords(name: string): string[] {
  return name
    .replace(/\([^)]*\)/g, ' ')
    .split(/[\s\-–—.,/]+/u)
    .map((w) => w.replace(/[^\p{L}\p{N}]/gu, ''))
    .filter((w) => w.length > 0 && !KIND_WORDS.has(w.toLocaleLowerCase('bs')));
}

/** Initials of a name of several words ("NS", "INS"); the first three letters of a one-word name ("MOS"). */
export function baseCode(name: string): string {
  const words = nameWords(name);
  if (words.length === 0) return name.trim().slice(0, 3).toLocaleUpperCase('bs') || '?';
  const code = words.length === 1 ? words[0]!.slice(0, 3) : words.map((w) => w[0]).join('').slice(0, 3);
  return code.toLocaleUpperCase('bs');
}

/**
 * A code for each municipality, distinct on the board: where two share one (Općina Trnovo and
 * Opština Trnovo both "TRN"), a number follows in the order of their names ("TRN1", "TRN2").
 */
export function municipalityCodes(municipalities: readonly { readonly id: string; readonly name: string }[]): Map<string, string> {
  const groups = new Map<string, { readonly id: string; readonly name: string }[]>();
  for (const m of municipalities) {
    const code = baseCode(m.name);
    groups.set(code, [...(groups.get(code) ?? []), m]);
  }
  const codes = new Map<string, string>();
  for (const [code, group] of groups) {
    if (group.length === 1) codes.set(group[0]!.id, code);
    else [...group].sort((a, b) => a.name.localeCompare(b.name, 'bs') || a.id.localeCompare(b.id)).forEach((m, i) => codes.set(m.id, `${code}${i + 1}`));
  }
  return codes;
}
