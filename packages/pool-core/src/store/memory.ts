import type { Micros } from "../domain/money.js";
import { isTerminal, type TokenUsage } from "../domain/types.js";
import { StoreListeners } from "./listeners.js";
import { MemoryBudgetLedger } from "./memory-budget.js";
import { MemoryChains } from "./memory-chains.js";
import { MemoryEvents } from "./memory-events.js";
import { MemoryQueue } from "./memory-queue.js";
import { heldByPark, heldForAnother, MemoryCredentialParks } from "./memory-quota.js";
import type {
  BudgetState,
  ChainRecord,
  ClaimedTask,
  ClaimRequest,
  CredentialPark,
  CredentialParkRequest,
  CredentialParkResult,
  FinishRequest,
  NewTask,
  NewTaskEvent,
  ParkRequest,
  PoolRecord,
  Reservation,
  ReservationRequest,
  RunningTaskPatch,
  SlotRecord,
  Store,
  StoreNotification,
  TaskEvent,
  TaskQuery,
  TaskRecord,
} from "./port.js";
import { copySlot, copyTask, queuedRecord } from "./record-copy.js";
import { type NewTaskDiff, storedDiff, type TaskDiff } from "./task-diff.js";

export const ZERO_TOKENS: TokenUsage = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };

export function addTokens(a: TokenUsage, b: TokenUsage): TokenUsage {
  return {
    input: a.input + b.input,
    output: a.output + b.output,
    cacheRead: a.cacheRead + b.cacheRead,
    cacheWrite: a.cacheWrite + b.cacheWrite,
  };
}

interface PoolState {
  record: PoolRecord;
  context: Map<string, string>;
}

export interface InMemoryStoreOptions {
  /** A clock for tests (leases, the team's month); default the system clock. */
  clock?: () => Date;
}

/**
 * The in-process Store: everything in maps, all operations synchronous under the hood so each one
 * is atomic with respect to the others (JavaScript runs one at a time). Good for a library user
 * who needs no history, and the reference the SQL store is tested against.
 */
export class InMemoryStore implements Store {
  #pools = new Map<string, PoolState>();
  #tasks = new Map<string, TaskRecord>();
  #queue = new MemoryQueue();
  #events = new MemoryEvents();
  #slots = new Map<string, SlotRecord>();
  #chains: MemoryChains;
  #diffs = new Map<string, TaskDiff>();
  #budget: MemoryBudgetLedger;
  #parks = new MemoryCredentialParks();
  #listeners = new StoreListeners();
  #seq = 0;
  /** Notifications not yet delivered: pool id, note, pool id, note… */
  #due: Array<string | StoreNotification> = [];
  #clock: () => Date;
  #nowMs: () => number;
  /** The last Date a record was stamped with, handed to the next stamp of the same millisecond. */
  #stamp = new Date(0);

  constructor(options: InMemoryStoreOptions = {}) {
    this.#clock = options.clock ?? (() => new Date());
    const clock = options.clock;
    // Without a test clock, the time as a number straight away (no Date per read).
    this.#nowMs = clock ? () => clock().getTime() : Date.now;
    this.#budget = new MemoryBudgetLedger(this.#clock);
    this.#chains = new MemoryChains(() => this.#nowMs());
  }

