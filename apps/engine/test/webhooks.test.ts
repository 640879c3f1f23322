import { randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { simBinPath, simDirective } from "@claude-pool/claude-sim";
import { Pool } from "@claude-pool/core";
import {
  claimDueDeliveries,
  createDb,
  createPoolRow,
  createTeam,
  createWebhookEndpoint,
  type Database,
  enqueueWebhookEvent,
  listWebhookDeliveries,
  PgStore,
  schema,
  type WebhookEvent,
} from "@claude-pool/db";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { queueWebhooksFor } from "../src/webhooks/events.js";
import { DEFAULT_WEBHOOK_SETTINGS, retryDelayMs, type WebhookSettings } from "../src/webhooks/settings.js";
import { EVENT_HEADER, SIGNATURE_HEADER, verifySignature } from "../src/webhooks/signature.js";
import { startWebhookWorker, type WebhookWorker } from "../src/webhooks/worker.js";
import { startReceiver, until } from "./helpers/receiver.js";

/** Short waits so retries happen within a test; the shape of the backoff is what matters. */
const FAST: WebhookSettings = {
  ...DEFAULT_WEBHOOK_SETTINGS,
  baseDelayMs: 40,
  factor: 2,
  pollMs: 25,
  leaseMs: 5_000,
};
const SECRET = "test-webhook-secret-0123456789";

let database: Database;
let teamId: string;
const workers: WebhookWorker[] = [];

beforeAll(async () => {
  database = await createDb({ dataDir: mkdtempSync(path.join(tmpdir(), "webhooks-db-")), env: {} });
  const userId = randomUUID();
  await database.db
    .insert(schema.users)
    .values({ id: userId, name: "Owner", email: `${userId}@example.com` });
  teamId = (await createTeam(database.db, { name: "Hooks", ownerId: userId })).id;
}, 60_000);
afterEach(async () => {
  // One test's worker must not answer for the next test's deliveries.
  await Promise.all(workers.splice(0).map((w) => w.stop()));
});
afterAll(async () => {
  await database?.close();
});

function worker(
  settings: WebhookSettings,
  engineId = "engine-a",
  outcomes: string[] = [],
  logged: Array<Record<string, unknown>> = [],
): WebhookWorker {
  const w = startWebhookWorker({
    db: database.db,
    engineId,
    settings,
    // The receivers here are on loopback, which deliveries may reach only when allowed.
    urlPolicy: { allowPrivate: true },
    onAttempt: (_event, outcome) => outcomes.push(outcome),
    log: (_level, _message, data) => logged.push(data),
  });
  workers.push(w);
  return w;
}

async function endpoint(url: string, events: WebhookEvent[] = ["task.completed"]) {
  return createWebhookEndpoint(database.db, { teamId, url, events, secret: SECRET });
}

async function deliveriesOf(endpointId: string) {
  return listWebhookDeliveries(database.db, { teamId, endpointId, limit: 50 });
}

function enqueue(event: WebhookEvent, data: Record<string, unknown>, maxAttempts = 6) {
  return enqueueWebhookEvent(database.db, {
    teamId,
    event,
    dedupeKey: `${event}:${randomUUID()}`,
    payload: { occurred_at: new Date().toISOString(), ...data },
    maxAttempts,
  });
}

describe("webhook deliveries", () => {
  it("signs each POST; a receiver that fails twice gets the third attempt; the delivery is listed", async () => {
    const receiver = await startReceiver([500, 503]);
    const hook = await endpoint(receiver.url);
    expect(await enqueue("task.completed", { task_id: "t-1", output: "done" })).toBe(1);
    const outcomes: string[] = [];
    worker(FAST, "engine-a", outcomes);
    await until(async () => (await deliveriesOf(hook.id))[0]?.status === "delivered", "the delivery");

    expect(receiver.received.map((r) => r.status)).toEqual([500, 503, 200]);
    expect(outcomes).toEqual(["retry", "retry", "delivered"]);
    for (const [i, r] of receiver.received.entries()) {
      const header = r.headers[SIGNATURE_HEADER.toLowerCase()];
      expect(typeof header === "string" && verifySignature(SECRET, r.body, header)).toBe(true);
      expect(verifySignature("another-secret-000000", r.body, String(header))).toBe(false);
      expect(r.headers[EVENT_HEADER.toLowerCase()]).toBe("task.completed");
      const body = JSON.parse(r.body);
      expect(body).toMatchObject({
        event: "task.completed",
        attempt: i + 1,
        data: { task_id: "t-1", output: "done" },
      });
    }
    const [listed] = await deliveriesOf(hook.id);
    expect(listed).toMatchObject({ status: "delivered", attempts: 3, responseCode: 200, lastError: null });
    expect(listed?.deliveredAt).toBeInstanceOf(Date);
    await receiver.close();
  });

  it("waits longer after each failure and gives up after the last attempt, recorded as failed", async () => {
    const receiver = await startReceiver([500, 500, 500, 500]);
    const hook = await endpoint(receiver.url);
    await enqueue("task.completed", { task_id: "t-2" }, 4);
    const logged: Array<Record<string, unknown>> = [];
    worker(FAST, "engine-a", [], logged);
    await until(async () => (await deliveriesOf(hook.id))[0]?.status === "failed", "giving up");
    expect(receiver.received).toHaveLength(4);
    // The wait after each failure: base, then ×factor each time (40, 80, 160 ms here); none after the last.
    // (The earlier tests' endpoints of this team get the event too: only this one's attempts count.)
    const mine = logged.filter((l) => l.webhookId === hook.id);
    expect(mine.map((l) => l.retryInMs ?? null)).toEqual([40, 80, 160, null]);
    const [listed] = await deliveriesOf(hook.id);
    expect(listed).toMatchObject({
      attempts: 4,
      responseCode: 500,
      lastError: "the receiver answered HTTP 500",
    });
    expect(listed?.nextAttemptAt).toBeNull();
    await receiver.close();
  });

  it("by default waits 10 s, 30 s, 90 s, … up to an hour between attempts, and makes at most 6", () => {
    const waits = [1, 2, 3, 4, 5].map((n) => retryDelayMs(n, DEFAULT_WEBHOOK_SETTINGS));
    expect(waits).toEqual([10_000, 30_000, 90_000, 270_000, 810_000]);
    expect(retryDelayMs(9, DEFAULT_WEBHOOK_SETTINGS)).toBe(3_600_000);
    expect(DEFAULT_WEBHOOK_SETTINGS.maxAttempts).toBe(6);
  });

  it("an engine restart between attempts still delivers: the next engine takes the queue from the database", async () => {
    const receiver = await startReceiver([500]);
    const hook = await endpoint(receiver.url);
    await enqueue("task.completed", { task_id: "t-3" });
    const first = worker({ ...FAST, baseDelayMs: 300 }, "engine-before");
    await until(() => receiver.received.length === 1, "the first attempt");
    await first.stop(); // the engine goes away with the retry still due
    expect((await deliveriesOf(hook.id))[0]).toMatchObject({
      status: "pending",
      attempts: 1,
      responseCode: 500,
    });
    worker(FAST, "engine-after");
    await until(
      async () => (await deliveriesOf(hook.id))[0]?.status === "delivered",
      "delivery after restart",
    );
    expect(receiver.received.map((r) => r.status)).toEqual([500, 200]);
    await receiver.close();
  });

  it("a delivery claimed by an engine that died mid-send is sent by another once the lease lapses", async () => {
    const receiver = await startReceiver();
    const hook = await endpoint(receiver.url);
    await enqueue("task.completed", { task_id: "t-4" });
    // The dead engine's claim: leased, never recorded.
    const claimed = await claimDueDeliveries(database.db, {
      engineId: "engine-dead",
      leaseMs: 300,
      limit: 50,
    });
    expect(claimed.map((c) => c.endpointId)).toContain(hook.id);
    worker(FAST, "engine-alive");
    await until(async () => (await deliveriesOf(hook.id))[0]?.status === "delivered", "the takeover");
    expect(receiver.received).toHaveLength(1);
    await receiver.close();
  });

  it("queues one delivery per fact, however often it is reported", async () => {
    const receiver = await startReceiver();
    const hook = await endpoint(receiver.url, ["task.failed"]);
    const once = () =>
      enqueueWebhookEvent(database.db, {
        teamId,
        event: "task.failed",
        dedupeKey: "task.failed:same-task",
        payload: { task_id: "same-task" },
        maxAttempts: 3,
      });
    expect([await once(), await once()]).toEqual([1, 0]);
    // Not subscribed to task.completed: nothing queued for it.
    expect(await enqueue("task.completed", { task_id: "x" })).toBeGreaterThanOrEqual(0);
    expect((await deliveriesOf(hook.id)).map((d) => d.event)).toEqual(["task.failed"]);
    await receiver.close();
  });
});

describe("pool events become webhooks", () => {
  it("task.completed, task.failed, chain.completed and budget.threshold at 80% of the pool's cap", async () => {
    const receiver = await startReceiver();
    await endpoint(receiver.url, ["task.completed", "task.failed", "chain.completed", "budget.threshold"]);
    const row = await createPoolRow(database.db, {
      id: randomUUID(),
      teamId,
      name: "hooked",
      slots: 1,
      config: { budgetUsd: 0.1 },
      budgetCapMicros: 100_000,
    });
    const dir = mkdtempSync(path.join(tmpdir(), "webhooks-pool-"));
    const store = await PgStore.open(database);
    const pool = await Pool.create({
      slots: 1,
      poolId: row.id,
      name: "hooked",
      store,
      skills: { globalDir: null },
      config: { budgetUsd: 0.1, minTaskBudgetUsd: 0.001 },
      claude: { bin: simBinPath, cwd: dir, env: { CLAUDE_SIM_HOME: path.join(dir, "sim-home") } },
    });
    const w = worker(FAST, "engine-pool");
    const stop = queueWebhooksFor(pool, { db: database.db, maxAttempts: 3, onQueued: () => w.kick() });
    try {
      // Each task reserves its own cap, so the spend lands where the test wants it: about 82%.
      await pool.run(`three ${simDirective({ apiError: 500 })}`, { maxBudgetUsd: 0.01 }).catch(() => {});
      const chainId = await pool.submitChain(
        [{ name: "only", action: { type: "prompt", prompt: "chain step" } }],
        {
          maxBudgetUsd: 0.01,
        },
      );
      await pool.chainResult(chainId, { wait: true });
      await pool.run(`one ${simDirective({ cost: 0.04, reply: "first done" })}`, { maxBudgetUsd: 0.05 });
      await pool.run(`two ${simDirective({ cost: 0.04 })}`, { maxBudgetUsd: 0.05 });

      const events = () =>
        receiver.received.map((r) => JSON.parse(r.body) as { event: string; data: Record<string, unknown> });
      await until(() => events().some((e) => e.event === "budget.threshold"), "budget.threshold");
      await until(() => events().some((e) => e.event === "chain.completed"), "chain.completed");
      await until(() => events().some((e) => e.event === "task.failed"), "task.failed");
      const completed = events().filter((e) => e.event === "task.completed");
      expect(completed.map((e) => e.data.output)).toContain("first done");
      expect(completed[0]?.data).toMatchObject({ pool_id: row.id, pool_name: "hooked", status: "completed" });
      expect(completed.find((e) => e.data.output === "first done")?.data.spend_usd).toBeCloseTo(0.04, 6);
      const failed = events().find((e) => e.event === "task.failed");
      expect(failed?.data).toMatchObject({ status: "failed", error: { code: "TASK_FAILED" } });
      const chain = events().find((e) => e.event === "chain.completed");
      expect(chain?.data).toMatchObject({ chain_id: chainId, status: "completed" });
      const thresholds = events().filter((e) => e.event === "budget.threshold");
      expect(thresholds.map((e) => e.data.threshold_percent)).toEqual([80]);
      expect(thresholds[0]?.data).toMatchObject({ scope: "pool", cap_usd: 0.1 });
      for (const r of receiver.received)
        expect(verifySignature(SECRET, r.body, String(r.headers["x-claude-pool-signature"]))).toBe(true);
    } finally {
      stop();
      await pool.shutdown();
      await store.close();
      await receiver.close();
    }
  });
});
