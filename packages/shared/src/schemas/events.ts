import { z } from "zod";
import { EVENT_TYPE_PATTERN, isOperationalEventType, OPERATIONAL_PREFIX } from "../event-types.js";
import { instantSchema, listPageSchema, listQuerySchema, strictObject, timeWindowFields } from "./common.js";

export const eventTypeSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(EVENT_TYPE_PATTERN, "must be dot-separated names of letters, digits, _ and -");

// Captured changes use `<source id>:<transaction>:<change id>` as their idempotency key; a producer must
// not be able to take (or release) one.
const CAPTURE_KEY = /^src_[0-9a-z]{26}:/;
// Operational events use `hookrelay:<announcement>` (see the operational_events table).
export const OPERATIONAL_KEY_PREFIX = "hookrelay:";
export const idempotencyKeySchema = z
  .string()
  .min(1)
  .max(255)
  .refine((key) => !CAPTURE_KEY.test(key), "keys starting with a source id are reserved for database sources")
  .refine(
    (key) => !key.startsWith(OPERATIONAL_KEY_PREFIX),
    `keys starting with ${OPERATIONAL_KEY_PREFIX} are reserved for operational events`,
  );

// Node reads header bytes as Latin-1, so a UTF-8 key would be stored as other characters than were sent.
export const idempotencyKeyHeaderSchema = idempotencyKeySchema.regex(
  /^[\x20-\x7e]*$/,
  "the Idempotency-Key header must be printable ASCII (send other characters as event_id)",
);

export const createEventSchema = strictObject({
  event_type: eventTypeSchema.refine(
    (type) => !isOperationalEventType(type),
    `${OPERATIONAL_PREFIX}* types are reserved for hookrelay's own operational events`,
  ),
  data: z.record(z.string(), z.unknown()),
  event_id: idempotencyKeySchema.optional(),
});
export type CreateEventInput = z.infer<typeof createEventSchema>;

export const eventListQuerySchema = listQuerySchema.extend({
  event_type: eventTypeSchema.optional(),
  ...timeWindowFields,
});
export type EventListQuery = z.infer<typeof eventListQuerySchema>;

export const eventSchema = z
  .object({
    id: z.string(),
    event_type: z.string(),
    data: z.record(z.string(), z.unknown()),
    idempotency_key: z.string().nullable(),
    created_at: instantSchema,
  })
  .meta({ id: "Event" });
export type EventView = z.infer<typeof eventSchema>;

export const eventWithDeliveriesSchema = eventSchema
  .extend({
    deliveries: z.array(
      z.object({
        id: z.string(),
        webhook_id: z.string(),
        status: z.enum(["pending", "succeeded", "failed"]),
        attempt_count: z.number().int(),
        replay_of: z.string().nullable(),
      }),
    ),
  })
  .meta({ id: "EventWithDeliveries" });

export const acceptedEventSchema = z
  .object({
    event_id: z.string(),
    event_type: z.string(),
    created_at: instantSchema,
    deliveries: z.number().int().describe("deliveries created, one per matching webhook"),
  })
  .meta({ id: "AcceptedEvent" });
export type AcceptedEvent = z.infer<typeof acceptedEventSchema>;

export const eventPageSchema = listPageSchema(eventSchema).meta({ id: "EventPage" });
