import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { simBinPath } from "@claude-pool/claude-sim";
import type { ClaudeInvocation } from "../src/driver/args.js";
import type { StreamLine } from "../src/driver/messages.js";
import type { RunRequest } from "../src/driver/run.js";

export interface SimLog {
  pid: number;
  pgid?: number;
  argv: string[];
  prompt: string | null;
  appendSystemPrompt: string | null;
  sessionId: string;
  resumedFrom: string | null;
  /** Stream-json input: the line claude-sim writes for each turn (0, 1, …). */
  turn?: number;
  childOf?: number;
  childPid?: number;
}

export type RequestBuilder = (
  prompt: string,
  over?: Partial<ClaudeInvocation>,
  req?: Partial<RunRequest>,
) => RunRequest;

/**
 * Builds a driver RunRequest for `prompt` on one CLI (`bin`, `cwd`, `env`): no budget, timeout or
 * session unless `over` (the invocation) or `req` (the request) says so; stream lines go to `lines`.
 */
export function requestBuilder(
  target: Pick<RunRequest, "bin" | "cwd" | "env">,
  lines: StreamLine[],
): RequestBuilder {
  return (prompt, over = {}, req = {}) => ({
    ...target,
    invocation: {
      prompt,
      config: {},
      appendSystemPrompt: null,
      resumeSessionId: null,
      maxBudgetUsd: null,
      mcpConfig: {},
      extraArgs: [],
      ...over,
    },
    timeoutMs: null,
    stopAboveMicros: null,
    signal: new AbortController().signal,
    onLine: (l) => lines.push(l),
    ...req,
  });
}

/** A private claude-sim home and invocation log, and a RunRequest builder pointing at them. */
export function simHarness(): {
  dir: string;
  log: () => SimLog[];
  /** One entry per CLI process started (its invocation line). */
  procs: () => SimLog[];
  request: RequestBuilder;
  lines: StreamLine[];
} {
  const dir = mkdtempSync(path.join(tmpdir(), "driver-test-"));
  const logFile = path.join(dir, "sim.log");
  const lines: StreamLine[] = [];
  const request = requestBuilder(
    {
      bin: simBinPath,
      cwd: dir,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: dir,
        CLAUDE_SIM_HOME: path.join(dir, "sim-home"),
        CLAUDE_SIM_LOG: logFile,
      },
    },
    lines,
  );
  const log = () =>
    existsSync(logFile)
      ? readFileSync(logFile, "utf8")
          .split("\n")
          .filter(Boolean)
          .map((l) => JSON.parse(l) as SimLog)
      : [];
  const procs = () => log().filter((e) => e.argv !== undefined && e.turn === undefined);
  return { dir, log, procs, request, lines };
}

/** Running, not a zombie waiting for its (re)parent to reap it: a killed orphan is dead. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return true; // no /proc: signal 0 is all we know
  }
}

export async function waitFor(check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A text of `bytes` ASCII bytes that ends with `tail` (so a test can find its end). */
export function bigText(bytes: number, tail: string): string {
  const filler = "lorem ipsum dolor sit amet ";
  return filler.repeat(Math.ceil(bytes / filler.length)).slice(0, bytes - tail.length) + tail;
}

/** The `--append-system-prompt-file` a logged invocation was given. */
export function promptFileOf(entry: SimLog | undefined): string | undefined {
  const flag = "--append-system-prompt-file=";
  return entry?.argv.find((a) => a.startsWith(flag))?.slice(flag.length);
}
