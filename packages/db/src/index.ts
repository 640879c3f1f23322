export { type CreateDbOptions, createDb, type Database } from "./client.js";
export { DEFAULT_DATA_DIR, findWorkspaceRoot, parsePostgresUrl, resolveDataDir } from "./config.js";
export {
  DatabaseUnreachableError,
  DataDirInUseError,
  InvalidDatabaseUrlError,
  type PostgresLocation,
  SchemaTooNewError,
} from "./errors.js";
export { type Db, type Executor, queryRows, type Tx } from "./executor.js";
export { MIGRATIONS_FOLDER, type MigrationReport, migrateToLatest } from "./migrate.js";
export { type RecoveryOptions, type RecoveryReport, recoverOnStart } from "./recovery.js";
export {
  REPORT_BUCKETS,
  REPORT_DIMENSIONS,
  type ReportBucket,
  type ReportDimension,
  type ReportQuery,
  type ReportRange,
  type ReportRow,
  spendReport,
  spendRows,
  spendRowsToCsv,
  type TaskSpendRow,
  utcDay,
} from "./reports.js";
export { pruneTaskEvents } from "./retention.js";
export * as schema from "./schema/index.js";
export { PgStore, type PgStoreOptions, STORE_CHANNEL } from "./store/pg-store.js";
