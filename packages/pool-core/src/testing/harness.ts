import { newId } from "../domain/ids.js";
import type { ClaimRequest, FinishRequest, NewTask, SlotRecord, Store } from "../store/port.js";

/**
 * The test functions the suites run with, passed in so that `@claude-pool/core` never imports a
 * test framework at run time (the types are vitest's; jest's globals fit too).
 */
export type TestApi = Pick<
  typeof import("vitest"),
  "describe" | "it" | "expect" | "beforeEach" | "afterEach"
>;

/** A store under test, and how to set up what the store port leaves to its owner. */
export interface StoreHarness {
  store: Store;
  /**
   * Makes a team exist, so that pools can belong to it and `setTeamBudgetCap` can cap it. The SQL
   * store needs a `teams` row (the auth layer makes those); the in-memory store needs nothing.
   */
  createTeam(teamId: string): Promise<void>;
  close(): Promise<void>;
}

export const POOL = "pool-a";
export const OTHER_POOL = "pool-b";
export const NO_TOKENS = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };

/** A settlement of a completed task by engine-1 that cost nothing, with overrides. */
export function completedBy(overrides: Partial<FinishRequest> = {}): FinishRequest {
  return {
    engineId: "engine-1",
    status: "completed",
    result: null,
    error: null,
    spendMicros: 0,
    tokens: NO_TOKENS,
    model: null,
    turns: 0,
    claudeSessionId: null,
    ...overrides,
  };
}

/** An idle slot-0 of POOL on engine-1, with overrides. */
export function slotRecord(overrides: Partial<SlotRecord> = {}): SlotRecord {
  return {
    id: "slot-0",
    poolId: POOL,
    engineId: "engine-1",
    name: "slot-0",
    role: null,
    description: null,
    config: { model: "opus" },
    state: "idle",
    currentTaskId: null,
    sessionId: null,
    worktreePath: null,
    tasksCompleted: 0,
    errors: 0,
    restarts: 0,
    spendMicros: 0,
    ...overrides,
  };
}

/** A task as the Pool would submit it, with overrides. */
export function newTestTask(poolId: string, overrides: Partial<NewTask> = {}): NewTask {
  return {
    id: newId(),
    poolId,
    prompt: "write a haiku",
    priority: 0,
    targetSlotId: null,
    targetRole: null,
    config: {},
    sessionMode: "resume",
    explicitSession: null,
    cwd: null,
    tags: [],
    maxBudgetMicros: null,
    timeoutMs: null,
    chainId: null,
    chainStep: null,
    parentTaskId: null,
    submittedBy: null,
    skill: null,
    ...overrides,
  };
}

export function claimFor(slotId: string, overrides: Partial<ClaimRequest> = {}): ClaimRequest {
  return { poolId: POOL, engineId: "engine-1", slotId, slotRole: null, leaseMs: 30_000, ...overrides };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Reads until `check` holds or `timeoutMs` passes; returns the last value (the assertion decides). */
export async function eventually<T>(
  read: () => T | Promise<T>,
  check: (value: T) => boolean,
  timeoutMs = 5000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (check(value) || Date.now() > deadline) return value;
    await sleep(10);
  }
}

/** A stream-json success `result` line as the CLI writes it. */
export function resultLine(sessionId: string, totalCostUsd: number, extra: Record<string, unknown> = {}) {
  return {
    type: "result",
    subtype: "success",
    is_error: false,
    result: "done",
    session_id: sessionId,
    total_cost_usd: totalCostUsd,
    num_turns: 1,
    duration_ms: 12,
    usage: { input_tokens: 10, output_tokens: 5, cache_read_input_tokens: 1, cache_creation_input_tokens: 2 },
    modelUsage: { "claude-sim-1": { costUSD: totalCostUsd } },
    ...extra,
  };
}
