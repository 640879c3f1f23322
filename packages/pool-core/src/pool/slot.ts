import { microsToUsd } from "../domain/money.js";
import { mergeConfig, type PoolSlotSpec, type SlotSpec } from "../domain/options.js";
import type { ClaudeConfig, SlotInfo, TaskStatus } from "../domain/types.js";
import type { SlotDriver } from "../driver/port.js";
import type { SlotRecord } from "../store/port.js";
import { copySlot } from "../store/record-copy.js";

/**
 * Where the slot's next task starts: the session it continues (null: a new one) and, after a
 * turn that ended without an assistant reply, the last message known good in it, so the failed
 * prompt is not carried into the next request.
 */
export interface SlotSession {
  sessionId: string | null;
  /** `--resume-session-at` for the next resume; null resumes at the session's end. */
  resumeAt: string | null;
}

/** What a turn that ended did to the slot's session (recorded as a task event when not "continued"). */
export type SessionAfterTurn =
  | { kind: "continued"; sessionId: string }
  | { kind: "rewound"; sessionId: string; resumeAt: string; discarded: string }
  | { kind: "fresh"; discarded: string };

/**
 * A slot: identity, per-slot config, counters, its session and its connection to the CLI (at most
 * one `claude` process). The slot makes its own state transitions; the pool asks, never writes.
 */
export class Slot {
  readonly #record: SlotRecord;
  readonly driver: SlotDriver;
  /** The slot's own env over the pool's (`PoolSlotSpec.env`): empty unless it runs on another account. */
  readonly env: Readonly<Record<string, string>>;
  /** The account it runs with (`credentialKeyOf`): what a usage-limit park is keyed on. */
  readonly credential: string;
  #resumeAt: string | null = null;
  /** uuid of the last assistant message of the last turn that succeeded in the slot's session. */
  #lastGood: string | null = null;
  #seenPrompt: string | null = null;

