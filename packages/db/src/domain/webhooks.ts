import { newId } from "@claude-pool/core";
import { and, desc, eq, sql } from "drizzle-orm";
import { type Executor, queryRows } from "../executor.js";
import {
  type WebhookDeliveryStatus,
  type WebhookEvent,
  webhookDeliveries,
  webhookEndpoints,
} from "../schema/webhooks.js";

export type WebhookEndpointRow = typeof webhookEndpoints.$inferSelect;
/** An endpoint as lists show it: everything but the secret. */
export type WebhookEndpointView = Omit<WebhookEndpointRow, "secret">;
export type WebhookDeliveryRow = typeof webhookDeliveries.$inferSelect;

export async function createWebhookEndpoint(
  db: Executor,
  input: {
    teamId: string;
    url: string;
    events: WebhookEvent[];
    secret: string;
    description?: string;
    createdBy?: string;
  },
): Promise<WebhookEndpointRow> {
  const [row] = await db
    .insert(webhookEndpoints)
    .values({
      id: newId(),
      teamId: input.teamId,
      url: input.url,
      events: [...new Set(input.events)],
      secret: input.secret,
      description: input.description ?? "",
      createdBy: input.createdBy ?? null,
    })
    .returning();
  if (!row) throw new Error("inserting a webhook endpoint returned no row");
  return row;
}

const viewColumns = {
  id: webhookEndpoints.id,
  teamId: webhookEndpoints.teamId,
  url: webhookEndpoints.url,
  events: webhookEndpoints.events,
  description: webhookEndpoints.description,
  createdBy: webhookEndpoints.createdBy,
  createdAt: webhookEndpoints.createdAt,
};

export function listWebhookEndpoints(db: Executor, teamId: string): Promise<WebhookEndpointView[]> {
  return db
    .select(viewColumns)
    .from(webhookEndpoints)
    .where(eq(webhookEndpoints.teamId, teamId))
    .orderBy(desc(webhookEndpoints.createdAt), desc(webhookEndpoints.id));
}

/** The endpoint (without its secret), for the caller's authorization check on its team. */
export async function getWebhookEndpoint(db: Executor, id: string): Promise<WebhookEndpointView | undefined> {
  if (!isUuid(id)) return undefined;
  const [row] = await db.select(viewColumns).from(webhookEndpoints).where(eq(webhookEndpoints.id, id));
  return row;
}

/** Deletes the endpoint and its deliveries (pending ones are never sent). */
export async function deleteWebhookEndpoint(db: Executor, id: string): Promise<boolean> {
  if (!isUuid(id)) return false;
  const rows = await db
    .delete(webhookEndpoints)
    .where(eq(webhookEndpoints.id, id))
    .returning({ id: webhookEndpoints.id });
  return rows.length > 0;
}

/**
 * Queues `event` for every endpoint of the team subscribed to it. Idempotent per endpoint and
 * `dedupeKey` (e.g. `task.completed:<taskId>`, `budget.threshold:pool:<id>:80:<cap>`): a second
 * call for the same fact, from any engine, queues nothing. Returns how many deliveries it queued.
 */
export async function enqueueWebhookEvent(
  db: Executor,
  input: {
    teamId: string;
    event: WebhookEvent;
    dedupeKey: string;
    payload: Record<string, unknown>;
    maxAttempts: number;
  },
): Promise<number> {
  const rows = await queryRows<{ id: string }>(
    db,
    sql`insert into webhook_deliveries (id, endpoint_id, team_id, event, dedupe_key, payload, max_attempts)
      select gen_random_uuid(), e.id, e.team_id, ${input.event}, ${input.dedupeKey},
        ${JSON.stringify(input.payload)}::jsonb, ${input.maxAttempts}
      from webhook_endpoints e
      where e.team_id = ${input.teamId} and ${input.event} = any(e.events)
      on conflict (endpoint_id, dedupe_key) do nothing
      returning id`,
  );
  return rows.length;
}

/** A delivery this engine holds the lease of, with what is needed to send it. */
export interface ClaimedDelivery {
  id: string;
  endpointId: string;
  teamId: string;
  event: WebhookEvent;
  payload: Record<string, unknown>;
  attempts: number;
  maxAttempts: number;
  url: string;
  secret: string;
}

/**
 * Takes up to `limit` due deliveries (pending, next attempt passed, no live lease) for this
 * engine, `FOR UPDATE SKIP LOCKED`, so engines sharing the database never send one twice at
 * once; a lease that lapses (the engine died mid-send) makes it due again for anyone.
 */
