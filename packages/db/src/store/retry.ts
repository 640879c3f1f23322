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
