/**
 * The official plan ("Plan aktivnosti") as a printable page: `planDocument` of the print model
 * (the same content as the server's PDF) rendered as HTML tables, with print CSS in plan.css
 * (A4 landscape, the header row repeated on every page, no row split across pages). The language
 * of the document is chosen here (Bosnian Latin or Serbian Cyrillic), apart from the UI's.
 * A lazy chunk (PlanButtons); while it is open, printing prints the plan alone.
 */
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { createPortal } from 'react-dom';
import { useTranslation } from 'react-i18next';
import { useBoard } from '@tabla/plan-react';
import { type Lang, type PlanCell, type PlanDocument, planDocument } from '@tabla/plan-export/model';
import { useSession } from '../ui/context.js';
import './plan.css';

export type PrintLang = Extract<Lang, 'bs' | 'sr-Cyrl-BA'>;

/** While the view is open, `@media print` hides the rest of the page (plan.css). */
const PRINTING_CLASS = 'plan-printing';

export default function PlanPrintView({ onClose, date }: { onClose: () => void; date?: Date }) {
  const { t, i18n } = useTranslation();
  const session = useSession();
  const board = useBoard(session.doc);
  const [lang, setLang] = useState<PrintLang>(i18n.language === 'sr-Cyrl-BA' ? 'sr-Cyrl-BA' : 'bs');
  const [today] = useState(() => date ?? new Date());
  const doc = useMemo(() => planDocument(board, { lang, date: today }), [board, lang, today]);
  const id = useId();
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    const root = document.documentElement;
    root.classList.add(PRINTING_CLASS);
    heading.current?.focus();
    return () => root.classList.remove(PRINTING_CLASS);
  }, []);

  return createPortal(
    <div
      className="plan-print"
      role="dialog"
      aria-modal="true"
      aria-labelledby={`${id}-title`}
      onKeyDown={(e) => {
        if (e.key === 'Escape') onClose();
      }}
    >
      <div className="plan-print__bar">
        <h2 id={`${id}-title`} ref={heading} tabIndex={-1}>
          {t('planPrint.heading')}
        </h2>
        <fieldset className="plan-print__lang">
          <legend>{t('planPrint.language')}</legend>
          {(['bs', 'sr-Cyrl-BA'] as const).map((l) => (
            <label key={l}>
              <input type="radio" name={`${id}-lang`} value={l} checked={lang === l} onChange={() => setLang(l)} />
              {t(l === 'bs' ? 'planPrint.latin' : 'planPrint.cyrillic')}
            </label>
          ))}
        </fieldset>
        <button type="button" className="plan-print__print" onClick={() => window.print()}>
          {t('planPrint.print')}
        </button>
        <button type="button" className="setup__close" onClick={onClose}>
          {t('planPrint.close')}
        </button>
      </div>
      <PlanDocumentView doc={doc} />
    </div>,
    document.body,
  );
}

/** The document itself, in its own language (the texts of the print model, never the UI's). */
export function PlanDocumentView({ doc }: { doc: PlanDocument }) {
  const t = doc.texts;
  const km = new Intl.NumberFormat(t.locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const cellText = (cell: PlanCell) => (cell === null ? '' : cell.kind === 'text' ? cell.value : cell.kind === 'km' ? km.format(cell.value) : String(cell.value));
  // The lane is each group's heading row, not a column (as in the PDF).
  const shown = doc.columns.map((column, index) => ({ column, index })).filter(({ column }) => column.key !== 'lane');
  const m = doc.matrix;
  const withoutLead = new Set<string>(m.lanesWithoutLead);
  return (
    <article className="plan-doc" lang={doc.lang}>
      <header className="plan-doc__head">
        <h1>{doc.documentTitle}</h1>
        {doc.boardTitle && <p className="plan-doc__board">{doc.boardTitle}</p>}
        <p>
          {t.date}: {doc.date}
          {doc.versionName && (
            <>
              {' · '}
              {t.version}: {doc.versionName}
            </>
          )}
        </p>
        <p>
          {t.municipalities}: {doc.municipalities.join(', ')}
        </p>
      </header>

      <table className="plan-doc__table">
        <thead>
          <tr>
            {shown.map(({ column }) => (
              <th key={column.key} scope="col" className={`plan-doc__col--${column.key}`}>
                {column.header}
              </th>
            ))}
          </tr>
        </thead>
        {doc.groups.map((group) => (
          <tbody key={group.laneId ?? 'unplaced'}>
            <tr className="plan-doc__group">
              <th scope="rowgroup" colSpan={shown.length}>
                {group.title}
              </th>
            </tr>
            {group.rows.map((row, r) => (
              <tr key={group.activityIds[r]}>
                {shown.map(({ column, index }) => (
                  <td key={column.key} className={`plan-doc__col--${column.key}`}>
                    {cellText(row[index] ?? null)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        ))}
      </table>

      {m.lanes.length > 0 && (
        <section className="plan-doc__section">
          <h2>{t.commitments}</h2>
          <p className="plan-doc__note">{t.commitmentsNote}</p>
          <table className="plan-doc__table plan-doc__matrix">
            <thead>
              <tr>
                <th scope="col">{t.municipality}</th>
                {m.lanes.map((l) => (
                  <th key={l.id} scope="col">
                    {l.title}
                    <br />({t.leads} / {t.joins})
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {m.municipalities.map((mun, i) => (
                <tr key={mun.id}>
                  <th scope="row">{mun.name}</th>
                  {m.cells[i]!.map((c, j) =>
                    c.leads + c.joins === 0 ? (
                      <td key={m.lanes[j]!.id} className="plan-doc__gap">
                        {t.gap}
                      </td>
                    ) : (
                      <td key={m.lanes[j]!.id}>
                        {c.leads} / {c.joins}
                      </td>
                    ),
                  )}
                </tr>
              ))}
              <tr>
                <th scope="row">{t.noLead}</th>
                {m.lanes.map((l) => (
                  <td key={l.id} className={withoutLead.has(l.id) ? 'plan-doc__gap' : undefined}>
                    {withoutLead.has(l.id) ? t.gap : ''}
                  </td>
                ))}
              </tr>
            </tbody>
          </table>
        </section>
      )}

      {doc.municipalities.length > 0 && (
        <section className="plan-doc__section plan-doc__signatures">
          <h2>{t.signatures}</h2>
          <ul>
            {doc.municipalities.map((name, i) => (
              <li key={`${i}-${name}`} className="plan-doc__signature">
                <strong>{name}</strong>
                <span>{t.coordinator}: ________________________</span>
                <span>{t.signature}: ________________________</span>
                <span>{t.stamp}:</span>
              </li>
            ))}
          </ul>
        </section>
      )}
    </article>
  );
}