  constructor(
    poolId: string,
    engineId: string,
    index: number,
    spec: PoolSlotSpec,
    driver: SlotDriver,
    credential: string,
  ) {
    const id = `slot-${index}`;
    this.driver = driver;
    this.env = spec.env ?? {};
    this.credential = credential;
    this.#record = {
      id,
      poolId,
      engineId,
      name: spec.name ?? id,
      role: spec.role ?? null,
      description: spec.description ?? null,
      config: spec.config ?? {},
      state: "idle",
      currentTaskId: null,
      sessionId: null,
      worktreePath: null,
      tasksCompleted: 0,
      errors: 0,
      restarts: 0,
      spendMicros: 0,
    };
  }

  get id(): string {
    return this.#record.id;
  }

  get name(): string {
    return this.#record.name;
  }

  get role(): string | null {
    return this.#record.role;
  }

  get busy(): boolean {
    return this.#record.state === "busy";
  }

  get config(): ClaudeConfig {
    return this.#record.config;
  }

  get worktreePath(): string | null {
    return this.#record.worktreePath;
  }

  get currentTaskId(): string | null {
    return this.#record.currentTaskId;
  }

  get session(): SlotSession {
    return { sessionId: this.#record.sessionId, resumeAt: this.#resumeAt };
  }

  /** A copy of the record, as the store keeps it. */
  get record(): SlotRecord {
    return copySlot(this.#record);
  }

  /** Matches the slot's id or its name (callers may use either). */
  isNamed(idOrName: string): boolean {
    return this.#record.id === idOrName || this.#record.name === idOrName;
  }

  attachWorktree(path: string): void {
    this.#record.worktreePath = path;
  }

  /** The slot takes the task (it was claimed for this slot). */
  occupy(taskId: string): void {
    this.#record.state = "busy";
    this.#record.currentTaskId = taskId;
  }

  /** Frees the slot if it still holds this task; true when it did. */
  release(taskId: string): boolean {
    if (this.#record.currentTaskId !== taskId) return false;
    this.#record.state = "idle";
    this.#record.currentTaskId = null;
    return true;
  }

  /** Counts a task's end: completions and errors (a cancel is neither). */
  countEnd(status: Exclude<TaskStatus, "queued" | "running" | "waiting_for_quota">): void {
    if (status === "completed") this.#record.tasksCompleted += 1;
    else if (status !== "cancelled") this.#record.errors += 1;
  }

  charge(micros: number): void {
    this.#record.spendMicros += micros;
  }

  /**
   * After a task in the slot's session, so the next one never carries a prompt that got no
   * reply (the CLI keeps such a prompt last in the session and merges the next one into it):
   * - replied: the next task continues `sessionId` at its end; `lastGood` (the uuid of the
   *   turn's last assistant message, when the turn succeeded) is where a later rewind goes back to;
   * - no reply, and an earlier good message is known: the next task resumes the session at it
   *   (`--resume-session-at`), dropping the failed prompt ("rewound");
   * - no reply, nothing good known: the next task starts a new session ("fresh").
   */
  afterTurn(
    sessionId: string,
    replied: boolean,
    lastGood: string | null,
    appended: string,
  ): SessionAfterTurn {
    if (replied) {
      // The session now holds this appended prompt (from its start, or delivered in the turn).
      this.#seenPrompt = appended;
      this.#record.sessionId = sessionId;
      this.#lastGood = lastGood;
      this.#resumeAt = null;
      return { kind: "continued", sessionId };
    }
    if (this.#record.sessionId !== null && this.#lastGood !== null) {
      this.#resumeAt = this.#lastGood;
      return {
        kind: "rewound",
        sessionId: this.#record.sessionId,
        resumeAt: this.#lastGood,
        discarded: sessionId,
      };
    }
    this.forgetSession();
    return { kind: "fresh", discarded: sessionId };
  }

  /** The slot's next task starts a new session (its session is gone, or held nothing good). */
  forgetSession(): void {
    this.#record.sessionId = null;
    this.#lastGood = null;
    this.#resumeAt = null;
    this.#seenPrompt = null;
  }

  /**
   * The appended system prompt (identity, configured prompt, shared context) the slot's session
   * has seen last. The real CLI keeps a session's appended prompt from its first run, even on
   * `--resume` with another one, so a change has to reach the model inside the next prompt.
   */
  get seenPrompt(): string | null {
    return this.#seenPrompt;
  }

  /** Applies a (validated) partial spec. True when the slot's identity, so its appended prompt, changed. */
  configure(spec: Partial<SlotSpec>): boolean {
    const r = this.#record;
    const before = JSON.stringify([r.name, r.role, r.description, r.config]);
    if (spec.name !== undefined) r.name = spec.name;
    if (spec.role !== undefined) r.role = spec.role;
    if (spec.description !== undefined) r.description = spec.description;
    if (spec.config !== undefined) r.config = mergeConfig(r.config, spec.config);
    return JSON.stringify([r.name, r.role, r.description, r.config]) !== before;
  }

  info(): SlotInfo {
    const r = this.#record;
    return {
      id: r.id,
      name: r.name,
      role: r.role,
      description: r.description,
      state: r.state,
      currentTaskId: r.currentTaskId,
      tasksCompleted: r.tasksCompleted,
      errors: r.errors,
      spendUsd: microsToUsd(r.spendMicros),
      worktreePath: r.worktreePath,
      sessionId: r.sessionId,
      warm: this.driver.warm,
    };
  }

  /**
   * What goes into `--append-system-prompt`: the slot's identity, the configured system prompt and
   * the pool's shared context (appended to Claude Code's own prompt, never replacing it).
   */
  appendedSystemPrompt(
    poolName: string,
    configured: string | undefined,
    context: Array<{ key: string; value: string }>,
  ): string {
    const shared =
      context.length > 0 ? `Shared context:\n${context.map((c) => `- ${c.key}: ${c.value}`).join("\n")}` : "";
    return [this.identity(poolName), configured ?? "", shared].filter((p) => p !== "").join("\n\n");
  }

  /** Slot identity for the appended system prompt. */
  identity(poolName: string): string {
    const r = this.#record;
    let text = `You are "${r.name}" (slot ${r.id}) of the claude-pool "${poolName}".`;
    if (r.role) text += ` Your role: ${r.role}.`;
    if (r.description) text += ` ${r.description}`;
    return text;
  }
}
