import { type FifoLine, lastAttempts, type Webhook } from "@hookrelay/db";
import type { DeliveryListQuery, ListQuery } from "@hookrelay/shared";
import type { ApiContext } from "../context.js";
import { getDelivery, listAttempts, listDeliveries } from "./deliveries.js";
import { getEvent } from "./events.js";
import { pageByKeyset } from "./pagination.js";
import { getProject, listProjects } from "./projects.js";
import { listRecoveries } from "./replays.js";
import { listSources } from "./sources.js";
import { findWebhook, presentWebhook, withLines } from "./webhooks.js";

// Reads the dashboard needs beyond the API's answers (joins for one page); writes go through the API's services.

/** The API's webhook view plus failing_since (the dashboard shows health; the API does not expose it). */
export function presentWebhookHealth(webhook: Webhook, line?: FifoLine) {
  return { ...presentWebhook(webhook, line), failing_since: webhook.failingSince?.toISOString() ?? null };
}
export type WebhookHealth = ReturnType<typeof presentWebhookHealth>;

export async function projectsWithWebhookCounts(ctx: ApiContext, query: ListQuery) {
  const page = await listProjects(ctx.db, query);
  const counts = await ctx.db.webhook.groupBy({
    by: ["projectId"],
    where: { projectId: { in: page.data.map((project) => project.id) } },
    _count: { _all: true },
  });
  const countOf = new Map(counts.map((row) => [row.projectId, row._count._all]));
  return {
    ...page,
    data: page.data.map((project) => ({ ...project, webhook_count: countOf.get(project.id) ?? 0 })),
  };
}

export async function projectWithWebhooks(ctx: ApiContext, projectId: string, query: ListQuery) {
  const project = await getProject(ctx.db, projectId);
  const webhooks = await pageByKeyset(
    query,
    "desc",
    (args) => ctx.db.webhook.findMany({ ...args, where: { ...args.where, projectId } }),
    presentWebhookHealth,
  );
  return { project, webhooks };
}

/** A webhook with its health, for its edit and delete pages. */
export async function projectWebhook(ctx: ApiContext, projectId: string, webhookId: string) {
  const project = await getProject(ctx.db, projectId);
  const webhook = presentWebhookHealth(await findWebhook(ctx, projectId, webhookId));
  return { project, webhook };
}

/** A project with one page of its database change sources (read-only: creating one needs a database URL). */
export async function projectWithSources(ctx: ApiContext, projectId: string, query: ListQuery) {
  const project = await getProject(ctx.db, projectId);
  const sources = await listSources(ctx, projectId, query);
  return { project, sources };
}

/** A webhook with its health and one page of its delivery log, each delivery with its last attempt. */
export async function webhookWithDeliveryLog(
  ctx: ApiContext,
  projectId: string,
  webhookId: string,
  query: DeliveryListQuery,
) {
  const project = await getProject(ctx.db, projectId);
  const found = await findWebhook(ctx, projectId, webhookId);
  const webhook = presentWebhookHealth(found, (await withLines(ctx, [found])).get(found.id));
  const page = await listDeliveries(ctx, projectId, webhookId, query);
  const last = await lastAttempts(
    ctx.db,
    page.data.map((delivery) => delivery.id),
  );
  const deliveries = page.data.map((delivery) => ({
    ...delivery,
    last_attempt: last.get(delivery.id) ?? null,
  }));
  const recoveries = await listRecoveries(ctx, projectId, webhookId, { limit: 5 });
  return { project, webhook, deliveries, next_cursor: page.next_cursor, recoveries: recoveries.data };
}

/** One delivery with its event and one page of its attempts (oldest first). */
export async function deliveryWithAttempts(
  ctx: ApiContext,
  projectId: string,
  webhookId: string,
  deliveryId: string,
  query: ListQuery,
) {
  const project = await getProject(ctx.db, projectId);
  const webhook = presentWebhookHealth(await findWebhook(ctx, projectId, webhookId));
  const delivery = await getDelivery(ctx, projectId, webhookId, deliveryId);
  const attempts = await listAttempts(ctx, projectId, webhookId, deliveryId, query);
  const event = await getEvent(ctx, projectId, delivery.event_id);
  return { project, webhook, delivery, attempts, event };
}
