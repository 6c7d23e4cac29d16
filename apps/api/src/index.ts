export { loadOrCreateAdminKey } from "./admin-key.js";
export { createApp } from "./app.js";
export { type ApiConfig, apiEnvSchema, loadApiConfig } from "./config.js";
export type { ApiContext } from "./context.js";
