import type {
  BudgetState,
  ChainRecord,
  ClaimedTask,
  ClaimRequest,
  CredentialPark,
  CredentialParkRequest,
  CredentialParkResult,
  FinishRequest,
  Micros,
  NewTask,
  NewTaskDiff,
  NewTaskEvent,
  ParkRequest,
  PoolRecord,
  Reservation,
  ReservationRequest,
  RunningTaskPatch,
  SlotRecord,
  Store,
  StoreNotification,
  TaskDiff,
  TaskErrorInfo,
  TaskEvent,
  TaskQuery,
  TaskRecord,
} from "@claude-pool/core";

/**
 * The Store one Pool of the host sees: the engine's shared PgStore, with two switches pool-core's
 * public API does not offer.
 *
 * - `pauseClaims()`: the pool stops taking work (queued tasks stay queued for other engines, or
 *   for this one after a restart), while what it runs carries on. Pool.drain would cancel every
 *   queued task of the pool, in every engine; Pool.shutdown would cancel what runs.
 * - `freeze()`: the pool can no longer end, park or save anything. Used just before
 *   `Pool.shutdown()` when the grace period ran out: the runs it kills stay `running` in the
 *   database, their leases are then expired, and another engine (or this one after a restart)
 *   takes them over in their Claude session, exactly as after a crash.
 *
 * `close()` does nothing: the host closes the shared store once, after every pool.
 */
export class GatedStore implements Store {
  readonly #inner: Store;
  #claiming = true;
  #frozen = false;

  constructor(inner: Store) {
    this.#inner = inner;
  }

  pauseClaims(): void {
    this.#claiming = false;
  }

  resumeClaims(): void {
    if (!this.#frozen) this.#claiming = true;
  }

  freeze(): void {
    this.#claiming = false;
    this.#frozen = true;
  }

  get claiming(): boolean {
    return this.#claiming;
  }

  async claimNextTask(claim: ClaimRequest): Promise<ClaimedTask | undefined> {
    if (!this.#claiming) return undefined;
    return this.#inner.claimNextTask(claim);
  }

  async claimChain(chainId: string, engineId: string, leaseMs: number): Promise<boolean> {
    if (this.#frozen) return false;
    return this.#inner.claimChain(chainId, engineId, leaseMs);
  }

  async claimOrphanedChains(poolId: string, engineId: string, leaseMs: number): Promise<ChainRecord[]> {
    if (!this.#claiming) return [];
    return this.#inner.claimOrphanedChains(poolId, engineId, leaseMs);
  }

  async finishTask(taskId: string, finish: FinishRequest): Promise<boolean> {
    if (this.#frozen) return false;
    return this.#inner.finishTask(taskId, finish);
  }

  async parkTask(taskId: string, park: ParkRequest): Promise<boolean> {
    if (this.#frozen) return false;
    return this.#inner.parkTask(taskId, park);
  }

  /**
   * A usage limit is the account's, not the pool object's: recorded even when frozen (the runs
   * that reported it are killed and retried elsewhere, which must not try the account again).
   */
  parkCredential(request: CredentialParkRequest): Promise<CredentialParkResult> {
    return this.#inner.parkCredential(request);
  }

  listCredentialParks(poolId: string): Promise<CredentialPark[]> {
    return this.#inner.listCredentialParks(poolId);
  }

  async saveChain(chain: ChainRecord): Promise<void> {
    if (this.#frozen) return;
    return this.#inner.saveChain(chain);
  }

  async renewLeases(engineId: string, taskIds: string[], leaseMs: number): Promise<string[]> {
    // A frozen pool must not keep its killed runs' leases alive.
    if (this.#frozen) return taskIds;
    return this.#inner.renewLeases(engineId, taskIds, leaseMs);
  }

  async renewChainLeases(engineId: string, chainIds: string[], leaseMs: number): Promise<string[]> {
    if (this.#frozen) return chainIds;
    return this.#inner.renewChainLeases(engineId, chainIds, leaseMs);
  }

  async close(): Promise<void> {}

  ensurePool(pool: PoolRecord): Promise<void> {
    return this.#inner.ensurePool(pool);
  }
  getPool(poolId: string): Promise<PoolRecord | undefined> {
    return this.#inner.getPool(poolId);
  }
  insertTask(task: NewTask): Promise<TaskRecord> {
    return this.#inner.insertTask(task);
  }
  getTask(taskId: string): Promise<TaskRecord | undefined> {
    return this.#inner.getTask(taskId);
  }
  listTasks(query: TaskQuery): Promise<TaskRecord[]> {
    return this.#inner.listTasks(query);
  }
  countPendingTasks(poolId: string): Promise<number> {
    return this.#inner.countPendingTasks(poolId);
  }
  updateRunningTask(taskId: string, patch: RunningTaskPatch): Promise<void> {
    return this.#inner.updateRunningTask(taskId, patch);
  }
  cancelPendingTask(taskId: string, error: TaskErrorInfo): Promise<boolean> {
    return this.#inner.cancelPendingTask(taskId, error);
  }
  getBudget(poolId: string): Promise<BudgetState> {
    return this.#inner.getBudget(poolId);
  }
  setBudgetCap(poolId: string, capMicros: Micros | null): Promise<void> {
    return this.#inner.setBudgetCap(poolId, capMicros);
  }
  setTeamBudgetCap(teamId: string, monthlyCapMicros: Micros | null): Promise<void> {
    return this.#inner.setTeamBudgetCap(teamId, monthlyCapMicros);
  }
  reserveBudget(request: ReservationRequest): Promise<Reservation> {
    return this.#inner.reserveBudget(request);
  }
  listSessionResults(claudeSessionId: string): Promise<TaskEvent[]> {
    return this.#inner.listSessionResults(claudeSessionId);
  }
  saveTaskDiff(diff: NewTaskDiff): Promise<TaskDiff> {
    return this.#inner.saveTaskDiff(diff);
  }
  getTaskDiff(taskId: string): Promise<TaskDiff | undefined> {
    return this.#inner.getTaskDiff(taskId);
  }
  appendTaskEvents(taskId: string, events: NewTaskEvent[], patch?: RunningTaskPatch): Promise<TaskEvent[]> {
    return this.#inner.appendTaskEvents(taskId, events, patch);
  }
  listTaskEvents(taskId: string, afterSeq?: number, limit?: number): Promise<TaskEvent[]> {
    return this.#inner.listTaskEvents(taskId, afterSeq, limit);
  }
  upsertSlot(slot: SlotRecord): Promise<void> {
    return this.#inner.upsertSlot(slot);
  }
  listSlots(poolId: string): Promise<SlotRecord[]> {
    return this.#inner.listSlots(poolId);
  }
  contextSet(poolId: string, key: string, value: string): Promise<void> {
    return this.#inner.contextSet(poolId, key, value);
  }
  contextGet(poolId: string, key: string): Promise<string | undefined> {
    return this.#inner.contextGet(poolId, key);
  }
  contextDelete(poolId: string, key: string): Promise<boolean> {
    return this.#inner.contextDelete(poolId, key);
  }
  contextList(poolId: string): Promise<Array<{ key: string; value: string }>> {
    return this.#inner.contextList(poolId);
  }
  getChain(chainId: string): Promise<ChainRecord | undefined> {
    return this.#inner.getChain(chainId);
  }
  listChains(poolId: string, status?: ChainRecord["status"][]): Promise<ChainRecord[]> {
    return this.#inner.listChains(poolId, status);
  }
  subscribe(poolId: string, listener: (note: StoreNotification) => void): () => void {
    return this.#inner.subscribe(poolId, listener);
  }
}
