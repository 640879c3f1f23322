import type {
  ChainOptionsInput,
  ChainProgress,
  ChainStepInput,
  ClaudeConfig,
  DrainSummary,
  PoolStatus,
  ReviewState,
  SkillArgs,
  SkillInput,
  SkillScope,
  SkillSource,
  TaskErrorInfo,
  TaskResult,
  TaskStatus,
  TokenUsage,
} from "@claude-pool/core";

/**
 * What the MCP tools need from a pool, whichever pool it is: an embedded pool-core `Pool` in this
 * process, or a pool of a running engine reached through `createPoolClient`. The tools know only
 * this interface, so both modes answer every tool the same way.
 */
export interface PoolBackend {
  /** For logs and `pool_status`: "embedded pool (2 slots)" or "pool p1 at http://…". */
  readonly label: string;
  status(): Promise<PoolStatus>;
  submit(request: TaskRequest): Promise<string>;
  task(taskId: string): Promise<TaskView>;
  /** Resolves once the task has ended; `onProgress` hears of what happens meanwhile. */
  waitForTask(taskId: string, watch: Watch): Promise<TaskView>;
  cancel(taskId: string): Promise<boolean>;
  listTasks(query: { status?: TaskStatus[]; limit: number }): Promise<TaskView[]>;

  submitChain(steps: ChainStepInput[], options: ChainOptionsInput): Promise<string>;
  chain(chainId: string): Promise<ChainProgress>;
  /** Resolves once the chain has ended, reporting each change of its progress. */
  waitForChain(chainId: string, watch: Watch<ChainProgress>): Promise<ChainProgress>;
  cancelChain(chainId: string): Promise<boolean>;
  startWorkflow(name: string, args: SkillArgs, options: ChainOptionsInput): Promise<string>;

  submitWithReview(request: TaskRequest & { maxRejections?: number }): Promise<string>;
  review(reviewId: string, wait: boolean): Promise<ReviewView>;
  approve(reviewId: string): Promise<TaskResult>;
  reject(reviewId: string, feedback: string): Promise<ReviewView>;

  configureSlot(slotId: string, spec: SlotUpdate): Promise<void>;
  drain(): Promise<DrainSummary>;

  listSkills(query: { scope?: SkillScope; source?: SkillSource }): Promise<SkillView[]>;
  getSkill(name: string): Promise<SkillView>;
  addSkill(skill: SkillInput): Promise<SkillView>;
  removeSkill(name: string): Promise<boolean>;
  /** Starts a skill: one task, or a chain for a chain skill. */
  submitSkill(
    name: string,
    args: SkillArgs,
    request: Omit<TaskRequest, "prompt">,
  ): Promise<{ kind: "task"; taskId: string } | { kind: "chain"; chainId: string }>;

  contextSet(key: string, value: string): Promise<void>;
  contextGet(key: string): Promise<string | undefined>;
  contextDelete(key: string): Promise<boolean>;
  contextList(): Promise<Array<{ key: string; value: string }>>;

  close(): Promise<void>;
}

export interface Watch<T = string> {
  signal?: AbortSignal;
  onProgress?: (update: T) => void;
}

/** A task as a tool submits it; the Claude settings go into `config`. */
export interface TaskRequest {
  prompt: string;
  slot?: string;
  role?: string;
  priority?: number;
  tags?: string[];
  maxBudgetUsd?: number;
  timeoutMs?: number;
  fresh?: boolean;
  config?: ClaudeConfig;
}

export interface SlotUpdate {
  name?: string;
  role?: string;
  description?: string;
  config?: ClaudeConfig;
}

/** A task's state as a coordinator sees it: enough to decide what to do next. */
export interface TaskView {
  taskId: string;
  status: TaskStatus;
  prompt: string;
  slotId: string | null;
  output: string | null;
  structuredOutput?: unknown;
  spendUsd: number;
  tokens: TokenUsage;
  model: string | null;
  turns: number;
  durationMs: number | null;
  sessionId: string | null;
  error: TaskErrorInfo | null;
  tags: string[];
  createdAt: string;
  finishedAt: string | null;
}

export type ReviewView = ReviewState;

export interface SkillView {
  name: string;
  description: string;
  prompt: string;
  scope: SkillScope;
  source: SkillSource;
  arguments: Array<{ name: string; description: string; required: boolean }>;
  steps: number;
}

/** Tasks end in one of these; the rest are still on their way. */
export const ENDED: readonly TaskStatus[] = ["completed", "failed", "cancelled", "timed_out"];
