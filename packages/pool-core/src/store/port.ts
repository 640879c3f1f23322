import type { Micros } from "../domain/money.js";
import type {
  ClaudeConfig,
  SessionMode,
  TaskErrorInfo,
  TaskResult,
  TaskStatus,
  TokenUsage,
} from "../domain/types.js";
import type { NewTaskDiff, TaskDiff } from "./task-diff.js";

/**
 * The persistence port. pool-core ships an in-memory implementation; packages/db implements it on
 * Postgres/PGlite. The store owns the queue (so several engines can share one), budget
 * admission (so the cap holds across processes) and the append-only event log.
 *
 * Invariants every implementation keeps:
 * - `claimNextTask` hands a task to exactly one caller (SKIP LOCKED in SQL).
 * - `reserveBudget` and `finishTask` are atomic: spent + reserved never exceeds the pool's cap nor
 *   its team's monthly cap (one reservation checks both).
 * - `finishTask` is idempotent: a task reaches a terminal state once; later calls return false.
 * - event sequence numbers per task start at 1 and have no gaps.
 */
export interface Store {
  /** Creates the pool row if absent; updates its name/config/cap otherwise. */
  ensurePool(pool: PoolRecord): Promise<void>;
  getPool(poolId: string): Promise<PoolRecord | undefined>;

  /**
   * Queues a task. While a credential of its pool is parked (`parkCredential`), the task is held
   * instead: `waiting_for_quota` until the earliest such park ends, `quotaCredential` naming it.
   */
  insertTask(task: NewTask): Promise<TaskRecord>;
  getTask(taskId: string): Promise<TaskRecord | undefined>;
  listTasks(query: TaskQuery): Promise<TaskRecord[]>;
  /** Counts queued + waiting tasks of a pool (for the max queue length and status). */
  countPendingTasks(poolId: string): Promise<number>;

  /**
   * Atomically takes the best task this slot may run: status `queued`, or `waiting_for_quota` /
   * a `running` task whose lease expired, with `runAfter` passed; routed to this slot or role or
   * to any; highest priority first, FIFO (by `seq`) within a priority. Sets status `running`,
   * the slot, the lease; increments `attempt` (and `recoveries` when taken over from an expired
   * lease). Returns undefined when nothing is claimable.
   *
   * With `claim.credential`: nothing at all while that credential is parked in the pool; and a
   * task held for another credential's park (`quotaCredential` set and not this one) is claimable
   * before its `runAfter` (this slot runs on an account that is not limited).
   */
  claimNextTask(claim: ClaimRequest): Promise<ClaimedTask | undefined>;
  /** Extends the lease of tasks this engine runs. Returns ids whose lease this engine no longer holds. */
  renewLeases(engineId: string, taskIds: string[], leaseMs: number): Promise<string[]>;

  /** Non-terminal updates of a task the caller owns (session id once known, partial spend). */
  updateRunningTask(taskId: string, patch: RunningTaskPatch): Promise<void>;
  /** Parks a running task until `runAfter` (usage limit), releasing its reservation and settling spend so far. */
  parkTask(taskId: string, park: ParkRequest): Promise<boolean>;
  /**
   * A usage limit of one account: records that `credential` is parked in the pool until `until`
   * (a later park already recorded wins), so no slot of any engine running with it claims work
   * before then, and holds the pool's pending tasks: queued ones, and waiting ones not held for
   * another credential that would run sooner, become `waiting_for_quota` with `runAfter` = the
   * park's end and `quotaCredential` = the credential (each a `task_changed` notification).
   */
  parkCredential(request: CredentialParkRequest): Promise<CredentialParkResult>;
  /** The pool's credential parks still in force (ending after now), earliest end first. */
  listCredentialParks(poolId: string): Promise<CredentialPark[]>;
  /** Cancels a task only if it is still queued or waiting. Returns false if it already started or ended. */
  cancelPendingTask(taskId: string, error: TaskErrorInfo): Promise<boolean>;
  /**
   * Moves a task to a terminal state, releases its reservation and settles its spend into the
   * pool's spent total and the daily rollup, in one transaction. Returns false (and changes
   * nothing) if the task was already terminal, or runs under another engine's lease.
   */
  finishTask(taskId: string, finish: FinishRequest): Promise<boolean>;

