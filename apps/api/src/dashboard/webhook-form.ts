import { DEFAULT_SIGNATURE_FORMAT, isReservedHeader, storedSignatureHeader } from "@hookrelay/shared";
import { ApiError } from "../errors.js";
import { MASK } from "../services/webhooks.js";

// The create and edit forms of a webhook: what the browser posts (plain text fields) turned into the API's
// JSON input, which the shared zod schemas then judge exactly as for `POST`/`PATCH …/webhooks`; and the
// API's refusal (ApiError details [{path, message}]) turned back into messages beside the fields.

export const WEBHOOK_FORM_FIELDS = [
  "url",
  "name",
  "description",
  "event_types",
  "headers",
  "filter",
  "secret",
  "signature_header",
  "signature_format",
  "ordering",
  "enabled",
] as const;
export type WebhookFormField = (typeof WEBHOOK_FORM_FIELDS)[number];

/** What the form shows and posts, as text. */
export interface WebhookFormValues {
  url: string;
  name: string;
  description: string;
  /** Comma- or newline-separated. */
  event_types: string;
  /** One `Name: value` per line. */
  headers: string;
  /** The payload filter as JSON text; empty: none. */
  filter: string;
  secret: string;
  /** Empty: the default header. */
  signature_header: string;
  signature_format: string;
  /** none or fifo. */
  ordering: string;
  enabled: boolean;
}

/** Messages per field; `form` holds those about the whole form (or a field the form does not show). */
export type WebhookFormErrors = Partial<Record<WebhookFormField | "form", string[]>>;

/** How the API shows a header value named like a credential (presentWebhook); the form posts it back as is. */

export const emptyWebhookForm = (): WebhookFormValues => ({
  url: "",
  name: "",
  description: "",
  event_types: "",
  headers: "",
  filter: "",
  secret: "",
  signature_header: "",
  signature_format: DEFAULT_SIGNATURE_FORMAT,
  ordering: "none",
  enabled: true,
});

const text = (body: Record<string, unknown>, name: string): string => {
  const value = body[name];
  return typeof value === "string" ? value : "";
};

export function formValuesFromBody(body: unknown): WebhookFormValues {
  const fields = (body ?? {}) as Record<string, unknown>;
  return {
    url: text(fields, "url").trim(),
    name: text(fields, "name").trim(),
    description: text(fields, "description").trim(),
    event_types: text(fields, "event_types"),
    headers: text(fields, "headers"),
    filter: text(fields, "filter").trim(),
    secret: text(fields, "secret").trim(),
    signature_header: text(fields, "signature_header").trim(),
    signature_format: text(fields, "signature_format").trim() || DEFAULT_SIGNATURE_FORMAT,
    ordering: text(fields, "ordering").trim() || "none",
    // An unchecked box sends nothing.
    enabled: text(fields, "enabled") === "true",
  };
}

/** A webhook as the API presents it (sensitive header values already masked), as the edit form's values. */
export function formValuesFromWebhook(webhook: {
  url: string;
  name: string | null;
  description: string | null;
  event_types: string[];
  headers: Record<string, string>;
  filter: Record<string, unknown> | null;
  signature_header: string;
  signature_format: string;
  ordering?: string;
  enabled: boolean;
}): WebhookFormValues {
  return {
    url: webhook.url,
    name: webhook.name ?? "",
    description: webhook.description ?? "",
    event_types: webhook.event_types.join("\n"),
    headers: Object.entries(webhook.headers)
      .map(([name, value]) => `${name}: ${value}`)
      .join("\n"),
    filter: webhook.filter ? JSON.stringify(webhook.filter, null, 2) : "",
    secret: "",
    signature_header: webhook.signature_header,
    signature_format: webhook.signature_format,
    ordering: webhook.ordering ?? "none",
    enabled: webhook.enabled,
  };
}

export function eventTypesFromText(text: string): string[] {
  return text
    .split(/[,\n]/)
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
}

interface Detail {
  path: string;
  message: string;
}

