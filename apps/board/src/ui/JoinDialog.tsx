import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Municipality } from '@tabla/plan-model';
import type { Identity } from '../session/identity.js';
import { MunicipalityOptions, SelectField } from './SelectField.js';

/**
 * Asks a person's name (or role) and municipality before they enter. A link bound to a
 * municipality already says which: it is shown, not asked.
 */
export function JoinDialog({
  municipalities,
  boundMunicipalityId,
  initial,
  onJoin,
}: {
  municipalities: readonly Municipality[];
  boundMunicipalityId: string | null;
  initial: Identity | null;
  onJoin: (identity: Identity) => void;
}) {
  const { t } = useTranslation();
  const ref = useRef<HTMLDialogElement>(null);
  const id = useId();
  const [name, setName] = useState(initial?.name ?? '');
  const [chosen, setMunicipalityId] = useState(initial?.municipalityId ?? '');
  const municipalityId = boundMunicipalityId ?? chosen;
  const bound = boundMunicipalityId ? municipalities.find((m) => m.id === boundMunicipalityId) : undefined;
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (ref.current && !ref.current.open) ref.current.showModal();
  }, []);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!name.trim()) return setError(t('join.nameRequired'));
    onJoin({ name: name.trim().slice(0, 80), municipalityId: municipalityId || null });
  };

  return (
    <dialog ref={ref} className="dialog dialog--join" aria-labelledby={`${id}-title`} onCancel={(e) => e.preventDefault()}>
      <form onSubmit={submit} noValidate>
        <h2 id={`${id}-title`}>{t('join.title')}</h2>
        <p>{t('join.intro')}</p>
        {error && (
          <p role="alert" className="form-error">
            {error}
          </p>
        )}
        <label className="field">
          <span>{t('join.name')}</span>
          <input name="name" value={name} maxLength={80} autoFocus placeholder={t('join.namePlaceholder')} onChange={(e) => setName(e.target.value)} />
        </label>
        {boundMunicipalityId ? (
          <p className="field">
            <span>{t('join.municipality')}</span>
            <strong className="join__bound">
              <span className="swatch" aria-hidden="true" style={{ background: bound?.color }} /> {bound?.name ?? boundMunicipalityId}
            </strong>
            <small>{t('join.boundHint')}</small>
          </p>
        ) : (
          <SelectField label={t('join.municipality')} name="municipality" value={municipalityId} onChange={setMunicipalityId}>
            <MunicipalityOptions municipalities={municipalities} none={t('join.noMunicipality')} />
          </SelectField>
        )}
        <div className="dialog__actions">
          <span className="spacer" />
          <button type="submit" className="primary">
            {t('join.submit')}
          </button>
        </div>
      </form>
    </dialog>
  );
}
