import { type Database, insertChunkLength, insertEventsWithDeliveries, type NewEvent } from "@hookrelay/db";
import type { DeliveryRef } from "@hookrelay/shared";
import { deliveriesOf } from "./outbox.js";

interface Pending {
  event: NewEvent;
  resolve: (inserted: boolean) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit for ingest: events that arrive while a write is in flight are stored together in the next
 * one — one statement, one round trip, one WAL flush for the lot. Under no load a write starts at once
 * (on the next turn of the event loop), so batching adds no fixed delay. Each caller's promise settles
 * only after its own rows are committed. Events are stored in the order they were offered.
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
    private readonly afterWrite: (deliveries: DeliveryRef[]) => Promise<unknown>,
  ) {}

  /** Stores the event and its deliveries; false when its idempotency key was already taken. */
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
        const inserted = await insertEventsWithDeliveries(
          this.db,
          batch.map((pending) => pending.event),
        );
        void this.settle(batch, inserted);
      } catch (error) {
        if (batch.length === 1) batch[0]?.reject(error);
        // One bad row must not fail its neighbours: write them one by one to find it.
        else for (const pending of batch) await this.writeAlone(pending);
      }
    }
    this.writing = false;
  }

  private takeBatch(): Pending[] {
    const count = insertChunkLength(
      this.queue.length,
      (index) => this.queue[index]?.event.deliveries.length ?? 0,
    );
    return this.queue.splice(0, count);
  }

  private async writeAlone(pending: Pending): Promise<void> {
    try {
      await this.settle([pending], await insertEventsWithDeliveries(this.db, [pending.event]));
    } catch (error) {
      pending.reject(error);
    }
  }

  private async settle(batch: Pending[], inserted: Set<string>): Promise<void> {
    const deliveries = deliveriesOf(
      batch.map((pending) => pending.event),
      inserted,
    );
    // A failure here leaves committed rows marked enqueued; the outbox sweep's overdue check re-enqueues them.
    if (deliveries.length > 0) await this.afterWrite(deliveries).catch(() => undefined);
    for (const pending of batch) pending.resolve(inserted.has(pending.event.id));
  }
}
