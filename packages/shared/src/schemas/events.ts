import { z } from "zod";
import { EVENT_TYPE_PATTERN } from "../event-types.js";
import { listQuerySchema, strictObject, timeWindowFields } from "./common.js";

export const eventTypeSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(EVENT_TYPE_PATTERN, "must be dot-separated names of letters, digits, _ and -");

// Captured changes use `<source id>:<transaction>:<change id>` as their idempotency key; a producer must
// not be able to take (or release) one.
const CAPTURE_KEY = /^src_[0-9a-z]{26}:/;
export const idempotencyKeySchema = z
  .string()
  .min(1)
  .max(255)
  .refine(
    (key) => !CAPTURE_KEY.test(key),
    "keys starting with a source id are reserved for database sources",
  );

// Node reads header bytes as Latin-1, so a UTF-8 key would be stored as other characters than were sent.
export const idempotencyKeyHeaderSchema = idempotencyKeySchema.regex(
  /^[\x20-\x7e]*$/,
  "the Idempotency-Key header must be printable ASCII (send other characters as event_id)",
);

export const createEventSchema = strictObject({
  event_type: eventTypeSchema,
  data: z.record(z.string(), z.unknown()),
  event_id: idempotencyKeySchema.optional(),
});
export type CreateEventInput = z.infer<typeof createEventSchema>;

export const eventListQuerySchema = listQuerySchema.extend({
  event_type: eventTypeSchema.optional(),
  ...timeWindowFields,
});
export type EventListQuery = z.infer<typeof eventListQuerySchema>;
