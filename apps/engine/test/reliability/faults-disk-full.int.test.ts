import { simDirective } from "@claude-pool/claude-sim";
import postgres from "postgres";
import { afterAll, beforeAll, expect, it } from "vitest";
import { eventually, isAlive, removeTempDirs } from "../helpers/engine-process.js";
import { createScratchPostgres, type ScratchPostgres } from "../helpers/postgres.js";
import { type FaultEngine, startFaultEngine, stopCountingOrphans } from "./fault-engine.js";
import { checkLoad, printFigures, strayWorktrees } from "./load-checks.js";
import { mountSmallDisk, type SmallDisk } from "./tmpfs.js";

/**
 * Fault 4: the disk holding the worktree base dir fills up. The engine's data dir (and so each
 * pool's work dir, its repository and the slots' worktrees) is on a 16 MB tmpfs; once the pool
 * runs, a filler file takes every free byte. Tasks that write files fail with a reason naming the
 * full disk and the worktree, the engine keeps serving, no process outlives its task, git lists
 * only the slots' worktrees and branches, and spend per task = pool = rollup. With room again,
 * the same pool completes work.
 */

const SLOTS = 2;
const FAILING = 4;

let pg: ScratchPostgres;
let disk: SmallDisk;
let fault: FaultEngine;

beforeAll(async () => {
  pg = await createScratchPostgres("fault_disk");
  disk = mountSmallDisk(16);
  fault = await startFaultEngine({
    databaseUrl: pg.url,
    slots: SLOTS,
    dataDir: disk.dir,
    poolConfig: { worktree: true, permissionMode: "acceptEdits" },
  });
});

afterAll(async () => {
  await fault?.engine.stop("SIGKILL");
  await pg?.drop();
  disk?.unmount();
  removeTempDirs();
});

const writing = (name: string) =>
  `write ${name} ${simDirective({ writeFiles: { [name]: "x".repeat(20_000) }, cost: 0.001 })}`;

async function ended(taskId: string) {
  return eventually(
    () => fault.client.tasks.get.query({ taskId }),
    (t) => ["completed", "failed", "timed_out", "cancelled"].includes(t.status),
    60_000,
  );
}

it("disk full in the worktree base dir: tasks fail naming the disk, the pool keeps running, nothing left behind", async () => {
  const { client, poolId } = fault;
  const first = await client.tasks.submit.mutate({ poolId, prompt: writing("before.txt") });
  expect((await ended(first.taskId)).status).toBe("completed");

  disk.fill();
  const freeWhenFull = disk.freeBytes();
  const failing = await Promise.all(
    Array.from({ length: FAILING }, (_, i) =>
      client.tasks.submit.mutate({ poolId, prompt: writing(`full-${i}.txt`) }),
    ),
  );
  const failed = await Promise.all(failing.map((t) => ended(t.taskId)));
  const health = await fetch(`${fault.url}/healthz`);
  const processes = await processPids(failing.map((t) => t.taskId));
  const orphans = await eventually(
    () => processes.filter(isAlive),
    (alive) => alive.length === 0,
    20_000,
  );
  const strayWhileFull = strayWorktrees(fault.workDir, poolId, SLOTS);

  disk.free();
  const after = await client.tasks.submit.mutate({ poolId, prompt: writing("after.txt") });
  const afterTask = await ended(after.taskId);

  const { code: stopCode, left } = await stopCountingOrphans(fault);
  expect(stopCode).toBe(0);
  const stray = strayWorktrees(fault.workDir, poolId, SLOTS);
  const { figures, problems } = await checkLoad({
    databaseUrl: pg.url,
    poolId,
    load: { traces: [], submitErrors: [], submitRefusals: [], statuses: {}, networkErrors: 0 },
    failureOk: (e) => /the disk holding .* is full/.test(e.message ?? ""),
  });
  printFigures("disk-full", figures, {
    freeBytesWhenFull: freeWhenFull,
    reason: failed[0]?.error?.message,
    healthWhileFull: health.status,
    orphans: orphans.length,
    orphansAfterStop: left.length,
    strayWorktrees: stray.length + strayWhileFull.length,
    completedAfterFree: afterTask.status === "completed",
  });
  for (const t of failed) {
    expect(t.status).toBe("failed");
    expect(t.error?.message).toMatch(
      new RegExp(
        `^the disk holding ${escapeRegExp(fault.workDir)}/\\.claude-pool/worktrees/${poolId}/slot-\\d+ is full \\(\\d+ bytes free\\): `,
      ),
    );
  }
  expect(health.status).toBe(200);
  expect(processes.length).toBeGreaterThanOrEqual(FAILING);
  expect(orphans).toEqual([]);
  expect(strayWhileFull).toEqual([]);
  expect(afterTask.status).toBe("completed");
  expect(left).toEqual([]);
  expect(stray).toEqual([]);
  expect(problems).toEqual([]);
  expect(figures).toMatchObject({
    completed: 2,
    failed: FAILING,
    lost: 0,
    doubled: 0,
    spendMismatchMicros: 0,
  });
}, 240_000);

/** The pids of the `claude` processes the tasks ran (their `process` events). */
async function processPids(taskIds: string[]): Promise<number[]> {
  const sql = postgres(pg.url, { max: 1, onnotice: () => {} });
  try {
    const rows = await sql<{ pid: number }[]>`
      select (payload->>'pid')::int as pid from task_events where kind = 'process' and task_id = any(${taskIds})`;
    return rows.map((r) => r.pid);
  } finally {
    await sql.end();
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
