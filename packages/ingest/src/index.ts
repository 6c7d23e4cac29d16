export { serializeEnvelope } from "./envelope.js";
export {
  EventIngest,
  type EventInput,
  type IngestDependencies,
  type IngestResult,
} from "./ingest.js";
export { enqueueFromOutbox, enqueueOrLeaveInOutbox, type OutboxHandOff } from "./outbox.js";
export { type FanOutTarget, ProjectLookups } from "./project-lookups.js";
