import type { CredentialPark, TaskRecord } from "./port.js";

/**
 * The in-memory store's usage-limit parks, by pool and credential (see `Store.parkCredential`).
 * The rules for which tasks a park holds and which a claim may take live here, so the store's
 * claim and insert only ask.
 */
export class MemoryCredentialParks {
  readonly #parks = new Map<string, Map<string, Date>>();

  /** Records the park (the later end wins) and returns when it ends. */
  park(poolId: string, credential: string, until: Date): Date {
    let pool = this.#parks.get(poolId);
    if (!pool) {
      pool = new Map();
      this.#parks.set(poolId, pool);
    }
    const existing = pool.get(credential);
    const end = existing && existing.getTime() > until.getTime() ? existing : until;
    pool.set(credential, end);
    return end;
  }

  /** Parks still in force at `now`, earliest end first. */
  active(poolId: string, now: number): CredentialPark[] {
    const pool = this.#parks.get(poolId);
    if (!pool) return [];
    return [...pool]
      .filter(([, until]) => until.getTime() > now)
      .map(([credential, until]) => ({ credential, until: new Date(until) }))
      .sort((a, b) => a.until.getTime() - b.until.getTime());
  }

  isParked(poolId: string, credential: string, now: number): boolean {
    const until = this.#parks.get(poolId)?.get(credential);
    return until !== undefined && until.getTime() > now;
  }
}

/** Whether a park of `credential` until `until` puts this task on hold. */
export function heldByPark(t: TaskRecord, credential: string, until: Date): boolean {
  if (t.status === "queued") return true;
  if (t.status !== "waiting_for_quota") return false;
  const heldFor = t.quotaCredential ?? null;
  if (heldFor !== null && heldFor !== credential) return false;
  return t.runAfter === null || t.runAfter.getTime() < until.getTime();
}

/** A waiting task held for another account's park: a slot with `credential` may run it now. */
export function heldForAnother(t: TaskRecord, credential: string | undefined): boolean {
  const heldFor = t.quotaCredential ?? null;
  return credential !== undefined && heldFor !== null && heldFor !== credential;
}
