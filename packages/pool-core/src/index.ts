export * from "./chains/index.js";
export { buildClaudeArgs, type ClaudeInvocation } from "./driver/args.js";
export { parseStreamLine, type ResultMessage, type StreamLine } from "./driver/messages.js";
export { type KillReason, type RunOutcome, type RunRequest, runClaude } from "./driver/run.js";
export * from "./errors.js";
export * from "./events.js";
export * from "./ids.js";
export * from "./money.js";
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
} from "./options.js";
export { Orchestration } from "./orchestration.js";
export { Pool } from "./pool.js";
export * from "./review/index.js";
export * from "./skills/index.js";
export * from "./store/index.js";
export * from "./types.js";
export * from "./workflows/index.js";
export { WorktreeManager } from "./worktree.js";
