import { skillArgValueSchema, skillSchema } from "@claude-pool/core";
import { z } from "zod";
import { livePool } from "../host/live-pool.js";
import { addTeamSkill, removeTeamSkill, skillView, teamSkillsPool } from "../host/skill-ops.js";
import { assertTeamBudget } from "../host/submit.js";
import { poolProcedure, router } from "../trpc.js";

const skillName = z.string({ error: "name must be a string" }).trim().min(1, "name must not be empty");

export const skillsRouter = router({
  /** Every skill the pool can run (builtin, global, project and the team's), with its source. */
  list: poolProcedure("viewer").query(async ({ ctx }) => {
    const pool = await teamSkillsPool(livePool(ctx.host, ctx.poolRow), ctx.database, ctx.team.id);
    return pool.skills.list().map(skillView);
  }),

  get: poolProcedure("viewer")
    .input(z.object({ name: skillName }))
    .query(async ({ ctx, input }) => {
      const pool = await teamSkillsPool(livePool(ctx.host, ctx.poolRow), ctx.database, ctx.team.id);
      return skillView(pool.skills.require(input.name));
    }),

  /** Adds (or replaces) a skill for the whole team: every pool of the team can run it. */
  add: poolProcedure("admin")
    .input(
      z.object({
        skill: skillSchema,
      }),
    )
    .mutation(({ ctx, input }) =>
      addTeamSkill(livePool(ctx.host, ctx.poolRow), ctx.database, ctx.team.id, input.skill),
    ),

  remove: poolProcedure("admin")
    .input(z.object({ name: skillName }))
    .mutation(async ({ ctx, input }) => {
      await removeTeamSkill(livePool(ctx.host, ctx.poolRow), ctx.database, ctx.team.id, input.name);
      return { removed: true };
    }),

  /** Starts a skill with its arguments (refused before anything runs when they do not fit). */
  run: poolProcedure("member")
    .input(
      z.object({
        name: skillName,
        arguments: z
          .record(z.string(), skillArgValueSchema, {
            error: "arguments must map names to strings, numbers or booleans",
          })
          .default({}),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const pool = await teamSkillsPool(livePool(ctx.host, ctx.poolRow), ctx.database, ctx.team.id);
      await assertTeamBudget(ctx.database, ctx.team.id, pool);
      const started = await pool.submitSkill(input.name, input.arguments, { submittedBy: ctx.caller.userId });
      return started.kind === "task"
        ? { taskId: started.taskId, chainId: null }
        : { taskId: null, chainId: started.chainId };
    }),
});
