import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  claudeBinPath,
  claudeEnv,
  type MockAnthropic,
  startMockAnthropic,
} from "@claude-pool/anthropic-mock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Pool } from "../src/index.js";

/** A chain on the real `claude` binary from npm, against the project's loopback Messages API mock. */
let mock: MockAnthropic;
let pool: Pool;
let dir: string;

beforeAll(async () => {
  mock = await startMockAnthropic();
  dir = mkdtempSync(path.join(tmpdir(), "pool-core-chains-int-"));
  pool = await Pool.create({ slots: 1, claude: { bin: claudeBinPath(), cwd: dir, env: claudeEnv(mock) } });
});
afterAll(async () => {
  await pool.shutdown();
  await mock.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("a chain on the real claude CLI", () => {
  it("runs its steps in one session: the second request carries the first step's messages", async () => {
    mock.enqueue({ text: '{"codename": "bluebird"}' }, { text: "the codename was bluebird" });

    const chainId = await pool.submitChain([
      {
        name: "pick",
        action: { type: "prompt", prompt: "Pick a codename and answer as JSON." },
        outputVars: { codename: "codename" },
      },
      { name: "recall", action: { type: "prompt", prompt: "Say the codename {steps.pick.codename} back." } },
    ]);
    const progress = await pool.chainResult(chainId, { wait: true });

    expect(progress.error).toBeNull();
    expect(progress.success).toBe(true);
    expect(progress.steps[0]?.vars).toEqual({ codename: "bluebird" });
    expect(progress.finalOutput).toBe("the codename was bluebird");

    const [first, second] = mock.messagesRequests();
    expect(first?.lastUserText).toBe("Pick a codename and answer as JSON.");
    expect(second?.lastUserText).toBe("Say the codename bluebird back.");
    const history = JSON.stringify(second?.body?.messages);
    expect(history).toContain("Pick a codename and answer as JSON.");
    expect(history).toContain('{\\"codename\\": \\"bluebird\\"}');

    const tasks = await Promise.all(progress.steps.map((step) => pool.task(step.taskIds[0] ?? "")));
    expect(tasks[0]?.claudeSessionId).toBe(progress.sessionId);
    expect(tasks[1]?.claudeSessionId).toBe(progress.sessionId);
    expect(progress.spendUsd).toBeGreaterThan(0);
    // The chain's session is its own: the slot still has none.
    expect((await pool.status()).slots[0]?.sessionId).toBeNull();
  });
});
