import { InvalidOptions, SlotNotFound } from "../domain/errors.js";
import { newId } from "../domain/ids.js";
import { usdToMicros } from "../domain/money.js";
import {
  type PoolOptions,
  parseOptions,
  type TaskOptions,
  type TaskOptionsInput,
  taskOptionsSchema,
} from "../domain/options.js";
import type { NewTask } from "../store/port.js";
import { assertConfigAllowed } from "./config-checks.js";
import type { Slot } from "./slot.js";

/** What the schema makes of `{}`, parsed once: most tasks pass no options, and a zod parse per task was a tenth of the pool's own cost. */
let parsedDefaults: TaskOptions | undefined;
function defaultTaskOptions(): TaskOptions {
  parsedDefaults ??= parseOptions(taskOptionsSchema, {}, "task");
  return { ...parsedDefaults, tags: [...parsedDefaults.tags] };
}

function isEmpty(options: unknown): boolean {
  return (
    typeof options === "object" &&
    options !== null &&
    Object.getPrototypeOf(options) === Object.prototype &&
    Object.keys(options).length === 0
  );
}

/**
 * A submitted prompt as the task the store queues: options validated, the slot or role it asks
 * for checked against the pool's slots, pool defaults filled in. Throws InvalidOptions or
 * SlotNotFound naming what was wrong.
 */
export function newTaskFrom(
  poolId: string,
  opts: PoolOptions,
  slots: readonly Slot[],
  prompt: unknown,
  options: TaskOptionsInput,
): NewTask {
  if (typeof prompt !== "string" || prompt.trim() === "") {
    throw new InvalidOptions("prompt", prompt, "a non-empty string");
  }
  const o = isEmpty(options) ? defaultTaskOptions() : parseOptions(taskOptionsSchema, options, "task");
  assertConfigAllowed(opts, opts.claude.cwd ?? process.cwd(), o.config, "task.config");
  let targetSlotId: string | null = null;
  if (o.slot !== undefined) {
    const slot = slots.find((s) => s.isNamed(o.slot ?? ""));
    if (!slot) throw new SlotNotFound(o.slot);
    targetSlotId = slot.id;
  }
  if (o.role !== undefined && !slots.some((s) => s.role === o.role)) {
    const roles = [...new Set(slots.map((s) => s.role).filter((r) => r !== null))];
    throw new InvalidOptions(
      "task.role",
      o.role,
      `a role of one of the slots (${roles.join(", ") || "none set"})`,
    );
  }
  return {
    id: newId(),
    poolId,
    prompt,
    priority: o.priority,
    targetSlotId,
    targetRole: o.role ?? null,
    config: o.config ?? {},
    sessionMode: o.fresh ? "fresh" : opts.config.sessionMode,
    explicitSession: o.session ?? null,
    cwd: o.cwd ?? null,
    tags: o.tags,
    maxBudgetMicros: o.maxBudgetUsd === undefined ? null : usdToMicros(o.maxBudgetUsd),
    timeoutMs: o.timeoutMs ?? opts.config.timeoutMs ?? null,
    chainId: o.chainId ?? null,
    chainStep: o.chainStep ?? null,
    parentTaskId: o.parentTaskId ?? null,
    submittedBy: o.submittedBy ?? null,
    skill: o.skill ?? null,
  };
}
