import { execa } from "execa";
import { ClaudeCliNotFound } from "../errors.js";
import type { Micros } from "../money.js";
import { buildClaudeArgs, type ClaudeInvocation } from "./args.js";
import { LineSplitter } from "./lines.js";
import { parseStreamLine, type ResultMessage, type StreamLine } from "./messages.js";
import { priceUsage } from "./pricing.js";

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
  onSpawn?: (pid: number) => void;
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
}

const STDERR_TAIL = 16 * 1024;
const KILL_GRACE_MS = 1500;

/**
 * Runs one `claude -p` process to its end. Never throws for what the CLI does (crash, garbage,
 * error results): the outcome says what happened, and the pool decides. Throws only
 * ClaudeCliNotFound when the executable is missing.
 */
export async function runClaude(req: RunRequest): Promise<RunOutcome> {
  const started = Date.now();
  const outcome: RunOutcome = {
    result: null,
    sessionId: null,
    model: null,
    exitCode: null,
    signal: null,
    stderrTail: "",
    killedFor: null,
    streamedCostMicros: 0,
    rateLimitResetsAt: null,
    durationMs: 0,
    pid: null,
  };
  const child = execa(req.bin, buildClaudeArgs(req.invocation), {
    cwd: req.cwd,
    env: req.env,
    extendEnv: false,
    // stdin closed: an open, silent pipe makes the CLI wait 3 s for input.
    stdin: "ignore",
    buffer: false,
    reject: false,
    // Its own process group, so a kill reaches every tool process it started.
    detached: true,
    cleanup: true,
    encoding: "buffer",
  });
  outcome.pid = child.pid ?? null;
  if (child.pid !== undefined) req.onSpawn?.(child.pid);

  const pricedMessages = new Set<string>();
  let killTimer: NodeJS.Timeout | undefined;
  const kill = (reason: KillReason) => {
    if (outcome.killedFor !== null || child.pid === undefined) return;
    outcome.killedFor = reason;
    killGroup(child.pid, "SIGTERM");
    const pid = child.pid;
    killTimer = setTimeout(() => killGroup(pid, "SIGKILL"), KILL_GRACE_MS);
  };

  const splitter = new LineSplitter((text) => {
    const line = parseStreamLine(text);
    if (line.kind === "init") {
      outcome.sessionId = line.raw.session_id;
      outcome.model = line.raw.model ?? outcome.model;
    } else if (line.kind === "assistant") {
      const msg = line.raw.message;
      if (msg.model && msg.model !== "<synthetic>") outcome.model = msg.model;
      // One line per content block, all sharing the message id and its usage: price it once.
      const key = msg.id ?? `${pricedMessages.size}`;
      if (msg.usage && !pricedMessages.has(key)) {
        pricedMessages.add(key);
        outcome.streamedCostMicros += priceUsage(msg.model ?? outcome.model ?? undefined, msg.usage);
        if (req.stopAboveMicros !== null && outcome.streamedCostMicros > req.stopAboveMicros) {
          kill("over_reservation");
        }
      }
    } else if (line.kind === "result") {
      outcome.result = line.raw;
      outcome.sessionId = line.raw.session_id || outcome.sessionId;
    } else if (line.kind === "rate_limit" && line.raw.rate_limit_info.status === "rejected") {
      const at = line.raw.rate_limit_info.resetsAt;
      outcome.rateLimitResetsAt = at ? new Date(at * 1000) : null;
    }
    req.onLine(line);
  });
  child.stdout?.on("data", (chunk: Buffer) => splitter.push(chunk));
  child.stderr?.on("data", (chunk: Buffer) => {
    const text = chunk.toString("utf8");
    outcome.stderrTail = (outcome.stderrTail + text).slice(-STDERR_TAIL);
    req.onStderr?.(text);
  });

  const onAbort = () => kill(abortReason(req.signal));
  if (req.signal.aborted) onAbort();
  else req.signal.addEventListener("abort", onAbort, { once: true });
  const timeout = req.timeoutMs === null ? undefined : setTimeout(() => kill("timeout"), req.timeoutMs);

  const done = await child;
  clearTimeout(timeout);
  clearTimeout(killTimer);
  req.signal.removeEventListener("abort", onAbort);
  splitter.end();
  if (child.pid !== undefined) killGroup(child.pid, "SIGKILL"); // tool processes left behind by a crash

  if (done.code === "ENOENT") {
    throw new ClaudeCliNotFound(req.bin);
  }
  outcome.exitCode = done.exitCode ?? null;
  outcome.signal = done.signal ?? null;
  outcome.durationMs = Date.now() - started;
  return outcome;
}

function abortReason(signal: AbortSignal): KillReason {
  const r: unknown = signal.reason;
  const reasons: KillReason[] = ["timeout", "cancel", "over_reservation", "lease_lost", "shutdown"];
  return reasons.find((k) => k === r) ?? "cancel";
}

function killGroup(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig);
  } catch {
    // The group is already gone.
  }
}
