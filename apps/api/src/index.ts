export { loadOrCreateAdminKey } from "./admin-key.js";
export { createApp } from "./app.js";
export { answerClientErrors } from "./client-errors.js";
export { type ApiConfig, apiEnvSchema, loadApiConfig } from "./config.js";
export type { ApiContext } from "./context.js";
export { type ApiMetrics, createApiMetrics } from "./metrics.js";
export { openApiDocument, openApiPath } from "./openapi.js";
export { v1Routes } from "./routes/index.js";
export type { Route } from "./routes/route.js";
