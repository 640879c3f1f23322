import {
  claudeBinPath,
  claudeEnv,
  type MockAnthropic,
  startMockAnthropic,
} from "@claude-pool/anthropic-mock";
import { createPoolClient } from "@claude-pool/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EngineProcess, removeTempDirs, startEngine, tempDir } from "./helpers/engine-process.js";
import { createOwner } from "./helpers/owned-engine.js";

/** The built engine running the real `claude` CLI (npm's @anthropic-ai/claude-code) against the mock Messages API. */

let mock: MockAnthropic;
let engine: EngineProcess;
let token: string;
let teamId: string;

beforeAll(async () => {
  mock = await startMockAnthropic();
  const dataDir = tempDir("real");
  ({ token, teamId } = await createOwner(["--data-dir", dataDir]));
  engine = await startEngine({ dataDir, env: claudeEnv(mock), args: ["--claude-bin", claudeBinPath()] });
});

afterAll(async () => {
  await engine?.stop();
  await mock?.close();
  removeTempDirs();
});

describe("the engine with the real claude CLI", () => {
  it("completes a task submitted over HTTP with the spend the CLI reported", async () => {
    expect(engine.stderr()).not.toContain("claude-sim");
    const client = createPoolClient({ url: engine.url, token });
    const { poolId } = await client.pools.create.mutate({ teamId, name: "real", slots: 1, config: {} });
    mock.enqueue({ text: "four", usage: { input_tokens: 120, output_tokens: 30 } });
    const { taskId } = await client.tasks.submit.mutate({ poolId, prompt: "what is 2+2?" });
    const result = await client.tasks.result.query({ taskId, wait: true });
    expect(result?.output).toBe("four");
    expect(mock.messagesRequests().some((r) => r.lastUserText === "what is 2+2?")).toBe(true);

    // The CLI's own result line, as the engine stored it, carries the cost it computed.
    const events: Array<{ kind: string; payload?: unknown }> = [];
    await new Promise<void>((resolve, reject) => {
      client.tasks.onEvents.subscribe(
        { taskId },
        { onData: (e) => events.push(e.data), onComplete: resolve, onError: reject },
      );
    });
    const line = events.find((e) => e.kind === "result")?.payload as { total_cost_usd?: number } | undefined;
    expect(line?.total_cost_usd).toBeGreaterThan(0);
    expect(result?.spendUsd).toBeCloseTo(line?.total_cost_usd ?? -1, 6);
    const task = await client.tasks.get.query({ taskId });
    expect(task.spendUsd).toBeCloseTo(line?.total_cost_usd ?? -1, 6);
    expect((await client.pools.get.query({ poolId })).spendUsd).toBeCloseTo(line?.total_cost_usd ?? -1, 6);
  });
});
