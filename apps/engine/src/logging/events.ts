import type { IncomingMessage, ServerResponse } from "node:http";
import type { Pool, PoolEvent } from "@claude-pool/core";
import type { Logger } from "pino";

/**
 * One log line per task transition of a pool this engine runs: queued, started, waiting for
 * quota, and the end (with spend, model and duration, or the error's code and reason). Output
 * lines are not logged: they are the task's data, kept in task_events.
 */
export function logPoolEvents(logger: Logger, pool: Pool): () => void {
  const log = logger.child({ pool: pool.id });
  return pool.on("event", (event: PoolEvent) => {
    switch (event.type) {
      case "task.queued":
        log.info({ taskId: event.taskId, priority: event.priority, status: "queued" }, "task queued");
        return;
      case "task.started":
        log.info(
          { taskId: event.taskId, slotId: event.slotId, attempt: event.attempt, status: "running" },
          "task started",
        );
        return;
      case "task.waiting_for_quota":
        log.warn(
          { taskId: event.taskId, resetsAt: event.resetsAt, status: "waiting_for_quota" },
          "task waiting for quota",
        );
        return;
      case "task.completed":
        log.info(
          {
            taskId: event.taskId,
            status: "completed",
            slotId: event.result.slotId,
            model: event.result.model,
            spendUsd: event.result.spendUsd,
            turns: event.result.turns,
            durationMs: event.result.durationMs,
          },
          "task completed",
        );
        return;
      case "task.failed":
        log.warn(
          { taskId: event.taskId, status: event.status, code: event.error.code, reason: event.error.reason },
          `task ${event.status}`,
        );
        return;
      case "pool.drained":
        log.info({ summary: event.summary }, "pool drained");
        return;
      default:
        return;
    }
  });
}

/**
 * One line per answered HTTP request. Only the path (never the query string, which may carry a
 * credential), the method, status and time; no headers, so no cookie or token can be in it.
 */
export function requestLogger(
  logger: Logger,
): (req: IncomingMessage, res: ServerResponse, ms: number) => void {
  return (req, res, ms) => {
    const path = (req.url ?? "/").split("?")[0];
    const line = { method: req.method, path, status: res.statusCode, ms: Math.round(ms * 10) / 10 };
    if (res.statusCode >= 500) logger.error(line, "request");
    else logger.info(line, "request");
  };
}

/** The `log(msg, data)` shape the pool host and the engine take, onto pino. */
export function hostLog(logger: Logger): (msg: string, data?: object) => void {
  return (msg, data) => logger.info(data ?? {}, msg);
}
