import { resolveClaudeBin } from "./bin.js";
import { BudgetAdmission } from "./budget.js";
import type { FanOutChain, FanOutItem, FanOutOptions } from "./chains/fan-out.js";
import type { ChainOptionsInput, ChainStepInput } from "./chains/schema.js";
import { type KillReason, type RunOutcome, runClaude } from "./driver/run.js";
import { InvalidOptions, NoSlotsAvailable, PoolDraining, SlotNotFound, TaskNotFound } from "./errors.js";
import { type PoolEvent, PoolEvents, type PoolEventType } from "./events.js";
import { newId } from "./ids.js";
import { type Micros, microsToUsd, usdToMicros } from "./money.js";
import {
  claudeConfigOf,
  mergeConfig,
  type PoolOptions,
  type PoolOptionsInput,
  parseOptions,
  poolOptionsSchema,
  type SlotSpec,
  slotSpecSchema,
  type TaskOptionsInput,
  taskOptionsSchema,
} from "./options.js";
import { Orchestration } from "./orchestration.js";
import { deadRunSpend, killOrphanedRun, processRecord } from "./orphans.js";
import { judgeOutcome, spendOfRun, type Verdict } from "./outcome.js";
import type { ReviewOptions } from "./review/review.js";
import { SkillRegistry } from "./skills/registry.js";
import type { SkillRunOptions } from "./skills/run.js";
import type { SkillArgs } from "./skills/schema.js";
import { Slot } from "./slot.js";
import { InMemoryStore, ZERO_TOKENS } from "./store/memory.js";
import type { ClaimedTask, Store, TaskEvent, TaskRecord } from "./store/port.js";
import { failureFromError, resultOrThrow } from "./task-errors.js";
import { TaskEventWriter } from "./task-log.js";
import {
  type DrainSummary,
  isTerminal,
  type PoolStatus,
  type TaskErrorInfo,
  type TaskResult,
} from "./types.js";
import { WorktreeManager } from "./worktree.js";

interface Running {
  controller: AbortController;
  done: Promise<void>;
}

/**
 * A pool of N Claude Code CLI slots. Work goes into the store's queue; each idle slot claims the
 * best task it may run, reserves budget, runs `claude -p` and settles. Every state change is
 * persisted before it is announced.
 *
 * @example
 * const pool = await Pool.create({ slots: 4, config: { budgetUsd: 5 } });
 * const r = await pool.run("write a haiku");
 * console.log(r.output, r.spendUsd);
 * await pool.drain();
 */
export class Pool {
  readonly id: string;
  readonly engineId: string;
  readonly store: Store;
  readonly #opts: PoolOptions;
  readonly #bin: string;
  readonly #env: Record<string, string>;
  readonly #cwd: string;
  readonly #slots: Slot[];
  readonly #events = new PoolEvents();
  readonly #running = new Map<string, Running>();
  readonly #waiters = new Map<string, Set<() => void>>();
  /** Last cumulative `total_cost_usd` seen per Claude session, to difference resumed runs. */
  readonly #sessionTotals = new Map<string, Micros>();
  readonly #worktrees: WorktreeManager | null;
  readonly #orch: Orchestration;
  readonly #budget: BudgetAdmission;
  #draining = false;
  #closed = false;
  #pumping = false;
  #pumpAgain = false;
  #timers: NodeJS.Timeout[] = [];
  #unsubscribe: () => void = () => {};

  private constructor(
    opts: PoolOptions,
    store: Store,
    bin: string,
    env: Record<string, string>,
    cwd: string,
    worktrees: WorktreeManager | null,
    skills: SkillRegistry,
  ) {
    this.#opts = opts;
    this.store = store;
    this.#bin = bin;
    this.#env = env;
    this.#cwd = cwd;
    this.#worktrees = worktrees;
    this.id = opts.poolId ?? newId();
    this.engineId = opts.engineId ?? newId();
    const specs: SlotSpec[] =
      typeof opts.slots === "number" ? Array.from({ length: opts.slots }, () => ({})) : opts.slots;
    this.#slots = specs.map((spec, i) => new Slot(this.id, this.engineId, i, spec));
    this.#orch = new Orchestration(this, skills);
    this.#budget = new BudgetAdmission(store, this.id, opts.config, this.#slots.length);
  }

