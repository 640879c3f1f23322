import type { ReactNode } from "react";

/** Designed loading, empty and error states, so no page is ever just blank. */
export function Loading({ what }: { what: string }) {
  return (
    <p className="muted" role="status" aria-live="polite">
      Loading {what}…
    </p>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="empty">{children}</div>;
}

export function ErrorBox({ title, error, retry }: { title: string; error: unknown; retry?: () => void }) {
  const message =
    error && typeof error === "object" && "message" in error && typeof error.message === "string"
      ? error.message
      : "Something went wrong.";
  return (
    <div className="error-box" role="alert">
      <strong>{title}</strong>
      <p>{message}</p>
      {retry && (
        <button type="button" className="secondary" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function FieldError({ id, message }: { id: string; message: string | undefined }) {
  if (!message) return null;
  return (
    <span id={id} className="field-error" role="alert">
      {message}
    </span>
  );
}

export function Gauge({
  label,
  value,
  max,
}: {
  label: string;
  value: number;
  max: number | null | undefined;
}) {
  if (!max) return <span className="muted">{label}</span>;
  const pct = Math.min(100, Math.round((value / max) * 100));
  const cls = pct >= 100 ? "gauge over" : pct >= 80 ? "gauge high" : "gauge";
  return (
    <div>
      <div className="spread">
        <span>{label}</span>
        <span>{pct}%</span>
      </div>
      {/* The label and percentage above are the accessible text; the bar repeats them visually. */}
      <div className={cls} aria-hidden="true">
        <span style={{ width: `${pct}%` }} />
      </div>
    </div>
  );
}
