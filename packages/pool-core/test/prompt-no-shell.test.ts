import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Pool } from "../src/index.js";
import { simPool } from "./helpers.js";

/**
 * Prompts never pass through a shell: a prompt (and a system prompt) full of shell syntax reaches
 * the CLI byte for byte, through the real drivers (cold: argv after `--`; warm: stream-json on
 * stdin) and claude-sim, and none of the commands it spells out runs.
 */

const marks = mkdtempSync(path.join(tmpdir(), "no-shell-"));
const mark = (name: string) => path.join(marks, name);

/** Each one would create a file in `marks` if any shell ever interpreted it. */
const HOSTILE = [
  `$(touch ${mark("dollar-paren")})`,
  `\`touch ${mark("backtick")}\``,
  `hello; touch ${mark("semicolon")}`,
  `a && touch ${mark("and")} || touch ${mark("or")}`,
  `x | tee ${mark("pipe")}`,
  `> ${mark("redirect")}`,
  `'quoted' "double $(touch ${mark("in-double-quotes")})" \\'`,
  `line one\ntouch ${mark("newline")}\nline three`,
  `\${IFS}touch\${IFS}${mark("ifs")}`,
  `--dangerously-skip-permissions --model evil; touch ${mark("flag-like")}`,
  `-p "$(touch ${mark("dash")})" & touch ${mark("background")} &`,
  `%s%n unicode: ü ✓ 🚀 $HOME ~ * ? [a-z] {a,b} !! \\\\`,
];

const pools: Pool[] = [];
afterAll(async () => {
  await Promise.all(pools.map((p) => p.shutdown()));
});

describe.each(["cold", "warm"] as const)("prompts never pass through a shell (%s driver)", (driver) => {
  it("every hostile prompt and system prompt reaches the CLI verbatim and runs nothing", async () => {
    const systemPrompt = `be careful $(touch ${mark(`system-${driver}`)}) \`touch ${mark(`system-bt-${driver}`)}\``;
    const { pool, log } = await simPool({
      slots: 1,
      claude: { driver },
      config: { systemPrompt, sessionMode: "fresh" },
    });
    pools.push(pool);
    for (const prompt of HOSTILE) {
      const result = await pool.run(prompt);
      expect(result.output.length).toBeGreaterThan(0);
    }
    const seen = log().map((e) => e.prompt);
    expect(seen).toEqual(HOSTILE);
    for (const entry of log()) {
      expect(entry.appendSystemPrompt ?? "").toContain(systemPrompt);
      // A flag-looking prompt stayed a prompt: the model and permission mode are the pool's.
      expect(entry.permissionMode).toBe("default");
      expect(entry.model).not.toBe("evil");
    }
    expect(readdirSync(marks)).toEqual([]);
    console.log(
      `[security-no-shell] driver=${driver} prompts=${HOSTILE.length} verbatim=${seen.filter((p, i) => p === HOSTILE[i]).length} files created=${readdirSync(marks).length}`,
    );
  }, 60_000);
});

it("the markers are real: a shell given the same text does create the files", () => {
  const control = mkdtempSync(path.join(tmpdir(), "with-shell-"));
  for (const prompt of HOSTILE.slice(0, 3)) {
    spawnSync("/bin/sh", ["-c", prompt.replaceAll(marks, control)], { stdio: "ignore" });
  }
  expect(readdirSync(control).sort()).toEqual(["backtick", "dollar-paren", "semicolon"]);
  rmSync(control, { recursive: true, force: true });
});
