import { claudeConfigSchema, TERMINAL_STATUSES } from "@claude-pool/core";
import { z } from "zod";

/** Inputs of the tasks router. Messages name the field. */

export const TASK_STATUSES = ["queued", "running", "waiting_for_quota", ...TERMINAL_STATUSES] as const;

export const promptInput = z
  .string({ error: "prompt must be a string" })
  .trim()
  .min(1, "prompt must not be empty")
  .max(200_000, "prompt must be at most 200000 characters");

/** Per-task options of DESIGN.md's `tasks.submit` (slot or role routing, priority, caps…). */
export const taskOptionsInput = z.object({
  slot: z.string().trim().min(1, "slot must not be empty").optional(),
  role: z.string().trim().min(1, "role must not be empty").optional(),
  priority: z
    .number({ error: "priority must be a number" })
    .int("priority must be a whole number")
    .min(-1000, "priority must be at least -1000")
    .max(1000, "priority must be at most 1000")
    .optional(),
  tags: z
    .array(z.string().trim().min(1, "a tag must not be empty").max(100), {
      error: "tags must be a list of strings",
    })
    .max(20, "at most 20 tags")
    .optional(),
  maxBudgetUsd: z
    .number({ error: "maxBudgetUsd must be a number" })
    .positive("maxBudgetUsd must be more than 0")
    .finite()
    .optional(),
  timeoutMs: z
    .number({ error: "timeoutMs must be a number" })
    .int("timeoutMs must be a whole number")
    .positive("timeoutMs must be more than 0")
    .max(86_400_000, "timeoutMs must be at most a day")
    .optional(),
  fresh: z.boolean({ error: "fresh must be true or false" }).optional(),
  config: claudeConfigSchema.optional(),
});

export type TaskOptionsFields = z.output<typeof taskOptionsInput>;

/** Only the options that were given (pool-core's parser treats a present `undefined` like a value). */
export function definedOptions<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export const lastEventIdInput = z.object({
  lastEventId: z.string().regex(/^\d+$/, "lastEventId must be the id of an event of this stream").nullish(),
});
