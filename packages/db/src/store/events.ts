import {
  type NewTaskEvent,
  type RunningTaskPatch,
  type TaskEvent,
  TERMINAL_STATUSES,
} from "@claude-pool/core";
import { and, asc, eq, gt, type SQL, sql } from "drizzle-orm";
import { type Db, queryRows } from "../executor.js";
import { taskEvents } from "../schema/index.js";
import { STORE_CHANNEL } from "./notify.js";
import { jsonSafe } from "./rows.js";

/** Still running: what `updateRunningTask` may patch (a constant list, inlined). */
const UNFINISHED = sql.raw(`status not in (${TERMINAL_STATUSES.map((s) => `'${s}'`).join(", ")})`);

/** The running task's patch as more of the append's own update (nothing without one: same text as before). */
function patchSet(patch: RunningTaskPatch | undefined): SQL {
  if (!patch) return sql``;
  const column = (name: string, value: string | undefined) =>
    value === undefined
      ? sql``
      : sql`, ${sql.raw(name)} = case when ${UNFINISHED} then ${value}::text else ${sql.raw(name)} end`;
  return sql`${column("claude_session_id", patch.claudeSessionId)}${column("model", patch.model)}`;
}

/**
 * Appends a batch of a task's events in ONE statement (one round trip): the task row's
 * `last_event_seq` is bumped under its row lock, which serializes appenders, so the batch is
 * numbered without gaps; the rows are inserted and the NOTIFY queued in the same statement.
 */
export async function appendTaskEvents(
  db: Db,
  taskId: string,
  events: NewTaskEvent[],
  now: SQL,
  patch?: RunningTaskPatch,
): Promise<TaskEvent[]> {
  const batch = JSON.stringify(events.map((e) => ({ kind: e.kind, payload: jsonSafe(e.payload) })));
  const rows = await queryRows<{
    pool_id: string;
    seq: number | null;
    kind: string | null;
    payload: unknown;
    at: Date | string | null;
  }>(
    db,
    sql`
    with t as (
      update tasks set last_event_seq = last_event_seq + ${events.length}::int${patchSet(patch)}
      where id = ${taskId}::uuid
      returning pool_id, last_event_seq
    ), ins as (
      insert into task_events (task_id, seq, kind, payload, at)
      select ${taskId}::uuid, t.last_event_seq - ${events.length}::int + e.ord::int, e.value->>'kind',
        e.value->'payload', ${now}
      from t cross join jsonb_array_elements(${batch}::jsonb) with ordinality as e(value, ord)
      returning seq, kind, payload, at
    ), n as (
      select pg_notify(${STORE_CHANNEL}::text, json_build_object('p', t.pool_id, 'n',
        json_build_object('type', 'task_events', 'taskId', ${taskId}::text, 'lastSeq', t.last_event_seq))::text)
      from t where ${events.length}::int > 0
    )
    select t.pool_id, ins.seq, ins.kind, ins.payload, ins.at, (select count(*) from n) as notified
    from t left join ins on true
    order by ins.seq`,
  );
  if (rows.length === 0) throw new Error(`unknown task ${taskId}`);
  return rows.flatMap((r) =>
    r.seq === null || r.kind === null || r.at === null
      ? []
      : [{ taskId, seq: Number(r.seq), kind: r.kind, payload: r.payload, at: new Date(r.at) }],
  );
}

/** A task's events after `afterSeq` (a page of `limit` when given), by the (task_id, seq) key. */
export async function listTaskEvents(
  db: Db,
  taskId: string,
  afterSeq: number,
  limit?: number,
): Promise<TaskEvent[]> {
  const query = db
    .select()
    .from(taskEvents)
    .where(and(eq(taskEvents.taskId, taskId), gt(taskEvents.seq, afterSeq)))
    .orderBy(asc(taskEvents.seq));
  const rows = await (limit === undefined ? query : query.limit(limit));
  return rows.map(toEvent);
}

/** A Claude session's result lines, served by task_events_result_session_idx (migration 0001). */
export async function listSessionResults(db: Db, claudeSessionId: string): Promise<TaskEvent[]> {
  const rows = await db
    .select()
    .from(taskEvents)
    .where(
      and(
        eq(taskEvents.kind, "result"),
        sql`${taskEvents.payload}->>'session_id' = ${claudeSessionId}::text`,
      ),
    )
    .orderBy(asc(taskEvents.at), asc(taskEvents.seq));
  return rows.map(toEvent);
}

function toEvent(r: typeof taskEvents.$inferSelect): TaskEvent {
  return { taskId: r.taskId, seq: r.seq, kind: r.kind, payload: r.payload, at: r.at };
}
