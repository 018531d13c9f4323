/**
 * The words of the plan document in each language it is written in. Kept here, on the server
 * side, not in the board's catalogues: the exports are written without a browser. What people
 * typed on the board (titles, municipality names) is printed as typed, never transliterated.
 */
import type { Status } from '@tabla/plan-model';

export const LANGS = ['bs', 'sr-Cyrl-BA', 'en'] as const;
/** bs: Bosnian, ijekavian, Latin (default); sr-Cyrl-BA: Serbian, ijekavian, Cyrillic; en: English. */
export type Lang = (typeof LANGS)[number];
export const isLang = (v: unknown): v is Lang => LANGS.includes(v as Lang);

export type ColumnKey =
  | 'number'
  | 'lane'
  | 'title'
  | 'description'
  | 'lead'
  | 'partners'
  | 'proposer'
  | 'timeframe'
  | 'responsible'
  | 'budget'
  | 'funding'
  | 'indicator'
  | 'status'
  | 'notes'
  | 'percent'
  | 'latestNote';

export interface Texts {
  /** For Intl (dates). */
  readonly locale: string;
  readonly documentTitle: string;
  /** The title of the same document printed as a progress report (follow-through). */
  readonly progressTitle: string;
  readonly columns: Readonly<Record<ColumnKey, string>>;
  readonly status: Readonly<Record<Status, string>>;
  /** "I kv. 2023." from year and quarter 1..4. */
  readonly quarter: (year: string, quarter: number) => string;
  readonly unplaced: string;
  readonly date: string;
  readonly version: string;
  readonly municipalities: string;
  readonly page: (page: number, pages: number) => string;
  readonly commitments: string;
  readonly commitmentsNote: string;
  /** The column of the matrix with the municipalities. */
  readonly municipality: string;
  readonly leads: string;
  readonly joins: string;
  readonly noLead: string;
  readonly gap: string;
  readonly signatures: string;
  readonly coordinator: string;
  readonly signature: string;
  readonly stamp: string;
  readonly liveBoard: string;
  readonly vote: (n: number) => string;
  readonly votePlace: string;
  readonly voteDots: string;
  readonly voteMunicipalities: string;
  readonly wholeBoard: string;
}

const ROMAN = ['I', 'II', 'III', 'IV'];

