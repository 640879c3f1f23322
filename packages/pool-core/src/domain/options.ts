import { z } from "zod";
import type { Store } from "../store/port.js";
import type { PoolClock } from "./clock.js";
import { type ClaudeConfig, EFFORTS, PERMISSION_MODES } from "./types.js";

const positiveUsd = z.number().positive().finite();

export const claudeConfigSchema = z.strictObject({
  model: z.string().min(1).optional(),
  fallbackModel: z.string().min(1).optional(),
  effort: z.enum(EFFORTS).optional(),
  permissionMode: z.enum(PERMISSION_MODES).optional(),
  allowedTools: z.array(z.string().min(1)).optional(),
  disallowedTools: z.array(z.string().min(1)).optional(),
  maxTurns: z.number().int().positive().optional(),
  jsonSchema: z.record(z.string(), z.unknown()).optional(),
  systemPrompt: z.string().optional(),
  addDirs: z.array(z.string().min(1)).optional(),
});

export const poolConfigSchema = claudeConfigSchema.extend({
  /** The pool's cap. Unset: no cap (spend is still recorded). */
  budgetUsd: positiveUsd.optional(),
  /** Default per-task reservation. Unset: the cap divided by the number of slots. */
  taskBudgetUsd: positiveUsd.optional(),
  /** Below this remaining budget, new work is refused with BudgetExceeded. */
  minTaskBudgetUsd: positiveUsd.default(0.01),
  sessionMode: z.enum(["resume", "fresh"]).default("resume"),
  /**
   * The explicit opt-in without which `permissionMode: "bypassPermissions"` (on the pool, a slot
   * or a task) and `--dangerously-skip-permissions` are refused. See domain/permissions.ts.
   */
  allowBypassPermissions: z.boolean().optional(),
  worktree: z.union([z.boolean(), z.strictObject({ baseDir: z.string().min(1).optional() })]).default(false),
  /** Queued tasks beyond this are refused with NoSlotsAvailable. */
  maxQueue: z.number().int().positive().default(10_000),
  /** Default per-task timeout. */
  timeoutMs: z.number().int().positive().optional(),
  /** How long a task parked by a usage limit waits when the CLI gives no reset time. */
  quotaRetryMs: z.number().int().positive().default(60_000),
  /** A task parks for usage limits at most this many times, then gets one last try before QuotaExhausted. */
  maxQuotaWaits: z.number().int().nonnegative().default(5),
  /**
   * Whether a task's `timeoutMs` also bounds its waits for a usage limit to reset (default). Set
   * false to let a task wait out a usage limit however long; its runs stay bounded.
   */
  timeoutIncludesQuotaWaits: z.boolean().default(true),
  /** A plain 429 (a rate limit, no reset time) is retried this many times before the task fails. */
  maxRateLimitRetries: z.number().int().nonnegative().default(3),
  /** First backoff after a 429 (doubling each retry, at most 60 s); the API's retry-after wins when longer. */
  rateLimitBackoffMs: z.number().int().positive().default(1_000),
});

export const slotSpecSchema = z.strictObject({
  name: z.string().min(1).optional(),
  role: z.string().min(1).optional(),
  description: z.string().optional(),
  config: claudeConfigSchema.optional(),
});

/**
 * A slot as `Pool.create` takes it: `env` (over `claude.env`) can run the slot on another Claude
 * account (its own ANTHROPIC_API_KEY or CLAUDE_CONFIG_DIR), so a usage limit of the pool's main
 * account does not stop it. Only at creation: `configureSlot` takes no env (no secrets over the API).
 */
export const poolSlotSpecSchema = slotSpecSchema.extend({
  env: z.record(z.string(), z.string()).optional(),
});

