import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { planMonths } from "./report-months.js";

const DAY = 86_400_000;
const BASE = Date.parse("2025-11-20T00:00:00Z");
const day = (offset: number) => new Date(BASE + offset * DAY).toISOString().slice(0, 10);

/** How many times the plan counts each day (month rows +1 for each of their days, daily parts ±1). */
function coverage(plan: ReturnType<typeof planMonths>): Map<string, number> {
  const counted = new Map<string, number>();
  const add = (from: string, to: string, sign: number) => {
    for (let t = Date.parse(`${from}T00:00:00Z`); t < Date.parse(`${to}T00:00:00Z`); t += DAY) {
      const d = new Date(t).toISOString().slice(0, 10);
      counted.set(d, (counted.get(d) ?? 0) + sign);
    }
  };
  for (const m of plan.months) {
    const d = new Date(`${m}T00:00:00Z`);
    add(m, new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1)).toISOString().slice(0, 10), 1);
  }
  for (const p of plan.daily) add(p.from, p.to, p.sign);
  return counted;
}

describe("planMonths", () => {
  it("counts every day of the range once, in its own month, and no other day", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 120 }),
        fc.integer({ min: 1, max: 120 }),
        fc.integer({ min: -30, max: 300 }),
        (start, length, nowOffset) => {
          const [from, to] = [day(start), day(start + length)];
          const plan = planMonths(from, to, BASE + nowOffset * DAY);
          for (const [d, n] of coverage(plan)) expect(n, d).toBe(d >= from && d < to ? 1 : 0);
          for (let i = start; i < start + length; i++) expect(coverage(plan).get(day(i))).toBe(1);
          for (const p of plan.daily) expect(p.period).toBe(`${p.from.slice(0, 7)}-01`);
        },
      ),
    );
  });

  it("reads the last 30 days on the 1st as one month row less a day, plus a day", () => {
    const now = Date.parse("2026-12-01T10:00:00Z");
    expect(planMonths("2026-11-02", "2026-12-02", now)).toEqual({
      months: ["2026-11-01"],
      daily: [
        { from: "2026-11-01", to: "2026-11-02", sign: -1, period: "2026-11-01" },
        { from: "2026-12-01", to: "2026-12-02", sign: 1, period: "2026-12-01" },
      ],
    });
  });

  it("reads a few days of a month as daily rows", () => {
    expect(planMonths("2026-03-29", "2026-04-03", Date.parse("2026-06-01T00:00:00Z"))).toEqual({
      months: [],
      daily: [
        { from: "2026-03-29", to: "2026-04-01", sign: 1, period: "2026-03-01" },
        { from: "2026-04-01", to: "2026-04-03", sign: 1, period: "2026-04-01" },
      ],
    });
  });
});
