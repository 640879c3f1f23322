import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Database } from "@claude-pool/db";
import { TRPCError } from "@trpc/server";
import { createPoolHost, type PoolHostOptions } from "../src/host/index.js";
import type { PoolHost } from "../src/host-port.js";
import { createTestApi, type TestApi, type TestTeam } from "./helpers/harness.js";

/**
 * The domain routers' tests: A1a's harness (real database, real better-auth, createCaller) with a
 * real PoolHost driving claude-sim, and one team with a user of every role.
 */

/** claude-sim's executable (built by the root `pretest`). */
export const SIM_BIN = fileURLToPath(new URL("../../claude-sim/dist/cli.js", import.meta.url));

export interface DomainApi {
  api: TestApi;
  team: TestTeam;
  dir: string;
  /** One entry per task claude-sim ran (cold: its process; warm: its turn): prompt, appended system prompt, argv. */
  simLog(): Array<{ prompt: string; appendSystemPrompt?: string; argv: string[] }>;
  close(): Promise<void>;
}

export function hostOptions(
  database: Database,
  dir: string,
  engineId: string,
  extra: Partial<PoolHostOptions> = {},
): PoolHostOptions {
  return {
    database,
    engineId,
    claude: {
      bin: SIM_BIN,
      env: { CLAUDE_SIM_HOME: path.join(dir, "sim-home"), CLAUDE_SIM_LOG: path.join(dir, "sim.log") },
    },
    dataDir: path.join(dir, engineId),
    leaseMs: 3_000,
    pollIntervalMs: 200,
    reconcileMs: 1_000,
    skills: { globalDir: null },
    ...extra,
  };
}

export async function domainApi(
  database: "pglite" | "postgres",
  extra: Partial<PoolHostOptions> = {},
): Promise<DomainApi> {
  const dir = mkdtempSync(path.join(tmpdir(), "claude-pool-api-"));
  const api = await createTestApi({
    database,
    host: async (db): Promise<PoolHost> => {
      const host = await createPoolHost(hostOptions(db, dir, "engine-a", extra));
      await host.start();
      return host;
    },
  });
  const team = await api.team();
  const logFile = path.join(dir, "sim.log");
  return {
    api,
    team,
    dir,
    simLog: () =>
      existsSync(logFile)
        ? readFileSync(logFile, "utf8")
            .split("\n")
            .filter(Boolean)
            .map((l) => JSON.parse(l))
            // A warm process's start line has no prompt; its turns each have one.
            .filter((e) => e.turn !== undefined || e.prompt !== null)
        : [],
    async close() {
      await api.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Collects a subscription's events until `stop` says so (then ends it, as a client closing would). */
export async function collect<T>(
  iterable: AsyncIterable<T>,
  stop: (events: T[]) => boolean = () => false,
): Promise<T[]> {
  const events: T[] = [];
  for await (const e of iterable) {
    events.push(e);
    if (stop(events)) break;
  }
  return events;
}

export async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 60_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > until)
      throw new Error(`condition not met in ${ms} ms; last value: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A claude-sim directive in a prompt (as `simDirective` of @claude-pool/claude-sim writes it). */
export function sim(script: Record<string, unknown>): string {
  return `<<sim:${JSON.stringify(script)}>>`;
}

/**
 * A subscription event as a client over HTTP sees it (`{ id, data }`). Through createCaller tRPC
 * hands out its `[id, data]` envelopes while typing them as `{ id, data }`: accept both.
 */
export function untracked<T>(events: ReadonlyArray<{ id: string; data: T }>): Array<{ id: string; data: T }> {
  return events.map((e) => {
    if (Array.isArray(e)) {
      const [id, data] = e as unknown as [string, T];
      return { id, data };
    }
    return e;
  });
}

/** Input a well-typed client could not send, as a script or another language could. */
export const malformed = (value: unknown): never => value as never;

export function domainTools(get: () => DomainApi) {
  return {
    today: () => new Date().toISOString().slice(0, 10),
    tomorrow: () => new Date(Date.now() + 86_400_000).toISOString().slice(0, 10),
    async newPool(name: string, config: Record<string, unknown> = {}, slots = 2): Promise<string> {
      const d = get();
      return (await d.team.admin.call.pools.create({ teamId: d.team.id, name, slots, config })).poolId;
    },
    async rejection(p: Promise<unknown>): Promise<TRPCError> {
      const error = await p.then(
        () => null,
        (e: unknown) => e,
      );
      if (!(error instanceof TRPCError)) throw new Error(`expected a TRPCError, got ${String(error)}`);
      return error;
    },
  };
}
