import type { ChainStatus } from "@claude-pool/core";
import {
  bigint,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from "drizzle-orm/pg-core";
import { pools } from "./pools.js";

/** A chain run. `definition` and `state` are JSON owned by pool-core's chain runner. */
export const chains = pgTable(
  "chains",
  {
    id: uuid("id").primaryKey(),
    poolId: text("pool_id")
      .notNull()
      .references(() => pools.id, { onDelete: "cascade" }),
    status: text("status").$type<ChainStatus>().notNull(),
    definition: jsonb("definition").$type<unknown>().notNull(),
    state: jsonb("state").$type<unknown>(),
    claudeSessionId: text("claude_session_id"),
    worktreePath: text("worktree_path"),
    branch: text("branch"),
    /** The engine driving the chain and until when; another engine may take over after expiry. */
    engineId: text("engine_id"),
    leaseExpiresAt: timestamp("lease_expires_at", { withTimezone: true }),
    spendMicros: bigint("spend_micros", { mode: "number" }).notNull().default(0),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [index("chains_pool_status_idx").on(t.poolId, t.status)],
);

/**
 * The steps of a chain's definition, one row each, written when the chain is first saved (for
 * queries and the dashboard). A step's runs are the tasks with `chain_id`/`chain_step`.
 */
export const chainSteps = pgTable(
  "chain_steps",
  {
    chainId: uuid("chain_id")
      .notNull()
      .references(() => chains.id, { onDelete: "cascade" }),
    position: integer("position").notNull(),
    name: text("name").notNull(),
    action: jsonb("action").$type<unknown>(),
    failurePolicy: jsonb("failure_policy").$type<unknown>(),
  },
  (t) => [primaryKey({ columns: [t.chainId, t.position] })],
);
