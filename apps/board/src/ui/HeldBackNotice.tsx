import { useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { copyText } from '../facilitator/links-api.js';
import { formatTimeframe } from '../i18n/index.js';
import {
  type ActivityField,
  type FieldChange,
  type HeldBackActivity,
  heldBackJson,
  type HeldBackWork,
  isEmptySummary,
  refusalKind,
} from '../session/held-back.js';
import { formatKM } from './format.js';

type T = (key: string, options?: Record<string, unknown>) => string;

/** Each field under the label the activity dialog gives it. */
const FIELD_LABEL: Record<Exclude<ActivityField, 'position'>, string> = {
  title: 'activity.title',
  lane: 'activity.lane',
  description: 'activity.description',
  lead: 'activity.lead',
  partners: 'activity.partners',
  timeframe: 'timeframe.label',
  status: 'activity.status',
  responsible: 'activity.responsible',
  budget: 'activity.budget',
  fundingSource: 'activity.fundingSource',
  indicator: 'activity.indicator',
  notes: 'activity.notes',
};

/** "Tabla nije prihvatila vašu promjenu: oblast „…" je zaključana." */
export function refusalSentence(t: T, work: HeldBackWork): string {
  const kind = refusalKind(work.code, work.reason);
  const lane = work.summary?.lockedLane ?? null;
  const reason =
    kind === 'lockedLane' ? (lane !== null ? t('heldBack.reason.lockedLane', { lane }) : t('heldBack.reason.lockedLaneUnnamed')) : t(`heldBack.reason.${kind}`);
  return t('heldBack.title', { reason });
}

function valueText(t: T, language: string, field: ActivityField, value: string | null): string {
  if (field === 'lane') return value ?? t('board.unplaced');
  if (value === null) return t('activity.none');
  if (field === 'status') return t(`status.${value}`);
  if (field === 'timeframe') return formatTimeframe(t, value);
  if (field === 'budget') return formatKM(Number(value), language);
  return value;
}

function fieldLine(t: T, language: string, change: FieldChange, added: boolean): string {
  if (change.field === 'position') return t('heldBack.positionChanged');
  const field = t(FIELD_LABEL[change.field]);
  if (added) return t('heldBack.fieldAdded', { field, value: valueText(t, language, change.field, change.after) });
  return t('heldBack.field', {
    field,
    before: valueText(t, language, change.field, change.before),
    after: valueText(t, language, change.field, change.after),
  });
}

function activityLine(t: T, a: HeldBackActivity): string {
  return t(`heldBack.${a.change}`, { title: a.title, lane: a.lane ?? t('board.unplaced') });
}

/** The plain-text rendition that "copy" puts on the clipboard: what to enter again, by hand. */
export function heldBackText(t: T, language: string, work: HeldBackWork): string {
  const lines = [refusalSentence(t, work)];
  const { summary } = work;
  if (summary === null) return [...lines, t('heldBack.comparing')].join('\n');
  for (const a of summary.activities) {
    lines.push('', activityLine(t, a));
    for (const f of a.fields) lines.push(`  ${fieldLine(t, language, f, a.change === 'added')}`);
  }
  if (summary.other.length > 0) lines.push('', otherLine(t, summary.other));
  if (isEmptySummary(summary)) lines.push(t('heldBack.nothing'));
  return lines.join('\n');
}

const otherLine = (t: T, parts: readonly string[]) => t('heldBack.other', { parts: parts.map((p) => t(`heldBack.parts.${p}`)).join(', ') });

/**
 * Work the server refused, kept aside on this device: what was not accepted and why, in the
 * person's language, with a way to copy it out (text, or a file) and to dismiss it. Shown
 * below the header until dismissed, across reloads.
 */
export function HeldBackNotice({ works, boardId, onDismiss }: { works: readonly HeldBackWork[]; boardId: string; onDismiss: (id: string) => void }) {
  if (works.length === 0) return null;
  return (
    <div className="held-back-list">
      {works.map((work) => (
        <HeldBackEntry key={work.id} work={work} boardId={boardId} onDismiss={() => onDismiss(work.id)} />
      ))}
    </div>
  );
}

function HeldBackEntry({ work, boardId, onDismiss }: { work: HeldBackWork; boardId: string; onDismiss: () => void }) {
  const { t, i18n } = useTranslation();
  const id = useId();
  const textRef = useRef<HTMLTextAreaElement>(null);
  const [copied, setCopied] = useState<boolean | null>(null);
  const text = heldBackText(t, i18n.language, work);
  const { summary } = work;

  const copy = async () => setCopied(await copyText(text, textRef.current));
  const download = () => {
    const url = URL.createObjectURL(new Blob([heldBackJson(boardId, work)], { type: 'application/json' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `tabla-${boardId}-${new Date(work.at).toISOString().slice(0, 19).replace(/:/g, '-')}.json`;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };

  return (
    <section className="held-back banner banner--error" aria-labelledby={`${id}-title`} data-testid="held-back">
      <h2 id={`${id}-title`} className="held-back__title" role="alert">
        {refusalSentence(t, work)}
      </h2>
      <p className="held-back__kept">{t('heldBack.kept')}</p>
      {summary === null ? (
        <p>{t('heldBack.comparing')}</p>
      ) : (
        <>
          {summary.activities.length > 0 && (
            <ul className="held-back__activities">
              {summary.activities.map((a) => (
                <li key={`${a.change}-${a.id}`}>
                  {activityLine(t, a)}
                  {a.fields.length > 0 && (
                    <ul>
                      {a.fields.map((f) => (
                        <li key={f.field}>{fieldLine(t, i18n.language, f, a.change === 'added')}</li>
                      ))}
                    </ul>
                  )}
                </li>
              ))}
            </ul>
          )}
          {summary.other.length > 0 && <p>{otherLine(t, summary.other)}</p>}
          {isEmptySummary(summary) && <p>{t('heldBack.nothing')}</p>}
        </>
      )}
      <div className="dialog__actions">
        <button type="button" className="primary" onClick={() => void copy()}>
          {t('heldBack.copy')}
        </button>
        <button type="button" onClick={download}>
          {t('heldBack.download')}
        </button>
        <button type="button" onClick={onDismiss}>
          {t('heldBack.dismiss')}
        </button>
        {copied !== null && (
          <span role="status" className="held-back__copied">
            {copied ? t('heldBack.copied') : t('heldBack.copyFailed')}
          </span>
        )}
      </div>
      {/* Where the clipboard is out of reach (plain http), the text to select by hand. */}
      <label className={copied === false ? 'held-back__text' : 'visually-hidden'} aria-hidden={copied !== false}>
        <span className="visually-hidden">{t('heldBack.textLabel')}</span>
        <textarea ref={textRef} readOnly value={text} rows={Math.min(12, text.split('\n').length + 1)} tabIndex={copied === false ? 0 : -1} />
      </label>
    </section>
  );
}
