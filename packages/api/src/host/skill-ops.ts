import {
  InvalidOptions,
  type Pool,
  type RegisteredSkill,
  type SkillInput,
  SkillNotFound,
  SkillRegistry,
} from "@claude-pool/core";
import { type Database, deleteTeamSkill, listTeamSkills, upsertTeamSkill } from "@claude-pool/db";
import { syncTeamSkills } from "./skills-sync.js";

/**
 * Skills added through the API belong to the team: stored once, every pool of the team (on every
 * engine) has them as runtime skills. Before a pool lists, shows or runs skills it re-reads the
 * team's, so one added or removed through another engine is seen at once.
 */
export async function teamSkillsPool(pool: Pool, database: Database, teamId: string): Promise<Pool> {
  syncTeamSkills(pool, await listTeamSkills(database.db, teamId));
  return pool;
}

export type SkillView = Omit<RegisteredSkill, "file">;

export function skillView(skill: RegisteredSkill): SkillView {
  const { file: _file, ...rest } = skill;
  return rest;
}

/** Validates the skill as pool-core will (naming the field), stores it for the team, syncs this engine's pool. */
export async function addTeamSkill(
  pool: Pool,
  database: Database,
  teamId: string,
  input: SkillInput,
): Promise<SkillView> {
  const checked = new SkillRegistry({ builtins: false }).register(input, "runtime");
  await upsertTeamSkill(database.db, teamId, {
    name: checked.name,
    description: checked.description,
    prompt: checked.prompt,
    arguments: checked.arguments.map((a) => ({
      name: a.name,
      description: a.description,
      required: a.required,
      ...(a.default === undefined ? {} : { default: a.default }),
    })),
    config: checked.config ?? null,
    scope: checked.scope,
    steps: checked.steps ?? null,
  });
  await teamSkillsPool(pool, database, teamId);
  return skillView(pool.skills.require(checked.name));
}

/** Removes a skill the team added; builtin and file skills cannot be removed through the API. */
export async function removeTeamSkill(
  pool: Pool,
  database: Database,
  teamId: string,
  name: string,
): Promise<void> {
  const removed = await deleteTeamSkill(database.db, teamId, name);
  if (!removed) {
    if (pool.skills.get(name)) {
      throw new InvalidOptions("name", name, "a skill added through the API (builtin and file skills stay)");
    }
    throw new SkillNotFound(name);
  }
  await teamSkillsPool(pool, database, teamId);
}
