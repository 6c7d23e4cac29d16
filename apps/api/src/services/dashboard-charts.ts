import { attemptOutcomes, type ChartWindow, webhookAttemptOutcomes } from "@hookrelay/db";
import { DisabledReason, QUEUE_DEPTH_STATES, withTimeout } from "@hookrelay/shared";
import type { ApiContext } from "../context.js";
import { presentWebhookHealth } from "./dashboard.js";

// The data of the dashboard's charts: attempts per time bucket (PostgreSQL), jobs per queue (Redis) and
// the webhooks failing now.

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
/** A page must render when Redis does not answer: the queues get this long. */
const QUEUE_COUNTS_TIMEOUT_MS = 2_000;
const FAILING_WEBHOOKS_SHOWN = 50;

/** The `count` buckets of `bucketMs` up to `now`, the current (partial) one last; aligned to UTC. */
export function lastBuckets(now: Date, bucketMs: number, count: number): ChartWindow {
  const current = Math.floor(now.getTime() / bucketMs) * bucketMs;
  return { from: new Date(current - (count - 1) * bucketMs), bucketMs, count };
}

export type QueueState = (typeof QUEUE_DEPTH_STATES)[number];

export interface QueueDepth {
  label: string;
  /** Jobs by state; null when Redis did not answer. */
  counts: Record<QueueState, number> | null;
}

/** Jobs in each queue of the service (every delivery shard and the maintenance queue) by state. */
export async function queueDepths(ctx: Pick<ApiContext, "queues">): Promise<QueueDepth[]> {
  // BullMQ waits for a connection that is not up rather than failing: a queue not ready is not asked.
  const ready = ctx.queues.every(({ queue }) => {
    const { status } = queue.opts.connection as { status?: unknown };
    return status === undefined || status === "ready";
  });
  const counts = ready
    ? await withTimeout(
        Promise.all(ctx.queues.map(({ queue }) => queue.getJobCounts(...QUEUE_DEPTH_STATES))),
        QUEUE_COUNTS_TIMEOUT_MS,
      ).catch(() => null)
    : null;
  return ctx.queues.map(({ label }, index) => {
    const jobs = counts?.[index];
    if (!jobs) return { label, counts: null };
    const byState = Object.fromEntries(QUEUE_DEPTH_STATES.map((state) => [state, jobs[state] ?? 0]));
    return { label, counts: byState as Record<QueueState, number> };
  });
}

/** Webhooks in a failure streak or disabled by one (auto-disabled, 410 Gone), longest failing first. */
export async function failingWebhooks(ctx: Pick<ApiContext, "db">) {
  const rows = await ctx.db.webhook.findMany({
    where: {
      OR: [
        { failingSince: { not: null } },
        { enabled: false, disabledReason: { in: [DisabledReason.autoFailing, DisabledReason.gone410] } },
      ],
    },
    orderBy: [{ failingSince: { sort: "asc", nulls: "last" } }, { id: "asc" }],
    take: FAILING_WEBHOOKS_SHOWN + 1,
    include: { project: { select: { name: true } } },
  });
  return {
    webhooks: rows
      .slice(0, FAILING_WEBHOOKS_SHOWN)
      .map((row) => ({ ...presentWebhookHealth(row), project_name: row.project.name })),
    more: rows.length > FAILING_WEBHOOKS_SHOWN,
  };
}

/** The overview: the last hour's attempts per minute, every queue's jobs, the failing webhooks. */
export async function deliveryOverview(ctx: ApiContext, now = new Date()) {
  const window = lastBuckets(now, MINUTE_MS, 60);
  const [attempts, queues, failing] = await Promise.all([
    attemptOutcomes(ctx.db, window),
    queueDepths(ctx),
    failingWebhooks(ctx),
  ]);
  return { window, attempts, queues, failing };
}

/** A webhook's last 24 hours of attempts, per hour. */
export async function webhookActivity(ctx: ApiContext, webhookId: string, now = new Date()) {
  const window = lastBuckets(now, HOUR_MS, 24);
  return { window, attempts: await webhookAttemptOutcomes(ctx.db, webhookId, window) };
}
