/** Summaries of repeated measurements: a figure is reported as its median with min and max. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  runs: number;
}

export function spread(values: readonly number[]): Spread {
  if (values.length === 0) throw new RangeError("spread: no measurements");
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const median = s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
  return { median, min: s[0] as number, max: s[s.length - 1] as number, runs: s.length };
}

/** The p-th percentile (nearest rank) of unsorted values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] as number;
}

/** `12.3 (11.9–12.8)`: median with the range of the runs. */
export function formatSpread(x: Spread, digits = 1, unit = ""): string {
  const f = (v: number) => v.toFixed(digits);
  return x.runs === 1 ? `${f(x.median)}${unit}` : `${f(x.median)}${unit} (${f(x.min)}–${f(x.max)})`;
}

/** Runs `measure` `runs` times and summarises what it returns. */
export async function repeat(runs: number, measure: (run: number) => Promise<number>): Promise<Spread> {
  const values: number[] = [];
  for (let i = 0; i < runs; i++) values.push(await measure(i));
  return spread(values);
}
