import { InvalidOptions } from "./errors.js";

/**
 * Limits on the pool's shared context. Every value goes into every task's appended system prompt
 * (a file, so argv no longer bounds it): the bound is the model's context window. 512 KB of text is
 * roughly 130K tokens of prose, which leaves a 200K-token window room for the CLI's own system
 * prompt, the task's prompt and its answer; past it every later task of the pool would fail at the
 * API. Sizes are UTF-8 bytes; 1 KB = 1024 bytes.
 */
export const CONTEXT_VALUE_LIMIT_BYTES = 256 * 1024;
/** All keys and values of one pool together. */
export const CONTEXT_TOTAL_LIMIT_BYTES = 512 * 1024;
/** A key is a name, not a place for content. */
export const CONTEXT_KEY_LIMIT_BYTES = 256;

const LIMITS_SENTENCE = `the limit is ${formatBytes(CONTEXT_VALUE_LIMIT_BYTES)} per value and ${formatBytes(CONTEXT_TOTAL_LIMIT_BYTES)} for all values together (keys included)`;

/**
 * A shared-context value (or key) past its limit. An `InvalidOptions` (code `INVALID_OPTIONS`),
 * so transports treat it as the caller's mistake; names the key and the sizes.
 */
export class ContextTooLarge extends InvalidOptions {
  constructor(
    readonly key: string,
    /** The size that was refused: the value, the key, or all entries together with this one. */
    readonly sizeBytes: number,
    readonly limitBytes: number,
    readonly what: "value" | "key" | "total",
    message: string,
  ) {
    super(
      what === "key" ? "context.key" : "context.value",
      sizeBytes,
      `at most ${limitBytes} bytes`,
      message,
    );
  }
}

/**
 * Throws `ContextTooLarge` when setting `key` to `value` would pass a limit, given the pool's
 * current entries (the old value of `key`, if any, is replaced and so not counted).
 */
export function checkContextEntry(
  key: string,
  value: string,
  current: ReadonlyArray<{ key: string; value: string }>,
): void {
  const keyBytes = Buffer.byteLength(key, "utf8");
  if (keyBytes > CONTEXT_KEY_LIMIT_BYTES)
    throw new ContextTooLarge(
      shorten(key),
      keyBytes,
      CONTEXT_KEY_LIMIT_BYTES,
      "key",
      `context key "${shorten(key)}" is ${formatBytes(keyBytes)}; a key may be at most ${formatBytes(CONTEXT_KEY_LIMIT_BYTES)}`,
    );
  const valueBytes = Buffer.byteLength(value, "utf8");
  if (valueBytes > CONTEXT_VALUE_LIMIT_BYTES)
    throw new ContextTooLarge(
      key,
      valueBytes,
      CONTEXT_VALUE_LIMIT_BYTES,
      "value",
      `context value "${key}" is ${formatBytes(valueBytes)}; ${LIMITS_SENTENCE}`,
    );
  let total = keyBytes + valueBytes;
  for (const entry of current)
    if (entry.key !== key)
      total += Buffer.byteLength(entry.key, "utf8") + Buffer.byteLength(entry.value, "utf8");
  if (total > CONTEXT_TOTAL_LIMIT_BYTES)
    throw new ContextTooLarge(
      key,
      total,
      CONTEXT_TOTAL_LIMIT_BYTES,
      "total",
      `context value "${key}" is ${formatBytes(valueBytes)} and would bring all values to ${formatBytes(total)}; ${LIMITS_SENTENCE}`,
    );
}

/**
 * `300 KB`, `1 MB`, `812 bytes`; a size that is not a whole number of units is rounded up to one
 * decimal (`256.1 KB`), so a value just over a limit never reads as equal to it.
 */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  const mb = bytes >= 1024 * 1024;
  const unit = mb ? "MB" : "KB";
  const whole = bytes / (mb ? 1024 * 1024 : 1024);
  if (Number.isInteger(whole)) return `${whole} ${unit}`;
  return `${(Math.ceil(whole * 10) / 10).toFixed(1)} ${unit}`;
}

function shorten(key: string): string {
  return key.length > 40 ? `${key.slice(0, 40)}…` : key;
}
