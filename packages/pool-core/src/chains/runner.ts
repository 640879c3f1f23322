import { Cancelled, ChainNotFound, PoolError } from "../errors.js";
import { newId } from "../ids.js";
import { type Micros, microsToUsd, usdToMicros } from "../money.js";
import type { TaskOptionsInput } from "../options.js";
import type { Pool } from "../pool.js";
import type { ChainRecord } from "../store/port.js";
import { isTerminal, type TaskResult } from "../types.js";
import { WorktreeManager } from "../worktree.js";
import { extractOutputVars } from "./output.js";
import {
  type PlannedStep,
  planChain,
  renderRecoveryPrompt,
  renderStepPrompt,
  type SkillLookup,
  stepConfig,
} from "./plan.js";
import {
  type ChainOptions,
  type ChainOptionsInput,
  type ChainProgress,
  type ChainStepInput,
  chainOptionsSchema,
  type StepProgress,
} from "./schema.js";

/** The part of the pool a chain runs on. `Pool` satisfies it; tests may pass a narrower double. */
export type ChainPool = Pick<
  Pool,
  | "id"
  | "engineId"
  | "store"
  | "submit"
  | "result"
  | "cancel"
  | "task"
  | "on"
  | "emit"
  | "worktrees"
  | "options"
>;

/** What the chain record's `definition` holds: enough to show, audit or re-run the chain. */
export interface ChainDefinition {
  steps: PlannedStep[];
  options: ChainOptions;
}

interface ActiveChain {
  progress: ChainProgress;
  controller: AbortController;
  currentTaskId: string | null;
  done: Promise<void>;
  /** Another engine took the chain over (our lease lapsed): stop without writing anything more. */
  released: boolean;
}

type AttemptOutcome =
  | { ok: true; result: TaskResult; vars: Record<string, unknown> }
  | { ok: false; error: string; cancelled: boolean };

/**
 * Runs chains on a pool. A chain holds one Claude session across its steps: the first step starts
 * a detached session and every later attempt resumes it, so no slot's session is read or changed.
 * With `isolation: "worktree"` the chain works in its own worktree and branch, kept afterwards for
 * review. Progress is persisted (`store.saveChain`) and announced (`chain.progress`) at every
 * change of step status.
 *
 * @example
 * const chains = new ChainRunner(pool, pool.skills);
 * const id = await chains.submit([
 *   { name: "find", action: { type: "prompt", prompt: "List TODOs as JSON {\"todos\": [...]}" }, outputVars: { todos: "todos" } },
 *   { name: "fix", action: { type: "prompt", prompt: "Fix these: {steps.find.todos}" } },
 * ]);
 * const progress = await chains.result(id, { wait: true });
 */
export class ChainRunner {
  readonly #pool: ChainPool;
  readonly #skills: SkillLookup;
  readonly #active = new Map<string, ActiveChain>();
  #ownWorktrees: Promise<WorktreeManager> | null = null;

  constructor(pool: ChainPool, skills: SkillLookup) {
    this.#pool = pool;
    this.#skills = skills;
  }

