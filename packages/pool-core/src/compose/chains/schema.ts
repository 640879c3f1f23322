import { z } from "zod";
import { claudeConfigSchema } from "../../domain/options.js";
import { RESERVED_NAMES } from "./template.js";

const STEP_NAME = /^[A-Za-z0-9_][A-Za-z0-9_-]*$/;
const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

export const skillArgValueSchema = z.union([z.string(), z.number(), z.boolean()]);

export const chainActionSchema = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("prompt"), prompt: z.string().trim().min(1, "must not be empty") }),
  z.strictObject({
    type: z.literal("skill"),
    skill: z.string().min(1),
    arguments: z.record(z.string(), skillArgValueSchema).default({}),
  }),
]);

export const failurePolicySchema = z.strictObject({
  /** Extra attempts after the first (each a fresh turn in the chain's session). */
  retries: z.number().int().min(0).max(10).default(0),
  /** Runs once after the last failed attempt; `{error}` is the failure. Its success lets the chain go on. */
  recoveryPrompt: z.string().trim().min(1, "must not be empty").optional(),
});

export const chainStepSchema = z.strictObject({
  name: z
    .string()
    .max(64, "at most 64 characters")
    .regex(
      STEP_NAME,
      "letters, digits, '_' and '-' only (no dots: steps are referenced as {steps.<name>.<var>})",
    ),
  action: chainActionSchema,
  config: claudeConfigSchema.optional(),
  failurePolicy: failurePolicySchema.default({ retries: 0 }),
  /** Variable name → dot path into the step's JSON (or structured) output. */
  outputVars: z
    .record(
      z
        .string()
        .regex(VAR_NAME, "letters, digits, '_' and '-' only, starting with a letter or '_'")
        .refine((name) => !(RESERVED_NAMES as readonly string[]).includes(name), { message: "is reserved" }),
      z.string(),
    )
    .default({}),
});

export const chainStepsSchema = z.array(chainStepSchema).min(1, "a chain needs at least one step").max(100);

export const ISOLATIONS = ["none", "worktree"] as const;
export type Isolation = (typeof ISOLATIONS)[number];

export const chainOptionsSchema = z.strictObject({
  tags: z.array(z.string().min(1)).default([]),
  /** `worktree`: the chain works in its own git worktree and branch, kept after it ends for review. */
  isolation: z.enum(ISOLATIONS).default("none"),
  priority: z.number().int().optional(),
  slot: z.string().min(1).optional(),
  role: z.string().min(1).optional(),
  /** Per attempt of a step. */
  timeoutMs: z.number().int().positive().optional(),
  /** For the whole chain: each step may spend what earlier steps left. */
  maxBudgetUsd: z.number().positive().optional(),
  /** Defaults for every step; a step's own config wins. */
  config: claudeConfigSchema.optional(),
  /** Working directory (when not isolated in a worktree). */
  cwd: z.string().min(1).optional(),
  submittedBy: z.string().optional(),
});

/** A chain step as callers write it: `failurePolicy` and `outputVars` may be omitted. */
export type ChainStepInput = z.input<typeof chainStepSchema>;
export type ChainStep = z.output<typeof chainStepSchema>;
export type ChainAction = ChainStep["action"];
export type ChainOptionsInput = z.input<typeof chainOptionsSchema>;
export type ChainOptions = z.output<typeof chainOptionsSchema>;

export type StepStatus =
  | "pending"
  | "running"
  | "recovering"
  | "completed"
  | "failed"
  | "cancelled"
  | "skipped";
export type ChainRunStatus = "running" | "completed" | "failed" | "cancelled";

export interface StepProgress {
  name: string;
  status: StepStatus;
  /** Attempts started, the recovery run included. */
  attempts: number;
  spendUsd: number;
  durationMs: number;
  /** The output of the attempt that succeeded (or the last one). */
  output: string | null;
  /** The step's output variables once it completed. */
  vars: Record<string, unknown>;
  /** Why the last attempt failed. */
  error: string | null;
  /** True when the recovery prompt is what let the chain continue. */
  recovered: boolean;
  taskIds: string[];
  startedAt: string | null;
  finishedAt: string | null;
}

/** What `chainResult` returns: the chain's state, persisted after every change. */
export interface ChainProgress {
  chainId: string;
  status: ChainRunStatus;
  totalSteps: number;
  /** Index of the step running now (null before the first and after the last). */
  currentStep: number | null;
  currentStepName: string | null;
  /** Text the current step has produced so far. */
  partialOutput: string;
  steps: StepProgress[];
  finalOutput: string | null;
  spendUsd: number;
  /** null while running. */
  success: boolean | null;
  error: string | null;
  sessionId: string | null;
  /**
   * uuid of the last assistant message of the chain's last attempt that succeeded; after an
   * attempt that got no reply, the next one resumes the session there (the failed prompt is dropped).
   */
  lastGoodMessageUuid?: string | null;
  /** Where the next attempt resumes the session (`--resume-session-at`); null: at its end. */
  sessionResumeAt?: string | null;
  worktreePath: string | null;
  branch: string | null;
  tags: string[];
  createdAt: string;
  finishedAt: string | null;
}
