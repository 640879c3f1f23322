import { randomUUID } from "node:crypto";
import type { LookupAddress } from "node:dns";
import { createPoolClient } from "@claude-pool/api";
import { simBinPath } from "@claude-pool/claude-sim";
import {
  createDb,
  createTeam,
  createWebhookEndpoint,
  type Database,
  enqueueWebhookEvent,
  listWebhookDeliveries,
  schema,
} from "@claude-pool/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkedPost } from "../../src/webhooks/send.js";
import { DEFAULT_WEBHOOK_SETTINGS } from "../../src/webhooks/settings.js";
import { startWebhookWorker } from "../../src/webhooks/worker.js";
import {
  type EngineProcess,
  eventually,
  removeTempDirs,
  startEngine,
  tempDir,
} from "../helpers/engine-process.js";
import { createOwner } from "../helpers/owned-engine.js";
import { createScratchPostgres, type ScratchPostgres } from "../helpers/postgres.js";
import { startReceiver, until } from "../helpers/receiver.js";

/**
 * SSRF: webhook URLs to loopback, link-local and private addresses are refused when created and
 * again at every delivery (a name resolved then, the socket connected to the checked address),
 * unless the engine runs with --allow-private-webhooks / CLAUDE_POOL_ALLOW_PRIVATE_WEBHOOKS=1.
 */

const running: EngineProcess[] = [];
const scratch: ScratchPostgres[] = [];
afterAll(async () => {
  await Promise.all(running.map((e) => e.stop()));
  await Promise.all(scratch.map((p) => p.drop()));
  removeTempDirs();
});

const REFUSED_URLS = [
  "http://127.0.0.1:9/hook",
  "http://localhost:9/hook",
  "http://127.1/hook",
  "http://0x7f000001/hook",
  "http://[::1]/hook",
  "http://[::ffff:127.0.0.1]/hook",
  "http://169.254.169.254/latest/meta-data",
  "http://[fe80::1]/",
  "http://10.0.0.1/",
  "http://172.16.5.4/",
  "http://192.168.1.1/",
  "http://[fc00::1]/",
  "http://0.0.0.0/",
  "http://[::]/",
];

