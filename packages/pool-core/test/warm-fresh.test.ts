import { readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Pool } from "../src/index.js";
import { isAlive, type SimLogEntry, simPool, waitFor } from "./helpers.js";

const pools: Pool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.shutdown()));
});

/** Every line claude-sim logged, a warm process's start line (no turn yet) included. */
function rawLog(dir: string): SimLogEntry[] {
  return readFileSync(path.join(dir, "sim.log"), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as SimLogEntry);
}

const sessionFlag = (e: SimLogEntry) => e.argv.find((a) => a.startsWith("--session-id="))?.slice(13);

describe("fresh session mode on the warm driver", () => {
  it("starts the slot's next process while it is idle, in a new session, and the next task takes it without a spawn", async () => {
    const { pool, dir } = await simPool({ slots: 1, config: { sessionMode: "fresh" } });
    pools.push(pool);
    const first = await pool.run("first");
    const firstPid = rawLog(dir).find((e) => e.turn !== undefined)?.pid;

    // The pre-spawned process: started with its own --session-id, no turn yet, the old one ended.
    await waitFor(() => rawLog(dir).some((e) => e.turn === undefined && sessionFlag(e) !== undefined));
    const spare = rawLog(dir).find((e) => e.turn === undefined && sessionFlag(e) !== undefined);
    if (!spare || firstPid === undefined) throw new Error("no pre-spawned process logged");
    await waitFor(() => !isAlive(firstPid));
    expect(isAlive(spare.pid)).toBe(true);

    const second = await pool.run("second");
    expect(second.sessionId).toBe(sessionFlag(spare));
    expect(second.sessionId).not.toBe(first.sessionId);
    expect(second.output).toContain("second");
    const proc = (await pool.taskEvents(second.taskId)).find((e) => e.kind === "process");
    expect(proc?.payload).toMatchObject({ pid: spare.pid, spawned: false });
    // The second request carried nothing of the first conversation.
    expect(rawLog(dir).find((e) => e.prompt === "second")?.resumedFrom ?? null).toBeNull();

    await pool.drain();
    for (const e of rawLog(dir)) expect(isAlive(e.pid)).toBe(false);
  });

  it("leaves resume mode's process in place: the slot's next task is a turn on the same process", async () => {
    const { pool, dir } = await simPool({ slots: 1 });
    pools.push(pool);
    const first = await pool.run("first");
    const second = await pool.run("second");
    expect(second.sessionId).toBe(first.sessionId);
    const turns = rawLog(dir).filter((e) => e.turn !== undefined);
    expect(turns.map((e) => e.pid)).toEqual([turns[0]?.pid, turns[0]?.pid]);
    expect(rawLog(dir).filter((e) => e.turn === undefined)).toHaveLength(1);
  });
});
