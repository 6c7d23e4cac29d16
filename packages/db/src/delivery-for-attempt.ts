import type { Database } from "./client.js";
import { Prisma } from "./generated/prisma/client.js";
import type { DeliveryStatus } from "./generated/prisma/enums.js";
import { type RawClient, type RowOf, rawQuery } from "./raw-rows.js";

/** What one delivery attempt needs: the delivery, its event's payload and its webhook. */
export interface DeliveryForAttempt {
  id: string;
  status: DeliveryStatus;
  attemptCount: number;
  eventId: string;
  eventType: string;
  createdAt: Date;
  payload: string;
  /** The delivery this one replays; replays do not wait in a FIFO line. */
  replayOf: string | null;
  webhook: {
    id: string;
    enabled: boolean;
    url: string;
    headers: Record<string, string>;
    secretCiphertext: string;
    previousSecretCiphertext: string | null;
    previousSecretExpiresAt: Date | null;
    rateLimitPerSecond: number | null;
    failingSince: Date | null;
    /** The extra HMAC header's name; null means X-Webhook-Signature. */
    signatureHeader: string | null;
    signatureFormat: string;
    /** none, or fifo (see fifo.ts). */
    ordering: string;
  };
}

const deliveriesForAttempts = rawQuery({
  name: "deliveries for attempts",
  columns: {
    deliveries: [
      "id",
      "status",
      "attempt_count",
      "event_id",
      "event_type",
      "created_at",
      "webhook_id",
      "replay_of",
    ],
    events: ["id", "payload"],
    webhooks: [
      "id",
      "enabled",
      "url",
      "headers",
      "secret_ciphertext",
      "previous_secret_ciphertext",
      "previous_secret_expires_at",
      "rate_limit_per_second",
      "failing_since",
      "signature_header",
      "signature_format",
      "ordering",
    ],
  },
  row: {
    id: "text",
    status: "text",
    attemptCount: "int4",
    eventId: "text",
    eventType: "text",
    createdAt: "timestamptz",
    payload: "text",
    replayOf: "text | null",
    webhook_id: "text",
    webhook_enabled: "bool",
    webhook_url: "text",
    webhook_headers: "jsonb",
    webhook_secretCiphertext: "text",
    webhook_previousSecretCiphertext: "text | null",
    webhook_previousSecretExpiresAt: "timestamptz | null",
    webhook_rateLimitPerSecond: "int4 | null",
    webhook_failingSince: "timestamptz | null",
    webhook_signatureHeader: "text | null",
    webhook_signatureFormat: "text",
    webhook_ordering: "text",
  },
  sql: (deliveryIds: string[]) => Prisma.sql`
    SELECT d.id, d.status::text AS status, d.attempt_count AS "attemptCount", d.event_id AS "eventId",
           d.event_type AS "eventType", d.created_at AS "createdAt", e.payload, d.replay_of AS "replayOf",
           w.id AS webhook_id, w.enabled AS webhook_enabled, w.url AS webhook_url,
           w.headers AS webhook_headers, w.secret_ciphertext AS "webhook_secretCiphertext",
           w.previous_secret_ciphertext AS "webhook_previousSecretCiphertext",
           w.previous_secret_expires_at AS "webhook_previousSecretExpiresAt",
           w.rate_limit_per_second AS "webhook_rateLimitPerSecond", w.failing_since AS "webhook_failingSince",
           w.signature_header AS "webhook_signatureHeader", w.signature_format AS "webhook_signatureFormat",
           w.ordering AS webhook_ordering
    FROM deliveries d JOIN events e ON e.id = d.event_id JOIN webhooks w ON w.id = d.webhook_id
    WHERE d.id = ANY(${deliveryIds}::text[])`,
});

type Row = RowOf<typeof deliveriesForAttempts.row>;

/**
 * Loads deliveries for their attempts. Jobs that start in the same turn of the event loop share one raw
 * query (`= ANY`): every job runs this, a Prisma query with `include` costs a query-plan compilation per
 * call, and one query per job costs a round trip each (measured: both slower than this).
 */
export class DeliveryLoader {
  private pending = new Map<string, Array<(row: DeliveryForAttempt | null | Error) => void>>();

  constructor(private readonly db: Database) {}

  load(deliveryId: string): Promise<DeliveryForAttempt | null> {
    return new Promise((resolve, reject) => {
      if (this.pending.size === 0) setImmediate(() => void this.flush());
      const waiting = this.pending.get(deliveryId) ?? [];
      waiting.push((result) => (result instanceof Error ? reject(result) : resolve(result)));
      this.pending.set(deliveryId, waiting);
    });
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = new Map();
    try {
      const rows = await deliveriesForAttempts.rows(this.db, [...batch.keys()]);
      const byId = new Map(rows.map((row) => [row.id, fromRow(row)]));
      for (const [id, waiting] of batch) for (const settle of waiting) settle(byId.get(id) ?? null);
    } catch (error) {
      for (const waiting of batch.values()) for (const settle of waiting) settle(error as Error);
    }
  }
}

function fromRow(row: Row): DeliveryForAttempt {
  return {
    id: row.id,
    status: row.status as DeliveryStatus,
    attemptCount: row.attemptCount,
    eventId: row.eventId,
    eventType: row.eventType,
    createdAt: row.createdAt,
    payload: row.payload,
    replayOf: row.replayOf,
    webhook: {
      id: row.webhook_id,
      enabled: row.webhook_enabled,
      url: row.webhook_url,
      headers: row.webhook_headers as Record<string, string>,
      secretCiphertext: row.webhook_secretCiphertext,
      previousSecretCiphertext: row.webhook_previousSecretCiphertext,
      previousSecretExpiresAt: row.webhook_previousSecretExpiresAt,
      rateLimitPerSecond: row.webhook_rateLimitPerSecond,
      failingSince: row.webhook_failingSince,
      signatureHeader: row.webhook_signatureHeader,
      signatureFormat: row.webhook_signatureFormat,
      ordering: row.webhook_ordering,
    },
  };
}

const pendingState = rawQuery({
  name: "pending delivery state",
  columns: { deliveries: ["id", "webhook_id", "attempt_count", "status"], webhooks: ["id", "failing_since"] },
  row: { id: "text", webhookId: "text", attemptCount: "int4", failingSince: "timestamptz | null" },
  sql: (deliveryId: string) => Prisma.sql`
    SELECT d.id, d.webhook_id AS "webhookId", d.attempt_count AS "attemptCount", w.failing_since AS "failingSince"
    FROM deliveries d JOIN webhooks w ON w.id = d.webhook_id
    WHERE d.id = ${deliveryId} AND d.status = 'pending'`,
});

/** What ending a delivery without an attempt needs; null unless it is pending. */
export async function pendingDeliveryState(
  db: RawClient,
  deliveryId: string,
): Promise<{ id: string; webhookId: string; attemptCount: number; failingSince: Date | null } | null> {
  const rows = await pendingState.rows(db, deliveryId);
  return rows[0] ?? null;
}
