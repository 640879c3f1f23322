import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { cleanEnv, removeTempDirs, runCli, tempDir } from "../helpers/engine-process.js";

/**
 * Bad flags for every command of the built `claude-pool`: unknown flags, flags without their
 * value, non-numbers for numbers and random junk. Each must exit 2 with the usage on stderr and
 * never print a stack trace. The engine URL points nowhere, so no case can reach a server.
 */

const COMMANDS = ["serve", "start", "admin", "run", "submit", "result", "status", "drain", "token", "mcp"];
const CASES_PER_COMMAND = 3;

afterAll(() => removeTempDirs());

const badFlags = fc.oneof(
  fc.constantFrom(
    ["--no-such-flag"],
    ["--port", "not-a-port"],
    ["--port"],
    ["--slots", "-3"],
    ["--json=maybe"],
  ),
  fc.tuple(fc.stringMatching(/^--[a-z]{3,8}-zz$/), fc.string({ maxLength: 6 })).map(([f, v]) => [f, v]),
);

describe("fuzzing the CLI's flags", () => {
  it("answers every bad flag with exit 2 and the usage, never a stack trace", async () => {
    const cwd = tempDir("cli-fuzz");
    const env = cleanEnv({ CLAUDE_POOL_URL: "http://127.0.0.1:9", CLAUDE_POOL_TOKEN: "cp_invalid" });
    const problems: string[] = [];
    let cases = 0;
    for (const command of COMMANDS) {
      const samples = fc.sample(badFlags, { numRuns: CASES_PER_COMMAND, seed: 7 });
      const results = await Promise.all(
        samples.map(async (flags) => ({ flags, r: await runCli([command, ...flags], env, cwd) })),
      );
      for (const { flags, r } of results) {
        cases++;
        const stack = /\n\s+at .+:\d+:\d+/.test(r.stderr + r.stdout);
        if (r.code !== 2 || !/usage/i.test(r.stderr) || stack)
          problems.push(`${command} ${flags.join(" ")} → exit ${r.code}: ${r.stderr.slice(0, 200)}`);
      }
    }
    console.log(`[fuzz-cli] commands=${COMMANDS.length} cases=${cases} problems=${problems.length}`);
    expect(problems).toEqual([]);
  }, 180_000);
});
