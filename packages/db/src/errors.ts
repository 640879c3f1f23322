/** Where a Postgres URL points (never its password), for messages. */
export interface PostgresLocation {
  host: string;
  port: number;
  database: string;
}

/** The configured Postgres did not answer; says which host and why. */
export class DatabaseUnreachableError extends Error {
  readonly code = "DB_UNREACHABLE";
  readonly location: PostgresLocation;
  constructor(location: PostgresLocation, reason: string, options?: ErrorOptions) {
    super(
      `cannot connect to Postgres at ${location.host}:${location.port}` +
        `${location.database ? ` (database "${location.database}")` : ""}: ${reason}`,
      options,
    );
    this.name = "DatabaseUnreachableError";
    this.location = location;
  }
}

/** The database was migrated by a newer claude-pool than this one; nothing was written. */
export class SchemaTooNewError extends Error {
  readonly code = "DB_SCHEMA_TOO_NEW";
  constructor(message: string) {
    super(message);
    this.name = "SchemaTooNewError";
  }
}

/** The PGlite data directory is open in another process (PGlite is single-process). */
export class DataDirInUseError extends Error {
  readonly code = "DB_DATA_DIR_IN_USE";
  constructor(dataDir: string, ownerPid: number | null) {
    super(
      `the PGlite data directory ${dataDir} is in use by ${ownerPid === null ? "another process" : `process ${ownerPid}`}` +
        " (PGlite allows one process at a time): stop it, or set DATABASE_URL to share a Postgres between engines",
    );
    this.name = "DataDirInUseError";
  }
}

/**
 * `DATABASE_URL` (or `createDb({ url })`) is not a Postgres URL. Says which setting, what it held
 * (password masked) and what is accepted, so the fix is obvious without a stack trace.
 */
export class InvalidDatabaseUrlError extends Error {
  readonly code = "DB_INVALID_URL";
  /** The setting that held the value: `DATABASE_URL` or `options.url`. */
  readonly setting: string;
  constructor(setting: string, message: string) {
    super(message);
    this.name = "InvalidDatabaseUrlError";
    this.setting = setting;
  }
}
