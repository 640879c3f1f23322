import { type TaskStatus, TERMINAL_STATUSES } from "@claude-pool/core";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import type { PoolBackend, TaskView } from "./backend.js";
import { defineTool, type ToolContext, withHeartbeat } from "./define.js";
import { anyText, expecting, flag, input, oneOf, text, wholeNumber } from "./fields.js";
import {
  drainOut,
  drainOutput,
  fanOutOutput,
  okOutput,
  statusOut,
  statusOutput,
  taskListOutput,
  taskOut,
  taskOutput,
} from "./outputs.js";
import { taskFields, taskRequestOf } from "./task-input.js";

const STATUSES = [
  "queued",
  "running",
  "waiting_for_quota",
  ...TERMINAL_STATUSES,
] as const satisfies readonly TaskStatus[];

/** A task that did not complete is a tool error whose text says why (and keeps any partial output). */
export function failureText(view: TaskView): string {
  const why = view.error ? `${view.error.code}: ${view.error.message}` : view.status;
  const partial = view.output ? `\npartial output:\n${view.output}` : "";
  return `task ${view.taskId} ended ${view.status}: ${why}${partial}`;
}

/** Waits for a task, telling the caller where it is, and returns it once it has ended. */
export async function followTask(backend: PoolBackend, taskId: string, ctx: ToolContext): Promise<TaskView> {
  ctx.progress(`queued as task ${taskId}`);
  return withHeartbeat(
    ctx,
    async () => {
      const t = await backend.task(taskId);
      return t.status === "queued" ? `still queued (task ${taskId})` : `${t.status} (task ${taskId})`;
    },
    () => backend.waitForTask(taskId, { signal: ctx.signal, onProgress: (m) => ctx.progress(m) }),
  );
}

