export { type CreateDbOptions, createDb, type Database } from "./client.js";
export { DEFAULT_DATA_DIR, findWorkspaceRoot, parsePostgresUrl, resolveDataDir } from "./config.js";
export * from "./domain/access.js";
export { pingDatabase } from "./domain/health.js";
export {
  archivePoolRow,
  createPoolRow,
  findTeamPoolByName,
  getPoolRow,
  listServedPools,
  listTeamPools,
  type NewPoolRow,
  POOL_CHANGES_CHANNEL,
  type PoolRow as StoredPool,
  type PoolRowPatch,
  type PoolSlotSpec,
  poolConfigOf,
  setPoolSlotSpec,
  slotCountOf,
  updatePoolRow,
} from "./domain/pools.js";
export {
  deleteTeamSkill,
  listTeamSkills,
  type NewSkillRow,
  type SkillRow,
  upsertTeamSkill,
} from "./domain/skills.js";
export { listLiveSlots, type SlotRow, stopEngineSlots, touchEngineSlots } from "./domain/slots.js";
export {
  engineActiveWork,
  listTaskPage,
  requestChainCancel,
  requestTaskCancel,
  TASK_CANCEL_CHANNEL,
  type TaskPage,
  type TaskPageQuery,
  type TaskRow as StoredTask,
} from "./domain/tasks.js";
export { type TeamBudgetState, teamBudgetState } from "./domain/team-budget.js";
export * from "./domain/team-tokens.js";
export * from "./domain/teams.js";
export {
  type ClaimedDelivery,
  claimDueDeliveries,
  createWebhookEndpoint,
  type DeliveryView,
  deleteWebhookEndpoint,
  enqueueWebhookEvent,
  getWebhookEndpoint,
  listWebhookDeliveries,
  listWebhookEndpoints,
  nextDeliveryDueInMs,
  recordDeliveryAttempt,
  type WebhookEndpointRow,
  type WebhookEndpointView,
} from "./domain/webhooks.js";
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
export { WEBHOOK_EVENTS, type WebhookDeliveryStatus, type WebhookEvent } from "./schema/webhooks.js";
export { PgStore, type PgStoreOptions, STORE_CHANNEL } from "./store/pg-store.js";
export { isOutage } from "./store/retry.js";
export { getTaskDiff } from "./store/task-diffs.js";
