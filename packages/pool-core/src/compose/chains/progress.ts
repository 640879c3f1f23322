import { PoolError } from "../../domain/errors.js";
import type { PoolEvent } from "../../domain/events.js";
import { type Micros, microsToUsd, usdToMicros } from "../../domain/money.js";
import type { Store } from "../../store/port.js";
import type { WorktreeManager } from "../../worktrees/manager.js";
import type { PlannedStep } from "./plan.js";
import type { ChainOptions, ChainProgress } from "./schema.js";

/** What chains need of the pool besides its TaskRunner face: where to persist, announce and lease. */
export interface ChainHost {
  poolId: string;
  engineId: string;
  store: Store;
  emit(event: PoolEvent): void;
  /** The pool's worktree manager; null when the pool runs without worktrees. */
  worktrees: WorktreeManager | null;
  leaseMs: number;
  pollIntervalMs: number;
  /** The repository a chain's own worktree comes from when the pool has no manager and the chain no cwd. */
  repoDir: string;
}

/** What the chain record's `definition` holds: enough to show, audit or re-run the chain. */
export interface ChainDefinition {
  steps: PlannedStep[];
  options: ChainOptions;
}

export interface ActiveChain {
  progress: ChainProgress;
  controller: AbortController;
  currentTaskId: string | null;
  done: Promise<void>;
  /** Another engine took the chain over (our lease lapsed): stop without writing anything more. */
  released: boolean;
}

/** A new chain's progress: every step pending. */
export function newChainProgress(
  chainId: string,
  steps: readonly PlannedStep[],
  options: ChainOptions,
): ChainProgress {
  return {
    chainId,
    status: "running",
    totalSteps: steps.length,
    currentStep: null,
    currentStepName: null,
    partialOutput: "",
    steps: steps.map((step) => ({
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
    lastGoodMessageUuid: null,
    sessionResumeAt: null,
    worktreePath: null,
    branch: null,
    tags: options.tags,
    createdAt: new Date().toISOString(),
    finishedAt: null,
  };
}

/** Persists the chain's progress (unless another engine took it over) and announces it. */
export async function saveChain(
  host: ChainHost,
  chain: ActiveChain,
  definition: ChainDefinition,
): Promise<void> {
  const { progress } = chain;
  if (chain.released) return;
  await host.store.saveChain({
    id: progress.chainId,
    poolId: host.poolId,
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
  announceChain(host, progress);
}

export function announceChain(host: ChainHost, progress: ChainProgress): void {
  host.emit({ type: "chain.progress", chainId: progress.chainId, progress: structuredClone(progress) });
}

/** Text of an assistant stream line (`{type:"assistant", message:{content:[{type:"text", text}]}}`). */
export function assistantText(kind: string, payload: unknown): string {
  if (kind !== "assistant" || !isRecord(payload) || !isRecord(payload.message)) return "";
  const content = payload.message.content;
  if (!Array.isArray(content)) return "";
  return content
    .map((block: unknown) =>
      isRecord(block) && block.type === "text" && typeof block.text === "string" ? block.text : "",
    )
    .join("");
}

/**
 * Whether an assistant stream line is a real reply (not the CLI's synthetic message for an API
 * error), and its uuid.
 */
export function assistantReply(kind: string, payload: unknown): { uuid: string | null } | null {
  if (kind !== "assistant" || !isRecord(payload) || !isRecord(payload.message)) return null;
  if (payload.message.model === "<synthetic>" || payload.isApiErrorMessage === true) return null;
  if (payload.is_api_error_message === true) return null;
  return { uuid: typeof payload.uuid === "string" ? payload.uuid : null };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function addUsd(usd: number, micros: Micros): number {
  return microsToUsd(usdToMicros(usd) + micros);
}

export function describeError(error: unknown): string {
  if (error instanceof PoolError) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

export function abortPromise(signal: AbortSignal | undefined): Promise<never> {
  return new Promise((_resolve, reject) => {
    if (!signal) return;
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
}
