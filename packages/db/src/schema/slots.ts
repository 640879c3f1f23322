import type { ClaudeConfig } from "@claude-pool/core";
import { bigint, integer, jsonb, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";
import { pools } from "./pools.js";

/**
 * A slot of a pool as its engine last reported it (the dashboard's slot board). Every engine serves
 * every pool with its own slots `slot-0`…, so a slot is keyed by pool, engine and slot id.
 */
export const slots = pgTable(
  "slots",
  {
    poolId: text("pool_id")
      .notNull()
      .references(() => pools.id, { onDelete: "cascade" }),
    id: text("id").notNull(),
    engineId: text("engine_id").notNull(),
    name: text("name").notNull(),
    role: text("role"),
    description: text("description"),
    config: jsonb("config").$type<ClaudeConfig>().notNull().default({}),
    state: text("state").$type<"idle" | "busy" | "stopped">().notNull(),
    currentTaskId: text("current_task_id"),
    sessionId: text("session_id"),
    worktreePath: text("worktree_path"),
    tasksCompleted: integer("tasks_completed").notNull().default(0),
    errors: integer("errors").notNull().default(0),
    restarts: integer("restarts").notNull().default(0),
    spendMicros: bigint("spend_micros", { mode: "number" }).notNull().default(0),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.poolId, t.engineId, t.id] })],
);
