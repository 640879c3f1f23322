import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The built `claude-pool` executable (`pnpm bench` builds it first). */
export const ENGINE_CLI = fileURLToPath(new URL("../../../apps/engine/dist/cli.js", import.meta.url));

export interface StartedEngine {
  child: ChildProcess;
  url: string;
  /** From spawn to `/healthz` answering 200. */
  readyMs: number;
  /** CPU time (user + system, all threads) the engine used until then: steadier than wall on a busy machine. */
  readyCpuMs: number;
  stop(): Promise<void>;
}

function engineEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: "production", CLAUDE_POOL_LOG_LEVEL: "warn" };
  for (const key of Object.keys(env))
    if (key.startsWith("CLAUDE_POOL_BIN") || key === "DATABASE_URL") delete env[key];
  return { ...env, ...extra };
}

/** `claude-pool admin create` on a data dir or database: an owner API token and the team id. */
export function createOwner(args: string[]): { token: string; teamId: string } {
  const run = spawnSync(
    process.execPath,
    [
      ENGINE_CLI,
      "admin",
      "create",
      "--email",
      "bench@example.com",
      "--password",
      "bench-password",
      "--team",
      "Bench",
      "--json",
      ...args,
    ],
    { env: engineEnv({}), encoding: "utf8" },
  );
  if (run.status !== 0) throw new Error(`admin create failed: ${run.stderr}`);
  const out = JSON.parse(run.stdout) as { token: string; teamId: string };
  return out;
}

/** Starts `claude-pool serve` and waits until `/healthz` answers 200. */
export async function startEngine(
  args: string[],
  env: Record<string, string> = {},
  nodeArgs: string[] = [],
): Promise<StartedEngine> {
  const started = performance.now();
  const simHome = mkdtempSync(path.join(os.tmpdir(), "cp-bench-engine-sim-"));
  const child = spawn(process.execPath, [...nodeArgs, ENGINE_CLI, "serve", "--port", "0", ...args], {
    env: engineEnv({ CLAUDE_SIM_HOME: simHome, ...env }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on("data", (d: Buffer) => {
      stdout += d.toString();
      const m = /listening on (http:\/\/[^\s]+)/.exec(stdout);
      if (m?.[1]) resolve(m[1]);
    });
    child.once("exit", (code) => reject(new Error(`engine exited ${code}: ${stderr.slice(-500)}`)));
  });
  for (;;) {
    const ok = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const readyMs = performance.now() - started;
  const readyCpuMs = cpuMs(child.pid as number);
  return {
    child,
    url,
    readyMs,
    readyCpuMs,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

/** CPU time (user + system) of one process so far, in ms (Linux; USER_HZ is 100). */
export function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Resident memory of one process, in MB (Linux). */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

/** The pids of a process's descendants (Linux, from /proc). */
export function descendants(pid: number): number[] {
  const out = spawnSync("ps", ["-e", "-o", "pid=,ppid="], { encoding: "utf8" }).stdout;
  const children = new Map<number, number[]>();
  for (const line of out.trim().split("\n")) {
    const [p, pp] = line.trim().split(/\s+/).map(Number);
    if (p === undefined || pp === undefined) continue;
    children.set(pp, [...(children.get(pp) ?? []), p]);
  }
  const all: number[] = [];
  const walk = (p: number) => {
    for (const c of children.get(p) ?? []) {
      all.push(c);
      walk(c);
    }
  };
  walk(pid);
  return all;
}