  /** Budget admission: the pool's figures, its team's this month, and its recent task costs. */
  getBudget(poolId: string): Promise<BudgetState>;
  setBudgetCap(poolId: string, capMicros: Micros | null): Promise<void>;
  /**
   * Sets a team's monthly cap (null: none). Every pool whose `teamId` is the team counts against it.
   * The SQL store refuses a team it has no row for (teams are made by the auth layer).
   */
  setTeamBudgetCap(teamId: string, monthlyCapMicros: Micros | null): Promise<void>;
  /**
   * In one atomic step, against the pool's cap and its team's monthly cap together: grants
   * `min(desired, what every cap has left)` if that is at least `minimum` (and > 0), adding it to
   * the task's, the pool's and the team's reservation. Otherwise grants nothing and says which cap
   * is short, what it has left now (`available`) and what it would have if every reservation in
   * flight were released unspent (`attainable`). With no cap at all, grants `desired`.
   * Throws for a task that is not the pool's.
   */
  reserveBudget(request: ReservationRequest): Promise<Reservation>;

  /**
   * Appends a batch of the task's events. With `patch`, also applies it as `updateRunningTask`
   * does (never to a finished task), in the same write: the session an init line names is saved
   * with that line, one statement a task less on a SQL store.
   */
  appendTaskEvents(taskId: string, events: NewTaskEvent[], patch?: RunningTaskPatch): Promise<TaskEvent[]>;
  /**
   * The task's events after `afterSeq`, in seq order; at most `limit` of them when given (a page:
   * a stream of many MB is read a page at a time by whoever must not hold all of it, e.g. SSE replay).
   */
  listTaskEvents(taskId: string, afterSeq?: number, limit?: number): Promise<TaskEvent[]>;
  /**
   * The `result` events (kind `result`) whose payload's `session_id` is this Claude session, of any
   * task, oldest first. Recovery reads them: the CLI's `total_cost_usd` is cumulative over a session,
   * so a dead run's spend is its total minus the session's previous one.
   */
  listSessionResults(claudeSessionId: string): Promise<TaskEvent[]>;

  /**
   * Saves what a task changed in its worktree (replacing an earlier diff of the task): the files
   * with their line counts, and the patch bounded to TASK_DIFF_PATCH_LIMIT_BYTES (`truncated` when
   * cut). Throws for an unknown task.
   */
  saveTaskDiff(diff: NewTaskDiff): Promise<TaskDiff>;
  getTaskDiff(taskId: string): Promise<TaskDiff | undefined>;

  upsertSlot(slot: SlotRecord): Promise<void>;
  listSlots(poolId: string): Promise<SlotRecord[]>;

  contextSet(poolId: string, key: string, value: string): Promise<void>;
  contextGet(poolId: string, key: string): Promise<string | undefined>;
  contextDelete(poolId: string, key: string): Promise<boolean>;
  contextList(poolId: string): Promise<Array<{ key: string; value: string }>>;

  saveChain(chain: ChainRecord): Promise<void>;
  getChain(chainId: string): Promise<ChainRecord | undefined>;
  listChains(poolId: string, status?: ChainRecord["status"][]): Promise<ChainRecord[]>;
  /**
   * Chain ownership, so a chain whose engine died continues elsewhere. `claimChain` takes a running
   * chain that is unowned, ours, or whose lease expired; `renewChainLeases` returns the ids this
   * engine no longer holds; `claimOrphanedChains` takes every running chain of the pool whose
   * lease expired (never one another live engine holds).
   */
  claimChain(chainId: string, engineId: string, leaseMs: number): Promise<boolean>;
  renewChainLeases(engineId: string, chainIds: string[], leaseMs: number): Promise<string[]>;
  claimOrphanedChains(poolId: string, engineId: string, leaseMs: number): Promise<ChainRecord[]>;

