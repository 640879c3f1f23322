import { simDirective } from "@claude-pool/claude-sim";
import { afterEach, describe, expect, it } from "vitest";
import type { DriverKind, Pool } from "../src/index.js";
import { simPool } from "./helpers.js";

/**
 * A failed turn never poisons a session (DESIGN.md). claude-sim with
 * CLAUDE_SIM_KEEP_FAILED_PROMPTS=1 behaves like the real CLI: a prompt that got no reply stays
 * last in the session and the next prompt is merged after it, its directives applying again, so
 * without rewinding every later task on that slot would fail with the same 400.
 */
const pools: Pool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.shutdown()));
});

async function poisonablePool(driver: DriverKind, slots: number) {
  const made = await simPool({
    slots,
    claude: { driver, env: { CLAUDE_SIM_KEEP_FAILED_PROMPTS: "1" } },
  });
  pools.push(made.pool);
  return made;
}

const bad = `make it fail ${simDirective({ apiError: 400 })}`;

describe.each(["cold", "warm"] as const)("on the %s driver", (driver) => {
  it("keeps every healthy prompt healthy across three fan-outs with a 400 in each (resume mode, 2 slots)", async () => {
    const { pool } = await poisonablePool(driver, 2);
    const rounds = [];
    for (let round = 0; round < 3; round++) {
      rounds.push(await pool.fanOut([`a${round}`, bad, `c${round}`]));
    }
    for (const [round, results] of rounds.entries()) {
      expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
      const [a, , c] = results;
      expect(a?.status === "fulfilled" && a.value.output).toBe(`sim: a${round}`);
      expect(c?.status === "fulfilled" && c.value.output).toBe(`sim: c${round}`);
    }
    // Each failed task says where its slot's session went instead of keeping the failed prompt.
    for (const results of rounds) {
      const failed = results[1];
      if (!failed?.taskId) throw new Error("the 400 task was not submitted");
      const kinds = (await pool.taskEvents(failed.taskId)).map((e) => e.kind);
      expect(kinds.some((k) => k === "session.rewound" || k === "session.fresh")).toBe(true);
    }
  });

  it("resumes the slot's session at its last good message after a failed task, keeping the history", async () => {
    const { pool } = await poisonablePool(driver, 1);
    const first = await pool.run("remember the word kiwi");
    const failed = await pool.submit(bad);
    await expect(pool.result(failed, { wait: true })).rejects.toThrow(/400/);
    const rewound = (await pool.taskEvents(failed)).find((e) => e.kind === "session.rewound");
    expect(rewound?.payload).toMatchObject({ sessionId: first.sessionId });
    const next = await pool.run("and now?");
    expect(next.output).toBe("sim: and now?");
    expect(next.sessionId).toBe(first.sessionId);
  });

  it("starts fresh when the slot's first task got no reply", async () => {
    const { pool } = await poisonablePool(driver, 1);
    const failed = await pool.submit(bad);
    await expect(pool.result(failed, { wait: true })).rejects.toThrow(/400/);
    const events = await pool.taskEvents(failed);
    expect(events.map((e) => e.kind)).toContain("session.fresh");
    const failedSession = (await pool.task(failed)).claudeSessionId;
    const next = await pool.run("hello again");
    expect(next.output).toBe("sim: hello again");
    expect(next.sessionId).not.toBe(failedSession);
  });

  it("keeps a chain's session clean: a recovery prompt after a 400 runs without the failed prompt", async () => {
    const { pool } = await poisonablePool(driver, 1);
    const chainId = await pool.submitChain([
      { name: "first", action: { type: "prompt", prompt: "step one" } },
      {
        name: "second",
        action: { type: "prompt", prompt: bad },
        failurePolicy: { retries: 0, recoveryPrompt: "recover please" },
      },
      { name: "third", action: { type: "prompt", prompt: "step three" } },
    ]);
    const progress = await pool.chainResult(chainId, { wait: true });
    expect(progress.status, JSON.stringify(progress)).toBe("completed");
    expect(progress.steps.map((s) => s.status)).toEqual(["completed", "completed", "completed"]);
    expect(progress.steps[1]?.recovered).toBe(true);
    expect(progress.steps[1]?.output).toBe("sim: recover please");
    expect(progress.finalOutput).toBe("sim: step three");
    // Still one session across the steps.
    const sessions = new Set<string | null>();
    for (const step of progress.steps) {
      for (const id of step.taskIds) {
        const task = await pool.task(id);
        if (task.status === "completed") sessions.add(task.claudeSessionId);
      }
    }
    expect(sessions.size).toBe(1);
  });
});
