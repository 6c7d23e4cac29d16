import { z } from "zod";
import { EVENT_TYPE_FILTER_PATTERN } from "../event-types.js";
import { payloadFilterSchema } from "../payload-filter.js";
import { DEFAULT_SIGNATURE_HEADER, SECRET_PREFIX, SIGNATURE_FORMATS } from "../signing.js";
import { instantSchema, listPageSchema, storableTextSchema, strictObject } from "./common.js";

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

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

const headerName = z
  .string()
  .min(1)
  .max(256)
  .regex(HEADER_NAME, "is not a valid header name")
  .refine((name) => !isReservedHeader(name), "is a reserved header");
// Printable ASCII and tab (RFC 9110 field values). Node refuses to send anything beyond Latin-1 (`5 €`
// would fail every attempt) and sends Latin-1 as UTF-8 bytes that receivers read back as Latin-1 (`Zürich`
// arrives as `ZÃ¼rich`), so neither is accepted: a value is sent exactly or refused.
const headerValue = z
  .string()
  .max(4096)
  .regex(/^[\t\x20-\x7e]*$/, "must be printable ASCII (no line breaks or other characters)");

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

export const webhookUrlSchema = storableTextSchema.max(2048).superRefine((text, ctx) => {
  const url = URL.parse(text);
  if (!url) ctx.addIssue({ code: "custom", message: "must be an absolute URL" });
  else if (url.protocol !== "http:" && url.protocol !== "https:") {
    ctx.addIssue({ code: "custom", message: "must use http or https" });
  } else if (url.username !== "" || url.password !== "") {
    ctx.addIssue({ code: "custom", message: "must not contain credentials" });
  }
});

// A secret brought from another provider: Standard Webhooks' own form, or a plain string that receivers
// already use as raw HMAC key bytes. Printable ASCII only, so its UTF-8 bytes are its characters and the
// libraries' "raw" key format (one byte per character) agrees with ours.
const RAW_SECRET = /^[\x21-\x7e]{16,128}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Why `secret` cannot be a webhook's signing secret, or null when it can. */
export function secretProblem(secret: string): string | null {
  if (secret.startsWith(SECRET_PREFIX)) {
    const encoded = secret.slice(SECRET_PREFIX.length);
    const bytes = Buffer.from(encoded, "base64");
    // The round trip refuses what Buffer would decode leniently (stray bits, missing padding).
    if (!BASE64.test(encoded) || bytes.toString("base64") !== encoded) {
      return "a secret starting with whsec_ must continue with standard, padded base64";
    }
    if (bytes.length < 24 || bytes.length > 64) {
      return `a whsec_ secret must encode 24 to 64 bytes, not ${bytes.length}`;
    }
    return null;
  }
  return RAW_SECRET.test(secret)
    ? null
    : "must be whsec_ followed by the base64 of 24 to 64 bytes, or 16 to 128 printable ASCII characters without spaces";
}

export const webhookSecretSchema = z
  .string()
  .max(128)
  .superRefine((secret, ctx) => {
    const problem = secretProblem(secret);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  })
  .meta({
    description:
      "Your own signing secret: whsec_ + base64 of 24-64 bytes, or 16-128 printable ASCII characters (used as raw key bytes)",
  });

const DEFAULT_HEADER_LOWER = DEFAULT_SIGNATURE_HEADER.toLowerCase();

// The default name is reserved for custom headers but is what this field means by default, so it may be
// given explicitly (and is stored as null).
export const signatureHeaderSchema = z
  .string()
  .min(1)
  .max(256)
  .regex(HEADER_NAME, "is not a valid header name")
  .refine(
    (name) => name.toLowerCase() === DEFAULT_HEADER_LOWER || !isReservedHeader(name),
    "is a reserved header",
  )
  .meta({ description: `Name of the extra HMAC header; default ${DEFAULT_SIGNATURE_HEADER}` });

export const signatureFormatSchema = z.enum(SIGNATURE_FORMATS);

/**
 * Why a webhook is disabled (`disabled_reason`, null while enabled): by a user, after failing for
 * AUTO_DISABLE_AFTER, or on a `410 Gone`.
 */
export const DisabledReason = { manual: "manual", autoFailing: "auto_failing", gone410: "gone_410" } as const;
export type DisabledReason = (typeof DisabledReason)[keyof typeof DisabledReason];

/** How a signature_header is stored: null for the default name. */
export function storedSignatureHeader(name: string | null | undefined): string | null {
  return !name || name.toLowerCase() === DEFAULT_HEADER_LOWER ? null : name;
}

