import { Cancelled, TaskFailed } from "../domain/errors.js";
import type { TaskOptionsInput } from "../domain/options.js";
import type { TaskRunner } from "../domain/task-runner.js";
import type { TaskResult } from "../domain/types.js";
import type { ChainRunner } from "./chains/runner.js";
import type { ChainOptionsInput, ChainProgress, ChainStepInput } from "./chains/schema.js";

export type FanOutItem = string | { prompt: string; options?: TaskOptionsInput };

export interface FanOutOptions {
  /** On the first failure, cancel every task that has not finished (they settle as `Cancelled`). */
  failFast?: boolean;
  /** Options for every task; an item's own options win. */
  defaults?: TaskOptionsInput;
}

/** One settled prompt: its result, or why it failed. `taskId` is null if it was refused at submit. */
export type FanOutResult =
  | { status: "fulfilled"; taskId: string; value: TaskResult }
  | { status: "rejected"; taskId: string | null; reason: Error };

/** What a fan-out runs on: any TaskRunner (the pool, or a test double). */
export type FanOutPool = Pick<TaskRunner, "submit" | "result" | "cancel">;

/**
 * Runs every prompt in parallel within the pool and settles each: one result per prompt, in
 * order, a failure in its own place while the others are kept.
 *
 * @example
 * const [a, b] = await fanOut(pool, ["review src/a.ts", { prompt: "review src/b.ts", options: { role: "reviewer" } }]);
 * if (a.status === "fulfilled") console.log(a.value.output);
 */
export async function fanOut(
  pool: FanOutPool,
  items: readonly FanOutItem[],
  options: FanOutOptions = {},
): Promise<FanOutResult[]> {
  const settled = new Set<number>();
  const taskIds: Array<string | null> = items.map(() => null);
  let failed = false;
  const cancelRest = async () => {
    if (failed || !options.failFast) return;
    failed = true;
    await Promise.all(
      taskIds.map((id, i) => (id !== null && !settled.has(i) ? pool.cancel(id).catch(() => false) : false)),
    );
  };

  // Submit everything first so the queue holds the whole fan-out in order.
  const submissions = await Promise.all(
    items.map(async (item, i): Promise<FanOutResult | string> => {
      const { prompt, options: own } = typeof item === "string" ? { prompt: item, options: undefined } : item;
      try {
        const id = await pool.submit(prompt, mergeTaskOptions(options.defaults, own));
        taskIds[i] = id;
        return id;
      } catch (error) {
        settled.add(i);
        return { status: "rejected", taskId: null, reason: asError(error) };
      }
    }),
  );
  if (submissions.some((s) => typeof s !== "string")) await cancelRest();

  return Promise.all(
    submissions.map(async (submission, i): Promise<FanOutResult> => {
      if (typeof submission !== "string") return submission;
      if (failed) await pool.cancel(submission).catch(() => false);
      try {
        const value = await pool.result(submission, { wait: true });
        settled.add(i);
        if (!value) throw new Cancelled(submission);
        return { status: "fulfilled", taskId: submission, value };
      } catch (error) {
        settled.add(i);
        await cancelRest();
        return { status: "rejected", taskId: submission, reason: asError(error) };
      }
    }),
  );
}

export interface FanOutChain {
  steps: readonly ChainStepInput[];
  options?: ChainOptionsInput;
}

/** One settled chain: its final progress when it succeeded, or why it did not (with progress when it ran). */
export type FanOutChainResult =
  | { status: "fulfilled"; chainId: string; value: ChainProgress }
  | { status: "rejected"; chainId: string | null; reason: Error; progress: ChainProgress | null };

/**
 * `fanOut` for chains: every chain runs in parallel; one result per chain, in order. With
 * `failFast`, the first failed chain cancels the others.
 */
export async function fanOutChains(
  runner: Pick<ChainRunner, "submit" | "result" | "cancel">,
  chains: readonly FanOutChain[],
  options: { failFast?: boolean } = {},
): Promise<FanOutChainResult[]> {
  const ids: Array<string | null> = chains.map(() => null);
  const done = new Set<number>();
  let failed = false;
  const cancelRest = async () => {
    if (failed || !options.failFast) return;
    failed = true;
    await Promise.all(
      ids.map((id, i) => (id !== null && !done.has(i) ? runner.cancel(id).catch(() => false) : false)),
    );
  };

  const submissions = await Promise.all(
    chains.map(async (chain, i): Promise<string | Error> => {
      try {
        const id = await runner.submit(chain.steps, chain.options);
        ids[i] = id;
        return id;
      } catch (error) {
        done.add(i);
        return asError(error);
      }
    }),
  );
  if (submissions.some((s) => typeof s !== "string")) await cancelRest();

  return Promise.all(
    submissions.map(async (submission, i): Promise<FanOutChainResult> => {
      if (typeof submission !== "string") {
        return { status: "rejected", chainId: null, reason: submission, progress: null };
      }
      if (failed) await runner.cancel(submission).catch(() => false);
      const progress = await runner.result(submission, { wait: true });
      done.add(i);
      if (progress.success) return { status: "fulfilled", chainId: submission, value: progress };
      await cancelRest();
      const reason =
        progress.status === "cancelled"
          ? new Cancelled(submission)
          : new TaskFailed(
              lastTaskId(progress) ?? submission,
              progress.error ?? "the chain failed",
              "chain_failed",
            );
      return { status: "rejected", chainId: submission, reason, progress };
    }),
  );
}

/** The id of the last task a chain ran (the one that failed, for a failed chain). */
export function lastTaskId(progress: ChainProgress): string | null {
  for (const step of [...progress.steps].reverse()) {
    const id = step.taskIds.at(-1);
    if (id !== undefined) return id;
  }
  return null;
}

/** Item options over defaults; tags are combined and configs merged key by key. */
export function mergeTaskOptions(
  defaults: TaskOptionsInput | undefined,
  own: TaskOptionsInput | undefined,
): TaskOptionsInput {
  if (!defaults) return own ?? {};
  if (!own) return defaults;
  const tags = [...(defaults.tags ?? []), ...(own.tags ?? [])];
  const config = defaults.config || own.config ? { ...defaults.config, ...own.config } : undefined;
  return { ...defaults, ...own, ...(tags.length > 0 ? { tags } : {}), ...(config ? { config } : {}) };
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
