/** Small pieces shared by the panel's sections: a labelled input with its error, focus after a change. */
import { type InputHTMLAttributes, useEffect, useId, useRef } from 'react';
import type { BoardView } from '@tabla/plan-model';

interface InputFieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, 'onChange' | 'value'> {
  readonly label: string;
  readonly value: string;
  readonly onChange: (value: string) => void;
  /** The worded problem of this field, shown under it and tied to it for screen readers. */
  readonly error?: string | null;
}

export function InputField({ label, value, onChange, error, className, ...rest }: InputFieldProps) {
  const id = useId();
  return (
    <div className={`field setup__field${className ? ` ${className}` : ''}`}>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        value={value}
        dir={rest.type === 'color' ? undefined : 'auto'}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        onChange={(e) => onChange(e.target.value)}
        {...rest}
      />
      {error && (
        <small id={`${id}-error`} className="form-error setup__error" role="alert">
          {error}
        </small>
      )}
    </div>
  );
}

/**
 * Focus for after an operation: the board view changes a frame later (and a moved row's
 * element may have lost focus when React moved it). Give element ids in order of preference;
 * the first one present and enabled gets focus once the view has changed.
 */
export function useFocusAfterChange(board: BoardView): (...ids: string[]) => void {
  const pending = useRef<{ ids: string[]; board: BoardView } | null>(null);
  useEffect(() => {
    const p = pending.current;
    if (!p || p.board === board) return;
    pending.current = null;
    for (const id of p.ids) {
      const el = document.getElementById(id);
      if (el instanceof HTMLButtonElement && el.disabled) continue;
      if (el) {
        el.focus();
        return;
      }
    }
  }, [board]);
  return (...ids: string[]) => {
    pending.current = { ids, board };
  };
}
