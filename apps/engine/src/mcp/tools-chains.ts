import {
  type ChainOptionsInput,
  type ChainProgress,
  type ChainStepInput,
  ISOLATIONS,
} from "@claude-pool/core";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import type { PoolBackend } from "./backend.js";
import { defineTool, type ToolContext, withHeartbeat } from "./define.js";
import {
  argumentMap,
  expecting,
  flag,
  input,
  oneOf,
  positiveInt,
  text,
  textList,
  usd,
  wholeNumber,
} from "./fields.js";
import { chainIdOutput, chainOut, chainOutput, fanOutChainsOutput, okOutput } from "./outputs.js";
import { effortOf, taskFields } from "./task-input.js";

/** A chain step as the crate's tools took it: `type` + `value` rather than a nested action. */
const stepInput = z.strictObject(
  {
    name: text("a step name").describe("Letters, digits, _ and -; later steps use {steps.<name>.<var>}"),
    type: oneOf(["prompt", "skill"]).describe(
      '"prompt" (value is the prompt) or "skill" (value is its name)',
    ),
    value: text().describe("The prompt, or the skill's name"),
    arguments: argumentMap().optional().describe("A skill step's arguments"),
    model: taskFields.model,
    effort: taskFields.effort,
    retries: wholeNumber(0, 10).optional().describe("Extra attempts after a failure"),
    recovery_prompt: text().optional().describe("Runs after the last failed attempt; {error} is the failure"),
    output_vars: z
      .record(z.string(), z.string({ error: expecting("a JSON dot path") }), {
        error: expecting("an object of variable name to JSON path"),
      })
      .optional()
      .describe("Variables taken from the step's JSON output"),
  },
  { error: expecting("a step object") },
);
type StepInput = z.output<typeof stepInput>;

const stepsInput = z
  .array(stepInput, { error: expecting("a list of steps") })
  .min(1, { error: () => "needs at least one step" })
  .max(100, { error: () => "takes at most 100 steps" });

const chainOptionFields = {
  tags: textList().optional(),
  isolation: oneOf(ISOLATIONS).optional().describe('"worktree": the chain works in its own git worktree'),
  timeout_ms: positiveInt().optional().describe("Per attempt of a step"),
  max_budget_usd: usd().optional().describe("For the whole chain"),
  model: taskFields.model,
};
type ChainOptionFields = { [K in keyof typeof chainOptionFields]?: z.output<(typeof chainOptionFields)[K]> };

export function stepsOf(steps: StepInput[]): ChainStepInput[] {
  return steps.map((s) => {
    const effort = effortOf(s.effort);
    const config = {
      ...(s.model !== undefined ? { model: s.model } : {}),
      ...(effort !== undefined ? { effort } : {}),
    };
    return {
      name: s.name,
      action:
        s.type === "skill"
          ? { type: "skill" as const, skill: s.value, arguments: s.arguments ?? {} }
          : { type: "prompt" as const, prompt: s.value },
      ...(Object.keys(config).length > 0 ? { config } : {}),
      failurePolicy: {
        retries: s.retries ?? 0,
        ...(s.recovery_prompt !== undefined ? { recoveryPrompt: s.recovery_prompt } : {}),
      },
      outputVars: s.output_vars ?? {},
    };
  });
}

export function chainOptionsOf(f: ChainOptionFields): ChainOptionsInput {
  return {
    ...(f.tags !== undefined ? { tags: f.tags } : {}),
    ...(f.isolation !== undefined ? { isolation: f.isolation } : {}),
    ...(f.timeout_ms !== undefined ? { timeoutMs: f.timeout_ms } : {}),
    ...(f.max_budget_usd !== undefined ? { maxBudgetUsd: f.max_budget_usd } : {}),
    ...(f.model !== undefined ? { config: { model: f.model } } : {}),
  };
}

function stepNote(p: ChainProgress): string {
  if (p.status !== "running") return `chain ${p.status}`;
  const at =
    p.currentStep === null
      ? "starting"
      : `step ${p.currentStep + 1}/${p.totalSteps} ${p.currentStepName ?? ""}`;
  return `chain running: ${at}`.trim();
}

function doneSteps(p: ChainProgress): number {
  return p.steps.filter((s) => s.status === "completed" || s.status === "skipped" || s.status === "failed")
    .length;
}

/** Waits for a chain, one progress notification per change (done = finished steps). */
export async function followChain(
  backend: PoolBackend,
  chainId: string,
  ctx: ToolContext,
): Promise<ChainProgress> {
  ctx.progress(`chain ${chainId} submitted`);
  return withHeartbeat(
    ctx,
    async () => stepNote(await backend.chain(chainId)),
    () =>
      backend.waitForChain(chainId, {
        signal: ctx.signal,
        onProgress: (p) => ctx.progress(stepNote(p), { done: doneSteps(p), total: p.totalSteps }),
      }),
  );
}

