import {
  type BudgetState,
  type ChainRecord,
  type ClaimedTask,
  type ClaimRequest,
  type CredentialPark,
  type CredentialParkRequest,
  type CredentialParkResult,
  type FinishRequest,
  type Micros,
  type NewTask,
  type NewTaskDiff,
  type NewTaskEvent,
  type ParkRequest,
  type PoolRecord,
  type Reservation,
  type ReservationRequest,
  type RunningTaskPatch,
  type SlotRecord,
  type Store,
  StoreListeners,
  type StoreNotification,
  type TaskDiff,
  type TaskErrorInfo,
  type TaskEvent,
  type TaskQuery,
  type TaskRecord,
  TERMINAL_STATUSES,
} from "@claude-pool/core";
import { and, asc, desc, eq, getTableColumns, inArray, notInArray, type SQL, sql } from "drizzle-orm";
import type { Database } from "../client.js";
import type { Db } from "../executor.js";
import { contextEntries, pools, slots, tasks } from "../schema/index.js";
import { readBudget, reserveBudget, setTeamBudgetCap } from "./budget.js";
import { claimChain, claimOrphanedChains, renewChainLeases } from "./chain-leases.js";
import { getChain, listChains, saveChain } from "./chains.js";
import { claimNextTask } from "./claim.js";
import { listCredentialParks, parkCredential, parkedColumn } from "./credential-parks.js";
import { appendTaskEvents, listSessionResults, listTaskEvents } from "./events.js";
import { STORE_CHANNEL } from "./notify.js";
import { retryOnConflict, retryThroughOutage } from "./retry.js";
import { toSlotRecord, toTaskRecord } from "./rows.js";
import { settleTask } from "./settle.js";
import { getTaskDiff, saveTaskDiff } from "./task-diffs.js";

export { STORE_CHANNEL } from "./notify.js";

export interface PgStoreOptions {
  /** A clock for tests; by default every time comes from the database's `now()`. */
  clock?: () => Date;
  /** Close the database when the store closes (default false: the opener closes it). */
  closeDatabase?: boolean;
}

interface WireNote {
  p: string;
  n: StoreNotification;
}

/**
 * pool-core's Store on Postgres or PGlite. Every write that changes what a subscriber sees queues a
 * NOTIFY in the same transaction, so a notification is only ever delivered after the change is
 * committed, and reaches subscribers in every process on the database.
 */
export class PgStore implements Store {
  readonly database: Database;
  #db: Db;
  #clock: (() => Date) | undefined;
  #closeDatabase: boolean;
  #listeners = new StoreListeners();
  #unlisten: (() => Promise<void>) | undefined;

  private constructor(database: Database, options: PgStoreOptions) {
    this.database = database;
    this.#db = database.db;
    this.#clock = options.clock;
    this.#closeDatabase = options.closeDatabase ?? false;
  }

  /** Opens a store and waits until its LISTEN is active, so no notification after this is missed. */
  static async open(database: Database, options: PgStoreOptions = {}): Promise<PgStore> {
    const store = new PgStore(database, options);
    store.#unlisten = await database.listen(STORE_CHANNEL, (payload) => store.#deliver(payload));
    return store;
  }