/** The custom header that has the same name as the signature header (any case), if there is one. */
export function clashingCustomHeader(
  signatureHeader: string | null | undefined,
  headers: Record<string, string> | undefined,
): string | undefined {
  if (!signatureHeader) return undefined;
  const lower = signatureHeader.toLowerCase();
  return Object.keys(headers ?? {}).find((name) => name.toLowerCase() === lower);
}

export const ROTATE_SECRET_MESSAGE =
  "cannot be changed with PATCH; use POST /v1/project/{project_id}/webhooks/{webhook_id}/rotate-secret";

const webhookFields = {
  url: webhookUrlSchema,
  event_types: eventTypeFiltersSchema,
  enabled: z.boolean().optional(),
  name: storableTextSchema.max(200).nullish(),
  description: storableTextSchema.max(2000).nullish(),
  headers: webhookHeadersSchema.optional(),
  rate_limit_per_second: z.number().int().min(1).max(10_000).nullish(),
  signature_header: signatureHeaderSchema.nullish(),
  signature_format: signatureFormatSchema.optional(),
  filter: payloadFilterSchema.nullish(),
  ordering: z
    .enum(["none", "fifo"])
    .optional()
    .describe("fifo: one delivery at a time, in event order; a failing one holds those behind it"),
};

export const createWebhookSchema = strictObject({
  ...webhookFields,
  secret: webhookSecretSchema.optional(),
}).superRefine((input, ctx) => {
  const clash = clashingCustomHeader(input.signature_header, input.headers);
  if (clash) {
    ctx.addIssue({
      code: "custom",
      path: ["signature_header"],
      message: `is the same header as the custom header ${clash}`,
    });
  }
});
export type CreateWebhookInput = z.infer<typeof createWebhookSchema>;

export const updateWebhookSchema = strictObject({
  ...webhookFields,
  url: webhookUrlSchema.optional(),
  event_types: eventTypeFiltersSchema.optional(),
  // Declared only to answer with the way to change it, rather than "unrecognized key".
  secret: z.never({ error: ROTATE_SECRET_MESSAGE }).optional(),
}).refine((patch) => Object.keys(patch).length > 0, "nothing to update");
export type UpdateWebhookInput = z.infer<typeof updateWebhookSchema>;

export const webhookSchema = z
  .object({
    id: z.string(),
    project_id: z.string(),
    url: z.string(),
    name: z.string().nullable(),
    description: z.string().nullable(),
    event_types: z.array(z.string()),
    headers: z
      .record(z.string(), z.string())
      .describe("custom headers; values of credential-looking names are shown as ********"),
    enabled: z.boolean(),
    disabled_reason: z.enum(Object.values(DisabledReason)).nullable(),
    fail_count: z.number().int(),
    last_success_at: instantSchema.nullable(),
    last_failure_at: instantSchema.nullable(),
    rate_limit_per_second: z.number().int().nullable(),
    signature_header: z.string(),
    signature_format: signatureFormatSchema,
    filter: z
      .record(z.string(), z.unknown())
      .nullable()
      .describe("payload filter: only events whose envelope matches are delivered (null: all of its types)"),
    ordering: z.enum(["none", "fifo"]),
    blocked_deliveries: z
      .number()
      .int()
      .describe("fifo: deliveries waiting behind the one being delivered (0 otherwise)"),
    blocked_since: instantSchema
      .nullable()
      .describe("fifo: when the delivery at the head of the line first failed; null while it has not"),
    created_at: instantSchema,
    updated_at: instantSchema,
  })
  .meta({ id: "Webhook" });
export type WebhookView = z.infer<typeof webhookSchema>;

export const createdWebhookSchema = webhookSchema
  .extend({ secret: z.string().describe("the signing secret, shown only in this answer") })
  .meta({ id: "CreatedWebhook" });

export const rotatedSecretSchema = z
  .object({ secret: z.string().describe("the new signing secret, shown only in this answer") })
  .meta({ id: "RotatedSecret" });

export const testSendResultSchema = z
  .object({
    delivery_id: z.string(),
    success: z.boolean(),
    status_code: z.number().int().nullable(),
    response_body: z.string().nullable(),
    latency_ms: z.number().int(),
    error: z.string().nullable(),
  })
  .meta({ id: "TestSendResult" });
export type TestSendResult = z.infer<typeof testSendResultSchema>;

export const webhookPageSchema = listPageSchema(webhookSchema).meta({ id: "WebhookPage" });
