import { getPoolRow, listTeamPools } from "@claude-pool/db";
import { tracked } from "@trpc/server";
import { z } from "zod";
import { notFound } from "../errors.js";
import { poolConfigSchema } from "../host/inputs.js";
import { livePool, snapshotId } from "../host/live-pool.js";
import { poolStatus, poolStatusChanges } from "../host/status.js";
import { poolView } from "../host/views.js";
import { poolProcedure, router, teamProcedure } from "../trpc.js";

const name = z
  .string({ error: "name must be a string" })
  .trim()
  .min(1, "name must not be empty")
  .max(100, "name must be at most 100 characters");
const slots = z
  .number({ error: "slots must be a number" })
  .int("slots must be a whole number")
  .min(1, "slots must be at least 1")
  .max(64, "slots must be at most 64");

export const poolsRouter = router({
  /** The team's pools (deleted ones are not listed). */
  list: teamProcedure("viewer").query(async ({ ctx }) =>
    (await listTeamPools(ctx.database.db, ctx.team.id)).map(poolView),
  ),

  get: poolProcedure("viewer").query(({ ctx }) => {
    if (ctx.poolRow.archivedAt !== null) throw notFound("pool", ctx.poolRow.id);
    return poolView(ctx.poolRow);
  }),

  /** Persists the pool and starts it on this engine (every other engine starts its own slots too). */
  create: teamProcedure("admin")
    .input(z.object({ name, slots, config: poolConfigSchema }))
    .mutation(({ ctx, input }) =>
      ctx.host.createPool({
        teamId: ctx.team.id,
        name: input.name,
        slots: input.slots,
        config: input.config,
      }),
    ),

  /**
   * Renames, resizes, changes config keys (merged over the stored ones) or the cap. Claude settings
   * reach idle slots at once and busy ones from their next task; the slot count, the name and
   * scheduling settings take effect once the pool's running work on each engine has finished.
   */
  update: poolProcedure("admin")
    .input(
      z.object({
        name: name.optional(),
        slots: slots.optional(),
        config: z.record(z.string(), z.unknown(), { error: "config must be an object" }).optional(),
        budgetUsd: z
          .number({ error: "budgetUsd must be a number or null" })
          .positive("budgetUsd must be more than 0")
          .finite()
          .nullable()
          .optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      if (ctx.poolRow.archivedAt !== null) throw notFound("pool", ctx.poolRow.id);
      const { poolId: _poolId, ...patch } = input;
      await ctx.host.updatePool(ctx.poolRow.id, patch);
      const row = await getPoolRow(ctx.database.db, ctx.poolRow.id);
      if (!row) throw notFound("pool", ctx.poolRow.id);
      return poolView(row);
    }),

  /** Drains the pool (queued work is cancelled, running work finishes), then deletes it. */
  delete: poolProcedure("admin").mutation(async ({ ctx }) => {
    if (ctx.poolRow.archivedAt !== null) throw notFound("pool", ctx.poolRow.id);
    await ctx.host.deletePool(ctx.poolRow.id);
    return { deleted: true };
  }),

  /** Slots of every engine serving the pool, the queue and the budget. */
  status: poolProcedure("viewer").query(({ ctx }) =>
    poolStatus(livePool(ctx.host, ctx.poolRow), ctx.database),
  ),

  /** Cancels the queued tasks, waits for the running ones; the pool then takes new work again. */
  drain: poolProcedure("admin").mutation(({ ctx }) => livePool(ctx.host, ctx.poolRow).drain()),

  /**
   * The status each time it changes (a slot starts or ends a task on any engine, the queue or the
   * budget moves). Each event is a snapshot: a client reconnecting with `lastEventId` gets the
   * current status.
   */
  onStatus: poolProcedure("viewer")
    .input(z.object({ lastEventId: z.string().nullish() }))
    .subscription(async function* ({ ctx, signal }) {
      livePool(ctx.host, ctx.poolRow);
      const current = () => ctx.host.pool(ctx.poolRow.id);
      for await (const status of poolStatusChanges(current, ctx.database, signal)) {
        yield tracked(snapshotId(), status);
      }
    }),
});
