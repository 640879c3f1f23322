import { type ClaudeConfig, EFFORTS, type Effort, PERMISSION_MODES } from "@claude-pool/core";
import type { z } from "zod";
import type { TaskRequest } from "./backend.js";
import { flag, jsonObject, oneOf, positiveInt, text, textList, usd, wholeNumber } from "./fields.js";

/** The crate accepted `min` as an effort; it means `low`. */
const EFFORT_INPUTS = ["min", ...EFFORTS] as const;

/** Per-task fields every task-starting tool accepts (the crate's names). */
export const taskFields = {
  model: text("a model name or alias").optional().describe("Model for this task, e.g. sonnet, haiku, opus"),
  effort: oneOf(EFFORT_INPUTS).optional().describe("Effort: low, medium, high, xhigh or max (min = low)"),
  tags: textList().optional().describe("Tags for grouping and reports"),
  max_budget_usd: usd().optional().describe("Cap for this task in USD"),
  timeout_ms: positiveInt().optional().describe("Stop the task after this many milliseconds"),
  slot: text("a slot id or name").optional().describe("Run on this slot (id or name)"),
  role: text("a slot role").optional().describe("Run on any slot with this role"),
  priority: wholeNumber(-1000, 1000).optional().describe("Higher runs first"),
  fresh: flag().optional().describe("Start a new Claude session instead of the slot's"),
  allowed_tools: textList().optional().describe("Claude Code tools the task may use without asking"),
  disallowed_tools: textList().optional().describe("Claude Code tools the task may not use"),
  permission_mode: oneOf(PERMISSION_MODES).optional().describe("Claude Code permission mode"),
  json_schema: jsonObject("a JSON schema object").optional().describe("JSON schema for structured output"),
};

type TaskFields = { [K in keyof typeof taskFields]?: z.output<(typeof taskFields)[K]> };

export function effortOf(effort: string | undefined): Effort | undefined {
  if (effort === undefined) return undefined;
  return effort === "min" ? "low" : (effort as Effort);
}

export function taskRequestOf(prompt: string, f: TaskFields): TaskRequest {
  return { prompt, ...taskOptionsOf(f) };
}

/** Snake-case tool fields → the pool's task options, leaving out what was not given. */
export function taskOptionsOf(f: TaskFields): Omit<TaskRequest, "prompt"> {
  const config: ClaudeConfig = {};
  if (f.model !== undefined) config.model = f.model;
  const effort = effortOf(f.effort);
  if (effort !== undefined) config.effort = effort;
  if (f.allowed_tools !== undefined) config.allowedTools = f.allowed_tools;
  if (f.disallowed_tools !== undefined) config.disallowedTools = f.disallowed_tools;
  if (f.permission_mode !== undefined) config.permissionMode = f.permission_mode;
  if (f.json_schema !== undefined) config.jsonSchema = f.json_schema;
  return {
    ...(f.slot !== undefined ? { slot: f.slot } : {}),
    ...(f.role !== undefined ? { role: f.role } : {}),
    ...(f.priority !== undefined ? { priority: f.priority } : {}),
    ...(f.tags !== undefined ? { tags: f.tags } : {}),
    ...(f.max_budget_usd !== undefined ? { maxBudgetUsd: f.max_budget_usd } : {}),
    ...(f.timeout_ms !== undefined ? { timeoutMs: f.timeout_ms } : {}),
    ...(f.fresh !== undefined ? { fresh: f.fresh } : {}),
    ...(Object.keys(config).length > 0 ? { config } : {}),
  };
}
