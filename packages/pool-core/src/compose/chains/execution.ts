import { Cancelled } from "../../domain/errors.js";
import { microsToUsd, usdToMicros } from "../../domain/money.js";
import type { TaskOptionsInput } from "../../domain/options.js";
import type { TaskRunner } from "../../domain/task-runner.js";
import { isTerminal, type TaskResult } from "../../domain/types.js";
import { WorktreeManager } from "../../worktrees/manager.js";
import { extractOutputVars } from "./output.js";
import { type PlannedStep, renderRecoveryPrompt, renderStepPrompt, stepConfig } from "./plan.js";
import {
  type ActiveChain,
  addUsd,
  announceChain,
  assistantReply,
  assistantText,
  type ChainDefinition,
  type ChainHost,
  describeError,
  saveChain,
} from "./progress.js";
import type { ChainOptions, ChainProgress, StepProgress } from "./schema.js";

type AttemptOutcome =
  | { ok: true; result: TaskResult; vars: Record<string, unknown> }
  | { ok: false; error: string; cancelled: boolean };

/**
 * Runs one chain's steps in order on the pool's tasks: attempts, retries and the recovery prompt
 * per step, all in the chain's own session; progress persisted at every step-status change.
 */
export class ChainExecution {
  readonly #tasks: TaskRunner;
  readonly #host: ChainHost;
  #ownWorktrees: Promise<WorktreeManager> | null = null;

  constructor(tasks: TaskRunner, host: ChainHost) {
    this.#tasks = tasks;
    this.#host = host;
  }

