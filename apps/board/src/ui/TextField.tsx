import { useId } from 'react';
import { useTranslation } from 'react-i18next';

interface TextFieldProps {
  readonly label: string;
  readonly name: string;
  readonly value: string;
  /** Hard limit (schema LIMITS): longer pasted text is cut here, and the counter shows it. */
  readonly max: number;
  readonly onChange: (value: string) => void;
  readonly rows?: number;
  readonly placeholder?: string;
  readonly autoFocus?: boolean;
  readonly required?: boolean;
}

/** A labelled text input (or textarea, with `rows`) with a visible "used / limit" counter. */
export function TextField({ label, name, value, max, onChange, rows, placeholder, autoFocus, required }: TextFieldProps) {
  const { t } = useTranslation();
  const id = useId();
  const common = {
    id,
    name,
    value,
    maxLength: max,
    placeholder,
    autoFocus,
    required,
    dir: 'auto' as const, // right-to-left text shows right-to-left
    'aria-describedby': `${id}-count`,
  };
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {rows ? <textarea {...common} rows={rows} onChange={(e) => onChange(e.target.value)} /> : <input {...common} onChange={(e) => onChange(e.target.value)} />}
      <small id={`${id}-count`} className={value.length >= max ? 'counter counter--full' : 'counter'}>
        {t('activity.counter', { count: value.length, max })}
      </small>
    </div>
  );
}
