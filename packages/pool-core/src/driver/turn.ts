import type { Micros } from "../domain/money.js";
import { parseStreamLine, type StreamLine } from "./messages.js";
import type { DriverKind } from "./port.js";
import { priceUsage } from "./pricing.js";
import type { RunOutcome } from "./run.js";

/** An outcome with nothing happened yet. */
export function emptyOutcome(driver: DriverKind, spawned: boolean): RunOutcome {
  return {
    result: null,
    sessionId: null,
    model: null,
    exitCode: null,
    signal: null,
    stderrTail: "",
    killedFor: null,
    streamedCostMicros: 0,
    rateLimitResetsAt: null,
    durationMs: 0,
    pid: null,
    assistantReplied: false,
    lastGoodMessageUuid: null,
    apiErrorStatus: null,
    retryAfterMs: null,
    driver,
    spawned,
  };
}

const SYNTHETIC = "<synthetic>";

/**
 * Folds one turn's stream-json lines into its RunOutcome: session, model, streamed cost (each
 * message id priced once: the CLI writes one line per content block, all with the message's
 * usage), the result, rate limits and API errors. Shared by the cold and warm drivers so both
 * report the same things the same way.
 */
export class TurnTracker {
  readonly #outcome: RunOutcome;
  readonly #stopAboveMicros: Micros | null;
  readonly #onOverBudget: () => void;
  readonly #priced = new Set<string>();
  #lastAssistantUuid: string | null = null;

  constructor(outcome: RunOutcome, stopAboveMicros: Micros | null, onOverBudget: () => void) {
    this.#outcome = outcome;
    this.#stopAboveMicros = stopAboveMicros;
    this.#onOverBudget = onOverBudget;
  }

  /** Parses and folds one line; returns it for the caller to forward. */
  push(text: string): StreamLine {
    return this.fold(parseStreamLine(text));
  }

  fold(line: StreamLine): StreamLine {
    const o = this.#outcome;
    if (line.kind === "init") {
      o.sessionId = line.raw.session_id;
      o.model = line.raw.model ?? o.model;
    } else if (line.kind === "assistant") {
      const raw = line.raw;
      const msg = raw.message;
      if (msg.model === SYNTHETIC) {
        o.apiErrorStatus = raw.api_error_status ?? o.apiErrorStatus;
      } else {
        o.assistantReplied = true;
        if (msg.model) o.model = msg.model;
        if (raw.uuid) this.#lastAssistantUuid = raw.uuid;
      }
      const key = msg.id ?? `${this.#priced.size}`;
      if (msg.usage && !this.#priced.has(key)) {
        this.#priced.add(key);
        o.streamedCostMicros += priceUsage(msg.model ?? o.model ?? undefined, msg.usage);
        if (this.#stopAboveMicros !== null && o.streamedCostMicros > this.#stopAboveMicros) {
          this.#onOverBudget();
        }
      }
    } else if (line.kind === "result") {
      o.result = line.raw;
      o.sessionId = line.raw.session_id || o.sessionId;
      o.apiErrorStatus = line.raw.api_error_status ?? o.apiErrorStatus;
      if (!line.raw.is_error) o.lastGoodMessageUuid = this.#lastAssistantUuid;
    } else if (line.kind === "rate_limit" && line.raw.rate_limit_info.status === "rejected") {
      const at = line.raw.rate_limit_info.resetsAt;
      o.rateLimitResetsAt = at ? new Date(at * 1000) : null;
    } else if (line.kind === "other" && line.raw.subtype === "api_retry") {
      // The CLI's own wait before its retry; for a 429 it follows the API's retry-after.
      const status = line.raw.error_status;
      const delay = line.raw.retry_delay_ms;
      if (status === 429 && typeof delay === "number") o.retryAfterMs = delay;
      if (typeof status === "number") o.apiErrorStatus = status;
    }
    return line;
  }
}

export const STDERR_TAIL = 16 * 1024;

export function appendStderr(outcome: RunOutcome, text: string): void {
  outcome.stderrTail = (outcome.stderrTail + text).slice(-STDERR_TAIL);
}

/** Signals a whole process group; a group already gone is not an error. */
export function killGroup(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig);
  } catch {
    // The group is already gone.
  }
}

const KILL_REASONS = ["timeout", "cancel", "over_reservation", "lease_lost", "shutdown"] as const;

export function abortReason(signal: AbortSignal): (typeof KILL_REASONS)[number] {
  const r: unknown = signal.reason;
  return KILL_REASONS.find((k) => k === r) ?? "cancel";
}
