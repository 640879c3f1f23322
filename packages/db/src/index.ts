export {
  type CreateDbOptions,
  createDb,
  type Database,
  type Db,
  DEFAULT_DATA_DIR,
  type Executor,
  type PostgresLocation,
  queryRows,
  type Tx,
} from "./client.js";
export { DatabaseUnreachableError, DataDirInUseError, SchemaTooNewError } from "./errors.js";
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
