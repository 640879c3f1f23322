import { createPoolClient } from "@claude-pool/api";
import { simBinPath } from "@claude-pool/claude-sim";
import { afterAll, describe, expect, it } from "vitest";
import {
  type EngineProcess,
  eventually,
  removeTempDirs,
  startEngine,
  tempDir,
} from "./helpers/engine-process.js";
import { startOwnedEngine } from "./helpers/owned-engine.js";
import { startReceiver } from "./helpers/receiver.js";

/** A webhook whose first attempt failed is delivered by the engine after a restart (from the database). */
const running: EngineProcess[] = [];
afterAll(async () => {
  await Promise.all(running.map((e) => e.stop()));
  removeTempDirs();
});

describe("webhooks across an engine restart", () => {
  it("the retry due while the engine was down is sent by the restarted engine", async () => {
    const receiver = await startReceiver([503]);
    // Long enough a backoff that the retry is still due when the engine is gone.
    // The receiver is on loopback, which webhooks may reach only when the admin allows it.
    const env = {
      CLAUDE_POOL_WEBHOOK_BASE_DELAY_MS: "4000",
      CLAUDE_POOL_WEBHOOK_POLL_MS: "100",
      CLAUDE_POOL_ALLOW_PRIVATE_WEBHOOKS: "1",
    };
    const first = await startOwnedEngine({ env });
    running.push(first.engine);
    await first.client.webhooks.create.mutate({
      teamId: first.teamId,
      url: receiver.url,
      events: ["task.completed"],
    });
    const { taskId } = await first.client.tasks.submit.mutate({ poolId: first.poolId, prompt: "hook me" });
    await first.client.tasks.result.query({ taskId, wait: true });
    await eventually(
      () => receiver.received.length,
      (n) => n >= 1,
      60_000,
    );
    expect(await first.engine.stop()).toBe(0);
    expect(receiver.received.map((r) => r.status)).toEqual([503]);

    const second = await startEngine({
      dataDir: first.engine.dataDir,
      args: ["--claude-bin", simBinPath],
      env: { ...env, CLAUDE_SIM_HOME: tempDir("sim-home-2") },
    });
    running.push(second);
    const client = createPoolClient({ url: second.url, token: first.token });
    const deliveries = await eventually(
      () => client.webhooks.deliveries.query({ teamId: first.teamId }),
      (d) => d[0]?.status === "delivered",
      60_000,
    );
    expect(deliveries[0]).toMatchObject({ status: "delivered", attempts: 2, responseCode: 200 });
    expect(receiver.received.map((r) => r.status)).toEqual([503, 200]);
    const [a, b] = receiver.received.map(
      (r) => JSON.parse(r.body) as { id: string; data: { task_id: string } },
    );
    expect(b?.id).toBe(a?.id);
    expect(b?.data.task_id).toBe(taskId);
    await receiver.close();
  }, 300_000);
});