export const TEXTS: Readonly<Record<Lang, Texts>> = {
  bs: {
    locale: 'bs',
    documentTitle: 'Plan aktivnosti',
    progressTitle: 'Izvještaj o napretku',
    columns: {
      number: 'Rb.',
      lane: 'Oblast',
      title: 'Aktivnost',
      description: 'Opis',
      lead: 'Nosilac',
      partners: 'Partneri',
      proposer: 'Predlagač',
      timeframe: 'Rok / kvartal',
      responsible: 'Odgovorna osoba',
      budget: 'Sredstva (KM)',
      funding: 'Izvor finansiranja',
      indicator: 'Indikator',
      status: 'Status',
      notes: 'Napomena',
      percent: 'Ostvareno (%)',
      latestNote: 'Posljednja bilješka o napretku',
    },
    status: { planned: 'Planirano', in_progress: 'U toku', done: 'Završeno', postponed: 'Odgođeno' },
    quarter: (y, q) => `${ROMAN[q - 1]} kv. ${y}.`,
    unplaced: 'Neraspoređene aktivnosti',
    date: 'Datum',
    version: 'Verzija',
    municipalities: 'Učesnice (JLS)',
    page: (x, y) => `strana ${x} od ${y}`,
    commitments: 'Pregled obaveza',
    commitmentsNote: 'Broj aktivnosti koje jedinica lokalne samouprave vodi (nosilac) i u kojima učestvuje (partner), po oblasti. „—": nema obaveza u toj oblasti.',
    municipality: 'JLS',
    leads: 'nosilac',
    joins: 'partner',
    noLead: 'Oblast bez nosioca',
    gap: '—',
    signatures: 'Potpisi',
    coordinator: 'Koordinator/ica',
    signature: 'Potpis',
    stamp: 'Pečat',
    liveBoard: 'Tabla uživo (samo za pregled)',
    vote: (n) => `Glasanje ${n}`,
    votePlace: 'Mjesto',
    voteDots: 'Bodovi',
    voteMunicipalities: 'Broj JLS',
    wholeBoard: 'Cijela tabla',
  },
  'sr-Cyrl-BA': {
    locale: 'sr-Cyrl-BA',
    documentTitle: 'План активности',
    progressTitle: 'Извјештај о напретку',
    columns: {
      number: 'Рб.',
      lane: 'Област',
      title: 'Активност',
      description: 'Опис',
      lead: 'Носилац',
      partners: 'Партнери',
      proposer: 'Предлагач',
      timeframe: 'Рок / квартал',
      responsible: 'Одговорна особа',
      budget: 'Средства (КМ)',
      funding: 'Извор финансирања',
      indicator: 'Индикатор',
      status: 'Статус',
      notes: 'Напомена',
      percent: 'Остварено (%)',
      latestNote: 'Посљедња биљешка о напретку',
    },
    status: { planned: 'Планирано', in_progress: 'У току', done: 'Завршено', postponed: 'Одгођено' },
    quarter: (y, q) => `${ROMAN[q - 1]} кв. ${y}.`,
    unplaced: 'Нераспоређене активности',
    date: 'Датум',
    version: 'Верзија',
    municipalities: 'Учеснице (ЈЛС)',
    page: (x, y) => `страна ${x} од ${y}`,
    commitments: 'Преглед обавеза',
    commitmentsNote: 'Број активности које јединица локалне самоуправе води (носилац) и у којима учествује (партнер), по области. „—": нема обавеза у тој области.',
    municipality: 'ЈЛС',
    leads: 'носилац',
    joins: 'партнер',
    noLead: 'Област без носиоца',
    gap: '—',
    signatures: 'Потписи',
    coordinator: 'Координатор/ица',
    signature: 'Потпис',
    stamp: 'Печат',
    liveBoard: 'Табла уживо (само за преглед)',
    vote: (n) => `Гласање ${n}`,
    votePlace: 'Мјесто',
    voteDots: 'Бодови',
    voteMunicipalities: 'Број ЈЛС',
    wholeBoard: 'Цијела табла',
  },
  en: {
    locale: 'en-GB',
    documentTitle: 'Plan of activities',
    progressTitle: 'Progress report',
    columns: {
      number: 'No.',
      lane: 'Priority area',
      title: 'Activity',
      description: 'Description',
      lead: 'Lead',
      partners: 'Partners',
      proposer: 'Proposed by',
      timeframe: 'Deadline / quarter',
      responsible: 'Responsible person',
      budget: 'Resources (KM)',
      funding: 'Source of funding',
      indicator: 'Indicator',
      status: 'Status',
      notes: 'Notes',
      percent: 'Done (%)',
      latestNote: 'Latest progress note',
    },
    status: { planned: 'Planned', in_progress: 'In progress', done: 'Done', postponed: 'Postponed' },
    quarter: (y, q) => `Q${q} ${y}`,
    unplaced: 'Not yet placed',
    date: 'Date',
    version: 'Version',
    municipalities: 'Participating municipalities',
    page: (x, y) => `page ${x} of ${y}`,
    commitments: 'Commitments',
    commitmentsNote: 'Activities each municipality leads and joins as a partner, per priority area. "—": no commitment in that area.',
    municipality: 'Municipality',
    leads: 'lead',
    joins: 'partner',
    noLead: 'Priority area with no lead',
    gap: '—',
    signatures: 'Signatures',
    coordinator: 'Coordinator',
    signature: 'Signature',
    stamp: 'Stamp',
    liveBoard: 'Live board (read-only)',
    vote: (n) => `Vote ${n}`,
    votePlace: 'Rank',
    voteDots: 'Dots',
    voteMunicipalities: 'Municipalities',
    wholeBoard: 'Whole board',
  },
};
