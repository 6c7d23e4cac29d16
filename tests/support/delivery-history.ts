import type { Database } from "@hookrelay/db";
import { newId } from "@hookrelay/shared";

// Deliveries and attempts written straight to PostgreSQL at chosen times (ids made from those times, as
// the api and the dispatcher make them), for the dashboard's charts of past hours.

export interface PastAttempt {
  at: Date;
  /** null: no answer (timeout, connection error). */
  statusCode: number | null;
  latencyMs: number;
}

export interface PastDelivery {
  status: "pending" | "succeeded" | "failed";
  /** In order; the delivery was created a second before the first. */
  attempts: PastAttempt[];
}

export async function insertDeliveryHistory(
  db: Database,
  { projectId, webhookId, deliveries }: { projectId: string; webhookId: string; deliveries: PastDelivery[] },
): Promise<void> {
  const createdAt = (delivery: PastDelivery) =>
    new Date((delivery.attempts[0]?.at.getTime() ?? Date.now()) - 1_000);
  const first = Math.min(...deliveries.map((delivery) => createdAt(delivery).getTime()));
  const eventId = newId("event", first);
  await db.event.create({
    data: {
      id: eventId,
      projectId,
      eventType: "order.paid",
      data: {},
      payload: "{}",
      createdAt: new Date(first),
    },
  });
  const rows = deliveries.map((delivery) => ({
    id: newId("delivery", createdAt(delivery).getTime()),
    delivery,
  }));
  await db.delivery.createMany({
    data: rows.map(({ id, delivery }) => {
      const last = delivery.attempts.at(-1);
      return {
        id,
        projectId,
        eventId,
        webhookId,
        eventType: "order.paid",
        status: delivery.status,
        attemptCount: delivery.attempts.length,
        lastStatusCode: last?.statusCode ?? null,
        enqueuedAt: createdAt(delivery),
        createdAt: createdAt(delivery),
        completedAt: delivery.status === "pending" ? null : (last?.at ?? null),
        // A day ahead: a dispatcher's outbox sweep must not find it overdue and send it.
        nextAttemptAt: delivery.status === "pending" ? new Date(Date.now() + 86_400_000) : null,
      };
    }),
  });
  await db.attempt.createMany({
    data: rows.flatMap(({ id, delivery }) =>
      delivery.attempts.map((attempt, index) => ({
        id: newId("attempt", attempt.at.getTime()),
        deliveryId: id,
        attemptNumber: index + 1,
        statusCode: attempt.statusCode,
        latencyMs: attempt.latencyMs,
        error: attempt.statusCode === null ? "timeout" : null,
        createdAt: attempt.at,
      })),
    ),
  });
}
