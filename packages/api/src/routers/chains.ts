import { chainOptionsSchema, chainStepsSchema, skillArgValueSchema } from "@claude-pool/core";
import { tracked } from "@trpc/server";
import { z } from "zod";
import { chainProgressStream } from "../host/chain-progress.js";
import { livePool, snapshotId } from "../host/live-pool.js";
import { assertTeamBudget, submitChain } from "../host/submit.js";
import { cancelChain } from "../host/task-ops.js";
import { chainProcedure, poolProcedure, router } from "../trpc.js";

const skillArguments = z
  .record(z.string(), skillArgValueSchema, {
    error: "arguments must map names to strings, numbers or booleans",
  })
  .default({});

export const chainsRouter = router({
  /** Submits a sequential chain (one Claude session across its steps). */
  submit: poolProcedure("member")
    .input(
      z.object({
        steps: chainStepsSchema,
        options: chainOptionsSchema.omit({ submittedBy: true }).optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const pool = livePool(ctx.host, ctx.poolRow);
      const who = { database: ctx.database, teamId: ctx.team.id, userId: ctx.caller.userId };
      return { chainId: await submitChain(who, pool, input.steps, input.options ?? {}) };
    }),

  /** The chain's progress: every step's status, output, spend and tasks. */
  get: chainProcedure("viewer").query(({ ctx }) => livePool(ctx.host, ctx.poolRow).chainResult(ctx.chainId)),

  /** Stops a chain (its current step's task is cancelled) on whichever engine drives it; false when it had ended. */
  cancel: chainProcedure("member").mutation(async ({ ctx }) => ({
    cancelled: await cancelChain(livePool(ctx.host, ctx.poolRow), ctx.database, ctx.chainId),
  })),

  /** Named chain templates the pool offers. */
  workflows: poolProcedure("viewer").query(({ ctx }) => livePool(ctx.host, ctx.poolRow).workflows.list()),

  /** Starts a workflow by name with its arguments (checked before anything runs). */
  runWorkflow: poolProcedure("member")
    .input(
      z.object({
        name: z.string({ error: "name must be a string" }).trim().min(1, "name must not be empty"),
        arguments: skillArguments,
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const pool = livePool(ctx.host, ctx.poolRow);
      await assertTeamBudget(ctx.database, ctx.team.id, pool);
      return {
        chainId: await pool.startWorkflow(input.name, input.arguments, { submittedBy: ctx.caller.userId }),
      };
    }),

  /** The chain's progress each time it changes, until it ends (each event a full snapshot). */
  onProgress: chainProcedure("viewer")
    .input(z.object({ lastEventId: z.string().nullish() }))
    .subscription(async function* ({ ctx, signal }) {
      const pool = livePool(ctx.host, ctx.poolRow);
      for await (const progress of chainProgressStream(pool, ctx.chainId, signal)) {
        yield tracked(snapshotId(), progress);
      }
    }),
});
