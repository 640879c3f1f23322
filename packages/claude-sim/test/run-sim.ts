import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { simBinPath } from "../src/index.js";

export interface SimResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface SimOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** String to pipe to stdin and close; `"open"` leaves a pipe open and silent; default: ignored. */
  stdin?: string | "open";
  /** Called once the child is spawned (to send signals). */
  onSpawn?: (child: ChildProcess) => void;
}

export function tempDir(prefix = "claude-sim-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A fresh session home per test file, so sessions of parallel test files never meet. */
export const home = tempDir("claude-sim-home-");

export function runSim(args: string[], opts: SimOptions = {}): Promise<SimResult> {
  const started = performance.now();
  const env: Record<string, string | undefined> = { ...process.env, CLAUDE_SIM_HOME: home, IS_SANDBOX: "1" };
  delete env.CLAUDE_SIM_SCRIPT;
  delete env.CLAUDE_SIM_LOG;
  Object.assign(env, opts.env);
  const child = spawn(process.execPath, [simBinPath, ...args], {
    cwd: opts.cwd ?? home,
    env,
    stdio: [opts.stdin === undefined ? "ignore" : "pipe", "pipe", "pipe"],
  });
  if (typeof opts.stdin === "string" && opts.stdin !== "open") child.stdin?.end(opts.stdin);
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (c: string) => {
    stdout += c;
  });
  child.stderr?.setEncoding("utf8").on("data", (c: string) => {
    stderr += c;
  });
  opts.onSpawn?.(child);
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => {
      child.stdin?.destroy();
      resolve({ code, signal, stdout, stderr, ms: performance.now() - started });
    });
  });
}

/** Parses NDJSON stdout, failing on any non-JSON line. */
export function lines(stdout: string): Record<string, unknown>[] {
  return stdout
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

export function lastResult(stdout: string): Record<string, unknown> {
  const all = lines(stdout);
  const last = all.at(-1);
  if (last?.type === "result") return last;
  throw new Error(`no result line in: ${stdout.slice(0, 500)}`);
}

export function fixture(name: string): string {
  return readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8");
}

export const STREAM = ["-p", "--output-format", "stream-json", "--verbose"];
export const JSON_OUT = ["-p", "--output-format", "json"];