/** `Name: value` lines as a header object; a line that is not one is reported, never dropped silently. */
export function headersFromText(text: string): { headers: Record<string, string>; problems: Detail[] } {
  const headers: Record<string, string> = {};
  const seen = new Set<string>();
  const problems: Detail[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === "") return;
    const colon = line.indexOf(":");
    if (colon <= 0) {
      problems.push({ path: "headers", message: `line ${index + 1}: expected "Name: value"` });
      return;
    }
    const name = line.slice(0, colon).trim();
    if (seen.has(name.toLowerCase())) {
      problems.push({ path: "headers", message: `${name} is given twice` });
      return;
    }
    seen.add(name.toLowerCase());
    // The schema refuses these too, but its message for a bad record key is only "Invalid key in record".
    if (isReservedHeader(name)) {
      problems.push({
        path: "headers",
        message: `${name} is set by hookrelay and cannot be a custom header`,
      });
      return;
    }
    headers[name] = line.slice(colon + 1).trim();
  });
  return { headers, problems };
}

function headersOrThrow(text: string): Record<string, string> {
  const { headers, problems } = headersFromText(text);
  const [first] = problems;
  if (first) throw new ApiError(422, "validation_error", `headers: ${first.message}`, problems);
  return headers;
}

/** The filter field's JSON, for the API's schema to judge; empty is none (null). */
function filterOrThrow(text: string): unknown {
  if (text === "") return null;
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(422, "validation_error", "filter: is not valid JSON", [
      { path: "filter", message: 'is not valid JSON (e.g. {"data.amount": {"$gte": 100}})' },
    ]);
  }
}

/** The body of `POST …/webhooks`; optional fields left empty are left out, so the API's defaults apply. */
export function createInputFrom(values: WebhookFormValues): Record<string, unknown> {
  const headers = headersOrThrow(values.headers);
  return {
    url: values.url,
    event_types: eventTypesFromText(values.event_types),
    ...(values.name ? { name: values.name } : {}),
    ...(values.description ? { description: values.description } : {}),
    ...(Object.keys(headers).length > 0 ? { headers } : {}),
    ...(values.filter ? { filter: filterOrThrow(values.filter) } : {}),
    ...(values.secret ? { secret: values.secret } : {}),
    ...(values.signature_header ? { signature_header: values.signature_header } : {}),
    signature_format: values.signature_format,
    ...(values.ordering === "fifo" ? { ordering: "fifo" } : {}),
  };
}

/**
 * The body of `PATCH …/webhooks/{id}`: every field the form shows (an emptied one is cleared). A header still
 * showing the mask keeps the value stored under that name: the form never had it.
 */
export function updateInputFrom(
  values: WebhookFormValues,
  storedHeaders: Record<string, string>,
): Record<string, unknown> {
  const headers = headersOrThrow(values.headers);
  const stored = new Map(Object.entries(storedHeaders).map(([name, value]) => [name.toLowerCase(), value]));
  for (const [name, value] of Object.entries(headers)) {
    const kept = stored.get(name.toLowerCase());
    if (value === MASK && kept !== undefined) headers[name] = kept;
  }
  return {
    url: values.url,
    event_types: eventTypesFromText(values.event_types),
    name: values.name || null,
    description: values.description || null,
    headers,
    filter: filterOrThrow(values.filter),
    signature_header: storedSignatureHeader(values.signature_header),
    signature_format: values.signature_format,
    ordering: values.ordering,
    enabled: values.enabled,
  };
}

const isFormField = (name: string): name is WebhookFormField =>
  (WEBHOOK_FORM_FIELDS as readonly string[]).includes(name);

/** The API's refusal as messages beside the fields it is about. */
export function formErrorsOf(error: ApiError, values: WebhookFormValues): WebhookFormErrors {
  const errors: WebhookFormErrors = {};
  const add = (field: WebhookFormField | "form", message: string) => {
    errors[field] = [...(errors[field] ?? []), message];
  };
  const details = (error.details ?? []).filter(
    (detail): detail is Detail =>
      typeof (detail as Detail)?.path === "string" && typeof (detail as Detail)?.message === "string",
  );
  if (details.length === 0) add("form", error.message);
  const eventTypes = eventTypesFromText(values.event_types);
  for (const { path, message } of details) {
    const [field = "", key] = path.split(".");
    if (field === "event_types" && key === undefined && eventTypes.length === 0) {
      add("event_types", "enter at least one event type");
    } else if (field === "event_types" && key !== undefined && eventTypes[Number(key)] !== undefined) {
      add("event_types", `"${eventTypes[Number(key)]}" ${message}`);
    } else if ((field === "headers" || field === "filter") && key !== undefined) {
      add(field, `${path.slice(field.length + 1)}: ${message}`);
    } else if (isFormField(field)) {
      add(field, message);
    } else {
      add("form", path ? `${path}: ${message}` : message);
    }
  }
  return errors;
}
