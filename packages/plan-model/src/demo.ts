/**
 * The demo board: the MAKERS inter-municipal plan from the Igman training
 * (October 2022), as in DOMAIN.md. People appear by role, never by name.
 */
import type * as Y from 'yjs';
import { asLaneId, asMunicipalityId, type LaneId, type MunicipalityId } from './ids.js';
import { addActivity, addMunicipality, createLane, setBoardTitle } from './operations.js';
import { type PlanOrigin, seedOrigin } from './origins.js';
import type { MunicipalityKind, Status } from './schema.js';

const M = {
  trnovoF: ['Općina Trnovo', '#1f77b4', 'opcina'],
  trnovoRS: ['Opština Trnovo', '#ff7f0e', 'opstina'],
  novoSarajevo: ['Općina Novo Sarajevo', '#2ca02c', 'opcina'],
  istocnoNovoSarajevo: ['Opština Istočno Novo Sarajevo', '#d62728', 'opstina'],
  mostar: ['Grad Mostar', '#9467bd', 'grad'],
  noviTravnik: ['Općina Novi Travnik', '#8c564b', 'opcina'],
  istocnoSarajevo: ['Grad Istočno Sarajevo', '#e377c2', 'grad'],
  bugojno: ['Općina Bugojno (primjer)', '#17becf', 'opcina'],
} as const satisfies Record<string, readonly [string, string, MunicipalityKind]>;
type Key = keyof typeof M;
const ALL = Object.keys(M) as Key[];

const LANES = {
  A: ['Učešće građana u odlučivanju', '#4e79a7'],
  B: ['Položaj mladih u lokalnoj zajednici', '#f28e2b'],
  C: ['Podrška djeci i mladima s poteškoćama u razvoju', '#59a14f'],
  D: ['Održivost LDP-a i međuopštinska saradnja', '#b07aa1'],
} as const;
type LaneKey = keyof typeof LANES;

type Row = [LaneKey | null, string, Key, Key[] | 'all', string, Status];
const ROWS: Row[] = [
  ['A', 'Zajednički model javnih konsultacija', 'novoSarajevo', ['istocnoNovoSarajevo', 'trnovoF'], '2023-Q1', 'in_progress'],
  ['A', 'Odluka o LDP-u kao savjetodavnom tijelu', 'mostar', ['noviTravnik', 'bugojno'], '2023-Q2', 'planned'],
  ['A', 'Forum građana „Dva Trnova"', 'trnovoF', ['trnovoRS'], '2023-Q2', 'planned'],
  ['A', 'Obuka mladih kofacilitatora', 'istocnoNovoSarajevo', ['novoSarajevo', 'istocnoSarajevo'], '2023-Q1', 'done'],
  ['B', 'Dijalog sa mladima', 'novoSarajevo', ['istocnoNovoSarajevo'], '2022-Q4', 'done'],
  ['B', 'Radionice o propisima za mlade', 'noviTravnik', ['bugojno', 'trnovoRS'], '2023-Q2', 'in_progress'],
  ['B', 'Razmjena vijeća mladih', 'mostar', ['istocnoSarajevo'], '2023-Q3', 'planned'],
  ['B', 'Mapa prostora za mlade', 'trnovoRS', ['trnovoF', 'istocnoNovoSarajevo'], '2023-Q3', 'planned'],
  ['C', 'Podrška dnevnom centru za djecu s poteškoćama u razvoju', 'novoSarajevo', ['istocnoNovoSarajevo'], '2023-Q1', 'in_progress'],
  ['C', 'Katalog usluga u regiji', 'istocnoSarajevo', ['novoSarajevo', 'trnovoF', 'trnovoRS'], '2023-Q2', 'planned'],
  ['C', 'Inkluzivni ljetni kamp na Bjelašnici', 'trnovoF', ['trnovoRS'], '2023-Q3', 'planned'],
  ['C', 'Pristupačnost javnih objekata', 'noviTravnik', ['bugojno', 'mostar'], '2022-Q4', 'done'],
  ['D', 'Konstituirajući sastanak MLDP-a', 'istocnoNovoSarajevo', 'all', '2023-Q1', 'done'],
  [null, 'Godišnji izvještaj LDP-a građanima', 'istocnoSarajevo', 'all', '2023-Q4', 'planned'],
  [null, 'Volonterska akcija osnovaca', 'novoSarajevo', ['trnovoF'], '2023-Q2', 'planned'],
];

export const DEMO_TITLE = 'MLDP: zajednički plan aktivnosti';

/** Stable, readable ids, so links and tests can name demo things. */
export const demoMunicipalityId = (key: Key): MunicipalityId => asMunicipalityId(`m_${key}`);
export const demoLaneId = (key: LaneKey): LaneId => asLaneId(`l_${key}`);

/** Fills an empty document with the demo board, in one transaction. */
export function seedDemoBoard(doc: Y.Doc, origin: PlanOrigin = seedOrigin): void {
  doc.transact(() => {
    setBoardTitle(doc, DEMO_TITLE, origin);
    for (const key of ALL) {
      const [name, color, kind] = M[key];
      addMunicipality(doc, { name, color, kind }, { id: demoMunicipalityId(key), origin });
    }
    for (const key of Object.keys(LANES) as LaneKey[]) {
      const [title, color] = LANES[key];
      createLane(doc, { title, color }, { id: demoLaneId(key), origin });
    }
    for (const [lane, title, lead, partners, timeframe, status] of ROWS) {
      addActivity(
        doc,
        {
          title,
          leadId: demoMunicipalityId(lead),
          partners: (partners === 'all' ? ALL.filter((k) => k !== lead) : partners).map(demoMunicipalityId),
          timeframe,
          status,
          responsible: 'koordinator/ica LDP-a',
        },
        { laneId: lane === null ? null : demoLaneId(lane) },
        { origin },
      );
    }
  }, origin);
}

/** Fills an empty document with an empty board: a title and nothing else. */
export function seedEmptyBoard(doc: Y.Doc, title: string, origin: PlanOrigin = seedOrigin): void {
  setBoardTitle(doc, title, origin);
}
