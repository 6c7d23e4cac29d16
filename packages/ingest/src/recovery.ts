import {
  anyRunningRecovery,
  claimRunningRecovery,
  countFailedEventsToReplay,
  type Database,
  type Delivery,
  type RawClient,
  type RecoveryScan,
  recoveryWindowEvents,
  type ScannedEvent,
} from "@hookrelay/db";
import {
  type CompiledFilter,
  idAtTime,
  isOperationalEventType,
  matchesEventType,
  newId,
} from "@hookrelay/shared";
import { filterEnvelope } from "./envelope.js";
import { enqueueFromOutbox, type OutboxHandOff } from "./outbox.js";
import { compileStoredFilter } from "./stored-filter.js";

// `POST …/recover` (SPEC): replays the window's failed deliveries (one per event) and, with
// include_missed, delivers the window's events that match the webhook now but never got a delivery to it.
// The api counts and records the recovery; dispatchers advance it in bounded batches (advanceRecovery).

/** Events (or failed deliveries) one batch looks at: one transaction's worth. */
export const RECOVERY_BATCH = 500;
const COUNT_BATCH = 2_000;

export interface RecoveryTarget {
  id: string;
  projectId: string;
  eventTypes: string[];
  filter: unknown;
}

export interface RecoveryWindow {
  since: Date;
  until: Date;
}

/** The type of test sends (`POST …/test`): each was meant for one webhook, once; never recovered. */
export const TEST_EVENT_TYPE = "webhook.test";

/** Whether the webhook, as it is now, takes a stored event: its types, its filter, never news about itself. */
function takes(webhook: RecoveryTarget, filter: CompiledFilter | null, event: ScannedEvent): boolean {
  if (event.delivered || event.eventType === TEST_EVENT_TYPE) return false;
  if (!matchesEventType(webhook.eventTypes, event.eventType)) return false;
  const data = event.dataJson === null ? undefined : JSON.parse(event.dataJson);
  if (isOperationalEventType(event.eventType) && data?.webhook_id === webhook.id) return false;
  if (!filter) return true;
  return filter(filterEnvelope(event.id, event.eventType, event.createdAt, webhook.projectId, data));
}

/** How many deliveries a recovery of `window` will make now: failed events to replay, plus missed ones. */
export async function countRecoverable(
  db: RawClient,
  webhook: RecoveryTarget,
  window: RecoveryWindow,
  includeMissed: boolean,
): Promise<number> {
  let count = await countFailedEventsToReplay(db, {
    webhookId: webhook.id,
    fromId: idAtTime("delivery", window.since, "start"),
    toId: idAtTime("delivery", window.until, "end"),
  });
  if (!includeMissed) return count;
  const filter = compileStoredFilter(webhook.filter);
  const scan = scanOf(webhook, window, COUNT_BATCH);
  for (let after = scan.after; ; ) {
    const batch = await recoveryWindowEvents(db, { ...scan, after });
    count += batch.filter((event) => takes(webhook, filter, event)).length;
    const last = batch.at(-1);
    if (!last || batch.length < COUNT_BATCH) return count;
    after = last.id;
  }
}

/** The scan of a window's events for a webhook, from its start. */
function scanOf(webhook: RecoveryTarget, window: RecoveryWindow, limit: number): RecoveryScan {
  return {
    projectId: webhook.projectId,
    webhookId: webhook.id,
    eventTypes: webhook.eventTypes,
    withData: Boolean(webhook.filter),
    after: idAtTime("event", window.since, "start"),
    toId: idAtTime("event", window.until, "end"),
    deliveriesFrom: idAtTime("delivery", window.since, "start"),
    limit,
  };
}

export type NewDelivery = Pick<
  Delivery,
  "id" | "projectId" | "eventId" | "webhookId" | "eventType" | "replayOfId" | "createdAt" | "enqueuedAt"
>;

/**
 * A new pending delivery of a stored event (identical stored bytes, same webhook-id), a replay when
 * `replayOf` is set. `enqueued`: whether it is committed as enqueued (the caller enqueues it at once, and
 * puts it back in the outbox if that fails) or in the outbox (enqueueFromOutbox, the sweep).
 */
export function newDelivery(
  event: { projectId: string; eventId: string; eventType: string },
  webhookId: string,
  { replayOf, enqueued }: { replayOf: string | null; enqueued: boolean },
): NewDelivery {
  const createdAt = new Date();
  return {
    id: newId("delivery", createdAt.getTime()),
    projectId: event.projectId,
    eventId: event.eventId,
    webhookId,
    eventType: event.eventType,
    replayOfId: replayOf,
    createdAt,
    enqueuedAt: enqueued ? createdAt : null,
  };
}

/**
 * Advances the oldest running recovery no one else holds by one batch, in one transaction under the
 * webhook's recovery lock (so concurrent recoveries of one webhook never deliver an event twice: each batch
 * sees the others' deliveries), then enqueues what it made. False when there was nothing to do.
 *
 * Crash windows: dies inside the transaction — nothing happened, the batch is taken again; after the commit
 * and before the enqueue — the deliveries wait in the outbox and the sweep enqueues them.
 */
