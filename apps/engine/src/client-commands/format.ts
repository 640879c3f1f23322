/** Text shapes the client commands print: tables, money, durations. */

export function usd(value: number | null | undefined): string {
  if (value === null || value === undefined) return "-";
  return `$${value < 0.01 && value > 0 ? value.toFixed(6) : value.toFixed(4)}`;
}

export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "-";
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(Math.round(s % 60)).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}

/** Left-aligned columns separated by two spaces, headers included. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  return [line(headers), ...rows.map(line)].join("\n");
}

export function tokensLine(t: {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}): string {
  return `${t.input} in / ${t.output} out / ${t.cacheRead} cache read / ${t.cacheWrite} cache write`;
}
