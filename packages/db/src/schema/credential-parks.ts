import { pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";
import { pools } from "./pools.js";

/**
 * Usage limits are per account: one row per pool × credential (pool-core's `credentialKeyOf`, a
 * hash, never the secret) that hit a usage limit, with when it resets. While `until` is in the
 * future no slot of any engine running with that credential claims the pool's work
 * (store/claim.ts); the row stays after the reset (the next limit updates it).
 */
export const credentialParks = pgTable(
  "credential_parks",
  {
    poolId: text("pool_id")
      .notNull()
      .references(() => pools.id, { onDelete: "cascade" }),
    credential: text("credential").notNull(),
    until: timestamp("until", { withTimezone: true }).notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.poolId, t.credential] })],
);
