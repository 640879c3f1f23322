import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import { describe, expectTypeOf, it } from "vitest";
import {
  type AppRouter,
  createBrowserPoolClient,
  createPoolClient,
  type PoolClient,
  type Role,
} from "../src/index.js";

type Inputs = inferRouterInputs<AppRouter>;
type Outputs = inferRouterOutputs<AppRouter>;

/** The public client's types: what a service author's editor and compiler see. */
describe("client types", () => {
  it("createPoolClient and createBrowserPoolClient return the typed AppRouter client", () => {
    expectTypeOf(createPoolClient).parameter(0).toHaveProperty("token").toEqualTypeOf<string>();
    expectTypeOf(createPoolClient).returns.toEqualTypeOf<PoolClient>();
    expectTypeOf(createBrowserPoolClient).returns.toEqualTypeOf<PoolClient>();
    expectTypeOf(createBrowserPoolClient).parameter(0).not.toHaveProperty("token");
  });

  it("procedures have typed inputs and outputs", () => {
    expectTypeOf<Inputs["tokens"]["create"]>().toEqualTypeOf<{
      teamId: string;
      name: string;
      role: Role;
      expiresInDays?: number | undefined;
    }>();
    expectTypeOf<Outputs["tokens"]["create"]>().toMatchTypeOf<{ id: string; token: string }>();
    expectTypeOf<Inputs["teams"]["setBudget"]>().toEqualTypeOf<{
      teamId: string;
      monthlyUsd: number | null;
    }>();
    expectTypeOf<Outputs["auth"]["me"]["teams"][number]>().toEqualTypeOf<{
      id: string;
      name: string;
      slug: string;
      role: Role;
    }>();
    expectTypeOf<Outputs["tokens"]["list"][number]["lastUsedAt"]>().toEqualTypeOf<string | null>();
  });

  it("the client exposes query/mutate by procedure kind", () => {
    type Client = PoolClient;
    expectTypeOf<Client["auth"]["me"]>().toHaveProperty("query");
    expectTypeOf<Client["auth"]["me"]>().not.toHaveProperty("mutate");
    expectTypeOf<Client["tokens"]["revoke"]>().toHaveProperty("mutate");
    // @ts-expect-error a token's role is one of the four roles
    const bad: Inputs["tokens"]["create"] = { teamId: "t", name: "n", role: "root" };
    void bad;
  });
});
