/**
 * The print model of a plan: what the official document ("Plan aktivnosti") says, in the
 * columns of a real action plan (DOMAIN.md), in one language. CSV, XLSX and PDF are thin
 * writers over it, so the three formats share one table.
 *
 * Order: the priority areas (lanes) in board order, each one's activities in lane order, then
 * the not-yet-placed activities LAST, under their own heading ("Neraspoređene aktivnosti"), so
 * nothing on the board silently goes missing from the record. Archived lanes are left out.
 * "Rb." numbers the activities 1..n continuously across the groups.
 */
import { type Activity, type BoardView, type LaneId, latestPercent, type MunicipalityId, type Vote } from '@tabla/plan-model';
import { type ColumnKey, type Lang, TEXTS, type Texts } from './texts.js';
import { dateLang, formatLongDate } from './dates.js';

/**
 * One cell of the plan, typed, so that each writer renders it its own way: `count` is a whole
 * number (the row number), `km` an amount in convertible marks; null is an empty cell.
 */
export type PlanCell =
  | { readonly kind: 'text'; readonly value: string }
  | { readonly kind: 'count'; readonly value: number }
  | { readonly kind: 'km'; readonly value: number }
  | null;

export interface PlanColumn {
  readonly key: ColumnKey;
  readonly header: string;
  /** Width in characters, for spreadsheets. */
  readonly width: number;
  /** Long text: wrapped in spreadsheets. */
  readonly wrap: boolean;
}

export interface PlanGroup {
  /** The lane, or null for the not-yet-placed activities. */
  readonly laneId: LaneId | null;
  readonly title: string;
  /** One per activity, each with one cell per column. */
  readonly rows: readonly (readonly PlanCell[])[];
  readonly activityIds: readonly string[];
}

/** One revealed vote's results, most dots first. */
export interface VoteSummary {
  readonly id: string;
  /** "Glasanje 1": numbered by when it was opened, among the votes with results. */
  readonly name: string;
  /** The lane it was about, or the whole board. */
  readonly scope: string;
  readonly dots: number;
  readonly results: readonly { readonly place: number; readonly activityId: string; readonly title: string; readonly dots: number; readonly municipalities: number }[];
}

export interface PlanDocument {
  readonly lang: Lang;
  readonly report: PlanReport;
  readonly texts: Texts;
  /** "Plan aktivnosti" in the document's language. */
  readonly documentTitle: string;
  readonly boardTitle: string;
  /** The date, written in the document's language ("19. oktobar 2022."). */
  readonly date: string;
  readonly versionName: string | null;
  /** Every municipality on the board, by name. */
  readonly municipalities: readonly string[];
  readonly columns: readonly PlanColumn[];
  readonly groups: readonly PlanGroup[];
  /** Every group's rows in order: the flat table of CSV and XLSX. */
  readonly rows: readonly (readonly PlanCell[])[];
  readonly matrix: CommitmentsMatrix;
  readonly votes: readonly VoteSummary[];
}

/** The agreed plan, or the same printed as a progress report (status and latest note per activity). */
export type PlanReport = 'plan' | 'progress';

export interface PlanDocumentOptions {
  readonly lang: Lang;
  readonly report?: PlanReport;
  readonly versionName?: string | null;
  readonly date: Date;
}

interface RowContext {
  readonly number: number;
  readonly lane: string;
  readonly activity: Activity;
  readonly name: (id: MunicipalityId | undefined) => string;
  readonly texts: Texts;
}

const text = (value: string | undefined): PlanCell => ({ kind: 'text', value: value ?? '' });

export function quarterText(timeframe: string | undefined, texts: Texts): string {
  const m = timeframe ? /^(\d{4})-Q([1-4])$/.exec(timeframe) : null;
  return m ? texts.quarter(m[1]!, Number(m[2])) : (timeframe ?? '');
}

