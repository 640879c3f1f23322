import type { NewTask, SlotRecord, TaskRecord } from "./port.js";

/**
 * A deep copy of plain data (what the store's records hold: JSON values and Dates), so a caller
 * that changes what it got never changes the store. `structuredClone` did this at ~5 µs per task
 * record, which alone capped the pool at a few tens of thousands of reads a second; walking the
 * few plain fields is several times cheaper. Anything that is not plain data (a class instance, a
 * Map) still goes through `structuredClone`, so the copy means the same.
 */
export function copyData<T>(value: T): T {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) {
    const out = new Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = copyData(value[i]);
    return out as T;
  }
  if (value instanceof Date) return new Date(value.getTime()) as T;
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return structuredClone(value);
  // for…in, not Object.keys: no array of keys per object copied (three copies a task, most of
  // them of `{}`). Own keys only, as Object.keys gives.
  const out: Record<string, unknown> = {};
  for (const key in value) {
    if (Object.hasOwn(value, key)) out[key] = copyData((value as Record<string, unknown>)[key]);
  }
  return out as T;
}

const copyDate = (d: Date | null): Date | null => (d === null ? null : new Date(d.getTime()));

/**
 * A task record's copy: every field named (one object shape, which V8 copies far faster than a
 * spread of a 40-field record), nested values deep. Typed as TaskRecord, so a field added to the
 * record and forgotten here fails to compile.
 */
export function copyTask(t: TaskRecord): TaskRecord {
  return {
    id: t.id,
    poolId: t.poolId,
    prompt: t.prompt,
    priority: t.priority,
    targetSlotId: t.targetSlotId,
    targetRole: t.targetRole,
    config: copyData(t.config),
    sessionMode: t.sessionMode,
    explicitSession: t.explicitSession === null ? null : { ...t.explicitSession },
    cwd: t.cwd,
    tags: [...t.tags],
    maxBudgetMicros: t.maxBudgetMicros,
    timeoutMs: t.timeoutMs,
    chainId: t.chainId,
    chainStep: t.chainStep,
    parentTaskId: t.parentTaskId,
    submittedBy: t.submittedBy,
    skill: t.skill,
    seq: t.seq,
    status: t.status,
    slotId: t.slotId,
    engineId: t.engineId,
    leaseExpiresAt: copyDate(t.leaseExpiresAt),
    runAfter: copyDate(t.runAfter),
    attempt: t.attempt,
    recoveries: t.recoveries,
    claudeSessionId: t.claudeSessionId,
    reservedMicros: t.reservedMicros,
    spendMicros: t.spendMicros,
    tokens: { ...t.tokens },
    model: t.model,
    turns: t.turns,
    result: copyData(t.result),
    error: copyData(t.error),
    createdAt: new Date(t.createdAt.getTime()),
    startedAt: copyDate(t.startedAt),
    finishedAt: copyDate(t.finishedAt),
    quotaCredential: t.quotaCredential,
  };
}

/**
 * The record of a task just queued: the submission's fields (copied) and the store's defaults.
 * Named field by field like `copyTask`: a spread of the submission with the defaults after it
 * cost several microseconds per task in V8, the largest single item of the pool's own cost.
 */
export function queuedRecord(t: NewTask, seq: number, createdAt: Date): TaskRecord {
  return {
    id: t.id,
    poolId: t.poolId,
    prompt: t.prompt,
    priority: t.priority,
    targetSlotId: t.targetSlotId,
    targetRole: t.targetRole,
    config: copyData(t.config),
    sessionMode: t.sessionMode,
    explicitSession: t.explicitSession === null ? null : { ...t.explicitSession },
    cwd: t.cwd,
    tags: [...t.tags],
    maxBudgetMicros: t.maxBudgetMicros,
    timeoutMs: t.timeoutMs,
    chainId: t.chainId,
    chainStep: t.chainStep,
    parentTaskId: t.parentTaskId,
    submittedBy: t.submittedBy,
    skill: t.skill,
    seq,
    status: "queued",
    slotId: null,
    engineId: null,
    leaseExpiresAt: null,
    runAfter: null,
    attempt: 0,
    recoveries: 0,
    claudeSessionId: null,
    reservedMicros: 0,
    spendMicros: 0,
    tokens: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
    model: null,
    turns: 0,
    result: null,
    error: null,
    createdAt,
    startedAt: null,
    finishedAt: null,
    quotaCredential: null,
  };
}

/** A slot record's copy (config shared, as a spread would): named fields, one object shape. */
export function copySlot(r: SlotRecord): SlotRecord {
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
