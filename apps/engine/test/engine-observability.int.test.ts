import { simDirective } from "@claude-pool/claude-sim";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, removeTempDirs } from "./helpers/engine-process.js";
import { OWNER, type OwnedEngine, startOwnedEngine } from "./helpers/owned-engine.js";
import { parsePrometheus, sampleValue } from "./helpers/prometheus.js";
import { startReceiver } from "./helpers/receiver.js";

/**
 * The built engine's /metrics, JSON logs and webhooks, after a run that used every kind of
 * secret: the Anthropic key in its environment, an API token in Authorization headers, a session
 * cookie, a webhook secret and the owner's password.
 */
const API_KEY = "sk-ant-api03-observability-test-key-0123456789";
const WEBHOOK_SECRET = "whsec-observability-0123456789abcdef";
const COOKIE = "better-auth.session_token=observabilitycookievalue1234.signature";

let e: OwnedEngine;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let sessionCookie = "";

beforeAll(async () => {
  receiver = await startReceiver([500]);
  e = await startOwnedEngine({
    env: {
      ANTHROPIC_API_KEY: API_KEY,
      CLAUDE_POOL_WEBHOOK_BASE_DELAY_MS: "50",
      CLAUDE_POOL_WEBHOOK_POLL_MS: "50",
      // The receiver is on loopback, which webhooks may reach only when the admin allows it.
      CLAUDE_POOL_ALLOW_PRIVATE_WEBHOOKS: "1",
    },
  });
});
afterAll(async () => {
  await e?.engine.stop();
  await receiver?.close();
  removeTempDirs();
});

async function scrape() {
  const res = await fetch(`${e.engine.url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
  return parsePrometheus(await res.text()).samples;
}

describe("the engine's metrics, logs and webhooks", () => {
  it("serves /metrics whose counters move after tasks, and delivers a signed webhook", async () => {
    await e.client.webhooks.create.mutate({
      teamId: e.teamId,
      url: receiver.url,
      events: ["task.completed"],
      secret: WEBHOOK_SECRET,
    });
    const before = await scrape();
    const completedBefore = sampleValue(before, "claude_pool_tasks_total", {
      pool: e.poolId,
      status: "completed",
    });

    for (const prompt of ["first", "second"]) {
      const { taskId } = await e.client.tasks.submit.mutate({
        poolId: e.poolId,
        prompt: `${prompt} ${simDirective({ cost: 0.002 })}`,
      });
      await e.client.tasks.result.query({ taskId, wait: true });
    }
    // A browser-like request with a session cookie, and a real sign-in with the owner's password:
    // neither the password, the cookie it sets nor a made-up one may reach a log line.
    await fetch(`${e.engine.url}/healthz`, { headers: { cookie: COOKIE } });
    const signIn = await fetch(`${e.engine.url}/api/auth/sign-in/email`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: e.engine.url },
      body: JSON.stringify({ email: OWNER.email, password: OWNER.password }),
    });
    expect(signIn.status).toBe(200);
    sessionCookie = (signIn.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    expect(sessionCookie).toMatch(/=.{16,}/);
    const me = await fetch(`${e.engine.url}/trpc/auth.me`, {
      headers: { cookie: sessionCookie, origin: e.engine.url },
    });
    expect(me.status).toBe(200);

    const after = await eventually(
      scrape,
      (s) =>
        sampleValue(s, "claude_pool_tasks_total", { pool: e.poolId, status: "completed" }) >=
        completedBefore + 2,
    );
    expect(sampleValue(after, "claude_pool_tasks_total", { pool: e.poolId, status: "completed" })).toBe(
      completedBefore + 2,
    );
    expect(sampleValue(after, "claude_pool_task_spend_usd_total", { pool: e.poolId })).toBeCloseTo(0.004, 6);
    expect(sampleValue(after, "claude_pool_task_duration_seconds_count", { pool: e.poolId })).toBe(2);
    expect(sampleValue(after, "claude_pool_slots", { pool: e.poolId })).toBe(2);
    expect(sampleValue(after, "claude_pool_queue_depth", { pool: e.poolId })).toBe(0);
    expect(
      sampleValue(after, "claude_pool_http_requests_total", { route: "/metrics", code: "200" }),
    ).toBeGreaterThan(0);
    expect(after.find((s) => s.name === "claude_pool_tasks_total")?.labels.engine).toBeTruthy();

    // The receiver failed the first delivery; the retry got through and was counted.
    const delivered = await eventually(
      scrape,
      (s) => sampleValue(s, "claude_pool_webhook_deliveries_total", { outcome: "delivered" }) >= 2,
    );
    expect(sampleValue(delivered, "claude_pool_webhook_deliveries_total", { outcome: "retry" })).toBe(1);
    expect(sampleValue(delivered, "claude_pool_webhook_deliveries_total", { outcome: "delivered" })).toBe(2);
    const listed = await e.client.webhooks.deliveries.query({ teamId: e.teamId });
    expect(listed.map((d) => d.status)).toEqual(["delivered", "delivered"]);
    expect(listed.map((d) => d.attempts).sort()).toEqual([1, 2]);
  });

  it("logs one JSON line per request and per task transition, and no secret anywhere", () => {
    const lines = e.engine
      .stderr()
      .split("\n")
      .filter((l) => l.startsWith("{"));
    const json = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const requests = json.filter((l) => l.msg === "request");
    expect(requests.some((l) => l.path === "/metrics" && l.status === 200)).toBe(true);
    expect(requests.some((l) => typeof l.path === "string" && l.path.startsWith("/trpc/tasks.submit"))).toBe(
      true,
    );
    for (const status of ["queued", "running", "completed"]) {
      expect(
        json.some((l) => l.pool === e.poolId && l.status === status),
        status,
      ).toBe(true);
    }
    expect(json.some((l) => l.msg === "webhook delivered")).toBe(true);

    const everything = `${e.engine.stderr()}\n${e.engine.stdout()}`;
    const sessionValue = sessionCookie.split("=")[1] ?? "";
    expect(sessionValue.length).toBeGreaterThan(16);
    for (const secret of [
      API_KEY,
      e.token,
      WEBHOOK_SECRET,
      "observabilitycookievalue1234",
      OWNER.password,
      sessionValue,
    ]) {
      expect(everything).not.toContain(secret);
    }
  });
});
