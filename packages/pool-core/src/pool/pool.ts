import type { BudgetAdmission } from "../budget.js";
import type { ChainRunner } from "../compose/chains/runner.js";
import type { ChainOptionsInput, ChainStepInput } from "../compose/chains/schema.js";
import {
  type FanOutChain,
  type FanOutItem,
  type FanOutOptions,
  fanOut,
  fanOutChains,
} from "../compose/fan-out.js";
import { ReviewManager, type ReviewOptions } from "../compose/review.js";
import type { SkillRegistry } from "../compose/skills/registry.js";
import { runSkill, type SkillHost, type SkillRunOptions, submitSkill } from "../compose/skills/run.js";
import type { SkillArgs } from "../compose/skills/schema.js";
import { WorkflowRegistry } from "../compose/workflows/registry.js";
import { startWorkflow } from "../compose/workflows/start.js";
import {
  InvalidOptions,
  NoSlotsAvailable,
  PoolDraining,
  SlotNotFound,
  TaskNotFound,
} from "../domain/errors.js";
import { type PoolEvent, PoolEvents, type PoolEventType } from "../domain/events.js";
import { newId } from "../domain/ids.js";
import { microsToUsd, usdToMicros } from "../domain/money.js";
import type {
  PoolOptions,
  PoolOptionsInput,
  PoolSlotSpec,
  SlotSpec,
  TaskOptionsInput,
} from "../domain/options.js";
import { assertBypassAllowed, bypassRequests } from "../domain/permissions.js";
import type { TaskOutputEvent, TaskRunner } from "../domain/task-runner.js";
import {
  type DrainSummary,
  isTerminal,
  type PoolStatus,
  type TaskErrorInfo,
  type TaskResult,
} from "../domain/types.js";
import type { Driver } from "../driver/port.js";
import type { KillReason } from "../driver/run.js";
import type { Store, TaskEvent, TaskRecord } from "../store/port.js";
import type { TaskDiff } from "../store/task-diff.js";
import type { WorktreeManager } from "../worktrees/manager.js";
import { parseSlotChange } from "./config-checks.js";
import { setContextChecked } from "./context-writes.js";
import { credentialKeyOf } from "./credential.js";
import { assembleMachinery } from "./machinery.js";
import { poolStatus } from "./pool-status.js";
import { type PoolParts, preparePool } from "./prepare.js";
import type { Scheduler } from "./scheduler.js";
import type { Settlement } from "./settlement.js";
import { Slot } from "./slot.js";
import { newTaskFrom } from "./submission.js";
import { resultOrThrow } from "./task-errors.js";
import { TaskWaiters } from "./waiters.js";

/**
 * A pool of N Claude Code CLI slots. Work goes into the store's queue; each idle slot claims the
 * best task it may run, reserves budget, runs it through the driver and settles. Every state
 * change is persisted before it is announced. Chains, fan-out, skills, workflows and review are
 * built on the pool's `TaskRunner` face (submit, result, cancel, task, output).
 *
 * @example
 * const pool = await Pool.create({ slots: 4, config: { budgetUsd: 5 } });
 * const r = await pool.run("write a haiku");
 * console.log(r.output, r.spendUsd);
 * await pool.drain();
 */
export class Pool implements TaskRunner {
  readonly id: string;
  readonly engineId: string;
  readonly store: Store;
  /** Skills: builtin < global < project < runtime (`pool.skills.register(skill)`). */
  readonly skills: SkillRegistry;
  /** Named, parameterised chain templates. */
  readonly workflows: WorkflowRegistry;
  readonly #opts: PoolOptions;
  readonly #cwd: string;
  readonly #slots: Slot[];
  readonly #events = new PoolEvents();
  readonly #waiters: TaskWaiters;
  readonly #worktrees: WorktreeManager | null;
  readonly #driver: Driver;
  readonly #budget: BudgetAdmission;
  readonly #settlement: Settlement;
  readonly #scheduler: Scheduler;
  readonly #chains: ChainRunner;
  readonly #reviews: ReviewManager;
  #draining = false;
  #closed = false;

