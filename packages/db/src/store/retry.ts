/** SQLSTATEs after which Postgres has rolled the whole statement back, so running it again is safe. */
const RETRYABLE = new Set(["40P01" /* deadlock_detected */, "40001" /* serialization_failure */]);

function sqlState(err: unknown): string | undefined {
  for (let e: unknown = err; typeof e === "object" && e !== null; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

/**
 * Runs an atomic store operation again when Postgres aborted it for a deadlock or a serialization
 * failure. Settlements, reservations and claims from several engines touch the same pool and
 * rollup rows, and the order in which a statement's CTEs take their row locks is up to Postgres,
 * so two of them can deadlock; one is rolled back and simply runs again.
 */
export async function retryOnConflict<T>(operation: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (err) {
      const state = sqlState(err);
      if (attempt >= attempts || state === undefined || !RETRYABLE.has(state)) throw err;
      await new Promise((r) => setTimeout(r, Math.random() * 10 * attempt));
    }
  }
}

/**
 * Errors that mean the database was out of reach (restarting, a dropped connection), not that the
 * statement was wrong: postgres.js's connection codes, the socket's, and the SQLSTATEs a server
 * sends while it shuts down or starts (admin_shutdown, crash_shutdown, cannot_connect_now, class 08).
 */
const OUTAGE = new Set([
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "57P01",
  "57P02",
  "57P03",
  "08000",
  "08001",
  "08003",
  "08006",
]);

export function isOutage(err: unknown): boolean {
  for (let e: unknown = err; typeof e === "object" && e !== null; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && OUTAGE.has(code)) return true;
  }
  return false;
}

/** The clock and the pause between tries; tests inject both so an outage window costs no real time. */
export interface OutageClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const realClock: OutageClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
};

/**
 * Runs an operation again while the database is out of reach, for up to `budgetMs`. Only for
 * operations that are safe to repeat even if the first try committed and only its answer was lost:
 * upserts, and the settle/park/cancel statements, which apply only to a task still in an open
 * status (a repeat of one that committed finds the task ended and changes nothing). Without this, a
 * Postgres restart failed the task whose settlement was in flight with the SQL error as its reason.
 *
 * Past the budget it gives up with an error that says so (how long, how many tries, the last
 * cause); the cause stays attached, so `isOutage` still recognises it and the API answers 503.
 * Any other error (a constraint, a bad statement) is thrown at once, untouched.
 */
export async function retryThroughOutage<T>(
  operation: () => Promise<T>,
  budgetMs = 30_000,
  clock: OutageClock = realClock,
): Promise<T> {
  const deadline = clock.now() + budgetMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (err) {
      if (!isOutage(err)) throw err;
      if (clock.now() > deadline) {
        const last = err instanceof Error ? err.message : String(err);
        throw new Error(
          `the database stayed out of reach for more than ${budgetMs} ms (${attempt} tries); last error: ${last}`,
          { cause: err },
        );
      }
      await clock.sleep(Math.min(1000, 50 * 2 ** attempt));
    }
  }
}
