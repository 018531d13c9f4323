import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  type Activity,
  type ActivityFields,
  addActivity,
  type BoardView,
  deleteActivity,
  editActivityAndPartners,
  LIMITS,
  type MunicipalityId,
  STATUSES,
  type Status,
  undoStepProblems,
} from '@tabla/plan-model';
import { type ContainerId, laneIdOf, POOL } from '../dnd/ids.js';
import { formatTimeframe } from '../i18n/index.js';
import { useSession, useSessionState } from './context.js';
import { useNotify } from './Notices.js';
import { accessOf, permissionsOf } from './permissions.js';
import { ProgressSection } from './ProgressSection.js';
import { MunicipalityOptions, SelectField } from './SelectField.js';
import { TextField } from './TextField.js';
import './notices.css';

export type DialogTarget = { readonly mode: 'add'; readonly containerId: ContainerId } | { readonly mode: 'edit'; readonly activity: Activity };

interface FormState {
  title: string;
  description: string;
  container: ContainerId;
  leadId: string;
  partners: string[];
  timeframe: string;
  status: Status;
  responsible: string;
  budget: string;
  fundingSource: string;
  indicator: string;
  notes: string;
}

const emptyForm = (container: ContainerId): FormState => ({
  title: '',
  description: '',
  container,
  leadId: '',
  partners: [],
  timeframe: '',
  status: 'planned',
  responsible: '',
  budget: '',
  fundingSource: '',
  indicator: '',
  notes: '',
});

const formFrom = (a: Activity, board: BoardView): FormState => ({
  title: a.title,
  description: a.description ?? '',
  container: a.laneId !== null && board.lanes.some((l) => l.lane.id === a.laneId) ? a.laneId : POOL,
  leadId: a.leadId ?? '',
  partners: [...a.partners],
  timeframe: a.timeframe ?? '',
  status: a.status,
  responsible: a.responsible ?? '',
  budget: a.budget === undefined ? '' : String(a.budget),
  fundingSource: a.fundingSource ?? '',
  indicator: a.indicator ?? '',
  notes: a.notes ?? '',
});

/** Quarters offered: last year to four years ahead. */
function quarterOptions(current: string): string[] {
  const year = new Date().getFullYear();
  const out: string[] = [];
  for (let y = year - 1; y <= year + 4; y++) for (let q = 1; q <= 4; q++) out.push(`${y}-Q${q}`);
  if (current && !out.includes(current)) out.unshift(current);
  return out;
}

/** "1.234,50" (bs) or "1234.50": undefined when empty, NaN when not a number. */
function parseAmount(raw: string): number | undefined {
  const s = raw.trim().replace(/\s|KM/g, '');
  if (s === '') return undefined;
  return Number(s.includes(',') ? s.replace(/\./g, '').replace(',', '.') : s);
}

const orUndefined = (s: string) => (s.trim() === '' ? undefined : s.trim());

/**
 * The partner memberships an edit changes: where the form differs from what the dialog opened
 * with, for the municipalities this person may change. Only those are written, so a partner
 * who joined while the dialog was open stays. The lead is not also a partner.
 */
export function partnerChanges(
  form: { partners: readonly string[]; leadId: string },
  opened: { partners: readonly string[] },
  editable: (id: string) => boolean,
): Map<MunicipalityId, boolean> {
  const changes = new Map<MunicipalityId, boolean>();
  for (const id of new Set([...form.partners, ...opened.partners])) {
    const wanted = form.partners.includes(id) && id !== form.leadId;
    if (wanted !== opened.partners.includes(id) && editable(id)) changes.set(id as MunicipalityId, wanted);
  }
  return changes;
}

/** The fields whose value differs from what the dialog opened with (`undefined` = cleared). */
export function changedFields<T extends object>(now: T, opened: T): Partial<T> {
  const changed: Partial<T> = {};
  for (const key of Object.keys(now) as (keyof T)[]) if (now[key] !== opened[key]) changed[key] = now[key];
  return changed;
}

