export { serializeEnvelope } from "./envelope.js";
export { EventWriter } from "./event-writer.js";
export {
  EventIngest,
  type EventInput,
  IDEMPOTENCY_WINDOW_MS,
  type IngestDependencies,
  type IngestResult,
} from "./ingest.js";
export { enqueueFromOutbox, enqueueOrLeaveInOutbox, type OutboxHandOff } from "./outbox.js";
export { ProjectLookups } from "./project-lookups.js";
