import { useProjector } from './context.js';

/**
 * A municipality's short code beside its colour swatch (projector mode): colour alone does not
 * tell municipalities apart for colour-blind viewers. The full name follows it, so assistive
 * technology skips the code.
 */
export function MunicipalityCode({ id }: { id: string | undefined }) {
  const { codes } = useProjector();
  const code = id && codes ? codes.get(id) : undefined;
  if (!code) return null;
  return (
    <span className="muni-code" aria-hidden="true">
      {code}
    </span>
  );
}
