import { revokeToken, teamTokens, tokenScope } from "@claude-pool/db";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { roleAtLeast } from "../auth/roles.js";
import { issueToken } from "../auth/tokens.js";
import { notFound } from "../errors.js";
import { protectedProcedure, requireTeamRole, router, teamProcedure } from "../trpc.js";
import { nonEmpty, roleInput } from "./inputs.js";

/** API tokens for services and the CLI: one team, one role, shown once, revocable. */
export const tokensRouter = router({
  /** Returns the plaintext token this once. Nobody can grant a role above their own. */
  create: teamProcedure("admin")
    .input(
      z.object({
        name: nonEmpty("name", 32),
        role: roleInput,
        /** Omitted: the token never expires (revoke it instead). */
        expiresInDays: z
          .number({ error: "expiresInDays must be a whole number of days" })
          .int("expiresInDays must be a whole number of days")
          .min(1, "expiresInDays must be at least 1")
          .max(365, "expiresInDays must be at most 365")
          .optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      if (!roleAtLeast(ctx.team.role, input.role)) {
        throw new TRPCError({
          code: "FORBIDDEN",
          message: `role: cannot create a ${input.role} token with the ${ctx.team.role} role`,
        });
      }
      const issued = await issueToken(ctx, {
        teamId: ctx.team.id,
        userId: ctx.caller.userId,
        name: input.name,
        role: input.role,
        ...(input.expiresInDays !== undefined ? { expiresInDays: input.expiresInDays } : {}),
      });
      return { id: issued.id, token: issued.token, teamId: ctx.team.id, name: input.name, role: input.role };
    }),

  /** The team's tokens (never their values), with when each was last used. */
  list: teamProcedure("admin").query(async ({ ctx }) => {
    const tokens = await teamTokens(ctx.database.db, ctx.team.id);
    return tokens.map((t) => ({
      id: t.tokenId,
      name: t.name,
      start: t.start,
      role: t.role,
      createdBy: t.userId,
      revoked: !t.enabled,
      createdAt: t.createdAt.toISOString(),
      lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
      expiresAt: t.expiresAt?.toISOString() ?? null,
    }));
  }),

  /** Revokes a token of a team the caller administers; it stops working at once. */
  revoke: protectedProcedure.input(z.object({ id: nonEmpty("id") })).mutation(async ({ ctx, input }) => {
    const scope = await tokenScope(ctx.database.db, input.id);
    if (!scope) throw notFound("token", input.id);
    await requireTeamRole(ctx, scope.teamId, "admin", { kind: "token", id: input.id });
    await revokeToken(ctx.database.db, input.id);
    return { id: input.id, revoked: true as const };
  }),
});
