export { type DispatcherConfig, dispatcherEnvSchema, loadDispatcherConfig } from "./config.js";
export { startDeliveryWorker } from "./delivery-worker.js";
export { startHealthServer } from "./health-server.js";
export { WebhookHttpClient } from "./http-client.js";
export { retriesExhausted, retryDelay } from "./schedule.js";
export { createDeliveryProcessor, type DispatcherContext, RetryLater } from "./worker.js";
