/**
 * The official plan ("Plan aktivnosti") as a printable page: `planDocument` of the print model
 * (the same content as the server's PDF) rendered as HTML tables, with print CSS in plan.css
 * (A4 landscape, the header row repeated on every page, no row split across pages). The language
 * of the document is chosen here (Bosnian Latin or Serbian Cyrillic), apart from the UI's.
 * Page numbers ("strana X od Y") are the page's own margin boxes; the QR code carries the board's
 * read-only link when there is one (plan-links.ts). A lazy chunk (PlanMenu); while it is open,
 * printing prints the plan alone.
 */
import QRCode from 'qrcode';
import { useEffect, useId, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useBoard } from '@tabla/plan-react';
import { type Lang, type PlanCell, type PlanDocument, planDocument } from '@tabla/plan-export/model';
import { useSession, useSessionState } from '../ui/context.js';
import { PrintDialog, PrintDialogTitle } from '../ui/PrintDialog.js';
import { readOnlyBoardLink } from './plan-links.js';
import './plan.css';

export type PrintLang = Extract<Lang, 'bs' | 'sr-Cyrl-BA'>;

/** While the view is open, `@media print` hides the rest of the page (plan.css). */
const PRINTING_CLASS = 'plan-printing';

export default function PlanPrintView({ onClose, date }: { onClose: () => void; date?: Date }) {
  const { t, i18n } = useTranslation();
  const session = useSession();
  const { role } = useSessionState();
  const board = useBoard(session.doc);
  const link = readOnlyBoardLink(session.link, role, board.facilitation.wallLink);
  const [lang, setLang] = useState<PrintLang>(i18n.language === 'sr-Cyrl-BA' ? 'sr-Cyrl-BA' : 'bs');
  const [today] = useState(() => date ?? new Date());
  const doc = useMemo(() => planDocument(board, { lang, date: today }), [board, lang, today]);
  const id = useId();

  return (
    <PrintDialog
      className="plan-print"
      printingClass={PRINTING_CLASS}
      printLabel={t('planPrint.print')}
      closeLabel={t('planPrint.close')}
      onClose={onClose}
      bar={
        <>
          <PrintDialogTitle>{t('planPrint.heading')}</PrintDialogTitle>
          <fieldset className="plan-print__lang">
            <legend>{t('planPrint.language')}</legend>
            {(['bs', 'sr-Cyrl-BA'] as const).map((l) => (
              <label key={l}>
                <input type="radio" name={`${id}-lang`} value={l} checked={lang === l} onChange={() => setLang(l)} />
                {t(l === 'bs' ? 'planPrint.latin' : 'planPrint.cyrillic')}
              </label>
            ))}
          </fieldset>
        </>
      }
    >
      <PageNumbers doc={doc} />
      <PlanDocumentView doc={doc} link={link} />
    </PrintDialog>
  );
}

/**
 * "strana X od Y" at the foot of every printed page, in the document's language: CSS margin boxes
 * with the page counters (the text is a CSS string, so it is written with its quotes escaped).
 */
function PageNumbers({ doc }: { doc: PlanDocument }) {
  const [before, between, after] = doc.texts.page(1, 2).split(/[12]/) as [string, string, string];
  const css = (text: string) => JSON.stringify(text).replace(/</g, '\\3c ');
  return <style>{`@page { @bottom-right { content: ${css(before)} counter(page) ${css(between)} counter(pages) ${css(after ?? '')}; font: 8pt sans-serif; } }`}</style>;
}

/** The read-only link as a QR code (an SVG image, as the CSP allows data: images), with its caption. */
function LinkCode({ link, caption }: { link: string; caption: string }) {
  const [svg, setSvg] = useState<{ link: string; src: string } | null>(null);
  useEffect(() => {
    let live = true;
    QRCode.toString(link, { type: 'svg', margin: 0, errorCorrectionLevel: 'M' })
      .then((text) => {
        if (live) setSvg({ link, src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(text)}` });
      })
      .catch(() => undefined); // no code: the document stands without it
    return () => {
      live = false;
    };
  }, [link]);
  if (svg?.link !== link) return null;
  return (
    <figure className="plan-doc__qr">
      <img src={svg.src} alt={`${caption}: ${link}`} width={96} height={96} />
      <figcaption>{caption}</figcaption>
    </figure>
  );
}

/** The document itself, in its own language (the texts of the print model, never the UI's). */
export function PlanDocumentView({ doc, link = null }: { doc: PlanDocument; link?: string | null }) {
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
        {link && <LinkCode link={link} caption={t.liveBoard} />}
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
