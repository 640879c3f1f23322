import { SKILL_SCOPES, SKILL_SOURCES } from "@claude-pool/core";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import type { PoolBackend } from "./backend.js";
import { defineTool } from "./define.js";
import { anyText, argumentMap, expecting, flag, input, jsonObject, oneOf, text } from "./fields.js";
import {
  chainOut,
  okOutput,
  skillListOutput,
  skillOut,
  skillOutput,
  skillRunOutput,
  taskOut,
} from "./outputs.js";
import { taskFields, taskOptionsOf } from "./task-input.js";
import { followChain } from "./tools-chains.js";
import { failureText, followTask } from "./tools-tasks.js";

const skillArgument = z.strictObject(
  {
    name: text("an argument name"),
    description: anyText().optional(),
    required: flag().optional(),
  },
  { error: expecting("an argument object") },
);

export function registerSkillTools(server: McpServer, backend: PoolBackend, log: (m: string) => void): void {
  defineTool(
    server,
    "pool_skill_list",
    {
      title: "List Skills",
      description:
        "Skills the pool can run (builtin, global ~/.claude-pool/skills, project .claude-pool/skills, runtime), " +
        "optionally filtered by scope or source.",
      input: input({ scope: oneOf(SKILL_SCOPES).optional(), source: oneOf(SKILL_SOURCES).optional() }),
      output: skillListOutput,
      annotations: { readOnlyHint: true },
    },
    async (args) => {
      const skills = await backend.listSkills({
        ...(args.scope ? { scope: args.scope } : {}),
        ...(args.source ? { source: args.source } : {}),
      });
      return { skills: skills.map(skillOut).sort((a, b) => a.name.localeCompare(b.name)) };
    },
    log,
  );

  defineTool(
    server,
    "pool_skill_get",
    {
      title: "Get Skill Details",
      description: "A skill's prompt template, arguments, scope and source.",
      input: input({ name: text("a skill name") }),
      output: skillOutput,
      annotations: { readOnlyHint: true },
    },
    async (args) => skillOut(await backend.getSkill(args.name)),
    log,
  );

  defineTool(
    server,
    "pool_skill_run",
    {
      title: "Run a Skill",
      description:
        "Run a skill by name with its arguments and wait for it (a chain skill runs as a chain). " +
        "Missing or unknown arguments are refused before anything runs.",
      input: input({
        skill: text("a skill name"),
        arguments: argumentMap().optional(),
        model: taskFields.model,
        effort: taskFields.effort,
        tags: taskFields.tags,
        max_budget_usd: taskFields.max_budget_usd,
      }),
      output: skillRunOutput,
    },
    async (args, ctx) => {
      const { skill, arguments: skillArgs, ...fields } = args;
      const started = await backend.submitSkill(skill, skillArgs ?? {}, taskOptionsOf(fields));
      if (started.kind === "task") {
        const view = await followTask(backend, started.taskId, ctx);
        if (view.status !== "completed") throw new Error(failureText(view));
        const task = taskOut(view);
        return {
          skill,
          kind: "task" as const,
          output: task.output,
          spend_usd: task.spend_usd,
          task,
          chain: null,
        };
      }
      const chain = chainOut(await followChain(backend, started.chainId, ctx));
      return {
        skill,
        kind: "chain" as const,
        output: chain.final_output,
        spend_usd: chain.spend_usd,
        task: null,
        chain,
      };
    },
    log,
  );

  defineTool(
    server,
    "pool_skill_add",
    {
      title: "Add a Skill",
      description:
        "Register a skill at runtime (kept until the pool restarts). Use {argument} placeholders in the prompt.",
      input: input({
        name: text("a skill name"),
        description: anyText().optional(),
        prompt: text("a prompt template"),
        arguments: z.array(skillArgument, { error: expecting("a list of arguments") }).optional(),
        scope: oneOf(["task", "coordinator"]).optional().describe("task (default) or coordinator"),
        config: jsonObject("an object of Claude settings (model, effort…)").optional(),
      }),
      output: skillOutput,
    },
    async (args) =>
      skillOut(
        await backend.addSkill({
          name: args.name,
          prompt: args.prompt,
          ...(args.description !== undefined ? { description: args.description } : {}),
          ...(args.arguments ? { arguments: args.arguments } : {}),
          ...(args.scope ? { scope: args.scope } : {}),
          // pool-core validates the config's fields and names the one that is wrong.
          ...(args.config ? { config: args.config } : {}),
        }),
      ),
    log,
  );

  defineTool(
    server,
    "pool_skill_remove",
    {
      title: "Remove a Skill",
      description: "Remove a skill added at runtime (builtin and file skills stay).",
      input: input({ name: text("a skill name") }),
      output: okOutput,
    },
    async (args) => {
      const removed = await backend.removeSkill(args.name);
      return {
        ok: removed,
        message: removed ? `skill ${args.name} removed` : `no runtime skill named ${args.name}`,
      };
    },
    log,
  );
}
