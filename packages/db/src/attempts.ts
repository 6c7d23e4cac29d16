import type { WebhookResponse } from "@hookrelay/shared";
import { newId } from "@hookrelay/shared";
import type { Database } from "./client.js";
import { Prisma } from "./generated/prisma/client.js";

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

/** One attempt; see recordAttempts. */
export function recordAttempt(db: Database, record: AttemptRecord): Promise<void> {
  return recordAttempts(db, [record]);
}

/**
 * Writes attempts, their deliveries' new state and their webhooks' health in one transaction (a few
 * statements whatever the number of records, so the dispatcher can group-commit). When an attempt
 * disables its webhook (410 Gone, or failing for AUTO_DISABLE_AFTER) the webhook's pending deliveries end
 * as failed in the same transaction. Jobs complete (or are retried) only after this resolves, so no
 * acknowledged attempt is ever unrecorded.
 */
export async function recordAttempts(db: Database, records: readonly AttemptRecord[]): Promise<void> {
  if (records.length === 0) return;
  const disabling = records.flatMap((record) =>
    record.outcome.status === "failed" && record.outcome.disableWebhook
      ? [{ webhookId: record.webhookId, reason: record.outcome.disableWebhook, at: record.at }]
      : [],
  );
  await db.$transaction([
    db.attempt.createMany({
      data: records.map(({ deliveryId, attemptNumber, response, at }) => ({
        id: newId("attempt", at.getTime()),
        deliveryId,
        attemptNumber,
        statusCode: response.statusCode,
        responseBody: response.responseBody,
        responseHeaders: response.responseHeaders ?? undefined,
        latencyMs: response.latencyMs,
        error: response.error,
        createdAt: at,
      })),
    }),
    db.$executeRaw(deliveryUpdates(records)),
    ...webhookHealthUpdates(db, records),
    ...disabling.flatMap(({ webhookId, reason, at }) => [
      db.webhook.update({ where: { id: webhookId }, data: { enabled: false, disabledReason: reason } }),
      failPendingDeliveries(db, { webhookId }, at),
    ]),
  ]);
}

/** One UPDATE … FROM (VALUES …) for every delivery of the batch. */
function deliveryUpdates(records: readonly AttemptRecord[]): Prisma.Sql {
  const rows = records.map(({ deliveryId, attemptNumber, response, outcome, at }) => {
    const status = outcome.status === "retry" ? "pending" : outcome.status;
    const nextAttemptAt = outcome.status === "retry" ? outcome.nextAttemptAt : null;
    const completedAt = outcome.status === "retry" ? null : at;
    return Prisma.sql`(${deliveryId}, ${status}, ${attemptNumber}::int, ${response.statusCode}::int, ${nextAttemptAt}::timestamptz, ${completedAt}::timestamptz)`;
  });
  return Prisma.sql`
    UPDATE deliveries AS d
    SET status = v.status::delivery_status, attempt_count = v.attempt_count, last_status_code = v.last_status_code,
        next_attempt_at = v.next_attempt_at, completed_at = v.completed_at
    FROM (VALUES ${Prisma.join(rows)}) AS v(id, status, attempt_count, last_status_code, next_attempt_at, completed_at)
    WHERE d.id = v.id`;
}

/**
 * The health change of each webhook in the batch, in attempt order: `fail_count` counts the failures since
 * the last success, `failing_since` is the first of them.
 */
function webhookHealthUpdates(db: Database, records: readonly AttemptRecord[]) {
  const byWebhook = new Map<string, AttemptRecord[]>();
  for (const record of [...records].sort((a, b) => a.at.getTime() - b.at.getTime())) {
    byWebhook.set(record.webhookId, [...(byWebhook.get(record.webhookId) ?? []), record]);
  }
  return [...byWebhook.entries()].map(([webhookId, attempts]) => {
    const lastSuccess = attempts.findLastIndex((record) => record.outcome.status === "succeeded");
    const failuresAfter = attempts.slice(lastSuccess + 1);
    const firstFailure = failuresAfter[0];
    const lastFailure =
      failuresAfter.at(-1) ?? attempts.findLast((record) => record.outcome.status !== "succeeded");
    if (lastSuccess < 0) {
      return db.webhook.update({
        where: { id: webhookId },
        data: {
          failCount: { increment: failuresAfter.length },
          lastFailureAt: lastFailure?.at,
          failingSince: firstFailure?.failingSince ?? firstFailure?.at,
        },
      });
    }
    const successAt = attempts[lastSuccess]?.at ?? new Date();
    if (failuresAfter.length === 0 && !lastFailure) {
      // Healthy and staying healthy: rewrite the row only when it was failing or its stamp is stale.
      return db.webhook.updateMany({
        where: {
          id: webhookId,
          OR: [
            { failCount: { gt: 0 } },
            { lastSuccessAt: null },
            { lastSuccessAt: { lt: new Date(successAt.getTime() - SUCCESS_STAMP_RESOLUTION_MS) } },
          ],
        },
        data: { failCount: 0, lastSuccessAt: successAt, failingSince: null },
      });
    }
    return db.webhook.update({
      where: { id: webhookId },
      data: {
        failCount: failuresAfter.length,
        lastSuccessAt: successAt,
        lastFailureAt: lastFailure?.at,
        failingSince: firstFailure?.at ?? null,
      },
    });
  });
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
