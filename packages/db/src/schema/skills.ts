import type { ClaudeConfig } from "@claude-pool/core";
import { jsonb, pgTable, text, timestamp, unique, uuid } from "drizzle-orm/pg-core";
import { teams } from "./teams.js";

export interface SkillArgumentRow {
  name: string;
  description: string;
  required: boolean;
  default?: string;
}

/** A runtime skill registered through the API (builtin and file skills are not stored). */
export const skills = pgTable(
  "skills",
  {
    id: uuid("id").primaryKey(),
    teamId: text("team_id").references(() => teams.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    prompt: text("prompt").notNull(),
    arguments: jsonb("arguments").$type<SkillArgumentRow[]>().notNull().default([]),
    config: jsonb("config").$type<ClaudeConfig>(),
    /** A chain skill's steps (pool-core's `SkillStep[]`); null for task and coordinator skills. */
    steps: jsonb("steps").$type<unknown[]>(),
    scope: text("scope").$type<"task" | "coordinator" | "chain">().notNull().default("task"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [unique("skills_team_name_key").on(t.teamId, t.name).nullsNotDistinct()],
);
