import {
  BudgetExceeded,
  ChainNotFound,
  InvalidChain,
  InvalidOptions,
  InvalidSkillArguments,
  PoolDraining,
  SkillNotFound,
  TaskNotFound,
} from "@claude-pool/core";
import { TeamDomainError } from "@claude-pool/db";
import { TRPCError } from "@trpc/server";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { INTERNAL_MESSAGE, toTRPCError } from "./errors.js";

/** What a client sees for each kind of failure: the code and, for the caller's mistakes, our message. */
describe("toTRPCError", () => {
  it.each([
    [new BudgetExceeded("budget exceeded: $0.40 left of $5.00", 0.4, 1), "PRECONDITION_FAILED", "$0.40 left"],
    [new TaskNotFound("t-1"), "NOT_FOUND", "task not found: t-1"],
    [new ChainNotFound("c-1"), "NOT_FOUND", "chain not found: c-1"],
    [new SkillNotFound("deploy"), "NOT_FOUND", "skill not found: deploy"],
    [new InvalidOptions("config.maxTurns", -1, "a positive integer"), "BAD_REQUEST", "config.maxTurns"],
    [new InvalidChain("steps[1].name: duplicate"), "BAD_REQUEST", "steps[1].name"],
    [
      new InvalidSkillArguments("review", [{ argument: "path", problem: "missing" }]),
      "BAD_REQUEST",
      '"path"',
    ],
    [new PoolDraining(), "CONFLICT", "draining"],
    [new TeamDomainError("LAST_OWNER_CONFLICT", "a team needs an owner"), "CONFLICT", "needs an owner"],
    [new TeamDomainError("MEMBER_NOT_FOUND", "member not found: u"), "NOT_FOUND", "member not found"],
  ])("%s → %s", (error, code, fragment) => {
    const mapped = toTRPCError(error);
    expect(mapped.code).toBe(code);
    expect(mapped.message).toContain(fragment);
  });

  it("unwraps what tRPC wrapped around a resolver's throw", () => {
    const wrapped = new TRPCError({ code: "INTERNAL_SERVER_ERROR", cause: new PoolDraining() });
    expect(toTRPCError(wrapped).code).toBe("CONFLICT");
  });

  it("turns zod issues into `field: message` lines", () => {
    const parsed = z
      .object({ a: z.string(), b: z.object({ c: z.number() }) })
      .safeParse({ a: 1, b: { c: "x" } });
    if (parsed.success) throw new Error("expected a parse failure");
    const mapped = toTRPCError(parsed.error);
    expect(mapped.code).toBe("BAD_REQUEST");
    expect(mapped.message.split("\n")).toEqual([
      expect.stringMatching(/^a: /),
      expect.stringMatching(/^b\.c: /),
    ]);
  });

  it("hides everything about an unexpected error", () => {
    const mapped = toTRPCError(new Error('relation "pools" does not exist at /srv/x.ts:1'));
    expect(mapped.code).toBe("INTERNAL_SERVER_ERROR");
    expect(mapped.message).toBe(INTERNAL_MESSAGE);
    expect(toTRPCError("a string").message).toBe(INTERNAL_MESSAGE);
  });
});
