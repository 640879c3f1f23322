/**
 * Typed domain errors. Each has a stable `code` that transports (tRPC, MCP, CLI) map to their own
 * status codes; messages name the field and the value that were wrong.
 */
export type PoolErrorCode =
  | "TASK_FAILED"
  | "BUDGET_EXCEEDED"
  | "NO_SLOTS_AVAILABLE"
  | "TASK_NOT_FOUND"
  | "SLOT_NOT_FOUND"
  | "SKILL_NOT_FOUND"
  | "INVALID_SKILL_ARGUMENTS"
  | "POOL_DRAINING"
  | "CANCELLED"
  | "TIMEOUT"
  | "CLAUDE_CLI_NOT_FOUND"
  | "QUOTA_EXHAUSTED"
  | "INVALID_OPTIONS"
  | "WORKTREE_ERROR"
  | "CHAIN_NOT_FOUND"
  | "INVALID_CHAIN";

export abstract class PoolError extends Error {
  abstract readonly code: PoolErrorCode;
  override get name(): string {
    return this.constructor.name;
  }
}

export class TaskFailed extends PoolError {
  readonly code = "TASK_FAILED";
  constructor(
    readonly taskId: string,
    message: string,
    /** Why it failed, e.g. `api_error`, `crashed`, `no_result`, `error_max_turns`, `engine_restarted`. */
    readonly reason: string,
    readonly details: { exitCode?: number | null; apiErrorStatus?: number | null; stderr?: string } = {},
  ) {
    super(`task ${taskId} failed (${reason}): ${message}`);
  }
}

export class BudgetExceeded extends PoolError {
  readonly code = "BUDGET_EXCEEDED";
  constructor(
    message: string,
    readonly remainingUsd: number,
    readonly requiredUsd: number,
    /**
     * `budget_exceeded`: refused before it ran; `budget`: stopped by its reservation while running,
     * with what it had produced in `partialOutput`.
     */
    readonly stop: { reason: string; partialOutput: string | null } = {
      reason: "budget_exceeded",
      partialOutput: null,
    },
  ) {
    super(message);
  }
}

export class NoSlotsAvailable extends PoolError {
  readonly code = "NO_SLOTS_AVAILABLE";
}

export class TaskNotFound extends PoolError {
  readonly code = "TASK_NOT_FOUND";
  constructor(readonly taskId: string) {
    super(`task not found: ${taskId}`);
  }
}

export class SlotNotFound extends PoolError {
  readonly code = "SLOT_NOT_FOUND";
  constructor(readonly slotId: string) {
    super(`slot not found: ${slotId}`);
  }
}

export class SkillNotFound extends PoolError {
  readonly code = "SKILL_NOT_FOUND";
  constructor(readonly skill: string) {
    super(`skill not found: ${skill}`);
  }
}

export interface SkillArgumentProblem {
  argument: string;
  problem: "missing" | "unknown";
}

export class InvalidSkillArguments extends PoolError {
  readonly code = "INVALID_SKILL_ARGUMENTS";
  constructor(
    readonly skill: string,
    readonly problems: SkillArgumentProblem[],
  ) {
    super(
      `invalid arguments for skill "${skill}": ${problems.map((p) => `${p.problem} argument "${p.argument}"`).join(", ")}`,
    );
  }
}

export class PoolDraining extends PoolError {
  readonly code = "POOL_DRAINING";
  constructor() {
    super("the pool is draining and accepts no new work");
  }
}

export class Cancelled extends PoolError {
  readonly code = "CANCELLED";
  constructor(readonly taskId: string) {
    super(`task ${taskId} was cancelled`);
  }
}

export class Timeout extends PoolError {
  readonly code = "TIMEOUT";
  constructor(
    readonly taskId: string,
    readonly timeoutMs: number,
    /** What kept it (e.g. the API's rate-limit message), when it ran out of time waiting. */
    readonly detail: string | null = null,
    readonly apiErrorStatus: number | null = null,
  ) {
    super(`task ${taskId} timed out after ${timeoutMs} ms${detail ? `: ${detail}` : ""}`);
  }
}

export class ClaudeCliNotFound extends PoolError {
  readonly code = "CLAUDE_CLI_NOT_FOUND";
  /** `notExecutable`: the file is there but spawning it was refused (EACCES: no x bit). */
  constructor(
    readonly bin: string,
    readonly why: "missing" | "notExecutable" = "missing",
  ) {
    super(
      why === "notExecutable"
        ? `the Claude CLI at "${bin}" is not executable (permission denied). Make it executable (chmod +x), ` +
            "or point `claude.bin` at the executable."
        : `the Claude CLI was not found at "${bin}". Install it with \`npm i -g @anthropic-ai/claude-code\`, ` +
            "or point `claude.bin` at the executable (for a demo without credentials, use claude-sim).",
    );
  }
}

export class QuotaExhausted extends PoolError {
  readonly code = "QUOTA_EXHAUSTED";
  constructor(
    message: string,
    readonly resetsAt: Date | null,
    /** The API's HTTP status (429) when it reported one. */
    readonly apiErrorStatus: number | null = null,
  ) {
    super(message);
  }
}

/** Bad options: names the field, what was expected and what came. */
export class InvalidOptions extends PoolError {
  readonly code = "INVALID_OPTIONS";
  constructor(
    readonly field: string,
    readonly value: unknown,
    /** The end of "<field> must be …", e.g. `an integer ≥ 1`. */
    readonly expected: string,
    /** The whole message, when the sentence above does not fit (e.g. an unknown option). */
    message?: string,
  ) {
    super(message ?? `${field} must be ${expected} (got ${formatValue(value)})`);
  }
}

export class WorktreeError extends PoolError {
  readonly code = "WORKTREE_ERROR";
}

export class ChainNotFound extends PoolError {
  readonly code = "CHAIN_NOT_FOUND";
  constructor(readonly chainId: string) {
    super(`chain not found: ${chainId}`);
  }
}

export class InvalidChain extends PoolError {
  readonly code = "INVALID_CHAIN";
}

function formatValue(value: unknown): string {
  if (value === undefined) return "undefined";
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
