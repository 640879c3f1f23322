import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { simBinPath } from "@claude-pool/claude-sim";
import { Pool, type PoolOptionsInput } from "../src/index.js";

export interface SimLogEntry {
  pid: number;
  /** Set on the line a `spawnChild` sim writes about its child. */
  childOf?: number;
  childPid?: number;
  argv: string[];
  cwd: string;
  prompt: string;
  appendSystemPrompt?: string;
  sessionId?: string;
  resumedFrom?: string;
  /** Set on the per-turn lines of a stream-json (warm) process. */
  turn?: number;
  permissionMode?: string;
  model?: string;
}

/** A pool driving claude-sim, with its own session dir and invocation log. */
export async function simPool(
  input: Omit<PoolOptionsInput, "claude"> & { claude?: PoolOptionsInput["claude"] },
): Promise<{ pool: Pool; log: () => SimLogEntry[]; dir: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), "pool-test-"));
  const logFile = path.join(dir, "sim.log");
  const pool = await Pool.create({
    skills: { globalDir: null },
    ...input,
    claude: {
      bin: simBinPath,
      cwd: dir,
      ...input.claude,
      env: { CLAUDE_SIM_HOME: path.join(dir, "sim-home"), CLAUDE_SIM_LOG: logFile, ...input.claude?.env },
    },
  });
  const log = () =>
    existsSync(logFile)
      ? readFileSync(logFile, "utf8")
          .split("\n")
          .filter(Boolean)
          .map((l) => JSON.parse(l) as SimLogEntry)
          // One entry per task on either driver: a warm process's start line has no prompt.
          .filter((e) => e.turn !== undefined || e.prompt !== null)
      : [];
  return { pool, log, dir };
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function waitFor(check: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A git repository with one commit (a README), in `dir` or a new temp dir; `git(...)` runs in it. */
export function initGitRepo(dir?: string): { repo: string; git: (...args: string[]) => string } {
  const repo = dir ?? mkdtempSync(path.join(tmpdir(), "repo-"));
  const git = (...args: string[]) => execFileSync("git", args, { cwd: repo, encoding: "utf8" });
  git("init", "-q", "-b", "main");
  git("config", "user.email", "t@example.com");
  git("config", "user.name", "t");
  writeFileSync(path.join(repo, "README.md"), "hi\n");
  git("add", "README.md");
  git("commit", "-qm", "init");
  return { repo, git };
}
