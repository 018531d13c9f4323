import { type FormEvent, useId } from 'react';
import { useTranslation } from 'react-i18next';
import { type Municipality, type MunicipalityId, STATUSES, type Status } from '@tabla/plan-model';
import { type ActivityFilter, EMPTY_FILTER, isFilterActive } from '../filters/match.js';
import { MunicipalityOptions, SelectField } from './SelectField.js';

interface FilterBarProps {
  readonly filter: ActivityFilter;
  readonly onChange: (next: ActivityFilter) => void;
  readonly municipalities: readonly Municipality[];
  /** The person's own municipality, for the one-click "Moja općina". */
  readonly ownMunicipalityId: MunicipalityId | null;
  /** How many activities match, and how many there are (for the spoken summary). */
  readonly found: number;
  readonly total: number;
}

/**
 * The person's own search and filters (never written to the board): text, municipality
 * (lead or partner), status; matching cards stay as they are, the others are dimmed or hidden.
 */
export function FilterBar({ filter, onChange, municipalities, ownMunicipalityId, found, total }: FilterBarProps) {
  const { t } = useTranslation();
  const id = useId();
  const active = isFilterActive(filter);
  const set = (fields: Partial<ActivityFilter>) => onChange({ ...filter, ...fields });
  const mine = ownMunicipalityId !== null && filter.municipalityId === ownMunicipalityId;

  return (
    <search className="filters" aria-labelledby={`${id}-title`}>
      <form className="filters__form" onSubmit={(e: FormEvent) => e.preventDefault()}>
        <h2 id={`${id}-title`} className="visually-hidden">
          {t('filters.region')}
        </h2>
        <label className="filters__field filters__field--text">
          <span>{t('filters.text')}</span>
          <input type="search" value={filter.text} placeholder={t('filters.textPlaceholder')} maxLength={200} onChange={(e) => set({ text: e.target.value })} />
        </label>
        <SelectField
          className="filters__field"
          label={t('filters.municipality')}
          value={filter.municipalityId ?? ''}
          onChange={(v) => set({ municipalityId: v === '' ? null : (v as MunicipalityId) })}
        >
          <MunicipalityOptions municipalities={municipalities} none={t('filters.anyMunicipality')} />
        </SelectField>
        {ownMunicipalityId !== null && (
          <button
            type="button"
            className="filters__mine"
            aria-pressed={mine}
            onClick={() => set({ municipalityId: mine ? null : ownMunicipalityId })}
          >
            {t('filters.mine')}
          </button>
        )}
        <SelectField className="filters__field" label={t('filters.status')} value={filter.status ?? ''} onChange={(v) => set({ status: v === '' ? null : (v as Status) })}>
          <option value="">{t('filters.anyStatus')}</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {t(`status.${s}`)}
            </option>
          ))}
        </SelectField>
        <label className="filters__check">
          <input type="checkbox" checked={filter.onlyMatches} onChange={(e) => set({ onlyMatches: e.target.checked })} />
          {t('filters.onlyMatches')}
        </label>
        {(active || filter.onlyMatches) && (
          <button type="button" className="filters__clear" onClick={() => onChange(EMPTY_FILTER)}>
            {t('filters.clear')}
          </button>
        )}
        {/* Always present, so screen readers hear the count change as the person types. */}
        <p className="filters__summary" role="status">
          {active ? t('filters.summary', { count: total, matched: found }) : ''}
        </p>
      </form>
    </search>
  );
}
