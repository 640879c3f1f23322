import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const fixture = fileURLToPath(new URL("../fixtures/engine.ts", import.meta.url));

export interface EngineProcess {
  child: ChildProcess;
  /** Resolves when the engine has recovered and its pool is running. */
  ready: Promise<void>;
  /** Resolves with the exit signal or code. */
  exited: Promise<string>;
  stderr: () => string;
}

/** Starts the fixture engine in its own process. */
export function startEngine(env: Record<string, string>): EngineProcess {
  const child = spawn(process.execPath, ["--conditions=@claude-pool/source", "--import", "tsx", fixture], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let err = "";
  child.stderr?.on("data", (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<string>((resolve) => {
    child.once("exit", (code, signal) => resolve(signal ?? String(code)));
  });
  const ready = new Promise<void>((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes('"ready"')) resolve();
    });
    void exited.then((how) => reject(new Error(`engine exited (${how}) before it was ready:\n${err}`)));
  });
  ready.catch(() => {});
  return { child, ready, exited, stderr: () => err };
}

/** SIGKILL: the engine gets no chance to clean up, as in a crash or an OOM kill. */
export async function killHard(engine: EngineProcess): Promise<void> {
  if (engine.child.exitCode === null && engine.child.signalCode === null) engine.child.kill("SIGKILL");
  await engine.exited;
}

export async function stopGracefully(engine: EngineProcess): Promise<void> {
  if (engine.child.exitCode === null && engine.child.signalCode === null) engine.child.kill("SIGTERM");
  const timer = setTimeout(() => engine.child.kill("SIGKILL"), 10_000);
  await engine.exited;
  clearTimeout(timer);
}
