import type { ChainRecord, SlotRecord, TaskRecord } from "@claude-pool/core";
import { getTableColumns, type Table } from "drizzle-orm";
import type { chains, slots, tasks } from "../schema/index.js";

/**
 * A row a raw statement returned (`returning tasks.*`: snake_case names, driver values) as Drizzle's
 * select would give it: each column by its property name, through the column's own decoder (bigint
 * strings to numbers, timestamp text to Date, jsonb text to values), so both drivers agree.
 */
export function fromRawRow<T extends Table>(table: T, raw: Record<string, unknown>): T["$inferSelect"] {
  const out: Record<string, unknown> = {};
  for (const [key, column] of Object.entries(getTableColumns(table))) {
    const value = raw[column.name];
    out[key] = value === null || value === undefined ? null : column.mapFromDriverValue(value);
  }
  return out as T["$inferSelect"];
}

export function toTaskRecord(r: typeof tasks.$inferSelect): TaskRecord {
  return {
    id: r.id,
    poolId: r.poolId,
    prompt: r.prompt,
    priority: r.priority,
    targetSlotId: r.targetSlotId,
    targetRole: r.targetRole,
    config: r.config,
    sessionMode: r.sessionMode,
    explicitSession: r.explicitSession,
    cwd: r.cwd,
    tags: r.tags,
    maxBudgetMicros: r.maxBudgetMicros,
    timeoutMs: r.timeoutMs,
    chainId: r.chainId,
    chainStep: r.chainStep,
    parentTaskId: r.parentTaskId,
    submittedBy: r.submittedBy,
    skill: r.skill,
    seq: r.seq,
    status: r.status,
    slotId: r.slotId,
    engineId: r.engineId,
    leaseExpiresAt: r.leaseExpiresAt,
    runAfter: r.runAfter,
    attempt: r.attempt,
    recoveries: r.recoveries,
    claudeSessionId: r.claudeSessionId,
    reservedMicros: r.reservedMicros,
    spendMicros: r.spendMicros,
    tokens: {
      input: r.inputTokens,
      output: r.outputTokens,
      cacheRead: r.cacheReadTokens,
      cacheWrite: r.cacheWriteTokens,
    },
    model: r.model,
    turns: r.turns,
    result: r.result,
    error: r.error,
    createdAt: r.createdAt,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    quotaCredential: r.quotaCredential,
  };
}

export function toSlotRecord(r: typeof slots.$inferSelect): SlotRecord {
  return {
    id: r.id,
    poolId: r.poolId,
    engineId: r.engineId,
    name: r.name,
    role: r.role,
    description: r.description,
    config: r.config,
    state: r.state,
    currentTaskId: r.currentTaskId,
    sessionId: r.sessionId,
    worktreePath: r.worktreePath,
    tasksCompleted: r.tasksCompleted,
    errors: r.errors,
    restarts: r.restarts,
    spendMicros: r.spendMicros,
  };
}

export function toChainRecord(r: typeof chains.$inferSelect): ChainRecord {
  return {
    id: r.id,
    poolId: r.poolId,
    status: r.status,
    definition: r.definition,
    state: r.state ?? null,
    claudeSessionId: r.claudeSessionId,
    worktreePath: r.worktreePath,
    branch: r.branch,
    spendMicros: r.spendMicros,
    createdAt: r.createdAt,
    finishedAt: r.finishedAt,
  };
}

/** Postgres jsonb cannot hold U+0000; a stray NUL in a CLI line must not lose the whole event. */
export function jsonSafe(value: unknown): unknown {
  const text = JSON.stringify(value);
  if (text === undefined) return null;
  return text.includes("\\u0000") ? JSON.parse(text.replaceAll("\\u0000", "\\ufffd")) : value;
}
