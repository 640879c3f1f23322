import { teamsOfUser, userById } from "@claude-pool/db";
import { TRPCError } from "@trpc/server";
import { protectedProcedure, router } from "../trpc.js";

/** Who am I: the signed-in user (or a token's owner) and the teams they can act in. */
export const authRouter = router({
  me: protectedProcedure.query(async ({ ctx }) => {
    const user = await userById(ctx.database.db, ctx.caller.userId);
    if (!user)
      throw new TRPCError({
        code: "UNAUTHORIZED",
        message: "the account behind this caller no longer exists",
      });
    const all = await teamsOfUser(ctx.database.db, ctx.caller.userId);
    const caller = ctx.caller;
    // A token acts in its own team with its own role, whatever else its owner belongs to.
    const teams =
      caller.kind === "token"
        ? all.filter((t) => t.id === caller.teamId).map((t) => ({ ...t, role: caller.role }))
        : all;
    return {
      user: { id: user.id, email: user.email, name: user.name },
      via: caller.kind,
      teams: teams.map((t) => ({ id: t.id, name: t.name, slug: t.slug, role: t.role })),
    };
  }),
});
