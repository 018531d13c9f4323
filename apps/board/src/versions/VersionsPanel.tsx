/**
 * "Verzije": the board's saved versions (loaded lazily, VersionsButton). Everyone sees the list,
 * opens a version read-only (also on the projector) and compares two (or one with the board now),
 * change by change, per municipality. The facilitator saves a named version and restores one:
 * after a confirm step in the app, `restoreVersion` on the session's document with the local
 * origin, so it is one change the server judges like any other and Ctrl+Z undoes it.
 */
import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import * as Y from 'yjs';
import {
  type ActivityChange,
  AUTO_VERSION_NAMES,
  type BoardDiff,
  type BoardView,
  type DiffedField,
  diffBoards,
  type LaneId,
  readBoard,
  restoreVersion,
  roots,
  type VersionMoment,
} from '@tabla/plan-model';
import { useBoard } from '@tabla/plan-react';
import type { PresenceUser } from '../session/board-session.js';
import { useSession, useSessionState } from '../ui/context.js';
import { PanelDialog } from '../ui/PanelDialog.js';
import { fetchSnapshot, formatVersionTime, listVersions, saveVersion, type VersionFailure, type VersionInfo } from './versions-api.js';

export interface VersionsPanelProps {
  readonly onClose: () => void;
}

/** The live board, as the newest side of a comparison. */
const CURRENT = 'current';
const NAME_MAX = 120;

const FIELD_KEYS: Record<DiffedField, string> = {
  title: 'activity.title',
  description: 'activity.description',
  leadId: 'activity.lead',
  timeframe: 'timeframe.label',
  status: 'activity.status',
  responsible: 'activity.responsible',
  budget: 'activity.budget',
  fundingSource: 'activity.fundingSource',
  indicator: 'activity.indicator',
  notes: 'activity.notes',
};

const AUTO_KEYS: Record<VersionMoment, string> = {
  voteRevealed: 'versions.auto.voteRevealed',
  laneLocked: 'versions.auto.laneLocked',
  boardLocked: 'versions.auto.boardLocked',
  timerEnded: 'versions.auto.timerEnded',
  hourly: 'versions.auto.hourly',
};

/** An automatic version's name in the reader's language (stored in Bosnian). */
function versionName(t: TFunction, v: VersionInfo): string {
  if (!v.auto) return v.name;
  const moment = (Object.keys(AUTO_VERSION_NAMES) as VersionMoment[]).find((m) => AUTO_VERSION_NAMES[m] === v.name);
  return moment ? t(AUTO_KEYS[moment]) : v.name;
}

function failureText(t: TFunction, reason: VersionFailure): string {
  if (reason === 'offline') return t('versions.offline');
  if (reason === 'unauthorized') return t('versions.unauthorized');
  if (reason === 'invalid') return t('versions.nameInvalid', { max: NAME_MAX });
  return t('versions.failed');
}

interface Comparison {
  readonly before: string;
  readonly after: string;
  readonly beforeView: BoardView;
  readonly afterView: BoardView;
  readonly diff: BoardDiff;
}

