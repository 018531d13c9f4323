/** Lanes: rename, colour, order, lock, archive and bring back, add. */
import { type FormEvent, useId, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  type BoardView,
  createLane,
  editLane,
  type Lane,
  type LaneFields,
  LIMITS,
  reorderLane,
  setLaneArchived,
  setLaneLocked,
} from '@tabla/plan-model';
import { useSession } from '../ui/context.js';
import { TextField } from '../ui/TextField.js';
import { useFocusAfterChange } from './fields.js';
import { laneMoveIndex } from './lane-order.js';
import type { Announce } from './announce.js';
import { checkColor, checkLaneTitle, COLOR_EXAMPLE, COLOR_FORMAT, unusedColor } from './validation.js';

/** The board's own default for a lane without a colour (Lane.tsx). */
const LANE_DEFAULT_COLOR = '#5b6770';

interface Problems {
  title?: string;
  color?: string;
}

/** Worded problems of a lane's title and colour (empty object: fine). */
function useLaneCheck() {
  const { t } = useTranslation();
  return (title: string, color: string): Problems => {
    const out: Problems = {};
    const titleProblem = checkLaneTitle(title);
    if (titleProblem === 'required') out.title = t('setup.laneTitleRequired');
    else if (titleProblem === 'tooLong') out.title = t('setup.tooLong', { max: LIMITS.title });
    if (checkColor(color)) out.color = t('setup.colorInvalid', { format: COLOR_FORMAT, example: COLOR_EXAMPLE });
    return out;
  };
}

