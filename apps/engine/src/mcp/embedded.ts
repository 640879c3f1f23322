import {
  type ChainProgress,
  type PermissionMode,
  Pool,
  type PoolEvent,
  type RegisteredSkill,
  type Store,
  type TaskRecord,
} from "@claude-pool/core";
import type { PoolBackend, SkillView, TaskRequest, TaskView, Watch } from "./backend.js";

export interface EmbeddedOptions {
  slots: number;
  claudeBin: string;
  cwd: string;
  /** PGlite data directory; without one the pool lives in memory and ends with the process. */
  dataDir?: string;
  budgetUsd?: number;
  taskBudgetUsd?: number;
  model?: string;
  permissionMode?: PermissionMode;
  /** The explicit opt-in `permissionMode: "bypassPermissions"` needs (pool-core refuses it otherwise). */
  allowBypassPermissions?: boolean;
  systemPrompt?: string;
  worktree?: boolean;
  env?: Record<string, string>;
}

/** Stable ids so a pool kept in a data directory recovers its own work after a restart. */
const POOL_ID = "mcp";
const ENGINE_ID = "mcp-embedded";

/** An embedded pool-core Pool behind the backend interface (only Pool's public methods are used). */
export async function createEmbeddedBackend(options: EmbeddedOptions): Promise<PoolBackend> {
  let store: Store | undefined;
  let closeDatabase = async () => {};
  if (options.dataDir !== undefined) {
    // Loaded lazily: the in-memory default should not pay for PGlite's start-up.
    const db = await import("@claude-pool/db");
    const database = await db.createDb({ dataDir: options.dataDir, url: undefined, env: {} });
    await db.recoverOnStart(database.db, { engineId: ENGINE_ID });
    const pgStore = await db.PgStore.open(database);
    store = pgStore;
    closeDatabase = async () => {
      await pgStore.close();
      await database.close();
    };
  }
  const pool = await Pool.create({
    slots: options.slots,
    poolId: POOL_ID,
    name: "mcp",
    engineId: ENGINE_ID,
    ...(store ? { store } : {}),
    claude: { bin: options.claudeBin, cwd: options.cwd, ...(options.env ? { env: options.env } : {}) },
    config: {
      ...(options.budgetUsd !== undefined ? { budgetUsd: options.budgetUsd } : {}),
      ...(options.taskBudgetUsd !== undefined ? { taskBudgetUsd: options.taskBudgetUsd } : {}),
      ...(options.model !== undefined ? { model: options.model } : {}),
      ...(options.permissionMode !== undefined ? { permissionMode: options.permissionMode } : {}),
      ...(options.allowBypassPermissions ? { allowBypassPermissions: true } : {}),
      ...(options.systemPrompt !== undefined ? { systemPrompt: options.systemPrompt } : {}),
      ...(options.worktree ? { worktree: true } : {}),
    },
  });
  return new EmbeddedBackend(pool, options.slots, closeDatabase);
}

class EmbeddedBackend implements PoolBackend {
  readonly label: string;
  readonly #pool: Pool;
  readonly #closeDatabase: () => Promise<void>;

  constructor(pool: Pool, slots: number, closeDatabase: () => Promise<void>) {
    this.#pool = pool;
    this.#closeDatabase = closeDatabase;
    this.label = `embedded pool (${slots} slot${slots === 1 ? "" : "s"})`;
  }

  status() {
    return this.#pool.status();
  }

  submit(request: TaskRequest) {
    const { prompt, ...options } = request;
    return this.#pool.submit(prompt, options);
  }

