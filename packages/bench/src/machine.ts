import { execFileSync } from "node:child_process";
import os from "node:os";

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  os: string;
  postgres: string;
  commit: string;
}

/** What the figures were measured on; written at the top of BENCHMARKS.md. */
export function describeMachine(postgresVersion: string): Machine {
  return {
    cpu: os.cpus()[0]?.model.trim() ?? "unknown",
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    os: `${os.platform()} ${os.release()}`,
    postgres: postgresVersion,
    commit: gitCommit(),
  };
}

function gitCommit(): string {
  try {
    const sha = execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], {
      encoding: "utf8",
    });
    return dirty.trim() === "" ? sha : `${sha} (with uncommitted changes)`;
  } catch {
    return "unknown";
  }
}
