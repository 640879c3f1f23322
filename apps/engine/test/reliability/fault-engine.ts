import { createServer } from "node:net";
import { join } from "node:path";
import { createPoolClient, type PoolClient } from "@claude-pool/api";
import { simBinPath, simDirective } from "@claude-pool/claude-sim";
import {
  descendants,
  type EngineProcess,
  eventually,
  isAlive,
  startEngine,
  tempDir,
} from "../helpers/engine-process.js";
import { createOwner } from "../helpers/owned-engine.js";
import { type RunningLoad, startLoad } from "./load-generator.js";

/**
 * A built engine for a fault scenario: its first owner, one pool of claude-sim slots, a fixed
 * port (so clients' SSE reconnects reach a restarted engine at the same address) and a data dir
 * that outlives the process, so `restart()` brings up the same engine on the same database.
 */
export interface FaultEngine {
  engine: EngineProcess;
  url: string;
  token: string;
  teamId: string;
  poolId: string;
  client: PoolClient;
  dataDir: string;
  /** The pool's work dir (its git repository when the pool uses worktrees). */
  workDir: string;
  /** Starts the engine again with the same flags (after it was killed). */
  restart(): Promise<EngineProcess>;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (typeof address !== "object" || !address) throw new Error("no port");
  return address.port;
}

export async function startFaultEngine(opts: {
  /** Postgres; unset: the engine's embedded PGlite in its data dir (the default deployment). */
  databaseUrl?: string;
  slots: number;
  poolConfig?: Record<string, unknown>;
  claudeBin?: string;
  env?: Record<string, string>;
  args?: string[];
  /** Where the engine keeps its files and pools' work dirs (default a fresh temp dir). */
  dataDir?: string;
}): Promise<FaultEngine> {
  const dataDir = opts.dataDir ?? tempDir("fault-data");
  const where = opts.databaseUrl ? ["--database-url", opts.databaseUrl] : ["--data-dir", dataDir];
  const { token, teamId } = await createOwner(where);
  const port = await freePort();
  const env = { CLAUDE_SIM_HOME: tempDir("fault-sim"), ...opts.env };
  const args = [
    ...(opts.databaseUrl ? ["--database-url", opts.databaseUrl] : []),
    "--port",
    String(port),
    "--claude-bin",
    opts.claudeBin ?? simBinPath,
    "--lease-ms",
    "2000",
    ...(opts.args ?? []),
  ];
  const start = () => startEngine({ dataDir, env, args });
  const engine = await start();
  const client = createPoolClient({ url: engine.url, token });
  const { poolId } = await client.pools.create.mutate({
    teamId,
    name: "load",
    slots: opts.slots,
    config: opts.poolConfig ?? {},
  });
  const fault: FaultEngine = {
    engine,
    url: engine.url,
    token,
    teamId,
    poolId,
    client,
    dataDir,
    workDir: join(dataDir, "work", poolId),
    async restart() {
      fault.engine = await start();
      return fault.engine;
    },
  };
  return fault;
}

/**
 * The scenarios' load on a fault engine: `clients` submitting for `seconds` (at most 40 tasks each)
 * claude-sim tasks of `toolTurns` tool turns, 100 ms apart, $0.001 each, and following them.
 */
export function loadOn(
  fault: FaultEngine,
  o: { clients: number; seconds: number; toolTurns: number; drainMs?: number },
): RunningLoad {
  const directive = simDirective({ toolTurns: o.toolTurns, delayMs: 100, cost: 0.001 });
  return startLoad({
    url: fault.url,
    token: fault.token,
    poolId: fault.poolId,
    clients: o.clients,
    durationMs: o.seconds * 1000,
    maxTasksPerClient: 40,
    ...(o.drainMs === undefined ? {} : { drainMs: o.drainMs }),
    prompt: (c, i) => `load c${c} t${i} ${directive}`,
  });
}

/** Waits until the load's clients have received `n` events in all (work is flowing). */
export function untilEvents(load: RunningLoad, n: number): Promise<number> {
  return eventually(
    () => load.events(),
    (got) => got >= n,
    60_000,
  );
}

/**
 * Stops the engine cleanly (SIGTERM) and returns its exit code and the processes of its tree
 * still alive 20 s later: the orphans a scenario must not leave (counted by pid).
 */
export async function stopCountingOrphans(
  fault: FaultEngine,
): Promise<{ code: Awaited<ReturnType<EngineProcess["stop"]>>; left: number[] }> {
  const children = await descendants(fault.engine.child.pid ?? 0);
  const code = await fault.engine.stop();
  const left = await eventually(
    () => children.filter(isAlive),
    (alive) => alive.length === 0,
    20_000,
  );
  return { code, left };
}
