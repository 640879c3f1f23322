import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { roleAtLeast } from "../../src/auth/roles.js";
import { appRouter } from "../../src/root.js";
import { type Expectation, expectations } from "./expectations.js";
import { CALLERS, type CallerName, createMatrixFixtures, type MatrixFixtures } from "./fixtures.js";

/**
 * The authorization matrix: every procedure of the merged router × every kind of caller (signed-in
 * users, then API tokens of the same roles), against the expectations table. Generated from `appRouter._def.procedures`, so a new procedure without
 * an entry fails here.
 */

const procedures = Object.keys(appRouter._def.procedures).sort();

type CallerKind = "session" | "token";

function expectedOutcome(entry: Expectation, as: CallerName, kind: CallerKind): string {
  const override = entry.except?.[as];
  if (override) return override;
  if (as === "anonymous" || as === "revokedToken") return "UNAUTHORIZED";
  if (kind === "token" && entry.sessionOnly) return "FORBIDDEN";
  if (entry.access === "signed-in") return "allow";
  if (as === "otherTeamAdmin") return "NOT_FOUND";
  return roleAtLeast(as, entry.access) ? "allow" : "FORBIDDEN";
}

async function outcomeOf(
  f: MatrixFixtures,
  path: string,
  as: CallerName,
  kind: CallerKind,
  input: unknown,
): Promise<string> {
  let target: unknown = f.api.call(kind === "session" ? f.callerOf(as) : f.tokenCallerOf(as));
  for (const key of path.split(".")) target = (target as Record<string, unknown>)[key];
  if (typeof target !== "function") throw new Error(`no procedure at ${path}`);
  try {
    const result: unknown = await target(input);
    // A subscription hands back its stream once authorized: close it without reading.
    if (result !== null && typeof result === "object" && Symbol.asyncIterator in result) {
      const iterator = (result as AsyncIterable<unknown>)[Symbol.asyncIterator]();
      await iterator.return?.();
    }
    return "allow";
  } catch (error) {
    if (error instanceof TRPCError)
      return error.code === "INTERNAL_SERVER_ERROR" ? `${error.code}: ${String(error.cause)}` : error.code;
    throw error;
  }
}

let f: MatrixFixtures;
beforeAll(async () => {
  f = await createMatrixFixtures();
}, 180_000);
afterAll(async () => f?.api.close());

describe("authorization matrix", () => {
  it("every procedure has an expectation, and every expectation a procedure", () => {
    expect(procedures.filter((p) => !(p in expectations))).toEqual([]);
    expect(Object.keys(expectations).filter((p) => !procedures.includes(p))).toEqual([]);
  });

  for (const kind of ["session", "token"] as const) {
    it.each(procedures)(`%s (${kind} callers)`, async (path) => {
      const entry = expectations[path];
      if (!entry) throw new Error(`no expectation for ${path} in test/authz/expectations.ts`);
      const expected: Record<string, string> = {};
      const actual: Record<string, string> = {};
      // An allowed call gets an input of its own (it may consume it: delete a pool, approve a
      // task); callers expected to be refused share one, built once, since they must not touch it.
      let refusedInput: { value: unknown } | undefined;
      for (const as of CALLERS) {
        expected[as] = expectedOutcome(entry, as, kind);
        const build = async () => (entry.input ? await entry.input(f, as) : undefined);
        let input: unknown;
        if (expected[as] === "allow") input = await build();
        else {
          refusedInput ??= { value: await build() };
          input = refusedInput.value;
        }
        actual[as] = await outcomeOf(f, path, as, kind, input);
      }
      expect(actual).toEqual(expected);
    });
  }
});
