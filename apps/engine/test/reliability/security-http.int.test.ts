import { createPoolClient } from "@claude-pool/api";
import { simBinPath, simDirective } from "@claude-pool/claude-sim";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type EngineProcess,
  removeTempDirs,
  runCli,
  startEngine,
  tempDir,
} from "../helpers/engine-process.js";

/**
 * Security properties of the built engine over HTTP (NODE_ENV=production, as deployed): Origin
 * checks on cookie-authenticated calls, sign-in rate limiting, directory escapes through skill
 * names, and secrets kept out of logs, events, errors and /metrics.
 */

const EMAIL = "sec@x.co";
const PASSWORD = "12345678-password";
const API_KEY = "sk-ant-api03-SECRETSECRETSECRET-do-not-log";
const HOOK_SECRET = "whsec_hook-secret-do-not-log-0123";
let engine: EngineProcess;
let token: string;
let teamId: string;
let cookie: string;

beforeAll(async () => {
  const dataDir = tempDir("sec");
  const created = await runCli([
    "admin",
    "create",
    "--email",
    EMAIL,
    "--password",
    PASSWORD,
    "--team",
    "T",
    "--json",
    "--data-dir",
    dataDir,
  ]);
  expect(created.code).toBe(0);
  ({ token, teamId } = JSON.parse(created.stdout) as { token: string; teamId: string });
  engine = await startEngine({
    dataDir,
    // claude-sim, named: a real `claude` on PATH would take the fake key to the network.
    args: ["--claude-bin", simBinPath],
    env: { CLAUDE_SIM_HOME: tempDir("sim"), ANTHROPIC_API_KEY: API_KEY },
  });
  const signIn = await signInWith(PASSWORD);
  expect(signIn.status).toBe(200);
  cookie = signIn.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
}, 120_000);

afterAll(async () => {
  await engine?.stop("SIGKILL");
  removeTempDirs();
});

function signInWith(password: string, origin = engine.url) {
  return fetch(new URL("/api/auth/sign-in/email", engine.url), {
    method: "POST",
    headers: { "content-type": "application/json", origin },
    body: JSON.stringify({ email: EMAIL, password }),
  });
}

function cookieMutation(path: string, body: unknown, origin?: string) {
  return fetch(new URL(`/trpc/${path}`, engine.url), {
    method: "POST",
    headers: { "content-type": "application/json", cookie, ...(origin ? { origin } : {}) },
    body: JSON.stringify(body),
  });
}

describe("engine security over HTTP", () => {
  it("refuses a cross-origin cookie-authenticated mutation (CSRF) and allows the same-origin one", async () => {
    const evil = await cookieMutation("teams.create", { name: "csrf" }, "http://evil.example");
    const evilAuth = await fetch(new URL("/api/auth/sign-out", engine.url), {
      method: "POST",
      headers: { "content-type": "application/json", cookie, origin: "http://evil.example" },
      body: "{}",
    });
    const same = await cookieMutation("teams.create", { name: "same origin" }, engine.url);
    console.log(
      `[security-csrf] trpc cross-origin=${evil.status} auth cross-origin=${evilAuth.status} same-origin=${same.status}`,
    );
    expect(evilAuth.status).toBe(403);
    // The engine ignores a session cookie sent from a foreign origin: the call is anonymous.
    expect([401, 403]).toContain(evil.status);
    expect(same.status).toBe(200);
    // The signed-in user's teams (a token sees only its own team).
    const listed = await fetch(new URL("/trpc/teams.list", engine.url), {
      headers: { cookie, origin: engine.url },
    });
    const names = JSON.stringify(await listed.json());
    expect(names).toContain("same origin");
    expect(names).not.toContain("csrf");
  });

  it("refuses a skill name that would leave the skills directory", async () => {
    const client = createPoolClient({ url: engine.url, token });
    const { poolId } = await client.pools.create.mutate({ teamId, name: "skills", slots: 1, config: {} });
    for (const name of ["../x", "../../etc/passwd", "a/../../b", "/abs", "..", "x\u0000y"]) {
      const error = await client.skills.add
        .mutate({ poolId, skill: { name, description: "d", prompt: "p" } } as never)
        .then(
          () => null,
          (e: Error) => e,
        );
      expect(error?.message, name).toMatch(/name/);
    }
    expect((await client.skills.list.query({ poolId })).map((s: { name: string }) => s.name)).not.toContain(
      "x",
    );
  });

  it("keeps the API key, tokens, cookies and webhook secrets out of logs, events, errors and /metrics", async () => {
    const client = createPoolClient({ url: engine.url, token });
    const { poolId } = await client.pools.create.mutate({ teamId, name: "secrets", slots: 1, config: {} });
    await client.webhooks.create
      .mutate({
        teamId,
        url: "https://hooks.example.invalid/x",
        events: ["task.completed"],
        secret: HOOK_SECRET,
      } as never)
      .catch(() => undefined);
    const { taskId } = await client.tasks.submit.mutate({
      poolId,
      prompt: `hi ${simDirective({ reply: "ok" })}`,
    });
    await client.tasks.result.query({ taskId, wait: true });
    const failing = await client.tasks.submit.mutate({
      poolId,
      prompt: `x ${simDirective({ fail: "boom" } as never)}`,
    });
    await client.tasks.result.query({ taskId: failing.taskId, wait: true }).catch(() => undefined);
    const errors: string[] = [];
    for (const bad of [token.slice(0, -1), `${token}x`]) {
      const r = await fetch(new URL("/trpc/auth.me", engine.url), {
        headers: { authorization: `Bearer ${bad}` },
      });
      errors.push(await r.text());
    }
    const events = await fetch(
      new URL(`/trpc/tasks.get?input=${encodeURIComponent(JSON.stringify({ taskId }))}`, engine.url),
      {
        headers: { authorization: `Bearer ${token}` },
      },
    ).then((r) => r.text());
    const metrics = await fetch(new URL("/metrics", engine.url)).then((r) => r.text());
    const haystack = [engine.stdout(), engine.stderr(), events, metrics, ...errors].join("\n");
    const sessionValue = cookie.split("=")[1]?.split(".")[0] ?? "";
    const secrets = {
      apiKey: API_KEY,
      token,
      tokenSecret: token.slice(3, 19),
      hookSecret: HOOK_SECRET,
      cookie: sessionValue,
    };
    const found = Object.entries(secrets)
      .filter(([, s]) => s.length > 8 && haystack.includes(s))
      .map(([k]) => k);
    console.log(
      `[security-secrets] searched ${haystack.length} characters of logs/events/errors/metrics; found ${found.length}`,
    );
    expect(found).toEqual([]);
  });

  it("rate-limits repeated bad sign-ins with 429", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await signInWith(`wrong-password-${i}`)).status);
    console.log(`[security-ratelimit] bad sign-ins: ${statuses.join(",")}`);
    expect(statuses).toContain(429);
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
  });
});
