import {
  disableWebhookManually,
  type FifoLine,
  fifoLines,
  lockProject,
  Prisma,
  releaseFifoLine,
  rotateSecret,
  type Webhook,
} from "@hookrelay/db";
import {
  type CreateWebhookInput,
  checkWebhookTarget,
  clashingCustomHeader,
  DEFAULT_SIGNATURE_FORMAT,
  DEFAULT_SIGNATURE_HEADER,
  DisabledReason,
  generateWebhookSecret,
  type ListQuery,
  newId,
  storedSignatureHeader,
  type UpdateWebhookInput,
  type WebhookView,
} from "@hookrelay/shared";
import type { ApiContext } from "../context.js";
import { ApiError, limitExceeded, notFound } from "../errors.js";
import { pageByKeyset } from "./pagination.js";

// Custom header values that look like credentials are never echoed back after creation.
const SENSITIVE_HEADER = /auth|token|key|secret|cookie|password|signature/i;
/** What a credential-looking header value is shown as (API and dashboard). */
export const MASK = "********";

function presentHeaders(headers: Prisma.JsonValue): Record<string, string> {
  const entries = Object.entries((headers ?? {}) as Record<string, string>);
  return Object.fromEntries(
    entries.map(([name, value]) => [name, SENSITIVE_HEADER.test(name) ? MASK : value]),
  );
}

const NO_LINE: FifoLine = { waiting: 0, blockedSince: null };

/** The webhook as the API shows it; `line` is its FIFO line (see withLines), empty by default. */
export function presentWebhook(webhook: Webhook, line: FifoLine = NO_LINE): WebhookView {
  return {
    id: webhook.id,
    project_id: webhook.projectId,
    url: webhook.url,
    name: webhook.name,
    description: webhook.description,
    event_types: webhook.eventTypes,
    headers: presentHeaders(webhook.headers),
    enabled: webhook.enabled,
    disabled_reason: webhook.disabledReason as WebhookView["disabled_reason"],
    fail_count: webhook.failCount,
    last_success_at: webhook.lastSuccessAt?.toISOString() ?? null,
    last_failure_at: webhook.lastFailureAt?.toISOString() ?? null,
    rate_limit_per_second: webhook.rateLimitPerSecond,
    signature_header: webhook.signatureHeader ?? DEFAULT_SIGNATURE_HEADER,
    signature_format: webhook.signatureFormat as WebhookView["signature_format"],
    filter: (webhook.filter as WebhookView["filter"]) ?? null,
    ordering: webhook.ordering as WebhookView["ordering"],
    blocked_deliveries: Math.max(0, line.waiting),
    blocked_since: line.blockedSince?.toISOString() ?? null,
    created_at: webhook.createdAt.toISOString(),
    updated_at: webhook.updatedAt.toISOString(),
  };
}

/** The FIFO lines of those of `webhooks` that are FIFO, by webhook id (one query for a page). */
export async function withLines(ctx: ApiContext, webhooks: Webhook[]): Promise<Map<string, FifoLine>> {
  return fifoLines(
    ctx.db,
    webhooks.filter((webhook) => webhook.ordering === "fifo").map((webhook) => webhook.id),
  );
}

async function presentWithLine(ctx: ApiContext, webhook: Webhook): Promise<WebhookView> {
  return presentWebhook(webhook, (await withLines(ctx, [webhook])).get(webhook.id));
}

/** SSRF guard at create/update; the dispatcher checks again at connect time. */
async function checkTarget(ctx: ApiContext, url: string): Promise<void> {
  const reason = await checkWebhookTarget(url, {
    requireHttps: ctx.config.nodeEnv === "production",
    allowPrivateTargets: ctx.config.allowPrivateTargets,
  });
  if (reason)
    throw new ApiError(422, "validation_error", `url: ${reason}`, [{ path: "url", message: reason }]);
}

export async function createWebhook(ctx: ApiContext, projectId: string, input: CreateWebhookInput) {
  await checkTarget(ctx, input.url);
  const secret = input.secret ?? generateWebhookSecret();
  const webhook = await ctx.db.$transaction(async (tx) => {
    // Lock the project row so concurrent creates cannot slip past the per-project limit together.
    await lockProject(tx, projectId);
    const count = await tx.webhook.count({ where: { projectId } });
    if (count >= ctx.config.maxWebhooksPerProject) {
      throw limitExceeded(`a project may have at most ${ctx.config.maxWebhooksPerProject} webhooks`);
    }
    const enabled = input.enabled ?? true;
    return tx.webhook.create({
      data: {
        id: newId("webhook"),
        projectId,
        url: input.url,
        name: input.name ?? null,
        description: input.description ?? null,
        eventTypes: input.event_types,
        headers: input.headers ?? {},
        secretCiphertext: ctx.secretBox.encrypt(secret),
        enabled,
        disabledReason: enabled ? null : DisabledReason.manual,
        rateLimitPerSecond: input.rate_limit_per_second ?? null,
        signatureHeader: storedSignatureHeader(input.signature_header),
        signatureFormat: input.signature_format ?? DEFAULT_SIGNATURE_FORMAT,
        filter: (input.filter as Prisma.InputJsonObject | null | undefined) ?? Prisma.DbNull,
        ordering: input.ordering ?? "none",
      },
    });
  });
  ctx.lookups.changed();
  return { ...presentWebhook(webhook), secret };
}

