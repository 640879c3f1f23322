import type { Pool, PoolEvent } from "@claude-pool/core";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/** Seconds; tasks run from a fraction of a second (claude-sim) to half an hour. */
const DURATION_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800];

export type WebhookOutcome = "delivered" | "retry" | "gave_up";

/**
 * The engine's Prometheus metrics on a private registry (nothing global, so tests and several
 * engines in one process do not share counters). Counters are this engine's: with several
 * engines behind one Prometheus, `sum()` over engines gives the cluster. Gauges read at scrape
 * time (queue depth, busy slots, settled spend) come from each pool's status, i.e. the shared
 * database, and are the same on every engine.
 */
export interface EngineMetrics {
  readonly registry: Registry;
  /** `/metrics`: what A2's request listener serves. */
  render(): Promise<{ contentType: string; body: string }>;
  /** Follows a running Pool's events; returns a function that stops following it. */
  observePool(pool: Pool): () => void;
  webhookDelivery(event: string, outcome: WebhookOutcome): void;
  httpRequest(method: string, route: string, status: number, seconds: number): void;
}

export function createMetrics(options: { engineId?: string; defaultMetrics?: boolean } = {}): EngineMetrics {
  const registry = new Registry();
  if (options.engineId) registry.setDefaultLabels({ engine: options.engineId });
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: "claude_pool_" });

  const pools = new Map<string, Pool>();
  const tasks = new Counter({
    name: "claude_pool_tasks_total",
    help: "Task transitions seen by this engine, by pool and status (queued, started, waiting_for_quota, completed, failed, cancelled, timed_out)",
    labelNames: ["pool", "status"] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: "claude_pool_task_duration_seconds",
    help: "Wall time of ended tasks from start to end, by pool and final status",
    labelNames: ["pool", "status"] as const,
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  const spend = new Counter({
    name: "claude_pool_task_spend_usd_total",
    help: "USD spent by the tasks this engine ran, by pool and model",
    labelNames: ["pool", "model"] as const,
    registers: [registry],
  });
  const starts = new Counter({
    name: "claude_pool_task_starts_total",
    help: "How ended tasks started: cold (a new claude process, seen by its init line) or warm (a turn on a running one)",
    labelNames: ["pool", "start"] as const,
    registers: [registry],
  });
  const webhooks = new Counter({
    name: "claude_pool_webhook_deliveries_total",
    help: "Webhook delivery attempts by event and outcome (delivered, retry, gave_up)",
    labelNames: ["event", "outcome"] as const,
    registers: [registry],
  });
  const requests = new Counter({
    name: "claude_pool_http_requests_total",
    help: "HTTP requests answered, by method, route and status code",
    labelNames: ["method", "route", "code"] as const,
    registers: [registry],
  });
  const requestSeconds = new Histogram({
    name: "claude_pool_http_request_duration_seconds",
    help: "HTTP request duration by route",
    labelNames: ["route"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60],
    registers: [registry],
  });

  // Read from each pool's status at scrape time, so they are right however the state changed.
  const statusGauge = (
    name: string,
    help: string,
    pick: (s: Awaited<ReturnType<Pool["status"]>>) => number | null,
  ) =>
    new Gauge({
      name,
      help,
      labelNames: ["pool"] as const,
      registers: [registry],
      async collect() {
        this.reset();
        await Promise.all(
          [...pools.values()].map(async (pool) => {
            const value = await pool.status().then(pick, () => null);
            if (value !== null) this.set({ pool: pool.id }, value);
          }),
        );
      },
    });
  statusGauge("claude_pool_queue_depth", "Tasks queued or waiting for quota, by pool", (s) => s.pendingTasks);
  statusGauge("claude_pool_busy_slots", "This engine's slots running a task, by pool", (s) => s.activeTasks);
  statusGauge("claude_pool_slots", "This engine's slots, by pool", (s) => s.slots.length);
  statusGauge("claude_pool_spend_usd", "Settled spend of the pool (all engines), USD", (s) => s.spendUsd);
  statusGauge("claude_pool_reserved_usd", "Budget reserved by running tasks, USD", (s) => s.reservedUsd);
  statusGauge("claude_pool_budget_usd", "The pool's cap, USD (absent: no cap)", (s) => s.budgetUsd);

  return {
    registry,
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
    observePool(pool) {
      pools.set(pool.id, pool);
      const started = new Map<string, { at: number; cold: boolean; sawProcess: boolean }>();
      const stop = pool.on("event", (event: PoolEvent) => {
        const label = { pool: pool.id };
        switch (event.type) {
          case "task.queued":
            tasks.inc({ ...label, status: "queued" });
            return;
          case "task.started":
            tasks.inc({ ...label, status: "started" });
            started.set(event.taskId, { at: performance.now(), cold: false, sawProcess: false });
            return;
          case "task.output": {
            const run = started.get(event.taskId);
            if (!run) return;
            // The task's process record says whether its run started the process (a warm turn
            // records the running one with spawned: false; older records have no flag: spawned).
            // A driver that reports no process (the in-process fake) counts its init line.
            if (event.kind === "process") {
              run.sawProcess = true;
              if (!isWarmTurn(event.payload)) run.cold = true;
            } else if (!run.sawProcess && event.kind === "system" && isInitLine(event.payload)) {
              run.cold = true;
            }
            return;
          }
          case "task.waiting_for_quota":
            tasks.inc({ ...label, status: "waiting_for_quota" });
            return;
          case "task.completed":
          case "task.failed": {
            const status = event.type === "task.completed" ? "completed" : event.status;
            tasks.inc({ ...label, status });
            const run = started.get(event.taskId);
            started.delete(event.taskId);
            if (run) {
              duration.observe({ ...label, status }, (performance.now() - run.at) / 1000);
              starts.inc({ ...label, start: run.cold ? "cold" : "warm" });
            }
            if (event.type === "task.completed") {
              spend.inc({ ...label, model: event.result.model || "unknown" }, event.result.spendUsd);
            } else if (run) {
              // A failed run may still have cost money; the record has what was settled.
              void pool.task(event.taskId).then(
                (t) => {
                  if (t.spendMicros > 0)
                    spend.inc({ ...label, model: t.model ?? "unknown" }, t.spendMicros / 1e6);
                },
                () => {},
              );
            }
            return;
          }
          default:
            return;
        }
      });
      return () => {
        stop();
        if (pools.get(pool.id) === pool) pools.delete(pool.id);
      };
    },
    webhookDelivery(event, outcome) {
      webhooks.inc({ event, outcome });
    },
    httpRequest(method, route, status, seconds) {
      requests.inc({ method, route, code: String(status) });
      requestSeconds.observe({ route }, seconds);
    },
  };
}

function isWarmTurn(payload: unknown): boolean {
  return (
    typeof payload === "object" && payload !== null && (payload as { spawned?: unknown }).spawned === false
  );
}

function isInitLine(payload: unknown): boolean {
  return (
    typeof payload === "object" && payload !== null && (payload as { subtype?: unknown }).subtype === "init"
  );
}

/** The route label of a request path: a fixed set, so ids in paths never explode the label space. */
export function routeOf(path: string): string {
  if (path.startsWith("/trpc/")) return `/trpc/${path.slice(6).split(/[,?]/)[0]?.split(".")[0] ?? ""}`;
  if (path.startsWith("/api/auth")) return "/api/auth";
  if (["/healthz", "/metrics", "/reports/spend.csv", "/trpc"].includes(path)) return path;
  return "other";
}
