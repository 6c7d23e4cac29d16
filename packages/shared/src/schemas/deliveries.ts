import { z } from "zod";
import { listQuerySchema, strictObject, timestampSchema, timeWindowFields } from "./common.js";
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
});
export type RecoverInput = z.infer<typeof recoverSchema>;