export function LaneSettings({ board, announce }: { board: BoardView; announce: Announce }) {
  const { t } = useTranslation();
  const session = useSession();
  const id = useId();
  const focusAfter = useFocusAfterChange(board);
  const all = useMemo(() => [...board.lanes, ...board.archivedLanes].map((v) => v.lane), [board.lanes, board.archivedLanes]);
  const elementId = (what: string, lane: Lane) => `${id}-${what}-${lane.id}`;

  const move = (lane: Lane, direction: -1 | 1) => {
    const index = laneMoveIndex(all, lane.id, direction);
    if (index === null) return;
    reorderLane(session.doc, lane.id, index);
    announce(direction < 0 ? t('setup.movedUp', { title: lane.title }) : t('setup.movedDown', { title: lane.title }));
    const same = elementId(direction < 0 ? 'up' : 'down', lane);
    const other = elementId(direction < 0 ? 'down' : 'up', lane);
    focusAfter(same, other);
  };
  const archive = (lane: Lane, archived: boolean) => {
    setLaneArchived(session.doc, lane.id, archived);
    announce(archived ? t('setup.laneArchived', { title: lane.title }) : t('setup.laneRestored', { title: lane.title }));
    focusAfter(elementId(archived ? 'restore' : 'archive', lane));
  };
  const lock = (lane: Lane) => {
    setLaneLocked(session.doc, lane.id, !lane.locked);
    announce(lane.locked ? t('setup.laneUnlocked', { title: lane.title }) : t('setup.laneLocked', { title: lane.title }));
  };

  return (
    <section className="setup__section" aria-labelledby={`${id}-h`}>
      <h3 id={`${id}-h`}>{t('setup.lanesSection')}</h3>
      <ol className="setup__list">
        {board.lanes.map(({ lane, activities }, i) => (
          <LaneRow
            key={lane.id}
            lane={lane}
            count={activities.length}
            first={i === 0}
            last={i === board.lanes.length - 1}
            elementId={(what) => elementId(what, lane)}
            onMove={(d) => move(lane, d)}
            onLock={() => lock(lane)}
            onArchive={() => archive(lane, true)}
            announce={announce}
          />
        ))}
      </ol>
      <AddLane board={board} announce={announce} />
      <h4 className="setup__subheading">{t('setup.archivedSection')}</h4>
      <p className="setup__hint">{t('setup.archivedHint')}</p>
      {board.archivedLanes.length === 0 ? (
        <p className="setup__empty">{t('setup.noArchived')}</p>
      ) : (
        <ul className="setup__list">
          {board.archivedLanes.map(({ lane, activities }) => (
            <li key={lane.id} className="setup__item setup__item--archived">
              <span className="swatch" aria-hidden="true" style={{ background: lane.color ?? LANE_DEFAULT_COLOR }} />
              <span className="setup__name">{lane.title}</span>
              <span className="setup__meta">{t('board.activities', { count: activities.length })}</span>
              <button type="button" id={elementId('restore', lane)} onClick={() => archive(lane, false)} aria-label={t('setup.restoreLaneLabel', { title: lane.title })}>
                {t('setup.restoreLane')}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

interface LaneRowProps {
  readonly lane: Lane;
  readonly count: number;
  readonly first: boolean;
  readonly last: boolean;
  readonly elementId: (what: string) => string;
  readonly onMove: (direction: -1 | 1) => void;
  readonly onLock: () => void;
  readonly onArchive: () => void;
  readonly announce: Announce;
}

function LaneRow({ lane, count, first, last, elementId, onMove, onLock, onArchive, announce }: LaneRowProps) {
  const { t } = useTranslation();
  const session = useSession();
  const check = useLaneCheck();
  // Drafts while the facilitator types; null = follow the document.
  const [title, setTitle] = useState<string | null>(null);
  const [color, setColor] = useState<string | null>(null);
  const [problems, setProblems] = useState<Problems>({});
  const shownTitle = title ?? lane.title;
  const shownColor = color ?? lane.color ?? LANE_DEFAULT_COLOR;
  const dirty = (title !== null && title.trim() !== lane.title) || (color !== null && color !== lane.color);

  const save = (e: FormEvent) => {
    e.preventDefault();
    const found = check(shownTitle, shownColor);
    setProblems(found);
    if (found.title || found.color) return;
    const fields: LaneFields = {};
    if (shownTitle.trim() !== lane.title) fields.title = shownTitle.trim();
    if (color !== null && color.trim() !== lane.color) fields.color = color.trim();
    // Title and colour together: one operation, one transaction, one undo step.
    if (Object.keys(fields).length > 0) editLane(session.doc, lane.id, fields);
    setTitle(null);
    setColor(null);
    announce(t('setup.savedName', { name: fields.title ?? lane.title }));
  };

  return (
    <li className={`setup__item${lane.locked ? ' setup__item--locked' : ''}`}>
      <form onSubmit={save} noValidate>
        <fieldset className="setup__fieldset">
          <legend className="visually-hidden">{lane.title}</legend>
          <TextField label={t('setup.laneTitle')} name="laneTitle" value={shownTitle} max={LIMITS.title} error={problems.title} onChange={setTitle} className="setup__field setup__field--grow" />
          <TextField label={t('setup.color')} name="laneColor" type="color" value={shownColor} error={problems.color} onChange={setColor} className="setup__field setup__field--color" />
          <span className="setup__meta">{t('board.activities', { count })}</span>
          <div className="setup__buttons">
            <button type="submit" className={dirty ? 'setup__save setup__save--dirty' : 'setup__save'}>
              {t('setup.save')}
            </button>
            <button type="button" id={elementId('up')} disabled={first} onClick={() => onMove(-1)}>
              <span aria-hidden="true">↑ </span>
              {t('setup.moveUp')}
            </button>
            <button type="button" id={elementId('down')} disabled={last} onClick={() => onMove(1)}>
              <span aria-hidden="true">↓ </span>
              {t('setup.moveDown')}
            </button>
            <button type="button" className={lane.locked ? 'setup__toggle setup__toggle--on' : 'setup__toggle'} onClick={onLock}>
              {lane.locked ? t('setup.unlockLane') : t('setup.lockLane')}
            </button>
            <button type="button" id={elementId('archive')} onClick={onArchive}>
              {t('setup.archiveLane')}
            </button>
          </div>
          {lane.locked && <span className="lock-badge">{t('locks.badge')}</span>}
        </fieldset>
      </form>
    </li>
  );
}

function AddLane({ board, announce }: { board: BoardView; announce: Announce }) {
  const { t } = useTranslation();
  const session = useSession();
  const check = useLaneCheck();
  const id = useId();
  const [title, setTitle] = useState('');
  const suggested = unusedColor([...board.lanes, ...board.archivedLanes].map((l) => l.lane.color));
  const [color, setColor] = useState<string | null>(null);
  const [problems, setProblems] = useState<Problems>({});
  const shownColor = color ?? suggested;

  const add = (e: FormEvent) => {
    e.preventDefault();
    const found = check(title, shownColor);
    setProblems(found);
    if (found.title || found.color) return;
    createLane(session.doc, { title: title.trim(), color: shownColor.trim() });
    announce(t('setup.laneAdded', { title: title.trim() }));
    setTitle('');
    setColor(null);
  };

  return (
    <form className="setup__add" onSubmit={add} noValidate aria-labelledby={`${id}-h`}>
      <h4 id={`${id}-h`} className="setup__subheading">
        {t('setup.newLane')}
      </h4>
      <div className="setup__row">
        <TextField label={t('setup.newLaneTitle')} name="newLaneTitle" value={title} max={LIMITS.title} error={problems.title} onChange={setTitle} className="setup__field setup__field--grow" />
        <TextField label={t('setup.color')} name="newLaneColor" type="color" value={shownColor} error={problems.color} onChange={setColor} className="setup__field setup__field--color" />
        <button type="submit" className="setup__save">
          {t('setup.addLane')}
        </button>
      </div>
    </form>
  );
}
