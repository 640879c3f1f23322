import { type BudgetAdmission, budgetStopOf, isBudgetStop } from "../budget/index.js";
import type { PoolClock } from "../domain/clock.js";
import type { PoolEvents } from "../domain/events.js";
import { type Micros, microsToUsd, usdToMicros } from "../domain/money.js";
import { claudeConfigOf, mergeConfig, type PoolOptions } from "../domain/options.js";
import type { RunOutcome } from "../driver/run.js";
import { abortReason } from "../driver/turn.js";
import { addTokens, ZERO_TOKENS } from "../store/memory.js";
import type { ClaimedTask, Store } from "../store/port.js";
import { diskFullNote } from "../worktrees/disk.js";
import { afterRateLimit, afterUsageLimit, taskDeadline } from "./limits.js";
import { deadRunSpend, killOrphanedRun } from "./orphans.js";
import { judgeOutcome, type RunSpend, spendOfRun, type Verdict } from "./outcome.js";
import { freshSpawnRequest, shouldPrespawnFresh } from "./prespawn.js";
import { promptFor, sessionAfterRun, startingPoint } from "./session-hygiene.js";
import type { Settlement } from "./settlement.js";
import type { Slot } from "./slot.js";
import { diffedWorktree, recordTaskDiff, treeBefore } from "./task-diff.js";
import { RunStream, TaskEventWriter } from "./task-log.js";

export interface TaskExecutionDeps {
  poolId: string;
  poolName: string;
  store: Store;
  opts: PoolOptions;
  bin: string;
  env: Record<string, string>;
  cwd: string;
  events: PoolEvents;
  budget: BudgetAdmission;
  settlement: Settlement;
  clock: PoolClock;
}

/**
 * Runs one claimed task on its slot: recovery checks, budget reservation, the driver's run (with
 * every stream line persisted in order, then announced), and the verdict handed to settlement.
 */
export class TaskExecution {
  readonly #d: TaskExecutionDeps;
  /** Last cumulative `total_cost_usd` seen per Claude session, to difference resumed runs. */
  readonly #sessionTotals = new Map<string, Micros>();
  /** The appended prompt each caller's session (chains, review) last saw in a replied turn here. */
  readonly #callerSeen = new Map<string, string>();

  constructor(deps: TaskExecutionDeps) {
    this.#d = deps;
  }

  #seenBy(sessionId: string | null): string | null {
    return sessionId === null ? null : (this.#callerSeen.get(sessionId) ?? null);
  }