  private constructor(p: PoolParts) {
    const { opts, store } = p;
    this.#opts = opts;
    this.store = store;
    this.#cwd = p.cwd;
    this.#worktrees = p.worktrees;
    this.#driver = p.driver;
    this.skills = p.skills;
    this.workflows = new WorkflowRegistry(p.skills);
    this.id = opts.poolId ?? newId();
    this.engineId = opts.engineId ?? newId();
    const specs: PoolSlotSpec[] =
      typeof opts.slots === "number" ? Array.from({ length: opts.slots }, () => ({})) : opts.slots;
    this.#slots = specs.map((spec, i) => {
      const account = credentialKeyOf({ ...p.env, ...spec.env }, opts.claude.extraArgs);
      return new Slot(this.id, this.engineId, i, spec, p.driver.slot(`slot-${i}`), account);
    });
    this.#waiters = new TaskWaiters(opts.pollIntervalMs);
    const machinery = assembleMachinery(p, {
      poolId: this.id,
      engineId: this.engineId,
      events: this.#events,
      waiters: this.#waiters,
      slots: this.#slots,
      tasks: this,
    });
    this.#budget = machinery.budget;
    this.#settlement = machinery.settlement;
    this.#scheduler = machinery.scheduler;
    this.#chains = machinery.chains;
    this.#reviews = new ReviewManager(this);
  }

  /** Validates the options, finds the CLI, prepares worktrees, and recovers queued work from the store. */
  static async create(input: PoolOptionsInput): Promise<Pool> {
    const pool = new Pool(await preparePool(input));
    await pool.#start();
    return pool;
  }

  async #start(): Promise<void> {
    const o = this.#opts;
    await this.store.ensurePool({
      id: this.id,
      name: o.name ?? this.id,
      config: { slots: this.#slots.length, ...o.config },
      budgetCapMicros: o.config.budgetUsd === undefined ? null : usdToMicros(o.config.budgetUsd),
    });
    if (this.#worktrees) {
      await this.#worktrees.reconcile();
      for (const slot of this.#slots)
        slot.attachWorktree((await this.#worktrees.createSlotWorktree(slot.id)).path);
    }
    for (const slot of this.#slots) await this.store.upsertSlot(slot.record);
    await this.#scheduler.start();
  }

  /** Subscribe to pool events; returns an unsubscribe function. */
  on(name: "event", fn: (e: PoolEvent) => void): () => void;
  on<T extends PoolEventType>(name: T, fn: (e: Extract<PoolEvent, { type: T }>) => void): () => void;
  on(name: "event", fn: (e: PoolEvent) => void): () => void {
    return this.#events.on(name, fn);
  }

  /** Follows every task's persisted output lines (the `TaskRunner` face of `on("task.output")`). */
  onTaskOutput(fn: (event: TaskOutputEvent) => void): () => void {
    return this.#events.on("task.output", fn);
  }

  get options(): Readonly<PoolOptions> {
    return this.#opts;
  }

  get worktrees(): WorktreeManager | null {
    return this.#worktrees;
  }

  /** Submits a prompt and waits for its result. Throws TaskFailed, BudgetExceeded, Timeout, Cancelled… */
  async run(prompt: string, options: TaskOptionsInput = {}): Promise<TaskResult> {
    const id = await this.submit(prompt, options);
    const result = await this.result(id, { wait: true });
    if (!result) throw new TaskNotFound(id);
    return result;
  }

  /** Queues a prompt; returns the task id at once. */
  async submit(prompt: string, options: TaskOptionsInput = {}): Promise<string> {
    if (this.#draining || this.#closed) throw new PoolDraining();
    const newTask = newTaskFrom(this.id, this.#opts, this.#slots, prompt, options);
    const pending = await this.store.countPendingTasks(this.id);
    const { maxQueue } = this.#opts.config;
    if (pending >= maxQueue) {
      throw new NoSlotsAvailable(`the queue is full (${pending} pending, maxQueue ${maxQueue})`);
    }
    await this.#budget.assertRemains(newTask);
    const task = await this.store.insertTask(newTask);
    this.#events.emit({ type: "task.queued", taskId: task.id, priority: task.priority });
    this.#scheduler.pump();
    return task.id;
  }

  /**
   * The result of a task. With `wait`, waits until it ends (the task may run on another engine
   * sharing the store). A task that did not complete throws its typed error.
   */
  async result(
    taskId: string,
    opts: { wait?: boolean; signal?: AbortSignal } = {},
  ): Promise<TaskResult | null> {
    if (!opts.wait) {
      const task = await this.store.getTask(taskId);
      if (!task) throw new TaskNotFound(taskId);
      return isTerminal(task.status) ? resultOrThrow(task) : null;
    }
    for (;;) {
      // Armed before the read: a task that ends between the read and the wait still wakes it.
      const armed = this.#waiters.arm(taskId, opts.signal);
      let waiting = false;
      try {
        const task = await this.store.getTask(taskId);
        if (!task) throw new TaskNotFound(taskId);
        if (isTerminal(task.status)) return resultOrThrow(task);
        opts.signal?.throwIfAborted();
        waiting = true;
      } finally {
        if (!waiting) armed.cancel();
      }
      // Settled completed by this engine: its result as stored, without reading the task again.
      const completed = await armed.next;
      if (completed) return completed;
    }
  }

  /** The task's full record (status, spend, error…). */
  async task(taskId: string): Promise<TaskRecord> {
    const task = await this.store.getTask(taskId);
    if (!task) throw new TaskNotFound(taskId);
    return task;
  }

  /** The task's persisted stream, in order; `afterSeq` to catch up from a known point. */
  async taskEvents(taskId: string, afterSeq = 0): Promise<TaskEvent[]> {
    await this.task(taskId);
    return this.store.listTaskEvents(taskId, afterSeq);
  }

  /**
   * What the task changed in its worktree (a `worktree: true` pool, or a chain in its own
   * worktree): files with +/- counts and the patch (at most 1 MB, `truncated` past it).
   * Undefined while it runs, and for a task that ran outside a pool worktree.
   */
  async taskDiff(taskId: string): Promise<TaskDiff | undefined> {
    await this.task(taskId);
    return this.store.getTaskDiff(taskId);
  }

  /**
   * Cancels a queued or running task (a running one is stopped and its process group killed).
   * Returns false when the task had already ended.
   */
  async cancel(taskId: string): Promise<boolean> {
    const running = this.#scheduler.running(taskId);
    if (running) {
      running.controller.abort("cancel" satisfies KillReason);
      await running.done;
      return true;
    }
    const task = await this.task(taskId);
    if (isTerminal(task.status)) return false;
    const error: TaskErrorInfo = {
      code: "CANCELLED",
      message: "cancelled before it started",
      reason: "cancelled",
    };
    if (await this.store.cancelPendingTask(taskId, error)) {
      this.#events.emit({ type: "task.failed", taskId, status: "cancelled", error });
      this.#waiters.wake(taskId);
      return true;
    }
    // It started meanwhile, here or on another engine.
    if (this.#scheduler.running(taskId)) return this.cancel(taskId);
    return false;
  }

  /** Runs every prompt in parallel; one settled result per prompt, in order (a failure keeps the others). */
  fanOut(items: readonly FanOutItem[], options?: FanOutOptions) {
    return fanOut(this, items, options);
  }

  /** `fanOut` for chains. */
  fanOutChains(chains: readonly FanOutChain[], options?: { failFast?: boolean }) {
    return fanOutChains(this.#chains, chains, options);
  }

  /** Submits a sequential chain (one Claude session across its steps); returns its id. */
  async submitChain(steps: readonly ChainStepInput[], options?: ChainOptionsInput) {
    // Refused at submit rather than when the step runs: the same rule as a task's config.
    const configs = [
      { field: "options.config", config: options?.config },
      ...(Array.isArray(steps) ? steps : []).map((s, i) => ({
        field: `steps.${i}.config`,
        config: s?.config,
      })),
    ];
    assertBypassAllowed(
      this.#opts.config.allowBypassPermissions,
      "the pool's config.allowBypassPermissions",
      bypassRequests({ slots: configs }),
    );
    return this.#chains.submit(steps, options);
  }

  /** A chain's progress; with `wait`, once it has ended. */
  chainResult(chainId: string, opts?: { wait?: boolean; signal?: AbortSignal }) {
    return this.#chains.result(chainId, opts);
  }

  cancelChain(chainId: string) {
    return this.#chains.cancel(chainId);
  }

  /** Runs a skill by name with its arguments validated first. */
  runSkill(name: string, args?: SkillArgs, options?: SkillRunOptions) {
    return runSkill(this.#skillHost(), name, args, options);
  }

  submitSkill(name: string, args?: SkillArgs, options?: SkillRunOptions) {
    return submitSkill(this.#skillHost(), name, args, options);
  }

  /** Starts a workflow (a named chain template) by name; returns the chain id. */
  startWorkflow(name: string, args?: SkillArgs, options?: ChainOptionsInput) {
    return startWorkflow(this.#chains, this.workflows, name, args, options);
  }

  /** Runs a prompt whose result waits for approval; a rejection re-runs it in the same session. */
  submitWithReview(prompt: string, options?: ReviewOptions) {
    return this.#reviews.submit(prompt, options);
  }

  approveResult(reviewId: string) {
    return this.#reviews.approve(reviewId);
  }

  rejectResult(reviewId: string, feedback: string) {
    return this.#reviews.reject(reviewId, feedback);
  }

  reviewResult(reviewId: string, opts?: { wait?: boolean }) {
    return this.#reviews.get(reviewId, opts);
  }

  /**
   * Changes a slot's name, role, description or Claude config; takes effect from its next task
   * (a warm process started with the old identity is retired after its turn).
   */
  async configureSlot(slotId: string, spec: Partial<SlotSpec>): Promise<void> {
    const slot = this.#slots.find((s) => s.isNamed(slotId));
    if (!slot) throw new SlotNotFound(slotId);
    const s = parseSlotChange(spec, this.#opts, this.#cwd);
    if (slot.configure(s)) slot.driver.retire();
    await this.#settlement.saveSlot(slot);
  }

  /** Sets a shared-context value; every slot's next task sees it (warm processes are retired). */
  async contextSet(key: string, value: string): Promise<void> {
    if (typeof key !== "string" || key.trim() === "")
      throw new InvalidOptions("context.key", key, "a non-empty string");
    if (typeof value !== "string") throw new InvalidOptions("context.value", value, "a string");
    // Size limits (ContextTooLarge): see domain/context-limits.ts.
    await setContextChecked(this.store, this.id, key, value);
    this.#retireAll();
  }

  contextGet(key: string): Promise<string | undefined> {
    return this.store.contextGet(this.id, key);
  }

  async contextDelete(key: string): Promise<boolean> {
    const deleted = await this.store.contextDelete(this.id, key);
    if (deleted) this.#retireAll();
    return deleted;
  }

  contextList(): Promise<Array<{ key: string; value: string }>> {
    return this.store.contextList(this.id);
  }

  status(): Promise<PoolStatus> {
    return poolStatus(this.store, this.id, this.#slots, this.#opts.config);
  }

  /** Refuses new work, cancels pending tasks, lets running ones finish, removes slot worktrees, closes every process. */
  async drain(): Promise<DrainSummary> {
    // Running chains are active work: they finish their remaining steps first.
    await this.#chains.settle();
    this.#draining = true;
    this.#scheduler.stopClaiming();
    let cancelled = 0;
    const pending = await this.store.listTasks({ poolId: this.id, status: ["queued", "waiting_for_quota"] });
    for (const t of pending) if (await this.cancel(t.id)) cancelled++;
    await this.#scheduler.idle();
    await this.#close();
    if (this.#worktrees) await this.#worktrees.removeAll();
    const tasks = await this.store.listTasks({ poolId: this.id });
    const summary: DrainSummary = {
      totalTasks: tasks.length,
      totalSpendUsd: microsToUsd(tasks.reduce((a, t) => a + t.spendMicros, 0)),
      errorCount: tasks.filter((t) => t.status === "failed" || t.status === "timed_out").length,
      cancelledTasks: cancelled,
    };
    this.#events.emit({ type: "pool.drained", summary });
    return summary;
  }

  /** Stops at once: running tasks are killed and ended as cancelled, every process closed. For shutdown paths. */
  async shutdown(): Promise<void> {
    this.#draining = true;
    this.#scheduler.stopClaiming();
    await this.#scheduler.abortAll("shutdown");
    await this.#close();
  }

  async #close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#scheduler.close();
    this.#waiters.close();
    await this.#driver.close();
  }

  #retireAll(): void {
    for (const slot of this.#slots) slot.driver.retire();
  }

  #skillHost(): SkillHost {
    return { pool: this, chains: this.#chains, skills: this.skills };
  }
}