  /** Validates the options, finds the CLI, prepares worktrees, and recovers queued work from the store. */
  static async create(input: PoolOptionsInput): Promise<Pool> {
    const { store: givenStore, ...rest } = input;
    const opts = parseOptions(poolOptionsSchema, rest, "options");
    const env = mergeEnv(opts.claude.env);
    const bin = await resolveClaudeBin(opts.claude.bin, env);
    const cwd = opts.claude.cwd ?? process.cwd();
    const poolId = opts.poolId ?? newId();
    const wt = opts.config.worktree;
    const worktrees = wt
      ? await WorktreeManager.open({
          repoDir: cwd,
          poolId,
          baseDir: typeof wt === "object" ? wt.baseDir : undefined,
        })
      : null;
    const skills = await SkillRegistry.load({ projectDir: cwd, ...opts.skills });
    const store = givenStore ?? new InMemoryStore();
    const pool = new Pool({ ...opts, poolId }, store, bin, env, cwd, worktrees, skills);
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
        slot.record.worktreePath = (await this.#worktrees.createSlotWorktree(slot.id)).path;
    }
    for (const slot of this.#slots) await this.store.upsertSlot(slot.record);
    this.#unsubscribe = this.store.subscribe(this.id, (note) => {
      if (note.type === "task_queued") this.#pump();
      else if (note.type === "task_changed") {
        this.#wake(note.taskId);
        if (isTerminal(note.status)) this.#pump();
      }
    });
    const poll = setInterval(() => this.#pump(), o.pollIntervalMs);
    const leases = setInterval(() => void this.#renewLeases(), Math.max(50, Math.floor(o.leaseMs / 3)));
    poll.unref();
    leases.unref();
    this.#timers.push(poll, leases);
    this.#pump();
    await this.#adoptOrphanedChains();
  }

  /** Subscribe to pool events; returns an unsubscribe function. */
  on(name: "event", fn: (e: PoolEvent) => void): () => void;
  on<T extends PoolEventType>(name: T, fn: (e: Extract<PoolEvent, { type: T }>) => void): () => void;
  on(name: "event", fn: (e: PoolEvent) => void): () => void {
    return this.#events.on(name, fn);
  }

  /** For modules built on the pool (chains, review) that announce their own progress. */
  emit(event: PoolEvent): void {
    this.#events.emit(event);
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
    if (typeof prompt !== "string" || prompt.trim() === "") {
      throw new InvalidOptions("prompt", prompt, "a non-empty string");
    }
    const o = parseOptions(taskOptionsSchema, options, "task");
    let targetSlotId: string | null = null;
    if (o.slot !== undefined) {
      const slot = this.#slots.find((s) => s.id === o.slot || s.record.name === o.slot);
      if (!slot) throw new SlotNotFound(o.slot);
      targetSlotId = slot.id;
    }
    if (o.role !== undefined && !this.#slots.some((s) => s.record.role === o.role)) {
      const roles = [...new Set(this.#slots.map((s) => s.record.role).filter((r) => r !== null))];
      throw new InvalidOptions(
        "task.role",
        o.role,
        `a role of one of the slots (${roles.join(", ") || "none set"})`,
      );
    }
    const pending = await this.store.countPendingTasks(this.id);
    if (pending >= this.#opts.config.maxQueue) {
      throw new NoSlotsAvailable(
        `the queue is full (${pending} pending, maxQueue ${this.#opts.config.maxQueue})`,
      );
    }
    await this.#budget.assertRemains();
    const id = newId();
    const task = await this.store.insertTask({
      id,
      poolId: this.id,
      prompt,
      priority: o.priority,
      targetSlotId,
      targetRole: o.role ?? null,
      config: o.config ?? {},
      sessionMode: o.fresh ? "fresh" : this.#opts.config.sessionMode,
      explicitSession: o.session ?? null,
      cwd: o.cwd ?? null,
      tags: o.tags,
      maxBudgetMicros: o.maxBudgetUsd === undefined ? null : usdToMicros(o.maxBudgetUsd),
      timeoutMs: o.timeoutMs ?? this.#opts.config.timeoutMs ?? null,
      chainId: o.chainId ?? null,
      chainStep: o.chainStep ?? null,
      parentTaskId: o.parentTaskId ?? null,
      submittedBy: o.submittedBy ?? null,
      skill: o.skill ?? null,
    });
    this.#events.emit({ type: "task.queued", taskId: id, priority: task.priority });
    this.#pump();
    return id;
  }

  /**
   * The result of a task. With `wait`, waits until it ends (the task may run on another engine
   * sharing the store). A task that did not complete throws its typed error.
   */
  async result(
    taskId: string,
    opts: { wait?: boolean; signal?: AbortSignal } = {},
  ): Promise<TaskResult | null> {
    for (;;) {
      const task = await this.store.getTask(taskId);
      if (!task) throw new TaskNotFound(taskId);
      if (isTerminal(task.status)) return resultOrThrow(task);
      if (!opts.wait) return null;
      opts.signal?.throwIfAborted();
      await this.#waitForChange(taskId, opts.signal);
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
   * Cancels a queued or running task (a running one is killed with its process group). Returns
   * false when the task had already ended.
   */
  async cancel(taskId: string): Promise<boolean> {
    const running = this.#running.get(taskId);
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
      this.#wake(taskId);
      return true;
    }
    // It started meanwhile, here or on another engine.
    const again = this.#running.get(taskId);
    if (again) return this.cancel(taskId);
    return false;
  }

  /** Skills: builtin < global < project < runtime (`pool.skills.register(skill)`). */
  get skills(): SkillRegistry {
    return this.#orch.skills;
  }

  /** Named, parameterised chain templates. */
  get workflows(): Orchestration["workflows"] {
    return this.#orch.workflows;
  }

  /** Runs every prompt in parallel; one settled result per prompt, in order (a failure keeps the others). */
  fanOut(items: readonly FanOutItem[], options?: FanOutOptions) {
    return this.#orch.fanOut(items, options);
  }

  /** `fanOut` for chains. */
  fanOutChains(chains: readonly FanOutChain[], options?: { failFast?: boolean }) {
    return this.#orch.fanOutChains(chains, options);
  }

  /** Submits a sequential chain (one Claude session across its steps); returns its id. */
  submitChain(steps: readonly ChainStepInput[], options?: ChainOptionsInput) {
    return this.#orch.submitChain(steps, options);
  }

  /** A chain's progress; with `wait`, once it has ended. */
  chainResult(chainId: string, opts?: { wait?: boolean; signal?: AbortSignal }) {
    return this.#orch.chainResult(chainId, opts);
  }

  cancelChain(chainId: string) {
    return this.#orch.cancelChain(chainId);
  }

  /** Runs a skill by name with its arguments validated first. */
  runSkill(name: string, args?: SkillArgs, options?: SkillRunOptions) {
    return this.#orch.runSkill(name, args, options);
  }

  submitSkill(name: string, args?: SkillArgs, options?: SkillRunOptions) {
    return this.#orch.submitSkill(name, args, options);
  }

  /** Starts a workflow (a named chain template) by name; returns the chain id. */
  startWorkflow(name: string, args?: SkillArgs, options?: ChainOptionsInput) {
    return this.#orch.startWorkflow(name, args, options);
  }

  /** Runs a prompt whose result waits for approval; a rejection re-runs it in the same session. */
  submitWithReview(prompt: string, options?: ReviewOptions) {
    return this.#orch.submitWithReview(prompt, options);
  }

  approveResult(reviewId: string) {
    return this.#orch.approveResult(reviewId);
  }

  rejectResult(reviewId: string, feedback: string) {
    return this.#orch.rejectResult(reviewId, feedback);
  }

  reviewResult(reviewId: string, opts?: { wait?: boolean }) {
    return this.#orch.reviewResult(reviewId, opts);
  }

  /** Changes a slot's name, role, description or Claude config; takes effect from its next task. */
  async configureSlot(slotId: string, spec: Partial<SlotSpec>): Promise<void> {
    const slot = this.#slots.find((s) => s.id === slotId || s.record.name === slotId);
    if (!slot) throw new SlotNotFound(slotId);
    const s = parseOptions(slotSpecSchema.partial(), spec, "slot");
    if (s.name !== undefined) slot.record.name = s.name;
    if (s.role !== undefined) slot.record.role = s.role;
    if (s.description !== undefined) slot.record.description = s.description;
    if (s.config !== undefined) slot.record.config = mergeConfig(slot.record.config, s.config);
    await this.#saveSlot(slot);
  }

  async contextSet(key: string, value: string): Promise<void> {
    if (typeof key !== "string" || key.trim() === "")
      throw new InvalidOptions("context.key", key, "a non-empty string");
    if (typeof value !== "string") throw new InvalidOptions("context.value", value, "a string");
    await this.store.contextSet(this.id, key, value);
  }

  contextGet(key: string): Promise<string | undefined> {
    return this.store.contextGet(this.id, key);
  }

  contextDelete(key: string): Promise<boolean> {
    return this.store.contextDelete(this.id, key);
  }

  contextList(): Promise<Array<{ key: string; value: string }>> {
    return this.store.contextList(this.id);
  }

  async status(): Promise<PoolStatus> {
    const budget = await this.store.getBudget(this.id);
    return {
      slots: this.#slots.map((s) => s.info()),
      activeTasks: this.#slots.filter((s) => s.busy).length,
      pendingTasks: await this.store.countPendingTasks(this.id),
      spendUsd: microsToUsd(budget.spentMicros),
      reservedUsd: microsToUsd(budget.reservedMicros),
      budgetUsd: budget.capMicros === null ? null : microsToUsd(budget.capMicros),
    };
  }

  /** Refuses new work, cancels pending tasks, lets running ones finish, removes slot worktrees. */
  async drain(): Promise<DrainSummary> {
    // Running chains are active work: they finish their remaining steps first.
    await this.#orch.chains.settle();
    this.#draining = true;
    let cancelled = 0;
    const pending = await this.store.listTasks({ poolId: this.id, status: ["queued", "waiting_for_quota"] });
    for (const t of pending) if (await this.cancel(t.id)) cancelled++;
    await Promise.all([...this.#running.values()].map((r) => r.done));
    this.#close();
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

  /** Stops at once: running tasks are killed and ended as cancelled. For shutdown paths. */
  async shutdown(): Promise<void> {
    this.#draining = true;
    for (const r of this.#running.values()) r.controller.abort("shutdown" satisfies KillReason);
    await Promise.all([...this.#running.values()].map((r) => r.done));
    this.#close();
  }

  #close(): void {
    this.#closed = true;
    for (const t of this.#timers) clearInterval(t);
    this.#timers = [];
    this.#unsubscribe();
    for (const set of this.#waiters.values()) for (const w of set) w();
  }

  /** Single-flight: one claiming pass at a time; a request during a pass triggers another pass. */
  #pump(): void {
    if (this.#closed) return;
    if (this.#pumping) {
      this.#pumpAgain = true;
      return;
    }
    this.#pumping = true;
    void (async () => {
      try {
        do {
          this.#pumpAgain = false;
          for (const slot of this.#slots) {
            if (slot.busy || this.#closed || this.#draining) continue;
            const task = await this.store.claimNextTask({
              poolId: this.id,
              engineId: this.engineId,
              slotId: slot.id,
              slotRole: slot.record.role,
              leaseMs: this.#opts.leaseMs,
            });
            if (!task) continue;
            slot.record.state = "busy";
            slot.record.currentTaskId = task.id;
            this.#startTask(slot, task);
          }
        } while (this.#pumpAgain && !this.#closed);
      } catch (err) {
        // A store hiccup must not stop the pool; the poll timer tries again.
        process.emitWarning(`claude-pool: claiming work failed: ${String(err)}`);
      } finally {
        this.#pumping = false;
      }
    })();
  }

  #startTask(slot: Slot, task: ClaimedTask): void {
    const controller = new AbortController();
    const done = this.#executeTask(slot, task, controller.signal)
      .catch((err: unknown) => this.#finish(slot, task, failureFromError(err), null))
      .finally(async () => {
        this.#running.delete(task.id);
        // #finish normally freed the slot already; a task that ended without it (lost lease) frees it here.
        if (slot.record.currentTaskId === task.id) {
          slot.record.state = "idle";
          slot.record.currentTaskId = null;
          await this.#saveSlot(slot).catch(() => {});
        }
        this.#pump();
      });
    this.#running.set(task.id, { controller, done });
  }

  async #executeTask(slot: Slot, task: ClaimedTask, signal: AbortSignal): Promise<void> {
    await this.#saveSlot(slot);
    let deadRun: Micros = 0;
    if (task.claimedFrom === "running") {
      await killOrphanedRun(this.store, task.id);
      deadRun = deadRunSpend(await this.store.listTaskEvents(task.id));
    }
    // Whatever way the task ends without running, the dead run's calls are still paid for.
    const deadRunOnly = { spendMicros: deadRun, tokens: ZERO_TOKENS, model: null, turns: 0 };
    if (task.claimedFrom === "running" && task.recoveries > 1) {
      await this.#finish(
        slot,
        task,
        {
          status: "failed",
          error: {
            code: "TASK_FAILED",
            message: "its engine stopped twice while running it",
            reason: "engine_restarted",
          },
        },
        deadRunOnly,
      );
      return;
    }
    if (
      task.claimedFrom === "waiting_for_quota" &&
      task.attempt - task.recoveries > this.#opts.config.maxQuotaWaits + 1
    ) {
      await this.#finish(
        slot,
        task,
        {
          status: "failed",
          error: {
            code: "QUOTA_EXHAUSTED",
            message: "usage limits kept the task waiting too often",
            reason: "usage_limit",
          },
        },
        null,
      );
      return;
    }
    const reservation = await this.#budget.reserve(task);
    if (reservation === "refused") {
      await this.#finish(slot, task, { status: "failed", error: await this.#budget.refusal() }, deadRunOnly);
      return;
    }
    if (reservation !== null) await this.#announceBudget();
    this.#events.emit({ type: "task.started", taskId: task.id, slotId: slot.id, attempt: task.attempt });

    const config = mergeConfig(claudeConfigOf(this.#opts.config), slot.config, task.config);
    const context = await this.store.contextList(this.id);
    const appendSystemPrompt = slot.appendedSystemPrompt(
      this.#opts.name ?? this.id,
      config.systemPrompt,
      context,
    );
    let resume = this.#sessionToResume(slot, task);
    const writer = new TaskEventWriter(this.store, task.id, (events) => {
      for (const e of events) {
        this.#events.emit({
          type: "task.output",
          taskId: task.id,
          seq: e.seq,
          kind: e.kind,
          payload: e.payload,
        });
      }
    });

    for (;;) {
      const previousTotal = resume ? (this.#sessionTotals.get(resume) ?? 0) : 0;
      let sessionSaved = false;
      const outcome: RunOutcome = await runClaude({
        bin: this.#bin,
        cwd: task.cwd ?? slot.record.worktreePath ?? this.#cwd,
        env: this.#env,
        invocation: {
          prompt: task.prompt,
          config,
          appendSystemPrompt,
          resumeSessionId: resume,
          maxBudgetUsd: reservation === null ? null : microsToUsd(reservation),
          mcpConfig: this.#opts.claude.mcpServers ?? {},
          extraArgs: this.#opts.claude.extraArgs ?? [],
        },
        timeoutMs: task.timeoutMs,
        stopAboveMicros: reservation,
        signal,
        onLine: (line) => {
          if (line.kind === "noise") writer.push({ kind: "noise", payload: line.text });
          else writer.push({ kind: line.kind === "other" ? line.type : line.raw.type, payload: line.raw });
          if (line.kind === "init" && !sessionSaved) {
            sessionSaved = true;
            void this.store.updateRunningTask(task.id, {
              claudeSessionId: line.raw.session_id,
              model: line.raw.model,
            });
          }
        },
        onStderr: (text) => writer.push({ kind: "stderr", payload: text }),
        onSpawn: (pid) => writer.push({ kind: "process", payload: processRecord(pid) }),
      });
      await writer.flush().catch(() => {});
      const verdict = judgeOutcome(outcome, task.timeoutMs);
      if (verdict.kind === "missing_session" && resume !== null) {
        // The slot's session is gone (another machine, pruned transcripts): start a new one.
        resume = null;
        continue;
      }
      const spend = spendOfRun(outcome, previousTotal);
      spend.spendMicros += deadRun;
      if (outcome.result && outcome.sessionId) {
        this.#sessionTotals.set(outcome.sessionId, usdToMicros(outcome.result.total_cost_usd));
      }
      if (!task.explicitSession && outcome.sessionId && verdict.kind !== "missing_session") {
        slot.record.sessionId = outcome.sessionId;
      }
      slot.record.spendMicros += spend.spendMicros;
      await this.#conclude(slot, task, verdict, spend, outcome);
      return;
    }
  }

  #sessionToResume(slot: Slot, task: ClaimedTask): string | null {
    if (task.explicitSession)
      return task.explicitSession.resume ?? (task.attempt > 1 ? task.claudeSessionId : null);
    // A recovered or parked task continues its own session.
    if (task.attempt > 1 && task.claudeSessionId) return task.claudeSessionId;
    return task.sessionMode === "resume" ? slot.record.sessionId : null;
  }

  async #conclude(
    slot: Slot,
    task: ClaimedTask,
    verdict: Verdict,
    spend: ReturnType<typeof spendOfRun>,
    outcome: RunOutcome,
  ): Promise<void> {
    if (verdict.kind === "lease_lost") return; // another engine owns the task now
    if (verdict.kind === "quota") {
      const runAfter = verdict.resetsAt ?? new Date(Date.now() + this.#opts.config.quotaRetryMs);
      const parked = await this.store.parkTask(task.id, {
        engineId: this.engineId,
        runAfter,
        claudeSessionId: outcome.sessionId,
        spendMicros: spend.spendMicros,
        tokens: spend.tokens,
        error: { code: "QUOTA_EXHAUSTED", message: verdict.message, reason: "usage_limit" },
      });
      if (parked) {
        this.#events.emit({
          type: "task.waiting_for_quota",
          taskId: task.id,
          resetsAt: runAfter.toISOString(),
        });
        const wakeUp = setTimeout(() => this.#pump(), Math.max(0, runAfter.getTime() - Date.now()) + 10);
        wakeUp.unref();
        this.#timers.push(wakeUp);
        await this.#announceBudget();
      }
      return;
    }
    if (verdict.kind === "completed") {
      const result: TaskResult = {
        taskId: task.id,
        output: verdict.output,
        ...(verdict.structuredOutput === undefined ? {} : { structuredOutput: verdict.structuredOutput }),
        spendUsd: microsToUsd(spend.spendMicros),
        tokens: spend.tokens,
        sessionId: outcome.sessionId ?? "",
        slotId: slot.id,
        model: spend.model ?? "",
        turns: spend.turns,
        durationMs: outcome.durationMs,
      };
      await this.#finish(slot, task, { status: "completed", result }, spend, outcome.sessionId);
      return;
    }
    const ended =
      verdict.kind === "missing_session"
        ? {
            status: "failed" as const,
            error: { code: "TASK_FAILED", message: verdict.message, reason: "missing_session" },
          }
        : { status: verdict.status, error: verdict.error };
    await this.#finish(slot, task, ended, spend, outcome.sessionId);
  }

  async #finish(
    slot: Slot,
    task: TaskRecord,
    end:
      | { status: "completed"; result: TaskResult }
      | { status: "failed" | "cancelled" | "timed_out"; error: TaskErrorInfo },
    spend: ReturnType<typeof spendOfRun> | null,
    sessionId: string | null = null,
  ): Promise<void> {
    const finished = await this.store.finishTask(task.id, {
      engineId: this.engineId,
      status: end.status,
      result: end.status === "completed" ? end.result : null,
      error: end.status === "completed" ? null : end.error,
      spendMicros: spend?.spendMicros ?? 0,
      tokens: spend?.tokens ?? ZERO_TOKENS,
      model: spend?.model ?? null,
      turns: spend?.turns ?? 0,
      claudeSessionId: sessionId,
    });
    if (!finished) return;
    // The process has ended: the slot is free before anyone hears that the task has.
    if (slot.record.currentTaskId === task.id) {
      slot.record.state = "idle";
      slot.record.currentTaskId = null;
    }
    if (end.status === "completed") slot.record.tasksCompleted += 1;
    else if (end.status !== "cancelled") slot.record.errors += 1;
    await this.#saveSlot(slot);
    if (end.status === "completed") {
      this.#events.emit({ type: "task.completed", taskId: task.id, result: end.result });
    } else {
      this.#events.emit({ type: "task.failed", taskId: task.id, status: end.status, error: end.error });
    }
    this.#wake(task.id);
    await this.#announceBudget();
  }

  async #announceBudget(): Promise<void> {
    const b = await this.store.getBudget(this.id);
    this.#events.emit({
      type: "budget.updated",
      spentUsd: microsToUsd(b.spentMicros),
      reservedUsd: microsToUsd(b.reservedMicros),
      budgetUsd: b.capMicros === null ? null : microsToUsd(b.capMicros),
    });
  }

  async #saveSlot(slot: Slot): Promise<void> {
    await this.store.upsertSlot(slot.record);
    this.#events.emit({ type: "slot.updated", slot: slot.info() });
  }

  /** Keeps our tasks and chains ours, and takes over chains whose engine stopped renewing them. */
  async #renewLeases(): Promise<void> {
    const leaseMs = this.#opts.leaseMs;
    try {
      const ids = [...this.#running.keys()];
      if (ids.length > 0) {
        const lost = await this.store.renewLeases(this.engineId, ids, leaseMs);
        for (const id of lost) this.#running.get(id)?.controller.abort("lease_lost" satisfies KillReason);
      }
      const chains = this.#orch.chains;
      const chainIds = chains.activeChainIds();
      if (chainIds.length > 0) {
        for (const id of await this.store.renewChainLeases(this.engineId, chainIds, leaseMs))
          chains.release(id);
      }
      await this.#adoptOrphanedChains();
    } catch (err) {
      process.emitWarning(`claude-pool: renewing leases failed: ${String(err)}`);
    }
  }

  /** Chains left running by an engine that died continue here at the step they were on. */
  async #adoptOrphanedChains(): Promise<void> {
    if (this.#draining || this.#closed) return;
    const orphans = await this.store.claimOrphanedChains(this.id, this.engineId, this.#opts.leaseMs);
    for (const record of orphans) this.#orch.chains.resume(record);
  }

  #waitForChange(taskId: string, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      let set = this.#waiters.get(taskId);
      if (!set) {
        set = new Set();
        this.#waiters.set(taskId, set);
      }
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        set.delete(done);
        if (set.size === 0) this.#waiters.delete(taskId);
        resolve();
      };
      // Notifications can be missed across processes: re-read now and then regardless.
      const timer = setTimeout(done, this.#closed ? 50 : this.#opts.pollIntervalMs);
      signal?.addEventListener("abort", done, { once: true });
      set.add(done);
    });
  }

  #wake(taskId: string): void {
    const set = this.#waiters.get(taskId);
    if (set) for (const w of [...set]) w();
  }
}

function mergeEnv(extra: Record<string, string> | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  return { ...env, ...extra };
}
