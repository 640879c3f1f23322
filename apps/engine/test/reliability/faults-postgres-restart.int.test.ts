import { afterAll, beforeAll, expect, it } from "vitest";
import { eventually, removeTempDirs } from "../helpers/engine-process.js";
import {
  type FaultEngine,
  loadOn,
  startFaultEngine,
  stopCountingOrphans,
  untilEvents,
} from "./fault-engine.js";
import { checkLoad, printFigures } from "./load-checks.js";
import { type PrivatePostgres, startPrivatePostgres } from "./private-postgres.js";

/**
 * Fault 2 under load: the engine's Postgres restarts (`pg_ctl restart`, fast mode: every session
 * is terminated) while 20 clients submit and follow tasks. The cluster is this test's own; the
 * machine's Postgres is never touched. The engine must reconnect by itself: no task lost, none
 * settled twice, subscribers get every event.
 */

const CLIENTS = 20;
const SECONDS = 15;

let pg: PrivatePostgres;
let fault: FaultEngine;

beforeAll(async () => {
  pg = await startPrivatePostgres();
  fault = await startFaultEngine({ databaseUrl: pg.url, slots: 4 });
});

afterAll(async () => {
  await fault?.engine.stop("SIGKILL");
  await pg?.destroy();
  removeTempDirs();
});

it("Postgres restarted mid-load: the engine reconnects, no task lost, none settled twice", async () => {
  const load = loadOn(fault, { clients: CLIENTS, seconds: SECONDS, toolTurns: 2, drainMs: 60_000 });
  await untilEvents(load, 100);
  const submittedAtRestart = load.submitted();
  await pg.restart();
  console.log(`[faults-postgres-restart] restarted at ${submittedAtRestart} submitted`);
  const result = await load.done;
  if (fault.engine.child.exitCode !== null || fault.engine.child.signalCode !== null)
    console.log(
      `[faults-postgres-restart] engine exited:\n${fault.engine
        .stderr()
        .replace(/^\{.*\n/gm, "")
        .slice(0, 20000)}`,
    );
  const healthy = await eventually(
    async () => (await fetch(`${fault.url}/healthz`)).status,
    (s) => s === 200,
    30_000,
  );
  const { code: stopCode, left } = await stopCountingOrphans(fault);
  expect(stopCode).toBe(0);
  const { figures, problems } = await checkLoad({ databaseUrl: pg.url, poolId: fault.poolId, load: result });
  printFigures("postgres-restart", figures, {
    clients: CLIENTS,
    seconds: SECONDS,
    submittedAtRestart,
    orphansAfterStop: left.length,
  });
  expect(problems).toEqual([]);
  // Calls during the outage are refused as 503 "try again", never 401 (the token is fine) or 500.
  expect(result.submitRefusals.filter((r) => !r.startsWith("503 "))).toEqual([]);
  expect(healthy).toBe(200);
  expect(left).toEqual([]);
  expect(figures.completed).toBe(figures.submitted + figures.unacknowledged);
  expect(figures.statuses["500"] ?? 0).toBe(0);
}, 240_000);
