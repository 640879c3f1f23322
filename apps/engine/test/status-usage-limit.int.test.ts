import { simDirective } from "@claude-pool/claude-sim";
import { afterAll, beforeAll, expect, it } from "vitest";
import { cleanEnv, removeTempDirs, runCli } from "./helpers/engine-process.js";
import { type OwnedEngine, startOwnedEngine } from "./helpers/owned-engine.js";

/** Issue 12, item 1: `claude-pool status` says when the account's usage limit resets. */
let e: OwnedEngine;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  e = await startOwnedEngine({ slots: 1 });
  env = cleanEnv({ CLAUDE_POOL_URL: e.engine.url, CLAUDE_POOL_TOKEN: e.token });
});
afterAll(async () => {
  await e?.engine.stop();
  removeTempDirs();
});

const cli = (...args: string[]) => runCli(args, env);

it("status prints the usage limit's reset and the parked tasks; --json carries usageLimit", async () => {
  const before = JSON.parse((await cli("status", "--json")).stdout);
  expect(before.pools[0].usageLimit).toBeNull();
  // Whole seconds, as the CLI reports them; an hour away, so the test never reaches it.
  const until = new Date(Math.floor(Date.now() / 1000) * 1000 + 3_600_000).toISOString();
  for (const prompt of [`limited ${simDirective({ usageLimit: { resetsAt: until } })}`, "next", "and next"]) {
    expect((await cli("submit", prompt)).code).toBe(0);
  }
  let json = before;
  for (let i = 0; i < 100 && json.pools[0].usageLimit?.parkedTasks !== 3; i++) {
    await new Promise((r) => setTimeout(r, 100));
    json = JSON.parse((await cli("status", "--json")).stdout);
  }
  expect(json.pools[0].usageLimit).toEqual({ until, parkedTasks: 3 });
  const text = await cli("status");
  expect(text.code, text.stderr).toBe(0);
  const lines = text.stdout.split("\n");
  expect(lines[0]).toMatch(/^pool main \(.+\): queue 3, running 0, /);
  expect(lines[1]).toMatch(
    new RegExp(`^usage limit reached: 3 tasks wait until ${until} \\(in (59m\\d\\ds|1h00m)\\)$`),
  );
  expect(lines[2]).toMatch(/^SLOT\s+ROLE\s+STATE/);
});
