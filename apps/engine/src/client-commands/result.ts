import { StartupError, UsageError } from "../cli/usage-error.js";
import { clientCall, printJson } from "./common.js";
import { duration, tokensLine, usd } from "./format.js";

const ENDED = ["completed", "failed", "cancelled", "timed_out"];

/** `result <taskId> [--wait]`: the output of a task that has ended; with --wait, once it ends. */
export async function runResult(argv: string[], usage: string): Promise<number> {
  const c = clientCall(argv, { wait: { type: "boolean" } }, 1);
  if (!c) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  const taskId = c.args.positionals[0];
  if (!taskId) throw new UsageError("a task id is required: claude-pool result <taskId>");
  if (c.args.flags.wait === true) {
    // The engine waits for the end; its error for a failed task is read from the task below.
    await c.client.tasks.result.query({ taskId, wait: true }).catch((error: unknown) => {
      if (!(error as { data?: { code?: string } })?.data?.code) throw error;
    });
  }
  const task = await c.call(() => c.client.tasks.get.query({ taskId }));
  const ended = ENDED.includes(task.status);
  if (c.json) {
    printJson({
      taskId: task.id,
      status: task.status,
      output: task.result?.output ?? null,
      spendUsd: task.spendUsd,
      tokens: task.tokens,
      model: task.model,
      turns: task.result?.turns ?? task.turns,
      durationMs: task.result?.durationMs ?? null,
      error: task.error,
    });
    return task.status === "failed" || task.status === "timed_out" ? 1 : 0;
  }
  if (!ended) {
    process.stderr.write(`task ${task.id} is ${task.status} (use --wait to wait for its end)\n`);
    return 0;
  }
  if (task.result) process.stdout.write(`${task.result.output}\n`);
  process.stderr.write(
    `${task.status} · spend ${usd(task.spendUsd)} · tokens ${tokensLine(task.tokens)} · model ${task.model ?? "-"} · ${duration(task.result?.durationMs)}\n`,
  );
  if (task.status !== "completed") {
    throw new StartupError(`task ${task.id} ${task.status}: ${task.error?.message ?? "no result"}`);
  }
  return 0;
}
