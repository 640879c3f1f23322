import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { InMemoryStore, type Pool, type PoolOptionsInput } from "../src/index.js";
import { simPool, waitFor } from "./helpers.js";
import { manualClock } from "./manual-clock.js";

/**
 * Issue 12, item 1: usage limits are per account. One task's usage limit with a reset time parks
 * every task of that account until the reset (never tried one by one), status shows the reset, and
 * at the reset they run, the parked ones in their sessions. The clock (pool, store and claude-sim's
 * API side) is injected: the five-hour reset takes no time.
 */
const pools: Pool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.shutdown()));
});

// Whole seconds, as the CLI reports reset times.
const START = Math.floor(Date.now() / 1000) * 1000;
const RESET = START + 5 * 3_600_000;
const RESET_ISO = new Date(RESET).toISOString();
const LIMITED = JSON.stringify({ usageLimit: { resetsAt: RESET_ISO } });

async function accountPool(slots: PoolOptionsInput["slots"], env: Record<string, string> = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), "quota-"));
  const nowFile = path.join(dir, "now");
  const clock = manualClock(START, nowFile);
  const store = new InMemoryStore({ clock: () => clock.date() });
  const made = await simPool({
    slots,
    clock,
    store,
    pollIntervalMs: 50,
    // Cold: each run's argv shows the session it resumed (a warm process keeps it across turns).
    claude: { driver: "cold", env: { CLAUDE_SIM_NOW_FILE: nowFile, ...env } },
  });
  pools.push(made.pool);
  return { ...made, clock };
}

describe("a usage limit is the account's", () => {
  it("parks every queued task and new submission of the account until the reset, then runs them all, the parked ones in their sessions", async () => {
    // Every prompt after the warm-ups is over the limit until the reset (as all of an account's would be).
    const { pool, log, clock } = await accountPool(2);
    const warm = [
      await pool.run("warm up 0", { slot: "slot-0" }),
      await pool.run("warm up 1", { slot: "slot-1" }),
    ];
    const slotSession = new Map(warm.map((r) => [r.slotId, r.sessionId]));
    const waits = new Map<string, string[]>();
    pool.on("task.waiting_for_quota", (e) =>
      waits.set(e.taskId, [...(waits.get(e.taskId) ?? []), e.resetsAt]),
    );

    const ids: string[] = [];
    for (let i = 0; i < 8; i++) ids.push(await pool.submit(`task ${i} <<sim:${LIMITED}>>`));
    await waitFor(async () => (await pool.status()).usageLimit?.parkedTasks === 8);
    await waitFor(async () => (await pool.status()).activeTasks === 0);
    const tried = log().length - 2;
    // The two slots were running one task each when the account hit its limit; the other six never started.
    expect(tried).toBe(2);
    for (const id of ids) {
      const t = await pool.task(id);
      expect(t.status).toBe("waiting_for_quota");
      expect(t.runAfter?.toISOString()).toBe(RESET_ISO);
    }
    expect([...waits.keys()].sort()).toEqual([...ids].sort());
    expect([...waits.values()].every((w) => w.length === 1 && w[0] === RESET_ISO)).toBe(true);
    const late = await pool.submit(`task late <<sim:${LIMITED}>>`);
    expect(await pool.task(late)).toMatchObject({ status: "waiting_for_quota", runAfter: new Date(RESET) });
    expect((await pool.status()).usageLimit).toEqual({ until: RESET_ISO, parkedTasks: 9 });

    clock.advanceTo(RESET);
    const results = await Promise.all([...ids, late].map((id) => pool.result(id, { wait: true })));
    expect(results.every((r) => r?.output.startsWith("sim: task"))).toBe(true);
    // 11 runs in all: nothing was tried during the park (the two parked ones ran twice, the rest once).
    expect(log().length - 2).toBe(2 + 9);
    expect((await pool.status()).usageLimit).toBeNull();
    // Every task ran once after the reset; the two that hit the limit resumed their slot's session.
    for (const id of ids.slice(0, 2)) {
      const t = await pool.task(id);
      expect(t.attempt).toBe(2);
      const runs = log().filter((e) => e.prompt.includes(`task ${ids.indexOf(id)} `));
      expect(runs).toHaveLength(2);
      const sessions = runs.map((e) => e.argv.find((a) => a.startsWith("--resume="))?.slice(9));
      expect(sessions[0]).toBe(sessions[1]);
      expect([...slotSession.values()]).toContain(sessions[0]);
    }
    for (const id of [...ids.slice(2), late]) expect((await pool.task(id)).attempt).toBe(1);
    console.log(
      `usage limit per account: 9 tasks, ${tried} tried before the reset, 0 failed, 9 completed after it`,
    );
  });

  it("a slot on another account keeps working through the held queue", async () => {
    const limited = JSON.stringify({ usageLimit: { resetsAt: RESET_ISO } });
    // The limit belongs to slot-0's account (its env); slot-1 runs with another API key.
    const { pool, log, clock } = await accountPool([
      { env: { CLAUDE_SIM_SCRIPT: limited } },
      { env: { ANTHROPIC_API_KEY: "sk-other-account" } },
    ]);
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push(await pool.submit(`job ${i}`));
    await waitFor(async () => {
      const ts = await Promise.all(ids.map((id) => pool.task(id)));
      return ts.filter((t) => t.status === "completed").length === 5;
    }, 20_000);
    const tasks = await Promise.all(ids.map((id) => pool.task(id)));
    const waiting = tasks.filter((t) => t.status === "waiting_for_quota");
    expect(waiting).toHaveLength(1);
    expect(waiting[0]?.runAfter?.toISOString()).toBe(RESET_ISO);
    expect(tasks.filter((t) => t.status === "completed").every((t) => t.slotId === "slot-1")).toBe(true);
    expect((await pool.status()).usageLimit).toEqual({ until: RESET_ISO, parkedTasks: 1 });
    // slot-0 tried once, when the limit was not known yet.
    expect(log().length).toBe(6);

    clock.advanceTo(RESET);
    const r = await pool.result(waiting[0]?.id ?? "", { wait: true });
    expect(r?.output).toMatch(/^sim: job/);
    expect((await pool.status()).usageLimit).toBeNull();
  });
});
