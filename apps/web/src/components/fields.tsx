import type { ReactNode } from "react";
import { errorFor } from "@/lib/errors";
import { FieldError } from "./states";

/**
 * The labelled form controls the pool and task forms share: a visible `<label>` around the
 * control (its accessible name), and the API's message for the field beneath it, marked
 * `aria-invalid` (see lib/errors.ts). One place, so every form labels and flags fields alike.
 */
interface Bound {
  /** The id of the error line under the control. */
  errorId: string;
  error: string | undefined;
  value: string;
  onChange(value: string): void;
}

/**
 * Binds a form's string fields to controls: `bind("budgetUsd", "config.budgetUsd")` gives the
 * value, its setter, and the API's message for that input path (the key itself by default).
 */
export function binder<T extends object>(
  state: T,
  setState: (next: T) => void,
  errors: Record<string, string>,
  idPrefix: string,
) {
  return (key: keyof T & string, apiField: string = key): Bound => ({
    errorId: `${idPrefix}-${key}-error`,
    error: errorFor(errors, apiField),
    value: String(state[key] ?? ""),
    onChange: (value) => setState({ ...state, [key]: value }),
  });
}

export function InputField({
  label,
  errorId,
  error,
  value,
  onChange,
  children,
  ...input
}: Bound & {
  label: string;
  type?: "text" | "number";
  placeholder?: string;
  required?: boolean;
  list?: string;
  min?: number;
  max?: number;
  step?: number | "any";
  /** Shown after the input inside the label, e.g. its `<datalist>`. */
  children?: ReactNode;
}) {
  return (
    <label>
      {label}
      <input {...input} value={value} onChange={(e) => onChange(e.target.value)} aria-invalid={!!error} />
      {children}
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
}: Bound & {
  label: string;
  none: string;
  options: ReadonlyArray<string | { value: string; label: string }>;
}) {
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
