import { bigint, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/**
 * A team: better-auth's organization plugin `organization` model (`modelName: "teams"`), plus the
 * team's monthly budget cap in micro-dollars (null: no cap).
 */
export const teams = pgTable("teams", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  slug: text("slug").notNull().unique(),
  logo: text("logo"),
  metadata: text("metadata"),
  monthlyBudgetMicros: bigint("monthly_budget_micros", { mode: "number" }),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});
