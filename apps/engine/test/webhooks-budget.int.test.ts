import { simDirective } from "@claude-pool/claude-sim";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifySignature } from "../src/webhooks/signature.js";
import { eventually, removeTempDirs } from "./helpers/engine-process.js";
import { type OwnedEngine, startOwnedEngine } from "./helpers/owned-engine.js";
import { startReceiver, until } from "./helpers/receiver.js";

/**
 * Issue 9 item 3 through the built engine: `budget.threshold` fires at 80% and at 100% of a
 * pool's cap and of the team's monthly cap (once each), and a chain that fails sends
 * `chain.failed`. Costs are exact (claude-sim's `cost`), so each task lands spend where the test
 * wants it; tasks run one at a time on one slot.
 */
const SECRET = "whsec-budget-thresholds-0123456789";

interface Delivered {
  event: string;
  data: Record<string, unknown>;
}

let e: OwnedEngine;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let cappedPoolId: string;

beforeAll(async () => {
  receiver = await startReceiver();
  e = await startOwnedEngine({
    slots: 1,
    poolConfig: { minTaskBudgetUsd: 0.001 },
    env: {
      CLAUDE_POOL_WEBHOOK_POLL_MS: "50",
      // The receiver is on loopback, which webhooks may reach only when the admin allows it.
      CLAUDE_POOL_ALLOW_PRIVATE_WEBHOOKS: "1",
    },
  });
  await e.client.webhooks.create.mutate({
    teamId: e.teamId,
    url: receiver.url,
    events: ["budget.threshold", "chain.failed", "chain.completed"],
    secret: SECRET,
  });
  ({ poolId: cappedPoolId } = await e.client.pools.create.mutate({
    teamId: e.teamId,
    name: "capped",
    slots: 1,
    config: { budgetUsd: 0.1, minTaskBudgetUsd: 0.001 },
  }));
});
afterAll(async () => {
  await e?.engine.stop();
  await receiver?.close();
  removeTempDirs();
});

const delivered = (): Delivered[] => receiver.received.map((r) => JSON.parse(r.body) as Delivered);
const thresholds = (scope: "pool" | "team") =>
  delivered()
    .filter((d) => d.event === "budget.threshold" && d.data.scope === scope)
    .map((d) => d.data.threshold_percent);

async function spend(poolId: string, cost: number): Promise<void> {
  const { taskId } = await e.client.tasks.submit.mutate({
    poolId,
    prompt: `spend ${cost} ${simDirective({ cost })}`,
  });
  const result = await e.client.tasks.result.query({ taskId, wait: true });
  expect(result?.spendUsd).toBeCloseTo(cost, 6);
}

describe("webhooks for budgets and chains, from the engine", () => {
  it("a chain whose step fails sends chain.failed with the step's state", async () => {
    const { chainId } = await e.client.chains.submit.mutate({
      poolId: e.poolId,
      steps: [
        {
          name: "breaks",
          action: { type: "prompt", prompt: `x ${simDirective({ apiError: 500, cost: 0 })}` },
        },
      ],
    });
    const failed = await eventually(
      async () => delivered().find((d) => d.event === "chain.failed"),
      (d) => d !== undefined,
      60_000,
    );
    expect(failed?.data).toMatchObject({ chain_id: chainId, status: "failed", pool_id: e.poolId });
    expect(failed?.data.steps).toEqual([expect.objectContaining({ name: "breaks", status: "failed" })]);
    expect(delivered().some((d) => d.event === "chain.completed")).toBe(false);
  });

  it("budget.threshold at 80% and 100% of the pool's cap, once each", async () => {
    // Equal costs: the pool learns what a task costs, and each one it admits can still finish.
    for (let i = 0; i < 3; i++) await spend(cappedPoolId, 0.02);
    expect(thresholds("pool")).toEqual([]);
    // Exactly 80% counts (compared in micro-dollars: 0.08 < 0.1 × 0.8 in floating point).
    await spend(cappedPoolId, 0.02); // 0.08 of 0.10
    await until(() => thresholds("pool").length === 1, "the pool's threshold 1", 60_000);
    await spend(cappedPoolId, 0.02); // 0.10 of 0.10
    await until(() => thresholds("pool").length === 2, "the pool's threshold 2", 60_000);
    const pool = thresholds("pool");
    expect(pool).toEqual([80, 100]);
    const last = delivered()
      .filter((d) => d.event === "budget.threshold")
      .at(-1);
    expect(last?.data).toMatchObject({ scope: "pool", pool_id: cappedPoolId, cap_usd: 0.1 });
    expect(last?.data.spent_usd as number).toBeCloseTo(0.1, 6);
    // Nothing past the cap is admitted: the pool said so instead.
    await expect(
      e.client.tasks.submit.mutate({ poolId: cappedPoolId, prompt: "one more" }),
    ).rejects.toMatchObject({ data: { code: "PRECONDITION_FAILED" } });
  });

  it("budget.threshold at 80% and 100% of the team's monthly cap, across its pools", async () => {
    // The team has spent 0.10 (the capped pool); its cap is 0.20.
    await e.client.teams.setBudget.mutate({ teamId: e.teamId, monthlyUsd: 0.2 });
    expect(thresholds("team")).toEqual([]);
    for (let i = 0; i < 2; i++) await spend(e.poolId, 0.02);
    expect(thresholds("team")).toEqual([]);
    await spend(e.poolId, 0.02); // 0.16 of 0.20
    await until(() => thresholds("team").length === 1, "the team's threshold 1", 60_000);
    await spend(e.poolId, 0.02);
    await spend(e.poolId, 0.02); // 0.20 of 0.20
    await until(() => thresholds("team").length === 2, "the team's threshold 2", 60_000);
    const team = thresholds("team");
    expect(team).toEqual([80, 100]);
    const last = delivered()
      .filter((d) => d.event === "budget.threshold")
      .at(-1);
    expect(last?.data).toMatchObject({ scope: "team", team_id: e.teamId, cap_usd: 0.2 });
    expect(last?.data.spent_usd as number).toBeCloseTo(0.2, 6);
    // The pool's own thresholds were not sent again.
    expect(thresholds("pool")).toEqual([80, 100]);
    for (const r of receiver.received)
      expect(verifySignature(SECRET, r.body, String(r.headers["x-claude-pool-signature"]))).toBe(true);
  });
});
