export {
  type AttemptRecord,
  type AutoDisabledReason,
  disableWebhookManually,
  failPendingDeliveries,
  type Outcome,
  recordAttempt,
  recordAttempts,
} from "./attempts.js";
export {
  type InstallScriptInput,
  installScript,
  uninstallScript,
} from "./capture/capture-sql.js";
export {
  databaseRole,
  describeDatabase,
  type RecordedChange,
  SourceConnection,
  type SourceTimeouts,
  withSourceConnection,
} from "./capture/source-connection.js";
export {
  createPrismaClient,
  type Database,
  type DatabaseOptions,
  type DatabaseTimeouts,
  SESSION_OPTIONS,
} from "./client.js";
export {
  CONFIG_CHANGE_CHANNEL,
  type ListenerTimings,
  listenForConfigChanges,
} from "./config-changes.js";
export {
  attemptOutcomes,
  type ChartWindow,
  DELIVERY_LOOKBACK_MS,
  type OutcomeBucket,
  type OutcomeSeries,
  type OutcomeTotals,
  webhookAttemptOutcomes,
} from "./dashboard-charts.js";
export { type DeliveryForAttempt, DeliveryLoader, pendingDeliveryState } from "./delivery-for-attempt.js";
export { databaseUrlFor, ensureDatabase, withServerConnection } from "./ensure-database.js";
export {
  enabledWebhookTargets,
  eventDataSizes,
  insertChunkLength,
  insertEventsWithDeliveries,
  markEnqueued,
  type NewEvent,
  projectIdForKeyHash,
  returnToOutbox,
  type WebhookTarget,
} from "./events.js";
export {
  claimFifoLease,
  type FifoHead,
  type FifoLine,
  fifoHead,
  fifoHeadsDue,
  fifoLines,
  releaseFifoLease,
  releaseFifoLine,
} from "./fifo.js";
export { serviceGaugeReaders } from "./gauge-readers.js";
export type {
  ApiKey,
  Attempt,
  Delivery,
  Event,
  Project,
  Recovery,
  Source,
  Webhook,
} from "./generated/prisma/client.js";
export { Prisma } from "./generated/prisma/client.js";
export { DeliveryStatus } from "./generated/prisma/enums.js";
export { pingDatabase } from "./health.js";
export {
  deleteExpiredIdempotencyKeys,
  idempotencyKeyHolder,
  type KeyHolder,
} from "./idempotency-keys.js";
export { databaseIdentity } from "./identity.js";
export { type LastAttempt, lastAttempts } from "./last-attempts.js";
export { migrateDatabase } from "./migrate.js";
export {
  forgetOperationalEvents,
  type WaitingOperationalEvent,
  waitingOperationalEvents,
} from "./operational-events.js";
export {
  type OutboxCursor,
  OVERDUE_CURSOR_START,
  type OverdueCursor,
  overdueDeliveries,
  pendingDeliveriesAfter,
  type QueuedDeliveryRow,
  unenqueuedDeliveries,
} from "./outbox.js";
export { countOutboxBacklog } from "./outbox-backlog.js";
export {
  dropExpiredPeriods,
  dropPeriod,
  ensurePartitions,
  type MaintenanceOptions,
  type MisplacedRows,
  PARTITION_PERIOD_MS,
  PARTITIONS_AHEAD,
  type PartitionPeriod,
  type PeriodOutcome,
  partitionPeriods,
  rowsInDefaultPartitions,
} from "./partitions.js";
export { postgresErrorCode } from "./postgres-errors.js";
export { lockProject } from "./projects.js";
// Not `rawQuery` itself: statements are declared inside this package.
export { declaredRawQueries, type RawClient, type RawQuery } from "./raw-rows.js";
export {
  anyRunningRecovery,
  claimRunningRecovery,
  countFailedEventsToReplay,
  type RecoveryScan,
  type RunningRecovery,
  recoveryWindowEvents,
  type ScannedEvent,
} from "./recoveries.js";
export {
  deleteExpired,
  type RetentionCounts,
  type RetentionOptions,
  type RetentionRun,
  type RetentionStep,
  runRetention,
} from "./retention.js";
export {
  type CapturableSource,
  listCapturableSources,
  recordSourceBacklog,
  recordSourceStatus,
  type SourceHealthRow,
  sourceHealthRows,
} from "./sources.js";
export { rotateSecret } from "./webhooks.js";
