import { type InputHTMLAttributes, useId } from 'react';
import { useTranslation } from 'react-i18next';

interface TextFieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, 'onChange' | 'value' | 'maxLength' | 'id'> {
  readonly label: string;
  readonly value: string;
  readonly onChange: (value: string) => void;
  /** Hard limit (schema LIMITS): longer pasted text is cut here, and a "used / limit" counter shows it. */
  readonly max?: number;
  /** A textarea of this many rows instead of an input. */
  readonly rows?: number;
  /** The worded problem of this field, shown under it and tied to it for screen readers. */
  readonly error?: string | null | undefined;
}

/**
 * The one labelled text field of the app: an input (any type) or a textarea, with a counter
 * when it has a limit and its error when it has one, both tied to it for screen readers.
 */
export function TextField({ label, value, onChange, max, rows, error, className, ...rest }: TextFieldProps) {
  const { t } = useTranslation();
  const id = useId();
  const described = [max !== undefined && `${id}-count`, error && `${id}-error`].filter(Boolean).join(' ') || undefined;
  const common = {
    id,
    value,
    maxLength: max,
    // Right-to-left text shows right-to-left (a colour picker has no text).
    dir: rest.type === 'color' ? undefined : ('auto' as const),
    'aria-invalid': error ? true : undefined,
    'aria-describedby': described,
  };
  return (
    <div className={className ? `field ${className}` : 'field'}>
      <label htmlFor={id}>{label}</label>
      {rows ? (
        <textarea
          {...common}
          rows={rows}
          name={rest.name}
          placeholder={rest.placeholder}
          autoFocus={rest.autoFocus}
          required={rest.required}
          onChange={(e) => onChange(e.target.value)}
        />
      ) : (
        <input {...rest} {...common} onChange={(e) => onChange(e.target.value)} />
      )}
      {max !== undefined && (
        <small id={`${id}-count`} className={value.length >= max ? 'counter counter--full' : 'counter'}>
          {t('activity.counter', { count: value.length, max })}
        </small>
      )}
      {error && (
        <small id={`${id}-error`} className="form-error setup__error" role="alert">
          {error}
        </small>
      )}
    </div>
  );
}
