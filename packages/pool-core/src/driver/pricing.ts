import type { Micros } from "../domain/money.js";
import type { WireUsage } from "./messages.js";

/**
 * List prices in USD per million tokens (= micro-dollars per token), used only to price the *stream* while a task
 * runs (so a task can be stopped when it passes its reservation). Settlement always uses the
 * CLI's own figure from the result line. Unknown models are priced as the dearest known one.
 */
interface Price {
  input: number;
  output: number;
}
const PRICES: Record<string, Price> = {
  "claude-opus-5-5": { input: 4, output: 20 },
  "claude-sonnet-5-5": { input: 2, output: 10 },
  "claude-haiku-5-5": { input: 0.1, output: 0.5 },
  "claude-sonnet-4-5": { input: 3, output: 15 },
  "claude-opus-4-5": { input: 5, output: 25 },
  "claude-haiku-4-5": { input: 1, output: 5 },
};
const DEAREST: Price = { input: 5, output: 25 };

/** Cost of one API call's usage; cache writes at 1.25× input, cache reads at 0.1×. */
export function priceUsage(model: string | undefined, usage: WireUsage): Micros {
  const p = (model && PRICES[model]) || DEAREST;
  const micros =
    (usage.input_tokens ?? 0) * p.input +
    (usage.output_tokens ?? 0) * p.output +
    (usage.cache_creation_input_tokens ?? 0) * p.input * 1.25 +
    (usage.cache_read_input_tokens ?? 0) * p.input * 0.1;
  return Math.round(micros);
}