export function registerChainTools(server: McpServer, backend: PoolBackend, log: (m: string) => void): void {
  defineTool(
    server,
    "pool_chain",
    {
      title: "Chain Steps",
      description:
        "Run steps in order in one Claude session, each seeing {previous_output}; wait for the end. " +
        "Returns every step's status and output. Sends progress notifications per step. " +
        "For long chains use pool_submit_chain.",
      input: input({ steps: stepsInput, ...chainOptionFields }),
      output: chainOutput,
    },
    async (args, ctx) => {
      const { steps, ...options } = args;
      const chainId = await backend.submitChain(stepsOf(steps), chainOptionsOf(options));
      return chainOut(await followChain(backend, chainId, ctx));
    },
    log,
  );

  defineTool(
    server,
    "pool_submit_chain",
    {
      title: "Fire a Chain",
      description: "Start a chain and return its chain_id at once. Check on it with pool_chain_result.",
      input: input({ steps: stepsInput, ...chainOptionFields }),
      output: chainIdOutput,
    },
    async (args) => {
      const { steps, ...options } = args;
      const chainId = await backend.submitChain(stepsOf(steps), chainOptionsOf(options));
      return { chain_id: chainId, task_id: chainId };
    },
    log,
  );

  defineTool(
    server,
    "pool_chain_result",
    {
      title: "Check on a Chain",
      description:
        "A chain's per-step progress: the running step, finished steps with outputs, status and spend. " +
        "With wait: true, waits for it to end.",
      input: input({
        chain_id: text("a chain id").optional().describe("From pool_submit_chain"),
        task_id: text("a chain id").optional().describe("The crate's name for chain_id"),
        wait: flag().optional(),
      }),
      output: chainOutput,
      annotations: { readOnlyHint: true },
    },
    async (args, ctx) => {
      const chainId = args.chain_id ?? args.task_id;
      if (chainId === undefined) throw new Error("chain_id: is required (the id pool_submit_chain returned)");
      return chainOut(args.wait ? await followChain(backend, chainId, ctx) : await backend.chain(chainId));
    },
    log,
  );

  defineTool(
    server,
    "pool_cancel_chain",
    {
      title: "Cancel a Chain",
      description: "Cancel a running chain: its current step is stopped and the remaining steps are skipped.",
      input: input({ chain_id: text("a chain id").optional(), task_id: text("a chain id").optional() }),
      output: okOutput,
    },
    async (args) => {
      const chainId = args.chain_id ?? args.task_id;
      if (chainId === undefined) throw new Error("chain_id: is required (the id pool_submit_chain returned)");
      const cancelled = await backend.cancelChain(chainId);
      return {
        ok: cancelled,
        message: cancelled ? `chain ${chainId} cancelled` : `chain ${chainId} had already ended`,
      };
    },
    log,
  );

  defineTool(
    server,
    "pool_fan_out_chains",
    {
      title: "Fan Out Chains",
      description: "Start several chains in parallel (each a list of steps); returns their ids at once.",
      input: input({
        chains: z
          .array(stepsInput, { error: expecting("a list of chains, each a list of steps") })
          .min(1, { error: () => "needs at least one chain" })
          .max(50, { error: () => "takes at most 50 chains" }),
        ...chainOptionFields,
      }),
      output: fanOutChainsOutput,
    },
    async (args) => {
      const { chains, ...options } = args;
      const ids: string[] = [];
      for (const steps of chains)
        ids.push(await backend.submitChain(stepsOf(steps), chainOptionsOf(options)));
      return { chain_ids: ids, task_ids: ids };
    },
    log,
  );

  defineTool(
    server,
    "pool_invoke_workflow",
    {
      title: "Invoke Workflow",
      description:
        "Start a named workflow (a chain template, e.g. issue_to_pr, refactor_and_test, review_and_fix) " +
        "with its arguments; returns the chain_id at once.",
      input: input({
        workflow: text("a workflow name"),
        arguments: argumentMap().optional(),
        ...chainOptionFields,
      }),
      output: chainIdOutput.extend({ workflow: z.string() }),
    },
    async (args) => {
      const { workflow, arguments: workflowArgs, ...options } = args;
      const chainId = await backend.startWorkflow(workflow, workflowArgs ?? {}, chainOptionsOf(options));
      return { chain_id: chainId, task_id: chainId, workflow };
    },
    log,
  );
}
