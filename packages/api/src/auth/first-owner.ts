import { createTeam, type Database, userByEmail } from "@claude-pool/db";
import { z } from "zod";
import { MIN_PASSWORD_LENGTH, type PoolAuth } from "./create-auth.js";
import { issueToken } from "./tokens.js";

/** Why `createFirstOwner` refused: the e-mail is taken, or the account details are not acceptable. */
export class FirstOwnerError extends Error {
  constructor(
    readonly code: "USER_EXISTS" | "INVALID_ACCOUNT",
    message: string,
  ) {
    super(message);
  }
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
  if (!z.email().safeParse(email).success) {
    throw new FirstOwnerError(
      "INVALID_ACCOUNT",
      `email must be an e-mail address (got ${JSON.stringify(input.email)})`,
    );
  }
  if (input.password.length < MIN_PASSWORD_LENGTH) {
    throw new FirstOwnerError(
      "INVALID_ACCOUNT",
      `password must be at least ${MIN_PASSWORD_LENGTH} characters`,
    );
  }
  if (input.teamName.trim() === "") throw new FirstOwnerError("INVALID_ACCOUNT", "team must not be empty");
  if ((await userByEmail(parts.database.db, email)) !== null) {
    throw new FirstOwnerError("USER_EXISTS", `a user with e-mail ${email} already exists`);
  }
  const signedUp = await parts.auth.api.signUpEmail({
    body: { email, password: input.password, name: input.name ?? email.split("@")[0] ?? email },
  });
  const userId = signedUp.user.id;
  const team = await createTeam(parts.database.db, { name: input.teamName.trim(), ownerId: userId });
  const issued = await issueToken(parts, { teamId: team.id, userId, name: "admin create", role: "owner" });
  return { userId, teamId: team.id, tokenId: issued.id, token: issued.token };
}
