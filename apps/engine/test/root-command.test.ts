import { spawn } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { type CliResult, cleanEnv, removeTempDirs, tempDir } from "./helpers/engine-process.js";
import { REPO_ROOT } from "./helpers/mcp-client.js";

/**
 * `pnpm claude-pool <command>` at the repository root (issue 7 item 7, what the root README tells
 * a user to type): it builds what it needs (turbo, cached), runs the command, keeps stdout the
 * command's own, and passes its exit code through.
 */
afterAll(() => removeTempDirs());

function pnpmClaudePool(args: string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn("pnpm", ["claude-pool", ...args], {
      cwd: REPO_ROOT,
      env: cleanEnv(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    child.once("error", reject);
    child.once("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

describe("pnpm claude-pool at the repo root", () => {
  it("runs admin create: stdout is the one JSON document, with the owner token", async () => {
    const dataDir = tempDir("root-cmd");
    const r = await pnpmClaudePool([
      "admin",
      "create",
      "--email",
      "root@example.com",
      "--password",
      "root-password-1",
      "--team",
      "Root",
      "--json",
      "--data-dir",
      dataDir,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      email: "root@example.com",
      team: "Root",
      token: expect.stringMatching(/^cp_/),
    });
  }, 180_000);

  it("passes a usage error's exit code 2 through", async () => {
    const r = await pnpmClaudePool(["serve", "--prot", "1"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Unknown option '--prot'");
    expect(r.stderr).toContain("usage: claude-pool serve");
  }, 180_000);
});