export function ActivityDialog({ target, board, onClose }: { target: DialogTarget; board: BoardView; onClose: () => void }) {
  const { t } = useTranslation();
  const session = useSession();
  const sessionState = useSessionState();
  const own = sessionState.municipalityId ?? null;
  const activityId = target.mode === 'edit' ? target.activity.id : null;
  const creator = target.mode === 'edit' ? target.activity.createdBy : own;
  // What this link may do here is the write policy's answer, the server's own rules. A coordinator's
  // link speaks for one municipality: it names other partners (and another's lead) only on activities
  // that municipality added, and otherwise joins, leaves, takes a free lead or drops its own by itself.
  // Asked of the board as the dialog opened: a lock set meanwhile is said on saving, not by greying the form.
  const [openedBoard] = useState(board);
  const atOpen = permissionsOf(sessionState, openedBoard);
  const namesPartners = atOpen.canManagePartners(activityId);
  const partnerEditable = (id: string) => atOpen.canSetPartner(activityId, id);
  const dialogRef = useRef<HTMLDialogElement>(null);
  const [opened] = useState<FormState>(() => (target.mode === 'add' ? emptyForm(target.containerId) : formFrom(target.activity, board)));
  const [form, setForm] = useState<FormState>(opened);
  const leadEditable = atOpen.canChooseLead(activityId);
  const leadChoices = board.municipalities.filter((m) => atOpen.canChooseLead(activityId, m.id) || m.id === form.leadId);
  // Coordinators cannot add to a locked lane (the server would refuse it): not offered.
  const live = permissionsOf(sessionState, board);
  const [error, setError] = useState<string | null>(null);
  const [confirmingDelete, setConfirmingDelete] = useState(false);
  const deleteRef = useRef<HTMLButtonElement>(null);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const refocusDelete = useRef(false);
  const notify = useNotify();
  const formId = useId();
  const deleted = target.mode === 'edit' && !board.activityById.has(target.activity.id);
  // A lock holds this person here (the plan is agreed): the card opens read-only, for its progress notes.
  const readOnly = target.mode === 'edit' && !atOpen.canEditActivity(target.activity.id);

  useEffect(() => {
    const dialog = dialogRef.current;
    // jsdom has no showModal; every browser the board supports has.
    if (dialog && !dialog.open && typeof dialog.showModal === 'function') dialog.showModal();
  }, []);

  // Others see who is editing which card while this dialog is open.
  const editingId = target.mode === 'edit' ? target.activity.id : null;
  useEffect(() => {
    if (!editingId) return;
    session.setActivity('editing', editingId);
    return () => session.setActivity('editing', null);
  }, [session, editingId]);

  const set = <K extends keyof FormState>(key: K, value: FormState[K]) => setForm((f) => ({ ...f, [key]: value }));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const title = form.title.trim();
    if (!title) return setError(t('activity.titleRequired'));
    const budget = parseAmount(form.budget);
    if (budget !== undefined && (!Number.isFinite(budget) || budget < 0)) return setError(t('activity.budgetInvalid'));
    const fieldsOf = (f: FormState): Omit<ActivityFields, 'partners'> => ({
      title: f.title.trim(),
      description: orUndefined(f.description),
      leadId: (orUndefined(f.leadId) as MunicipalityId | undefined) ?? undefined,
      timeframe: orUndefined(f.timeframe),
      status: f.status,
      responsible: orUndefined(f.responsible),
      budget: parseAmount(f.budget),
      fundingSource: orUndefined(f.fundingSource),
      indicator: orUndefined(f.indicator),
      notes: orUndefined(f.notes),
    });
    const fields = fieldsOf(form);
    // Locked while the dialog was open: the server would refuse the change (and reset this device).
    const allowed = target.mode === 'add' ? live.canAddActivity(laneIdOf(form.container)) : deleted || live.canEditActivity(target.activity.id);
    if (!allowed) return setError(t('activity.lockedMeanwhile'));
    if (target.mode === 'add') {
      const partners = [...partnerChanges(form, opened, partnerEditable)].filter(([, joined]) => joined).map(([id]) => id);
      addActivity(session.doc, { ...fields, title, partners }, { laneId: laneIdOf(form.container) }, own ? { createdBy: own as MunicipalityId } : {});
    } else {
      const current = board.activityById.get(target.activity.id);
      if (deleted || !current) return setError(t('activity.deleted'));
      // Only what this person changed: whatever others changed meanwhile stays theirs.
      const changed = changedFields(fields, fieldsOf(opened));
      if ('leadId' in changed && current.leadId !== target.activity.leadId && current.leadId !== changed.leadId) return setError(t('activity.leadChanged'));
      editActivityAndPartners(session.doc, target.activity.id, changed, partnerChanges(form, opened, partnerEditable));
    }
    onClose();
  };

  const { undoManager } = session;
  /** Deleted here, then "Poništi" on the notice: this very step, undone by the session's undo manager. */
  const undoDeletion = (title: string, step: unknown) => {
    // Steps made since would be undone first (and the header's "Poništi" undoes them one by one).
    if (step === undefined || undoManager.undoStack.at(-1) !== step) return notify({ message: t('notices.undoStale'), tone: 'refusal' });
    // The server's judge, on a scratch copy: a lock set since, or another municipality's activity.
    const access = accessOf(session.getState());
    if (!access || undoStepProblems(session.doc, undoManager, 'undo', access).length > 0) return notify({ message: t('undo.blockedUndo'), tone: 'refusal' });
    undoManager.undo();
    notify({ message: t('notices.restored', { title }) });
  };

  const remove = () => {
    if (target.mode !== 'edit' || deleted) return;
    // Locked while the dialog was open: the server would refuse it (and reset this device).
    if (!live.canDeleteActivity(target.activity.id)) {
      setConfirmingDelete(false);
      return setError(t('activity.lockedMeanwhile'));
    }
    const { title } = target.activity;
    deleteActivity(session.doc, target.activity.id);
    const step = undoManager.undoStack.at(-1);
    onClose();
    // The card (and the button that opened this dialog) is gone: the focus goes to the way back.
    notify({ message: t('notices.deleted', { title }), action: { label: t('notices.undoDelete'), run: () => undoDeletion(title, step) }, focus: true });
  };

  /** Back from the delete question to the dialog's buttons, the focus on "Obriši" again. */
  const cancelDelete = () => {
    setConfirmingDelete(false);
    refocusDelete.current = true;
  };
  useEffect(() => {
    if (confirmingDelete) confirmRef.current?.focus();
    else if (refocusDelete.current) deleteRef.current?.focus();
    refocusDelete.current = false;
  }, [confirmingDelete]);

  return (
    <dialog
      ref={dialogRef}
      className="dialog"
      aria-labelledby={`${formId}-title`}
      onClose={onClose}
      onCancel={(e) => {
        // Escape while asking "delete?" answers no, and the dialog stays.
        if (!confirmingDelete) return onClose();
        e.preventDefault();
        cancelDelete();
      }}
    >
      <form onSubmit={submit} noValidate>
        <h2 id={`${formId}-title`}>{target.mode === 'add' ? t('activity.newTitle') : t('activity.editTitle')}</h2>
        {error && (
          <p role="alert" className="form-error">
            {error}
          </p>
        )}
        {readOnly && <p className="field__hint">{t('progress.lockedHint')}</p>}
        <fieldset className="activity__fields" disabled={readOnly}>
        <TextField name="title" label={t('activity.title')} value={form.title} max={LIMITS.title} required autoFocus onChange={(v) => set('title', v)} />
        <TextField name="description" label={t('activity.description')} value={form.description} max={LIMITS.longText} rows={3} onChange={(v) => set('description', v)} />
        <div className="field-row">
          <SelectField label={t('activity.lane')} name="lane" value={form.container} onChange={(v) => set('container', v as ContainerId)} disabled={target.mode === 'edit'}>
            {board.lanes.filter(({ lane }) => live.canAddActivity(lane.id) || lane.id === form.container).map(({ lane }) => (
              <option key={lane.id} value={lane.id}>
                {lane.title}
              </option>
            ))}
            <option value={POOL}>{t('board.unplaced')}</option>
          </SelectField>
          <SelectField label={t('activity.status')} name="status" value={form.status} onChange={(v) => set('status', v as Status)}>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`status.${s}`)}
              </option>
            ))}
          </SelectField>
          <SelectField label={t('timeframe.label')} name="timeframe" value={form.timeframe} onChange={(v) => set('timeframe', v)}>
            <option value="">{t('timeframe.none')}</option>
            {quarterOptions(form.timeframe).map((q) => (
              <option key={q} value={q}>
                {formatTimeframe(t, q)}
              </option>
            ))}
          </SelectField>
        </div>
        <SelectField label={t('activity.lead')} name="lead" value={form.leadId} onChange={(v) => set('leadId', v)} disabled={!leadEditable}>
          <MunicipalityOptions municipalities={leadChoices} none={t('activity.none')} />
        </SelectField>
        <fieldset className="field partners">
          <legend>{t('activity.partners')}</legend>
          {!namesPartners && <p className="field__hint">{own ? t('activity.partnersByCreator') : t('activity.partnersByCreatorOnly')}</p>}
          {board.municipalities
            .filter((m) => m.id !== form.leadId)
            .map((m) => (
              <label key={m.id} className="check">
                <input
                  type="checkbox"
                  disabled={!partnerEditable(m.id)}
                  checked={form.partners.includes(m.id)}
                  onChange={(e) => set('partners', e.target.checked ? [...form.partners, m.id] : form.partners.filter((p) => p !== m.id))}
                />
                <span className="swatch" aria-hidden="true" style={{ background: m.color }} /> {m.name}
              </label>
            ))}
        </fieldset>
        <div className="field-row">
          <TextField name="responsible" label={t('activity.responsible')} value={form.responsible} max={LIMITS.shortText} placeholder={t('activity.responsibleHint')} onChange={(v) => set('responsible', v)} />
          <label className="field">
            <span>{t('activity.budget')}</span>
            <input name="budget" inputMode="decimal" value={form.budget} onChange={(e) => set('budget', e.target.value)} />
          </label>
        </div>
        <div className="field-row">
          <TextField name="fundingSource" label={t('activity.fundingSource')} value={form.fundingSource} max={LIMITS.shortText} onChange={(v) => set('fundingSource', v)} />
          <TextField name="indicator" label={t('activity.indicator')} value={form.indicator} max={LIMITS.shortText} onChange={(v) => set('indicator', v)} />
        </div>
        {creator && (
          <p className="activity__created-by">
            {t('activity.createdBy')}: {board.municipalityById.get(creator as MunicipalityId)?.name ?? creator}
          </p>
        )}
        <TextField name="notes" label={t('activity.notes')} value={form.notes} max={LIMITS.longText} rows={2} onChange={(v) => set('notes', v)} />
        </fieldset>
        {confirmingDelete && target.mode === 'edit' ? (
          // The board's own question, in the dialog (not the browser's confirm box).
          <div
            className="dialog__confirm"
            role="group"
            aria-labelledby={`${formId}-delete`}
            aria-describedby={`${formId}-delete-hint`}
            onKeyDown={(e) => {
              if (e.key !== 'Escape') return;
              e.preventDefault(); // not the dialog's own cancel: only the question is answered
              e.stopPropagation();
              cancelDelete();
            }}
          >
            <p id={`${formId}-delete`} className="dialog__confirm-question">
              {t('activity.confirmDelete', { title: target.activity.title })}
            </p>
            <p id={`${formId}-delete-hint`} className="dialog__confirm-hint">
              {t('activity.confirmDeleteHint')}
            </p>
            <div className="dialog__actions">
              <button ref={confirmRef} type="button" className="danger" onClick={remove}>
                {t('activity.confirmDeleteYes')}
              </button>
              <button type="button" onClick={cancelDelete}>
                {t('activity.cancel')}
              </button>
            </div>
          </div>
        ) : (
          <div className="dialog__actions">
            {target.mode === 'edit' && !readOnly && (
              <button ref={deleteRef} type="button" className="danger" onClick={() => setConfirmingDelete(true)} disabled={deleted}>
                {t('activity.delete')}
              </button>
            )}
            <span className="spacer" />
            <button type="button" onClick={onClose}>
              {t('activity.cancel')}
            </button>
            {!readOnly && (
              <button type="submit" className="primary">
                {t('activity.save')}
              </button>
            )}
          </div>
        )}
      </form>
      {target.mode === 'edit' && <ProgressSection activity={target.activity} board={board} />}
    </dialog>
  );
}
