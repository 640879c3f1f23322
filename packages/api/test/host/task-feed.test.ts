import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { InMemoryStore, Pool } from "@claude-pool/core";
import { afterEach, expect, it } from "vitest";
import { taskEventStream } from "../../src/host/task-events.js";
import { SIM_BIN, sim } from "../domain-helpers.js";

/** The store's own, with its `listTaskEvents` reads counted. */
class CountingStore extends InMemoryStore {
  reads = 0;
  override listTaskEvents(...args: Parameters<InMemoryStore["listTaskEvents"]>) {
    this.reads++;
    return super.listTaskEvents(...args);
  }
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function simPoolOn(store: InMemoryStore): Promise<Pool> {
  const dir = mkdtempSync(path.join(tmpdir(), "task-feed-"));
  const pool = await Pool.create({
    slots: 1,
    store,
    skills: { globalDir: null },
    claude: { bin: SIM_BIN, cwd: dir, env: { CLAUDE_SIM_HOME: path.join(dir, "sim-home") } },
  });
  cleanups.push(
    () => rmSync(dir, { recursive: true, force: true }),
    () => pool.shutdown(),
  );
  return pool;
}

async function follow(pool: Pool, taskId: string, afterSeq = 0): Promise<number[]> {
  const seqs: number[] = [];
  for await (const e of taskEventStream(pool, taskId, afterSeq, undefined)) seqs.push(e.seq);
  return seqs;
}

it("hands a task's lines on this engine to its subscribers in process: the store is read once, at the start, not per line", async () => {
  const store = new CountingStore();
  const pool = await simPoolOn(store);
  const taskId = await pool.submit(`stream ${sim({ toolTurns: 12, delayMs: 40 })}`);
  const [a, b] = await Promise.all([follow(pool, taskId), follow(pool, taskId)]);
  const stored = (await store.listTaskEvents(taskId, 0)).map((e) => e.seq);
  expect(stored.length).toBeGreaterThan(24);
  expect(a).toEqual(stored);
  expect(b).toEqual(stored);
  // Before: one read per stored batch (~30 here). Now the first read, and one after the task ended.
  expect(store.reads - 1).toBeLessThanOrEqual(3);
});

it("a subscriber that resumes mid-stream while the task runs gets exactly the rest, gaps read from the store", async () => {
  const store = new CountingStore();
  const pool = await simPoolOn(store);
  const taskId = await pool.submit(`stream ${sim({ toolTurns: 12, delayMs: 40 })}`);
  const first: number[] = [];
  for await (const e of taskEventStream(pool, taskId, 0, undefined)) {
    first.push(e.seq);
    if (first.length === 5) break;
  }
  const rest = await follow(pool, taskId, 5);
  const stored = (await store.listTaskEvents(taskId, 0)).map((e) => e.seq);
  expect([...first, ...rest]).toEqual(stored);
});
