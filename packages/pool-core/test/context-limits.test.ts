import { afterEach, describe, expect, it } from "vitest";
import {
  CONTEXT_TOTAL_LIMIT_BYTES,
  CONTEXT_VALUE_LIMIT_BYTES,
  ContextTooLarge,
  InMemoryStore,
  InvalidOptions,
  type Pool,
} from "../src/index.js";
import { bigText } from "./driver-harness.js";
import { simPool } from "./helpers.js";

const KB = 1024;
const pools: Pool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.shutdown()));
});

async function memoryPool() {
  const made = await simPool({ slots: 1, store: new InMemoryStore() });
  pools.push(made.pool);
  return made;
}

async function refusal(p: Promise<unknown>): Promise<ContextTooLarge> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ContextTooLarge);
  return err as ContextTooLarge;
}

describe("shared-context size limits (memory store)", () => {
  it("refuses a value over 256 KB, naming the key and the size, and stores nothing", async () => {
    const { pool } = await memoryPool();
    await pool.contextSet("notes", "short notes");
    const err = await refusal(pool.contextSet("notes", "x".repeat(300 * KB)));
    expect(err.message).toBe(
      'context value "notes" is 300 KB; the limit is 256 KB per value and 512 KB for all values together (keys included)',
    );
    expect(err).toBeInstanceOf(InvalidOptions);
    expect(err.code).toBe("INVALID_OPTIONS");
    expect(err.key).toBe("notes");
    expect(err.sizeBytes).toBe(300 * KB);
    expect(await pool.contextGet("notes")).toBe("short notes");
    expect(await pool.contextList()).toEqual([{ key: "notes", value: "short notes" }]);
  });

  it("counts UTF-8 bytes, and a size just over a limit never reads as equal to it", async () => {
    const { pool } = await memoryPool();
    // 140,000 characters of 3 bytes each: 420,000 bytes.
    const euros = await refusal(pool.contextSet("prices", "€".repeat(140_000)));
    expect(euros.message).toBe(
      'context value "prices" is 410.2 KB; the limit is 256 KB per value and 512 KB for all values together (keys included)',
    );
    const oneOver = await refusal(pool.contextSet("log", "y".repeat(CONTEXT_VALUE_LIMIT_BYTES + 1)));
    expect(oneOver.message).toMatch(/^context value "log" is 256\.1 KB;/);
    expect(await pool.contextList()).toEqual([]);
  });

  it("accepts a value of exactly 256 KB and every task of the pool then gets all of it", async () => {
    const { pool, log } = await memoryPool();
    const value = "z".repeat(CONTEXT_VALUE_LIMIT_BYTES);
    await pool.contextSet("diff", value);
    const r = await pool.run("summarise the diff");
    expect(r.output.length).toBeGreaterThan(0);
    expect(log()[0]?.appendSystemPrompt).toContain(`- diff: ${value}`);
  });

  it("refuses a value that would bring all values past 512 KB, and counts a replaced value once", async () => {
    const { pool } = await memoryPool();
    await pool.contextSet("a", "a".repeat(250 * KB));
    await pool.contextSet("b", "b".repeat(250 * KB));
    const err = await refusal(pool.contextSet("c", "c".repeat(20 * KB)));
    expect(err.message).toBe(
      'context value "c" is 20 KB and would bring all values to 520.1 KB; the limit is 256 KB per value and 512 KB for all values together (keys included)',
    );
    expect(err.sizeBytes).toBe(520 * KB + 3);
    expect(await pool.contextGet("c")).toBeUndefined();
    // Replacing "a" with a value as large keeps the total where it was.
    await pool.contextSet("a", "A".repeat(250 * KB));
    expect((await pool.contextGet("a"))?.startsWith("A")).toBe(true);
    // Freeing room lets the refused value in.
    await pool.contextDelete("b");
    await pool.contextSet("c", "c".repeat(20 * KB));
    expect((await pool.contextList()).map((e) => e.key)).toEqual(["a", "c"]);
  });

  it("lets only one of two concurrent sets in when both together pass the total", async () => {
    const { pool } = await memoryPool();
    await pool.contextSet("base", "x".repeat(200 * KB));
    const [first, second] = await Promise.allSettled([
      pool.contextSet("one", "1".repeat(200 * KB)),
      pool.contextSet("two", "2".repeat(200 * KB)),
    ]);
    expect(first.status).toBe("fulfilled");
    expect(second.status).toBe("rejected");
    expect((second as PromiseRejectedResult).reason).toBeInstanceOf(ContextTooLarge);
    const total = (await pool.contextList()).reduce((n, e) => n + e.key.length + e.value.length, 0);
    expect(total).toBeLessThanOrEqual(CONTEXT_TOTAL_LIMIT_BYTES);
    expect(await pool.contextGet("two")).toBeUndefined();
  });

  it("refuses a key over 256 bytes", async () => {
    const { pool } = await memoryPool();
    const err = await refusal(pool.contextSet("k".repeat(300), "v"));
    expect(err.message).toBe(`context key "${"k".repeat(40)}…" is 300 bytes; a key may be at most 256 bytes`);
    expect(err.field).toBe("context.key");
    expect(await pool.contextList()).toEqual([]);
  });
});

describe.each(["warm", "cold"] as const)("big inputs through the pool on claude-sim (%s)", (driver) => {
  it("runs a 300 KB prompt with a 200 KB shared-context value and a 100 KB systemPrompt, task after task", async () => {
    // Issue 13, defect 1: each of these in argv passed Linux's 128 KB limit for one argument.
    const made = await simPool({
      slots: 1,
      claude: { driver },
      config: { systemPrompt: bigText(100 * KB, "END-OF-POOL-PROMPT") },
    });
    pools.push(made.pool);
    const context = bigText(200 * KB, "END-OF-CONTEXT");
    await made.pool.contextSet("diff", context);
    const prompts = [bigText(300 * KB, "END-OF-FIRST"), bigText(300 * KB, "END-OF-SECOND")];
    for (const prompt of prompts) {
      const r = await made.pool.run(prompt);
      expect(r.output.length).toBeGreaterThan(0);
    }
    const entries = made.log();
    expect(entries.map((e) => e.prompt)).toEqual(prompts);
    for (const e of entries) {
      expect(e.appendSystemPrompt).toContain(`- diff: ${context}`);
      expect(e.appendSystemPrompt).toContain("END-OF-POOL-PROMPT");
      // Nothing big rode in argv.
      expect(Math.max(...e.argv.map((a) => a.length))).toBeLessThan(4096);
    }
  });
});
