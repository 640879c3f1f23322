import { createPoolClient, type PoolClient } from "@claude-pool/api";
import { simBinPath } from "@claude-pool/claude-sim";
import { cleanEnv, type EngineProcess, runCli, startEngine, tempDir } from "./engine-process.js";

export const OWNER = { email: "owner@example.com", password: "owner-password-123", team: "Acme" };

export interface OwnedEngine {
  engine: EngineProcess;
  token: string;
  teamId: string;
  client: PoolClient;
  /** A pool created through the API, served by claude-sim slots. */
  poolId: string;
  poolName: string;
}

/** What `claude-pool admin create --json` prints. */
export interface CreatedOwner {
  token: string;
  teamId: string;
  tokenId: string;
  userId: string;
}

/**
 * The first owner, their team and an owner token, made by the built `claude-pool admin create
 * --json` on the database `where` names (`["--data-dir", dir]` or `["--database-url", url]`).
 */
export async function createOwner(
  where: string[],
  opts: { who?: typeof OWNER; env?: Record<string, string> } = {},
): Promise<CreatedOwner> {
  const who = opts.who ?? OWNER;
  const created = await runCli(
    [
      "admin",
      "create",
      "--email",
      who.email,
      "--password",
      who.password,
      "--team",
      who.team,
      "--json",
      ...where,
    ],
    cleanEnv(opts.env),
  );
  if (created.code !== 0) throw new Error(`admin create failed (${created.code}): ${created.stderr}`);
  return JSON.parse(created.stdout) as CreatedOwner;
}

/**
 * A built engine (`claude-pool serve`) on a fresh data dir, with its first owner made by
 * `claude-pool admin create --json`, the owner token, and one pool of claude-sim slots.
 */
export async function startOwnedEngine(
  opts: {
    env?: Record<string, string>;
    /** More `serve` flags. */
    args?: string[];
    slots?: number;
    poolConfig?: Record<string, unknown>;
    dataDir?: string;
  } = {},
): Promise<OwnedEngine> {
  const dataDir = opts.dataDir ?? tempDir("owned");
  const owner = await createOwner(["--data-dir", dataDir]);
  const simHome = tempDir("sim-home");
  const engine = await startEngine({
    dataDir,
    args: ["--claude-bin", simBinPath, ...(opts.args ?? [])],
    env: { CLAUDE_SIM_HOME: simHome, ...opts.env },
  });
  const client = createPoolClient({ url: engine.url, token: owner.token });
  const poolName = "main";
  const { poolId } = await client.pools.create.mutate({
    teamId: owner.teamId,
    name: poolName,
    slots: opts.slots ?? 2,
    config: opts.poolConfig ?? {},
  });
  return { engine, token: owner.token, teamId: owner.teamId, client, poolId, poolName };
}
