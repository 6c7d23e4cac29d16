import { type Database, Prisma } from "@hookrelay/db";

/** An accepted event and its deliveries, ready to be stored. */
export interface NewEvent {
  id: string;
  projectId: string;
  eventType: string;
  /** The event's `data`, serialized (stored as jsonb for queries). */
  dataJson: string;
  /** The envelope every delivery sends. */
  payload: string;
  idempotencyKey: string | null;
  createdAt: Date;
  deliveries: Array<{ id: string; webhookId: string }>;
}

interface Pending {
  event: NewEvent;
  resolve: (inserted: boolean) => void;
  reject: (error: unknown) => void;
}

// One statement's size: PostgreSQL allows 65,535 bind parameters (7 per event, 3 per delivery).
const MAX_EVENTS_PER_WRITE = 250;
const MAX_DELIVERIES_PER_WRITE = 5_000;

/**
 * Group commit for ingest: events that arrive while a write is in flight are stored together in the next
 * one — one statement, one round trip, one WAL flush for the lot. Under no load a write starts at once
 * (on the next turn of the event loop), so batching adds no fixed delay. Each caller's promise settles
 * only after its own rows are committed.
 */
export class EventWriter {
  private queue: Pending[] = [];
  private writing = false;

  /**
   * `afterWrite` gets the committed deliveries of each write (to enqueue them) and must not throw; callers
   * are answered once it has finished. The next write does not wait for it.
   */
  constructor(
    private readonly db: Database,
    private readonly afterWrite: (deliveryIds: string[]) => Promise<unknown>,
  ) {}

  /** Stores the event and its deliveries; false when its idempotency key was taken meanwhile. */
  write(event: NewEvent): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.queue.push({ event, resolve, reject });
      if (!this.writing) {
        this.writing = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.takeBatch();
      try {
        const inserted = await this.insert(batch.map((pending) => pending.event));
        void this.settle(batch, inserted);
      } catch (error) {
        if (batch.length === 1) batch[0]?.reject(error);
        // One bad row must not fail its neighbours: write them one by one to find it.
        else await Promise.all(batch.map((pending) => this.writeAlone(pending)));
      }
    }
    this.writing = false;
  }

  private takeBatch(): Pending[] {
    let deliveries = 0;
    let count = 0;
    while (count < this.queue.length && count < MAX_EVENTS_PER_WRITE) {
      deliveries += this.queue[count]?.event.deliveries.length ?? 0;
      if (count > 0 && deliveries > MAX_DELIVERIES_PER_WRITE) break;
      count += 1;
    }
    return this.queue.splice(0, count);
  }

  private async writeAlone(pending: Pending): Promise<void> {
    try {
      await this.settle([pending], await this.insert([pending.event]));
    } catch (error) {
      pending.reject(error);
    }
  }

  private async settle(batch: Pending[], inserted: Set<string>): Promise<void> {
    const deliveryIds = batch
      .filter((pending) => inserted.has(pending.event.id))
      .flatMap((pending) => pending.event.deliveries.map((delivery) => delivery.id));
    // A failure here leaves committed rows marked enqueued; the outbox sweep's overdue check re-enqueues them.
    if (deliveryIds.length > 0) await this.afterWrite(deliveryIds).catch(() => undefined);
    for (const pending of batch) pending.resolve(inserted.has(pending.event.id));
  }

  /** One statement: the events (skipping taken idempotency keys), then the deliveries of those inserted. */
  private async insert(events: NewEvent[]): Promise<Set<string>> {
    const eventRows = events.map(
      (event) => Prisma.sql`(${event.id}, ${event.projectId}, ${event.eventType}, ${event.dataJson}::jsonb,
        ${event.payload}, ${event.idempotencyKey}, ${event.createdAt}::timestamptz)`,
    );
    const deliveryRows = events.flatMap((event) =>
      event.deliveries.map((delivery) => Prisma.sql`(${delivery.id}, ${event.id}, ${delivery.webhookId})`),
    );
    const insertEvents = Prisma.sql`
      INSERT INTO events (id, project_id, event_type, data, payload, idempotency_key, created_at)
      VALUES ${Prisma.join(eventRows)}
      ON CONFLICT (project_id, idempotency_key) DO NOTHING
      RETURNING id, project_id, event_type, created_at`;
    // enqueued_at is set optimistically (see outbox.ts).
    const rows = await this.db.$queryRaw<Array<{ id: string }>>(
      deliveryRows.length === 0
        ? insertEvents
        : Prisma.sql`
      WITH inserted AS (${insertEvents}),
      delivered AS (
        INSERT INTO deliveries (id, project_id, event_id, webhook_id, event_type, created_at, enqueued_at)
        SELECT v.id, i.project_id, i.id, v.webhook_id, i.event_type, i.created_at, i.created_at
        FROM (VALUES ${Prisma.join(deliveryRows)}) AS v(id, event_id, webhook_id)
        JOIN inserted i ON i.id = v.event_id
      )
      SELECT id FROM inserted`,
    );
    return new Set(rows.map((row) => row.id));
  }
}
