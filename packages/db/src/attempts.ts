import type { DisabledReason, WebhookResponse } from "@hookrelay/shared";
import { newId, OPERATIONAL_EVENT_TYPES } from "@hookrelay/shared";
import type { Database } from "./client.js";
import { Prisma } from "./generated/prisma/client.js";
import { isOperationalType } from "./operational-events.js";
import { type RawClient, rawQuery } from "./raw-rows.js";

/** last_success_at is kept to this precision, so a busy healthy webhook's row is not a lock hot spot. */
const SUCCESS_STAMP_RESOLUTION_MS = 1_000;

/** Why an attempt disables its webhook on its own: every disabled reason but `manual`. */
export type AutoDisabledReason = Exclude<DisabledReason, "manual">;

export type Outcome =
  | { status: "succeeded" }
  | { status: "retry"; nextAttemptAt: Date }
  | { status: "failed"; disableWebhook?: AutoDisabledReason };

export interface AttemptRecord {
  deliveryId: string;
  webhookId: string;
  attemptNumber: number;
  response: WebhookResponse;
  outcome: Outcome;
  at: Date;
  /** The webhook's failure streak start before this attempt (null: it was healthy). */
  failingSince: Date | null;
  /**
   * Announce what this attempt ends as operational events (a delivery failed for good, its webhook
   * disabled), unless the delivery's event is itself operational (no storms). Off for test sends.
   */
  announce?: boolean;
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
 *
 * One record's problem stays its own: an attempt whose delivery is gone (its webhook was deleted
 * meanwhile) or whose number is already recorded (a stalled job's twin) is skipped — already done, not a
 * reason to retry — and its neighbours in the batch are written as usual.
 */
export async function recordAttempts(db: Database, records: readonly AttemptRecord[]): Promise<void> {
  if (records.length === 0) return;
  const disabling = records.flatMap((record) =>
    record.outcome.status === "failed" && record.outcome.disableWebhook
      ? [
          {
            webhookId: record.webhookId,
            reason: record.outcome.disableWebhook,
            at: record.at,
            announce: record.announce === true,
            causedBy: record.deliveryId,
          },
        ]
      : [],
  );
  // Raw SQL, one statement: Prisma compiles a query plan per call (for createMany, per row), which was the
  // dispatcher's largest cost; a single statement is atomic on its own and needs no BEGIN/COMMIT trips.
  const record = attemptsRecording.execute(db, records);
  if (disabling.length === 0) {
    await record;
    return;
  }
  await db.$transaction([
    record,
    ...disabling.flatMap(({ webhookId, reason, at, announce, causedBy }) => [
      webhookDisabling.execute(db, { webhookId, reason, at, announce, causedBy }),
      failPendingDeliveries(db, { webhookId }, at),
    ]),
  ]);
}

/** The operational event's data for a disabled webhook, built in SQL from the row (SPEC). */
const DISABLED_DATA = Prisma.sql`jsonb_build_object('webhook_id', w.id, 'url', w.url, 'reason', w.disabled_reason)`;

/**
 * Disables a webhook that is enabled (one already disabled keeps its reason; one deleted meanwhile is
 * nothing to disable) and, when `announce`, writes `hookrelay.webhook.disabled` in the same statement —
 * unless `causedBy`, the delivery whose attempt disabled it, carries an operational event (no storms).
 */
const webhookDisabling = rawQuery({
  name: "disable webhook",
  columns: {
    webhooks: ["id", "url", "enabled", "disabled_reason", "project_id"],
    deliveries: ["id", "event_type"],
    operational_events: ["id", "project_id", "event_type", "data", "about_webhook_id"],
  },
  row: {},
  sql: (disable: {
    webhookId: string;
    reason: DisabledReason;
    at: Date;
    announce: boolean;
    causedBy: string | null;
  }) =>
    Prisma.sql`
      WITH w AS (
        UPDATE webhooks SET enabled = false, disabled_reason = ${disable.reason}
        WHERE id = ${disable.webhookId} AND enabled
        RETURNING id, url, disabled_reason, project_id
      )
      INSERT INTO operational_events (id, project_id, event_type, data, about_webhook_id)
      SELECT ${`webhook.disabled:${disable.webhookId}:${disable.at.getTime()}`}, w.project_id,
             ${OPERATIONAL_EVENT_TYPES.webhookDisabled}, ${DISABLED_DATA}, w.id
      FROM w
      WHERE ${disable.announce}
        AND NOT EXISTS (SELECT 1 FROM deliveries d
                        WHERE d.id = ${disable.causedBy} AND ${isOperationalType("d.event_type")})
      ON CONFLICT (id) DO NOTHING`,
});

/** A webhook disabled by a user (the API's PATCH), announced in the same statement. */
export function disableWebhookManually(db: RawClient, webhookId: string, at: Date): Promise<number> {
  return webhookDisabling.execute(db, { webhookId, reason: "manual", at, announce: true, causedBy: null });
}

// PostgreSQL text and jsonb cannot hold NUL, which a receiver may send.
const storable = (text: string) => text.replaceAll("\u0000", "\uFFFD");

const attemptsRecording = rawQuery({
  name: "record attempts",
  columns: {
    attempts: [
      "id",
      "delivery_id",
      "attempt_number",
      "status_code",
      "response_body",
      "response_headers",
      "latency_ms",
      "error",
      "created_at",
    ],
    deliveries: [
      "id",
      "status",
      "attempt_count",
      "last_status_code",
      "next_attempt_at",
      "completed_at",
      "project_id",
      "webhook_id",
      "event_id",
      "event_type",
    ],
    webhooks: ["id", "fail_count", "last_success_at", "last_failure_at", "failing_since"],
    operational_events: ["id", "project_id", "event_type", "data", "about_webhook_id"],
  },
  row: {},
  sql: recordStatement,
});

/** The attempts, their deliveries' new state and their webhooks' health, as one statement. */
function recordStatement(records: readonly AttemptRecord[]): Prisma.Sql {
  const attempts = records.map(({ deliveryId, attemptNumber, response, at }) => {
    const headers = response.responseHeaders
      ? JSON.stringify(response.responseHeaders, (_key, value) =>
          typeof value === "string" ? storable(value) : value,
        )
      : null;
    const body = response.responseBody === null ? null : storable(response.responseBody);
    return Prisma.sql`(${newId("attempt", at.getTime())}, ${deliveryId}, ${attemptNumber}::int,
      ${response.statusCode}::int, ${body}, ${headers}::text, ${Math.round(response.latencyMs)}::int,
      ${response.error}, ${at}::timestamptz)`;
  });
  const deliveries = records.map(({ deliveryId, attemptNumber, response, outcome, at, announce }) => {
    const status = outcome.status === "retry" ? "pending" : outcome.status;
    const nextAttemptAt = outcome.status === "retry" ? outcome.nextAttemptAt : null;
    const completedAt = outcome.status === "retry" ? null : at;
    // Failed for good after its retries (not because its webhook was disabled: that is announced itself).
    const announceFailure = announce === true && outcome.status === "failed" && !outcome.disableWebhook;
    return Prisma.sql`(${deliveryId}, ${status}, ${attemptNumber}::int, ${response.statusCode}::int, ${nextAttemptAt}::timestamptz, ${completedAt}::timestamptz, ${announceFailure}::boolean, ${response.error})`;
  });
  const webhooks = webhookHealth(records).map(
    (health) =>
      Prisma.sql`(${health.webhookId}, ${health.kind}, ${health.failCount}::int, ${health.successAt}::timestamptz, ${health.failureAt}::timestamptz, ${health.failingSince}::timestamptz)`,
  );
  return Prisma.sql`
    WITH new_attempts AS (
      -- Only for deliveries that still exist; an attempt number already recorded is left as it is.
      INSERT INTO attempts (id, delivery_id, attempt_number, status_code, response_body, response_headers,
                            latency_ms, error, created_at)
      SELECT a.id, a.delivery_id, a.attempt_number, a.status_code, a.response_body, a.response_headers::jsonb,
             a.latency_ms, a.error, a.created_at
      FROM (VALUES ${Prisma.join(attempts)})
        AS a(id, delivery_id, attempt_number, status_code, response_body, response_headers, latency_ms, error,
             created_at)
      WHERE EXISTS (SELECT 1 FROM deliveries d WHERE d.id = a.delivery_id)
      ON CONFLICT (delivery_id, attempt_number) DO NOTHING
      RETURNING delivery_id
    ), delivery_changes AS (
      -- The state follows the attempt that was recorded now, never a twin's.
      UPDATE deliveries AS d
      SET status = v.status::delivery_status, attempt_count = v.attempt_count,
          last_status_code = v.last_status_code, next_attempt_at = v.next_attempt_at, completed_at = v.completed_at
      FROM (VALUES ${Prisma.join(deliveries)})
        AS v(id, status, attempt_count, last_status_code, next_attempt_at, completed_at, announce, last_error)
      WHERE d.id = v.id AND d.id IN (SELECT delivery_id FROM new_attempts)
      RETURNING d.id, d.project_id, d.webhook_id, d.event_id, d.event_type, d.attempt_count, d.last_status_code,
                v.announce, v.last_error
    ), failures_announced AS (
      -- hookrelay.delivery.failed, with the attempt that ended it; never for an operational event's delivery.
      INSERT INTO operational_events (id, project_id, event_type, data, about_webhook_id)
      SELECT 'delivery.failed:' || c.id, c.project_id, ${OPERATIONAL_EVENT_TYPES.deliveryFailed},
             jsonb_build_object('delivery_id', c.id, 'webhook_id', c.webhook_id, 'event_id', c.event_id,
                                'event_type', c.event_type, 'attempts', c.attempt_count,
                                'last_status_code', c.last_status_code, 'last_error', c.last_error),
             c.webhook_id
      FROM delivery_changes c
      WHERE c.announce AND NOT ${isOperationalType("c.event_type")}
      ON CONFLICT (id) DO NOTHING
    )
    UPDATE webhooks AS w
    SET fail_count = CASE h.kind WHEN 'failing' THEN w.fail_count + h.fail_count ELSE h.fail_count END,
        last_success_at = COALESCE(h.success_at, w.last_success_at),
        last_failure_at = COALESCE(h.failure_at, w.last_failure_at),
        failing_since = CASE h.kind WHEN 'failing' THEN COALESCE(w.failing_since, h.failing_since)
                                    ELSE h.failing_since END
    FROM (VALUES ${Prisma.join(webhooks)}) AS h(id, kind, fail_count, success_at, failure_at, failing_since)
    WHERE w.id = h.id
      -- Healthy and staying healthy: rewrite the row only when it was failing or its stamp is stale.
      AND (h.kind <> 'healthy' OR w.fail_count > 0 OR w.last_success_at IS NULL
           OR w.last_success_at < h.success_at - ${SUCCESS_STAMP_RESOLUTION_MS}::int * interval '1 millisecond')`;
}

interface WebhookHealth {
  webhookId: string;
  /** failing: no success in the batch; recovered: a success, maybe failures after; healthy: only successes. */
  kind: "failing" | "recovered" | "healthy";
  /** Failures to add (failing) or the count after the last success (recovered, healthy). */
  failCount: number;
  successAt: Date | null;
  failureAt: Date | null;
  failingSince: Date | null;
}

/**
 * The health change of each webhook in the batch, in attempt order: `fail_count` counts the failures since
 * the last success, `failing_since` is the first of them.
 */
function webhookHealth(records: readonly AttemptRecord[]): WebhookHealth[] {
  const byWebhook = new Map<string, AttemptRecord[]>();
  for (const record of [...records].sort((a, b) => a.at.getTime() - b.at.getTime())) {
    const list = byWebhook.get(record.webhookId);
    if (list) list.push(record);
    else byWebhook.set(record.webhookId, [record]);
  }
  return [...byWebhook.entries()].map(([webhookId, attempts]) => {
    const lastSuccess = attempts.findLastIndex((record) => record.outcome.status === "succeeded");
    const failuresAfter = attempts.slice(lastSuccess + 1);
    const firstFailure = failuresAfter[0];
    const lastFailure =
      failuresAfter.at(-1) ?? attempts.findLast((record) => record.outcome.status !== "succeeded");
    const failureAt = lastFailure?.at ?? null;
    if (lastSuccess < 0) {
      const failingSince = firstFailure?.failingSince ?? firstFailure?.at ?? null;
      return {
        webhookId,
        kind: "failing",
        failCount: failuresAfter.length,
        successAt: null,
        failureAt,
        failingSince,
      };
    }
    const successAt = attempts[lastSuccess]?.at ?? new Date();
    const kind = failuresAfter.length === 0 && !lastFailure ? "healthy" : "recovered";
    return {
      webhookId,
      kind,
      failCount: failuresAfter.length,
      successAt,
      failureAt,
      failingSince: firstFailure?.at ?? null,
    };
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
