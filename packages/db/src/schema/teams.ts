import { bigint, date, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/**
 * A team: better-auth's organization plugin `organization` model (`modelName: "teams"`), plus the
 * team's monthly budget cap in micro-dollars (null: no cap) and the figures it is checked against:
 * what the team's pools hold reserved and what they settled in `spend_month` (a UTC month's first
 * day). Reservations lock this row with the pool's, so the two caps are checked in one step.
 */
export const teams = pgTable("teams", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  slug: text("slug").notNull().unique(),
  logo: text("logo"),
  metadata: text("metadata"),
  monthlyBudgetMicros: bigint("monthly_budget_micros", { mode: "number" }),
  reservedMicros: bigint("reserved_micros", { mode: "number" }).notNull().default(0),
  monthSpentMicros: bigint("month_spent_micros", { mode: "number" }).notNull().default(0),
  spendMonth: date("spend_month", { mode: "string" }),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});