  async ensurePool(pool: PoolRecord): Promise<void> {
    const existing = this.#pools.get(pool.id);
    // As in SQL: an engine that does not know the pool's team does not detach it from the team.
    if (existing)
      existing.record = { ...pool, teamId: pool.teamId === undefined ? existing.record.teamId : pool.teamId };
    else
      this.#pools.set(pool.id, {
        record: { ...pool },
        context: new Map(),
      });
  }

  async getPool(poolId: string): Promise<PoolRecord | undefined> {
    const p = this.#pools.get(poolId);
    return p ? { ...p.record } : undefined;
  }

  /**
   * `now` as a Date to keep in a record. Records of one millisecond share it (a Date is ~100 bytes
   * that the garbage collector copies, three per task): records never hand out or change their
   * Dates (`copyTask` copies them), so sharing one is invisible.
   */
  #stampAt(ms: number): Date {
    if (this.#stamp.getTime() !== ms) this.#stamp = new Date(ms);
    return this.#stamp;
  }

  #pool(poolId: string): PoolState {
    const p = this.#pools.get(poolId);
    if (!p) throw new Error(`unknown pool ${poolId}`);
    return p;
  }

  async insertTask(task: NewTask): Promise<TaskRecord> {
    this.#pool(task.poolId);
    const record = queuedRecord(task, ++this.#seq, this.#stampAt(this.#nowMs()));
    // Submitted while an account of the pool is over its usage limit: held until the reset.
    const [park] = this.#parks.active(task.poolId, this.#nowMs());
    if (park) {
      record.status = "waiting_for_quota";
      record.runAfter = park.until;
      record.quotaCredential = park.credential;
    }
    this.#tasks.set(task.id, record);
    this.#queue.add(record);
    this.#notify(task.poolId, { type: "task_queued", taskId: task.id });
    return copyTask(record);
  }

  async getTask(taskId: string): Promise<TaskRecord | undefined> {
    const t = this.#tasks.get(taskId);
    return t ? copyTask(t) : undefined;
  }

  async listTasks(query: TaskQuery): Promise<TaskRecord[]> {
    const out: TaskRecord[] = [];
    for (const t of this.#tasks.values()) {
      if (t.poolId !== query.poolId) continue;
      if (query.status && !query.status.includes(t.status)) continue;
      if (query.chainId && t.chainId !== query.chainId) continue;
      out.push(copyTask(t));
    }
    out.sort((a, b) => a.seq - b.seq);
    return query.limit === undefined ? out : out.slice(-query.limit);
  }

  async countPendingTasks(poolId: string): Promise<number> {
    return this.#queue.pending(poolId);
  }

  async claimNextTask(claim: ClaimRequest): Promise<ClaimedTask | undefined> {
    const now = this.#nowMs();
    if (claim.credential !== undefined && this.#parks.isParked(claim.poolId, claim.credential, now)) return;
    // In claim order, so the first claimable task this slot may run is the best one.
    const best = this.#queue.find(
      claim.poolId,
      (t) =>
        isClaimable(t, now, claim.credential) &&
        (t.targetSlotId === null || t.targetSlotId === claim.slotId) &&
        (t.targetRole === null || t.targetRole === claim.slotRole),
    );
    if (!best) return undefined;
    const claimedFrom = best.status as ClaimedTask["claimedFrom"];
    if (best.status === "running") {
      best.recoveries += 1;
      // The previous owner's lease expired: its reservation is released, its engine is gone.
      this.#budget.release(this.#pool(best.poolId).record, best.reservedMicros);
      best.reservedMicros = 0;
    }
    this.#queue.setStatus(best, "running");
    best.slotId = claim.slotId;
    best.engineId = claim.engineId;
    best.leaseExpiresAt = new Date(now + claim.leaseMs);
    best.runAfter = null;
    best.quotaCredential = null;
    best.attempt += 1;
    best.startedAt ??= this.#stampAt(now);
    this.#notify(best.poolId, { type: "task_changed", taskId: best.id, status: "running" });
    const claimed = copyTask(best) as ClaimedTask;
    claimed.claimedFrom = claimedFrom; // assigned, not spread: see record-copy.ts
    if (claim.slot) {
      const slot = copySlot(claim.slot);
      slot.state = "busy";
      slot.currentTaskId = best.id;
      this.#slots.set(`${slot.poolId}/${slot.id}`, slot);
      claimed.slotSaved = true;
    }
    return claimed;
  }

  async renewLeases(engineId: string, taskIds: string[], leaseMs: number): Promise<string[]> {
    const lost: string[] = [];
    for (const id of taskIds) {
      const t = this.#tasks.get(id);
      if (!t || t.engineId !== engineId || t.status !== "running") lost.push(id);
      else t.leaseExpiresAt = new Date(this.#nowMs() + leaseMs);
    }
    return lost;
  }

  async updateRunningTask(taskId: string, patch: RunningTaskPatch): Promise<void> {
    const t = this.#tasks.get(taskId);
    if (t) patchRunning(t, patch);
  }

  async parkTask(taskId: string, park: ParkRequest): Promise<boolean> {
    const t = this.#tasks.get(taskId);
    if (t?.status !== "running" || t.engineId !== park.engineId) return false;
    this.#budget.settle(this.#pool(t.poolId).record, t.reservedMicros, park.spendMicros, null);
    t.reservedMicros = 0;
    t.spendMicros += park.spendMicros;
    t.tokens = addTokens(t.tokens, park.tokens);
    this.#queue.setStatus(t, "waiting_for_quota");
    t.runAfter = park.runAfter;
    t.engineId = null;
    t.leaseExpiresAt = null;
    t.error = park.error;
    if (park.claudeSessionId) t.claudeSessionId = park.claudeSessionId;
    this.#notify(t.poolId, { type: "task_changed", taskId, status: t.status });
    return true;
  }

  async parkCredential(request: CredentialParkRequest): Promise<CredentialParkResult> {
    const until = this.#parks.park(request.poolId, request.credential, request.until);
    const heldTaskIds: string[] = [];
    for (const t of this.#queue.open(request.poolId)) {
      if (!heldByPark(t, request.credential, until)) continue;
      this.#queue.setStatus(t, "waiting_for_quota");
      t.runAfter = new Date(until);
      t.quotaCredential = request.credential;
      heldTaskIds.push(t.id);
      this.#notify(t.poolId, { type: "task_changed", taskId: t.id, status: t.status });
    }
    return { until: new Date(until), heldTaskIds };
  }

  async listCredentialParks(poolId: string): Promise<CredentialPark[]> {
    return this.#parks.active(poolId, this.#nowMs());
  }

  async cancelPendingTask(taskId: string, error: FinishRequest["error"]): Promise<boolean> {
    const t = this.#tasks.get(taskId);
    if (!t || (t.status !== "queued" && t.status !== "waiting_for_quota")) return false;
    this.#queue.setStatus(t, "cancelled");
    t.error = error;
    t.finishedAt = this.#stampAt(this.#nowMs());
    this.#notify(t.poolId, { type: "task_changed", taskId, status: t.status });
    return true;
  }

  async finishTask(taskId: string, finish: FinishRequest): Promise<boolean> {
    const t = this.#tasks.get(taskId);
    if (!t || isTerminal(t.status)) return false;
    if (t.status === "running" && t.engineId !== finish.engineId) return false;
    this.#budget.settle(this.#pool(t.poolId).record, t.reservedMicros, finish.spendMicros, finish);
    t.reservedMicros = 0;
    this.#queue.setStatus(t, finish.status);
    t.result = finish.result;
    t.error = finish.error;
    t.spendMicros += finish.spendMicros;
    t.tokens = addTokens(t.tokens, finish.tokens);
    t.model = finish.model ?? t.model;
    t.turns += finish.turns;
    t.claudeSessionId = finish.claudeSessionId ?? t.claudeSessionId;
    t.finishedAt = this.#stampAt(this.#nowMs());
    t.leaseExpiresAt = null;
    this.#notify(t.poolId, { type: "task_changed", taskId, status: t.status });
    return true;
  }

  async getBudget(poolId: string): Promise<BudgetState> {
    return this.#budget.state(this.#pool(poolId).record);
  }

  async setBudgetCap(poolId: string, capMicros: Micros | null): Promise<void> {
    this.#pool(poolId).record.budgetCapMicros = capMicros;
  }

  async setTeamBudgetCap(teamId: string, monthlyCapMicros: Micros | null): Promise<void> {
    this.#budget.setTeamCap(teamId, monthlyCapMicros);
  }

  async reserveBudget(request: ReservationRequest): Promise<Reservation> {
    const p = this.#pool(request.poolId);
    const t = this.#tasks.get(request.taskId);
    if (t?.poolId !== request.poolId)
      throw new Error(`unknown task ${request.taskId} in pool ${request.poolId}`);
    const reservation = this.#budget.reserve(p.record, request.desiredMicros, request.minimumMicros);
    if (reservation.kind === "granted") t.reservedMicros += reservation.micros;
    return reservation;
  }

  async appendTaskEvents(
    taskId: string,
    events: NewTaskEvent[],
    patch?: RunningTaskPatch,
  ): Promise<TaskEvent[]> {
    const t = this.#tasks.get(taskId);
    if (!t) throw new Error(`unknown task ${taskId}`);
    if (patch) patchRunning(t, patch);
    const added = this.#events.append(taskId, events, this.#nowMs());
    const last = added.at(-1);
    if (last) this.#notify(t.poolId, { type: "task_events", taskId, lastSeq: last.seq });
    return added;
  }

  async listTaskEvents(taskId: string, afterSeq = 0, limit?: number): Promise<TaskEvent[]> {
    return this.#events.list(taskId, afterSeq, limit);
  }

  async listSessionResults(claudeSessionId: string): Promise<TaskEvent[]> {
    return this.#events.sessionResults(claudeSessionId);
  }

  async saveTaskDiff(diff: NewTaskDiff): Promise<TaskDiff> {
    if (!this.#tasks.has(diff.taskId)) throw new Error(`unknown task ${diff.taskId}`);
    const stored = storedDiff(diff, new Date(this.#nowMs()));
    this.#diffs.set(diff.taskId, stored);
    return structuredClone(stored);
  }

  async getTaskDiff(taskId: string): Promise<TaskDiff | undefined> {
    const d = this.#diffs.get(taskId);
    return d ? structuredClone(d) : undefined;
  }

  async upsertSlot(slot: SlotRecord): Promise<void> {
    this.#slots.set(`${slot.poolId}/${slot.id}`, copySlot(slot));
  }

  async listSlots(poolId: string): Promise<SlotRecord[]> {
    return [...this.#slots.values()].filter((s) => s.poolId === poolId).map(copySlot);
  }

  async contextSet(poolId: string, key: string, value: string): Promise<void> {
    this.#pool(poolId).context.set(key, value);
  }

  async contextGet(poolId: string, key: string): Promise<string | undefined> {
    return this.#pool(poolId).context.get(key);
  }

  async contextDelete(poolId: string, key: string): Promise<boolean> {
    return this.#pool(poolId).context.delete(key);
  }

  async contextList(poolId: string): Promise<Array<{ key: string; value: string }>> {
    const context = this.#pool(poolId).context;
    if (context.size === 0) return []; // every task reads it, and most pools share nothing
    return [...this.#pool(poolId).context.entries()]
      .map(([key, value]) => ({ key, value }))
      .sort((a, b) => a.key.localeCompare(b.key));
  }

  saveChain(chain: ChainRecord): Promise<void> {
    return this.#chains.save(chain);
  }

  getChain(chainId: string): Promise<ChainRecord | undefined> {
    return this.#chains.get(chainId);
  }

  listChains(poolId: string, status?: ChainRecord["status"][]): Promise<ChainRecord[]> {
    return this.#chains.list(poolId, status);
  }

  claimChain(chainId: string, engineId: string, leaseMs: number): Promise<boolean> {
    return this.#chains.claim(chainId, engineId, leaseMs);
  }

  renewChainLeases(engineId: string, chainIds: string[], leaseMs: number): Promise<string[]> {
    return this.#chains.renew(engineId, chainIds, leaseMs);
  }

  claimOrphanedChains(poolId: string, engineId: string, leaseMs: number): Promise<ChainRecord[]> {
    return this.#chains.claimOrphaned(poolId, engineId, leaseMs);
  }

  subscribe(poolId: string, listener: (note: StoreNotification) => void): () => void {
    return this.#listeners.add(poolId, listener);
  }

  async close(): Promise<void> {
    this.#listeners.clear();
  }

  #notify(poolId: string, note: StoreNotification): void {
    // Listeners run after the current operation returns, as they would across processes: in
    // order, all that are due in one microtask (one per note was a visible cost per task).
    this.#due.push(poolId, note);
    if (this.#due.length === 2) queueMicrotask(() => this.#deliverDue());
  }

  #deliverDue(): void {
    const due = this.#due;
    this.#due = [];
    for (let i = 0; i < due.length; i += 2)
      this.#listeners.deliver(due[i] as string, due[i + 1] as StoreNotification);
  }
}

function patchRunning(t: TaskRecord, patch: RunningTaskPatch): void {
  if (isTerminal(t.status)) return;
  if (patch.claudeSessionId !== undefined) t.claudeSessionId = patch.claudeSessionId;
  if (patch.model !== undefined) t.model = patch.model;
}

function isClaimable(t: TaskRecord, now: number, credential: string | undefined): boolean {
  if (t.status === "queued") return true;
  if (t.status === "waiting_for_quota")
    return t.runAfter === null || t.runAfter.getTime() <= now || heldForAnother(t, credential);
  if (t.status === "running") return t.leaseExpiresAt !== null && t.leaseExpiresAt.getTime() < now;
  return false;
}
