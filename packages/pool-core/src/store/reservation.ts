import type { Micros } from "../domain/money.js";
import type { Reservation } from "./port.js";

/** What one cap (the pool's, or its team's this month) has left, for a reservation that fell short. */
export interface CapRoom {
  name: "pool" | "team";
  /** cap − spent − reserved */
  available: Micros;
  /** cap − spent */
  attainable: Micros;
}

/**
 * The `short` answer every store gives when a reservation cannot be granted: a cap that cannot
 * cover `minimum` even once reservations settle is named first (the pool's before the team's),
 * else the one with the least available; the figures are the lowest over the caps. Shared so both
 * stores word a shortage alike.
 */
export function shortOf(caps: CapRoom[], minimum: Micros): Extract<Reservation, { kind: "short" }> {
  if (caps.length === 0) return { kind: "short", limitedBy: "pool", availableMicros: 0, attainableMicros: 0 };
  const unreachable = caps.find((c) => c.attainable < minimum);
  const tightest = caps.reduce((a, b) => (b.available < a.available ? b : a));
  return {
    kind: "short",
    limitedBy: (unreachable ?? tightest).name,
    availableMicros: Math.max(0, Math.min(...caps.map((c) => c.available))),
    attainableMicros: Math.max(0, Math.min(...caps.map((c) => c.attainable))),
  };
}
