import type { PoolClient } from "@claude-pool/api";
import type { TaskResult } from "@claude-pool/core";
import type { FlagSpec, ParsedArgs } from "../cli/args.js";
import { stringFlag } from "../cli/args.js";
import { StartupError, UsageError } from "../cli/usage-error.js";
import { type ClientCall, clientCall, printJson } from "./common.js";
import { explainClientError, resolvePool } from "./connect.js";
import { duration, tokensLine, usd } from "./format.js";

/** Task flags of `run` and `submit`. */
export const TASK_FLAGS: FlagSpec = {
  pool: { type: "string" },
  model: { type: "string" },
  slot: { type: "string" },
  role: { type: "string" },
  tag: { type: "string", multiple: true },
  priority: { type: "string" },
  "max-budget-usd": { type: "string" },
  "timeout-ms": { type: "string" },
  fresh: { type: "boolean" },
};

function numberFlag(
  args: ParsedArgs,
  name: string,
  what: string,
  ok: (n: number) => boolean,
): number | undefined {
  const raw = stringFlag(args, name);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(n) || !ok(n))
    throw new UsageError(`--${name}: expected ${what}, got "${raw}"`);
  return n;
}

/** The prompt and the task options a command line asks for. */
export function taskInput(args: ParsedArgs) {
  const prompt = args.positionals[0];
  if (prompt === undefined || prompt.trim() === "")
    throw new UsageError('a prompt is required: claude-pool run "<prompt>"');
  const tags = args.flags.tag;
  const model = stringFlag(args, "model");
  const priority = numberFlag(
    args,
    "priority",
    "a whole number from -1000 to 1000",
    (n) => Number.isInteger(n) && Math.abs(n) <= 1000,
  );
  const maxBudgetUsd = numberFlag(args, "max-budget-usd", "a positive USD amount", (n) => n > 0);
  const timeoutMs = numberFlag(
    args,
    "timeout-ms",
    "a positive whole number of milliseconds",
    (n) => Number.isInteger(n) && n > 0,
  );
  return {
    prompt,
    ...(stringFlag(args, "slot") !== undefined ? { slot: stringFlag(args, "slot") } : {}),
    ...(stringFlag(args, "role") !== undefined ? { role: stringFlag(args, "role") } : {}),
    ...(Array.isArray(tags) && tags.length > 0 ? { tags: tags.map(String) } : {}),
    ...(priority !== undefined ? { priority } : {}),
    ...(maxBudgetUsd !== undefined ? { maxBudgetUsd } : {}),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    ...(args.flags.fresh === true ? { fresh: true } : {}),
    ...(model !== undefined ? { config: { model } } : {}),
  };
}

async function submitFrom(c: ClientCall): Promise<{ taskId: string; poolId: string }> {
  const input = taskInput(c.args);
  const pool = await c.call(() => resolvePool(c.client, stringFlag(c.args, "pool")));
  const { taskId } = await c.call(() => c.client.tasks.submit.mutate({ poolId: pool.id, ...input }));
  return { taskId, poolId: pool.id };
}

export async function runSubmit(argv: string[], usage: string): Promise<number> {
  const c = clientCall(argv, TASK_FLAGS, 1);
  if (!c) return help(usage);
  const { taskId } = await submitFrom(c);
  if (c.json) printJson({ taskId });
  else process.stdout.write(`${taskId}\n`);
  return 0;
}

/** The text blocks of an assistant line of the CLI's stream. */
function assistantText(payload: unknown): string {
  const content = (payload as { message?: { content?: unknown } })?.message?.content;
  if (!Array.isArray(content)) return "";
  return content
    .map((b: { type?: unknown; text?: unknown }) =>
      b?.type === "text" && typeof b.text === "string" ? b.text : "",
    )
    .join("");
}

/**
 * `run`: submits, streams the task's output as the CLI produces it, then prints spend, tokens,
 * model, turns and duration (on stderr, so stdout is the output alone). While the task waits in
 * the queue or for quota, a progress line on stderr when it is a TTY (or with --progress).
 */
