/**
 * A municipality on a card: a chip in its colour with its short code ("MOS"), so colour is never the
 * only cue. The name shows on hover, while the card has focus, on the lead's chip always, and in the
 * activity dialog; screen readers hear "Nosilac: Grad Mostar" (the role, then the name, no code).
 */
import type { CSSProperties } from 'react';
import type { Municipality } from '@tabla/plan-model';
import { useProjector } from '../facilitation/context.js';

/** Black or white, whichever reads better on `hex` (WCAG relative luminance). */
export function inkOn(hex: string): '#000000' | '#ffffff' {
  const channel = (i: number) => {
    const c = parseInt(hex.slice(1 + 2 * i, 3 + 2 * i), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const luminance = 0.2126 * channel(0) + 0.7152 * channel(1) + 0.0722 * channel(2);
  // Contrast with black is (L + 0.05) / 0.05, with white 1.05 / (L + 0.05): equal at L ≈ 0.179.
  return Number.isNaN(luminance) || luminance > 0.179 ? '#000000' : '#ffffff';
}

export function MunicipalityChip({ municipality, label, showName = false }: { municipality: Municipality; label: string; showName?: boolean }) {
  const { codes } = useProjector();
  const code = codes.get(municipality.id);
  return (
    <span
      className={`chip${showName ? ' chip--named' : ''}`}
      title={`${label}: ${municipality.name}`}
      style={{ '--chip': municipality.color, '--chip-ink': inkOn(municipality.color) } as CSSProperties}
    >
      {code && (
        <span className="chip__code" aria-hidden="true">
          {code}
        </span>
      )}
      <span className="chip__name">
        <span className="visually-hidden">{label}: </span>
        {municipality.name}
      </span>
    </span>
  );
}
