import { type BudgetAdmission, budgetStopOf, isBudgetStop } from "../budget/index.js";
import type { PoolEvents } from "../domain/events.js";
import { type Micros, microsToUsd, usdToMicros } from "../domain/money.js";
import { claudeConfigOf, mergeConfig, type PoolOptions } from "../domain/options.js";
import type { RunOutcome } from "../driver/run.js";
import { ZERO_TOKENS } from "../store/memory.js";
import type { ClaimedTask, Store } from "../store/port.js";
import { deadRunSpend, killOrphanedRun, processRecord } from "./orphans.js";
import { judgeOutcome, spendOfRun } from "./outcome.js";
import { promptFor, sessionAfterRun, startingPoint } from "./session-hygiene.js";
import type { Settlement } from "./settlement.js";
import type { Slot } from "./slot.js";
import { TaskEventWriter } from "./task-log.js";

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
}

/**
 * Runs one claimed task on its slot: recovery checks, budget reservation, the driver's run (with
 * every stream line persisted in order, then announced), and the verdict handed to settlement.
 */
export class TaskExecution {
  readonly #d: TaskExecutionDeps;
  /** Last cumulative `total_cost_usd` seen per Claude session, to difference resumed runs. */
  readonly #sessionTotals = new Map<string, Micros>();

  constructor(deps: TaskExecutionDeps) {
    this.#d = deps;
  }

  async execute(slot: Slot, task: ClaimedTask, signal: AbortSignal): Promise<void> {
    const { store, settlement, events } = this.#d;
    await settlement.saveSlot(slot);
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
    if (
      task.claimedFrom === "waiting_for_quota" &&
      task.attempt - task.recoveries > this.#d.opts.config.maxQuotaWaits + 1
    ) {
      const error = {
        code: "QUOTA_EXHAUSTED",
        message: "usage limits kept the task waiting too often",
        reason: "usage_limit",
      };
      await settlement.finish(slot, task, { status: "failed", error }, null);
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
      for (const e of persisted) {
        events.emit({ type: "task.output", taskId: task.id, seq: e.seq, kind: e.kind, payload: e.payload });
      }
    });

    for (;;) {
      const resume = start.sessionId;
      const previousTotal = resume ? (this.#sessionTotals.get(resume) ?? 0) : 0;
      let sessionSaved = false;
      const outcome: RunOutcome = await slot.driver.run({
        bin: this.#d.bin,
        cwd: task.cwd ?? slot.worktreePath ?? this.#d.cwd,
        env: this.#d.env,
        invocation: {
          prompt: promptFor(slot, task, start, appendSystemPrompt),
          config,
          appendSystemPrompt,
          resumeSessionId: resume,
          resumeSessionAt: start.at,
          maxBudgetUsd: reservation === null ? null : microsToUsd(reservation),
          mcpConfig: this.#d.opts.claude.mcpServers ?? {},
          extraArgs: this.#d.opts.claude.extraArgs ?? [],
        },
        timeoutMs: task.timeoutMs,
        stopAboveMicros: reservation,
        signal,
        onLine: (line) => {
          if (line.kind === "noise") writer.push({ kind: "noise", payload: line.text });
          else writer.push({ kind: line.kind === "other" ? line.type : line.raw.type, payload: line.raw });
          if (line.kind === "init" && !sessionSaved) {
            sessionSaved = true;
            void store.updateRunningTask(task.id, {
              claudeSessionId: line.raw.session_id,
              model: line.raw.model,
            });
          }
        },
        onStderr: (text) => writer.push({ kind: "stderr", payload: text }),
        onSpawn: (pid) => writer.push({ kind: "process", payload: processRecord(pid) }),
      });
      const verdict = judgeOutcome(outcome, task.timeoutMs);
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
      await writer.flush().catch(() => {});
      const spend = spendOfRun(outcome, previousTotal);
      spend.spendMicros += deadRun;
      if (outcome.result && outcome.sessionId) {
        this.#sessionTotals.set(outcome.sessionId, usdToMicros(outcome.result.total_cost_usd));
      }
      if (verdict.kind === "ended" && reservation !== null && isBudgetStop(verdict.error)) {
        // Stopped by its reservation: keep what it produced, and say so (reason "budget").
        verdict.error = await budgetStopOf(store, task.id, reservation, spend.spendMicros, verdict.error);
      }
      slot.charge(spend.spendMicros);
      await settlement.conclude(slot, task, verdict, spend, outcome);
      return;
    }
  }
}
