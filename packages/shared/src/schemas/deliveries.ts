import { z } from "zod";
import {
  instantSchema,
  listPageSchema,
  listQuerySchema,
  strictObject,
  timestampSchema,
  timeWindowFields,
} from "./common.js";
import { eventTypeSchema } from "./events.js";

export const deliveryStatusSchema = z.enum(["pending", "succeeded", "failed"]);

export const deliveryListQuerySchema = listQuerySchema.extend({
  status: deliveryStatusSchema.optional(),
  event_type: eventTypeSchema.optional(),
  ...timeWindowFields,
});
export type DeliveryListQuery = z.infer<typeof deliveryListQuerySchema>;

export const recoverSchema = strictObject({
  since: timestampSchema,
  until: timestampSchema.optional(),
  include_missed: z
    .boolean()
    .default(false)
    .describe("also deliver the window's events that match the webhook now but never got a delivery to it"),
}).refine((window) => !window.until || window.since <= window.until, {
  path: ["until"],
  message: "must not be before since",
});
export type RecoverInput = z.infer<typeof recoverSchema>;

export const deliverySchema = z
  .object({
    id: z.string(),
    event_id: z.string(),
    webhook_id: z.string(),
    event_type: z.string(),
    status: deliveryStatusSchema.describe(
      "failed only once retries are exhausted or the webhook was disabled",
    ),
    attempt_count: z.number().int(),
    next_attempt_at: instantSchema.nullable(),
    last_status_code: z.number().int().nullable(),
    replay_of: z.string().nullable().describe("the delivery this one replays"),
    created_at: instantSchema,
    completed_at: instantSchema.nullable(),
  })
  .meta({ id: "Delivery" });
export type DeliveryView = z.infer<typeof deliverySchema>;

export const deliveryWithPayloadSchema = deliverySchema
  .extend({ payload: z.string().describe("the exact JSON text every attempt sends") })
  .meta({ id: "DeliveryWithPayload" });

export const attemptSchema = z
  .object({
    id: z.string(),
    delivery_id: z.string(),
    attempt_number: z.number().int(),
    status_code: z.number().int().nullable().describe("null on a timeout or a connection error"),
    response_body: z.string().nullable().describe("the first 1024 bytes, as UTF-8"),
    response_headers: z.record(z.string(), z.unknown()).nullable(),
    latency_ms: z.number().int(),
    error: z.string().nullable().describe('e.g. "timeout", "connection_refused", "dns_failure"'),
    created_at: instantSchema,
  })
  .meta({ id: "Attempt" });
export type AttemptView = z.infer<typeof attemptSchema>;

export const replayResultSchema = z
  .object({ delivery_id: z.string().describe("the new delivery") })
  .meta({ id: "ReplayResult" });

export const recoverySchema = z
  .object({
    id: z.string(),
    webhook_id: z.string(),
    state: z.enum(["running", "done", "stopped"]).describe("stopped: the webhook was disabled meanwhile"),
    include_missed: z.boolean(),
    since: instantSchema,
    until: instantSchema,
    total: z.number().int().describe("deliveries it was going to make when it started"),
    done: z.number().int().describe("deliveries made so far"),
    created_at: instantSchema,
    finished_at: instantSchema.nullable(),
  })
  .meta({ id: "Recovery" });
export type RecoveryView = z.infer<typeof recoverySchema>;

export const recoverResultSchema = z
  .object({
    count: z
      .number()
      .int()
      .describe("deliveries it will make: failed events replayed (one per event), plus missed"),
    recovery: recoverySchema,
  })
  .meta({ id: "RecoverResult" });

export const deliveryPageSchema = listPageSchema(deliverySchema).meta({ id: "DeliveryPage" });
export const attemptPageSchema = listPageSchema(attemptSchema).meta({ id: "AttemptPage" });
export const recoveryPageSchema = listPageSchema(recoverySchema).meta({ id: "RecoveryPage" });
