import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { claudeBinPath, claudeEnv, startMockAnthropic } from "@claude-pool/anthropic-mock";
import { expect, it } from "vitest";
import { Pool, type PoolClock } from "../src/index.js";

it("the real CLI: a 429 from the API is retried after a backoff and the task completes", async () => {
  const mock = await startMockAnthropic();
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
    claude: {
      bin: claudeBinPath(),
      cwd: mkdtempSync(path.join(tmpdir(), "rate-int-")),
      env: claudeEnv(mock),
    },
  });
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