  /**
   * Validates the steps (every template reference included) and starts the chain. Throws
   * `InvalidChainDefinition` before anything runs; returns the chain id once it is persisted.
   */
  async submit(steps: readonly ChainStepInput[], options: ChainOptionsInput = {}): Promise<string> {
    const planned = planChain(steps, this.#skills);
    const opts = chainOptionsSchema.parse(options);
    const chainId = newId();
    const now = new Date().toISOString();
    const progress: ChainProgress = {
      chainId,
      status: "running",
      totalSteps: planned.length,
      currentStep: null,
      currentStepName: null,
      partialOutput: "",
      steps: planned.map((step) => ({
        name: step.name,
        status: "pending",
        attempts: 0,
        spendUsd: 0,
        durationMs: 0,
        output: null,
        vars: {},
        error: null,
        recovered: false,
        taskIds: [],
        startedAt: null,
        finishedAt: null,
      })),
      finalOutput: null,
      spendUsd: 0,
      success: null,
      error: null,
      sessionId: null,
      worktreePath: null,
      branch: null,
      tags: opts.tags,
      createdAt: now,
      finishedAt: null,
    };
    const definition: ChainDefinition = { steps: planned, options: opts };
    const chain = this.#activate(progress);
    await this.#save(chain, definition);
    await this.#pool.store.claimChain(chainId, this.#pool.engineId, this.#pool.options.leaseMs);
    this.#start(chain, definition);
    return chainId;
  }

  /**
   * Continues a chain taken over from an engine that stopped (see `Store.claimOrphanedChains`) at
   * the step it was on: completed steps keep their outputs, a step whose task is still unfinished
   * waits for that task (the pool recovers it), anything else gets a new attempt.
   */
  resume(record: ChainRecord): void {
    if (this.#active.has(record.id) || record.status !== "running") return;
    const definition = record.definition as ChainDefinition;
    const chain = this.#activate(structuredClone(record.state as ChainProgress));
    this.#start(chain, definition);
  }

  /** Ids of the chains this runner is driving (for lease renewal). */
  activeChainIds(): string[] {
    return [...this.#active.keys()];
  }

  /** Another engine owns the chain now: stop driving it here, leaving its task and record alone. */
  release(chainId: string): void {
    const chain = this.#active.get(chainId);
    if (!chain) return;
    chain.released = true;
    chain.controller.abort();
  }

  #activate(progress: ChainProgress): ActiveChain {
    const chain: ActiveChain = {
      progress,
      controller: new AbortController(),
      currentTaskId: null,
      done: Promise.resolve(),
      released: false,
    };
    this.#active.set(progress.chainId, chain);
    return chain;
  }

  #start(chain: ActiveChain, definition: ChainDefinition): void {
    const { progress } = chain;
    const chainId = progress.chainId;
    chain.done = this.#run(chain, definition)
      .catch(async (error: unknown) => {
        progress.error = describeError(error);
        await this.#end(chain, definition, "failed");
      })
      .catch((error: unknown) => {
        process.emitWarning(
          `claude-pool: chain ${chainId} could not record its end: ${describeError(error)}`,
        );
      })
      .finally(() => {
        this.#active.delete(chainId);
      });
  }

  /**
   * The chain's progress. With `wait`, resolves once it has ended. Throws `ChainNotFound`.
   */
  async result(chainId: string, opts: { wait?: boolean; signal?: AbortSignal } = {}): Promise<ChainProgress> {
    for (;;) {
      const active = this.#active.get(chainId);
      if (active) {
        if (!opts.wait) return structuredClone(active.progress);
        await Promise.race([active.done, abortPromise(opts.signal)]);
      }
      const record = await this.#pool.store.getChain(chainId);
      if (!record) throw new ChainNotFound(chainId);
      if (!opts.wait || record.status !== "running") return record.state as ChainProgress;
      // Running on another engine that shares the store: poll its persisted progress.
      opts.signal?.throwIfAborted();
      await new Promise((resolve) => setTimeout(resolve, this.#pool.options.pollIntervalMs));
    }
  }

  /**
   * Cancels a running chain: its current step's process is killed and the remaining steps are
   * skipped. Returns false when the chain had already ended. Throws `ChainNotFound`.
   */
  async cancel(chainId: string): Promise<boolean> {
    const active = this.#active.get(chainId);
    if (!active) {
      if (!(await this.#pool.store.getChain(chainId))) throw new ChainNotFound(chainId);
      return false;
    }
    active.controller.abort();
    if (active.currentTaskId !== null) await this.#pool.cancel(active.currentTaskId).catch(() => false);
    await active.done;
    return true;
  }

  /** Persisted chains of this pool, newest first, optionally by status. */
  async list(status?: ChainRecord["status"][]): Promise<ChainProgress[]> {
    const records = await this.#pool.store.listChains(this.#pool.id, status);
    return records
      .map((record) => this.#active.get(record.id)?.progress ?? (record.state as ChainProgress))
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  /** Waits for every running chain (for drain). */
  async settle(): Promise<void> {
    await Promise.all([...this.#active.values()].map((chain) => chain.done));
  }

  async #run(chain: ActiveChain, definition: ChainDefinition): Promise<void> {
    const { progress, controller } = chain;
    const { steps, options } = definition;
    let cwd = progress.worktreePath ?? options.cwd;
    if (options.isolation === "worktree" && progress.worktreePath === null) {
      const worktree = await (await this.#worktrees(options)).createChainWorktree(progress.chainId);
      progress.worktreePath = worktree.path;
      progress.branch = worktree.branch;
      cwd = worktree.path;
      await this.#save(chain, definition);
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
      if (controller.signal.aborted) return this.#stop(chain, definition, index, "cancelled");

      progress.currentStep = index;
      progress.currentStepName = step.name;
      progress.partialOutput = "";
      state.status = "running";
      state.startedAt ??= new Date().toISOString();
      await this.#save(chain, definition);
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
          await this.#save(chain, definition);
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
        return this.#stop(chain, definition, index + 1, outcome.cancelled ? "cancelled" : "failed");
      }
      state.status = "completed";
      state.output = outcome.result.output;
      state.vars = outcome.vars;
      if (!state.recovered) state.error = null;
      completed.set(step.name, { output: outcome.result.output, vars: outcome.vars });
      previousOutput = outcome.result.output;
      progress.finalOutput = outcome.result.output;
    }
    await this.#end(chain, definition, "completed");
  }

  /** The step's last task, if it has not ended (its engine stopped while it ran). */
  async #unfinishedTask(state: StepProgress): Promise<string | null> {
    const last = state.taskIds.at(-1);
    if (last === undefined) return null;
    const task = await this.#pool.task(last).catch(() => null);
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
      session: { resume: progress.sessionId },
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
        taskId = await this.#pool.submit(prompt ?? "", taskOptions);
      } catch (error) {
        return { ok: false, error: describeError(error), cancelled: false };
      }
      state.attempts += 1;
      state.taskIds.push(taskId);
    }
    chain.currentTaskId = taskId;
    progress.partialOutput = "";
    await this.#save(chain, definition);
    // A cancel that arrived while the task was being submitted.
    if (controller.signal.aborted) await this.#pool.cancel(taskId).catch(() => false);

    const stopListening = this.#pool.on("task.output", (event) => {
      if (event.taskId !== taskId) return;
      const text = assistantText(event.kind, event.payload);
      if (text === "") return;
      progress.partialOutput += text;
      this.#announce(progress);
    });
    let outcome: AttemptOutcome;
    try {
      const result = await this.#pool.result(taskId, { wait: true });
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
    const task = await this.#pool.task(taskId);
    if (task.claudeSessionId) progress.sessionId = task.claudeSessionId;
    state.spendUsd = addUsd(state.spendUsd, task.spendMicros);
    progress.spendUsd = addUsd(progress.spendUsd, task.spendMicros);
    if (!outcome.ok) state.error = outcome.error;
    await this.#save(chain, definition);
    return outcome;
  }

  /** Marks steps from `from` on as skipped (or cancelled) and ends the chain. */
  async #stop(
    chain: ActiveChain,
    definition: ChainDefinition,
    from: number,
    status: "failed" | "cancelled",
  ): Promise<void> {
    for (const state of chain.progress.steps.slice(from)) {
      if (state.status === "pending") state.status = "skipped";
    }
    await this.#end(chain, definition, status);
  }

  async #end(
    chain: ActiveChain,
    definition: ChainDefinition,
    status: ChainProgress["status"],
  ): Promise<void> {
    const { progress } = chain;
    progress.status = status;
    progress.success = status === "completed";
    progress.currentStep = null;
    progress.currentStepName = null;
    progress.partialOutput = "";
    progress.finishedAt = new Date().toISOString();
    if (status === "cancelled" && progress.error === null) progress.error = "cancelled";
    await this.#save(chain, definition);
  }

  async #save(chain: ActiveChain, definition: ChainDefinition): Promise<void> {
    const { progress } = chain;
    if (chain.released) return;
    await this.#pool.store.saveChain({
      id: progress.chainId,
      poolId: this.#pool.id,
      status: progress.status,
      definition,
      state: structuredClone(progress),
      claudeSessionId: progress.sessionId,
      worktreePath: progress.worktreePath,
      branch: progress.branch,
      spendMicros: usdToMicros(progress.spendUsd),
      createdAt: new Date(progress.createdAt),
      finishedAt: progress.finishedAt === null ? null : new Date(progress.finishedAt),
    });
    this.#announce(progress);
  }

  #announce(progress: ChainProgress): void {
    this.#pool.emit({
      type: "chain.progress",
      chainId: progress.chainId,
      progress: structuredClone(progress),
    });
  }

  /** The pool's worktree manager, or one of the runner's own when the pool runs without worktrees. */
  async #worktrees(options: ChainOptions): Promise<WorktreeManager> {
    const shared = this.#pool.worktrees;
    if (shared) return shared;
    this.#ownWorktrees ??= WorktreeManager.open({
      repoDir: options.cwd ?? this.#pool.options.claude.cwd ?? process.cwd(),
      poolId: this.#pool.id,
    });
    return this.#ownWorktrees;
  }
}

/** Text of an assistant stream line (`{type:"assistant", message:{content:[{type:"text", text}]}}`). */
function assistantText(kind: string, payload: unknown): string {
  if (kind !== "assistant" || !isRecord(payload) || !isRecord(payload.message)) return "";
  const content = payload.message.content;
  if (!Array.isArray(content)) return "";
  return content
    .map((block: unknown) =>
      isRecord(block) && block.type === "text" && typeof block.text === "string" ? block.text : "",
    )
    .join("");
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function addUsd(usd: number, micros: Micros): number {
  return microsToUsd(usdToMicros(usd) + micros);
}

function describeError(error: unknown): string {
  if (error instanceof PoolError) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

function abortPromise(signal: AbortSignal | undefined): Promise<never> {
  return new Promise((_resolve, reject) => {
    if (!signal) return;
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
}
