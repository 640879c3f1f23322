import type { CredentialPark, CredentialParkRequest, CredentialParkResult } from "@claude-pool/core";
import { type SQL, sql } from "drizzle-orm";
import { type Db, queryRows } from "../executor.js";
import { STORE_CHANNEL } from "./notify.js";

/**
 * Usage limits are per account (pool-core's `Store.parkCredential`), in ONE statement: upserts
 * the pool × credential park (the later reset wins), then holds the pool's pending tasks until the
 * park's end, queueing a `task_changed` NOTIFY for each. Rows are locked with SKIP LOCKED: a task
 * an engine is claiming right now is being started, not held (the claim of a parked credential
 * is refused by store/claim.ts anyway).
 */
export async function parkCredential(
  db: Db,
  request: CredentialParkRequest,
  now: SQL,
): Promise<CredentialParkResult> {
  const rows = await queryRows<{ until: string | Date; held: string | null }>(
    db,
    sql`
    with park as (
      insert into credential_parks (pool_id, credential, until, updated_at)
      values (${request.poolId}::text, ${request.credential}::text, ${request.until.toISOString()}::timestamptz, ${now})
      on conflict (pool_id, credential) do update set
        until = greatest(credential_parks.until, excluded.until),
        updated_at = excluded.updated_at
      returning until
    ), candidates as (
      select t.id from tasks t, park
      where t.pool_id = ${request.poolId}::text
        and (t.status = 'queued'
          or (t.status = 'waiting_for_quota'
            and (t.quota_credential is null or t.quota_credential = ${request.credential}::text)
            and (t.run_after is null or t.run_after < park.until)))
      for update of t skip locked
    ), held as (
      update tasks set
        status = 'waiting_for_quota',
        run_after = park.until,
        quota_credential = ${request.credential}::text
      from candidates, park
      where tasks.id = candidates.id
      returning tasks.id,
        pg_notify(${STORE_CHANNEL}::text, json_build_object('p', ${request.poolId}::text, 'n',
          json_build_object('type', 'task_changed', 'taskId', tasks.id, 'status', 'waiting_for_quota'))::text)
    )
    select park.until, held.id as held from park left join held on true`,
  );
  const [first] = rows;
  if (!first) throw new Error(`parking credential of pool ${request.poolId} returned no row`);
  return {
    until: new Date(first.until),
    heldTaskIds: rows.map((r) => r.held).filter((id): id is string => id !== null),
  };
}

/** The pool's parks still in force at `now`, earliest end first. */
export async function listCredentialParks(db: Db, poolId: string, now: SQL): Promise<CredentialPark[]> {
  const rows = await queryRows<{ credential: string; until: string | Date }>(
    db,
    sql`select credential, until from credential_parks
        where pool_id = ${poolId}::text and until > ${now} order by until asc, credential asc`,
  );
  return rows.map((r) => ({ credential: r.credential, until: new Date(r.until) }));
}

/**
 * A task inserted while an account of its pool is parked is held like the pool's other pending
 * tasks: until the earliest park's end, for that credential (slots of other accounts may run it).
 * One column (`what`: `until`, `credential`, or a constant when a park exists) of that earliest
 * park in force at `now`, as a scalar subquery for the insert's values (null: no park).
 */
export function parkedColumn(poolId: string, now: SQL, what: SQL): SQL {
  return sql`select ${what} from credential_parks
    where pool_id = ${poolId}::text and until > ${now}
    order by until asc, credential asc limit 1`;
}
