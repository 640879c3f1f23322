/**
 * The host's own errors. Each has a stable `code`; errors.ts maps `*_NOT_FOUND` and
 * `POOL_NOT_RUNNING` to NOT_FOUND, `*_EXISTS` to CONFLICT and `INVALID_*` to BAD_REQUEST.
 */

/** The pool exists in the database but this engine does not run it (deleted, or failed to start). */
export class PoolNotRunning extends Error {
  readonly code = "POOL_NOT_RUNNING";
  constructor(readonly poolId: string) {
    super(`pool not found: ${poolId} (this engine does not run it)`);
    this.name = "PoolNotRunning";
  }
}

export class PoolNotFound extends Error {
  readonly code = "POOL_NOT_FOUND";
  constructor(readonly poolId: string) {
    super(`pool not found: ${poolId}`);
    this.name = "PoolNotFound";
  }
}

export class PoolNameExists extends Error {
  readonly code = "POOL_NAME_EXISTS";
  constructor(readonly poolName: string) {
    super(`name: the team already has a pool named ${JSON.stringify(poolName)}`);
    this.name = "PoolNameExists";
  }
}

/** The engine is stopping: it starts nothing new. */
export class HostStopping extends Error {
  readonly code = "HOST_STOPPING_CONFLICT";
  constructor() {
    super("the engine is shutting down and accepts no pool changes");
    this.name = "HostStopping";
  }
}
