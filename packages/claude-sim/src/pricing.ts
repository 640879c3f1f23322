/**
 * Deterministic list prices for the simulated models.
 *
 * Prices are USD per token. All arithmetic is done in integer pico-dollars (1e-12 USD) so that
 * sums over many calls and resumes never drift: every price below is a whole number of
 * pico-dollars per token, and token counts are integers.
 */

export interface ModelPrice {
  /** USD per uncached input token. */
  input: number;
  /** USD per output token. */
  output: number;
  /** USD per cache-write (cache creation) input token. */
  cacheWrite: number;
  /** USD per cache-read input token. */
  cacheRead: number;
}

export const DEFAULT_MODEL = "claude-sonnet-5-5";

export const MODEL_ALIASES: Readonly<Record<string, string>> = {
  opus: "claude-opus-5-5",
  sonnet: "claude-sonnet-5-5",
  haiku: "claude-haiku-5-5",
};

const SONNET: ModelPrice = { input: 2e-6, output: 10e-6, cacheWrite: 2.5e-6, cacheRead: 0.2e-6 };

export const PRICES: Readonly<Record<string, ModelPrice>> = {
  "claude-sonnet-5-5": SONNET,
  "claude-opus-5-5": { input: 4e-6, output: 20e-6, cacheWrite: 5e-6, cacheRead: 0.4e-6 },
  "claude-haiku-5-5": { input: 0.1e-6, output: 0.5e-6, cacheWrite: 0.125e-6, cacheRead: 0.01e-6 },
};

/** Price used for any model id not in {@link PRICES} (reported with `costBasis: "unknown"`). */
export const UNKNOWN_MODEL_PRICE: ModelPrice = SONNET;

/** Token counts of one API call, as in the Messages API `usage` object. */
export interface TokenUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

const PICO_PER_USD = 1e12;

export function resolveModel(model: string | undefined): string {
  if (model === undefined || model === "") return DEFAULT_MODEL;
  return MODEL_ALIASES[model] ?? model;
}

export function priceOf(model: string): ModelPrice {
  return PRICES[model] ?? UNKNOWN_MODEL_PRICE;
}

export function isListPriced(model: string): boolean {
  return PRICES[model] !== undefined;
}

/** Converts a USD amount to whole pico-dollars (rounded to the nearest). */
export function usdToPico(usd: number): number {
  return Math.round(usd * PICO_PER_USD);
}

export function picoToUsd(pico: number): number {
  return pico / PICO_PER_USD;
}

/** Cost of one call in integer pico-dollars. */
export function costPico(model: string, usage: TokenUsage): number {
  const p = priceOf(model);
  return (
    usage.input_tokens * usdToPico(p.input) +
    usage.output_tokens * usdToPico(p.output) +
    usage.cache_creation_input_tokens * usdToPico(p.cacheWrite) +
    usage.cache_read_input_tokens * usdToPico(p.cacheRead)
  );
}

/**
 * Usage whose cost is `usd` on `model`: only output tokens, `usd / outputPrice` of them
 * (rounded to a whole token, so the cost is exact whenever `usd` is a multiple of the price).
 */
export function usageForCost(model: string, usd: number): TokenUsage {
  const outPico = usdToPico(priceOf(model).output);
  return {
    input_tokens: 0,
    output_tokens: Math.round(usdToPico(usd) / outPico),
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
  };
}