/** The columns of an action plan, in order: the only place that knows them. */
const COLUMNS: readonly { readonly key: ColumnKey; readonly width: number; readonly wrap: boolean; readonly cell: (r: RowContext) => PlanCell }[] = [
  { key: 'number', width: 6, wrap: false, cell: (r) => ({ kind: 'count', value: r.number }) },
  { key: 'lane', width: 28, wrap: true, cell: (r) => text(r.lane) },
  { key: 'title', width: 40, wrap: true, cell: (r) => text(r.activity.title) },
  { key: 'description', width: 50, wrap: true, cell: (r) => text(r.activity.description) },
  { key: 'lead', width: 24, wrap: true, cell: (r) => text(r.name(r.activity.leadId)) },
  { key: 'partners', width: 32, wrap: true, cell: (r) => text(r.activity.partners.map(r.name).filter(Boolean).join(', ')) },
  { key: 'proposer', width: 24, wrap: true, cell: (r) => text(r.name(r.activity.createdBy)) },
  { key: 'timeframe', width: 14, wrap: false, cell: (r) => text(quarterText(r.activity.timeframe, r.texts)) },
  { key: 'responsible', width: 24, wrap: true, cell: (r) => text(r.activity.responsible) },
  { key: 'budget', width: 16, wrap: false, cell: (r) => (r.activity.budget === undefined ? null : { kind: 'km', value: r.activity.budget }) },
  { key: 'funding', width: 24, wrap: true, cell: (r) => text(r.activity.fundingSource) },
  { key: 'indicator', width: 32, wrap: true, cell: (r) => text(r.activity.indicator) },
  { key: 'status', width: 12, wrap: false, cell: (r) => text(r.texts.status[r.activity.status]) },
  { key: 'notes', width: 40, wrap: true, cell: (r) => text(r.activity.notes) },
];

/** The latest progress note: "1. decembar 2026.: text" (empty when there is none). */
function latestNote(activity: Activity, texts: Texts): string {
  const notes = activity.progress ?? [];
  const last = notes.reduce<(typeof notes)[number] | undefined>((a, n) => (a === undefined || n.at >= a.at ? n : a), undefined);
  return last ? `${formatDate(new Date(last.at), texts)}: ${last.text}` : '';
}

/**
 * The same plan printed as a progress report for the next meeting (follow-through): where each
 * activity stands, with its latest note; the plan's other columns are in the plan itself.
 */
const PROGRESS_COLUMNS: typeof COLUMNS = [
  ...COLUMNS.filter((c) => ['number', 'lane', 'title', 'lead', 'timeframe', 'status'].includes(c.key)),
  { key: 'percent', width: 12, wrap: false, cell: (r) => { const p = latestPercent(r.activity); return p === undefined ? null : { kind: 'count', value: p }; } },
  { key: 'latestNote', width: 60, wrap: true, cell: (r) => text(latestNote(r.activity, r.texts)) },
];

/**
 * The date in the document's language, in Sarajevo, written by hand (./dates.ts): Debian's
 * Chromium has no `bs` data in Intl ("2026 M12 2"), and the print view runs there (TOOLCHAIN.md).
 */
export function formatDate(date: Date, texts: Texts): string {
  return formatLongDate(date, dateLang(texts.locale), { timeZone: 'Europe/Sarajevo' });
}

/** The print model of a board's plan (see the module comment for the order). */
export function planDocument(view: BoardView, options: PlanDocumentOptions): PlanDocument {
  const texts = TEXTS[options.lang];
  const report = options.report ?? 'plan';
  const columns = report === 'progress' ? PROGRESS_COLUMNS : COLUMNS;
  const name = (id: MunicipalityId | undefined) => (id ? (view.municipalityById.get(id)?.name ?? '') : '');
  let number = 0;
  const group = (laneId: LaneId | null, title: string, activities: readonly Activity[]): PlanGroup => ({
    laneId,
    title,
    rows: activities.map((activity) => {
      const row: RowContext = { number: ++number, lane: title, activity, name, texts };
      return columns.map((c) => c.cell(row));
    }),
    activityIds: activities.map((a) => a.id),
  });
  const groups = view.lanes.map(({ lane, activities }) => group(lane.id, lane.title, activities));
  if (view.unplaced.length > 0) groups.push(group(null, texts.unplaced, view.unplaced));
  return {
    lang: options.lang,
    report,
    texts,
    documentTitle: report === 'progress' ? texts.progressTitle : texts.documentTitle,
    boardTitle: view.meta.title,
    date: formatDate(options.date, texts),
    versionName: options.versionName ?? null,
    municipalities: view.municipalities.map((m) => m.name),
    columns: columns.map(({ key, width, wrap }) => ({ key, header: texts.columns[key], width, wrap })),
    groups,
    rows: groups.flatMap((g) => g.rows),
    matrix: commitmentsMatrix(view),
    votes: revealedVotes(view, texts),
  };
}

