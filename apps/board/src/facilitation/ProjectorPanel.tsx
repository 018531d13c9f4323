/**
 * What only the projector shows: a legend of the municipalities (colour, code, name), the QR code
 * that opens the board (the link the facilitator put on the wall, `facilitation.wallLink`; without
 * one, the server's address and a hint), and, when the facilitator chooses it for every projector
 * (`facilitation.wallView`), the commitments matrix in the board's place.
 * A lazy chunk (with the QR encoder).
 */
import QRCode from 'qrcode';
import { useEffect, useState, type CSSProperties } from 'react';
import { useTranslation } from 'react-i18next';
import type { WallLink } from '@tabla/plan-model';
import { useBoard } from '@tabla/plan-react';
import { CommitmentsMatrix } from '../plan/CommitmentsMatrix.js';
import { useSession } from '../ui/context.js';
import { useProjector } from './context.js';
import { useIsFacilitator } from './hooks.js';
import { WallViewToggle } from './WallViewToggle.js';
import './projector.css';

export default function ProjectorPanel() {
  const { t } = useTranslation();
  const session = useSession();
  const board = useBoard(session.doc);
  const { codes } = useProjector();
  const facilitator = useIsFacilitator();
  const { wallLink, wallView } = board.facilitation;
  return (
    <section className="projector-panel" aria-label={t('projector.panel')}>
      <div className="projector-legend">
        <h2 className="projector-legend__title">{t('projector.legend')}</h2>
        <ul className="projector-legend__list">
          {board.municipalities.map((m) => (
            <li key={m.id} className="projector-legend__item">
              <span className="swatch" aria-hidden="true" style={{ background: m.color } as CSSProperties} />
              <span className="muni-code" aria-hidden="true">
                {codes?.get(m.id)}
              </span>
              {m.name}
            </li>
          ))}
        </ul>
      </div>
      <JoinCode wallLink={wallLink} facilitator={facilitator} />
      {facilitator && <WallViewToggle className="projector-commitments__toggle" />}
      {wallView === 'matrix' && (
        <div className="projector-commitments">
          <h2 className="projector-commitments__title">{t('commitments.heading')}</h2>
          <CommitmentsMatrix board={board} />
        </div>
      )}
    </section>
  );
}

/**
 * The QR code that opens the board (an SVG image, as the CSP allows data: images): the wall's
 * link, or without one the server's address, which only says "open the board from your link".
 */
function JoinCode({ wallLink, facilitator }: { wallLink: WallLink | null; facilitator: boolean }) {
  const { t } = useTranslation();
  const address = wallLink?.url ?? window.location.origin;
  const src = useQrCode(address);
  const host = hostOf(address);
  return (
    <div className={`projector-join${wallLink ? ' projector-join--link' : ''}`} data-wall-link={wallLink?.role ?? 'none'}>
      {src && <img className="projector-join__qr" src={src} alt={t('projector.qrAlt', { address })} width={160} height={160} />}
      <div className="projector-join__words">
        {wallLink ? (
          <>
            <p className="projector-join__text">{t('wall.scan')}</p>
            <p className="projector-join__hint">{wallLink.role === 'viewer' ? t('wall.scanViewer', { host }) : t('wall.scanEditor', { host })}</p>
          </>
        ) : (
          <>
            <p className="projector-join__text">{t('projector.joinAt', { address: host })}</p>
            <p className="projector-join__hint">{facilitator ? t('wall.noLinkFacilitator') : t('wall.noLink')}</p>
          </>
        )}
      </div>
    </div>
  );
}

const hostOf = (url: string): string => {
  try {
    return new URL(url).host;
  } catch {
    return url.replace(/^https?:\/\//, '');
  }
};

/** The QR code of `text` as a data: URL (null until it is drawn, or if it cannot be: the words still say where). */
function useQrCode(text: string): string | null {
  const [svg, setSvg] = useState<{ text: string; src: string } | null>(null);
  useEffect(() => {
    let live = true;
    QRCode.toString(text, { type: 'svg', margin: 1, errorCorrectionLevel: 'M', color: { dark: '#000000', light: '#ffffff' } })
      .then((markup) => {
        if (live) setSvg({ text, src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(markup)}` });
      })
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [text]);
  return svg?.text === text ? svg.src : null;
}