  /** Notifies when work may have become claimable or a task changed (cross-process for SQL). */
  subscribe(poolId: string, listener: (note: StoreNotification) => void): () => void;
  close(): Promise<void>;
}

export interface PoolRecord {
  id: string;
  name: string;
  /** Opaque JSON of the pool's options (for the dashboard). */
  config: Record<string, unknown>;
  budgetCapMicros: Micros | null;
  teamId?: string | null;
}

export interface NewTask {
  id: string;
  poolId: string;
  prompt: string;
  priority: number;
  targetSlotId: string | null;
  targetRole: string | null;
  config: ClaudeConfig;
  sessionMode: SessionMode;
  /**
   * When set, the task runs in this Claude session (or a new detached one for null), not the
   * slot's; `at` resumes it at that message (`--resume-session-at`).
   */
  explicitSession: { resume: string | null; at?: string | null } | null;
  cwd: string | null;
  tags: string[];
  maxBudgetMicros: Micros | null;
  timeoutMs: number | null;
  chainId: string | null;
  chainStep: string | null;
  parentTaskId: string | null;
  submittedBy: string | null;
  skill: string | null;
}

export interface TaskRecord extends NewTask {
  /** Store-assigned, strictly increasing per store: FIFO order within a priority. */
  seq: number;
  status: TaskStatus;
  slotId: string | null;
  engineId: string | null;
  leaseExpiresAt: Date | null;
  runAfter: Date | null;
  /** Number of times the task was claimed (1 on the first run). */
  attempt: number;
  /** Number of times the task was taken over after its engine's lease expired (engine death). */
  recoveries: number;
  /** The Claude session the task ran in (known from the init line). */
  claudeSessionId: string | null;
  reservedMicros: Micros;
  spendMicros: Micros;
  tokens: TokenUsage;
  model: string | null;
  turns: number;
  result: TaskResult | null;
  error: TaskErrorInfo | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  /**
   * The credential whose usage limit holds this `waiting_for_quota` task (see `parkCredential`);
   * null or absent otherwise. A slot running with another credential may take it before `runAfter`.
   */
  quotaCredential?: string | null;
}

/** A claimed task, with the status it was claimed from (a recovery when `running`). */
export interface ClaimedTask extends TaskRecord {
  claimedFrom: "queued" | "waiting_for_quota" | "running";
  /** The claim saved `ClaimRequest.slot`, busy with this task. */
  slotSaved?: boolean;
}

export interface TaskQuery {
  poolId: string;
  status?: TaskStatus[];
  chainId?: string;
  limit?: number;
}

export interface ClaimRequest {
  poolId: string;
  engineId: string;
  slotId: string;
  slotRole: string | null;
  leaseMs: number;
  /**
   * The account the slot runs with (`credentialKeyOf`, a hash: never the secret). Absent: the
   * store ignores credential parks for this claim.
   */
  credential?: string;
  /**
   * The claiming slot's record. A store given it may save it with the claim, busy with the claimed
   * task (`state: "busy"`, `currentTaskId`: the task's id), and then says so with
   * `ClaimedTask.slotSaved`; the pool does not save the slot again when the task starts (one
   * statement less per task on a SQL store). When nothing is claimed, the slot is left as it was.
   */
  slot?: SlotRecord;
}

/** One account's usage limit in a pool: no slot running with `credential` claims before `until`. */
export interface CredentialPark {
  credential: string;
  until: Date;
}

export interface CredentialParkRequest {
  poolId: string;
  credential: string;
  until: Date;
}

export interface CredentialParkResult {
  /** When the credential's park ends (the later of this request and a park already recorded). */
  until: Date;
  /** The pending tasks this call put on hold until then. */
  heldTaskIds: string[];
}

export interface RunningTaskPatch {
  claudeSessionId?: string;
  model?: string;
}

export interface ParkRequest {
  /** The engine parking it: refused if another engine holds the task's lease. */
  engineId: string;
  runAfter: Date;
  claudeSessionId: string | null;
  spendMicros: Micros;
  tokens: TokenUsage;
  error: TaskErrorInfo;
}

