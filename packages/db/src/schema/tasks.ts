import type { ClaudeConfig, SessionMode, TaskErrorInfo, TaskResult, TaskStatus } from "@claude-pool/core";
import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uuid,
} from "drizzle-orm/pg-core";
import { pools } from "./pools.js";

/**
 * One unit of work. Status changes go through the Store only; `seq` is the FIFO order within a
 * priority, `last_event_seq` the highest `task_events.seq` (so appends are gapless under a row lock),
 * `recoveries` how many times the task was taken over after its engine died.
 */
export const tasks = pgTable(
  "tasks",
  {
    id: uuid("id").primaryKey(),
    seq: bigserial("seq", { mode: "number" }).notNull().unique(),
    poolId: text("pool_id")
      .notNull()
      .references(() => pools.id, { onDelete: "cascade" }),
    prompt: text("prompt").notNull(),
    priority: integer("priority").notNull().default(0),
    targetSlotId: text("target_slot_id"),
    targetRole: text("target_role"),
    config: jsonb("config").$type<ClaudeConfig>().notNull().default({}),
    sessionMode: text("session_mode").$type<SessionMode>().notNull(),
    explicitSession: jsonb("explicit_session").$type<{ resume: string | null }>(),
    cwd: text("cwd"),
    tags: text("tags").array().notNull().default(sql`'{}'::text[]`),
    maxBudgetMicros: bigint("max_budget_micros", { mode: "number" }),
    timeoutMs: integer("timeout_ms"),
    chainId: uuid("chain_id"),
    chainStep: text("chain_step"),
    parentTaskId: uuid("parent_task_id"),
    submittedBy: text("submitted_by"),
    skill: text("skill"),

    status: text("status").$type<TaskStatus>().notNull().default("queued"),
    slotId: text("slot_id"),
    engineId: text("engine_id"),
    leaseExpiresAt: timestamp("lease_expires_at", { withTimezone: true }),
    runAfter: timestamp("run_after", { withTimezone: true }),
    /** The credential whose usage limit holds this waiting task (see credential_parks); null otherwise. */
    quotaCredential: text("quota_credential"),
    attempt: integer("attempt").notNull().default(0),
    recoveries: integer("recoveries").notNull().default(0),
    claudeSessionId: text("claude_session_id"),
    reservedMicros: bigint("reserved_micros", { mode: "number" }).notNull().default(0),
    spendMicros: bigint("spend_micros", { mode: "number" }).notNull().default(0),
    inputTokens: bigint("input_tokens", { mode: "number" }).notNull().default(0),
    outputTokens: bigint("output_tokens", { mode: "number" }).notNull().default(0),
    cacheReadTokens: bigint("cache_read_tokens", { mode: "number" }).notNull().default(0),
    cacheWriteTokens: bigint("cache_write_tokens", { mode: "number" }).notNull().default(0),
    model: text("model"),
    turns: integer("turns").notNull().default(0),
    result: jsonb("result").$type<TaskResult>(),
    error: jsonb("error").$type<TaskErrorInfo>(),
    lastEventSeq: integer("last_event_seq").notNull().default(0),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp("started_at", { withTimezone: true }),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [
    // The claim query's access path: pending work of a pool in priority/FIFO order.
    index("tasks_claim_idx")
      .on(t.poolId, t.priority.desc(), t.seq)
      .where(sql`${t.status} in ('queued', 'waiting_for_quota', 'running')`),
    index("tasks_pool_seq_idx").on(t.poolId, t.seq),
    index("tasks_chain_idx").on(t.chainId),
    index("tasks_finished_idx").on(t.finishedAt),
    check(
      "tasks_status_check",
      sql`${t.status} in ('queued', 'running', 'waiting_for_quota', 'completed', 'failed', 'cancelled', 'timed_out')`,
    ),
    check("tasks_reserved_nonnegative", sql`${t.reservedMicros} >= 0`),
  ],
);
