import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createTeam, type Database, schema } from "@claude-pool/db";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createPoolHost } from "../src/host/index.js";
import type { PoolHost } from "../src/host-port.js";
import { eventually, hostOptions, sim } from "./domain-helpers.js";
import { freshPglite } from "./helpers/databases.js";

/** The PoolHost's lifecycle on its own (no API): restarts, graceful stop, resizing. */
describe("the PoolHost on PGlite", { timeout: 120_000 }, () => {
  let database: Database;
  let dir: string;
  let teamId: string;
  const hosts: PoolHost[] = [];

  async function startHost(engineId = "engine-a"): Promise<PoolHost> {
    const host = await createPoolHost(hostOptions(database, dir, engineId));
    hosts.push(host);
    await host.start();
    return host;
  }

  beforeEach(async () => {
    database = await freshPglite();
    dir = mkdtempSync(path.join(tmpdir(), "claude-pool-host-"));
    const ownerId = randomUUID();
    await database.db
      .insert(schema.users)
      .values({ id: ownerId, email: `${ownerId}@example.test`, name: "Owner" });
    teamId = (await createTeam(database.db, { name: "Host Team", ownerId })).id;
  }, 180_000);
  afterEach(async () => {
    for (const host of hosts.splice(0)) await host.stop({ graceMs: 0 });
    await database?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("stops claiming, lets the running task finish within the grace period and leaves the queue for the next start", async () => {
    const host = await startHost();
    const { poolId } = await host.createPool({ teamId, name: "graceful", slots: 1, config: {} });
    expect(await host.health()).toMatchObject({ ok: true, database: true, pools: 1 });
    const pool = host.pool(poolId);
    const running = await pool.submit(`running ${sim({ delayMs: 600 })}`);
    await eventually(
      async () => (await pool.task(running)).status,
      (s) => s === "running",
    );
    const queued = [await pool.submit("queued one"), await pool.submit("queued two")];
    await host.stop({ graceMs: 30_000 });
    expect((await host.health()).ok).toBe(false);

    // Read through a fresh host under the same engine id: the restart.
    const again = await startHost();
    const restarted = again.pool(poolId);
    expect((await restarted.task(running)).status).toBe("completed");
    const results = await Promise.all(queued.map((id) => restarted.result(id, { wait: true })));
    expect(results.map((r) => r?.output)).toEqual(["sim: queued one", "sim: queued two"]);
    expect((await restarted.task(queued[0] ?? "")).attempt).toBe(1);
  });

  it("a restart under the same engine id takes the tasks it left running over at once, in their sessions", async () => {
    const host = await startHost();
    const { poolId } = await host.createPool({ teamId, name: "left-running", slots: 1, config: {} });
    const pool = host.pool(poolId);
    const taskId = await pool.submit(`long ${sim({ delayMs: 1500 })}`);
    await eventually(
      async () => (await pool.task(taskId)).status,
      (s) => s === "running",
    );
    await host.stop({ graceMs: 0 });
    expect((await pool.task(taskId)).status).toBe("running");

    const again = await startHost();
    const result = await again.pool(poolId).result(taskId, { wait: true });
    expect(result?.output).toBe("sim: long");
    expect(await again.pool(poolId).task(taskId)).toMatchObject({ status: "completed", recoveries: 1 });
  });

  it("resizes a pool once its running work has finished, keeping what is queued", async () => {
    const host = await startHost();
    const { poolId } = await host.createPool({ teamId, name: "resize", slots: 1, config: {} });
    const before = host.pool(poolId);
    const busy = await before.submit(`busy ${sim({ delayMs: 500 })}`);
    await eventually(
      async () => (await before.task(busy)).status,
      (s) => s === "running",
    );
    const queued = await before.submit("after the resize");
    await host.updatePool(poolId, { slots: 3, name: "resized" });
    const after = await eventually(
      async () => host.pool(poolId),
      (p) => p !== before,
    );
    expect((await after.status()).slots.map((s) => s.id)).toEqual(["slot-0", "slot-1", "slot-2"]);
    expect((await after.task(busy)).status).toBe("completed");
    expect((await after.result(queued, { wait: true }))?.output).toBe("sim: after the resize");
  });

  it("refuses a second pool of the same name in a team, and a config pool-core would refuse", async () => {
    const host = await startHost();
    await host.createPool({ teamId, name: "unique", slots: 1, config: {} });
    await expect(host.createPool({ teamId, name: "unique", slots: 1, config: {} })).rejects.toMatchObject({
      code: "POOL_NAME_EXISTS",
    });
    await expect(
      host.createPool({ teamId, name: "bad", slots: 1, config: { sessionMode: "sometimes" } }),
    ).rejects.toMatchObject({ code: "INVALID_OPTIONS", field: "config.sessionMode" });
    expect((await host.health()).pools).toBe(1);
  });
});
