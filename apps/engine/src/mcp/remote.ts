import type { PoolClient } from "@claude-pool/api";
import type { ChainProgress, ReviewState, TaskStatus } from "@claude-pool/core";
import { connect, explainClientError, type PoolRef, resolvePool } from "../client-commands/connect.js";
import {
  ENDED,
  type PoolBackend,
  type SkillView,
  type TaskRequest,
  type TaskView,
  type Watch,
} from "./backend.js";

export interface RemotePlan {
  url: string;
  token: string;
  pool: string | undefined;
}

type ApiTask = Awaited<ReturnType<PoolClient["tasks"]["get"]["query"]>>;

/** How often a waiting tool re-reads a task or chain it follows (the engine's own wait is exact). */
const FOLLOW_MS = 500;

/**
 * A pool of a running engine behind the backend interface, through `createPoolClient` with an API
 * token. Every call is the API's, so the token's team and role decide what is allowed.
 */
export async function createRemoteBackend(plan: RemotePlan): Promise<PoolBackend> {
  const client = connect(plan);
  let pool: PoolRef;
  try {
    pool = await resolvePool(client, plan.pool);
  } catch (error) {
    throw explainClientError(error, plan.url);
  }
  return new RemoteBackend(client, pool, plan.url);
}

class RemoteBackend implements PoolBackend {
  readonly label: string;
  readonly #c: PoolClient;
  readonly #pool: PoolRef;
  readonly #url: string;

  constructor(client: PoolClient, pool: PoolRef, url: string) {
    this.#c = client;
    this.#pool = pool;
    this.#url = url;
    this.label = `pool ${pool.name} at ${url}`;
  }