/** What one municipality has taken on in one priority area. */
export interface Commitment {
  /** Activities it leads (nosilac). */
  readonly leads: number;
  /** Activities it joins as a partner. */
  readonly joins: number;
}

export interface CommitmentsMatrix {
  /** The priority areas (lanes, board order; archived ones and the pool left out). */
  readonly lanes: readonly { readonly id: LaneId; readonly title: string }[];
  /** Every municipality on the board, by name. */
  readonly municipalities: readonly { readonly id: MunicipalityId; readonly name: string }[];
  /** [municipality][lane], in the orders above. */
  readonly cells: readonly (readonly Commitment[])[];
  /** A municipality with nothing (neither leading nor joining) in a priority area. */
  readonly gaps: readonly { readonly municipalityId: MunicipalityId; readonly laneId: LaneId }[];
  /** Priority areas where no activity has a lead. */
  readonly lanesWithoutLead: readonly LaneId[];
}

/** Municipalities x priority areas: how many activities each leads and joins, and the gaps. */
export function commitmentsMatrix(view: BoardView): CommitmentsMatrix {
  const lanes = view.lanes.map(({ lane }) => ({ id: lane.id, title: lane.title }));
  const municipalities = view.municipalities.map((m) => ({ id: m.id, name: m.name }));
  const cells = municipalities.map((m) =>
    view.lanes.map(({ activities }) => ({
      leads: activities.filter((a) => a.leadId === m.id).length,
      joins: activities.filter((a) => a.leadId !== m.id && a.partners.includes(m.id)).length,
    })),
  );
  const gaps = municipalities.flatMap((m, i) =>
    lanes.flatMap((l, j) => (cells[i]![j]!.leads + cells[i]![j]!.joins === 0 ? [{ municipalityId: m.id, laneId: l.id }] : [])),
  );
  const lanesWithoutLead = view.lanes
    .filter(({ activities }) => !activities.some((a) => a.leadId !== undefined && view.municipalityById.has(a.leadId)))
    .map(({ lane }) => lane.id);
  return { lanes, municipalities, cells, gaps, lanesWithoutLead };
}

/**
 * The votes whose results the room has seen: revealed ones, and closed ones (their results are
 * frozen when revealed, or at closing). Open votes stay secret.
 */
function revealedVotes(view: BoardView, texts: Texts): VoteSummary[] {
  const laneTitle = (vote: Vote) =>
    vote.laneId === null
      ? texts.wholeBoard
      : ([...view.lanes, ...view.archivedLanes].find((l) => l.lane.id === vote.laneId)?.lane.title ?? texts.wholeBoard);
  return view.votes
    .filter((v) => v.state !== 'open' && v.results !== null)
    .map((vote, i) => ({
      id: vote.id,
      name: texts.vote(i + 1),
      scope: laneTitle(vote),
      dots: vote.dots,
      results: [...vote.results!]
        .sort((a, b) => b.dots - a.dots || b.municipalities - a.municipalities || a.title.localeCompare(b.title, 'bs'))
        .map((r, j) => ({ place: j + 1, activityId: r.activityId, title: r.title, dots: r.dots, municipalities: r.municipalities })),
    }));
}