export async function advanceRecovery(handOff: OutboxHandOff): Promise<boolean> {
  const { db } = handOff;
  // Most of the time there is none: no transaction (and no held connection) just to find that out.
  if (!(await anyRunningRecovery(db))) return false;
  const made = await db.$transaction(
    async (tx) => {
      const recovery = await claimRunningRecovery(tx);
      if (!recovery) return null;
      const webhook = await tx.webhook.findUnique({ where: { id: recovery.webhookId } });
      if (!webhook?.enabled) {
        await tx.recovery.update({
          where: { id: recovery.id },
          data: { state: "stopped", finishedAt: new Date() },
        });
        return [];
      }
      const target: RecoveryTarget = {
        id: webhook.id,
        projectId: webhook.projectId,
        eventTypes: webhook.eventTypes,
        filter: webhook.filter,
      };
      const step =
        recovery.phase === "failed"
          ? await failedBatch(tx, recovery)
          : await missedBatch(tx, target, recovery);
      const deliveries = step.deliveries;
      if (deliveries.length > 0) await tx.delivery.createMany({ data: deliveries });
      const toMissed = step.finished && recovery.phase === "failed" && recovery.includeMissed;
      const finished = step.finished && !toMissed;
      await tx.recovery.update({
        where: { id: recovery.id },
        data: {
          ...(toMissed ? { phase: "missed", cursor: "" } : { cursor: step.cursor }),
          done: { increment: deliveries.length },
          ...(finished && { state: "done", finishedAt: new Date() }),
        },
      });
      return deliveries;
    },
    { timeout: 30_000 },
  );
  if (made === null) return false;
  await enqueueFromOutbox(
    handOff,
    made.map((delivery) => ({ deliveryId: delivery.id, webhookId: delivery.webhookId })),
  );
  return true;
}

interface Step {
  deliveries: NewDelivery[];
  cursor: string;
  finished: boolean;
}

type Tx = Parameters<Parameters<Database["$transaction"]>[0]>[0];

/** The next failed deliveries of the window: one replay per event that has none pending or succeeded. */
async function failedBatch(
  tx: Tx,
  recovery: { webhookId: string; since: Date; until: Date; cursor: string },
): Promise<Step> {
  // By id, which carries the creation time: the range prunes the partitions outside the window.
  const from = idAtTime("delivery", recovery.since, "start");
  const failed = await tx.delivery.findMany({
    where: {
      webhookId: recovery.webhookId,
      status: "failed",
      id: {
        gt: recovery.cursor > from ? recovery.cursor : from,
        lte: idAtTime("delivery", recovery.until, "end"),
      },
      eventType: { not: TEST_EVENT_TYPE },
    },
    orderBy: { id: "asc" },
    take: RECOVERY_BATCH,
  });
  const eventIds = [...new Set(failed.map((delivery) => delivery.eventId))];
  const settled = await tx.delivery.findMany({
    where: {
      webhookId: recovery.webhookId,
      eventId: { in: eventIds },
      status: { in: ["pending", "succeeded"] },
    },
    select: { eventId: true },
  });
  const skip = new Set(settled.map((delivery) => delivery.eventId));
  const latestPerEvent = new Map<string, Delivery>();
  for (const delivery of failed)
    if (!skip.has(delivery.eventId)) latestPerEvent.set(delivery.eventId, delivery);
  return {
    deliveries: [...latestPerEvent.values()].map((original) =>
      // In the outbox until enqueued: a crash after the commit leaves them to the sweep.
      newDelivery(original, original.webhookId, { replayOf: original.id, enqueued: false }),
    ),
    cursor: failed.at(-1)?.id ?? recovery.cursor,
    finished: failed.length < RECOVERY_BATCH,
  };
}

/**
 * The next events of the window of the webhook's types (RECOVERY_BATCH read, however few it delivers),
 * delivering those without a delivery to it that it takes as it is now.
 */
async function missedBatch(
  tx: Tx,
  webhook: RecoveryTarget,
  recovery: { since: Date; until: Date; cursor: string },
): Promise<Step> {
  const scan = scanOf(webhook, recovery, RECOVERY_BATCH);
  const events = await recoveryWindowEvents(tx, { ...scan, after: recovery.cursor || scan.after });
  const filter = compileStoredFilter(webhook.filter);
  return {
    deliveries: events
      .filter((event) => takes(webhook, filter, event))
      .map((event) =>
        newDelivery(
          { projectId: webhook.projectId, eventId: event.id, eventType: event.eventType },
          webhook.id,
          { replayOf: null, enqueued: false },
        ),
      ),
    cursor: events.at(-1)?.id ?? recovery.cursor,
    finished: events.length < RECOVERY_BATCH,
  };
}
