import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { newId, Pool, usdToMicros } from "@claude-pool/core";
import {
  archivePoolRow,
  createPoolRow,
  type Database,
  engineActiveWork,
  findTeamPoolByName,
  getPoolRow,
  listServedPools,
  listTeamSkills,
  PgStore,
  POOL_CHANGES_CHANNEL,
  pingDatabase,
  poolConfigOf,
  recoverOnStart,
  type StoredPool,
  stopEngineSlots,
  TASK_CANCEL_CHANNEL,
  touchEngineSlots,
  updatePoolRow,
} from "@claude-pool/db";
import type { PoolHost } from "../host-port.js";
import { HostStopping, PoolNameExists, PoolNotFound, PoolNotRunning } from "./errors.js";
import { GatedStore } from "./gated-store.js";
import {
  type CreatePoolInput,
  checkPoolConfig,
  createPoolInput,
  type PoolPatch,
  poolPatch,
} from "./inputs.js";
import { liveSlotChanges, needsRestart, type PoolSpec, slotSpecsOf, specOf } from "./pool-spec.js";
import { syncTeamSkills } from "./skills-sync.js";

export interface PoolHostOptions {
  database: Database;
  /** Stable across restarts of this engine, so `recoverOnStart` finds what it was running. */
  engineId: string;
  claude: { bin: string; env?: Record<string, string> };
  /** Pools' working directories go under `<dataDir>/work/<poolId>` (default `.claude-pool/data`). */
  dataDir?: string;
  leaseMs?: number;
  /** How often idle slots look for work besides notifications (pool-core's default 1 s). */
  pollIntervalMs?: number;
  /** How often the pools table is re-read besides its NOTIFY (default 5 s). */
  reconcileMs?: number;
  /** Skills directories; `globalDir: null` loads no `~/.claude-pool/skills` (tests). */
  skills?: { globalDir?: string | null };
  log?: (msg: string, data?: object) => void;
}

interface Served {
  pool: Pool;
  gate: GatedStore;
  /** What the running Pool was created with, plus the live changes applied since. */
  spec: PoolSpec;
  /** A restart waiting for the pool's running work to finish; newer rows wait in `nextRow`. */
  restarting: Promise<void> | null;
  nextRow: StoredPool | null;
  retiring: Promise<void> | null;
}

/**
 * Creates the engine's pool host (not started: call `start()`).
 *
 * Multi-engine: every engine serves every pool of the database, each with its own slots
 * (`slot-0`… keyed by engine), all claiming from the one queue with `FOR UPDATE SKIP LOCKED`.
 * Pools created, changed or deleted by another engine reach this one through a NOTIFY on
 * `POOL_CHANGES_CHANNEL`, and a periodic re-read of the pools table in case one was missed.
 */
export async function createPoolHost(options: PoolHostOptions): Promise<PoolHost> {
  return new EnginePoolHost(options);
}

const execFileAsync = promisify(execFile);

class EnginePoolHost implements PoolHost {
  readonly engineId: string;
  readonly #o: PoolHostOptions;
  readonly #db: Database["db"];
  readonly #served = new Map<string, Served>();
  readonly #startedListeners = new Set<(pool: Pool) => void>();
  /** Pools that failed to start, by id: the reason and the row version that failed. */
  readonly #problems = new Map<string, { reason: string; updatedAt: number }>();
  #store: PgStore | null = null;
  #unlisten: Array<() => Promise<void>> = [];
  #timers: NodeJS.Timeout[] = [];
  #stopping = false;
  /** Pool starts and changes run one at a time, in order. */
  #serial: Promise<unknown> = Promise.resolve();

  constructor(options: PoolHostOptions) {
    this.#o = options;
    this.engineId = options.engineId;
    this.#db = options.database.db;
  }

