"use client";
import { type FormEvent, useState } from "react";
import { errorFor } from "@/lib/errors";
import { FieldError } from "./states";

export interface ArgumentSpec {
  name: string;
  description?: string;
  required?: boolean;
  default?: string;
}

/** A form built from a skill's or workflow's declared arguments; required ones are marked and enforced. */
export function ArgumentsForm({
  idPrefix,
  title,
  args,
  errors,
  busy,
  submitLabel,
  onSubmit,
}: {
  idPrefix: string;
  title: string;
  args: ArgumentSpec[];
  errors: Record<string, string>;
  busy: boolean;
  submitLabel: string;
  onSubmit: (values: Record<string, string>) => void;
}) {
  const [values, setValues] = useState<Record<string, string>>({});
  function submit(e: FormEvent) {
    e.preventDefault();
    const out: Record<string, string> = {};
    for (const a of args) {
      const v = values[a.name]?.trim();
      if (v) out[a.name] = v;
    }
    onSubmit(out);
  }
  return (
    <form className="stack" onSubmit={submit} aria-label={title}>
      {args.length === 0 && <p className="hint">No arguments.</p>}
      {args.map((a) => {
        const msg = errorFor(errors, `arguments.${a.name}`);
        return (
          <label key={a.name}>
            {a.name}
            {a.required ? " (required)" : ""}
            <input
              value={values[a.name] ?? ""}
              placeholder={a.default ?? ""}
              required={a.required}
              aria-invalid={!!msg}
              onChange={(e) => setValues((v) => ({ ...v, [a.name]: e.target.value }))}
            />
            {a.description && <span className="hint">{a.description}</span>}
            <FieldError id={`${idPrefix}-${a.name}-err`} message={msg} />
          </label>
        );
      })}
      <FieldError id={`${idPrefix}-err`} message={errorFor(errors, "arguments") ?? errors[""]} />
      <div>
        <button type="submit" disabled={busy}>
          {submitLabel}
        </button>
      </div>
    </form>
  );
}
