import { afterAll, beforeAll, expect, it } from "vitest";
import { descendants, eventually, isAlive, removeTempDirs } from "../helpers/engine-process.js";
import { createScratchPostgres, type ScratchPostgres } from "../helpers/postgres.js";
import {
  type FaultEngine,
  loadOn,
  startFaultEngine,
  stopCountingOrphans,
  untilEvents,
} from "./fault-engine.js";
import { checkLoad, printFigures, strayWorktrees } from "./load-checks.js";

/**
 * Fault 1 under load: the engine is SIGKILLed while 20 clients submit and follow tasks, then
 * started again on the same database and data dir. Clients' subscriptions resume with
 * `lastEventId` and must get exactly the events they missed; every task ends once.
 */

const CLIENTS = 20;
const SECONDS = 15;
const SLOTS = 4;

let pg: ScratchPostgres;
let fault: FaultEngine;

beforeAll(async () => {
  pg = await createScratchPostgres("fault_kill");
  fault = await startFaultEngine({ databaseUrl: pg.url, slots: SLOTS, poolConfig: { worktree: true } });
});

afterAll(async () => {
  await fault?.engine.stop("SIGKILL");
  await pg?.drop();
  removeTempDirs();
});

it("SIGKILL mid-load, restart: resumed subscriptions get exactly the missed events, every task ends once", async () => {
  const load = loadOn(fault, { clients: CLIENTS, seconds: SECONDS, toolTurns: 2 });
  // Kill once work is flowing: tasks submitted, events streamed, slots busy.
  await untilEvents(load, 100);
  const before = await descendants(fault.engine.child.pid ?? 0);
  expect(await fault.engine.stop("SIGKILL")).toBe("SIGKILL");
  const submittedAtKill = load.submitted();
  await fault.restart();

  const result = await load.done;
  // The killed engine's CLI processes end with it (their stdin closes): none outlives it.
  await eventually(
    () => before.filter(isAlive),
    (alive) => alive.length === 0,
    20_000,
  );
  const { figures, problems } = await checkLoad({
    databaseUrl: pg.url,
    poolId: fault.poolId,
    load: result,
    pids: before,
  });
  const stray = strayWorktrees(fault.workDir, fault.poolId, SLOTS);
  // After a clean stop, nothing the restarted engine started is left either.
  const { code: stopCode, left: leftAfterStop } = await stopCountingOrphans(fault);
  expect(stopCode).toBe(0);
  printFigures("sigkill", figures, {
    clients: CLIENTS,
    seconds: SECONDS,
    submittedAtKill,
    childrenAtKill: before.length,
    strayWorktrees: stray.length,
    leftAfterStop: leftAfterStop.length,
  });
  expect(problems).toEqual([]);
  expect(stray).toEqual([]);
  expect(leftAfterStop).toEqual([]);
  expect(figures.completed).toBe(figures.submitted + figures.unacknowledged);
  // Some subscriptions were cut by the kill and resumed.
  expect(figures.reconnects).toBeGreaterThan(0);
  expect(figures.statuses["500"] ?? 0).toBe(0);
}, 240_000);