export async function runRun(argv: string[], usage: string): Promise<number> {
  const c = clientCall(argv, { ...TASK_FLAGS, progress: { type: "boolean" } }, 1);
  if (!c) return help(usage);
  const showProgress = c.args.flags.progress === true || process.stderr.isTTY === true;
  const { taskId, poolId } = await submitFrom(c);
  const progress = progressLine(showProgress);
  progress.set(`queued as ${taskId}`);

  let printed = false;
  const stream = c.json
    ? null
    : streamOutput(c.client, taskId, (text) => {
        progress.clear();
        // Each turn's text ends its line at once, so a program reading stdout line by line through
        // a pipe sees a turn when it happens, not when the next one arrives.
        process.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
        printed = true;
      });
  const poller = showProgress ? watchQueue(c, taskId, poolId, progress) : null;
  let result: TaskResult | null = null;
  let failure: string | null = null;
  try {
    result = await c.client.tasks.result.query({ taskId, wait: true });
  } catch (error) {
    const e = error as { data?: { code?: string }; message?: string };
    if (!e?.data?.code) throw explainClientError(error, c.target.url);
    failure = e.message ?? "the task failed";
  } finally {
    poller?.stop();
    progress.clear();
  }
  await stream?.finish();
  const task = await c.call(() => c.client.tasks.get.query({ taskId }));
  if (c.json) {
    printJson({
      taskId,
      status: task.status,
      output: result?.output ?? null,
      spendUsd: task.spendUsd,
      tokens: task.tokens,
      model: task.model,
      turns: result?.turns ?? task.turns,
      durationMs: result?.durationMs ?? null,
      error: task.error,
    });
    return task.status === "completed" ? 0 : 1;
  }
  if (result && !printed) process.stdout.write(`${result.output}\n`);
  const summary = `spend ${usd(task.spendUsd)} · tokens ${tokensLine(task.tokens)} · model ${task.model ?? "-"} · turns ${result?.turns ?? task.turns} · ${duration(result?.durationMs)}`;
  process.stderr.write(`${summary}\n`);
  if (failure !== null || task.status !== "completed") {
    throw new StartupError(`task ${taskId} ${task.status}: ${task.error?.message ?? failure ?? "no result"}`);
  }
  return 0;
}

/** Follows the task's events over SSE and hands each assistant text to `write`. */
function streamOutput(
  client: PoolClient,
  taskId: string,
  write: (text: string) => void,
): { finish(): Promise<void> } {
  let ended: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    ended = resolve;
  });
  const sub = client.tasks.onEvents.subscribe(
    { taskId },
    {
      onData: (tracked) => {
        const event = (tracked as { data?: { kind?: string; payload?: unknown } }).data;
        if (event?.kind === "assistant") {
          const text = assistantText(event.payload);
          if (text) write(text);
        }
      },
      onComplete: () => ended(),
      onError: () => ended(),
      onStopped: () => ended(),
    },
  );
  return {
    // The stream ends with the task; once the result is in, wait for its last events at most 3 s.
    // (The timer starts here, when the result is in: started at subscribe time, it cut every task
    // longer than 3 s off after its first events, and only the final result got printed.)
    async finish() {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([done, new Promise<void>((r) => (timer = setTimeout(r, 3000)))]);
      clearTimeout(timer);
      sub.unsubscribe();
    },
  };
}

/** A single rewritable stderr line (only when wanted). */
function progressLine(enabled: boolean) {
  let shown = false;
  const tty = process.stderr.isTTY === true;
  return {
    set(text: string) {
      if (!enabled) return;
      if (tty) process.stderr.write(`\r\x1b[2K${text}`);
      else process.stderr.write(`${text}\n`);
      shown = true;
    },
    clear() {
      if (enabled && shown && tty) process.stderr.write("\r\x1b[2K");
      shown = false;
    },
  };
}

/** While the task is queued or parked, says so (with the queue depth) once a second. */
function watchQueue(
  c: ClientCall,
  taskId: string,
  poolId: string,
  progress: ReturnType<typeof progressLine>,
) {
  let last = "";
  const tick = async () => {
    const task = await c.client.tasks.get.query({ taskId }).catch(() => null);
    if (!task) return;
    let line = "";
    if (task.status === "queued") {
      const status = await c.client.pools.status.query({ poolId }).catch(() => null);
      line = `queued: ${status ? `${status.pendingTasks} waiting, ${status.activeTasks} running` : "waiting for a slot"}`;
    } else if (task.status === "waiting_for_quota") {
      line = `waiting for quota${task.error?.message ? `: ${task.error.message}` : ""}`;
    }
    if (line && line !== last) progress.set(line);
    last = line;
  };
  const timer = setInterval(() => void tick(), 1000);
  void tick();
  return { stop: () => clearInterval(timer) };
}

function help(usage: string): number {
  process.stdout.write(`${usage}\n`);
  return 0;
}
