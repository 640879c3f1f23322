import { chainPool, membershipRole, poolWithTeam, taskWithPool } from "@claude-pool/db";
import { initTRPC, TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { TRPC_ERROR_CODES_BY_KEY } from "@trpc/server/rpc";
import { z } from "zod";
import { type Role, roleAtLeast } from "./auth/roles.js";
import type { Caller, InnerContext } from "./context.js";
import { formatMessage, notFound, toTRPCError } from "./errors.js";

/**
 * The procedure builders every router uses. Role checks live here, as middleware, so a router
 * states the role a procedure needs and nothing else:
 *
 * @example
 * export const poolsRouter = router({
 *   status: poolProcedure("viewer").query(({ ctx }) => ctx.host.pool(ctx.poolRow.id).status()),
 *   drain: poolProcedure("admin").mutation(...),
 * });
 */
const t = initTRPC.context<InnerContext>().create({
  // tRPC adds `data.stack` unless told it is not in development; no stack may reach a client.
  isDev: false,
  errorFormatter({ shape, error }) {
    // Errors raised while a subscription streams skip the middleware: map them here as well.
    const mapped = toTRPCError(error);
    const { message, issues } = formatMessage(mapped);
    const { stack: _stack, ...data } = shape.data as typeof shape.data & { stack?: string };
    return {
      ...shape,
      message,
      code: TRPC_ERROR_CODES_BY_KEY[mapped.code],
      data: {
        ...data,
        code: mapped.code,
        httpStatus: getHTTPStatusCodeFromError(mapped),
        ...(issues ? { issues } : {}),
      },
    };
  },
});

export const router = t.router;
export const mergeRouters = t.mergeRouters;
export const createCallerFactory = t.createCallerFactory;

/** Domain errors → tRPC codes, for every procedure (errors.ts holds the mapping). */
const mapErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok) throw toTRPCError(result.error);
  return result;
});

export const publicProcedure = t.procedure.use(mapErrors);

/** Signed in (session) or a valid token; `ctx.caller` is narrowed to `Caller`. */
export const protectedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (ctx.caller === null) {
    throw new TRPCError({ code: "UNAUTHORIZED", message: "sign in or send Authorization: Bearer <token>" });
  }
  return next({ ctx: { caller: ctx.caller } });
});

export interface TeamAccess {
  id: string;
  role: Role;
}

/**
 * The caller's role in a team, or null when they have none there (or the team does not exist).
 * A token stands for its own team only.
 */
export async function callerRoleInTeam(
  ctx: InnerContext & { caller: Caller },
  teamId: string,
): Promise<Role | null> {
  if (ctx.caller.kind === "token") return ctx.caller.teamId === teamId ? ctx.caller.role : null;
  return membershipRole(ctx.database.db, ctx.caller.userId, teamId);
}

/**
 * Checks that the caller holds at least `min` in `teamId`. No role there at all is NOT_FOUND with
 * `what`/`id` (so another team's resources look exactly like unknown ones); too low a role is
 * FORBIDDEN.
 */
export async function requireTeamRole(
  ctx: InnerContext & { caller: Caller },
  teamId: string,
  min: Role,
  what: { kind: string; id: string },
): Promise<TeamAccess> {
  const role = await callerRoleInTeam(ctx, teamId);
  if (role === null) throw notFound(what.kind, what.id);
  if (!roleAtLeast(role, min)) {
    throw new TRPCError({
      code: "FORBIDDEN",
      message: `this needs the ${min} role or higher in the team; ${ctx.caller.kind === "token" ? "this token has" : "you have"} ${role}`,
    });
  }
  return { id: teamId, role };
}

const id = (field: string) =>
  z
    .string({ error: `${field} must be a string` })
    .trim()
    .min(1, `${field} must not be empty`);

/** Input `{ teamId }`; `ctx.team` is `{ id, role }` with role ≥ `min`. */
export function teamProcedure(min: Role) {
  return protectedProcedure.input(z.object({ teamId: id("teamId") })).use(async ({ ctx, input, next }) => {
    const team = await requireTeamRole(ctx, input.teamId, min, { kind: "team", id: input.teamId });
    return next({ ctx: { team } });
  });
}

/** Input `{ poolId }`; `ctx.team` and `ctx.poolRow` (the pool's database row). */
export function poolProcedure(min: Role) {
  return protectedProcedure.input(z.object({ poolId: id("poolId") })).use(async ({ ctx, input, next }) => {
    const poolRow = await poolWithTeam(ctx.database.db, input.poolId);
    if (!poolRow) throw notFound("pool", input.poolId);
    const team = await requireTeamRole(ctx, poolRow.teamId, min, { kind: "pool", id: input.poolId });
    return next({ ctx: { team, poolRow } });
  });
}

/** Input `{ taskId }`; `ctx.team`, `ctx.poolRow` and `ctx.taskRow`. */
export function taskProcedure(min: Role) {
  return protectedProcedure.input(z.object({ taskId: id("taskId") })).use(async ({ ctx, input, next }) => {
    const found = await taskWithPool(ctx.database.db, input.taskId);
    if (!found) throw notFound("task", input.taskId);
    const team = await requireTeamRole(ctx, found.pool.teamId, min, { kind: "task", id: input.taskId });
    return next({ ctx: { team, poolRow: found.pool, taskRow: found.task } });
  });
}

/** Input `{ chainId }`; `ctx.team`, `ctx.poolRow` and `ctx.chainId`. */
export function chainProcedure(min: Role) {
  return protectedProcedure.input(z.object({ chainId: id("chainId") })).use(async ({ ctx, input, next }) => {
    const poolRow = await chainPool(ctx.database.db, input.chainId);
    if (!poolRow) throw notFound("chain", input.chainId);
    const team = await requireTeamRole(ctx, poolRow.teamId, min, { kind: "chain", id: input.chainId });
    return next({ ctx: { team, poolRow, chainId: input.chainId } });
  });
}
