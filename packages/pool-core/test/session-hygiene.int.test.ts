import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  claudeBinPath,
  claudeEnv,
  type MockAnthropic,
  startMockAnthropic,
} from "@claude-pool/anthropic-mock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type DriverKind, Pool } from "../src/index.js";

/**
 * The real `claude` CLI (2.1.332) against the project's loopback mock of the Messages API. The
 * CLI keeps a prompt whose API call failed last in the session and merges the next prompt into
 * it; the mock answers 400 to any request that still carries the poisoned prompt, so a healthy
 * prompt succeeds only if the pool kept the failed one out of its session.
 */
let mock: MockAnthropic;
const pools: Pool[] = [];
const POISON = "POISON-PILL-7f3a";

beforeAll(async () => {
  mock = await startMockAnthropic();
});
afterAll(async () => {
  await mock.close();
});
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.shutdown()));
  mock.reset();
});

async function realPool(driver: DriverKind, slots: number): Promise<Pool> {
  const dir = mkdtempSync(path.join(tmpdir(), "hygiene-int-"));
  const pool = await Pool.create({
    slots,
    skills: { globalDir: null },
    claude: { bin: claudeBinPath(), cwd: dir, env: claudeEnv(mock), driver },
  });
  pools.push(pool);
  return pool;
}

function poisonWith400(): void {
  mock.script((req) =>
    JSON.stringify(req.body ?? {}).includes(POISON)
      ? {
          error: {
            status: 400,
            type: "invalid_request_error",
            message: "messages.1.content.0.image.source: invalid image data",
          },
        }
      : undefined,
  );
}

describe.each(["cold", "warm"] as const)("the real CLI on the %s driver", (driver) => {
  it("keeps healthy prompts healthy across three fan-outs with a 400 in each (2 slots, resume mode)", async () => {
    const pool = await realPool(driver, 2);
    poisonWith400();
    for (let round = 0; round < 3; round++) {
      const results = await pool.fanOut([`say a${round}`, `say ${POISON}`, `say c${round}`]);
      expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    }
    // The poisoned prompt only ever went out as its own task's prompt, never under a healthy one.
    const carrying = mock.messagesRequests().filter((r) => JSON.stringify(r.body ?? {}).includes(POISON));
    expect(carrying.length).toBeGreaterThanOrEqual(3);
    for (const r of carrying) expect(r.lastUserText).toContain(POISON);
  }, 120_000);

  it("keeps a chain's session clean: the recovery prompt after a 400 carries the first step, not the failed one", async () => {
    const pool = await realPool(driver, 1);
    poisonWith400();
    const chainId = await pool.submitChain([
      { name: "pick", action: { type: "prompt", prompt: "remember the codename bluebird" } },
      {
        name: "use",
        action: { type: "prompt", prompt: `now ${POISON}` },
        failurePolicy: { retries: 0, recoveryPrompt: "recover: say the codename" },
      },
    ]);
    const progress = await pool.chainResult(chainId, { wait: true });
    expect(progress.status, JSON.stringify(progress)).toBe("completed");
    expect(progress.steps[1]?.recovered).toBe(true);
    const recovery = mock.messagesRequests().at(-1);
    const sent = JSON.stringify(recovery?.body?.messages);
    expect(sent).toContain("remember the codename bluebird");
    expect(sent).toContain("recover: say the codename");
    expect(sent).not.toContain(POISON);
  });

  it("a context change reaches the slot's next task (a warm process is retired, not reused)", async () => {
    const pool = await realPool(driver, 1);
    await pool.run("first task");
    await pool.contextSet("favourite_colour", "teal");
    await pool.run("second task");
    // The CLI keeps a resumed session's appended prompt from its first run: the change rides in the prompt.
    const second = mock.messagesRequests().at(-1);
    expect(`${second?.systemText}\n${second?.lastUserText}`).toContain("favourite_colour: teal");
    await pool.contextDelete("favourite_colour");
    await pool.run("third task");
    const third = mock.messagesRequests().at(-1);
    expect(third?.lastUserText).toContain("third task");
    expect(`${third?.systemText}\n${third?.lastUserText}`).not.toContain("favourite_colour");
    // Unchanged context: nothing repeated.
    await pool.run("fourth task");
    expect(mock.messagesRequests().at(-1)?.lastUserText).toBe("fourth task");
  });

  it("a context change in the middle of a chain reaches its next step, in the chain's session", async () => {
    const pool = await realPool(driver, 1);
    let changed: Promise<void> | undefined;
    // Set while step one's request is with the API, so the change lands between the steps.
    mock.script((req) => {
      if (req.lastUserText.includes("step one") && !changed)
        changed = pool.contextSet("favourite_colour", "teal");
      return undefined;
    });
    const chainId = await pool.submitChain([
      { name: "one", action: { type: "prompt", prompt: "step one" } },
      { name: "two", action: { type: "prompt", prompt: "step two" } },
      { name: "three", action: { type: "prompt", prompt: "step three" } },
    ]);
    const done = await pool.chainResult(chainId, { wait: true });
    await changed;
    expect(done?.status).toBe("completed");
    const sent = (step: string) => mock.messagesRequests().find((r) => r.lastUserText.includes(step));
    const two = sent("step two");
    expect(`${two?.systemText}\n${two?.lastUserText}`).toContain("favourite_colour: teal");
    // One session: step two's request carries step one.
    expect(JSON.stringify(two?.body?.messages)).toContain("step one");
    // Delivered once: step three's prompt is its own.
    expect(sent("step three")?.lastUserText).toBe("step three");
  });
});
