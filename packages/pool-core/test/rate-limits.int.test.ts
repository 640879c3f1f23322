import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  claudeBinPath,
  claudeEnv,
  type MockAnthropic,
  startMockAnthropic,
} from "@claude-pool/anthropic-mock";
import { expect, it } from "vitest";
import { Pool, type PoolClock, type PoolOptionsInput } from "../src/index.js";

/**
 * A one-slot pool on the real CLI against the mock API, with a clock whose sleeps pass at once
 * (and are recorded): the pool's backoffs are measured, not waited for.
 */
async function realCliPool(
  mock: MockAnthropic,
  options: { config?: PoolOptionsInput["config"]; maxRetries?: number } = {},
) {
  const sleeps: number[] = [];
  let slept = 0;
  const clock: PoolClock = {
    now: () => Date.now() + slept,
    sleep: async (ms) => {
      sleeps.push(ms);
      slept += ms;
    },
  };
  const pool = await Pool.create({
    slots: 1,
    clock,
    skills: { globalDir: null },
    ...(options.config ? { config: options.config } : {}),
    claude: {
      bin: claudeBinPath(),
      cwd: mkdtempSync(path.join(tmpdir(), "rate-int-")),
      env:
        options.maxRetries === undefined
          ? claudeEnv(mock)
          : claudeEnv(mock, { maxRetries: options.maxRetries }),
    },
  });
  return { pool, sleeps };
}

it("the real CLI: a 429 from the API is retried after a backoff and the task completes", async () => {
  const mock = await startMockAnthropic();
  const { pool, sleeps } = await realCliPool(mock);
  try {
    let calls = 0;
    mock.script(() => (++calls === 1 ? { error: { status: 429, message: "slow down" } } : undefined));
    mock.enqueue({ text: "done at last" });
    const r = await pool.run("please answer");
    expect(r.output).toBe("done at last");
    expect(sleeps).toEqual([1_000]);
    const kinds = (await pool.taskEvents(r.taskId)).map((e) => e.kind);
    expect(kinds.filter((k) => k === "rate_limit.retry")).toHaveLength(1);
    // The retried prompt went out once more, alone: the 429'd turn is not in the retry's request.
    const last = mock.messagesRequests().at(-1);
    expect(JSON.stringify(last?.body?.messages).split("please answer")).toHaveLength(2);
  } finally {
    await pool.shutdown();
    await mock.close();
  }
});

it("the real CLI: the pool's backoff after a 429 honours the API's retry-after, as the CLI reports it", async () => {
  const mock = await startMockAnthropic();
  // One retry of the CLI's own, so it reads the header and says how long it waited.
  const { pool, sleeps } = await realCliPool(mock, { config: { rateLimitBackoffMs: 1_000 }, maxRetries: 1 });
  try {
    const limited = { error: { status: 429, message: "slow down", headers: { "retry-after": "3" } } };
    mock.enqueue(limited, limited, { text: "done after the wait" });
    const r = await pool.run("please answer");
    expect(r.output).toBe("done after the wait");
    // 3 s from the header (plus the CLI's jitter), not the pool's own 1 s.
    expect(sleeps).toHaveLength(1);
    expect(sleeps[0]).toBeGreaterThanOrEqual(3_000);
    const retry = (await pool.taskEvents(r.taskId)).find((e) => e.kind === "rate_limit.retry");
    expect(retry?.payload).toMatchObject({ delayMs: sleeps[0] });
  } finally {
    await pool.shutdown();
    await mock.close();
  }
});
