import { createPoolClient, type PoolClient } from "@claude-pool/api";
import { simDirective } from "@claude-pool/claude-sim";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type EngineProcess,
  eventually,
  removeTempDirs,
  runCli,
  startEngine,
  tempDir,
} from "./helpers/engine-process.js";

/**
 * The built engine as a process (claude-sim, embedded PGlite), driven only through its HTTP API
 * with the typed client, as another service would.
 */

let engine: EngineProcess;
let client: PoolClient;
let teamId: string;
let token: string;
let poolId: string;
let dataDir: string;
let simHome: string;
let duplicate: Awaited<ReturnType<typeof runCli>>;

beforeAll(async () => {
  dataDir = tempDir("http");
  simHome = tempDir("sim");
  const created = await runCli([
    "admin",
    "create",
    "--email",
    "Owner@Example.com",
    "--password",
    "correct horse",
    "--team",
    "Acme",
    "--json",
    "--data-dir",
    dataDir,
  ]);
  expect(created.stderr).toBe("");
  expect(created.code).toBe(0);
  const doc = JSON.parse(created.stdout) as { token: string; teamId: string; email: string; team: string };
  expect(doc).toMatchObject({ email: "owner@example.com", team: "Acme" });
  expect(doc.token).toMatch(/^cp_/);
  token = doc.token;
  teamId = doc.teamId;
  duplicate = await runCli([
    "admin",
    "create",
    "--email",
    "owner@example.com",
    "--password",
    "other password",
    "--team",
    "B",
    "--data-dir",
    dataDir,
  ]);
  engine = await startEngine({
    dataDir,
    env: { CLAUDE_SIM_HOME: simHome },
    args: ["--web-origin", "http://127.0.0.1:4681"],
  });
  client = createPoolClient({ url: engine.url, token });
  ({ poolId } = await client.pools.create.mutate({ teamId, name: "main", slots: 1, config: {} }));
});

afterAll(async () => {
  await engine?.stop();
  removeTempDirs();
});

describe("claude-pool admin create", () => {
  it("refuses a second account with the same e-mail in one line, exit 1", () => {
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr.trim().split("\n")).toEqual([
      "claude-pool admin: a user with e-mail owner@example.com already exists",
    ]);
  });

  it("names the bad field and prints usage, exit 2", async () => {
    const r = await runCli([
      "admin",
      "create",
      "--email",
      "not-an-email",
      "--password",
      "12345678",
      "--team",
      "T",
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--email must be an e-mail address (got "not-an-email")');
    expect(r.stderr).toContain("usage: claude-pool admin create");
  });
});

describe("the API over HTTP", () => {
  it("serves /healthz with the database and pools up", async () => {
    const res = await fetch(`${engine.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, database: true });
  });

  it("answers CORS with credentials for the web origin only", async () => {
    const preflight = (origin: string) =>
      fetch(`${engine.url}/trpc/pools.list`, {
        method: "OPTIONS",
        headers: {
          origin,
          "access-control-request-method": "GET",
          "access-control-request-headers": "content-type",
        },
      });
    const trusted = await preflight("http://127.0.0.1:4681");
    expect(trusted.status).toBe(204);
    expect(trusted.headers.get("access-control-allow-origin")).toBe("http://127.0.0.1:4681");
    expect(trusted.headers.get("access-control-allow-credentials")).toBe("true");
    const other = await preflight("http://evil.example");
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("issues a token with tokens.create that then authenticates", async () => {
    const issued = await client.tokens.create.mutate({ teamId, name: "ci", role: "member" });
    const member = createPoolClient({ url: engine.url, token: issued.token });
    const me = await member.auth.me.query();
    expect(me.via).toBe("token");
  });

  it("runs a submitted task and returns its output and spend with result({ wait: true })", async () => {
    const { taskId } = await client.tasks.submit.mutate({
      poolId,
      prompt: `hello${simDirective({ reply: "hello back", cost: 0.02 })}`,
    });
    const result = await client.tasks.result.query({ taskId, wait: true });
    expect(result).toMatchObject({ taskId, output: "hello back", spendUsd: 0.02 });
  });

  it("resumes tasks.onEvents after a dropped connection with exactly the rest", async () => {
    const { taskId } = await client.tasks.submit.mutate({
      poolId,
      prompt: `stream${simDirective({ toolTurns: 5, delayMs: 150, cost: 0.01 })}`,
    });
    const firstPart: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const sub = client.tasks.onEvents.subscribe(
        { taskId },
        {
          onData(e) {
            firstPart.push(e.id);
            if (firstPart.length === 2) {
              sub.unsubscribe();
              resolve();
            }
          },
          onError: reject,
        },
      );
    });
    const rest = await collectEvents(client, taskId, firstPart.at(-1));
    const everything = await collectEvents(client, taskId, undefined);
    expect(everything.length).toBeGreaterThan(4);
    expect([...firstPart, ...rest]).toEqual(everything);
  });

  it("pushes pools.onStatus with the slot busy, then idle", async () => {
    const states: string[] = [];
    const sub = client.pools.onStatus.subscribe(
      { poolId },
      {
        onData(e) {
          const slot = e.data.slots[0];
          if (slot && states.at(-1) !== slot.state) states.push(slot.state);
        },
      },
    );
    try {
      await eventually(
        () => states.length,
        (n) => n > 0,
      );
      const { taskId } = await client.tasks.submit.mutate({
        poolId,
        prompt: `status${simDirective({ delayMs: 400, cost: 0.01 })}`,
      });
      await client.tasks.result.query({ taskId, wait: true });
      await eventually(
        () => states.join(","),
        (s) => /busy,idle$/.test(s),
      );
      expect(states.join(",")).toMatch(/busy,idle$/);
    } finally {
      sub.unsubscribe();
    }
  });

  it("answers an unknown pool with NOT_FOUND and a malformed one with BAD_REQUEST naming the field", async () => {
    await expect(client.tasks.submit.mutate({ poolId: "nope", prompt: "x" })).rejects.toMatchObject({
      data: { code: "NOT_FOUND" },
    });
    await expect(client.tasks.submit.mutate({ poolId, prompt: "" })).rejects.toMatchObject({
      data: { code: "BAD_REQUEST" },
      message: expect.stringContaining("prompt"),
    });
  });
});

/** Every event id of a task's stream after `lastEventId`, until the stream ends. */
function collectEvents(c: PoolClient, taskId: string, lastEventId: string | undefined): Promise<string[]> {
  const ids: string[] = [];
  return new Promise((resolve, reject) => {
    const sub = c.tasks.onEvents.subscribe(
      { taskId, ...(lastEventId ? { lastEventId } : {}) },
      {
        onData(e) {
          ids.push(e.id);
        },
        onComplete() {
          resolve(ids);
        },
        onError(error) {
          sub.unsubscribe();
          reject(error);
        },
      },
    );
  });
}
