import type { Database } from "@hookrelay/db";
import { newId } from "@hookrelay/shared";
import type { WebhookResponse } from "./http-client.js";

export type Outcome =
  | { status: "succeeded" }
  | { status: "retry"; nextAttemptAt: Date }
  | { status: "failed" };

export interface AttemptRecord {
  deliveryId: string;
  webhookId: string;
  attemptNumber: number;
  response: WebhookResponse;
  outcome: Outcome;
  at: Date;
}

/**
 * Writes the attempt, the delivery's new state and the webhook's health in one transaction. The job
 * completes (or is retried) only after this resolves, so no acknowledged attempt is ever unrecorded.
 */
export async function recordAttempt(db: Database, record: AttemptRecord): Promise<void> {
  const { response, outcome, at } = record;
  const succeeded = outcome.status === "succeeded";
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
    db.webhook.update({
      where: { id: record.webhookId },
      data: succeeded
        ? { failCount: 0, lastSuccessAt: at }
        : { failCount: { increment: 1 }, lastFailureAt: at },
    }),
  ]);
}

/** Ends a delivery without an attempt (its webhook was disabled meanwhile). */
export async function failDelivery(db: Database, deliveryId: string, at: Date): Promise<void> {
  await db.delivery.updateMany({
    where: { id: deliveryId, status: "pending" },
    data: { status: "failed", nextAttemptAt: null, completedAt: at },
  });
}
