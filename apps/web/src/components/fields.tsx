import type { ReactNode } from "react";
import { FieldError } from "./states";

/**
 * The labelled form controls the pool and task forms share: a visible `<label>` around the
 * control (its accessible name), and the API's message for the field beneath it, marked
 * `aria-invalid` (see lib/errors.ts). One place, so every form labels and flags fields alike.
 */
interface FieldProps {
  label: string;
  /** The id of the error line under the control. */
  errorId: string;
  error?: string | undefined;
  value: string;
  onChange(value: string): void;
}

export function TextField({
  label,
  errorId,
  error,
  value,
  onChange,
  placeholder,
  required,
  list,
  children,
}: FieldProps & {
  placeholder?: string;
  required?: boolean;
  list?: string;
  /** Shown after the input inside the label, e.g. its `<datalist>`. */
  children?: ReactNode;
}) {
  return (
    <label>
      {label}
      <input
        value={value}
        placeholder={placeholder}
        required={required}
        list={list}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={!!error}
      />
      {children}
      <FieldError id={errorId} message={error} />
    </label>
  );
}

export function NumberField({
  label,
  errorId,
  error,
  value,
  onChange,
  placeholder,
  required,
  min,
  max,
  step,
}: FieldProps & {
  placeholder?: string;
  required?: boolean;
  min?: number;
  max?: number;
  step?: number | "any";
}) {
  return (
    <label>
      {label}
      <input
        type="number"
        min={min}
        max={max}
        step={step}
        value={value}
        placeholder={placeholder}
        required={required}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={!!error}
      />
      <FieldError id={errorId} message={error} />
    </label>
  );
}

/** A select whose first option (value "") is `none`, e.g. "pool default". */
export function SelectField({
  label,
  errorId,
  error,
  value,
  onChange,
  none,
  options,
}: FieldProps & { none: string; options: ReadonlyArray<string | { value: string; label: string }> }) {
  return (
    <label>
      {label}
      <select value={value} onChange={(e) => onChange(e.target.value)} aria-invalid={!!error}>
        <option value="">{none}</option>
        {options.map((o) => {
          const { value: v, label: l } = typeof o === "string" ? { value: o, label: o } : o;
          return (
            <option key={v} value={v}>
              {l}
            </option>
          );
        })}
      </select>
      <FieldError id={errorId} message={error} />
    </label>
  );
}

export function CheckField({
  checked,
  onChange,
  children,
}: {
  checked: boolean;
  onChange(checked: boolean): void;
  children: ReactNode;
}) {
  return (
    <label className="inline">
      <input type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} />
      {children}
    </label>
  );
}

/** The API's message that names no field, under the form's fields. */
export function FormError({ message }: { message: string | undefined }) {
  if (!message) return null;
  return (
    <p className="field-error" role="alert">
      {message}
    </p>
  );
}
