import {
  type CommonConfig,
  commonConfig,
  commonEnvShape,
  DEFAULT_RETRY_SCHEDULE,
  duration,
  durationList,
  parseEnv,
  port,
  positiveInt,
} from "@hookrelay/shared";
import { z } from "zod";

// The dispatcher's whole configuration: the SPEC's environment table, parsed once.
export const dispatcherEnvSchema = z.object({
  ...commonEnvShape,
  DISPATCHER_PORT: port(3001),
  RETRY_SCHEDULE: durationList.prefault(DEFAULT_RETRY_SCHEDULE),
  RETRY_MAX_AGE: duration.prefault("14d"),
  DISPATCHER_CONCURRENCY: positiveInt(100),
});

export interface DispatcherConfig extends CommonConfig {
  port: number;
  /** Delays between attempts in ms; the last one repeats. */
  retrySchedule: number[];
  retryMaxAgeMs: number;
  concurrency: number;
}

export function loadDispatcherConfig(env: Record<string, string | undefined>): DispatcherConfig {
  const parsed = parseEnv(dispatcherEnvSchema, env);
  return {
    ...commonConfig(parsed),
    port: parsed.DISPATCHER_PORT,
    retrySchedule: parsed.RETRY_SCHEDULE,
    retryMaxAgeMs: parsed.RETRY_MAX_AGE,
    concurrency: parsed.DISPATCHER_CONCURRENCY,
  };
}
