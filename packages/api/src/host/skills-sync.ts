import type { Pool, SkillInput } from "@claude-pool/core";
import type { SkillRow } from "@claude-pool/db";

/**
 * Makes a pool's runtime skills equal to its team's stored skills. Skills added through the API are
 * kept in the database (so every engine and every restart sees them) and synced into a Pool's
 * registry before anything reads or runs one.
 */
export function syncTeamSkills(
  pool: Pool,
  rows: readonly SkillRow[],
  log?: (msg: string, data?: object) => void,
): void {
  const wanted = new Set(rows.map((r) => r.name));
  for (const skill of pool.skills.list({ source: "runtime" })) {
    if (!wanted.has(skill.name)) pool.skills.remove(skill.name, "runtime");
  }
  for (const row of rows) {
    try {
      pool.skills.register(skillInputOf(row), "runtime");
    } catch (error) {
      log?.("a stored skill no longer validates", { skill: row.name, error: String(error) });
    }
  }
}

export function skillInputOf(row: SkillRow): SkillInput {
  return {
    name: row.name,
    description: row.description,
    prompt: row.prompt,
    arguments: row.arguments,
    scope: row.scope,
    ...(row.config ? { config: row.config } : {}),
    ...(row.steps ? { steps: row.steps as SkillInput["steps"] } : {}),
  };
}