export const poolOptionsSchema = z.strictObject({
  slots: z.union([z.number().int().min(1).max(256), z.array(poolSlotSpecSchema).min(1).max(256)]),
  /** Identifies the pool in the store; stable across restarts to recover its work. */
  poolId: z.string().min(1).optional(),
  name: z.string().min(1).optional(),
  claude: z
    .strictObject({
      bin: z.string().min(1).default("claude"),
      /** How slots talk to the CLI: a process per task (cold), one kept per slot (warm), or none (in-process fake). */
      driver: z.enum(["cold", "warm", "in-process"]).default("warm"),
      cwd: z.string().min(1).optional(),
      env: z.record(z.string(), z.string()).optional(),
      extraArgs: z.array(z.string()).optional(),
      mcpServers: z.record(z.string(), z.unknown()).optional(),
    })
    .default({ bin: "claude", driver: "warm" }),
  config: poolConfigSchema.default({
    minTaskBudgetUsd: 0.01,
    sessionMode: "resume",
    worktree: false,
    maxQueue: 10_000,
    quotaRetryMs: 60_000,
    maxQuotaWaits: 5,
    timeoutIncludesQuotaWaits: true,
    maxRateLimitRetries: 3,
    rateLimitBackoffMs: 1_000,
  }),
  /** Where skills come from besides the builtins and runtime registrations. */
  skills: z
    .strictObject({
      /** Default `~/.claude-pool/skills`; null loads none. */
      globalDir: z.string().min(1).nullable().optional(),
      /** Default `claude.cwd`: its `.claude-pool/skills/<name>/SKILL.md` are loaded. */
      projectDir: z.string().min(1).optional(),
      builtins: z.boolean().optional(),
    })
    .optional(),
  engineId: z.string().min(1).optional(),
  /**
   * Keep every path the options name (`config.worktree.baseDir`, `addDirs` of the pool, a slot or
   * a task) inside `claude.cwd`: no absolute path, no `..` out, no symlink out. The engine sets it
   * for the pools it serves; a library user naming their own paths may leave it off.
   */
  confinePaths: z.boolean().optional(),
  /** How long a claimed task stays ours without renewal (shared stores). */
  leaseMs: z.number().int().positive().default(30_000),
  /** How often idle slots look for claimable work besides store notifications. */
  pollIntervalMs: z.number().int().positive().default(1_000),
});

export type PoolOptionsInput = z.input<typeof poolOptionsSchema> & {
  store?: Store;
  /** The pool's time (tests inject one so backoffs and deadlines take no real time). */
  clock?: PoolClock;
};
export type PoolOptions = z.output<typeof poolOptionsSchema>;
export type PoolConfig = z.output<typeof poolConfigSchema>;
export type SlotSpec = z.output<typeof slotSpecSchema>;
export type PoolSlotSpec = z.output<typeof poolSlotSpecSchema>;

export const taskOptionsSchema = z.strictObject({
  /** Run on this slot (id or name). */
  slot: z.string().min(1).optional(),
  /** Run on any slot with this role. */
  role: z.string().min(1).optional(),
  /** Higher runs first; FIFO within a priority. */
  priority: z.number().int().min(-1000).max(1000).default(0),
  tags: z.array(z.string().min(1)).default([]),
  maxBudgetUsd: positiveUsd.optional(),
  timeoutMs: z.number().int().positive().optional(),
  /** Start a new Claude session instead of resuming the slot's. */
  fresh: z.boolean().optional(),
  /** Run in this Claude session (resume it; null = a new one) and leave the slot's session alone. */
  session: z
    .strictObject({
      resume: z.string().min(1).nullable(),
      /** Resume at this message (the last good one), dropping what came after it, e.g. a prompt that got no reply. */
      at: z.string().min(1).nullable().optional(),
    })
    .optional(),
  /** Working directory for this task (e.g. a chain's worktree). */
  cwd: z.string().min(1).optional(),
  config: claudeConfigSchema.optional(),
  chainId: z.string().optional(),
  chainStep: z.string().optional(),
  parentTaskId: z.string().optional(),
  submittedBy: z.string().optional(),
  skill: z.string().optional(),
});
export type TaskOptionsInput = z.input<typeof taskOptionsSchema>;
export type TaskOptions = z.output<typeof taskOptionsSchema>;

export { parseOptions } from "./option-errors.js";

/** Task over slot over pool, key by key; undefined keys never overwrite. */
export function mergeConfig(...layers: Array<ClaudeConfig | undefined>): ClaudeConfig {
  const out: Record<string, unknown> = {};
  for (const layer of layers) {
    if (!layer) continue;
    for (const [k, v] of Object.entries(layer)) if (v !== undefined) out[k] = v;
  }
  return out as ClaudeConfig;
}

/** The Claude settings part of the pool config (without budget and scheduling fields). */
export function claudeConfigOf(config: PoolConfig): ClaudeConfig {
  const keys = Object.keys(claudeConfigSchema.shape) as Array<keyof ClaudeConfig>;
  const out: Record<string, unknown> = {};
  for (const k of keys) if (config[k] !== undefined) out[k] = config[k];
  return out as ClaudeConfig;
}