export default function VersionsPanel({ onClose }: VersionsPanelProps) {
  const { t, i18n } = useTranslation();
  const session = useSession();
  const state = useSessionState();
  const live = useBoard(session.doc);
  const facilitator = state.role === 'facilitator';
  const id = useId();
  const [versions, setVersions] = useState<VersionInfo[] | null>(null);
  const [notice, setNotice] = useState('');
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [opened, setOpened] = useState<{ version: VersionInfo; view: BoardView } | null>(null);
  const [projector, setProjector] = useState(false);
  const [selected, setSelected] = useState<string[]>([]);
  const [comparison, setComparison] = useState<Comparison | null>(null);
  const [confirming, setConfirming] = useState<VersionInfo | null>(null);
  const snapshots = useRef(new Map<string, Y.Doc>());

  useEffect(() => {
    const docs = snapshots.current;
    return () => {
      for (const doc of docs.values()) doc.destroy();
      docs.clear();
    };
  }, []);

  const refresh = async () => {
    const result = await listVersions(session.link);
    if (result.ok) setVersions(result.value);
    else {
      setVersions((v) => v ?? []);
      setNotice(failureText(t, result.reason));
    }
  };
  useEffect(() => {
    void refresh();
    // Once per opening: the list is asked again after each save.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  /** A version's board as a document (fetched once per opening of the panel). */
  const versionDoc = async (version: VersionInfo): Promise<Y.Doc | null> => {
    const cached = snapshots.current.get(version.id);
    if (cached) return cached;
    const result = await fetchSnapshot(session.link, version.id);
    if (!result.ok) {
      setNotice(failureText(t, result.reason));
      return null;
    }
    const doc = new Y.Doc();
    roots(doc);
    Y.applyUpdate(doc, result.value);
    snapshots.current.set(version.id, doc);
    return doc;
  };

  const save = async (e: FormEvent) => {
    e.preventDefault();
    const trimmed = name.trim();
    if (trimmed.length === 0 || trimmed.length > NAME_MAX) {
      setNotice(t('versions.nameInvalid', { max: NAME_MAX }));
      return;
    }
    setBusy(true);
    const user = session.awareness.getLocalState()?.user as PresenceUser | undefined;
    const result = await saveVersion(session.link, trimmed, user?.name ?? '');
    setBusy(false);
    if (!result.ok) {
      setNotice(failureText(t, result.reason));
      return;
    }
    setName('');
    setNotice(t('versions.saved', { name: result.value.name }));
    await refresh();
  };

  const open = async (version: VersionInfo) => {
    const doc = await versionDoc(version);
    if (!doc) return;
    setComparison(null);
    setOpened({ version, view: readBoard(doc) });
  };

  const toggleSelected = (key: string) =>
    setSelected((list) => (list.includes(key) ? list.filter((k) => k !== key) : [...list, key].slice(-2)));

  const compare = async () => {
    if (!versions || selected.length !== 2) return;
    const at = (key: string) => (key === CURRENT ? Infinity : (versions.find((v) => v.id === key)?.createdAt ?? 0));
    const [older, newer] = [...selected].sort((a, b) => at(a) - at(b)) as [string, string];
    const side = async (key: string): Promise<{ label: string; view: BoardView } | null> => {
      if (key === CURRENT) return { label: t('versions.current'), view: live };
      const version = versions.find((v) => v.id === key);
      const doc = version && (await versionDoc(version));
      return doc ? { label: versionName(t, version), view: readBoard(doc) } : null;
    };
    const [before, after] = await Promise.all([side(older), side(newer)]);
    if (!before || !after) return;
    setOpened(null);
    setComparison({ before: before.label, after: after.label, beforeView: before.view, afterView: after.view, diff: diffBoards(before.view, after.view) });
  };

  const restore = async (version: VersionInfo) => {
    const doc = await versionDoc(version);
    setConfirming(null);
    if (!doc) return;
    // The local origin: the facilitator's undo manager takes the whole restore back in one step.
    restoreVersion(session.doc, doc);
    onClose();
  };

  const time = (ms: number) => formatVersionTime(ms, i18n.language);

  return (
    <PanelDialog className={"dialog setup versions"} titleId={`${id}-title`} title={t('versions.heading')} closeLabel={t('versions.close')} onClose={onClose}>
      <p className="setup__notice" role="status">
        {notice}
      </p>

      {facilitator && (
        <form className="versions__save" onSubmit={(e) => void save(e)}>
          <label htmlFor={`${id}-name`}>{t('versions.name')}</label>
          <input
            id={`${id}-name`}
            value={name}
            maxLength={NAME_MAX}
            placeholder={t('versions.namePlaceholder')}
            onChange={(e) => setName(e.target.value)}
          />
          <button type="submit" disabled={busy}>
            {t('versions.save')}
          </button>
        </form>
      )}

      {versions === null ? (
        <p role="status">{t('versions.loading')}</p>
      ) : (
        <>
          <ul className="versions__list" aria-label={t('versions.list')}>
            <li className="versions__item versions__item--current">
              <label>
                <input type="checkbox" checked={selected.includes(CURRENT)} onChange={() => toggleSelected(CURRENT)} />{' '}
                {t('versions.compareThis')}
              </label>
              <strong>{t('versions.current')}</strong>
            </li>
            {versions.length === 0 && <li className="versions__empty">{t('versions.none')}</li>}
            {versions.map((v) => (
              <li key={v.id} className="versions__item" data-version={v.id}>
                <label>
                  <input type="checkbox" checked={selected.includes(v.id)} onChange={() => toggleSelected(v.id)} />{' '}
                  {t('versions.compareThis')}
                </label>
                <strong className="versions__name">{versionName(t, v)}</strong>{' '}
                {v.auto && <span className="versions__auto">{t('versions.autoBadge')}</span>}
                <span className="versions__meta">
                  {time(v.createdAt)} · {v.by || t('versions.byTabla')} · {v.summary}
                </span>
                <span className="versions__actions">
                  <button type="button" onClick={() => void open(v)}>
                    {t('versions.view')}
                  </button>
                  {facilitator && (
                    <button type="button" onClick={() => setConfirming(v)}>
                      {t('versions.restore')}
                    </button>
                  )}
                </span>
                {confirming?.id === v.id && (
                  <div className="versions__confirm" role="alertdialog" aria-label={t('versions.restore')}>
                    <p>{t('versions.confirmRestore', { name: versionName(t, v), time: time(v.createdAt) })}</p>
                    <button type="button" className="versions__confirm-yes" onClick={() => void restore(v)}>
                      {t('versions.restoreConfirm')}
                    </button>{' '}
                    <button type="button" onClick={() => setConfirming(null)}>
                      {t('versions.cancel')}
                    </button>
                  </div>
                )}
              </li>
            ))}
          </ul>
          <p>
            <button type="button" disabled={selected.length !== 2} onClick={() => void compare()}>
              {t('versions.compare')}
            </button>{' '}
            <span className="versions__hint">{t('versions.compareHint')}</span>
          </p>
        </>
      )}

      {opened && (
        <section className={projector ? 'version-view version-view--projector' : 'version-view'} aria-label={t('versions.readOnly', { name: versionName(t, opened.version) })}>
          <div className="version-view__head">
            <h3>{t('versions.readOnly', { name: versionName(t, opened.version) })}</h3>
            <button type="button" aria-pressed={projector} onClick={() => setProjector((p) => !p)}>
              {t('versions.projector')}
            </button>{' '}
            <button
              type="button"
              onClick={() => {
                setOpened(null);
                setProjector(false);
              }}
            >
              {t('versions.closeView')}
            </button>
          </div>
          <VersionBoard view={opened.view} />
        </section>
      )}

      {comparison && <DiffView comparison={comparison} onClose={() => setComparison(null)} />}
    </PanelDialog>
  );
}

/** A board read-only: its lanes and their activities, then those not yet placed. */
function VersionBoard({ view }: { view: BoardView }) {
  const { t } = useTranslation();
  const municipality = (id: string | undefined) => (id ? (view.municipalityById.get(id as never)?.name ?? id) : t('activity.none'));
  const lanes = [...view.lanes.map((l) => ({ key: l.lane.id as string, title: l.lane.title, activities: l.activities })), { key: 'unplaced', title: t('board.unplaced'), activities: view.unplaced }];
  return (
    <div className="version-board">
      <p className="version-board__title">{view.meta.title}</p>
      <div className="version-board__lanes">
        {lanes.map((lane) => (
          <section key={lane.key} className="version-board__lane" aria-label={lane.title}>
            <h4>
              {lane.title} <span className="version-board__count">({t('board.activities', { count: lane.activities.length })})</span>
            </h4>
            <ul>
              {lane.activities.map((a) => (
                <li key={a.id} className="version-board__card">
                  <strong>{a.title}</strong>
                  <span>
                    {t('activity.lead')}: {municipality(a.leadId)} · {t(`status.${a.status}`)}
                  </span>
                </li>
              ))}
            </ul>
          </section>
        ))}
      </div>
    </div>
  );
}

function DiffView({ comparison, onClose }: { comparison: Comparison; onClose: () => void }) {
  const { t } = useTranslation();
  const { diff, beforeView, afterView } = comparison;
  const laneTitle = (id: LaneId | null) =>
    id === null
      ? t('board.unplaced')
      : ([...afterView.lanes, ...afterView.archivedLanes, ...beforeView.lanes, ...beforeView.archivedLanes].find((l) => l.lane.id === id)?.lane.title ?? id);
  const municipality = (id: string) => afterView.municipalityById.get(id as never)?.name ?? beforeView.municipalityById.get(id as never)?.name ?? id;
  const line = (c: ActivityChange): string => {
    switch (c.kind) {
      case 'added':
        return t('versions.diff.added', { title: c.title, lane: laneTitle(c.laneId) });
      case 'removed':
        return t('versions.diff.removed', { title: c.title, lane: laneTitle(c.laneId) });
      case 'moved':
        return t('versions.diff.moved', { title: c.title, from: laneTitle(c.fromLaneId), to: laneTitle(c.toLaneId) });
      case 'edited':
        return t('versions.diff.edited', { title: c.title, fields: c.fields.map((f) => t(FIELD_KEYS[f])).join(', ') });
      case 'partnerJoined':
        return t('versions.diff.partnerJoined', { title: c.title, municipality: municipality(c.municipalityId) });
      case 'partnerLeft':
        return t('versions.diff.partnerLeft', { title: c.title, municipality: municipality(c.municipalityId) });
    }
  };
  return (
    <section className="version-diff" aria-label={t('versions.diff.heading', { before: comparison.before, after: comparison.after })}>
      <div className="version-view__head">
        <h3>{t('versions.diff.heading', { before: comparison.before, after: comparison.after })}</h3>
        <button type="button" onClick={onClose}>
          {t('versions.closeView')}
        </button>
      </div>
      <p>{t('versions.diff.count', { count: diff.count })}</p>
      {diff.title && <p>{t('versions.diff.title', { before: diff.title.before, after: diff.title.after })}</p>}
      {diff.municipalities.map((m) => (
        <section key={m.municipalityId ?? ''} className="version-diff__group">
          <h4>{m.municipalityId === null ? t('versions.diff.unattributed') : m.name}</h4>
          <ul>
            {m.changes.map((c, i) => (
              <li key={`${c.activityId}-${c.kind}-${i}`} className={`version-diff__change version-diff__change--${c.kind}`}>
                {line(c)}
              </li>
            ))}
          </ul>
        </section>
      ))}
    </section>
  );
}
