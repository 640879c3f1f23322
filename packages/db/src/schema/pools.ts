import type { ClaudeConfig } from "@claude-pool/core";
import { sql } from "drizzle-orm";
import { bigint, check, jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { teams } from "./teams.js";

/** What `slots.configure` stored for one slot id; every engine applies it to its slot of that id. */
export interface PoolSlotSpec {
  name?: string;
  role?: string;
  description?: string;
  config?: ClaudeConfig;
}

/**
 * A pool and its budget. `spent + reserved <= cap` holds at every commit: reservations and
 * settlements are single conditional statements on this row (see store/budget.ts and store/settle.ts).
 */
export const pools = pgTable(
  "pools",
  {
    id: text("id").primaryKey(),
    teamId: text("team_id").references(() => teams.id, { onDelete: "set null" }),
    name: text("name").notNull(),
    config: jsonb("config").$type<Record<string, unknown>>().notNull().default({}),
    budgetCapMicros: bigint("budget_cap_micros", { mode: "number" }),
    spentMicros: bigint("spent_micros", { mode: "number" }).notNull().default(0),
    reservedMicros: bigint("reserved_micros", { mode: "number" }).notNull().default(0),
    /**
     * Per-slot identity set through the API (`slots.configure`), by slot id. Kept apart from
     * `config`, which every engine's Pool.create rewrites from its options.
     */
    slotSpecs: jsonb("slot_specs").$type<Record<string, PoolSlotSpec>>().notNull().default({}),
    /** Set when the pool was deleted: it runs nowhere, but its tasks and spend stay readable. */
    archivedAt: timestamp("archived_at", { withTimezone: true }),
    /** Spend of the last tasks that ran to an end, newest first (budget admission's estimate). */
    recentTaskCosts: bigint("recent_task_costs", { mode: "number" })
      .array()
      .notNull()
      .default(sql`'{}'::bigint[]`),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check("pools_reserved_nonnegative", sql`${t.reservedMicros} >= 0`),
    check("pools_spent_nonnegative", sql`${t.spentMicros} >= 0`),
  ],
);
