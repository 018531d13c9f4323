import type { ReactNode } from 'react';
import type { Municipality } from '@tabla/plan-model';

interface SelectFieldProps {
  readonly label: string;
  readonly value: string;
  readonly onChange: (value: string) => void;
  readonly children: ReactNode;
  readonly name?: string;
  readonly disabled?: boolean;
  /** Default `field` (dialogs); the filter bar has its own. */
  readonly className?: string;
}

/** A labelled select: the label wraps it, so a click on the words opens it. */
export function SelectField({ label, value, onChange, children, name, disabled, className = 'field' }: SelectFieldProps) {
  return (
    <label className={className}>
      <span>{label}</span>
      <select name={name} value={value} disabled={disabled} onChange={(e) => onChange(e.target.value)}>
        {children}
      </select>
    </label>
  );
}

/** "None" (empty value) and then every municipality, by name. */
export function MunicipalityOptions({ municipalities, none }: { municipalities: readonly Municipality[]; none: string }) {
  return (
    <>
      <option value="">{none}</option>
      {municipalities.map((m) => (
        <option key={m.id} value={m.id}>
          {m.name}
        </option>
      ))}
    </>
  );
}
