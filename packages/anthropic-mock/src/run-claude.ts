import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ClaudeEnvOptions, claudeBinPath, claudeEnv } from "./env.js";

export interface RunClaudeOptions extends ClaudeEnvOptions {
  /** Working directory; default a fresh temp dir (so no git repo or CLAUDE.md is picked up). */
  cwd?: string;
  /** SIGKILL the CLI after this long; default 30 s. */
  timeoutMs?: number;
  /** Aborting sends the CLI SIGTERM; the promise still resolves with what it printed. */
  signal?: AbortSignal;
  /** Written to the CLI's stdin, which is then closed (the prompt, as the pool's drivers pass it). */
  stdin?: string;
}

export interface RunClaudeResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  durationMs: number;
  timedOut: boolean;
  cwd: string;
  configDir: string;
  /** Every stdout line that parses as a JSON object (stream-json messages, or the one json result). */
  messages: Array<Record<string, unknown>>;
  /** The last message with `type: "result"`, if any. */
  result: Record<string, unknown> | undefined;
}

/**
 * Runs the real `claude` once against `mock` with stdin closed and collects its output.
 * @example
 * const run = await runClaude(mock, ["-p", "hi", "--output-format", "stream-json", "--verbose"]);
 * expect(run.result?.is_error).toBe(false);
 */
export function runClaude(
  mock: { url: string },
  args: readonly string[],
  options: RunClaudeOptions = {},
): Promise<RunClaudeResult> {
  const cwd = options.cwd ?? mkdtempSync(join(tmpdir(), "anthropic-mock-cwd-"));
  const configDir = options.configDir ?? mkdtempSync(join(tmpdir(), "anthropic-mock-config-"));
  const env = claudeEnv(mock, { ...options, configDir });
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(claudeBinPath(), [...args], {
      cwd,
      env,
      // An open but silent stdin costs a 3 s wait in -p mode: pipe only what gets written and closed.
      stdio: [options.stdin === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    if (options.stdin !== undefined) child.stdin?.end(options.stdin);
    // SIGTERM like a supervisor would (the CLI exits 143); spawn's own `signal` option would also
    // reject with an AbortError, but a cancelled run is still a run with an outcome to inspect.
    const onAbort = (): void => {
      child.kill("SIGTERM");
    };
    if (options.signal?.aborted) onAbort();
    options.signal?.addEventListener("abort", onAbort, { once: true });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, options.timeoutMs ?? 30_000);
    child.on("error", (error) => {
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      reject(error);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      const messages = parseJsonLines(stdout);
      resolve({
        code,
        signal,
        stdout,
        stderr,
        durationMs: Math.round(performance.now() - started),
        timedOut,
        cwd,
        configDir,
        messages,
        result: messages.findLast((message) => message.type === "result"),
      });
    });
  });
}

function parseJsonLines(stdout: string): Array<Record<string, unknown>> {
  const messages: Array<Record<string, unknown>> = [];
  for (const line of stdout.split("\n")) {
    if (!line.startsWith("{")) continue;
    try {
      const value: unknown = JSON.parse(line);
      if (typeof value === "object" && value !== null && !Array.isArray(value)) {
        messages.push(value as Record<string, unknown>);
      }
    } catch {
      // Not a JSON line (text output); only JSON lines are collected.
    }
  }
  return messages;
}
