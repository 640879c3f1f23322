import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
export const WEB_DIR = path.resolve(here, "../..");
export const REPO_ROOT = path.resolve(WEB_DIR, "../..");
const ENGINE_DIR = path.join(REPO_ROOT, "apps/engine");
const BUILT_ENGINE = path.join(ENGINE_DIR, "dist/cli.js");
const TSX = path.join(REPO_ROOT, "node_modules/tsx/dist/loader.mjs");
const NEXT_BIN = path.join(WEB_DIR, "node_modules/next/dist/bin/next");
export const SIM_BIN = path.join(REPO_ROOT, "packages/claude-sim/dist/cli.js");

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface Proc {
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

function start(
  label: string,
  command: string,
  args: string[],
  env: Record<string, string>,
  cwd: string,
): Proc {
  const child = spawn(command, args, {
    cwd,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let out = "";
  const keep = (chunk: Buffer) => {
    out += chunk.toString();
    if (out.length > 200_000) out = out.slice(-100_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  return {
    child,
    output: () => out,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        // The whole group: next start and the engine each have children of their own.
        try {
          if (child.pid) process.kill(-child.pid, "SIGTERM");
        } catch {
          resolve();
        }
        setTimeout(() => {
          try {
            if (child.pid) process.kill(-child.pid, "SIGKILL");
          } catch {}
        }, 10_000).unref();
      }),
    toString: () => label,
  } as Proc;
}

/** Waits until `url` answers 2xx; fails with the process's output if it exits or never does. */
export async function waitForHttp(url: string, proc: Proc, what: string, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.child.exitCode !== null)
      throw new Error(`${what} exited (${proc.child.exitCode}):\n${proc.output()}`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what} did not answer at ${url}:\n${proc.output()}`);
}

/** The engine as users run it (its built bin), else its source through tsx. */
export function startEngine(opts: {
  port: number;
  webOrigin: string;
  dataDir?: string;
  repoDir: string;
}): Proc {
  const dataDir = opts.dataDir ?? mkdtempSync(path.join(tmpdir(), "web-e2e-engine-"));
  mkdirSync(dataDir, { recursive: true });
  const serveArgs = [
    "serve",
    "--port",
    String(opts.port),
    "--host",
    "127.0.0.1",
    "--data-dir",
    dataDir,
    "--claude-bin",
    SIM_BIN,
    "--web-origin",
    opts.webOrigin,
  ];
  const args = existsSync(BUILT_ENGINE)
    ? [BUILT_ENGINE, ...serveArgs]
    : [
        "--conditions=@claude-pool/source",
        "--import",
        TSX,
        path.join(ENGINE_DIR, "src/cli.ts"),
        ...serveArgs,
      ];
  return start(
    "engine",
    process.execPath,
    args,
    { DATABASE_URL: "", CLAUDE_SIM_HOME: path.join(dataDir, "sim") },
    opts.repoDir,
  );
}

export function startWeb(opts: { port: number; engineUrl: string }): Proc {
  return start(
    "web",
    process.execPath,
    [NEXT_BIN, "start", "-H", "127.0.0.1", "-p", String(opts.port)],
    { ENGINE_URL: opts.engineUrl, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production" },
    WEB_DIR,
  );
}
