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
export { DatabaseUnreachableError, SchemaTooNewError } from "./errors.js";
export { MIGRATIONS_FOLDER, type MigrationReport, migrateToLatest } from "./migrate.js";
export * as schema from "./schema/index.js";
export { PgStore, type PgStoreOptions, STORE_CHANNEL } from "./store/pg-store.js";
