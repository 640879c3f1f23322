import { type Database, membershipRole, pingDatabase, tokenScope } from "@claude-pool/db";
import { TRPCError } from "@trpc/server";
import type { Caller } from "../context.js";
import { unavailable } from "../errors.js";
import type { PoolAuth } from "./create-auth.js";
import { lowerRole } from "./roles.js";

/**
 * A token used more often than its allowance: 429 with when to try again (never anonymous, which
 * would read as a bad token, and never a 500).
 */
function tokenRateLimited(error: object): TRPCError {
  const details = (error as { details?: { tryAgainIn?: unknown } }).details;
  const ms = typeof details?.tryAgainIn === "number" ? details.tryAgainIn : null;
  const wait = ms === null ? "" : `: try again in ${Math.max(1, Math.ceil(ms / 1000))} s`;
  return new TRPCError({
    code: "TOO_MANY_REQUESTS",
    message: `this API token made more requests than its rate limit allows${wait}`,
  });
}

/** The signed-in user of a better-auth session cookie, or null. */
export async function resolveSessionCaller(auth: PoolAuth, headers: Headers): Promise<Caller | null> {
  const session = await auth.api.getSession({ headers });
  if (!session) return null;
  return { kind: "session", userId: session.user.id, email: session.user.email, name: session.user.name };
}

/**
 * The caller an API token stands for, or null when the token is unknown, revoked, expired,
 * rate-limited or no longer backed by a membership. The token's role is capped by its owner's
 * current role in the team: demoting or removing a person also limits the tokens they made.
 */
export async function resolveTokenCaller(
  inner: { auth: PoolAuth; database: Database },
  token: string,
): Promise<Caller | null> {
  const verify = async () => {
    const answer = await inner.auth.api.verifyApiKey({ body: { key: token } });
    if (!answer.valid && answer.error?.code === "RATE_LIMITED") throw tokenRateLimited(answer.error);
    return answer;
  };
  let verified = await verify();
  if (!verified.valid || !verified.key) {
    // better-auth answers "not valid" when it could not read the key at all: a database that is
    // out of reach must read as 503 (try again), not 401 (your token is wrong). It may have come
    // back between the two calls, so a reachable database gets the key checked once more.
    await pingDatabase(inner.database.db).catch((error: unknown) => {
      throw unavailable(error);
    });
    verified = await verify();
    if (!verified.valid || !verified.key) return null;
  }
  const scope = await tokenScope(inner.database.db, verified.key.id);
  if (!scope?.enabled) return null;
  const memberRole = await membershipRole(inner.database.db, scope.userId, scope.teamId);
  if (memberRole === null) return null;
  return {
    kind: "token",
    tokenId: scope.tokenId,
    userId: scope.userId,
    teamId: scope.teamId,
    role: lowerRole(scope.role, memberRole),
  };
}
