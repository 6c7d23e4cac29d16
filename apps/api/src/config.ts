import {
  type CommonConfig,
  commonConfig,
  commonEnvShape,
  parseEnv,
  port,
  positiveInt,
} from "@hookrelay/shared";
import { z } from "zod";

// The api's whole configuration: the SPEC's environment table, parsed once. Nothing else reads process.env.
export const apiEnvSchema = z.object({
  ...commonEnvShape,
  PORT: port(3000),
  ADMIN_API_KEY: z.string().min(16, "must be at least 16 characters").optional(),
  MAX_WEBHOOKS_PER_PROJECT: positiveInt(25),
});

export interface ApiConfig extends CommonConfig {
  port: number;
  /** Unset means main.ts generates one under the data folder. */
  adminApiKey: string | undefined;
  maxWebhooksPerProject: number;
}

export function loadApiConfig(env: Record<string, string | undefined>): ApiConfig {
  const parsed = parseEnv(apiEnvSchema, env);
  return {
    ...commonConfig(parsed),
    port: parsed.PORT,
    adminApiKey: parsed.ADMIN_API_KEY,
    maxWebhooksPerProject: parsed.MAX_WEBHOOKS_PER_PROJECT,
  };
}