  async run(chain: ActiveChain, definition: ChainDefinition): Promise<void> {
    const { progress, controller } = chain;
    const { steps, options } = definition;
    let cwd = progress.worktreePath ?? options.cwd;
    if (options.isolation === "worktree" && progress.worktreePath === null) {
      const worktree = await (await this.#worktrees(options)).createChainWorktree(progress.chainId);
      progress.worktreePath = worktree.path;
      progress.branch = worktree.branch;
      cwd = worktree.path;
      await saveChain(this.#host, chain, definition);
    }

    const completed = new Map<string, { output: string; vars: Record<string, unknown> }>();
    let previousOutput: string | null = null;
    for (const [index, step] of steps.entries()) {
      const state = progress.steps[index];
      if (!state) break;
      if (state.status === "completed" && state.output !== null) {
        // Done before this engine took the chain over.
        completed.set(step.name, { output: state.output, vars: state.vars });
        previousOutput = state.output;
        continue;
      }
      if (controller.signal.aborted) return this.end(chain, definition, "cancelled", index);

      progress.currentStep = index;
      progress.currentStepName = step.name;
      progress.partialOutput = "";
      state.status = "running";
      state.startedAt ??= new Date().toISOString();
      await saveChain(this.#host, chain, definition);
      const started = Date.parse(state.startedAt);

      const scope = { previousOutput, steps: completed };
      let outcome: AttemptOutcome = { ok: false, error: "not run", cancelled: false };
      // A task the previous engine left unfinished is recovered by the pool: wait for it.
      const unfinished = await this.#unfinishedTask(state);
      if (unfinished !== null)
        outcome = await this.#attempt(chain, definition, step, state, null, cwd, unfinished);
      while (!outcome.ok && !outcome.cancelled && state.attempts <= step.failurePolicy.retries) {
        outcome = await this.#attempt(chain, definition, step, state, renderStepPrompt(step, scope), cwd);
      }
      if (!outcome.ok && !outcome.cancelled) {
        const recovery = renderRecoveryPrompt(step, { ...scope, error: outcome.error });
        if (recovery !== undefined) {
          state.status = "recovering";
          state.error = outcome.error;
          await saveChain(this.#host, chain, definition);
          outcome = await this.#attempt(chain, definition, step, state, recovery, cwd);
          if (outcome.ok) state.recovered = true;
        }
      }
      state.durationMs = Date.now() - started;
      state.finishedAt = new Date().toISOString();
      if (!outcome.ok) {
        state.error = outcome.error;
        state.status = outcome.cancelled ? "cancelled" : "failed";
        if (!outcome.cancelled) progress.error = `step "${step.name}" failed: ${outcome.error}`;
        return this.end(chain, definition, outcome.cancelled ? "cancelled" : "failed", index + 1);
      }
      state.status = "completed";
      state.output = outcome.result.output;
      state.vars = outcome.vars;
      if (!state.recovered) state.error = null;
      completed.set(step.name, { output: outcome.result.output, vars: outcome.vars });
      previousOutput = outcome.result.output;
      progress.finalOutput = outcome.result.output;
    }
    await this.end(chain, definition, "completed");
  }

  /** Stops a step's task (its process is killed); a task already ended is left alone. */
  async cancelTask(taskId: string): Promise<void> {
    await this.#tasks.cancel(taskId).catch(() => false);
  }

  /** Ends the chain; steps from `skipFrom` on that never ran are marked skipped. */
  async end(
    chain: ActiveChain,
    definition: ChainDefinition,
    status: ChainProgress["status"],
    skipFrom = chain.progress.steps.length,
  ): Promise<void> {
    const { progress } = chain;
    for (const state of progress.steps.slice(skipFrom))
      if (state.status === "pending") state.status = "skipped";
    progress.status = status;
    progress.success = status === "completed";
    progress.currentStep = null;
    progress.currentStepName = null;
    progress.partialOutput = "";
    progress.finishedAt = new Date().toISOString();
    if (status === "cancelled" && progress.error === null) progress.error = "cancelled";
    await saveChain(this.#host, chain, definition);
  }

  /** The step's last task, if it has not ended (its engine stopped while it ran). */
  async #unfinishedTask(state: StepProgress): Promise<string | null> {
    const last = state.taskIds.at(-1);
    if (last === undefined) return null;
    const task = await this.#tasks.task(last).catch(() => null);
    return task && !isTerminal(task.status) ? last : null;
  }

  /**
   * One attempt of a step: a task in the chain's session, its spend recorded whatever the outcome.
   * With `adoptTaskId`, waits for that already-submitted task instead of submitting `prompt`.
   */
  async #attempt(
    chain: ActiveChain,
    definition: ChainDefinition,
    step: PlannedStep,
    state: StepProgress,
    prompt: string | null,
    cwd: string | undefined,
    adoptTaskId: string | null = null,
  ): Promise<AttemptOutcome> {
    const { progress, controller } = chain;
    const { options } = definition;
    if (controller.signal.aborted) return { ok: false, error: "cancelled", cancelled: true };
    const spentMicros = usdToMicros(progress.spendUsd);
    const capMicros = options.maxBudgetUsd === undefined ? null : usdToMicros(options.maxBudgetUsd);
    if (capMicros !== null && spentMicros >= capMicros) {
      return { ok: false, error: `the chain's budget ($${options.maxBudgetUsd}) is spent`, cancelled: false };
    }
    const taskOptions: TaskOptionsInput = {
      session: {
        resume: progress.sessionId,
        at: progress.sessionId === null ? null : (progress.sessionResumeAt ?? null),
      },
      config: stepConfig(step, options.config),
      tags: [...options.tags, `chain:${progress.chainId}`],
      chainId: progress.chainId,
      chainStep: step.name,
      ...(cwd === undefined ? {} : { cwd }),
      ...(options.priority === undefined ? {} : { priority: options.priority }),
      ...(options.slot === undefined ? {} : { slot: options.slot }),
      ...(options.role === undefined ? {} : { role: options.role }),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      ...(capMicros === null ? {} : { maxBudgetUsd: microsToUsd(capMicros - spentMicros) }),
      ...(options.submittedBy === undefined ? {} : { submittedBy: options.submittedBy }),
      ...(step.skill ? { skill: step.skill.name } : {}),
    };

    let taskId: string;
    if (adoptTaskId !== null) {
      taskId = adoptTaskId;
    } else {
      try {
        taskId = await this.#tasks.submit(prompt ?? "", taskOptions);
      } catch (error) {
        // A refused submit is an attempt too: without counting it, the retry loop would spin.
        state.attempts += 1;
        return { ok: false, error: describeError(error), cancelled: false };
      }
      state.attempts += 1;
      state.taskIds.push(taskId);
    }
    chain.currentTaskId = taskId;
    progress.partialOutput = "";
    await saveChain(this.#host, chain, definition);
    // A cancel that arrived while the task was being submitted.
    if (controller.signal.aborted) await this.#tasks.cancel(taskId).catch(() => false);

    // Whether the turn got a real reply, and its last message: where a later rewind goes back to.
    let replied = false;
    let lastReply: string | null = null;
    const stopListening = this.#tasks.onTaskOutput((event) => {
      if (event.taskId !== taskId) return;
      const reply = assistantReply(event.kind, event.payload);
      if (reply) {
        replied = true;
        lastReply = reply.uuid ?? lastReply;
      }
      const text = assistantText(event.kind, event.payload);
      if (text === "") return;
      progress.partialOutput += text;
      announceChain(this.#host, progress);
    });
    let outcome: AttemptOutcome;
    try {
      const result = await this.#tasks.result(taskId, { wait: true });
      if (!result) throw new Cancelled(taskId);
      const vars = extractOutputVars(step.outputVars, result);
      outcome = vars.ok
        ? { ok: true, result, vars: vars.vars }
        : { ok: false, error: vars.error, cancelled: false };
    } catch (error) {
      outcome = {
        ok: false,
        error: describeError(error),
        cancelled: error instanceof Cancelled || controller.signal.aborted,
      };
    } finally {
      stopListening();
      chain.currentTaskId = null;
    }

    // The task record has the session (even of a failed run) and what it cost.
    const task = await this.#tasks.task(taskId);
    moveChainSession(progress, task.claudeSessionId, task.status === "completed", replied, lastReply);
    state.spendUsd = addUsd(state.spendUsd, task.spendMicros);
    progress.spendUsd = addUsd(progress.spendUsd, task.spendMicros);
    if (!outcome.ok) state.error = outcome.error;
    await saveChain(this.#host, chain, definition);
    return outcome;
  }

  /** The pool's worktree manager, or one of the runner's own when the pool runs without worktrees. */
  async #worktrees(options: ChainOptions): Promise<WorktreeManager> {
    const shared = this.#host.worktrees;
    if (shared) return shared;
    this.#ownWorktrees ??= WorktreeManager.open({
      repoDir: options.cwd ?? this.#host.repoDir,
      poolId: this.#host.poolId,
    });
    return this.#ownWorktrees;
  }
}

/**
 * The chain's session after an attempt. A reply moves it on (and, when its task completed,
 * remembers its last message); no reply keeps the failed prompt out of the next request: resume
 * at the last good message, or, when the chain has none yet, start a new session.
 */
function moveChainSession(
  progress: ChainProgress,
  sessionId: string | null,
  succeeded: boolean,
  replied: boolean,
  lastReply: string | null,
): void {
  if (replied) {
    if (sessionId) progress.sessionId = sessionId;
    // A turn that replied but failed (e.g. max turns) keeps the earlier good point.
    if (succeeded && lastReply !== null) progress.lastGoodMessageUuid = lastReply;
    progress.sessionResumeAt = null;
    return;
  }
  const lastGood = progress.lastGoodMessageUuid ?? null;
  if (progress.sessionId !== null && lastGood !== null) {
    progress.sessionResumeAt = lastGood;
    return;
  }
  progress.sessionId = null;
  progress.sessionResumeAt = null;
}
