import { afterEach, expect, it } from "vitest";
import { Pool } from "../src/index.js";

const pools: Pool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.shutdown()));
});

// The poll timer is set past the test's timeout: a task that is announced but not claimed at once
// (a lost wake-up) makes the test time out instead of passing a second later.
it("claims each task a caller submits right after the last one's result, without waiting for the poll timer", async () => {
  const pool = await Pool.create({
    slots: 1,
    pollIntervalMs: 600_000,
    skills: { globalDir: null },
    claude: { driver: "in-process" },
  });
  pools.push(pool);
  const outputs: string[] = [];
  for (let i = 0; i < 200; i++) outputs.push((await pool.run(`task ${i}`)).output);
  expect(outputs).toHaveLength(200);
  expect(outputs[199]).toBe("in-process: task 199");
}, 20_000);
