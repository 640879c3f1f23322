import { Cancelled, TaskFailed } from "../../domain/errors.js";
import type { TaskOptionsInput } from "../../domain/options.js";
import type { TaskRunner } from "../../domain/task-runner.js";
import type { TaskResult } from "../../domain/types.js";
import { chainStepsFromSkill } from "../chains/from-skill.js";
import type { ChainRunner } from "../chains/runner.js";
import type { ChainOptionsInput, ChainProgress, Isolation } from "../chains/schema.js";
import { lastTaskId } from "../fan-out.js";
import type { SkillRegistry } from "./registry.js";
import { assertSkillArguments, renderSkillPrompt } from "./render.js";
import type { RegisteredSkill, SkillArgs } from "./schema.js";

/** Task options, plus `isolation` for chain skills. */
export type SkillRunOptions = TaskOptionsInput & { isolation?: Isolation };

export type SkillSubmission = { kind: "task"; taskId: string } | { kind: "chain"; chainId: string };

/** What a skill produced: the same fields whichever its scope, plus the task or the chain. */
export interface SkillRunResult {
  skill: string;
  output: string;
  spendUsd: number;
  sessionId: string | null;
  /** Set for task and coordinator skills. */
  task: TaskResult | null;
  /** Set for chain skills. */
  chain: ChainProgress | null;
}

export interface SkillHost {
  pool: TaskRunner;
  chains: Pick<ChainRunner, "submit" | "result">;
  skills: Pick<SkillRegistry, "require">;
}

/**
 * Validates the arguments and starts the skill: one task, or a chain for a chain skill. Throws
 * `SkillNotFound` or `InvalidSkillArguments` (listing every problem) before anything runs.
 */
export async function submitSkill(
  host: SkillHost,
  name: string,
  args: SkillArgs = {},
  options: SkillRunOptions = {},
): Promise<SkillSubmission> {
  const skill = host.skills.require(name);
  assertSkillArguments(skill, args);
  const { isolation, ...taskOptions } = options;
  if (skill.scope === "chain") {
    const chainId = await host.chains.submit(chainStepsFromSkill(skill, args), chainOptions(skill, options));
    return { kind: "chain", chainId };
  }
  const taskId = await host.pool.submit(renderSkillPrompt(skill, args), {
    ...taskOptions,
    config: { ...skill.config, ...taskOptions.config },
    tags: [...(taskOptions.tags ?? []), `skill:${skill.name}`],
    skill: skill.name,
  });
  return { kind: "task", taskId };
}

/**
 * Runs a skill and waits for it. A failed task throws its typed error; a failed chain throws
 * `TaskFailed` (reason `chain_failed`) naming the step, a cancelled one `Cancelled`.
 *
 * @example
 * const { output } = await runSkill(host, "code_review", { path: "src/" });
 */
export async function runSkill(
  host: SkillHost,
  name: string,
  args: SkillArgs = {},
  options: SkillRunOptions = {},
): Promise<SkillRunResult> {
  const submission = await submitSkill(host, name, args, options);
  if (submission.kind === "task") {
    const task = await host.pool.result(submission.taskId, { wait: true });
    if (!task) throw new Cancelled(submission.taskId);
    return {
      skill: name,
      output: task.output,
      spendUsd: task.spendUsd,
      sessionId: task.sessionId,
      task,
      chain: null,
    };
  }
  const chain = await host.chains.result(submission.chainId, { wait: true });
  if (chain.status === "cancelled") throw new Cancelled(lastTaskId(chain) ?? submission.chainId);
  if (!chain.success) {
    throw new TaskFailed(
      lastTaskId(chain) ?? submission.chainId,
      chain.error ?? "the chain failed",
      "chain_failed",
    );
  }
  return {
    skill: name,
    output: chain.finalOutput ?? "",
    spendUsd: chain.spendUsd,
    sessionId: chain.sessionId,
    task: null,
    chain,
  };
}

function chainOptions(skill: RegisteredSkill, options: SkillRunOptions): ChainOptionsInput {
  return {
    tags: [...(options.tags ?? []), `skill:${skill.name}`],
    ...(options.isolation === undefined ? {} : { isolation: options.isolation }),
    ...(options.priority === undefined ? {} : { priority: options.priority }),
    ...(options.slot === undefined ? {} : { slot: options.slot }),
    ...(options.role === undefined ? {} : { role: options.role }),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.maxBudgetUsd === undefined ? {} : { maxBudgetUsd: options.maxBudgetUsd }),
    ...(options.config === undefined ? {} : { config: options.config }),
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    ...(options.submittedBy === undefined ? {} : { submittedBy: options.submittedBy }),
  };
}
