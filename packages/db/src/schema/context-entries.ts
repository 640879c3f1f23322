import { pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";
import { pools } from "./pools.js";

/** A pool's shared context (`contextSet`/`contextGet`), injected into every slot's system prompt. */
export const contextEntries = pgTable(
  "context_entries",
  {
    poolId: text("pool_id")
      .notNull()
      .references(() => pools.id, { onDelete: "cascade" }),
    key: text("key").notNull(),
    value: text("value").notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.poolId, t.key] })],
);
