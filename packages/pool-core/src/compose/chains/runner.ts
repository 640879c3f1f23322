import { ChainNotFound, InvalidOptions, WorktreeError } from "../../domain/errors.js";
import { newId } from "../../domain/ids.js";
import { parseOptions } from "../../domain/options.js";
import type { TaskRunner } from "../../domain/task-runner.js";
import type { ChainRecord } from "../../store/port.js";
import { findRepoTop } from "../../worktrees/repo.js";
import { ChainExecution } from "./execution.js";
import { planChain, type SkillLookup } from "./plan.js";
import {
  type ActiveChain,
  abortPromise,
  type ChainDefinition,
  type ChainHost,
  describeError,
  newChainProgress,
  saveChain,
} from "./progress.js";
import {
  type ChainOptionsInput,
  type ChainProgress,
  type ChainStepInput,
  chainOptionsSchema,
} from "./schema.js";

export type { ChainDefinition, ChainHost } from "./progress.js";

/**
 * Runs chains on a pool's tasks. A chain holds one Claude session across its steps: the first
 * step starts a detached session and every later attempt resumes it, so no slot's session is
 * read or changed. With `isolation: "worktree"` the chain works in its own worktree and branch,
 * kept afterwards for review. Progress is persisted (`store.saveChain`) and announced
 * (`chain.progress`) at every change of step status. The pool owns one runner and keeps its
 * chains leased.
 *
 * @example
 * const id = await pool.submitChain([
 *   { name: "find", action: { type: "prompt", prompt: "List TODOs as JSON {\"todos\": [...]}" }, outputVars: { todos: "todos" } },
 *   { name: "fix", action: { type: "prompt", prompt: "Fix these: {steps.find.todos}" } },
 * ]);
 * const progress = await pool.chainResult(id, { wait: true });
 */
export class ChainRunner {
  readonly #host: ChainHost;
  readonly #skills: SkillLookup;
  readonly #execution: ChainExecution;
  readonly #active = new Map<string, ActiveChain>();

  constructor(tasks: TaskRunner, host: ChainHost, skills: SkillLookup) {
    this.#host = host;
    this.#skills = skills;
    this.#execution = new ChainExecution(tasks, host);
  }

  /**
   * Validates the steps (every template reference included) and starts the chain. Throws
   * `InvalidChainDefinition` before anything runs; returns the chain id once it is persisted.
   */
  async submit(steps: readonly ChainStepInput[], options: ChainOptionsInput = {}): Promise<string> {
    const planned = planChain(steps, this.#skills);
    const opts = parseOptions(chainOptionsSchema, options, "options");
    if (opts.isolation === "worktree" && this.#host.worktrees === null) {
      await assertRepository(opts.cwd ?? this.#host.repoDir);
    }
    const chainId = newId();
    const definition: ChainDefinition = { steps: planned, options: opts };
    const chain = this.#activate(newChainProgress(chainId, planned, opts));
    await saveChain(this.#host, chain, definition);
    await this.#host.store.claimChain(chainId, this.#host.engineId, this.#host.leaseMs);
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

  /** The chain's progress. With `wait`, resolves once it has ended. Throws `ChainNotFound`. */
  async result(chainId: string, opts: { wait?: boolean; signal?: AbortSignal } = {}): Promise<ChainProgress> {
    for (;;) {
      const active = this.#active.get(chainId);
      if (active) {
        if (!opts.wait) return structuredClone(active.progress);
        await Promise.race([active.done, abortPromise(opts.signal)]);
      }
      const record = await this.#host.store.getChain(chainId);
      if (!record) throw new ChainNotFound(chainId);
      if (!opts.wait || record.status !== "running") return record.state as ChainProgress;
      // Running on another engine that shares the store: poll its persisted progress.
      opts.signal?.throwIfAborted();
      await new Promise((resolve) => setTimeout(resolve, this.#host.pollIntervalMs));
    }
  }

  /**
   * Cancels a running chain: its current step's process is killed and the remaining steps are
   * skipped. Returns false when the chain had already ended. Throws `ChainNotFound`.
   */
  async cancel(chainId: string): Promise<boolean> {
    const active = this.#active.get(chainId);
    if (!active) {
      if (!(await this.#host.store.getChain(chainId))) throw new ChainNotFound(chainId);
      return false;
    }
    active.controller.abort();
    const taskId = active.currentTaskId;
    if (taskId !== null) await this.#execution.cancelTask(taskId);
    await active.done;
    return true;
  }

  /** Persisted chains of this pool, newest first, optionally by status. */
  async list(status?: ChainRecord["status"][]): Promise<ChainProgress[]> {
    const records = await this.#host.store.listChains(this.#host.poolId, status);
    return records
      .map((record) => this.#active.get(record.id)?.progress ?? (record.state as ChainProgress))
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  /** Waits for every running chain (for drain). */
  async settle(): Promise<void> {
    await Promise.all([...this.#active.values()].map((chain) => chain.done));
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
    chain.done = this.#execution
      .run(chain, definition)
      .catch(async (error: unknown) => {
        progress.error = describeError(error);
        await this.#execution.end(chain, definition, "failed");
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
}

/** A chain in its own worktree needs a repository: refused at submit, not when its first step runs. */
async function assertRepository(dir: string): Promise<void> {
  try {
    await findRepoTop(dir);
  } catch (error) {
    if (!(error instanceof WorktreeError)) throw error;
    const why = error.message.replace(/^worktree: true needs a git repository: /, "");
    throw new InvalidOptions(
      "options.isolation",
      "worktree",
      "",
      `options.isolation "worktree" needs a git repository with a commit: ${why}`,
    );
  }
}
