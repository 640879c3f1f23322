import { createTeam, type Database, userByEmail } from "@claude-pool/db";
import type { PoolAuth } from "./create-auth.js";
import { issueToken } from "./tokens.js";

export class FirstOwnerError extends Error {
  readonly code = "USER_EXISTS";
  override get name(): string {
    return "FirstOwnerError";
  }
}

/**
 * `claude-pool admin create`: creates a user with a password, a team they own and an owner API
 * token for that team, straight on the database (no HTTP server involved). The token is returned
 * once; only its hash is stored.
 *
 * @example
 * const { token } = await createFirstOwner({ auth, database }, { email, password, teamName: "Acme" });
 */
export async function createFirstOwner(
  parts: { auth: PoolAuth; database: Database },
  input: { email: string; password: string; teamName: string; name?: string },
): Promise<{ userId: string; teamId: string; tokenId: string; token: string }> {
  const email = input.email.trim().toLowerCase();
  if ((await userByEmail(parts.database.db, email)) !== null) {
    throw new FirstOwnerError(`a user with e-mail ${email} already exists`);
  }
  const signedUp = await parts.auth.api.signUpEmail({
    body: { email, password: input.password, name: input.name ?? email.split("@")[0] ?? email },
  });
  const userId = signedUp.user.id;
  const team = await createTeam(parts.database.db, { name: input.teamName, ownerId: userId });
  const issued = await issueToken(parts, { teamId: team.id, userId, name: "admin create", role: "owner" });
  return { userId, teamId: team.id, tokenId: issued.id, token: issued.token };
}