  /** API errors keep their message (it names the field); network failures name the URL. */
  async #call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw explainClientError(error, this.#url);
    }
  }

  get #poolId() {
    return { poolId: this.#pool.id };
  }

  status() {
    return this.#call(() => this.#c.pools.status.query(this.#poolId));
  }

  async submit(request: TaskRequest) {
    const { taskId } = await this.#call(() => this.#c.tasks.submit.mutate({ ...this.#poolId, ...request }));
    return taskId;
  }

  async task(taskId: string) {
    return remoteTaskView(await this.#call(() => this.#c.tasks.get.query({ taskId })));
  }

  async waitForTask(taskId: string, watch: Watch): Promise<TaskView> {
    let last: TaskStatus | null = null;
    for (;;) {
      watch.signal?.throwIfAborted();
      const view = await this.task(taskId);
      if (view.status !== last) {
        if (last !== null || view.status !== "queued") watch.onProgress?.(`${view.status} (task ${taskId})`);
        last = view.status;
      }
      if (ENDED.includes(view.status)) return view;
      await sleep(FOLLOW_MS, watch.signal);
    }
  }

  async cancel(taskId: string) {
    return (await this.#call(() => this.#c.tasks.cancel.mutate({ taskId }))).cancelled;
  }

  async listTasks(query: { status?: TaskStatus[]; limit: number }) {
    const page = await this.#call(() =>
      this.#c.tasks.list.query({
        ...this.#poolId,
        ...(query.status ? { status: query.status } : {}),
        limit: Math.min(query.limit, 200),
      }),
    );
    return page.items.map(remoteTaskView);
  }

  async submitChain(
    steps: Parameters<PoolBackend["submitChain"]>[0],
    options: Parameters<PoolBackend["submitChain"]>[1],
  ) {
    const { submittedBy: _who, ...rest } = options;
    const { chainId } = await this.#call(() =>
      this.#c.chains.submit.mutate({ ...this.#poolId, steps, options: rest }),
    );
    return chainId;
  }

  chain(chainId: string): Promise<ChainProgress> {
    return this.#call(() => this.#c.chains.get.query({ chainId }));
  }

  async waitForChain(chainId: string, watch: Watch<ChainProgress>): Promise<ChainProgress> {
    let seen = "";
    for (;;) {
      watch.signal?.throwIfAborted();
      const progress = await this.chain(chainId);
      const mark = `${progress.status}:${progress.currentStep}:${progress.steps.map((s) => s.status).join(",")}`;
      if (mark !== seen) {
        seen = mark;
        watch.onProgress?.(progress);
      }
      if (progress.status !== "running") return progress;
      await sleep(FOLLOW_MS, watch.signal);
    }
  }

  async cancelChain(chainId: string) {
    return (await this.#call(() => this.#c.chains.cancel.mutate({ chainId }))).cancelled;
  }

  async startWorkflow(name: string, args: Parameters<PoolBackend["startWorkflow"]>[1]) {
    const { chainId } = await this.#call(() =>
      this.#c.chains.runWorkflow.mutate({ ...this.#poolId, name, arguments: { ...args } }),
    );
    return chainId;
  }

  /** The API addresses a review by any of its tasks; the first round's task id is the review id here. */
  async submitWithReview(request: TaskRequest & { maxRejections?: number }) {
    const { fresh: _fresh, ...rest } = request;
    const { taskId } = await this.#call(() =>
      this.#c.tasks.submitWithReview.mutate({ ...this.#poolId, ...rest }),
    );
    return taskId;
  }

  async review(reviewId: string, wait: boolean): Promise<ReviewState> {
    const view = wait ? await this.waitForTask(reviewId, {}) : await this.task(reviewId);
    return reviewOfTask(view);
  }

  approve(reviewId: string) {
    return this.#call(() => this.#c.tasks.approve.mutate({ taskId: reviewId }));
  }

  async reject(reviewId: string, feedback: string): Promise<ReviewState> {
    const r = await this.#call(() => this.#c.tasks.reject.mutate({ taskId: reviewId, feedback }));
    const next = await this.task(r.taskId);
    return { ...reviewOfTask(next), reviewId, status: r.status, rejections: r.rejections, error: r.error };
  }

  async configureSlot(slotId: string, spec: Parameters<PoolBackend["configureSlot"]>[1]) {
    await this.#call(() => this.#c.slots.configure.mutate({ ...this.#poolId, slotId, ...spec }));
  }

  drain() {
    return this.#call(() => this.#c.pools.drain.mutate(this.#poolId));
  }

  async listSkills(query: Parameters<PoolBackend["listSkills"]>[0]) {
    const skills = await this.#call(() => this.#c.skills.list.query(this.#poolId));
    return skills
      .filter(
        (s) =>
          (query.scope ? s.scope === query.scope : true) && (query.source ? s.source === query.source : true),
      )
      .map(remoteSkillView);
  }

  async getSkill(name: string) {
    return remoteSkillView(await this.#call(() => this.#c.skills.get.query({ ...this.#poolId, name })));
  }

  async addSkill(skill: Parameters<PoolBackend["addSkill"]>[0]) {
    return remoteSkillView(await this.#call(() => this.#c.skills.add.mutate({ ...this.#poolId, skill })));
  }

  async removeSkill(name: string) {
    return (await this.#call(() => this.#c.skills.remove.mutate({ ...this.#poolId, name }))).removed;
  }

  /** The API's skills.run takes no per-task options: the skill's own config applies. */
  async submitSkill(name: string, args: Parameters<PoolBackend["submitSkill"]>[1]) {
    const r = await this.#call(() =>
      this.#c.skills.run.mutate({ ...this.#poolId, name, arguments: { ...args } }),
    );
    if (r.taskId !== null) return { kind: "task" as const, taskId: r.taskId };
    if (r.chainId !== null) return { kind: "chain" as const, chainId: r.chainId };
    throw new Error(`the engine started skill ${name} but returned neither a task nor a chain`);
  }

  async contextSet(key: string, value: string) {
    await this.#call(() => this.#c.context.set.mutate({ ...this.#poolId, key, value }));
  }

  async contextGet(key: string) {
    const r = await this.#call(() => this.#c.context.get.query({ ...this.#poolId, key }));
    return r.value ?? undefined;
  }

  async contextDelete(key: string) {
    return (await this.#call(() => this.#c.context.delete.mutate({ ...this.#poolId, key }))).deleted;
  }

  contextList() {
    return this.#call(() => this.#c.context.list.query(this.#poolId));
  }

  async close() {}
}

export function remoteTaskView(t: ApiTask): TaskView {
  const started = t.startedAt ? Date.parse(t.startedAt) : null;
  const finished = t.finishedAt ? Date.parse(t.finishedAt) : null;
  return {
    taskId: t.id,
    status: t.status,
    prompt: t.prompt,
    slotId: t.slotId,
    output: t.result?.output ?? null,
    ...(t.result?.structuredOutput !== undefined ? { structuredOutput: t.result.structuredOutput } : {}),
    spendUsd: t.spendUsd,
    tokens: t.tokens,
    model: t.model ?? t.result?.model ?? null,
    turns: t.result?.turns ?? t.turns,
    durationMs: t.result?.durationMs ?? (started !== null && finished !== null ? finished - started : null),
    sessionId: t.sessionId,
    error: t.error,
    tags: t.tags,
    createdAt: t.createdAt,
    finishedAt: t.finishedAt,
  };
}

/** A review's state as far as its task shows it (the API keeps the review itself in the engine). */
function reviewOfTask(view: TaskView): ReviewState {
  const status: ReviewState["status"] =
    view.status === "completed" ? "awaiting_review" : ENDED.includes(view.status) ? "failed" : "running";
  return {
    reviewId: view.taskId,
    status,
    rejections: 0,
    maxRejections: 3,
    sessionId: view.sessionId,
    rounds: [
      {
        taskId: view.taskId,
        prompt: view.prompt,
        output: view.output,
        error: view.error?.message ?? null,
        feedback: null,
      },
    ],
    result: null,
    error: status === "failed" ? (view.error?.message ?? view.status) : null,
  };
}

function remoteSkillView(s: {
  name: string;
  description: string;
  prompt: string;
  scope: SkillView["scope"];
  source: SkillView["source"];
  arguments: Array<{ name: string; description: string; required: boolean }>;
  steps?: unknown[] | undefined;
}): SkillView {
  return {
    name: s.name,
    description: s.description,
    prompt: s.prompt,
    scope: s.scope,
    source: s.source,
    arguments: s.arguments.map((a) => ({ name: a.name, description: a.description, required: a.required })),
    steps: s.steps?.length ?? 0,
  };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}
