import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { claudeBinPath, claudeEnv, startMockAnthropic } from "@claude-pool/anthropic-mock";
import { expect, it } from "vitest";
import { InMemoryStore, Pool } from "../src/index.js";
import { waitFor } from "./helpers.js";
import { manualClock } from "./manual-clock.js";

it("the real CLI: a usage-limit 429 parks the account's queue until the reset; then all run, the limited one in its session", async () => {
  const mock = await startMockAnthropic();
  const start = Math.floor(Date.now() / 1000) * 1000;
  const reset = start + 3_600_000;
  const clock = manualClock(start);
  // The API's side: every main call is refused until the reset, once the account is over its limit.
  let overLimit = false;
  mock.script((req) =>
    overLimit && req.requestClass === "main" && clock.now() < reset
      ? { error: { status: 429, message: `Claude AI usage limit reached|${reset / 1000}` } }
      : undefined,
  );
  const pool = await Pool.create({
    slots: 1,
    clock,
    store: new InMemoryStore({ clock: () => clock.date() }),
    pollIntervalMs: 50,
    skills: { globalDir: null },
    claude: {
      bin: claudeBinPath(),
      cwd: mkdtempSync(path.join(tmpdir(), "quota-int-")),
      env: claudeEnv(mock),
    },
  });
  try {
    const warm = await pool.run("warm up first");
    overLimit = true;
    const ids = [
      await pool.submit("limited task alpha"),
      await pool.submit("held task beta"),
      await pool.submit("held task gamma"),
    ];
    await waitFor(async () => (await pool.status()).usageLimit?.parkedTasks === 3, 30_000);
    await waitFor(async () => (await pool.status()).activeTasks === 0);
    const triedWhileLimited = mock.messagesRequests().length - 1;
    expect(triedWhileLimited).toBe(1);
    expect((await pool.status()).usageLimit).toEqual({
      until: new Date(reset).toISOString(),
      parkedTasks: 3,
    });
    for (const id of ids) expect((await pool.task(id)).runAfter?.getTime()).toBe(reset);

    clock.advanceTo(reset);
    const results = await Promise.all(ids.map((id) => pool.result(id, { wait: true })));
    expect(results.every((r) => r !== null && r.output.length > 0)).toBe(true);
    expect(mock.messagesRequests().length).toBe(1 + 1 + 3);
    // The limited task resumed the slot's session (the warm-up is in its request), its prompt once.
    expect(results[0]?.sessionId).toBe(warm.sessionId);
    const retry = mock
      .messagesRequests()
      .find((r, i) => i > 1 && JSON.stringify(r.body?.messages).includes("limited task alpha"));
    const sent = JSON.stringify(retry?.body?.messages);
    expect(sent).toContain("warm up first");
    expect(sent.split("limited task alpha")).toHaveLength(2);
    expect((await pool.status()).usageLimit).toBeNull();
  } finally {
    await pool.shutdown();
    await mock.close();
  }
});
