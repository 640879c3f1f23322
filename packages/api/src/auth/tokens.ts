import { assignTokenScope, type Database } from "@claude-pool/db";
import type { PoolAuth } from "./create-auth.js";
import type { Role } from "./roles.js";

export interface IssuedToken {
  id: string;
  /** The plaintext token: shown this once, only its hash is stored. */
  token: string;
}

/**
 * Mints an API token for `userId`, scoped to `teamId` with `role`. The api-key plugin generates,
 * hashes and stores it (with our per-token rate limit); we then bind the row to the team. The
 * caller has checked that `userId` may grant `role` in `teamId`.
 */
export async function issueToken(
  parts: { auth: PoolAuth; database: Database },
  input: { teamId: string; userId: string; name: string; role: Role; expiresInDays?: number },
): Promise<IssuedToken> {
  const created = await parts.auth.api.createApiKey({
    body: {
      userId: input.userId,
      name: input.name,
      metadata: { teamId: input.teamId, role: input.role },
      ...(input.expiresInDays !== undefined ? { expiresIn: input.expiresInDays * 24 * 3600 } : {}),
    },
  });
  await assignTokenScope(parts.database.db, created.id, { teamId: input.teamId, userId: input.userId });
  return { id: created.id, token: created.key };
}
