export { serializeEnvelope } from "./envelope.js";
export {
  EventIngest,
  type EventInput,
  type IngestDependencies,
  type IngestResult,
} from "./ingest.js";
export { enqueueFromOutbox, enqueueOrLeaveInOutbox, type OutboxHandOff } from "./outbox.js";
export { type FanOutTarget, ProjectLookups } from "./project-lookups.js";
export {
  advanceRecovery,
  countRecoverable,
  type NewDelivery,
  newDelivery,
  RECOVERY_BATCH,
  type RecoveryTarget,
  type RecoveryWindow,
  TEST_EVENT_TYPE,
} from "./recovery.js";
