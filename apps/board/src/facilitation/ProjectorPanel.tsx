/**
 * What only the projector shows: a legend of the municipalities (colour, code, name) and, in
 * the facilitator's session, where to join with a QR code; on request, the commitments matrix.
 * A lazy chunk (with the QR encoder).
 */
import QRCode from 'qrcode';
import { useEffect, useState, type CSSProperties } from 'react';
import { useTranslation } from 'react-i18next';
import { useBoard } from '@tabla/plan-react';
import { CommitmentsMatrix } from '../plan/CommitmentsMatrix.js';
import { useSession } from '../ui/context.js';
import { useProjector } from './context.js';

export default function ProjectorPanel({ showJoin }: { showJoin: boolean }) {
  const { t } = useTranslation();
  const session = useSession();
  const board = useBoard(session.doc);
  const { codes } = useProjector();
  // "Pregled obaveza" under the legend, when whoever drives this screen chooses it.
  const [commitments, setCommitments] = useState(false);
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
      {showJoin && <JoinAddress address={window.location.origin} />}
      <button type="button" className="projector-commitments__toggle" aria-pressed={commitments} onClick={() => setCommitments((on) => !on)}>
        {t('commitments.onProjector')}
      </button>
      {commitments && (
        <div className="projector-commitments">
          <CommitmentsMatrix board={board} />
        </div>
      )}
    </section>
  );
}

/** "Join: http://192.168.1.10:8787" with its QR code (an SVG image, as the CSP allows data: images). */
function JoinAddress({ address }: { address: string }) {
  const { t } = useTranslation();
  const [svg, setSvg] = useState<{ address: string; src: string } | null>(null);
  useEffect(() => {
    let live = true;
    QRCode.toString(address, { type: 'svg', margin: 1, errorCorrectionLevel: 'M', color: { dark: '#000000', light: '#ffffff' } })
      .then((text) => {
        if (live) setSvg({ address, src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(text)}` });
      })
      .catch(() => undefined); // no code: the address is still written out
    return () => {
      live = false;
    };
  }, [address]);
  return (
    <div className="projector-join">
      {svg?.address === address && <img className="projector-join__qr" src={svg.src} alt={t('projector.qrAlt', { address })} width={160} height={160} />}
      <p className="projector-join__text">{t('projector.joinAt', { address: address.replace(/^https?:\/\//, '') })}</p>
    </div>
  );
}
