import { newId } from "@claude-pool/core";
import { and, asc, eq, sql } from "drizzle-orm";
import type { Executor } from "../executor.js";
import { skills } from "../schema/skills.js";

export type SkillRow = typeof skills.$inferSelect;
export type NewSkillRow = Pick<
  SkillRow,
  "name" | "description" | "prompt" | "arguments" | "config" | "scope" | "steps"
>;

/** Runtime skills added through the API belong to a team and reach every pool of it. */
export function listTeamSkills(db: Executor, teamId: string): Promise<SkillRow[]> {
  return db.select().from(skills).where(eq(skills.teamId, teamId)).orderBy(asc(skills.name));
}

/** Adds the skill, or replaces the team's skill of that name. */
export async function upsertTeamSkill(db: Executor, teamId: string, skill: NewSkillRow): Promise<SkillRow> {
  const [row] = await db
    .insert(skills)
    .values({ id: newId(), teamId, ...skill })
    .onConflictDoUpdate({
      target: [skills.teamId, skills.name],
      set: {
        description: skill.description,
        prompt: skill.prompt,
        arguments: skill.arguments,
        config: skill.config,
        scope: skill.scope,
        steps: skill.steps,
        updatedAt: sql`now()`,
      },
    })
    .returning();
  if (!row) throw new Error(`saving skill ${skill.name} returned no row`);
  return row;
}

/** Removes the team's skill of that name; false when there was none. */
export async function deleteTeamSkill(db: Executor, teamId: string, name: string): Promise<boolean> {
  const rows = await db
    .delete(skills)
    .where(and(eq(skills.teamId, teamId), eq(skills.name, name)))
    .returning({ id: skills.id });
  return rows.length > 0;
}