export async function claimDueDeliveries(
  db: Executor,
  input: { engineId: string; leaseMs: number; limit: number },
): Promise<ClaimedDelivery[]> {
  const rows = await queryRows<{
    id: string;
    endpoint_id: string;
    team_id: string;
    event: WebhookEvent;
    payload: Record<string, unknown> | string;
    attempts: number;
    max_attempts: number;
    url: string;
    secret: string;
  }>(
    db,
    sql`with due as (
        select d.id from webhook_deliveries d
        where d.status = 'pending' and d.next_attempt_at <= now()
          and (d.lease_expires_at is null or d.lease_expires_at < now())
        order by d.next_attempt_at, d.created_at
        limit ${input.limit}
        for update skip locked
      )
      update webhook_deliveries d
        set lease_engine_id = ${input.engineId},
            lease_expires_at = now() + make_interval(secs => ${input.leaseMs / 1000})
      from due, webhook_endpoints e
      where d.id = due.id and e.id = d.endpoint_id
      returning d.id, d.endpoint_id, d.team_id, d.event, d.payload, d.attempts, d.max_attempts, e.url, e.secret`,
  );
  return rows.map((r) => ({
    id: r.id,
    endpointId: r.endpoint_id,
    teamId: r.team_id,
    event: r.event,
    payload: typeof r.payload === "string" ? (JSON.parse(r.payload) as Record<string, unknown>) : r.payload,
    attempts: Number(r.attempts),
    maxAttempts: Number(r.max_attempts),
    url: r.url,
    secret: r.secret,
  }));
}

/**
 * Records one attempt of a delivery this engine holds: delivered, due again after `retryInMs`,
 * or failed for good when `retryInMs` is null. Returns false when the lease was lost meanwhile
 * (another engine took the delivery over), in which case nothing is written.
 */
export async function recordDeliveryAttempt(
  db: Executor,
  input: {
    id: string;
    engineId: string;
    delivered: boolean;
    responseCode: number | null;
    error: string | null;
    retryInMs: number | null;
  },
): Promise<boolean> {
  const status: WebhookDeliveryStatus = input.delivered
    ? "delivered"
    : input.retryInMs === null
      ? "failed"
      : "pending";
  const rows = await queryRows<{ id: string }>(
    db,
    sql`update webhook_deliveries set
        attempts = attempts + 1,
        status = ${status},
        last_attempt_at = now(),
        response_code = ${input.responseCode},
        last_error = ${input.error},
        delivered_at = ${input.delivered ? sql`now()` : sql`null`},
        next_attempt_at = ${input.retryInMs === null ? sql`next_attempt_at` : sql`now() + make_interval(secs => ${input.retryInMs / 1000})`},
        lease_engine_id = null,
        lease_expires_at = null
      where id = ${input.id} and lease_engine_id = ${input.engineId} and status = 'pending'
      returning id`,
  );
  return rows.length > 0;
}

export interface DeliveryView {
  id: string;
  endpointId: string;
  event: WebhookEvent;
  status: WebhookDeliveryStatus;
  attempts: number;
  maxAttempts: number;
  responseCode: number | null;
  lastError: string | null;
  nextAttemptAt: Date | null;
  lastAttemptAt: Date | null;
  deliveredAt: Date | null;
  createdAt: Date;
  payload: Record<string, unknown>;
}

/** A team's recent deliveries, newest first, optionally of one endpoint. */
export async function listWebhookDeliveries(
  db: Executor,
  input: { teamId: string; endpointId?: string; limit: number },
): Promise<DeliveryView[]> {
  const rows = await db
    .select()
    .from(webhookDeliveries)
    .where(
      and(
        eq(webhookDeliveries.teamId, input.teamId),
        input.endpointId ? eq(webhookDeliveries.endpointId, input.endpointId) : undefined,
      ),
    )
    .orderBy(desc(webhookDeliveries.createdAt), desc(webhookDeliveries.id))
    .limit(input.limit);
  return rows.map((r) => ({
    id: r.id,
    endpointId: r.endpointId,
    event: r.event,
    status: r.status,
    attempts: r.attempts,
    maxAttempts: r.maxAttempts,
    responseCode: r.responseCode,
    lastError: r.lastError,
    nextAttemptAt: r.status === "pending" ? r.nextAttemptAt : null,
    lastAttemptAt: r.lastAttemptAt,
    deliveredAt: r.deliveredAt,
    createdAt: r.createdAt,
    payload: r.payload,
  }));
}

/** How soon the earliest pending delivery is due, in ms from now (null: none pending). */
export async function nextDeliveryDueInMs(db: Executor): Promise<number | null> {
  const [row] = await queryRows<{ ms: number | string | null }>(
    db,
    sql`select greatest(0, extract(epoch from (min(greatest(next_attempt_at, coalesce(lease_expires_at, next_attempt_at))) - now())) * 1000) as ms
      from webhook_deliveries where status = 'pending'`,
  );
  return row?.ms === null || row?.ms === undefined ? null : Number(row.ms);
}

function isUuid(id: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);
}
