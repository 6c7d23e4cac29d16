export { AttemptRecorder } from "./attempt-recorder.js";
export { type DispatcherConfig, dispatcherEnvSchema, loadDispatcherConfig } from "./config.js";
export { startDeliveryWorker } from "./delivery-worker.js";
export { type HealthServerOptions, startHealthServer } from "./health-server.js";
export { DispatcherMetrics } from "./metrics.js";
export { EndpointRateLimiter } from "./rate-limiter.js";
export { retriesExhausted, retryAfterDelay, retryDelay } from "./schedule.js";
export { scheduleOutboxSweep, sweepOutbox } from "./sweeps/outbox.js";
export { createDeliveryProcessor, type DispatcherContext, decideOutcome, RetryLater } from "./worker.js";