export function registerTaskTools(server: McpServer, backend: PoolBackend, log: (m: string) => void): void {
  defineTool(
    server,
    "pool_status",
    {
      title: "Pool Status",
      description:
        "The pool's slots (name, role, state, current task), queue depth, spend and budget, and usage_limit: when the account is over its usage limit, the reset time its parked tasks wait for.",
      input: input({}),
      output: statusOutput,
      annotations: { readOnlyHint: true },
    },
    async () => statusOut(backend.label, await backend.status()),
    log,
  );

  defineTool(
    server,
    "pool_run",
    {
      title: "Run a Task",
      description:
        "Run a prompt on the next free slot and wait for it. Returns the task's output, spend, tokens and model. " +
        "Sends progress notifications while it waits. For long work use pool_submit and pool_result.",
      input: input({ prompt: text().describe("The task for the slot"), ...taskFields }),
      output: taskOutput,
    },
    async (args, ctx) => {
      const { prompt, ...fields } = args;
      const taskId = await backend.submit(taskRequestOf(prompt, fields));
      const view = await followTask(backend, taskId, ctx);
      if (view.status !== "completed") throw new Error(failureText(view));
      return taskOut(view);
    },
    log,
  );

  defineTool(
    server,
    "pool_submit",
    {
      title: "Fire a Task",
      description: "Queue a prompt and return its task_id at once. Check on it with pool_result.",
      input: input({ prompt: text().describe("The task for the slot"), ...taskFields }),
      output: z.object({ task_id: z.string(), status: z.string() }),
    },
    async (args) => {
      const { prompt, ...fields } = args;
      return { task_id: await backend.submit(taskRequestOf(prompt, fields)), status: "queued" };
    },
    log,
  );

  defineTool(
    server,
    "pool_result",
    {
      title: "Check on a Task",
      description:
        "A task's state and, once it has ended, its output, spend and tokens (output is null while it runs). " +
        "With wait: true, waits for it to end.",
      input: input({
        task_id: text("a task id").describe("From pool_submit"),
        wait: flag().optional().describe("Wait until the task has ended"),
      }),
      output: taskOutput,
      annotations: { readOnlyHint: true },
    },
    async (args, ctx) => {
      const view = args.wait
        ? await followTask(backend, args.task_id, ctx)
        : await backend.task(args.task_id);
      return taskOut(view);
    },
    log,
  );

  defineTool(
    server,
    "pool_cancel",
    {
      title: "Cancel a Task",
      description: "Cancel a queued or running task (a running one is stopped with its processes).",
      input: input({ task_id: text("a task id") }),
      output: okOutput,
    },
    async (args) => {
      const cancelled = await backend.cancel(args.task_id);
      return {
        ok: cancelled,
        message: cancelled ? `task ${args.task_id} cancelled` : `task ${args.task_id} had already ended`,
      };
    },
    log,
  );

  defineTool(
    server,
    "pool_fan_out",
    {
      title: "Fan Out Tasks",
      description:
        "Run independent prompts in parallel and wait for all of them. One result per prompt, in order; " +
        "a failed prompt keeps its place (status and error) and does not discard the others.",
      input: input({
        prompts: z
          .array(text(), { error: expecting("a list of prompts") })
          .min(1, { error: () => "needs at least one prompt" })
          .max(100, { error: () => "takes at most 100 prompts" }),
        fail_fast: flag().optional().describe("Cancel the rest at the first failure"),
        ...taskFields,
      }),
      output: fanOutOutput,
    },
    async (args, ctx) => {
      const { prompts, fail_fast, ...fields } = args;
      const ids = await Promise.all(prompts.map((p) => backend.submit(taskRequestOf(p, fields))));
      let done = 0;
      let failed = false;
      ctx.progress(`queued ${ids.length} tasks`, { done: 0, total: ids.length });
      const views = await withHeartbeat(
        ctx,
        () => `${done} of ${ids.length} tasks done`,
        () =>
          Promise.all(
            ids.map(async (id) => {
              const view = await backend.waitForTask(id, { signal: ctx.signal });
              done += 1;
              ctx.progress(`${done} of ${ids.length} tasks done`, { done, total: ids.length });
              if (view.status !== "completed" && fail_fast && !failed) {
                failed = true;
                await Promise.all(ids.map((other) => backend.cancel(other).catch(() => false)));
              }
              return view;
            }),
          ),
      );
      const results = views.map(taskOut);
      return {
        results,
        completed: results.filter((r) => r.status === "completed").length,
        failed: results.filter((r) => r.status !== "completed").length,
        total_spend_usd: Math.round(results.reduce((a, r) => a + r.spend_usd, 0) * 1e6) / 1e6,
      };
    },
    log,
  );

  defineTool(
    server,
    "pool_list_tasks",
    {
      title: "List Tasks",
      description: "The pool's tasks, newest first, optionally only those in one status.",
      input: input({
        status: oneOf(STATUSES).optional(),
        limit: wholeNumber(1, 500).optional().describe("At most this many (default 50)"),
      }),
      output: taskListOutput,
      annotations: { readOnlyHint: true },
    },
    async (args) => {
      const tasks = await backend.listTasks({
        ...(args.status ? { status: [args.status] } : {}),
        limit: args.limit ?? 50,
      });
      return {
        tasks: tasks.map((t) => ({
          task_id: t.taskId,
          status: t.status,
          prompt: t.prompt.length > 200 ? `${t.prompt.slice(0, 200)}…` : t.prompt,
          slot_id: t.slotId,
          spend_usd: t.spendUsd,
          created_at: t.createdAt,
          finished_at: t.finishedAt,
          tags: t.tags,
        })),
      };
    },
    log,
  );

  defineTool(
    server,
    "pool_configure_slot",
    {
      title: "Configure Slot",
      description: "Give a slot a name, role and description (and a model); applies from its next task.",
      input: input({
        slot_id: text("a slot id or name").describe('e.g. "slot-0"'),
        name: text().optional(),
        role: text().optional(),
        description: anyText().optional(),
        model: text("a model name or alias").optional(),
      }),
      output: z.object({
        slot_id: z.string(),
        name: z.string(),
        role: z.string().nullable(),
        description: z.string().nullable(),
      }),
    },
    async (args) => {
      await backend.configureSlot(args.slot_id, {
        ...(args.name !== undefined ? { name: args.name } : {}),
        ...(args.role !== undefined ? { role: args.role } : {}),
        ...(args.description !== undefined ? { description: args.description } : {}),
        ...(args.model !== undefined ? { config: { model: args.model } } : {}),
      });
      const slot = (await backend.status()).slots.find(
        (s) => s.id === args.slot_id || s.name === (args.name ?? args.slot_id),
      );
      return {
        slot_id: slot?.id ?? args.slot_id,
        name: slot?.name ?? args.name ?? args.slot_id,
        role: slot?.role ?? null,
        description: slot?.description ?? null,
      };
    },
    log,
  );

  defineTool(
    server,
    "pool_drain",
    {
      title: "Drain the Pool",
      description:
        "Stop taking work: cancel queued tasks, let running ones finish, then report totals. Cannot be undone.",
      input: input({}),
      output: drainOutput,
      annotations: { destructiveHint: true },
    },
    async () => drainOut(await backend.drain()),
    log,
  );
}
