import { describe, expect, it } from "vitest";
import { isOutage, type OutageClock, retryThroughOutage } from "../src/store/retry.js";

/**
 * `retryThroughOutage` against a simulated outage: an injected clock that moves only when the retry
 * loop sleeps, and an operation that fails with a connection error while the clock is inside the
 * outage window. No real time passes, so the bound is checked exactly, not by a timer.
 */
function fakeClock(): OutageClock & { sleeps: number[] } {
  let t = 1_000_000;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => t,
    async sleep(ms) {
      sleeps.push(ms);
      t += ms;
    },
  };
}

/** An error shaped like postgres.js's or the socket's (a `code`, sometimes under `cause`). */
function connectionError(code: string, nested = false): Error {
  const inner = Object.assign(new Error(`connect ${code} 127.0.0.1:5432`), { code });
  return nested ? new Error("query failed", { cause: inner }) : inner;
}

/** An operation that fails with `error()` until the clock reaches `until`, then answers `value`. */
function downUntil<T>(clock: OutageClock, until: number, value: T, error: () => Error) {
  let calls = 0;
  return {
    calls: () => calls,
    run: async (): Promise<T> => {
      calls++;
      if (clock.now() < until) throw error();
      return value;
    },
  };
}

describe("retryThroughOutage", () => {
  it("retries connection errors through an outage shorter than its budget and returns the answer", async () => {
    const clock = fakeClock();
    const op = downUntil(clock, clock.now() + 5_000, "settled", () => connectionError("ECONNREFUSED"));
    await expect(retryThroughOutage(op.run, 30_000, clock)).resolves.toBe("settled");
    expect(op.calls()).toBeGreaterThan(2);
    // Backs off, never more than a second between tries.
    expect(clock.sleeps[1]).toBeGreaterThan(clock.sleeps[0] as number);
    expect(Math.max(...clock.sleeps)).toBeLessThanOrEqual(1000);
  });

  it("recognises the outage codes Postgres and postgres.js report, nested under `cause` too", async () => {
    for (const code of ["CONNECTION_CLOSED", "ECONNRESET", "57P01", "57P03", "08006"]) {
      const clock = fakeClock();
      const op = downUntil(clock, clock.now() + 300, code, () => connectionError(code, true));
      await expect(retryThroughOutage(op.run, 30_000, clock)).resolves.toBe(code);
      expect(op.calls()).toBeGreaterThan(1);
    }
  });

  it("gives up once the outage outlasts its budget, with an error naming the bound and the cause", async () => {
    const clock = fakeClock();
    const start = clock.now();
    const op = downUntil(clock, Number.POSITIVE_INFINITY, "never", () => connectionError("ECONNREFUSED"));
    const error = await retryThroughOutage(op.run, 5_000, clock).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(
      /^the database stayed out of reach for more than 5000 ms \(\d+ tries\); last error: connect ECONNREFUSED 127\.0\.0\.1:5432$/,
    );
    // Still an outage to the API's error mapping (a 503, not a 500).
    expect(isOutage(error)).toBe(true);
    // It stopped soon after the bound: the last pause is at most a second.
    expect(clock.now() - start).toBeGreaterThan(5_000);
    expect(clock.now() - start).toBeLessThanOrEqual(6_000);
  });

  it("does not retry an error that is not an outage", async () => {
    const clock = fakeClock();
    const unique = Object.assign(new Error("duplicate key value violates unique constraint"), {
      code: "23505",
    });
    const op = downUntil(clock, Number.POSITIVE_INFINITY, "never", () => unique);
    await expect(retryThroughOutage(op.run, 30_000, clock)).rejects.toBe(unique);
    expect(op.calls()).toBe(1);
    expect(clock.sleeps).toEqual([]);
  });
});
