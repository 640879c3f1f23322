import { simDirective } from "@claude-pool/claude-sim";
import { afterEach, describe, expect, it } from "vitest";
import { type Pool, type PoolClock, QuotaExhausted, TaskFailed, Timeout } from "../src/index.js";
import { simPool, waitFor } from "./helpers.js";

/**
 * Issue 13, defect 2: a plain 429 (no reset time) is a rate limit, retried with backoff; a usage
 * limit with a reset time parks until it; `timeoutMs` bounds the whole life of a task. The clock
 * is injected: a sleep advances it at once, so no test waits for a backoff.
 */
const pools: Pool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.shutdown()));
});

function fakeClock(): PoolClock & { sleeps: number[] } {
  let slept = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    // Real time plus every wait taken, so it agrees with the store's timestamps.
    now: () => Date.now() + slept,
    sleep: async (ms) => {
      sleeps.push(ms);
      slept += ms;
    },
  };
}

async function limitedPool(config: Record<string, unknown> = {}) {
  const clock = fakeClock();
  const made = await simPool({ slots: 1, clock, config });
  pools.push(made.pool);
  return { ...made, clock };
}

const RATE_LIMIT_TEXT = "API Error: 429 This request would exceed your organization's rate limit";

async function failureOf(pool: Pool, id: string): Promise<unknown> {
  return pool.result(id, { wait: true }).then(
    () => null,
    (e: unknown) => e,
  );
}

describe("a plain 429 is a rate limit", () => {
  it("retries with a backoff that honours the CLI's retry-after, bounded, then fails with the API's message and status", async () => {
    const { pool, log, clock } = await limitedPool({ maxRateLimitRetries: 2, rateLimitBackoffMs: 400 });
    // The CLI reports its wait before a retry (retry_delay_ms 500 here): the pool waits at least that.
    const id = await pool.submit(`busy ${simDirective({ apiError: 429, apiRetries: 1 })}`);
    const err = await failureOf(pool, id);
    expect(err).toBeInstanceOf(TaskFailed);
    const failed = err as TaskFailed;
    expect(failed.reason).toBe("rate_limit");
    expect(failed.details.apiErrorStatus).toBe(429);
    expect(failed.message).toContain(RATE_LIMIT_TEXT);
    expect(failed.message).toContain("rate limited 3 times (maxRateLimitRetries 2)");
    // 400 ms doubling, but never less than the CLI's 500 ms: 500, then 800.
    expect(clock.sleeps).toEqual([500, 800]);
    expect(log()).toHaveLength(3);
    const retries = (await pool.taskEvents(id)).filter((e) => e.kind === "rate_limit.retry");
    expect(retries.map((e) => (e.payload as { delayMs: number }).delayMs)).toEqual([500, 800]);
    // Not a usage limit: the task never parked.
    expect((await pool.task(id)).attempt).toBe(1);
  });

  it("ends a task whose timeoutMs the next backoff would pass, as Timeout with the API's message, at once", async () => {
    const { pool, log, clock } = await limitedPool({ rateLimitBackoffMs: 10_000 });
    const id = await pool.submit(`busy ${simDirective({ apiError: 429 })}`, { timeoutMs: 5_000 });
    const err = await failureOf(pool, id);
    expect(err).toBeInstanceOf(Timeout);
    const timeout = err as Timeout;
    expect(timeout.timeoutMs).toBe(5_000);
    expect(timeout.apiErrorStatus).toBe(429);
    expect(timeout.message).toContain(RATE_LIMIT_TEXT);
    expect(clock.sleeps).toEqual([]);
    expect(log()).toHaveLength(1);
  });
});

describe("timeoutMs bounds the whole life of a rate-limited task", () => {
  it("takes the retries that fit and ends it as Timeout before the backoff that would pass it", async () => {
    const { pool, log, clock } = await limitedPool({ maxRateLimitRetries: 10, rateLimitBackoffMs: 4_000 });
    const err = await pool.run(`busy ${simDirective({ apiError: 429 })}`, { timeoutMs: 20_000 }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Timeout);
    // 4 s and 8 s fit in 20 s; 16 s more would not (12 s are gone), so it ends without waiting.
    expect(clock.sleeps).toEqual([4_000, 8_000]);
    expect(log()).toHaveLength(3);
    const timeout = err as Timeout;
    expect(timeout.apiErrorStatus).toBe(429);
    expect(timeout.message).toContain("the next try (in 16000 ms) would pass its 20000 ms");
    expect(timeout.message).toContain(RATE_LIMIT_TEXT);
  });

  it("with the defaults, pool.run(p, { timeoutMs: 500 }) ends at once instead of waiting out a backoff", async () => {
    const { pool, log, clock } = await limitedPool();
    const err = await pool.run(`busy ${simDirective({ apiError: 429 })}`, { timeoutMs: 500 }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Timeout);
    expect((err as Timeout).apiErrorStatus).toBe(429);
    expect((err as Timeout).message).toContain(RATE_LIMIT_TEXT);
    expect(clock.sleeps).toEqual([]);
    expect(log()).toHaveLength(1);
  });
});

describe("a usage limit parks until it resets", () => {
  it("maxQuotaWaits n means n parks, then one last try, then QuotaExhausted with the API's message", async () => {
    const { pool, log } = await limitedPool({ maxQuotaWaits: 2 });
    const parks: string[] = [];
    pool.on("task.waiting_for_quota", (e) => parks.push(e.resetsAt));
    // A usage limit whose reset time has passed: each park is claimable at once.
    const past = Math.floor(Date.now() / 1000) - 60;
    const message = `Claude AI usage limit reached|${past}`;
    const id = await pool.submit(`work ${simDirective({ apiError: 429, apiErrorMessage: message })}`);
    const err = await failureOf(pool, id);
    expect(err).toBeInstanceOf(QuotaExhausted);
    expect((err as QuotaExhausted).apiErrorStatus).toBe(429);
    expect((err as QuotaExhausted).message).toContain("usage limit reached");
    expect((err as QuotaExhausted).message).toContain("2 waits, maxQuotaWaits 2");
    expect(parks).toEqual([new Date(past * 1000).toISOString(), new Date(past * 1000).toISOString()]);
    expect(log()).toHaveLength(3);
  });

  it("ends a task at once when the limit resets after its timeout, unless quota waits do not count", async () => {
    // Whole seconds: the CLI reports reset times in unix seconds.
    const resetsAt = new Date(Math.floor(Date.now() / 1000) * 1000 + 3_600_000).toISOString();
    const prompt = `work ${simDirective({ usageLimit: { resetsAt } })}`;
    const { pool } = await limitedPool();
    const id = await pool.submit(prompt, { timeoutMs: 5_000 });
    const err = await failureOf(pool, id);
    expect(err).toBeInstanceOf(Timeout);
    expect((err as Timeout).message).toContain(`the usage limit resets at ${resetsAt}`);
    expect((err as Timeout).message).toContain("usage limit reached");

    const { pool: patient } = await limitedPool({ timeoutIncludesQuotaWaits: false });
    const parked = await patient.submit(prompt, { timeoutMs: 5_000 });
    await waitFor(async () => (await patient.task(parked)).status === "waiting_for_quota");
    expect((await patient.task(parked)).runAfter?.toISOString()).toBe(resetsAt);
    expect(await patient.cancel(parked)).toBe(true);
  });
});
