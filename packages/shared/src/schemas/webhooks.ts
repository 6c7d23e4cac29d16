import { z } from "zod";
import { EVENT_TYPE_FILTER_PATTERN } from "../event-types.js";

// Headers hookrelay sets itself, or that would corrupt the request, cannot be overridden per webhook.
const RESERVED_HEADERS = new Set([
  "host",
  "content-length",
  "content-type",
  "transfer-encoding",
  "connection",
  "keep-alive",
  "upgrade",
  "te",
  "trailer",
  "user-agent",
]);
const RESERVED_HEADER_PREFIXES = ["webhook-", "x-webhook-"];

export function isReservedHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return RESERVED_HEADERS.has(lower) || RESERVED_HEADER_PREFIXES.some((prefix) => lower.startsWith(prefix));
}

const headerName = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, "is not a valid header name")
  .refine((name) => !isReservedHeader(name), "is a reserved header");
const headerValue = z
  .string()
  .max(4096)
  .regex(/^[^\r\n\0]*$/, "must not contain line breaks");

export const webhookHeadersSchema = z
  .record(headerName, headerValue)
  .refine((headers) => Object.keys(headers).length <= 20, "at most 20 custom headers");

export const eventTypeFiltersSchema = z
  .array(
    z
      .string()
      .min(1)
      .max(128)
      .regex(EVENT_TYPE_FILTER_PATTERN, "must be an event type, a prefix wildcard like `invoice.*`, or `*`"),
  )
  .min(1)
  .max(100);

export const webhookUrlSchema = z
  .string()
  .max(2048)
  .superRefine((text, ctx) => {
    const url = URL.parse(text);
    if (!url) ctx.addIssue({ code: "custom", message: "must be an absolute URL" });
    else if (url.protocol !== "http:" && url.protocol !== "https:") {
      ctx.addIssue({ code: "custom", message: "must use http or https" });
    } else if (url.username !== "" || url.password !== "") {
      ctx.addIssue({ code: "custom", message: "must not contain credentials" });
    }
  });

const webhookFields = {
  url: webhookUrlSchema,
  event_types: eventTypeFiltersSchema,
  enabled: z.boolean().optional(),
  name: z.string().max(200).nullish(),
  description: z.string().max(2000).nullish(),
  headers: webhookHeadersSchema.optional(),
  rate_limit_per_second: z.number().int().min(1).max(10_000).nullish(),
};

export const createWebhookSchema = z.strictObject(webhookFields);
export type CreateWebhookInput = z.infer<typeof createWebhookSchema>;

export const updateWebhookSchema = z
  .strictObject({
    ...webhookFields,
    url: webhookUrlSchema.optional(),
    event_types: eventTypeFiltersSchema.optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, "nothing to update");
export type UpdateWebhookInput = z.infer<typeof updateWebhookSchema>;
