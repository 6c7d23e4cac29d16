import v8 from "node:v8";
import {
  type CommonConfig,
  ConfigError,
  commonConfig,
  commonEnvShape,
  parseEnv,
  port,
  positiveInt,
} from "@hookrelay/shared";
import { z } from "zod";
import { requestCost } from "./admission.js";

// The api's whole configuration: the SPEC's environment table, parsed once. Nothing else reads process.env.
export const apiEnvSchema = z.object({
  ...commonEnvShape,
  PORT: port(3000),
  ADMIN_API_KEY: z.string().min(16, "must be at least 16 characters").optional(),
  MAX_WEBHOOKS_PER_PROJECT: positiveInt(25),
  API_MAX_INFLIGHT_BYTES: z.coerce.number().int().positive().optional(),
});

export interface ApiConfig extends CommonConfig {
  port: number;
  /** Unset means main.ts generates one under the data folder. */
  adminApiKey: string | undefined;
  maxWebhooksPerProject: number;
  /** The memory budget of requests in flight (see admission.ts); past it, requests are answered 503. */
  maxInflightBytes: number;
}

/**
 * The default budget of requests in flight: 40% of V8's heap limit, 96 MiB under the 192 MB old-space cap
 * the apps run with (240 MiB heap limit, young generation included). Measured there: 31 MB live when idle,
 * so a budget spent entirely on the worst valid JSON (see admission.ts) peaks near 120 MB live, which
 * leaves the collector room. A process run without the cap (a heap of GBs) gets a larger budget.
 */
export const DEFAULT_INFLIGHT_SHARE_OF_HEAP = 0.4;

export interface ApiConfigOptions {
  /** V8's heap limit; the running process's by default. */
  heapLimitBytes?: number;
}

export function loadApiConfig(
  env: Record<string, string | undefined>,
  { heapLimitBytes = v8.getHeapStatistics().heap_size_limit }: ApiConfigOptions = {},
): ApiConfig {
  const parsed = parseEnv(apiEnvSchema, env);
  const common = commonConfig(parsed);
  // One request of the largest body must fit, or such requests could only ever run alone.
  const smallestBudget = requestCost(common.maxPayloadBytes);
  const configured = parsed.API_MAX_INFLIGHT_BYTES;
  if (configured !== undefined && configured < smallestBudget) {
    throw new ConfigError(
      `API_MAX_INFLIGHT_BYTES: must be at least ${smallestBudget} (what one request of MAX_PAYLOAD_BYTES = ` +
        `${common.maxPayloadBytes} is charged)`,
    );
  }
  return {
    ...common,
    port: parsed.PORT,
    adminApiKey: parsed.ADMIN_API_KEY,
    maxWebhooksPerProject: parsed.MAX_WEBHOOKS_PER_PROJECT,
    maxInflightBytes:
      configured ?? Math.max(smallestBudget, Math.floor(heapLimitBytes * DEFAULT_INFLIGHT_SHARE_OF_HEAP)),
  };
}
