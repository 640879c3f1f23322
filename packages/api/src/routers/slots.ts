import { claudeConfigSchema } from "@claude-pool/core";
import { z } from "zod";
import { configureSlot } from "../host/slot-ops.js";
import { poolProcedure, router } from "../trpc.js";

const text = (field: string, min = 1) =>
  z
    .string({ error: `${field} must be a string` })
    .trim()
    .min(min, `${field} must not be empty`)
    .max(500, `${field} must be at most 500 characters`);

export const slotsRouter = router({
  /**
   * Sets a slot's name, role, description or Claude config (merged over its own). Stored with the
   * pool, so every engine's slot of that id takes it on, from its next task, and keeps it after a
   * restart.
   */
  configure: poolProcedure("admin")
    .input(
      z.object({
        slotId: text("slotId"),
        name: text("name").optional(),
        role: text("role").optional(),
        description: z.string({ error: "description must be a string" }).max(2000).optional(),
        config: claudeConfigSchema.optional(),
      }),
    )
    .mutation(({ ctx, input }) => {
      const { poolId: _poolId, slotId, ...spec } = input;
      return configureSlot(ctx.host, ctx.database, ctx.poolRow, slotId, spec);
    }),
});
