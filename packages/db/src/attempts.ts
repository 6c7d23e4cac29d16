import type { WebhookResponse } from "@hookrelay/shared";
import { newId } from "@hookrelay/shared";
import type { Database } from "./client.js";
import type { Prisma } from "./generated/prisma/client.js";

/** last_success_at is kept to this precision, so a busy healthy webhook's row is not a lock hot spot. */
const SUCCESS_STAMP_RESOLUTION_MS = 1_000;

export type DisabledReason = "gone_410" | "auto_failing";

export type Outcome =
  | { status: "succeeded" }
  | { status: "retry"; nextAttemptAt: Date }
  | { status: "failed"; disableWebhook?: DisabledReason };

export interface AttemptRecord {
  deliveryId: string;
  webhookId: string;
  attemptNumber: number;
  response: WebhookResponse;
  outcome: Outcome;
  at: Date;
  /** The webhook's failure streak start before this attempt (null: it was healthy). */
  failingSince: Date | null;
}

/**
 * Writes the attempt, the delivery's new state and the webhook's health in one transaction; when the
 * attempt disables the webhook (410 Gone, or failing for AUTO_DISABLE_AFTER) its pending deliveries end as
 * failed in the same transaction. The job completes (or is retried) only after this resolves, so no
 * acknowledged attempt is ever unrecorded.
 */
export async function recordAttempt(db: Database, record: AttemptRecord): Promise<void> {
  const { response, outcome, at } = record;
  const succeeded = outcome.status === "succeeded";
  const disable = outcome.status === "failed" ? outcome.disableWebhook : undefined;
  await db.$transaction([
    db.attempt.create({
      data: {
        id: newId("attempt", at.getTime()),
        deliveryId: record.deliveryId,
        attemptNumber: record.attemptNumber,
        statusCode: response.statusCode,
        responseBody: response.responseBody,
        responseHeaders: response.responseHeaders ?? undefined,
        latencyMs: response.latencyMs,
        error: response.error,
        createdAt: at,
      },
    }),
    db.delivery.update({
      where: { id: record.deliveryId },
      data: {
        status: outcome.status === "retry" ? "pending" : outcome.status,
        attemptCount: record.attemptNumber,
        lastStatusCode: response.statusCode,
        nextAttemptAt: outcome.status === "retry" ? outcome.nextAttemptAt : null,
        completedAt: outcome.status === "retry" ? null : at,
      },
    }),
    succeeded
      ? // Every delivery to a webhook would otherwise write (and lock) its one row: a healthy webhook's row
        // is rewritten only when it was failing or its last_success_at is over a second old.
        db.webhook.updateMany({
          where: {
            id: record.webhookId,
            OR: [
              { failCount: { gt: 0 } },
              { lastSuccessAt: null },
              { lastSuccessAt: { lt: new Date(at.getTime() - SUCCESS_STAMP_RESOLUTION_MS) } },
            ],
          },
          data: { failCount: 0, lastSuccessAt: at, failingSince: null },
        })
      : db.webhook.update({
          where: { id: record.webhookId },
          data: {
            failCount: { increment: 1 },
            lastFailureAt: at,
            failingSince: record.failingSince ?? at,
            ...(disable && { enabled: false, disabledReason: disable }),
          },
        }),
    ...(disable ? [failPendingDeliveries(db, { webhookId: record.webhookId }, at)] : []),
  ]);
}

/** Ends pending deliveries without a further attempt: their webhook was disabled. */
export function failPendingDeliveries(
  db: Database,
  where: { webhookId: string } | { id: string },
  at: Date,
): Prisma.PrismaPromise<Prisma.BatchPayload> {
  return db.delivery.updateMany({
    where: { ...where, status: "pending" },
    data: { status: "failed", nextAttemptAt: null, completedAt: at },
  });
}
