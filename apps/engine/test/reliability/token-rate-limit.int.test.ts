import { simBinPath } from "@claude-pool/claude-sim";
import { afterAll, describe, expect, it } from "vitest";
import { type EngineProcess, removeTempDirs, startEngine, tempDir } from "../helpers/engine-process.js";
import { createOwner } from "../helpers/owned-engine.js";
import { createScratchPostgres, type ScratchPostgres } from "../helpers/postgres.js";

/**
 * Token verification is rate-limited per token (CLAUDE_POOL_TOKEN_RATE_LIMIT per minute, set low
 * here): past the allowance a request gets 429 with a message saying when to try again — never
 * 401 (the token is fine) and never a 5xx — on tRPC queries, mutations and the CSV route alike.
 */

const LIMIT = 4;
let engine: EngineProcess | undefined;
let pg: ScratchPostgres | undefined;
afterAll(async () => {
  await engine?.stop();
  await pg?.drop();
  removeTempDirs();
});

describe("token verification rate limit", () => {
  it(`answers 429 with a clear message once a token made more than ${LIMIT} requests in the minute`, async () => {
    pg = await createScratchPostgres("token_rl");
    const env = { CLAUDE_POOL_TOKEN_RATE_LIMIT: String(LIMIT) };
    const { token, teamId } = await createOwner(["--database-url", pg.url], { env });
    engine = await startEngine({
      args: ["--claude-bin", simBinPath, "--database-url", pg.url],
      env: { ...env, CLAUDE_SIM_HOME: tempDir("sim") },
    });
    const url = engine.url;
    const auth = { authorization: `Bearer ${token}` };
    const calls = [
      () => fetch(`${url}/trpc/auth.me`, { headers: auth }),
      () =>
        fetch(`${url}/trpc/teams.create`, {
          method: "POST",
          headers: { ...auth, "content-type": "application/json" },
          body: JSON.stringify({ name: "x" }),
        }),
      () =>
        fetch(
          `${url}/reports/spend.csv?teamId=${teamId}&from=2026-01-01&to=2026-12-31&bucket=day&groupBy=model`,
          {
            headers: auth,
          },
        ),
    ];
    const statuses: number[] = [];
    const refusals: string[] = [];
    for (let i = 0; i < LIMIT + 2 * calls.length; i++) {
      const call = calls[i % calls.length];
      if (!call) throw new Error("no call");
      const res = await call();
      statuses.push(res.status);
      const text = await res.text();
      if (res.status === 429) refusals.push(text);
    }
    console.log(`[security-token-rate-limit] limit=${LIMIT}/min statuses=${statuses.join(",")}`);
    // The token's first LIMIT requests pass (teams.create may refuse the token's role: a 4xx, not a limit).
    for (const s of statuses.slice(0, LIMIT)) expect(s).not.toBe(429);
    expect(statuses.slice(LIMIT)).toEqual(Array(2 * calls.length).fill(429));
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    for (const body of refusals) {
      expect(body).toMatch(
        /this API token made more requests than its rate limit allows: try again in \d+ s/,
      );
      expect(body).not.toMatch(/at [\w.]+ \(|node_modules/); // no stack trace
    }
    // The engine is fine, and the limit is the token's: a request without it is simply anonymous.
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/trpc/auth.me`)).status).toBe(401);
  }, 120_000);
});
