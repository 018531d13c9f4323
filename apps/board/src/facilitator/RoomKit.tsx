/**
 * "Materijal za salu" in the facilitator's set-up: every municipality's link (and the read-only
 * link for the projector) issued in one action, re-issuing only the ones ticked, with the warning
 * only when a working link would be replaced; the sheet of cards to print (a lazy chunk, with the
 * QR encoder); and which link the projector's QR code carries. Decisions: room-kit.ts.
 */
import { type ComponentType, lazy, type LazyExoticComponent, Suspense, useCallback, useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { setWallLink, type WallLink } from '@tabla/plan-model';
import { useBoard } from '@tabla/plan-react';
import { useSession } from '../ui/context.js';
import { checkLink, type LinkFailure, type LinkList, listLinks, rotateLink } from './links-api.js';
import {
  isChosen,
  issuePlan,
  type KitChoice,
  type KitKey,
  type KitRow,
  kitRows,
  kitTarget,
  type KnownLinks,
  loadKnownLinks,
  recordLinkChanges,
  subscribeLinkChanges,
  updateKnownLinks,
} from './room-kit.js';
import { LoadBoundary } from '../ui/LoadBoundary.js';
import './room-kit.css';

type SheetProps = { readonly known: KnownLinks; readonly onClose: () => void };
const loadSheet = () => import('./RoomKitSheet.js');

type Outcome =
  | { readonly kind: 'issued'; readonly count: number }
  | { readonly kind: 'error'; readonly reason: LinkFailure; readonly status?: number | undefined; readonly count: number };

export function RoomKit() {
  const { t } = useTranslation();
  const session = useSession();
  const board = useBoard(session.doc);
  const id = useId();
  const boardId = session.link.boardId;
  const auth = { boardId, token: session.link.token };

  // What the server says works, and what this device knows of it (checked against the server).
  const [server, setServer] = useState<LinkList | null>(null);
  const [known, setKnown] = useState<KnownLinks>(() => new Map());
  const [listFailed, setListFailed] = useState<LinkFailure | null>(null);
  const [version, setVersion] = useState(0);
  const [choice, setChoice] = useState<KitChoice>(() => new Map());
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [sheetOpen, setSheetOpen] = useState(false);
  const [{ attempt, Sheet }, setLoader] = useState<{ attempt: number; Sheet: LazyExoticComponent<ComponentType<SheetProps>> }>(() => ({ attempt: 0, Sheet: lazy(loadSheet) }));
  const section = useRef<HTMLElement>(null);
  const printButton = useRef<HTMLButtonElement>(null);
  const issueButton = useRef<HTMLButtonElement>(null);
  /** The set-up dialog, put aside while the sheet is open (a modal dialog would cover the sheet, and print over it). */
  const setupDialog = useRef<HTMLDialogElement | null>(null);

  useEffect(() => subscribeLinkChanges(() => setVersion((v) => v + 1)), []);

  useEffect(() => {
    let cancelled = false;
    void (async () => {
      const [list, checked] = await Promise.all([listLinks({ boardId, token: session.link.token }), verifiedKnownLinks(boardId)]);
      if (cancelled) return;
      setKnown(checked);
      if (list.ok) {
        setServer(list.value);
        setListFailed(null);
      } else {
        setListFailed(list.reason);
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [boardId, session.link.token, version]);

  const rows = kitRows(board.municipalities, server, known);
  const plan = issuePlan(rows, choice);
  const nameOf = (row: KitRow) => (row.municipality ? row.municipality.name : t(row.key === 'viewer' ? 'roomKit.rowViewer' : 'roomKit.rowEditor'));
  const knownCards = rows.some((r) => r.status === 'known');

  const issue = async () => {
    setAsking(false);
    setBusy(true);
    setOutcome(null);
    const issued = new Map<KitKey, string | null>();
    let failure: Outcome | null = null;
    // One at a time: a refused token or a lost connection stops the rest, nothing half-said.
    for (const row of plan.issue) {
      const result = await rotateLink(auth, kitTarget(row.key));
      if (!result.ok) {
        failure = { kind: 'error', reason: result.reason, status: result.status, count: issued.size };
        break;
      }
      issued.set(row.key, result.value);
    }
    if (issued.size > 0) {
      // What the server now has, before it is asked again: no row reads "no link" for a moment (and no second click issues it twice).
      setServer((list) => (list === null ? list : withIssued(list, issued.keys())));
      setKnown(recordLinkChanges(session.doc, boardId, issued));
    }
    setChoice(new Map());
    setOutcome(failure ?? { kind: 'issued', count: issued.size });
    setBusy(false);
    requestAnimationFrame(() => (issued.size > 0 ? printButton.current : issueButton.current)?.focus());
  };

  const start = () => {
    if (plan.replaces.length > 0) setAsking(true);
    else void issue();
  };

  const openSheet = () => {
    const dialog = section.current?.closest('dialog') ?? null;
    if (dialog?.open) dialog.close();
    setupDialog.current = dialog;
    setSheetOpen(true);
  };
  const closeSheet = useCallback(() => {
    setSheetOpen(false);
    const dialog = setupDialog.current;
    setupDialog.current = null;
    if (dialog && !dialog.open && typeof dialog.showModal === 'function') dialog.showModal();
    requestAnimationFrame(() => printButton.current?.focus());
  }, []);

  return (
    <section ref={section} className="setup__section room-kit" aria-labelledby={`${id}-h`}>
      <h3 id={`${id}-h`}>{t('roomKit.heading')}</h3>
      <p className="setup__hint">{t('roomKit.intro')}</p>
      <table className="room-kit__table">
        <caption className="visually-hidden">{t('roomKit.tableCaption')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('roomKit.colLink')}</th>
            <th scope="col">{t('roomKit.colStatus')}</th>
            <th scope="col">{t('roomKit.colIssue')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => {
            const name = nameOf(row);
            const exists = row.status === 'known' || row.status === 'unknown';
            return (
              <tr key={row.key} className={`room-kit__row room-kit__row--${row.status}`}>
                <th scope="row" className="room-kit__name">
                  {row.municipality && <span className="swatch" aria-hidden="true" style={{ background: row.municipality.color }} />}
                  {name}
                </th>
                <td className="room-kit__status">{t(`roomKit.status.${row.status}`)}</td>
                <td>
                  <label className="room-kit__tick">
                    <input
                      type="checkbox"
                      aria-label={`${exists ? t('roomKit.reissue') : t('roomKit.issueOne')}: ${name}`}
                      checked={isChosen(row, choice)}
                      disabled={busy || row.status === 'checking'}
                      onChange={(e) => {
                        const checked = e.currentTarget.checked;
                        setChoice((c) => new Map(c).set(row.key, checked));
                        setAsking(false);
                      }}
                    />
                    {exists ? t('roomKit.reissue') : t('roomKit.issueOne')}
                  </label>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <p className="setup__hint">{t('roomKit.editorHint')}</p>
      {listFailed && (
        <p className="form-error" role="alert">
          {failureText(t, listFailed)}
        </p>
      )}
      <div className="setup__buttons">
        <button ref={issueButton} type="button" className="room-kit__issue" disabled={busy || server === null || plan.issue.length === 0} aria-expanded={asking} onClick={start}>
          {plan.issue.length === 0 ? t('roomKit.issueNone') : t('roomKit.issue', { count: plan.issue.length })}
        </button>
        <button ref={printButton} type="button" className="room-kit__print" disabled={!knownCards} aria-haspopup="dialog" onClick={openSheet}>
          {t('roomKit.print')}
        </button>
      </div>
      {server !== null && plan.issue.length === 0 && !busy && <p className="setup__hint">{t('roomKit.nothingToIssue')}</p>}
      {asking && (
        <div className="setup__confirm" role="group" aria-labelledby={`${id}-warning`}>
          <p id={`${id}-warning`} className="setup__warning">
            {t('roomKit.warning', { names: plan.replaces.map(nameOf).join(', ') })}
          </p>
          <div className="setup__buttons">
            <button type="button" className="danger" autoFocus onClick={() => void issue()}>
              {t('roomKit.confirm', { count: plan.issue.length })}
            </button>
            <button
              type="button"
              onClick={() => {
                setAsking(false);
                issueButton.current?.focus();
              }}
            >
              {t('setup.cancel')}
            </button>
          </div>
        </div>
      )}
      <p className="setup__hint" role="status">
        {busy ? t('setup.working') : outcome?.kind === 'issued' ? t('roomKit.issued', { count: outcome.count }) : ''}
      </p>
      {outcome?.kind === 'error' && (
        <p className="form-error" role="alert">
          {failureText(t, outcome.reason, outcome.status)} {outcome.count > 0 && t('roomKit.issuedBefore', { count: outcome.count })}
        </p>
      )}
      <WallLinkChoice known={known} />
      {sheetOpen && (
        <LoadBoundary
          key={attempt}
          message={t('roomKit.loadFailed')}
          retryLabel={t('setup.retry')}
          closeLabel={t('setup.close')}
          onRetry={() => setLoader((l) => ({ attempt: l.attempt + 1, Sheet: lazy(loadSheet) }))}
          onClose={closeSheet}
        >
          <Suspense
            fallback={
              <span className="setup-loading" role="status">
                {t('roomKit.loading')}
              </span>
            }
          >
            <Sheet known={known} onClose={closeSheet} />
          </Suspense>
        </LoadBoundary>
      )}
    </section>
  );
}

/** Which link the projector's QR code opens: read-only (recommended), the general coordinator link (warned), or none. */
function WallLinkChoice({ known }: { known: KnownLinks }) {
  const { t } = useTranslation();
  const session = useSession();
  const { wallLink } = useBoard(session.doc).facilitation;
  const id = useId();
  const current = wallLink?.role ?? 'none';
  const choose = (role: 'viewer' | 'editor' | 'none') => {
    if (role === 'none') return setWallLink(session.doc, null);
    const url = known.get(role) ?? (wallLink?.role === role ? wallLink.url : undefined);
    if (url !== undefined) setWallLink(session.doc, { role, url } satisfies WallLink);
  };
  const option = (role: 'viewer' | 'editor' | 'none', label: string) => {
    const available = role === 'none' || known.has(role) || current === role;
    return (
      <label className={`room-kit__wall-option${available ? '' : ' room-kit__wall-option--unavailable'}`}>
        <input type="radio" name={`${id}-wall`} value={role} checked={current === role} disabled={!available} onChange={() => choose(role)} />
        <span>
          {label}
          {!available && <small className="room-kit__wall-hint">{t('roomKit.wallIssueFirst')}</small>}
        </span>
      </label>
    );
  };
  return (
    <fieldset className="setup__fieldset room-kit__wall">
      <legend className="setup__legend">{t('roomKit.wallLegend')}</legend>
      {option('viewer', t('roomKit.wallViewer'))}
      {option('editor', t('roomKit.wallEditor'))}
      {option('none', t('roomKit.wallNone'))}
      {current === 'editor' && (
        <p className="setup__warning room-kit__wall-warning" role="note">
          {t('roomKit.wallEditorWarning')}
        </p>
      )}
    </fieldset>
  );
}

function withIssued(list: LinkList, keys: Iterable<KitKey>): LinkList {
  const roles = { ...list.roles };
  const municipalities = new Map(list.municipalities);
  for (const key of keys) {
    const target = kitTarget(key);
    if (typeof target === 'string') roles[target] = true;
    else municipalities.set(target.municipalityId, Date.now());
  }
  return { roles, municipalities };
}

function failureText(t: (key: string, o?: Record<string, unknown>) => string, reason: LinkFailure, status?: number): string {
  return reason === 'unauthorized' ? t('setup.linkUnauthorized') : reason === 'offline' ? t('setup.linkOffline') : t('setup.linkFailed', { status: status ?? '—' });
}

/**
 * The links this device remembers, each asked of the server (`/access`): one re-issued or revoked
 * since (elsewhere too), or no longer what it was issued for, is forgotten. Without an answer,
 * kept as they are (the sheet can still be printed in a room without internet).
 */
async function verifiedKnownLinks(boardId: string): Promise<KnownLinks> {
  const known = loadKnownLinks(boardId);
  const stale = new Map<KitKey, null>();
  await Promise.all(
    [...known].map(async ([key, url]) => {
      const result = await checkLink(boardId, url);
      if (!result.ok) {
        if (result.reason === 'unauthorized') stale.set(key, null);
        return;
      }
      const target = kitTarget(key);
      const expected = typeof target === 'string' ? { role: target, municipalityId: null } : { role: 'editor', municipalityId: target.municipalityId };
      if (result.value.role !== expected.role || result.value.municipalityId !== expected.municipalityId) stale.set(key, null);
    }),
  );
  return stale.size > 0 ? updateKnownLinks(boardId, stale) : known;
}
