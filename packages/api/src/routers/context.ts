import { z } from "zod";
import { livePool } from "../host/live-pool.js";
import { poolProcedure, router } from "../trpc.js";

const key = z
  .string({ error: "key must be a string" })
  .trim()
  .min(1, "key must not be empty")
  .max(200, "key must be at most 200 characters");

/** The pool's shared context: every slot's appended system prompt lists it, from its next task. */
export const contextRouter = router({
  list: poolProcedure("viewer").query(({ ctx }) => livePool(ctx.host, ctx.poolRow).contextList()),

  get: poolProcedure("viewer")
    .input(z.object({ key }))
    .query(async ({ ctx, input }) => ({
      key: input.key,
      value: (await livePool(ctx.host, ctx.poolRow).contextGet(input.key)) ?? null,
    })),

  set: poolProcedure("member")
    .input(
      z.object({
        key,
        value: z
          .string({ error: "value must be a string" })
          .max(20_000, "value must be at most 20000 characters"),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      await livePool(ctx.host, ctx.poolRow).contextSet(input.key, input.value);
      return { key: input.key, value: input.value };
    }),

  delete: poolProcedure("member")
    .input(z.object({ key }))
    .mutation(async ({ ctx, input }) => ({
      deleted: await livePool(ctx.host, ctx.poolRow).contextDelete(input.key),
    })),
});