  /** A caller's session replied with this appended prompt (moved last, so the map forgets idle sessions first). */
  #sawPrompt(sessionId: string, appended: string): void {
    this.#callerSeen.delete(sessionId);
    this.#callerSeen.set(sessionId, appended);
    if (this.#callerSeen.size > CALLER_SESSIONS) {
      const oldest = this.#callerSeen.keys().next().value;
      if (oldest !== undefined) this.#callerSeen.delete(oldest);
    }
  }

  async execute(slot: Slot, task: ClaimedTask, signal: AbortSignal): Promise<void> {
    const { store, settlement, events } = this.#d;
    // The claim saved the slot busy already when the store could (one statement less a task).
    if (task.slotSaved) settlement.slotSaved(slot);
    else await settlement.saveSlot(slot);
    let deadRun: Micros = 0;
    if (task.claimedFrom === "running") {
      await killOrphanedRun(store, task.id);
      deadRun = deadRunSpend(await store.listTaskEvents(task.id));
    }
    // Whatever way the task ends without running, the dead run's calls are still paid for.
    const deadRunOnly = { spendMicros: deadRun, tokens: ZERO_TOKENS, model: null, turns: 0 };
    if (task.claimedFrom === "running" && task.recoveries > 1) {
      const error = {
        code: "TASK_FAILED",
        message: "its engine stopped twice while running it",
        reason: "engine_restarted",
      };
      await settlement.finish(slot, task, { status: "failed", error }, deadRunOnly);
      return;
    }
    // Waits while reservations in flight may free enough; refused only when none could.
    const admission = await this.#d.budget.admit(task, signal);
    if (admission.kind === "refused" || admission.kind === "aborted") {
      if (admission.end) await settlement.finish(slot, task, admission.end, deadRunOnly);
      return;
    }
    const reservation = admission.kind === "reserved" ? admission.micros : null;
    if (reservation !== null) await settlement.announceBudget();
    events.emit({ type: "task.started", taskId: task.id, slotId: slot.id, attempt: task.attempt });

    const config = mergeConfig(claudeConfigOf(this.#d.opts.config), slot.config, task.config);
    const context = await store.contextList(this.#d.poolId);
    const appendSystemPrompt = slot.appendedSystemPrompt(this.#d.poolName, config.systemPrompt, context);
    let start = await startingPoint(store, slot, task);
    const writer = new TaskEventWriter(store, task.id, (persisted) => {
      if (!events.heard("task.output")) return;
      for (const e of persisted) {
        events.emit({
          type: "task.output",
          taskId: task.id,
          seq: e.seq,
          kind: e.kind,
          payload: e.payload,
          at: e.at.toISOString(),
        });
      }
    });

    // What the task changes in its worktree is recorded when it ends (per-task diffs).
    const worktree = diffedWorktree(slot, task);
    const before = worktree === null ? null : await treeBefore(store, task, worktree);
    const clock = this.#d.clock;
    const poolConfig = this.#d.opts.config;
    const deadline = taskDeadline(task, poolConfig, clock.now());
    let spent: RunSpend = { spendMicros: deadRun, tokens: ZERO_TOKENS, model: null, turns: 0 };
    let rateLimited = 0;
    for (;;) {
      const left = deadline === null ? null : deadline - clock.now();
      if (left !== null && left <= 0) {
        // Its time went on waits (usage-limit parks) before this try.
        const error = {
          code: "TIMEOUT",
          message: `its ${task.timeoutMs} ms ran out while it waited for a usage limit to reset`,
          reason: "usage_limit",
        };
        slot.charge(spent.spendMicros);
        await settlement.finish(slot, task, { status: "timed_out", error }, spent, start.sessionId);
        return;
      }
      const resume = start.sessionId;
      const previousTotal = resume ? (this.#sessionTotals.get(resume) ?? 0) : 0;
      const stream = new RunStream(writer);
      const outcome: RunOutcome = await slot.driver.run({
        bin: this.#d.bin,
        cwd: task.cwd ?? slot.worktreePath ?? this.#d.cwd,
        env: Object.keys(slot.env).length === 0 ? this.#d.env : { ...this.#d.env, ...slot.env },
        invocation: {
          prompt: promptFor(slot, task, start, appendSystemPrompt, this.#seenBy(start.sessionId)),
          config,
          appendSystemPrompt,
          resumeSessionId: resume,
          resumeSessionAt: start.at,
          maxBudgetUsd: reservation === null ? null : microsToUsd(reservation),
          mcpConfig: this.#d.opts.claude.mcpServers ?? {},
          extraArgs: this.#d.opts.claude.extraArgs ?? [],
        },
        timeoutMs: left,
        stopAboveMicros: reservation,
        signal,
        onLine: stream.onLine,
        onStderr: stream.onStderr,
        onSpawn: stream.onSpawn,
      });
      let verdict: Verdict = judgeOutcome(outcome, task.timeoutMs);
      // The account is over its limit, not just this task: nothing else of it is tried until the reset.
      if (verdict.kind === "quota" && verdict.resetsAt !== null && verdict.resetsAt.getTime() > clock.now()) {
        await settlement.parkCredential(slot, verdict.resetsAt, task.id);
      }
      if (verdict.kind === "missing_session" && resume !== null) {
        // The slot's session is gone (another machine, pruned transcripts): start a new one.
        start = { sessionId: null, at: null };
        continue;
      }
      // A turn without a reply never leaves its prompt in the session's next request.
      const moved =
        verdict.kind === "missing_session"
          ? null
          : sessionAfterRun(slot, task, start, outcome, appendSystemPrompt);
      if (moved) writer.push(moved);
      if (task.explicitSession && outcome.assistantReplied && outcome.sessionId)
        this.#sawPrompt(outcome.sessionId, appendSystemPrompt);
      await writer.flush().catch(() => {});
      spent = addSpend(spent, spendOfRun(outcome, previousTotal));
      if (outcome.result && outcome.sessionId) {
        this.#sessionTotals.set(outcome.sessionId, usdToMicros(outcome.result.total_cost_usd));
      }
      if (verdict.kind === "rate_limited") {
        const next = afterRateLimit(verdict, rateLimited, poolConfig, task, deadline, clock.now());
        if (next.kind === "retry") {
          rateLimited += 1;
          writer.push({
            kind: "rate_limit.retry",
            payload: {
              retry: rateLimited,
              delayMs: next.delayMs,
              apiErrorStatus: verdict.apiErrorStatus,
              message: verdict.message,
            },
          });
          await writer.flush().catch(() => {});
          await clock.sleep(next.delayMs, signal);
          if (!signal.aborted) {
            start = await startingPoint(store, slot, task);
            continue;
          }
          verdict = judgeOutcome(
            { ...outcome, result: null, killedFor: abortReason(signal) },
            task.timeoutMs,
          );
        } else {
          verdict = next;
        }
      }
      if (verdict.kind === "quota") {
        const next = afterUsageLimit(verdict, poolConfig, task, deadline, clock.now());
        verdict = next.kind === "park" ? { ...verdict, resetsAt: next.runAfter } : next;
      }
      if (verdict.kind === "ended" && reservation !== null && isBudgetStop(verdict.error)) {
        // Stopped by its reservation: keep what it produced, and say so (reason "budget").
        verdict.error = await budgetStopOf(store, task.id, reservation, spent.spendMicros, verdict.error);
      }
      if (worktree !== null && verdict.kind === "ended" && verdict.status === "failed") {
        // The CLI's own words for a full disk rarely name it ("ENOSPC … write"): say which.
        const full = await diskFullNote(worktree);
        if (full) verdict.error = { ...verdict.error, message: `${full}: ${verdict.error.message}` };
      }
      if (worktree !== null && before !== null && verdict.kind !== "lease_lost") {
        await recordTaskDiff(store, task.id, worktree, before);
      }
      if (shouldPrespawnFresh(this.#d.opts, slot, task, signal.aborted ? abortReason(signal) : null)) {
        // Fresh mode: the slot's next task gets a process started now, while the slot is idle.
        const deps = { ...this.#d, context: await store.contextList(this.#d.poolId) };
        slot.driver.retire(freshSpawnRequest(slot, deps));
      }
      slot.charge(spent.spendMicros);
      await settlement.conclude(slot, task, verdict, spent, outcome);
      return;
    }
  }
}

/** At most this many callers' sessions are remembered (the oldest is forgotten first). */
const CALLER_SESSIONS = 10_000;

/** Two runs' spend as one (a task retried after a rate limit pays for both). */
function addSpend(a: RunSpend, b: RunSpend): RunSpend {
  return {
    spendMicros: a.spendMicros + b.spendMicros,
    tokens: addTokens(a.tokens, b.tokens),
    model: b.model ?? a.model,
    turns: a.turns + b.turns,
  };
}
