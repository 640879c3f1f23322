import { type NewTask, newId } from "@claude-pool/core";

/** A task as the Pool would submit it, with overrides. */
export function newTask(poolId: string, overrides: Partial<NewTask> = {}): NewTask {
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

export const NO_TOKENS = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };
