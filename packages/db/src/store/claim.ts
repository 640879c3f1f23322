import type { ClaimedTask, ClaimRequest } from "@claude-pool/core";
import { type SQL, sql } from "drizzle-orm";
import { type Db, queryRows } from "../executor.js";
import { tasks } from "../schema/index.js";
import { STORE_CHANNEL } from "./notify.js";
import { fromRawRow, toTaskRecord } from "./rows.js";

/**
 * Claims the best task a slot may run in ONE statement: it picks the candidate with
 * `FOR UPDATE SKIP LOCKED` (engines claiming at once each get a different task, none waits on
 * another), gives a dead run's reservation back to its pool and team when the task is taken over
 * from an expired lease, marks it running under this engine's lease, queues the NOTIFY and returns
 * the claimed row (one round trip: a second one to read the row was ~5 % of a cold task's
 * statements on Postgres, on the slot's path from one process to the next). Claimable: `queued`;
 * `waiting_for_quota` whose `run_after` passed; `running` whose lease expired. Highest priority
 * first, `seq` within a priority.
 */
export async function claimNextTask(db: Db, claim: ClaimRequest, now: SQL): Promise<ClaimedTask | undefined> {
  const role =
    claim.slotRole === null
      ? sql`t.target_role is null`
      : sql`(t.target_role is null or t.target_role = ${claim.slotRole}::text)`;
  // A slot whose account is over its usage limit claims nothing; one on another account may take
  // work held for that limit (quota_credential set, not its own) before the reset.
  const credential = claim.credential;
  const parked =
    credential === undefined
      ? sql`false`
      : sql`exists (select 1 from credential_parks q where q.pool_id = ${claim.poolId}::text
          and q.credential = ${credential}::text and q.until > ${now})`;
  const heldForAnother =
    credential === undefined
      ? sql`false`
      : sql`(t.quota_credential is not null and t.quota_credential <> ${credential}::text)`;
  const slot = claim.slot;
  // The claiming slot, busy with the task, saved by the same statement (pool-core then skips its
  // own upsert at the task's start: one statement less a task).
  const slotSaved = slot
    ? sql`, slot_saved as (
      insert into slots (pool_id, id, engine_id, name, role, description, config, state, current_task_id,
        session_id, worktree_path, tasks_completed, errors, restarts, spend_micros, updated_at)
      select ${slot.poolId}::text, ${slot.id}::text, ${slot.engineId}::text, ${slot.name}::text,
        ${slot.role}::text, ${slot.description}::text, ${JSON.stringify(slot.config)}::jsonb, 'busy',
        claimed.id::text, ${slot.sessionId}::text, ${slot.worktreePath}::text, ${slot.tasksCompleted}::int,
        ${slot.errors}::int, ${slot.restarts}::int, ${slot.spendMicros}::bigint, ${now}
      from claimed
      on conflict (pool_id, engine_id, id) do update set
        name = excluded.name, role = excluded.role, description = excluded.description,
        config = excluded.config, state = excluded.state, current_task_id = excluded.current_task_id,
        session_id = excluded.session_id, worktree_path = excluded.worktree_path,
        tasks_completed = excluded.tasks_completed, errors = excluded.errors, restarts = excluded.restarts,
        spend_micros = excluded.spend_micros, updated_at = excluded.updated_at
      returning 1
    )`
    : sql``;
  const rows = await queryRows<Record<string, unknown> & { id: string; claimed_from: string }>(
    db,
    sql`
    with c as (
      select t.id, t.status, t.reserved_micros from tasks t
      where t.pool_id = ${claim.poolId}::text
        and not ${parked}
        and (t.status = 'queued'
          or (t.status = 'waiting_for_quota' and (t.run_after is null or t.run_after <= ${now} or ${heldForAnother}))
          or (t.status = 'running' and t.lease_expires_at < ${now}))
        and (t.target_slot_id is null or t.target_slot_id = ${claim.slotId}::text)
        and ${role}
      order by t.priority desc, t.seq asc
      limit 1
      for update skip locked
    ), released as (
      update pools set reserved_micros = pools.reserved_micros - c.reserved_micros
      from c where pools.id = ${claim.poolId}::text and c.status = 'running' and c.reserved_micros > 0
      returning pools.team_id, c.reserved_micros as micros
    ), team_released as (
      update teams set reserved_micros = greatest(0, teams.reserved_micros - released.micros)
      from released where teams.id = released.team_id
      returning 1
    ), claimed as (
      update tasks set
        status = 'running',
        slot_id = ${claim.slotId}::text,
        engine_id = ${claim.engineId}::text,
        lease_expires_at = ${now} + ${claim.leaseMs}::int * interval '1 millisecond',
        run_after = null,
        quota_credential = null,
        attempt = tasks.attempt + 1,
        recoveries = tasks.recoveries + (case when c.status = 'running' then 1 else 0 end),
        -- a run whose engine died is lost: its reservation went back to the pool above
        reserved_micros = case when c.status = 'running' then 0 else tasks.reserved_micros end,
        started_at = coalesce(tasks.started_at, ${now})
      from c where tasks.id = c.id
      returning tasks.*, c.status as claimed_from
    )${slotSaved}
    select claimed.*,
      pg_notify(${STORE_CHANNEL}::text, json_build_object('p', ${claim.poolId}::text, 'n',
        json_build_object('type', 'task_changed', 'taskId', claimed.id, 'status', 'running'))::text),
      (select count(*) from team_released) as teams_released,
      ${slot ? sql`(select count(*) from slot_saved)` : sql`0`} as slots_saved
    from claimed`,
  );
  const [claimed] = rows;
  if (!claimed) return undefined;
  const from = claimed.claimed_from;
  if (from !== "queued" && from !== "waiting_for_quota" && from !== "running") {
    throw new Error(`claim matched task ${claimed.id} in status ${from}`);
  }
  const task: ClaimedTask = { ...toTaskRecord(fromRawRow(tasks, claimed)), claimedFrom: from };
  if (Number(claimed.slots_saved) > 0) task.slotSaved = true;
  return task;
}
