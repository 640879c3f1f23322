import { appRouter, createPoolClient } from "@claude-pool/api";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type EngineProcess,
  eventually,
  removeTempDirs,
  startEngine,
  tempDir,
} from "../helpers/engine-process.js";
import { createOwner, OWNER } from "../helpers/owned-engine.js";
import { createScratchPostgres, type ScratchPostgres } from "../helpers/postgres.js";
import { createSnapshotter } from "./db-snapshot.js";
import { accepted, listProcedures, malformedInputs, type ProcedureInfo } from "./schema-fuzz.js";
import { callRaw } from "./trpc-http.js";

/**
 * Every procedure of the merged router, fed malformed inputs generated from its own zod schemas,
 * over HTTP against the built engine (claude-sim, Postgres) with the owner's API token (a session
 * cookie for the procedures no token may call). Every refused input must come back as a 400 whose
 * message names the field, the engine must stay healthy, and no table may change.
 */

const CASES_PER_PROCEDURE = 20;
/** Tables the engine or the token check write on their own: compared by row count only. */
const COUNT_ONLY = new Set(["api_tokens", "sessions", "engines", "slots"]);
const SESSION_ONLY = new Set(["teams.create", "teams.invitations", "teams.acceptInvitation"]);

let pg: ScratchPostgres;
let engine: EngineProcess;
let token: string;
let cookie: string;
const ids: Record<string, string> = {};

beforeAll(async () => {
  pg = await createScratchPostgres("fuzz");
  const doc = await createOwner(["--database-url", pg.url]);
  token = doc.token;
  engine = await startEngine({ env: { CLAUDE_SIM_HOME: tempDir("sim") }, args: ["--database-url", pg.url] });
  const client = createPoolClient({ url: engine.url, token });
  const { poolId } = await client.pools.create.mutate({
    teamId: doc.teamId,
    name: "fuzz",
    slots: 1,
    config: {},
  });
  const { taskId } = await client.tasks.submit.mutate({ poolId, prompt: "seed task" });
  await client.tasks.result.query({ taskId, wait: true });
  const { chainId } = await client.chains.submit.mutate({
    poolId,
    steps: [{ name: "one", action: { type: "prompt", prompt: "seed chain" } }],
  });
  // The seed chain must have ended: a step still running would change rows mid-fuzz.
  const chain = await eventually(
    () => client.chains.get.query({ chainId }),
    (c) => c.status !== "running",
    60_000,
  );
  expect(chain.status).toBe("completed");
  const signIn = await fetch(new URL("/api/auth/sign-in/email", engine.url), {
    method: "POST",
    headers: { "content-type": "application/json", origin: engine.url },
    body: JSON.stringify({ email: OWNER.email, password: OWNER.password }),
  });
  expect(signIn.status).toBe(200);
  cookie = signIn.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  Object.assign(ids, {
    teamId: doc.teamId,
    poolId,
    taskId,
    chainId,
    userId: doc.userId,
    id: doc.tokenId,
    webhookId: "00000000-0000-4000-8000-000000000000",
  });
}, 120_000);

afterAll(async () => {
  await engine?.stop("SIGKILL");
  await pg?.drop();
  removeTempDirs();
});

describe("fuzzing every tRPC procedure over HTTP", () => {
  it("answers every malformed input with a 400 naming the field; no 5xx, no row changed, engine healthy", async () => {
    const snap = createSnapshotter(pg.url, COUNT_ONLY);
    const procedures = listProcedures(appRouter);
    const totals = {
      procedures: procedures.length,
      fuzzed: 0,
      noInput: 0,
      cases: 0,
      skippedValid: 0,
      status: {} as Record<number, number>,
    };
    const problems: string[] = [];
    try {
      // Fingerprints are taken around each router's procedures (a table scan per call would be slow).
      let router = "";
      let before = await snap.take();
      const compare = async () => {
        const changed = snap.diff(before, await snap.take());
        if (changed.length > 0) problems.push(`${router}.*: rows changed in ${changed.join(", ")}`);
      };
      for (const info of procedures) {
        const group = info.path.split(".")[0] ?? "";
        if (group !== router) {
          if (router) await compare();
          router = group;
          before = await snap.take();
        }
        if (info.inputs.length === 0) {
          totals.noInput++;
          continue;
        }
        totals.fuzzed++;
        const inputs = fc.sample(malformedInputs(info, ids), { numRuns: CASES_PER_PROCEDURE * 3, seed: 12 });
        const cases: unknown[] = [];
        for (const raw of inputs) {
          if (cases.length >= CASES_PER_PROCEDURE) break;
          // What the wire carries (NaN, undefined and -0 do not survive JSON).
          const input = raw === undefined ? undefined : JSON.parse(JSON.stringify(raw) ?? "null");
          if (accepted(info, input)) totals.skippedValid++;
          else cases.push(input);
        }
        // A procedure's cases go at once, as concurrent callers would send them.
        const answers = await Promise.all(cases.map((input) => send(info, input)));
        answers.forEach((answer, i) => {
          totals.status[answer.status] = (totals.status[answer.status] ?? 0) + 1;
          const fieldLine = /^(input|[\w.]+): \S/m.test(answer.message);
          if (answer.status !== 400 || !fieldLine)
            problems.push(
              `${info.path} ${JSON.stringify(cases[i])?.slice(0, 120)} → ${answer.status} ${answer.message.slice(0, 160)}`,
            );
        });
        const sent = cases.length;
        totals.cases += sent;
      }
      await compare();
    } finally {
      await snap.end();
    }
    const health = await fetch(new URL("/healthz", engine.url));
    console.log(`[fuzz-trpc] ${JSON.stringify(totals)} problems=${problems.length}`);
    expect(problems).toEqual([]);
    expect(health.status).toBe(200);
    expect(totals.cases).toBeGreaterThanOrEqual(totals.fuzzed * 10);
  }, 240_000);
});

function send(info: ProcedureInfo, input: unknown) {
  const headers: Record<string, string> = SESSION_ONLY.has(info.path)
    ? { cookie, origin: engine.url }
    : { authorization: `Bearer ${token}` };
  return callRaw(engine.url, info.path, info.type, input, headers);
}
