// The public API of @claude-pool/core, by name. Anything not listed here is internal.

export {
  type ChainProblem,
  InvalidChainDefinition,
  type PlannedStep,
  planChain,
  type SkillLookup,
} from "./compose/chains/plan.js";
export type { ChainDefinition, ChainHost } from "./compose/chains/runner.js";
export {
  type ChainAction,
  type ChainOptions,
  type ChainOptionsInput,
  type ChainProgress,
  type ChainRunStatus,
  type ChainStep,
  type ChainStepInput,
  chainActionSchema,
  chainOptionsSchema,
  chainStepSchema,
  chainStepsSchema,
  failurePolicySchema,
  ISOLATIONS,
  type Isolation,
  type StepProgress,
  type StepStatus,
  skillArgValueSchema,
} from "./compose/chains/schema.js";
export {
  type FanOutChain,
  type FanOutChainResult,
  type FanOutItem,
  type FanOutOptions,
  type FanOutPool,
  type FanOutResult,
  fanOut,
  fanOutChains,
} from "./compose/fan-out.js";
export type { ReviewOptions, ReviewRound, ReviewState, ReviewStatus } from "./compose/review.js";
export { BUILTIN_SKILLS } from "./compose/skills/builtins.js";
export {
  type LoadedSkill,
  loadSkillsDir,
  parseSkillMarkdown,
  type SkillProblem,
  type SkillsDirContents,
} from "./compose/skills/loader.js";
export {
  defaultGlobalSkillsDir,
  projectSkillsDir,
  type SkillListQuery,
  SkillRegistry,
  type SkillRegistryOptions,
} from "./compose/skills/registry.js";
export { assertSkillArguments, renderSkillPrompt, skillArgumentProblems } from "./compose/skills/render.js";
export type { SkillRunOptions, SkillRunResult, SkillSubmission } from "./compose/skills/run.js";
export {
  type RegisteredSkill,
  SKILL_SCOPES,
  SKILL_SOURCES,
  type Skill,
  type SkillArgs,
  type SkillArgument,
  type SkillInput,
  type SkillScope,
  type SkillSource,
  type SkillStep,
  skillArgumentSchema,
  skillNameSchema,
  skillSchema,
  skillStepSchema,
} from "./compose/skills/schema.js";
export { BUILTIN_WORKFLOWS } from "./compose/workflows/builtins.js";
export {
  InvalidWorkflowArguments,
  type Workflow,
  type WorkflowInput,
  type WorkflowInstance,
  WorkflowRegistry,
  workflowSchema,
} from "./compose/workflows/registry.js";
export { type PoolClock, realClock } from "./domain/clock.js";
export {
  CONTEXT_KEY_LIMIT_BYTES,
  CONTEXT_TOTAL_LIMIT_BYTES,
  CONTEXT_VALUE_LIMIT_BYTES,
  ContextTooLarge,
} from "./domain/context-limits.js";
export {
  BudgetExceeded,
  Cancelled,
  ChainNotFound,
  ClaudeCliNotFound,
  InvalidChain,
  InvalidOptions,
  InvalidSkillArguments,
  NoSlotsAvailable,
  PoolDraining,
  PoolError,
  type PoolErrorCode,
  QuotaExhausted,
  type SkillArgumentProblem,
  SkillNotFound,
  SlotNotFound,
  TaskFailed,
  TaskNotFound,
  Timeout,
  WorktreeError,
} from "./domain/errors.js";
export { type PoolEvent, PoolEvents, type PoolEventType } from "./domain/events.js";
export { newId } from "./domain/ids.js";
export { MICROS_PER_USD, type Micros, microsToUsd, usdToMicros } from "./domain/money.js";
export {
  claudeConfigSchema,
  mergeConfig,
  type PoolConfig,
  type PoolOptions,
  type PoolOptionsInput,
  poolOptionsSchema,
  type SlotSpec,
  type TaskOptions,
  type TaskOptionsInput,
  taskOptionsSchema,
} from "./domain/options.js";
export { assertAllInside, assertInside, assertRelativeInside } from "./domain/paths.js";
export {
  assertBypassAllowed,
  BYPASS_MODE,
  type BypassRequest,
  bypassRequests,
  usesBypassPermissions,
} from "./domain/permissions.js";
export type { TaskOutputEvent, TaskRunner } from "./domain/task-runner.js";
export {
  type ClaudeConfig,
  type DrainSummary,
  EFFORTS,
  type Effort,
  isTerminal,
  PERMISSION_MODES,
  type PermissionMode,
  type PoolStatus,
  type SessionMode,
  type SlotInfo,
  type SlotState,
  type TaskErrorInfo,
  type TaskResult,
  type TaskSpend,
  type TaskStatus,
  TERMINAL_STATUSES,
  type TokenUsage,
  type UsageLimitStatus,
} from "./domain/types.js";
export { buildClaudeArgs, type ClaudeInvocation } from "./driver/args.js";
export { parseStreamLine, type ResultMessage, type StreamLine } from "./driver/messages.js";
export type { Driver, DriverKind, SlotDriver } from "./driver/port.js";
export { type KillReason, type RunOutcome, type RunRequest, runClaude } from "./driver/run.js";
export { credentialKeyOf } from "./pool/credential.js";
export { Pool } from "./pool/pool.js";
export { StoreListeners } from "./store/listeners.js";
export { addTokens, InMemoryStore, type InMemoryStoreOptions, ZERO_TOKENS } from "./store/memory.js";
export type {
  BudgetState,
  ChainRecord,
  ChainStatus,
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
  TeamBudgetState,
} from "./store/port.js";
export { BUDGET_STOP_REASONS, isCostSample, RECENT_TASK_COSTS } from "./store/port.js";
export { type CapRoom, shortOf } from "./store/reservation.js";
export {
  boundPatch,
  type NewTaskDiff,
  storedDiff,
  TASK_DIFF_PATCH_LIMIT_BYTES,
  type TaskDiff,
  type TaskDiffFile,
} from "./store/task-diff.js";
export { WorktreeManager } from "./worktrees/manager.js";