export interface FinishRequest {
  /**
   * The engine finishing it. A task running under another engine's lease is not this engine's to
   * finish (it lost the lease and another took the task over): the call changes nothing.
   */
  engineId: string;
  status: Extract<TaskStatus, "completed" | "failed" | "cancelled" | "timed_out">;
  result: TaskResult | null;
  error: TaskErrorInfo | null;
  /** Spend of this run only (not cumulative across resumes). */
  spendMicros: Micros;
  tokens: TokenUsage;
  model: string | null;
  turns: number;
  claudeSessionId: string | null;
}

export interface BudgetState {
  capMicros: Micros | null;
  spentMicros: Micros;
  reservedMicros: Micros;
  /** The pool's team, when it has one: its monthly cap and this UTC month's figures across its pools. */
  team: TeamBudgetState | null;
  /**
   * The spend of the pool's last RECENT_TASK_COSTS tasks that ran to an end (completed, or stopped by
   * their budget), newest first: what budget admission learns a task's cost from. Kept by the store,
   * so every engine on one database learns the same.
   */
  recentTaskCostsMicros: Micros[];
}

export interface TeamBudgetState {
  id: string;
  monthlyCapMicros: Micros | null;
  /** Settled this UTC calendar month by all the team's pools. */
  monthSpentMicros: Micros;
  reservedMicros: Micros;
}

/** How many recent task costs a store keeps per pool. */
export const RECENT_TASK_COSTS = 20;

/**
 * Error reasons of a task stopped by its budget reservation (ours, the CLI's own backstop, the
 * stream watcher's). Such a task's spend is a cost sample: the estimate was too low.
 */
export const BUDGET_STOP_REASONS: readonly string[] = ["budget", "error_max_budget_usd", "over_reservation"];

/** Whether a finished run's spend is a sample of what a task costs (see `recentTaskCostsMicros`). */
export function isCostSample(status: TaskStatus, error: TaskErrorInfo | null): boolean {
  return (
    status === "completed" || (error?.reason !== undefined && BUDGET_STOP_REASONS.includes(error.reason))
  );
}

export interface ReservationRequest {
  poolId: string;
  taskId: string;
  desiredMicros: Micros;
  minimumMicros: Micros;
}

export type Reservation =
  | { kind: "granted"; micros: Micros }
  | {
      kind: "short";
      /**
       * The cap that cannot cover `minimum` even once reservations settle, if one cannot (the pool's
       * first); else the one with the least available.
       */
      limitedBy: "pool" | "team";
      /** Left now (cap − spent − reserved), the lowest of the caps. */
      availableMicros: Micros;
      /** Left once every reservation in flight settles unspent (cap − spent), the lowest of the caps. */
      attainableMicros: Micros;
    };

export interface NewTaskEvent {
  /** The event's kind: the stream-json `type` (`system`, `assistant`, `user`, `result`, …) or `stderr`/`noise`. */
  kind: string;
  payload: unknown;
}

export interface TaskEvent extends NewTaskEvent {
  taskId: string;
  seq: number;
  at: Date;
}

export interface SlotRecord {
  id: string;
  poolId: string;
  engineId: string;
  name: string;
  role: string | null;
  description: string | null;
  config: ClaudeConfig;
  state: "idle" | "busy" | "stopped";
  currentTaskId: string | null;
  sessionId: string | null;
  worktreePath: string | null;
  tasksCompleted: number;
  errors: number;
  restarts: number;
  spendMicros: Micros;
}

export type ChainStatus = "running" | "completed" | "failed" | "cancelled";

/** A chain as persisted; `definition` and `state` are JSON owned by the chain runner. */
export interface ChainRecord {
  id: string;
  poolId: string;
  status: ChainStatus;
  definition: unknown;
  state: unknown;
  claudeSessionId: string | null;
  worktreePath: string | null;
  branch: string | null;
  spendMicros: Micros;
  createdAt: Date;
  finishedAt: Date | null;
}

export type StoreNotification =
  | { type: "task_queued"; taskId: string }
  | { type: "task_changed"; taskId: string; status: TaskStatus }
  | { type: "task_events"; taskId: string; lastSeq: number };