  async task(taskId: string): Promise<TaskView> {
    return taskView(await this.#pool.task(taskId));
  }

  async waitForTask(taskId: string, watch: Watch): Promise<TaskView> {
    const stop = this.#pool.on("event", (event) => {
      const note = describeTaskEvent(event, taskId);
      if (note) watch.onProgress?.(note);
    });
    try {
      // result() throws the task's typed error when it did not complete; the view carries it.
      await this.#pool.result(taskId, { wait: true, signal: watch.signal }).catch((error: unknown) => {
        if (watch.signal?.aborted) throw error;
      });
    } finally {
      stop();
    }
    return this.task(taskId);
  }

  cancel(taskId: string) {
    return this.#pool.cancel(taskId);
  }

  async listTasks(query: { status?: TaskView["status"][]; limit: number }) {
    const tasks = await this.#pool.store.listTasks({
      poolId: this.#pool.id,
      ...(query.status ? { status: query.status } : {}),
    });
    // Newest first: a coordinator asks about what it just did.
    return tasks
      .sort((a, b) => b.seq - a.seq)
      .slice(0, query.limit)
      .map(taskView);
  }

  submitChain(steps: Parameters<Pool["submitChain"]>[0], options: Parameters<Pool["submitChain"]>[1]) {
    return this.#pool.submitChain([...steps], options);
  }

  chain(chainId: string) {
    return this.#pool.chainResult(chainId);
  }

  async waitForChain(chainId: string, watch: Watch<ChainProgress>): Promise<ChainProgress> {
    const stop = this.#pool.on("chain.progress", (event) => {
      if (event.chainId === chainId) watch.onProgress?.(event.progress);
    });
    try {
      return await this.#pool.chainResult(chainId, { wait: true, signal: watch.signal });
    } finally {
      stop();
    }
  }

  cancelChain(chainId: string) {
    return this.#pool.cancelChain(chainId);
  }

  startWorkflow(
    name: string,
    args: Parameters<Pool["startWorkflow"]>[1],
    options: Parameters<Pool["startWorkflow"]>[2],
  ) {
    return this.#pool.startWorkflow(name, args, options);
  }

  submitWithReview(request: TaskRequest & { maxRejections?: number }) {
    const { prompt, fresh: _fresh, ...options } = request;
    return this.#pool.submitWithReview(prompt, options);
  }

  review(reviewId: string, wait: boolean) {
    return this.#pool.reviewResult(reviewId, { wait });
  }

  approve(reviewId: string) {
    return this.#pool.approveResult(reviewId);
  }

  reject(reviewId: string, feedback: string) {
    return this.#pool.rejectResult(reviewId, feedback);
  }

  configureSlot(slotId: string, spec: Parameters<Pool["configureSlot"]>[1]) {
    return this.#pool.configureSlot(slotId, spec);
  }

  drain() {
    return this.#pool.drain();
  }

  async listSkills(query: Parameters<Pool["skills"]["list"]>[0]) {
    return this.#pool.skills.list(query).map(skillView);
  }

  async getSkill(name: string) {
    return skillView(this.#pool.skills.require(name));
  }

  async addSkill(skill: Parameters<Pool["skills"]["register"]>[0]) {
    return skillView(this.#pool.skills.register(skill, "runtime"));
  }

  async removeSkill(name: string) {
    return this.#pool.skills.remove(name, "runtime");
  }

  async submitSkill(
    name: string,
    args: Parameters<Pool["submitSkill"]>[1],
    request: Omit<TaskRequest, "prompt">,
  ) {
    return this.#pool.submitSkill(name, args, request);
  }

  contextSet(key: string, value: string) {
    return this.#pool.contextSet(key, value);
  }

  contextGet(key: string) {
    return this.#pool.contextGet(key);
  }

  contextDelete(key: string) {
    return this.#pool.contextDelete(key);
  }

  contextList() {
    return this.#pool.contextList();
  }

  async close() {
    await this.#pool.shutdown();
    await this.#closeDatabase();
  }
}

/** A line for a progress notification about this task, or null when the event is another task's. */
export function describeTaskEvent(event: PoolEvent, taskId: string): string | null {
  if (!("taskId" in event) || event.taskId !== taskId) return null;
  switch (event.type) {
    case "task.started":
      return `running on ${event.slotId}${event.attempt > 1 ? ` (attempt ${event.attempt})` : ""}`;
    case "task.output":
      return event.kind === "assistant" ? "working: the model answered" : null;
    case "task.waiting_for_quota":
      return `waiting for quota until ${event.resetsAt}`;
    case "task.completed":
      return "completed";
    case "task.failed":
      return event.status;
    default:
      return null;
  }
}

export function taskView(task: TaskRecord): TaskView {
  const durationMs =
    task.result?.durationMs ??
    (task.startedAt && task.finishedAt ? task.finishedAt.getTime() - task.startedAt.getTime() : null);
  return {
    taskId: task.id,
    status: task.status,
    prompt: task.prompt,
    slotId: task.slotId,
    output: task.result?.output ?? null,
    ...(task.result?.structuredOutput !== undefined
      ? { structuredOutput: task.result.structuredOutput }
      : {}),
    spendUsd: task.spendMicros / 1_000_000,
    tokens: task.tokens,
    model: task.model ?? task.result?.model ?? null,
    turns: task.result?.turns ?? task.turns,
    durationMs,
    sessionId: task.claudeSessionId,
    error: task.error,
    tags: task.tags,
    createdAt: task.createdAt.toISOString(),
    finishedAt: task.finishedAt?.toISOString() ?? null,
  };
}

function skillView(skill: RegisteredSkill): SkillView {
  return {
    name: skill.name,
    description: skill.description,
    prompt: skill.prompt,
    scope: skill.scope,
    source: skill.source,
    arguments: skill.arguments.map((a) => ({
      name: a.name,
      description: a.description,
      required: a.required,
    })),
    steps: skill.steps?.length ?? 0,
  };
}
