export * from "./client.js";
export * from "./errors.js";
export type { components, operations, paths } from "./generated/openapi.js";
export * from "./pages.js";
export * from "./signature.js";
export * from "./verify.js";
