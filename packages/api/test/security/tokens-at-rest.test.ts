import { createHash } from "node:crypto";
import { schema } from "@claude-pool/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveTokenCaller } from "../../src/auth/callers.js";
import { createTestApi, type TestApi } from "../helpers/harness.js";

/**
 * API tokens are stored hashed: better-auth's api-key plugin keeps SHA-256(token), base64url, and
 * verifies by hashing what a caller sent and looking the hash up, so the plaintext never reaches
 * the database and no byte-by-byte comparison of a secret happens in our code.
 */

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
}, 120_000);
afterAll(() => api?.close());

describe("API tokens at rest", () => {
  it("the database holds only a hash of each token, never the token or a piece of its secret", async () => {
    const team = await api.team();
    const issued = [
      await api.token(team.owner, team.id, "admin", "one"),
      await api.token(team.owner, team.id, "viewer", "two"),
    ];
    const rows = await api.database.db.select().from(schema.apiTokens);
    expect(rows).toHaveLength(2);
    const everything = JSON.stringify(rows);
    for (const { token, id } of issued) {
      expect(token).toMatch(/^cp_.{20,}$/);
      const secret = token.slice(3);
      expect(everything).not.toContain(secret);
      expect(everything).not.toContain(secret.slice(0, 16));
      const row = rows.find((r) => r.id === id);
      expect(row?.key).toBe(createHash("sha256").update(token).digest("base64url"));
    }
  });

  it("a token differing from a real one in its last character is refused", async () => {
    const team = await api.team();
    const { token } = await api.token(team.owner, team.id, "admin");
    const last = token.at(-1) === "a" ? "b" : "a";
    expect(await resolveTokenCaller(api, token)).toMatchObject({ kind: "token", teamId: team.id });
    expect(await resolveTokenCaller(api, `${token.slice(0, -1)}${last}`)).toBeNull();
    expect(await resolveTokenCaller(api, token.slice(0, -1))).toBeNull();
  });
});
