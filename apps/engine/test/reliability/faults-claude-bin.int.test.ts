import { chmodSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { simBinPath } from "@claude-pool/claude-sim";
import { afterAll, beforeAll, expect, it } from "vitest";
import { eventually, removeTempDirs, tempDir } from "../helpers/engine-process.js";
import { createScratchPostgres, type ScratchPostgres } from "../helpers/postgres.js";
import {
  type FaultEngine,
  loadOn,
  startFaultEngine,
  stopCountingOrphans,
  untilEvents,
} from "./fault-engine.js";
import { checkLoad, printFigures } from "./load-checks.js";

/**
 * Fault 3 under load: the `claude` executable the engine was started with disappears while 20
 * clients submit and follow tasks, then comes back. Tasks that needed it fail with a reason that
 * names it, the engine stays up and `/healthz` says what is wrong; once it is back, tasks complete
 * again and `/healthz` is green.
 */

const CLIENTS = 20;
const SECONDS = 20;

let pg: ScratchPostgres;
let fault: FaultEngine;
let bin: string;

beforeAll(async () => {
  pg = await createScratchPostgres("fault_bin");
  // The engine runs `<dir>/claude`, a wrapper around claude-sim the test can take away.
  bin = join(tempDir("fault-bin"), "claude");
  writeFileSync(bin, `#!/bin/sh\nexec "${process.execPath}" "${simBinPath}" "$@"\n`);
  chmodSync(bin, 0o755);
  // Fresh sessions: each task ends its slot's warm process and the next one is spawned, so the
  // binary's absence is met by every task, not only by the few that would respawn a process.
  fault = await startFaultEngine({
    databaseUrl: pg.url,
    slots: 4,
    claudeBin: bin,
    poolConfig: { sessionMode: "fresh" },
  });
});

afterAll(async () => {
  await fault?.engine.stop("SIGKILL");
  await pg?.drop();
  removeTempDirs();
});

async function health(): Promise<{ status: number; body: { ok: boolean; problems?: string[] } }> {
  const res = await fetch(`${fault.url}/healthz`);
  return { status: res.status, body: (await res.json()) as { ok: boolean; problems?: string[] } };
}

it("claude removed mid-load: precise failures, engine up, /healthz names it; recovers when it is back", async () => {
  expect((await health()).status).toBe(200);
  const load = loadOn(fault, { clients: CLIENTS, seconds: SECONDS, toolTurns: 1 });
  await untilEvents(load, 60);
  renameSync(bin, `${bin}.away`);
  const failing = await eventually(
    async () =>
      (await fault.client.tasks.list.query({ poolId: fault.poolId, status: "failed", limit: 200 })).items,
    (items) => items.length >= 3,
    60_000,
  );
  const sick = await health();
  renameSync(`${bin}.away`, bin);
  // Then it loses its x bit (spawn fails with EACCES rather than ENOENT).
  const eventsNow = load.events();
  await untilEvents(load, eventsNow + 60);
  chmodSync(bin, 0o644);
  const failedNow = (
    await fault.client.tasks.list.query({ poolId: fault.poolId, status: "failed", limit: 200 })
  ).items.length;
  const failingAgain = await eventually(
    async () =>
      (await fault.client.tasks.list.query({ poolId: fault.poolId, status: "failed", limit: 200 })).items,
    (items) => items.length >= failedNow + 3,
    60_000,
  );
  const sickAgain = await health();
  chmodSync(bin, 0o755);
  const completedBefore = (
    await fault.client.tasks.list.query({ poolId: fault.poolId, status: "completed", limit: 200 })
  ).items.length;
  const result = await load.done;
  const healed = await eventually(health, (h) => h.status === 200, 30_000);
  const { code: stopCode, left } = await stopCountingOrphans(fault);
  expect(stopCode).toBe(0);

  const { figures, problems } = await checkLoad({
    databaseUrl: pg.url,
    poolId: fault.poolId,
    load: result,
    failureOk: (e) => (e.message ?? "").includes(bin),
  });
  const completedAfter = figures.completed - completedBefore;
  printFigures("claude-bin", figures, {
    clients: CLIENTS,
    seconds: SECONDS,
    healthWhileMissing: { status: sick.status, problems: sick.body.problems },
    healthWhileNotExecutable: { status: sickAgain.status, problems: sickAgain.body.problems },
    failedWhileNotExecutable: failingAgain.length - failedNow,
    completedAfterRestore: completedAfter,
    orphansAfterStop: left.length,
  });
  expect(problems).toEqual([]);
  expect(failing[0]?.error?.message).toContain(bin);
  expect(sick.status).toBe(503);
  expect(sick.body.problems?.join(" ")).toContain(bin);
  expect(sickAgain.status).toBe(503);
  expect(sickAgain.body.problems?.join(" ")).toContain(`${bin} is not executable`);
  expect(healed.status).toBe(200);
  expect(completedAfter).toBeGreaterThan(0);
  expect(figures.failed).toBeGreaterThan(0);
  expect(left).toEqual([]);
  expect(figures.statuses["500"] ?? 0).toBe(0);
}, 240_000);