export async function listWebhooks(ctx: ApiContext, projectId: string, query: ListQuery) {
  const page = await pageByKeyset(
    query,
    "desc",
    (args) => ctx.db.webhook.findMany({ ...args, where: { ...args.where, projectId } }),
    (webhook) => webhook,
  );
  const lines = await withLines(ctx, page.data);
  return { ...page, data: page.data.map((webhook) => presentWebhook(webhook, lines.get(webhook.id))) };
}

export async function findWebhook(ctx: ApiContext, projectId: string, webhookId: string): Promise<Webhook> {
  const webhook = await ctx.db.webhook.findFirst({ where: { id: webhookId, projectId } });
  if (!webhook) throw notFound("webhook");
  return webhook;
}

export async function getWebhook(ctx: ApiContext, projectId: string, webhookId: string) {
  return presentWithLine(ctx, await findWebhook(ctx, projectId, webhookId));
}

/** The signature header must stay distinct from the custom headers the webhook will have after the patch. */
function checkSignatureHeaderAfterPatch(current: Webhook, patch: UpdateWebhookInput): void {
  const signatureHeader =
    patch.signature_header !== undefined
      ? storedSignatureHeader(patch.signature_header)
      : current.signatureHeader;
  const headers = patch.headers ?? (current.headers as Record<string, string>);
  const clash = clashingCustomHeader(signatureHeader, headers);
  if (!clash) return;
  const [path, message] =
    patch.signature_header !== undefined
      ? ["signature_header", `is the same header as the custom header ${clash}`]
      : ["headers", `${clash} is the webhook's signature_header`];
  throw new ApiError(422, "validation_error", `${path}: ${message}`, [{ path, message }]);
}

export async function updateWebhook(
  ctx: ApiContext,
  projectId: string,
  webhookId: string,
  patch: UpdateWebhookInput,
) {
  const current = await findWebhook(ctx, projectId, webhookId);
  if (patch.url !== undefined) await checkTarget(ctx, patch.url);
  checkSignatureHeaderAfterPatch(current, patch);
  const data: Prisma.WebhookUpdateInput = {};
  if (patch.url !== undefined) data.url = patch.url;
  if (patch.event_types !== undefined) data.eventTypes = patch.event_types;
  if (patch.name !== undefined) data.name = patch.name;
  if (patch.description !== undefined) data.description = patch.description;
  if (patch.headers !== undefined) data.headers = patch.headers;
  if (patch.rate_limit_per_second !== undefined) data.rateLimitPerSecond = patch.rate_limit_per_second;
  if (patch.signature_header !== undefined) {
    data.signatureHeader = storedSignatureHeader(patch.signature_header);
  }
  if (patch.signature_format !== undefined) data.signatureFormat = patch.signature_format;
  if (patch.ordering !== undefined) data.ordering = patch.ordering;
  if (patch.filter !== undefined)
    data.filter = (patch.filter as Prisma.InputJsonObject | null) ?? Prisma.DbNull;
  if (patch.enabled !== undefined && patch.enabled !== current.enabled) {
    data.enabled = patch.enabled;
    // Re-enabling starts the health count afresh — failure streak and its start, which auto-disable reads
    // (kept, the first failure after re-enabling would disable it again at once). What was missed
    // meanwhile is not resent (use recover).
    data.disabledReason = patch.enabled ? null : DisabledReason.manual;
    if (patch.enabled) {
      data.failCount = 0;
      data.failingSince = null;
    }
  }
  // Disabling is announced (hookrelay.webhook.disabled, reason manual) in the same transaction.
  const disabling = data.enabled === false;
  const webhook = await ctx.db.$transaction(async (tx) => {
    // Disabled meanwhile (a 410, auto-disable): its reason and its announcement stand.
    if (disabling && (await disableWebhookManually(tx, current.id, new Date())) === 0) {
      delete data.enabled;
      delete data.disabledReason;
    }
    if (current.ordering === "fifo" && patch.ordering === "none") await releaseFifoLine(tx, current.id);
    return tx.webhook.update({ where: { id: current.id }, data });
  });
  ctx.lookups.changed();
  return presentWithLine(ctx, webhook);
}

export async function deleteWebhook(ctx: ApiContext, projectId: string, webhookId: string): Promise<void> {
  const { count } = await ctx.db.webhook.deleteMany({ where: { id: webhookId, projectId } });
  ctx.lookups.changed();
  if (count === 0) throw notFound("webhook");
}

/** How long the previous secret keeps signing after a rotation, so receivers can switch without a gap. */
export const PREVIOUS_SECRET_TTL_MS = 24 * 3600 * 1000;

/** A new signing secret; the old one signs alongside it for 24 h (two `v1,` entries). Shown only here. */
export async function rotateWebhookSecret(ctx: ApiContext, projectId: string, webhookId: string) {
  const current = await findWebhook(ctx, projectId, webhookId);
  const secret = generateWebhookSecret();
  const rotated = await rotateSecret(ctx.db, {
    webhookId: current.id,
    secretCiphertext: ctx.secretBox.encrypt(secret),
    previousExpiresAt: new Date(Date.now() + PREVIOUS_SECRET_TTL_MS),
  });
  if (!rotated) throw notFound("webhook");
  return { secret };
}