  get #leaseMs(): number {
    return this.#o.leaseMs ?? 30_000;
  }

  #log(msg: string, data?: object): void {
    this.#o.log?.(msg, data);
  }

  async start(): Promise<void> {
    if (this.#store) return;
    const recovered = await recoverOnStart(this.#db, { engineId: this.engineId });
    for (const dir of recovered.orphanedWorktrees) await rm(dir, { recursive: true, force: true });
    if (recovered.interruptedTasks.length > 0 || recovered.interruptedChains.length > 0) {
      this.#log("recovered work this engine was running when it stopped", {
        tasks: recovered.interruptedTasks.length,
        chains: recovered.interruptedChains.length,
      });
    }
    this.#store = await PgStore.open(this.#o.database);
    this.#unlisten.push(
      await this.#o.database.listen(POOL_CHANGES_CHANNEL, () => void this.#reconcile()),
      await this.#o.database.listen(TASK_CANCEL_CHANNEL, (payload) => this.#cancelRequested(payload)),
    );
    await this.#reconcile();
    const reconcile = setInterval(() => void this.#reconcile(), this.#o.reconcileMs ?? 5_000);
    const heartbeat = setInterval(
      () => void touchEngineSlots(this.#db, this.engineId).catch(() => {}),
      Math.max(100, Math.floor(this.#leaseMs / 3)),
    );
    reconcile.unref();
    heartbeat.unref();
    this.#timers.push(reconcile, heartbeat);
  }

  pool(poolId: string): Pool {
    const served = this.#served.get(poolId);
    if (!served) throw new PoolNotRunning(poolId);
    return served.pool;
  }

  async createPool(input: CreatePoolInput): Promise<{ poolId: string }> {
    if (this.#stopping) throw new HostStopping();
    const i = createPoolInput.parse(input);
    const config = checkPoolConfig(i.config);
    if (await findTeamPoolByName(this.#db, i.teamId, i.name)) throw new PoolNameExists(i.name);
    const row = await createPoolRow(this.#db, {
      id: newId(),
      teamId: i.teamId,
      name: i.name,
      slots: i.slots,
      config,
      budgetCapMicros: capMicrosOf(config),
    });
    try {
      await this.#inOrder(() => this.#applyRow(row, { throwOnFailure: true }));
    } catch (error) {
      // A pool no engine can start must not linger half-created.
      await archivePoolRow(this.#db, row.id);
      this.#problems.delete(row.id);
      throw error;
    }
    return { poolId: row.id };
  }

  async updatePool(poolId: string, patch: PoolPatch): Promise<void> {
    if (this.#stopping) throw new HostStopping();
    const p = poolPatch.parse(patch);
    const current = await getPoolRow(this.#db, poolId);
    if (!current || current.archivedAt !== null) throw new PoolNotFound(poolId);
    if (p.name !== undefined && p.name !== current.name && current.teamId !== null) {
      if (await findTeamPoolByName(this.#db, current.teamId, p.name)) throw new PoolNameExists(p.name);
    }
    const merged: Record<string, unknown> = { ...poolConfigOf(current), ...(p.config ?? {}) };
    if (p.budgetUsd === null) delete merged.budgetUsd;
    else if (p.budgetUsd !== undefined) merged.budgetUsd = p.budgetUsd;
    const config = checkPoolConfig(merged, current.slotSpecs);
    const row = await updatePoolRow(this.#db, poolId, {
      ...(p.name === undefined ? {} : { name: p.name }),
      ...(p.slots === undefined ? {} : { slots: p.slots }),
      config,
      budgetCapMicros: capMicrosOf(config),
    });
    if (!row) throw new PoolNotFound(poolId);
    await this.#inOrder(() => this.#applyRow(row));
  }

  async deletePool(poolId: string): Promise<void> {
    if (this.#stopping) throw new HostStopping();
    const row = await getPoolRow(this.#db, poolId);
    if (!row || row.archivedAt !== null) throw new PoolNotFound(poolId);
    // Archive first: every other engine hears of it and drains its own slots at once.
    await archivePoolRow(this.#db, poolId);
    await this.#retire(poolId);
  }

  async stop(opts: { graceMs?: number } = {}): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    for (const t of this.#timers) clearInterval(t);
    this.#timers = [];
    for (const unlisten of this.#unlisten.splice(0)) await unlisten().catch(() => {});
    await this.#serial.catch(() => {});
    for (const s of this.#served.values()) s.gate.pauseClaims();
    const deadline = Date.now() + (opts.graceMs ?? 30_000);
    while (Date.now() < deadline && (await engineActiveWork(this.#db, this.engineId)) > 0) {
      await sleep(Math.min(100, Math.max(1, deadline - Date.now())));
    }
    // What still runs is left to be taken over: frozen pools cannot end it, recovery frees its lease.
    for (const s of this.#served.values()) s.gate.freeze();
    await Promise.all([...this.#served.values()].map((s) => s.pool.shutdown().catch(() => {})));
    this.#served.clear();
    await recoverOnStart(this.#db, { engineId: this.engineId });
    await this.#store?.close();
    this.#store = null;
  }

  async health(): Promise<{ ok: boolean; database: boolean; pools: number; problems: string[] }> {
    let database = true;
    const problems: string[] = [];
    try {
      await pingDatabase(this.#db);
    } catch (error) {
      database = false;
      problems.push(`database: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (this.#store === null)
      problems.push(this.#stopping ? "the engine is stopping" : "the host is not started");
    for (const [poolId, p] of this.#problems) problems.push(`pool ${poolId}: ${p.reason}`);
    return { ok: problems.length === 0, database, pools: this.#served.size, problems };
  }

  /** Another engine's API call asks to cancel a task: only the engine running it can kill it. */
  #cancelRequested(payload: string): void {
    const [poolId, taskId] = payload.split(" ");
    const served = poolId ? this.#served.get(poolId) : undefined;
    if (!served || !taskId) return;
    if (taskId.startsWith("chain:"))
      void served.pool.cancelChain(taskId.slice("chain:".length)).catch(() => false);
    else void served.pool.cancel(taskId).catch(() => false);
  }

  /** After a drain (pools.drain) the pool takes work again: a new Pool from the row, unless it was deleted. */
  #afterDrain(poolId: string, drained: Pool): void {
    void this.#inOrder(async () => {
      const served = this.#served.get(poolId);
      if (!served || served.pool !== drained || served.retiring || this.#stopping) return;
      await this.#replace(poolId, await getPoolRow(this.#db, poolId));
    });
  }

  #inOrder<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#serial.then(fn, fn);
    this.#serial = run.catch(() => {});
    return run;
  }

  /** Brings this engine in line with the pools table: starts new pools, applies changes, retires deleted ones. */
  #reconcile(): Promise<void> {
    return this.#inOrder(async () => {
      if (this.#stopping || !this.#store) return;
      let rows: StoredPool[];
      try {
        rows = await listServedPools(this.#db);
      } catch (error) {
        this.#log("reading the pools table failed", { error: String(error) });
        return;
      }
      const live = new Set(rows.map((r) => r.id));
      for (const row of rows) await this.#applyRow(row).catch(() => {});
      for (const poolId of this.#served.keys()) if (!live.has(poolId)) void this.#retire(poolId);
    });
  }

  async #applyRow(row: StoredPool, opts: { throwOnFailure?: boolean } = {}): Promise<void> {
    if (this.#stopping || row.archivedAt !== null || row.teamId === null) return;
    const served = this.#served.get(row.id);
    if (!served) {
      const failed = this.#problems.get(row.id);
      // A row that failed to start is retried when it changes, not on every re-read.
      if (failed && failed.updatedAt === row.updatedAt.getTime() && !opts.throwOnFailure) return;
      try {
        this.#served.set(row.id, await this.#startPool(row));
        this.#problems.delete(row.id);
        this.#announceStarted(row.id);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        this.#problems.set(row.id, { reason, updatedAt: row.updatedAt.getTime() });
        this.#log("a pool failed to start", { poolId: row.id, reason });
        if (opts.throwOnFailure) throw error;
      }
      return;
    }
    if (served.retiring) return;
    if (served.restarting) {
      served.nextRow = row;
      return;
    }
    const next = specOf(row);
    if (needsRestart(served.spec, next)) {
      served.nextRow = row;
      served.restarting = this.#restartWhenIdle(row.id, served);
      return;
    }
    for (const change of liveSlotChanges(served.spec, next)) {
      await served.pool.configureSlot(change.slotId, change.spec);
    }
    served.spec = next;
  }

  /**
   * Calls `listener` with every Pool this engine starts (a new pool, or one restarted after a
   * change) as soon as it runs, so observers (metrics, webhooks) see the work submitted to it.
   * Returns an unsubscribe function.
   */
  onPoolStarted(listener: (pool: Pool) => void): () => void {
    this.#startedListeners.add(listener);
    return () => this.#startedListeners.delete(listener);
  }

  #announceStarted(poolId: string): void {
    const served = this.#served.get(poolId);
    if (!served) return;
    for (const listener of this.#startedListeners) listener(served.pool);
  }

  async #startPool(row: StoredPool): Promise<Served> {
    const store = this.#store;
    if (!store) throw new HostStopping();
    const spec = specOf(row);
    const cwd = await this.#workDir(row.id, spec.config.worktree);
    const gate = new GatedStore(store);
    const pool = await Pool.create({
      poolId: row.id,
      engineId: this.engineId,
      name: spec.name,
      slots: slotSpecsOf(spec),
      config: spec.config,
      store: gate,
      claude: { bin: this.#o.claude.bin, cwd, ...(this.#o.claude.env ? { env: this.#o.claude.env } : {}) },
      leaseMs: this.#leaseMs,
      // A team's options may not point the pool's worktrees or extra dirs outside its directory.
      confinePaths: true,
      ...(this.#o.pollIntervalMs === undefined ? {} : { pollIntervalMs: this.#o.pollIntervalMs }),
      skills: this.#o.skills?.globalDir === undefined ? {} : { globalDir: this.#o.skills.globalDir },
    });
    pool.on("pool.drained", () => this.#afterDrain(row.id, pool));
    if (row.teamId !== null) syncTeamSkills(pool, await listTeamSkills(this.#db, row.teamId), this.#o.log);
    this.#log("pool started", { poolId: row.id, name: spec.name, slots: spec.slots });
    return { pool, gate, spec, restarting: null, nextRow: null, retiring: null };
  }

  /** A fixed setting changed: take no new work, let the running work finish, then recreate the Pool. */
  async #restartWhenIdle(poolId: string, served: Served): Promise<void> {
    served.gate.pauseClaims();
    while (
      !this.#stopping &&
      !served.retiring &&
      (await engineActiveWork(this.#db, this.engineId, poolId)) > 0
    ) {
      await sleep(100);
    }
    if (this.#stopping || served.retiring) return;
    await this.#inOrder(async () => {
      const row = (await getPoolRow(this.#db, poolId)) ?? served.nextRow;
      served.gate.freeze();
      await served.pool.shutdown();
      await this.#replace(poolId, row);
    });
  }

  /**
   * Puts a new Pool from the row in place of a closed one. Until it is created, `pool(poolId)`
   * still answers with the old one (which refuses new work), never with "not running".
   */
  async #replace(poolId: string, row: StoredPool | null | undefined): Promise<void> {
    if (!row || row.archivedAt !== null || this.#stopping) {
      this.#served.delete(poolId);
      return;
    }
    try {
      this.#served.set(poolId, await this.#startPool(row));
      this.#problems.delete(poolId);
      this.#announceStarted(poolId);
    } catch (error) {
      this.#served.delete(poolId);
      const reason = error instanceof Error ? error.message : String(error);
      this.#problems.set(poolId, { reason, updatedAt: row.updatedAt.getTime() });
      this.#log("a pool failed to restart", { poolId, reason });
    }
  }

  /** Deleted (here or by another engine): drain this engine's part of the pool and stop serving it. */
  #retire(poolId: string): Promise<void> {
    const served = this.#served.get(poolId);
    if (!served) return Promise.resolve();
    served.retiring ??= (async () => {
      try {
        await served.pool.drain();
      } finally {
        this.#served.delete(poolId);
        await stopEngineSlots(this.#db, this.engineId, poolId).catch(() => {});
        this.#log("pool deleted", { poolId });
      }
    })();
    return served.retiring;
  }

  async #workDir(poolId: string, worktree: unknown): Promise<string> {
    const dir = path.resolve(this.#o.dataDir ?? ".claude-pool/data", "work", poolId);
    await mkdir(dir, { recursive: true });
    if (worktree && !existsSync(path.join(dir, ".git"))) {
      // Slot worktrees need a repository: the pool's own directory becomes one, with one commit.
      const git = (...args: string[]) => execFileAsync("git", args, { cwd: dir });
      await git("init", "-q", "-b", "main");
      await git(
        "-c",
        "user.email=pool@claude-pool",
        "-c",
        "user.name=claude-pool",
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        "init",
      );
    }
    return dir;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function capMicrosOf(config: Record<string, unknown>): number | null {
  return typeof config.budgetUsd === "number" ? usdToMicros(config.budgetUsd) : null;
}