  /** The current time as SQL: the database's clock, or the test clock. */
  #now(): SQL {
    return this.#clock ? sql`${this.#clock().toISOString()}::timestamptz` : sql`now()`;
  }

  async ensurePool(pool: PoolRecord): Promise<void> {
    const values = {
      id: pool.id,
      name: pool.name,
      config: pool.config,
      budgetCapMicros: pool.budgetCapMicros,
      teamId: pool.teamId ?? null,
    };
    await this.#db
      .insert(pools)
      .values(values)
      .onConflictDoUpdate({
        target: pools.id,
        set: {
          name: values.name,
          config: values.config,
          budgetCapMicros: values.budgetCapMicros,
          // An engine that does not know the pool's team must not detach it from the team.
          ...(pool.teamId === undefined ? {} : { teamId: values.teamId }),
          updatedAt: this.#now(),
        },
      });
  }

  async getPool(poolId: string): Promise<PoolRecord | undefined> {
    const [row] = await this.#db.select().from(pools).where(eq(pools.id, poolId));
    if (!row) return undefined;
    return {
      id: row.id,
      name: row.name,
      config: row.config,
      budgetCapMicros: row.budgetCapMicros,
      teamId: row.teamId,
    };
  }

  /**
   * ONE statement (it was a transaction of five round trips): the row is inserted already held
   * when an account of its pool is parked (`parkedColumn`), and the NOTIFY rides in RETURNING, so
   * it is still only delivered once the insert is committed.
   */
  async insertTask(task: NewTask): Promise<TaskRecord> {
    const now = this.#now();
    const [row] = await this.#db
      .insert(tasks)
      .values({
        id: task.id,
        poolId: task.poolId,
        prompt: task.prompt,
        priority: task.priority,
        targetSlotId: task.targetSlotId,
        targetRole: task.targetRole,
        config: task.config,
        sessionMode: task.sessionMode,
        explicitSession: task.explicitSession,
        cwd: task.cwd,
        tags: [...task.tags],
        maxBudgetMicros: task.maxBudgetMicros,
        timeoutMs: task.timeoutMs,
        chainId: task.chainId,
        chainStep: task.chainStep,
        parentTaskId: task.parentTaskId,
        submittedBy: task.submittedBy,
        skill: task.skill,
        createdAt: now,
        status: sql`coalesce((${parkedColumn(task.poolId, now, sql`'waiting_for_quota'`)}), 'queued')`,
        runAfter: sql`(${parkedColumn(task.poolId, now, sql`until`)})`,
        quotaCredential: sql`(${parkedColumn(task.poolId, now, sql`credential`)})`,
      })
      .returning({
        ...getTableColumns(tasks),
        notified: sql`pg_notify(${STORE_CHANNEL}::text, json_build_object('p', ${tasks.poolId}, 'n',
          json_build_object('type', 'task_queued', 'taskId', ${tasks.id}))::text)`,
      });
    if (!row) throw new Error(`inserting task ${task.id} returned no row`);
    return toTaskRecord(row);
  }

  async getTask(taskId: string): Promise<TaskRecord | undefined> {
    const [row] = await this.#db.select().from(tasks).where(eq(tasks.id, taskId));
    return row ? toTaskRecord(row) : undefined;
  }

  async listTasks(query: TaskQuery): Promise<TaskRecord[]> {
    const where = and(
      eq(tasks.poolId, query.poolId),
      query.status ? inArray(tasks.status, query.status) : undefined,
      query.chainId ? eq(tasks.chainId, query.chainId) : undefined,
    );
    if (query.limit === undefined) {
      const rows = await this.#db.select().from(tasks).where(where).orderBy(asc(tasks.seq));
      return rows.map(toTaskRecord);
    }
    // The newest `limit` tasks, returned oldest first (as the in-memory store does).
    const rows = await this.#db.select().from(tasks).where(where).orderBy(desc(tasks.seq)).limit(query.limit);
    return rows.reverse().map(toTaskRecord);
  }

  async countPendingTasks(poolId: string): Promise<number> {
    const [row] = await this.#db
      .select({ n: sql<number>`count(*)::int` })
      .from(tasks)
      .where(and(eq(tasks.poolId, poolId), inArray(tasks.status, ["queued", "waiting_for_quota"])));
    return Number(row?.n ?? 0);
  }

  /** One statement (store/claim.ts); the dead run's result is pool-core's to judge (claimRunnableTask). */
  claimNextTask(claim: ClaimRequest): Promise<ClaimedTask | undefined> {
    return retryOnConflict(() => claimNextTask(this.#db, claim, this.#now()));
  }

  async renewLeases(engineId: string, taskIds: string[], leaseMs: number): Promise<string[]> {
    if (taskIds.length === 0) return [];
    const now = this.#now();
    const renewed = await this.#db
      .update(tasks)
      .set({ leaseExpiresAt: sql`${now} + ${leaseMs}::int * interval '1 millisecond'` })
      .where(and(inArray(tasks.id, taskIds), eq(tasks.engineId, engineId), eq(tasks.status, "running")))
      .returning({ id: tasks.id });
    const held = new Set(renewed.map((r) => r.id));
    return taskIds.filter((id) => !held.has(id));
  }

  async updateRunningTask(taskId: string, patch: RunningTaskPatch): Promise<void> {
    if (patch.claudeSessionId === undefined && patch.model === undefined) return;
    await retryThroughOutage(() =>
      this.#db
        .update(tasks)
        .set({ claudeSessionId: patch.claudeSessionId, model: patch.model })
        .where(and(eq(tasks.id, taskId), notInArray(tasks.status, [...TERMINAL_STATUSES]))),
    );
  }

  async parkTask(taskId: string, park: ParkRequest): Promise<boolean> {
    return retryThroughOutage(() =>
      retryOnConflict(() =>
        settleTask(this.#db, {
          taskId,
          from: ["running"],
          to: "waiting_for_quota",
          spendMicros: park.spendMicros,
          tokens: park.tokens,
          model: null,
          turns: 0,
          claudeSessionId: park.claudeSessionId,
          result: null,
          error: park.error,
          runAfter: park.runAfter,
          owner: park.engineId,
          now: this.#now(),
          channel: STORE_CHANNEL,
        }),
      ),
    );
  }

  parkCredential(request: CredentialParkRequest): Promise<CredentialParkResult> {
    return retryOnConflict(() => parkCredential(this.#db, request, this.#now()));
  }

  listCredentialParks(poolId: string): Promise<CredentialPark[]> {
    return listCredentialParks(this.#db, poolId, this.#now());
  }

  async cancelPendingTask(taskId: string, error: TaskErrorInfo | null): Promise<boolean> {
    return retryThroughOutage(() =>
      retryOnConflict(() =>
        settleTask(this.#db, {
          taskId,
          from: ["queued", "waiting_for_quota"],
          to: "cancelled",
          spendMicros: 0,
          tokens: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
          model: null,
          turns: 0,
          claudeSessionId: null,
          result: null,
          error,
          runAfter: null,
          owner: null,
          now: this.#now(),
          channel: STORE_CHANNEL,
        }),
      ),
    );
  }

  async finishTask(taskId: string, finish: FinishRequest): Promise<boolean> {
    return retryThroughOutage(() =>
      retryOnConflict(() =>
        settleTask(this.#db, {
          taskId,
          from: ["queued", "running", "waiting_for_quota"],
          to: finish.status,
          spendMicros: finish.spendMicros,
          tokens: finish.tokens,
          model: finish.model,
          turns: finish.turns,
          claudeSessionId: finish.claudeSessionId,
          result: finish.result,
          error: finish.error,
          runAfter: null,
          owner: finish.engineId,
          now: this.#now(),
          channel: STORE_CHANNEL,
        }),
      ),
    );
  }

  getBudget(poolId: string): Promise<BudgetState> {
    return retryThroughOutage(() => readBudget(this.#db, poolId, this.#now()));
  }

  async setBudgetCap(poolId: string, capMicros: Micros | null): Promise<void> {
    await this.#db
      .update(pools)
      .set({ budgetCapMicros: capMicros, updatedAt: this.#now() })
      .where(eq(pools.id, poolId));
  }

  setTeamBudgetCap(teamId: string, monthlyCapMicros: Micros | null): Promise<void> {
    return setTeamBudgetCap(this.#db, teamId, monthlyCapMicros);
  }

  /** The pool's and the team's caps in one statement (see store/budget.ts). */
  reserveBudget(request: ReservationRequest): Promise<Reservation> {
    return retryOnConflict(() => reserveBudget(this.#db, request, this.#now()));
  }

  appendTaskEvents(taskId: string, events: NewTaskEvent[], patch?: RunningTaskPatch): Promise<TaskEvent[]> {
    return appendTaskEvents(this.#db, taskId, events, this.#now(), patch);
  }

  listTaskEvents(taskId: string, afterSeq = 0, limit?: number): Promise<TaskEvent[]> {
    return listTaskEvents(this.#db, taskId, afterSeq, limit);
  }

  listSessionResults(claudeSessionId: string): Promise<TaskEvent[]> {
    return listSessionResults(this.#db, claudeSessionId);
  }

  /** A foreign key refuses an unknown task. */
  saveTaskDiff(diff: NewTaskDiff): Promise<TaskDiff> {
    return saveTaskDiff(this.#db, diff, this.#now());
  }

  getTaskDiff(taskId: string): Promise<TaskDiff | undefined> {
    return getTaskDiff(this.#db, taskId);
  }

  async upsertSlot(slot: SlotRecord): Promise<void> {
    const { id: _id, poolId: _poolId, engineId: _engineId, ...rest } = slot;
    await retryThroughOutage(() =>
      this.#db
        .insert(slots)
        .values({ ...slot, updatedAt: this.#now() })
        .onConflictDoUpdate({
          target: [slots.poolId, slots.engineId, slots.id],
          set: { ...rest, updatedAt: this.#now() },
        }),
    );
  }

  async listSlots(poolId: string): Promise<SlotRecord[]> {
    const rows = await this.#db.select().from(slots).where(eq(slots.poolId, poolId)).orderBy(asc(slots.id));
    return rows.map(toSlotRecord);
  }

  async contextSet(poolId: string, key: string, value: string): Promise<void> {
    await this.#db
      .insert(contextEntries)
      .values({ poolId, key, value, updatedAt: this.#now() })
      .onConflictDoUpdate({
        target: [contextEntries.poolId, contextEntries.key],
        set: { value, updatedAt: this.#now() },
      });
  }

  async contextGet(poolId: string, key: string): Promise<string | undefined> {
    const [row] = await this.#db
      .select({ value: contextEntries.value })
      .from(contextEntries)
      .where(and(eq(contextEntries.poolId, poolId), eq(contextEntries.key, key)));
    return row?.value;
  }

  async contextDelete(poolId: string, key: string): Promise<boolean> {
    const rows = await this.#db
      .delete(contextEntries)
      .where(and(eq(contextEntries.poolId, poolId), eq(contextEntries.key, key)))
      .returning({ key: contextEntries.key });
    return rows.length > 0;
  }

  async contextList(poolId: string): Promise<Array<{ key: string; value: string }>> {
    const rows = await this.#db
      .select({ key: contextEntries.key, value: contextEntries.value })
      .from(contextEntries)
      .where(eq(contextEntries.poolId, poolId));
    // Sorted in JS, not by the database's collation, so every store orders keys alike.
    return rows.sort((a, b) => a.key.localeCompare(b.key));
  }

  saveChain(chain: ChainRecord): Promise<void> {
    return saveChain(this.#db, chain, this.#now());
  }

  getChain(chainId: string): Promise<ChainRecord | undefined> {
    return getChain(this.#db, chainId);
  }

  listChains(poolId: string, status?: ChainRecord["status"][]): Promise<ChainRecord[]> {
    return listChains(this.#db, poolId, status);
  }

  /** Chain ownership (see store/chain-leases.ts). */
  claimChain(chainId: string, engineId: string, leaseMs: number): Promise<boolean> {
    return claimChain(this.#db, this.#now(), chainId, engineId, leaseMs);
  }

  renewChainLeases(engineId: string, chainIds: string[], leaseMs: number): Promise<string[]> {
    return renewChainLeases(this.#db, this.#now(), engineId, chainIds, leaseMs);
  }

  claimOrphanedChains(poolId: string, engineId: string, leaseMs: number): Promise<ChainRecord[]> {
    return claimOrphanedChains(this.#db, this.#now(), poolId, engineId, leaseMs);
  }

  subscribe(poolId: string, listener: (note: StoreNotification) => void): () => void {
    return this.#listeners.add(poolId, listener);
  }

  async close(): Promise<void> {
    this.#listeners.clear();
    const unlisten = this.#unlisten;
    this.#unlisten = undefined;
    if (unlisten) await unlisten().catch(() => {});
    if (this.#closeDatabase) await this.database.close();
  }

  #deliver(payload: string): void {
    let wire: WireNote;
    try {
      wire = JSON.parse(payload) as WireNote;
    } catch {
      return;
    }
    this.#listeners.deliver(wire.p, wire.n);
  }
}
