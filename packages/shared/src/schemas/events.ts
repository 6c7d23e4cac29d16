import { z } from "zod";
import { EVENT_TYPE_PATTERN } from "../event-types.js";
import { listQuerySchema, timeWindowFields } from "./common.js";

export const eventTypeSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(EVENT_TYPE_PATTERN, "must be dot-separated names of letters, digits, _ and -");

export const createEventSchema = z.strictObject({
  event_type: eventTypeSchema,
  data: z.record(z.string(), z.unknown()),
  event_id: z.string().min(1).max(255).optional(),
});
export type CreateEventInput = z.infer<typeof createEventSchema>;

export const idempotencyKeySchema = z.string().min(1).max(255);

export const eventListQuerySchema = listQuerySchema.extend({
  event_type: eventTypeSchema.optional(),
  ...timeWindowFields,
});
export type EventListQuery = z.infer<typeof eventListQuerySchema>;
