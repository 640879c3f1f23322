/** Money reaches the browser as USD numbers; show cents for sums and more digits for tiny costs. */
export function usd(value: number | null | undefined): string {
  if (value === null || value === undefined) return "—";
  if (value !== 0 && Math.abs(value) < 0.01) return `$${value.toFixed(4)}`;
  return `$${value.toFixed(2)}`;
}

export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  const rest = Math.round(s % 60);
  if (m < 60) return `${m} min ${rest} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function dateTime(iso: string | Date | null | undefined): string {
  if (!iso) return "—";
  const d = typeof iso === "string" ? new Date(iso) : iso;
  if (Number.isNaN(d.getTime())) return "—";
  return `${d.toISOString().replace("T", " ").slice(0, 19)} UTC`;
}

export function tokens(n: number | null | undefined): string {
  if (n === null || n === undefined) return "—";
  return n.toLocaleString("en-US");
}

export const TASK_STATUSES = [
  "queued",
  "running",
  "waiting_for_quota",
  "awaiting_review",
  "completed",
  "failed",
  "cancelled",
  "timed_out",
] as const;

export function statusLabel(status: string): string {
  return status.replaceAll("_", " ");
}

/** A task parked by a usage limit, and when it runs again (the limit's reset, UTC). */
export function parkedLabel(runAfter: string | null | undefined): string {
  return runAfter
    ? `waiting for usage limit, resumes at ${dateTime(runAfter)}`
    : "waiting for usage limit, resumes when it resets";
}
