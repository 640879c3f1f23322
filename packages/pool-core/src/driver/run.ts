import { execa } from "execa";
import { ClaudeCliNotFound } from "../domain/errors.js";
import type { Micros } from "../domain/money.js";
import { buildClaudeArgs, type ClaudeInvocation } from "./args.js";
import { LineSplitter } from "./lines.js";
import type { ResultMessage, StreamLine } from "./messages.js";
import type { DriverKind } from "./port.js";
import { type PromptFile, writePromptFile } from "./prompt-file.js";
import { abortReason, appendStderr, emptyOutcome, killGroup, TurnTracker } from "./turn.js";

export type KillReason = "timeout" | "cancel" | "over_reservation" | "lease_lost" | "shutdown";

export interface RunRequest {
  bin: string;
  cwd: string;
  env: Record<string, string>;
  invocation: ClaudeInvocation;
  timeoutMs: number | null;
  /** Stop the run when the streamed cost passes this many micro-dollars. */
  stopAboveMicros: Micros | null;
  /** Aborting kills the whole process group; the reason (a KillReason) is reported back. */
  signal: AbortSignal;
  onLine: (line: StreamLine) => void;
  onStderr?: (text: string) => void;
  /**
   * The process that runs this task: called once per run with its pid, and whether this run
   * started it (cold: always; warm: false for a turn on a process that was already running).
   */
  onSpawn?: (pid: number, spawned: boolean) => void;
}

export interface RunOutcome {
  result: ResultMessage | null;
  sessionId: string | null;
  model: string | null;
  exitCode: number | null;
  signal: string | null;
  stderrTail: string;
  killedFor: KillReason | null;
  /** Estimated from the assistant lines' usage; the settlement uses the result line when there is one. */
  streamedCostMicros: Micros;
  /** From a `rate_limit_event` whose status is `rejected`. */
  rateLimitResetsAt: Date | null;
  durationMs: number;
  pid: number | null;
  /** A real (non-synthetic) assistant message arrived in this turn. */
  assistantReplied: boolean;
  /** uuid of the last assistant line of this turn if it succeeded: where `--resume-session-at` may resume. */
  lastGoodMessageUuid: string | null;
  /** HTTP status of the API error the CLI reported (result, synthetic message or api_retry line). */
  apiErrorStatus: number | null;
  /**
   * The CLI's wait before retrying a 429 (its `api_retry` line's `retry_delay_ms`, which follows
   * the API's retry-after); null when the CLI reported none (e.g. `CLAUDE_CODE_MAX_RETRIES=0`).
   */
  retryAfterMs: number | null;
  driver: DriverKind;
  /** This run paid a process start (cold start), as opposed to a turn on a running process. */
  spawned: boolean;
}

const KILL_GRACE_MS = 1500;

/**
 * Runs one `claude -p` process to its end (the cold driver). The prompt goes on stdin, which is
 * then closed (an open, silent stdin makes the CLI wait 3 s); the appended system prompt goes
 * through a temp file removed after the run. Never throws for what the CLI does (crash, garbage,
 * error results): the outcome says what happened, and the pool decides. Throws only
 * ClaudeCliNotFound when the executable is missing.
 */
export async function runClaude(req: RunRequest): Promise<RunOutcome> {
  const started = Date.now();
  const outcome = emptyOutcome("cold", true);
  if (req.signal.aborted) {
    // Stopped before it began: no process at all.
    outcome.killedFor = abortReason(req.signal);
    outcome.spawned = false;
    return outcome;
  }
  const inv = req.invocation;
  const promptFile: PromptFile | null = inv.appendSystemPrompt
    ? await writePromptFile(inv.appendSystemPrompt)
    : null;
  try {
    const child = execa(req.bin, buildClaudeArgs(inv, { appendSystemPromptFile: promptFile?.path }), {
      cwd: req.cwd,
      env: req.env,
      extendEnv: false,
      input: inv.prompt,
      buffer: false,
      reject: false,
      // Its own process group, so a kill reaches every tool process it started.
      detached: true,
      cleanup: true,
      encoding: "buffer",
    });
    outcome.pid = child.pid ?? null;
    if (child.pid !== undefined) req.onSpawn?.(child.pid, true);

    let killTimer: NodeJS.Timeout | undefined;
    const kill = (reason: KillReason) => {
      if (outcome.killedFor !== null || child.pid === undefined) return;
      outcome.killedFor = reason;
      killGroup(child.pid, "SIGTERM");
      const pid = child.pid;
      killTimer = setTimeout(() => killGroup(pid, "SIGKILL"), KILL_GRACE_MS);
    };
    const tracker = new TurnTracker(outcome, req.stopAboveMicros, () => kill("over_reservation"));
    const splitter = new LineSplitter((text) => req.onLine(tracker.push(text)));
    child.stdout?.on("data", (chunk: Buffer) => splitter.push(chunk));
    child.stderr?.on("data", (chunk: Buffer) => {
      const text = chunk.toString("utf8");
      appendStderr(outcome, text);
      req.onStderr?.(text);
    });

    const onAbort = () => kill(abortReason(req.signal));
    if (req.signal.aborted)
      onAbort(); // aborted while the prompt file was written
    else req.signal.addEventListener("abort", onAbort, { once: true });
    const timeout = req.timeoutMs === null ? undefined : setTimeout(() => kill("timeout"), req.timeoutMs);

    const done = await child;
    clearTimeout(timeout);
    clearTimeout(killTimer);
    req.signal.removeEventListener("abort", onAbort);
    splitter.end();
    if (child.pid !== undefined) killGroup(child.pid, "SIGKILL"); // tool processes left behind by a crash

    if (done.code === "ENOENT" || done.code === "EACCES") {
      throw new ClaudeCliNotFound(req.bin, done.code === "EACCES" ? "notExecutable" : "missing");
    }
    outcome.exitCode = done.exitCode ?? null;
    outcome.signal = done.signal ?? null;
    outcome.durationMs = Date.now() - started;
    return outcome;
  } finally {
    await promptFile?.remove();
  }
}
