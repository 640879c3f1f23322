import type { SpawnRequest } from "./binding.js";
import type { RunOutcome, RunRequest } from "./run.js";

/**
 * How the pool talks to the Claude CLI (DESIGN.md, "Slots, drivers and sessions").
 *
 * - `cold`: one `claude -p … ` process per task (execa, its own process group).
 * - `warm`: one long-lived `claude -p --input-format stream-json` process per slot, one user
 *   message per task, a `control_request` interrupt to stop a turn; kept when the turn ends,
 *   respawned when it dies or when the task needs flags the process was not started with.
 * - `in-process`: spawns nothing; answers from a script (benchmarks of the pool alone).
 */
export type DriverKind = "cold" | "warm" | "in-process";

/** One slot's connection to the CLI. The pool runs at most one task on it at a time. */
export interface SlotDriver {
  /**
   * Runs one task to its end. Never throws for what the CLI does (crash, garbage, error results):
   * the outcome says what happened and the pool decides. Throws only ClaudeCliNotFound.
   * Aborting `req.signal` stops the turn (warm: interrupt, then kill if it does not stop;
   * cold: kill the process group) and the outcome's `killedFor` names the reason.
   */
  run(req: RunRequest): Promise<RunOutcome>;
  /**
   * The slot's identity or the shared context changed: the process (if any) is retired after
   * its current turn, and the next one may be pre-spawned in the background: with `next` when
   * given (the invocation the slot's next task will most likely use), else warm pre-spawns the
   * same flags continuing the same session.
   */
  retire(next?: SpawnRequest): void;
  /**
   * Warm only: start a process for the next task now, while the slot is idle (e.g. fresh mode:
   * an invocation with a new `newSessionId`). A task whose invocation fits it takes it without
   * paying a spawn; one that does not fit replaces it.
   */
  prespawn?(next: SpawnRequest): void;
  /** True while a process is alive and ready for a turn (the dashboard's "warm"). */
  readonly warm: boolean;
  /** Kills the slot's process (whole group) and waits until it has exited. */
  close(): Promise<void>;
}

export interface Driver {
  readonly kind: DriverKind;
  /** The driver of one slot; the same object for the same id until `close`. */
  slot(slotId: string): SlotDriver;
  /** Closes every slot's driver: no process outlives this promise. */
  close(): Promise<void>;
}
