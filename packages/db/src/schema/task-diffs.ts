import type { TaskDiffFile } from "@claude-pool/core";
import { boolean, integer, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { tasks } from "./tasks.js";

/**
 * What a task changed in its worktree, saved when it ends: the files with their line counts, and
 * the unified patch bounded to 1 MB (`truncated` when cut; `patch_bytes` is the whole patch's size).
 * One row per task (a retried task's latest diff replaces the earlier one).
 */
export const taskDiffs = pgTable("task_diffs", {
  taskId: uuid("task_id")
    .primaryKey()
    .references(() => tasks.id, { onDelete: "cascade" }),
  files: jsonb("files").$type<TaskDiffFile[]>().notNull(),
  additions: integer("additions").notNull(),
  deletions: integer("deletions").notNull(),
  patch: text("patch").notNull(),
  truncated: boolean("truncated").notNull(),
  patchBytes: integer("patch_bytes").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});
