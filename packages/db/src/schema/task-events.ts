import { sql } from "drizzle-orm";
import { index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { tasks } from "./tasks.js";

/** The append-only output of a task: one row per stream-json line, `seq` 1, 2, 3… without gaps. */
export const taskEvents = pgTable(
  "task_events",
  {
    taskId: uuid("task_id")
      .notNull()
      .references(() => tasks.id, { onDelete: "cascade" }),
    seq: integer("seq").notNull(),
    kind: text("kind").notNull(),
    payload: jsonb("payload").$type<unknown>(),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.taskId, t.seq] }),
    index("task_events_at_idx").on(t.at),
    // Recovery looks up a Claude session's earlier result lines (its cost is cumulative).
    index("task_events_result_session_idx")
      .on(sql`(${t.payload}->>'session_id')`)
      .where(sql`${t.kind} = 'result'`),
  ],
);