describe("webhook SSRF on the built engine", () => {
  it("refuses private webhook URLs when created, and a stored one (registered while allowed) at delivery", async () => {
    const pg = await createScratchPostgres("ssrf");
    scratch.push(pg);
    const owner = await createOwner(["--database-url", pg.url]);
    const receiver = await startReceiver();
    // A webhook an earlier engine accepted while the admin allowed private addresses.
    const database = await createDb({ url: pg.url, env: {} });
    const hook = await createWebhookEndpoint(database.db, {
      teamId: owner.teamId,
      url: receiver.url,
      events: ["task.completed"],
      secret: "registered-while-allowed-0123",
    });
    await database.close();

    const engine = await startEngine({
      args: ["--claude-bin", simBinPath, "--database-url", pg.url],
      env: { CLAUDE_SIM_HOME: tempDir("sim-home"), CLAUDE_POOL_WEBHOOK_POLL_MS: "50" },
    });
    running.push(engine);
    const client = createPoolClient({ url: engine.url, token: owner.token });
    const statuses: Record<string, number> = {};
    for (const url of REFUSED_URLS) {
      const res = await fetch(new URL("/trpc/webhooks.create", engine.url), {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${owner.token}` },
        body: JSON.stringify({ teamId: owner.teamId, url, events: ["task.completed"] }),
      });
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      const body = (await res.json()) as { error: { message: string } };
      expect(res.status, url).toBe(400);
      expect(body.error.message, url).toMatch(/^url: "/);
      expect(body.error.message, url).toContain(url.replace(/\/$/, ""));
      expect(body.error.message, url).toContain("--allow-private-webhooks");
    }
    const listed = await client.webhooks.list.query({ teamId: owner.teamId });
    expect(listed.map((w) => w.id)).toEqual([hook.id]);

    const { poolId } = await client.pools.create.mutate({
      teamId: owner.teamId,
      name: "p",
      slots: 1,
      config: {},
    });
    const { taskId } = await client.tasks.submit.mutate({ poolId, prompt: "hook me" });
    await client.tasks.result.query({ taskId, wait: true });
    const deliveries = await eventually(
      () => client.webhooks.deliveries.query({ teamId: owner.teamId }),
      (d) => d[0]?.status === "failed",
      60_000,
    );
    // Refused by rule, so given up at once: no retries against a private address.
    expect(deliveries[0]).toMatchObject({ status: "failed", attempts: 1, responseCode: null });
    expect(deliveries[0]?.lastError).toMatch(/^url: "http:\/\/127\.0\.0\.1:\d+\/hook" is a loopback address/);
    expect(receiver.received).toHaveLength(0);
    console.log(
      `[security-ssrf-engine] create refused=${JSON.stringify(statuses)} of ${REFUSED_URLS.length}; ` +
        `stored loopback webhook at delivery: ${deliveries[0]?.status}, attempts=${deliveries[0]?.attempts}, received=${receiver.received.length}`,
    );
    await receiver.close();
  }, 120_000);
});

describe("webhook delivery and DNS (rebinding)", () => {
  let database: Database;
  let teamId: string;
  beforeAll(async () => {
    // A database of its own: an engine's worker would claim these deliveries too.
    const pg = await createScratchPostgres("ssrf_dns");
    scratch.push(pg);
    database = await createDb({ url: pg.url, env: {} });
    const userId = randomUUID();
    await database.db.insert(schema.users).values({ id: userId, name: "O", email: `${userId}@example.com` });
    teamId = (await createTeam(database.db, { name: "Hooks", ownerId: userId })).id;
  }, 60_000);
  afterAll(async () => {
    await database?.close();
  });

  /** A name our resolver answers for: the connection can only go where the resolver said. */
  async function deliverVia(answer: string, allowPrivate: boolean, port: number) {
    const resolved: string[] = [];
    const resolveAll = async (host: string): Promise<LookupAddress[]> => {
      resolved.push(host);
      return [{ address: answer, family: answer.includes(":") ? 6 : 4 }];
    };
    const hook = await createWebhookEndpoint(database.db, {
      teamId,
      url: `http://rebind.invalid:${port}/hook`,
      events: ["task.completed"],
      secret: "rebinding-secret-0123456789",
    });
    await enqueueWebhookEvent(database.db, {
      teamId,
      event: "task.completed",
      dedupeKey: `rebind:${randomUUID()}`,
      payload: { occurred_at: new Date().toISOString(), task_id: "t" },
      maxAttempts: 3,
    });
    const worker = startWebhookWorker({
      db: database.db,
      engineId: "engine-ssrf",
      settings: { ...DEFAULT_WEBHOOK_SETTINGS, baseDelayMs: 20, pollMs: 25 },
      post: checkedPost({ allowPrivate }, resolveAll),
    });
    try {
      await until(async () => {
        const [d] = await listWebhookDeliveries(database.db, { teamId, endpointId: hook.id, limit: 5 });
        return d?.status === "delivered" || d?.status === "failed";
      }, "the delivery to end");
    } finally {
      await worker.stop();
    }
    const [d] = await listWebhookDeliveries(database.db, { teamId, endpointId: hook.id, limit: 5 });
    return { delivery: d, resolved };
  }

  it("a name that resolves to loopback at delivery time is refused before any connection", async () => {
    const receiver = await startReceiver();
    const port = Number(new URL(receiver.url).port);
    const { delivery, resolved } = await deliverVia("127.0.0.1", false, port);
    expect(resolved).toEqual(["rebind.invalid"]);
    expect(delivery).toMatchObject({ status: "failed", attempts: 1, responseCode: null });
    expect(delivery?.lastError).toContain(`url: "http://rebind.invalid:${port}/hook" resolves to 127.0.0.1`);
    expect(receiver.received).toHaveLength(0);
    await receiver.close();
  });

  it("the connection goes to the address that was checked (the name exists nowhere else)", async () => {
    const receiver = await startReceiver();
    const port = Number(new URL(receiver.url).port);
    const { delivery } = await deliverVia("127.0.0.1", true, port);
    expect(delivery).toMatchObject({ status: "delivered", attempts: 1, responseCode: 200 });
    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0]?.headers.host).toBe(`rebind.invalid:${port}`);
    await receiver.close();
  });
});
