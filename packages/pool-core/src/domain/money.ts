/** Money is integer micro-dollars inside the pool; USD numbers only at the public edge. */
export type Micros = number;

export const MICROS_PER_USD = 1_000_000;

/** Rounds to the nearest micro-dollar; the CLI reports costs with at most ~9 decimals. */
export function usdToMicros(usd: number): Micros {
  return Math.round(usd * MICROS_PER_USD);
}

export function microsToUsd(micros: Micros): number {
  return micros / MICROS_PER_USD;
}
