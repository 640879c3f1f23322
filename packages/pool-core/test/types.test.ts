import { describe, expectTypeOf, it } from "vitest";
import type {
  ChainProgress,
  FanOutResult,
  Pool,
  PoolEvent,
  PoolStatus,
  TaskOptionsInput,
  TaskResult,
} from "../src/index.js";

describe("the public API's types", () => {
  it("gives callers precise results", () => {
    expectTypeOf<Pool["run"]>().returns.resolves.toEqualTypeOf<TaskResult>();
    expectTypeOf<Pool["result"]>().returns.resolves.toEqualTypeOf<TaskResult | null>();
    expectTypeOf<Pool["submit"]>().returns.resolves.toBeString();
    expectTypeOf<Pool["status"]>().returns.resolves.toEqualTypeOf<PoolStatus>();
    expectTypeOf<Pool["fanOut"]>().returns.resolves.toEqualTypeOf<FanOutResult[]>();
    expectTypeOf<TaskResult["tokens"]>().toEqualTypeOf<{
      input: number;
      output: number;
      cacheRead: number;
      cacheWrite: number;
    }>();
  });

  it("narrows events by their type", () => {
    type Completed = Extract<PoolEvent, { type: "task.completed" }>;
    expectTypeOf<Completed["result"]>().toEqualTypeOf<TaskResult>();
    type Progress = Extract<PoolEvent, { type: "chain.progress" }>;
    expectTypeOf<Progress["progress"]>().toEqualTypeOf<ChainProgress>();
  });

  it("rejects unknown permission modes and non-numeric budgets at compile time", () => {
    expectTypeOf<{ config: { permissionMode: "yolo" } }>().not.toMatchTypeOf<TaskOptionsInput>();
    expectTypeOf<{ maxBudgetUsd: "1" }>().not.toMatchTypeOf<TaskOptionsInput>();
    expectTypeOf<{ maxBudgetUsd: 1; priority: 5; role: "reviewer" }>().toMatchTypeOf<TaskOptionsInput>();
  });
});
