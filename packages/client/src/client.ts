import createFetchClient, { type Client } from "openapi-fetch";
import { HookrelayError } from "./errors.js";
import type { components, operations, paths } from "./generated/openapi.js";
import { type Page, PagedList } from "./pages.js";

type Schemas = components["schemas"];
export type Project = Schemas["Project"];
export type CreatedProject = Schemas["CreatedProject"];
export type CreatedApiKey = Schemas["CreatedApiKey"];
export type Source = Schemas["Source"];
export type Webhook = Schemas["Webhook"];
export type CreatedWebhook = Schemas["CreatedWebhook"];
export type Delivery = Schemas["Delivery"];
export type DeliveryWithPayload = Schemas["DeliveryWithPayload"];
export type Attempt = Schemas["Attempt"];
export type Event = Schemas["Event"];
export type EventWithDeliveries = Schemas["EventWithDeliveries"];
export type AcceptedEvent = Schemas["AcceptedEvent"];
export type TestSendResult = Schemas["TestSendResult"];
export type Recovery = Schemas["Recovery"];

/** An operation's JSON request body. */
type BodyOf<Operation extends keyof operations> = operations[Operation] extends {
  requestBody: { content: { "application/json": infer Body } };
}
  ? Body
  : never;
/** An operation's query parameters, without the cursor (lists walk their pages themselves). */
type FiltersOf<Operation extends keyof operations> = Omit<
  NonNullable<operations[Operation]["parameters"]["query"]>,
  "cursor"
>;

export type CreateProjectInput = BodyOf<"postProjects">;
export type CreateSourceInput = BodyOf<"postProjectsProjectIdSources">;
export type UpdateSourceInput = BodyOf<"patchProjectsProjectIdSourcesSourceId">;
export type CreateWebhookInput = BodyOf<"postProjectProjectIdWebhooks">;
export type UpdateWebhookInput = BodyOf<"patchProjectProjectIdWebhooksWebhookId">;
export type RecoverInput = BodyOf<"postProjectProjectIdWebhooksWebhookIdRecover">;
export type SendEventInput = BodyOf<"postProjectProjectIdEvents">;
export type DeliveryFilters = FiltersOf<"getProjectProjectIdWebhooksWebhookIdDeliveries">;
export type EventFilters = FiltersOf<"getProjectProjectIdEvents">;
export type ListOptions = FiltersOf<"getProjects">;

export interface HookrelayClientOptions {
  /** Where the api answers, e.g. `http://localhost:3000`. */
  baseUrl: string;
  /** A project's API key, or the admin key for projects and sources. */
  apiKey: string;
  /** Another fetch (a proxy's, a test double's); the global one by default. */
  fetch?: typeof globalThis.fetch;
  /** Sent with every request. */
  headers?: Record<string, string>;
}

interface Answer<Data> {
  data?: Data;
  error?: unknown;
  response: Response;
}

/** The body of a success, or a HookrelayError with the API's error body. */
async function unwrap<Data>(call: Promise<Answer<Data>>): Promise<Data> {
  const { data, error, response } = await call;
  if (!response.ok) throw HookrelayError.from(response, error);
  return data as Data;
}

async function done(call: Promise<Answer<unknown>>): Promise<void> {
  await unwrap(call);
}

/**
 * The hookrelay API, typed from its OpenAPI document. Resource methods answer the success body or throw
 * `HookrelayError`; lists are `PagedList`s (`for await (const delivery of client.deliveries.list(…))`);
 * `raw` is the underlying openapi-fetch client, typed for every route.
 */
