/**
 * The room kit's sheet: cards to cut and hand out, one per municipality (its colour, code, name,
 * QR code and the address to type), and one each for the projector, the general coordinator link
 * and the read-only link. A4 portrait, six cards a page, never a card split across pages
 * (room-kit.css). A lazy chunk with the QR encoder; while it is open, printing prints the cards alone.
 */
import QRCode from 'qrcode';
import { type CSSProperties, Fragment, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useBoard } from '@tabla/plan-react';
import { municipalityCodes } from '../facilitation/codes.js';
import { useSession } from '../ui/context.js';
import { PrintDialog, PrintDialogTitle } from '../ui/PrintDialog.js';
import { type KitCard, kitSheet, type KnownLinks, pages, printedAddress } from './room-kit.js';
import './room-kit.css';

/** While the sheet is open, `@media print` hides the rest of the page (room-kit.css). */
const PRINTING_CLASS = 'room-kit-printing';

export default function RoomKitSheet({ known, onClose }: { known: KnownLinks; onClose: () => void }) {
  const { t } = useTranslation();
  const session = useSession();
  const board = useBoard(session.doc);
  const sheet = useMemo(() => kitSheet(board.municipalities, known), [board.municipalities, known]);
  const codes = useMemo(() => municipalityCodes(board.municipalities), [board.municipalities]);
  const qr = useQrCodes(sheet.cards.map((c) => c.url));
  const sheetPages = pages(sheet.cards);
  const title = board.meta.title || t('app.name');

  return (
    <PrintDialog
      className="room-kit-print"
      printingClass={PRINTING_CLASS}
      printLabel={t('roomKit.sheet.print')}
      closeLabel={t('setup.close')}
      onClose={onClose}
      bar={
        <div className="room-kit-print__about">
          <PrintDialogTitle>{t('roomKit.sheet.heading')}</PrintDialogTitle>
          <p>
            {t('roomKit.sheet.count', { count: sheet.cards.length })} · {t('roomKit.sheet.howTo')}
          </p>
          {sheet.missing.length > 0 && <p className="room-kit-print__missing">{t('roomKit.sheet.missing', { names: sheet.missing.map((m) => m.name).join(', ') })}</p>}
          {sheet.missingViewer && <p className="room-kit-print__missing">{t('roomKit.sheet.missingViewer')}</p>}
        </div>
      }
    >
      <div className="room-kit-sheet">
        {sheetPages.map((cards, p) => (
          <section key={p} className="room-kit-page" aria-label={t('roomKit.sheet.page', { page: p + 1, pages: sheetPages.length })}>
            <header className="room-kit-page__head">
              <span>
                <strong>{title}</strong> · {t('roomKit.sheet.heading')}
              </span>
              <span>{t('roomKit.sheet.page', { page: p + 1, pages: sheetPages.length })}</span>
            </header>
            <ul className="room-kit-page__cards">
              {cards.map((card) => (
                <li key={`${card.kind}:${card.municipality?.id ?? ''}`} className={`kit-card kit-card--${card.kind}`}>
                  <Card card={card} code={card.municipality ? (codes.get(card.municipality.id) ?? '') : null} qr={qr.get(card.url) ?? null} />
                </li>
              ))}
            </ul>
          </section>
        ))}
      </div>
    </PrintDialog>
  );
}

function Card({ card, code, qr }: { card: KitCard; code: string | null; qr: string | null }) {
  const { t } = useTranslation();
  const m = card.municipality;
  const name = m ? m.name : t(`roomKit.card.${card.kind}Title`);
  const address = printedAddress(card.url);
  return (
    <article className="kit-card__inner" aria-label={name}>
      <div className="kit-card__band" style={m ? ({ background: m.color } as CSSProperties) : undefined}>
        <span className="kit-card__code">{code ?? t(`roomKit.card.${card.kind}Code`)}</span>
      </div>
      <div className="kit-card__body">
        {qr ? <img className="kit-card__qr" src={qr} alt={t('roomKit.card.qrAlt', { name })} width={128} height={128} /> : <span className="kit-card__qr" />}
        <div className="kit-card__words">
          <h3 className="kit-card__name">{name}</h3>
          <p className="kit-card__kind">{t(`roomKit.card.${card.kind}Kind`)}</p>
          <p className="kit-card__scan">{t('roomKit.card.scan')}</p>
        </div>
      </div>
      {/* Breaks only between the parts, never inside a group of four; alternate groups shaded, nothing between them to type. */}
      <p className="kit-card__address" translate="no">
        <span>{address.host}</span>
        <wbr />
        <span>{address.path}</span>
        <wbr />
        <span>{address.query}</span>
        {address.groups.map((g, i) => (
          <Fragment key={i}>
            <wbr />
            <span className={i % 2 === 1 ? 'kit-card__group kit-card__group--alt' : 'kit-card__group'}>{g}</span>
          </Fragment>
        ))}
      </p>
      <p className="kit-card__note">{t(`roomKit.card.${card.kind}Note`)}</p>
    </article>
  );
}

/** QR codes (SVG data: URLs, as the CSP allows) of these texts, drawn once each. */
function useQrCodes(texts: readonly string[]): ReadonlyMap<string, string> {
  const [codes, setCodes] = useState<ReadonlyMap<string, string>>(() => new Map());
  const key = texts.join('\n');
  useEffect(() => {
    let live = true;
    const wanted = key === '' ? [] : [...new Set(key.split('\n'))];
    void Promise.all(
      wanted.map(async (text) => {
        try {
          const svg = await QRCode.toString(text, { type: 'svg', margin: 0, errorCorrectionLevel: 'M', color: { dark: '#000000', light: '#ffffff' } });
          return [text, `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`] as const;
        } catch {
          return null; // no code: the address is still printed in full
        }
      }),
    ).then((drawn) => {
      if (live) setCodes(new Map(drawn.filter((d) => d !== null)));
    });
    return () => {
      live = false;
    };
  }, [key]);
  return codes;
}
