import { describe, expect, it } from "vitest";
import { retryOnConflict } from "./retry.js";

/** The shape drizzle gives a failed query: its own error, the driver's error as `cause`. */
function queryError(code: string): Error {
  return new Error("Failed query: update pools …", { cause: Object.assign(new Error("db"), { code }) });
}

describe("retryOnConflict", () => {
  it("runs a statement Postgres rolled back for a deadlock or serialization failure again", async () => {
    const failures = [queryError("40P01"), queryError("40001")];
    let runs = 0;
    const value = await retryOnConflict(async () => {
      runs++;
      const failure = failures.shift();
      if (failure) throw failure;
      return "settled";
    });
    expect(value).toBe("settled");
    expect(runs).toBe(3);
  });

  it("passes any other error through at once, and gives up after the last attempt", async () => {
    let runs = 0;
    const unique = queryError("23505");
    await expect(
      retryOnConflict(async () => {
        runs++;
        throw unique;
      }),
    ).rejects.toBe(unique);
    expect(runs).toBe(1);
    runs = 0;
    await expect(
      retryOnConflict(async () => {
        runs++;
        throw queryError("40P01");
      }, 3),
    ).rejects.toThrow(/Failed query/);
    expect(runs).toBe(3);
  });
});
