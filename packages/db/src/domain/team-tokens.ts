import { asc, eq, sql } from "drizzle-orm";
import type { Executor } from "../executor.js";
import { apiTokens } from "../schema/api-tokens.js";
import type { MembershipRole } from "../schema/memberships.js";
import { isMembershipRole } from "./teams.js";

/**
 * The team scope of an API token. The api-key plugin owns the row (hash, rate limit, last use); the
 * team goes in our `team_id` column and the role in the token's metadata `{ teamId, role }`.
 */
export interface TokenScope {
  tokenId: string;
  name: string | null;
  start: string | null;
  teamId: string;
  userId: string;
  role: MembershipRole;
  enabled: boolean;
  lastUsedAt: Date | null;
  createdAt: Date;
  expiresAt: Date | null;
}

/** The plugin stores metadata as JSON text (older versions double-encoded it). */
export function tokenRoleFromMetadata(metadata: string | null): MembershipRole | null {
  let value: unknown = metadata;
  for (let i = 0; i < 2 && typeof value === "string"; i++) {
    try {
      value = JSON.parse(value);
    } catch {
      return null;
    }
  }
  if (typeof value !== "object" || value === null || !("role" in value)) return null;
  return isMembershipRole(value.role) ? value.role : null;
}

function toScope(row: typeof apiTokens.$inferSelect): TokenScope | null {
  const role = tokenRoleFromMetadata(row.metadata);
  const userId = row.userId ?? row.referenceId;
  if (row.teamId === null || userId === null || role === null) return null;
  return {
    tokenId: row.id,
    name: row.name,
    start: row.start,
    teamId: row.teamId,
    userId,
    role,
    enabled: row.enabled,
    lastUsedAt: row.lastRequest,
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
  };
}

/** A token's team, owner and role; null for an unknown token or one created outside the API. */
export async function tokenScope(db: Executor, tokenId: string): Promise<TokenScope | null> {
  const rows = await db.select().from(apiTokens).where(eq(apiTokens.id, tokenId)).limit(1);
  return rows[0] ? toScope(rows[0]) : null;
}

/** Binds a freshly created token to its team and owner. */
export async function assignTokenScope(
  db: Executor,
  tokenId: string,
  scope: { teamId: string; userId: string },
): Promise<void> {
  await db
    .update(apiTokens)
    .set({ teamId: scope.teamId, userId: scope.userId })
    .where(eq(apiTokens.id, tokenId));
}

/** Every token of a team, newest first, revoked ones included (they show as not enabled). */
export async function teamTokens(db: Executor, teamId: string): Promise<TokenScope[]> {
  const rows = await db
    .select()
    .from(apiTokens)
    .where(eq(apiTokens.teamId, teamId))
    .orderBy(sql`${apiTokens.createdAt} desc`, asc(apiTokens.id));
  return rows.map(toScope).filter((s): s is TokenScope => s !== null);
}

/** Revokes a token for good: the plugin refuses a disabled key at its next use. */
export async function revokeToken(db: Executor, tokenId: string): Promise<void> {
  await db.update(apiTokens).set({ enabled: false, updatedAt: new Date() }).where(eq(apiTokens.id, tokenId));
}
