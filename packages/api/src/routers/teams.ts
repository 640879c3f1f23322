import { microsToUsd, usdToMicros } from "@claude-pool/core";
import {
  acceptInvitation,
  createInvitation,
  createTeam,
  isMemberByEmail,
  pendingInvitationsFor,
  removeMember,
  setMemberRole,
  setTeamBudget,
  teamById,
  teamMembers,
  teamsOfUser,
} from "@claude-pool/db";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import type { Caller } from "../context.js";
import { notFound } from "../errors.js";
import { protectedProcedure, router, teamProcedure } from "../trpc.js";
import { emailInput, nonEmpty, roleInput } from "./inputs.js";

/** Team-wide actions a token may not take: a token is confined to its team and cannot grow it. */
function requireSession(
  caller: Caller,
  action: string,
): asserts caller is Extract<Caller, { kind: "session" }> {
  if (caller.kind !== "session") {
    throw new TRPCError({ code: "FORBIDDEN", message: `API tokens cannot ${action}; sign in to do it` });
  }
}

const MAX_MONTHLY_USD = 1_000_000;

export const teamsRouter = router({
  /** The caller's teams with their role; a token sees only its own team. */
  list: protectedProcedure.query(async ({ ctx }) => {
    const caller = ctx.caller;
    const all = await teamsOfUser(ctx.database.db, caller.userId);
    const visible =
      caller.kind === "token"
        ? all.filter((t) => t.id === caller.teamId).map((t) => ({ ...t, role: caller.role }))
        : all;
    return visible.map((t) => ({
      id: t.id,
      name: t.name,
      slug: t.slug,
      role: t.role,
      monthlyBudgetUsd: t.monthlyBudgetMicros === null ? null : microsToUsd(t.monthlyBudgetMicros),
    }));
  }),

  /** A new team, owned by the signed-in user. */
  create: protectedProcedure
    .input(z.object({ name: nonEmpty("name", 100) }))
    .mutation(async ({ ctx, input }) => {
      requireSession(ctx.caller, "create teams");
      return createTeam(ctx.database.db, { name: input.name, ownerId: ctx.caller.userId });
    }),

  members: teamProcedure("viewer").query(async ({ ctx }) => {
    const members = await teamMembers(ctx.database.db, ctx.team.id);
    return members.map((m) => ({ ...m, joinedAt: m.joinedAt.toISOString() }));
  }),

  /** Invites an e-mail address; they join by `acceptInvitation` once signed up with that address. */
  invite: teamProcedure("owner")
    .input(z.object({ email: emailInput, role: roleInput }))
    .mutation(async ({ ctx, input }) => {
      if (await isMemberByEmail(ctx.database.db, ctx.team.id, input.email)) {
        throw new TRPCError({
          code: "CONFLICT",
          message: `email: ${input.email} is already a member of this team`,
        });
      }
      const invitation = await createInvitation(ctx.database.db, {
        teamId: ctx.team.id,
        email: input.email,
        role: input.role,
        inviterId: ctx.caller.userId,
      });
      return { invitationId: invitation.id, expiresAt: invitation.expiresAt.toISOString() };
    }),

  /** Pending invitations addressed to the signed-in user's e-mail. */
  invitations: protectedProcedure.query(async ({ ctx }) => {
    requireSession(ctx.caller, "read invitations");
    const rows = await pendingInvitationsFor(ctx.database.db, ctx.caller.email);
    return rows.map((r) => ({ ...r, role: r.role ?? "member", expiresAt: r.expiresAt.toISOString() }));
  }),

  acceptInvitation: protectedProcedure
    .input(z.object({ invitationId: nonEmpty("invitationId") }))
    .mutation(async ({ ctx, input }) => {
      requireSession(ctx.caller, "accept invitations");
      return acceptInvitation(ctx.database.db, {
        invitationId: input.invitationId,
        userId: ctx.caller.userId,
        email: ctx.caller.email,
      });
    }),

  setRole: teamProcedure("owner")
    .input(z.object({ userId: nonEmpty("userId"), role: roleInput }))
    .mutation(async ({ ctx, input }) => {
      await setMemberRole(ctx.database.db, { teamId: ctx.team.id, userId: input.userId, role: input.role });
      return { ok: true as const };
    }),

  removeMember: teamProcedure("owner")
    .input(z.object({ userId: nonEmpty("userId") }))
    .mutation(async ({ ctx, input }) => {
      await removeMember(ctx.database.db, { teamId: ctx.team.id, userId: input.userId });
      return { ok: true as const };
    }),

  /** The team's monthly cap across all its pools, in USD (null removes it). */
  setBudget: teamProcedure("admin")
    .input(
      z.object({
        monthlyUsd: z
          .number({ error: "monthlyUsd must be a number of US dollars or null" })
          .finite("monthlyUsd must be a finite number")
          .min(0, "monthlyUsd must not be negative")
          .max(MAX_MONTHLY_USD, `monthlyUsd must be at most ${MAX_MONTHLY_USD}`)
          .nullable(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const micros = input.monthlyUsd === null ? null : usdToMicros(input.monthlyUsd);
      await setTeamBudget(ctx.database.db, ctx.team.id, micros);
      const team = await teamById(ctx.database.db, ctx.team.id);
      if (!team) throw notFound("team", ctx.team.id);
      return {
        teamId: team.id,
        monthlyBudgetUsd: team.monthlyBudgetMicros === null ? null : microsToUsd(team.monthlyBudgetMicros),
      };
    }),
});