export function createHookrelayClient(options: HookrelayClientOptions) {
  const raw: Client<paths> = createFetchClient<paths>({
    baseUrl: options.baseUrl.replace(/\/+$/, ""),
    headers: { ...options.headers, authorization: `Bearer ${options.apiKey}` },
    ...(options.fetch && { fetch: options.fetch }),
  });
  const pages = <Item>(fetchPage: (cursor: string | undefined) => Promise<Page<Item>>) =>
    new PagedList(fetchPage);

  const projects = {
    create: (body: CreateProjectInput) => unwrap(raw.POST("/v1/projects", { body })),
    list: (query: ListOptions = {}) =>
      pages((cursor) => unwrap(raw.GET("/v1/projects", { params: { query: { ...query, cursor } } }))),
    get: (projectId: string) =>
      unwrap(raw.GET("/v1/projects/{projectId}", { params: { path: { projectId } } })),
    createApiKey: (projectId: string) =>
      unwrap(raw.POST("/v1/projects/{projectId}/api-keys", { params: { path: { projectId } } })),
    revokeApiKey: (projectId: string, keyId: string) =>
      done(
        raw.DELETE("/v1/projects/{projectId}/api-keys/{keyId}", { params: { path: { projectId, keyId } } }),
      ),
  };

  const source = "/v1/projects/{projectId}/sources/{sourceId}" as const;
  const sources = {
    create: (projectId: string, body: CreateSourceInput) =>
      unwrap(raw.POST("/v1/projects/{projectId}/sources", { params: { path: { projectId } }, body })),
    list: (projectId: string, query: ListOptions = {}) =>
      pages((cursor) =>
        unwrap(
          raw.GET("/v1/projects/{projectId}/sources", {
            params: { path: { projectId }, query: { ...query, cursor } },
          }),
        ),
      ),
    get: (projectId: string, sourceId: string) =>
      unwrap(raw.GET(source, { params: { path: { projectId, sourceId } } })),
    update: (projectId: string, sourceId: string, body: UpdateSourceInput) =>
      unwrap(raw.PATCH(source, { params: { path: { projectId, sourceId } }, body })),
    /** Removes its triggers from the source database; `force` forgets it without touching that database. */
    delete: (projectId: string, sourceId: string, { force = false }: { force?: boolean } = {}) =>
      done(
        raw.DELETE(source, {
          params: { path: { projectId, sourceId }, query: force ? { force: "true" } : {} },
        }),
      ),
    installSql: (projectId: string, sourceId: string) =>
      unwrap(
        raw.GET(`${source}/install.sql`, { params: { path: { projectId, sourceId } }, parseAs: "text" }),
      ),
  };

  const webhook = "/v1/project/{projectId}/webhooks/{webhookId}" as const;
  const webhooks = {
    /** The answer carries the signing secret: the only time it is shown. */
    create: (projectId: string, body: CreateWebhookInput) =>
      unwrap(raw.POST("/v1/project/{projectId}/webhooks", { params: { path: { projectId } }, body })),
    list: (projectId: string, query: ListOptions = {}) =>
      pages((cursor) =>
        unwrap(
          raw.GET("/v1/project/{projectId}/webhooks", {
            params: { path: { projectId }, query: { ...query, cursor } },
          }),
        ),
      ),
    get: (projectId: string, webhookId: string) =>
      unwrap(raw.GET(webhook, { params: { path: { projectId, webhookId } } })),
    update: (projectId: string, webhookId: string, body: UpdateWebhookInput) =>
      unwrap(raw.PATCH(webhook, { params: { path: { projectId, webhookId } }, body })),
    delete: (projectId: string, webhookId: string) =>
      done(raw.DELETE(webhook, { params: { path: { projectId, webhookId } } })),
    /** A new secret; the old one keeps signing beside it for 24 h. */
    rotateSecret: (projectId: string, webhookId: string) =>
      unwrap(raw.POST(`${webhook}/rotate-secret`, { params: { path: { projectId, webhookId } } })),
    /** Sends a `webhook.test` event now and answers with the outcome. */
    test: (projectId: string, webhookId: string) =>
      unwrap(raw.POST(`${webhook}/test`, { params: { path: { projectId, webhookId } } })),
    /**
     * Recovers a time window in the background: replays its failed deliveries (one per event) and, with
     * `include_missed`, delivers the events the webhook missed. Answers the count and the recovery.
     */
    recover: (projectId: string, webhookId: string, body: RecoverInput) =>
      unwrap(raw.POST(`${webhook}/recover`, { params: { path: { projectId, webhookId } }, body })),
    recoveries: (projectId: string, webhookId: string, query: ListOptions = {}) =>
      pages((cursor) =>
        unwrap(
          raw.GET(`${webhook}/recoveries`, {
            params: { path: { projectId, webhookId }, query: { ...query, cursor } },
          }),
        ),
      ),
    recovery: (projectId: string, webhookId: string, recoveryId: string) =>
      unwrap(
        raw.GET(`${webhook}/recoveries/{recoveryId}`, {
          params: { path: { projectId, webhookId, recoveryId } },
        }),
      ),
  };

  const delivery = `${webhook}/deliveries/{deliveryId}` as const;
  const deliveries = {
    list: (projectId: string, webhookId: string, query: DeliveryFilters = {}) =>
      pages((cursor) =>
        unwrap(
          raw.GET(`${webhook}/deliveries`, {
            params: { path: { projectId, webhookId }, query: { ...query, cursor } },
          }),
        ),
      ),
    get: (projectId: string, webhookId: string, deliveryId: string) =>
      unwrap(raw.GET(delivery, { params: { path: { projectId, webhookId, deliveryId } } })),
    attempts: (projectId: string, webhookId: string, deliveryId: string, query: ListOptions = {}) =>
      pages((cursor) =>
        unwrap(
          raw.GET(`${delivery}/attempts`, {
            params: { path: { projectId, webhookId, deliveryId }, query: { ...query, cursor } },
          }),
        ),
      ),
    /** A new delivery with the same bytes and `webhook-id`, `replay_of` set. */
    replay: (projectId: string, webhookId: string, deliveryId: string) =>
      unwrap(raw.POST(`${delivery}/replay`, { params: { path: { projectId, webhookId, deliveryId } } })),
  };

  const events = {
    /**
     * Stores the event and fans it out. With an `idempotencyKey` (or `event_id` in the body), a repeat
     * within 24 h answers the first event again instead of sending twice: safe to retry.
     */
    send: (projectId: string, body: SendEventInput, { idempotencyKey }: { idempotencyKey?: string } = {}) =>
      unwrap(
        raw.POST("/v1/project/{projectId}/events", {
          params: {
            path: { projectId },
            ...(idempotencyKey !== undefined && { header: { "Idempotency-Key": idempotencyKey } }),
          },
          body,
        }),
      ),
    list: (projectId: string, query: EventFilters = {}) =>
      pages((cursor) =>
        unwrap(
          raw.GET("/v1/project/{projectId}/events", {
            params: { path: { projectId }, query: { ...query, cursor } },
          }),
        ),
      ),
    get: (projectId: string, eventId: string) =>
      unwrap(
        raw.GET("/v1/project/{projectId}/events/{eventId}", { params: { path: { projectId, eventId } } }),
      ),
  };

  return { raw, projects, sources, webhooks, deliveries, events };
}

export type HookrelayClient = ReturnType<typeof createHookrelayClient>;
