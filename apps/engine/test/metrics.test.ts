import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { simBinPath, simDirective } from "@claude-pool/claude-sim";
import { Pool } from "@claude-pool/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMetrics } from "../src/metrics/metrics.js";
import { parsePrometheus, sampleValue } from "./helpers/prometheus.js";

let pool: Pool;

beforeAll(async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "metrics-"));
  pool = await Pool.create({
    slots: 2,
    poolId: "pool-m",
    skills: { globalDir: null },
    claude: { bin: simBinPath, cwd: dir, env: { CLAUDE_SIM_HOME: path.join(dir, "sim-home") } },
  });
});
afterAll(async () => {
  await pool?.shutdown();
});

describe("engine metrics (prom-client, private registry)", () => {
  it("counts tasks by pool and status, spend, durations and starts; gauges read the pool's status", async () => {
    const metrics = createMetrics();
    metrics.observePool(pool);
    const before = parsePrometheus((await metrics.render()).body);
    expect(
      sampleValue(before.samples, "claude_pool_tasks_total", { pool: "pool-m", status: "completed" }),
    ).toBe(0);
    expect(sampleValue(before.samples, "claude_pool_slots", { pool: "pool-m" })).toBe(2);

    const slotsUsed = new Set<string>();
    for (const prompt of [
      `a ${simDirective({ cost: 0.002 })}`,
      `b ${simDirective({ cost: 0.003 })}`,
      `c ${simDirective({ apiError: 500 })}`,
    ]) {
      const taskId = await pool.submit(prompt);
      await pool.result(taskId, { wait: true }).catch(() => {});
      slotsUsed.add((await pool.task(taskId)).slotId ?? "none");
    }

    const { body, contentType } = await metrics.render();
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    const { samples, types } = parsePrometheus(body);
    const tasks = (status: string) =>
      sampleValue(samples, "claude_pool_tasks_total", { pool: "pool-m", status });
    expect([tasks("queued"), tasks("started"), tasks("completed"), tasks("failed")]).toEqual([3, 3, 2, 1]);
    expect(types.get("claude_pool_tasks_total")).toBe("counter");
    expect(sampleValue(samples, "claude_pool_task_spend_usd_total", { pool: "pool-m" })).toBeCloseTo(
      0.005,
      6,
    );
    expect(sampleValue(samples, "claude_pool_task_duration_seconds_count", { pool: "pool-m" })).toBe(3);
    expect(types.get("claude_pool_task_duration_seconds")).toBe("histogram");
    // The warm driver (the default) spawns a slot's process for its first task; its later tasks
    // are turns on it. Which slot claims a task submitted as the last one ends is a race: count
    // by the slots the tasks ran on.
    expect(sampleValue(samples, "claude_pool_task_starts_total", { pool: "pool-m", start: "cold" })).toBe(
      slotsUsed.size,
    );
    expect(sampleValue(samples, "claude_pool_task_starts_total", { pool: "pool-m", start: "warm" })).toBe(
      3 - slotsUsed.size,
    );
    expect(sampleValue(samples, "claude_pool_queue_depth", { pool: "pool-m" })).toBe(0);
    expect(sampleValue(samples, "claude_pool_busy_slots", { pool: "pool-m" })).toBe(0);
    expect(sampleValue(samples, "claude_pool_spend_usd", { pool: "pool-m" })).toBeCloseTo(0.005, 6);
    // Default process metrics, under our prefix.
    expect(samples.some((s) => s.name === "claude_pool_process_cpu_user_seconds_total")).toBe(true);
  });

  it("shows queue depth while tasks wait, and busy slots while they run", async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    metrics.observePool(pool);
    const slow = simDirective({ delayMs: 1500 });
    const ids = await Promise.all([1, 2, 3].map((i) => pool.submit(`slow ${i} ${slow}`)));
    // Two slots: two run, one waits. Wait until both slots are busy (no timing assumption).
    for (;;) {
      const s = await pool.status();
      if (s.activeTasks === 2) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const { samples } = parsePrometheus((await metrics.render()).body);
    expect(sampleValue(samples, "claude_pool_busy_slots", { pool: "pool-m" })).toBe(2);
    expect(sampleValue(samples, "claude_pool_queue_depth", { pool: "pool-m" })).toBe(1);
    await Promise.all(ids.map((id) => pool.result(id, { wait: true })));
  });

  it("counts webhook deliveries and HTTP requests by route", async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    metrics.webhookDelivery("task.completed", "retry");
    metrics.webhookDelivery("task.completed", "delivered");
    metrics.httpRequest("GET", "/healthz", 200, 0.002);
    const { samples } = parsePrometheus((await metrics.render()).body);
    expect(sampleValue(samples, "claude_pool_webhook_deliveries_total", { outcome: "delivered" })).toBe(1);
    expect(sampleValue(samples, "claude_pool_webhook_deliveries_total", { event: "task.completed" })).toBe(2);
    expect(sampleValue(samples, "claude_pool_http_requests_total", { route: "/healthz", code: "200" })).toBe(
      1,
    );
  });
});
