import {
  type Database,
  idempotencyKeyHolder,
  insertChunkLength,
  insertEventsWithDeliveries,
  type NewEvent,
  postgresErrorCode,
} from "@hookrelay/db";
import {
  type AcceptedEvent,
  type DeliveryQueues,
  type FilterEnvelope,
  type Logger,
  matchesEventType,
  newId,
} from "@hookrelay/shared";
import { filterEnvelope, serializeEnvelope } from "./envelope.js";
import { EventWriter } from "./event-writer.js";
import { deliveriesOf, enqueueFromOutbox, enqueueOrLeaveInOutbox } from "./outbox.js";
import type { FanOutTarget, ProjectLookups } from "./project-lookups.js";

/** An event as either door offers it: the REST API (`POST …/events`) or a database change source. */
export interface EventInput {
  eventType: string;
  /** The event's `data` as JSON text (an object): stored and sent as is, never re-serialized. */
  dataJson: string;
  idempotencyKey: string | null;
  /** A webhook that must not get this event: the one an operational event is about. */
  excludeWebhookId?: string | null;
}

export interface IngestResult {
  /** false when an idempotency key matched an earlier event: nothing new was created. */
  created: boolean;
  body: AcceptedEvent;
}

const FOREIGN_KEY_VIOLATION = "23503";

/** Repeats of an `event_id` / `Idempotency-Key` within this window return the first answer. */
export const IDEMPOTENCY_WINDOW_MS = 24 * 3600 * 1000;

export interface IngestDependencies {
  db: Database;
  /** Where the project's enabled webhooks come from (cached while kept current by LISTEN). */
  lookups: ProjectLookups;
  deliveryQueues: DeliveryQueues;
  logger: Logger;
  /** Called with the number of events newly stored (metrics). */
  onStored?: (count: number) => void;
}

/**
 * The one ingest path of both doors: fan-out to the project's matching enabled webhooks, the event and its
 * deliveries committed together (group commit, see EventWriter), then enqueued, or left in the outbox for
 * the dispatcher's sweep when Redis does not take them.
 */
export class EventIngest {
  private readonly writer: EventWriter;

  constructor(private readonly deps: IngestDependencies) {
    this.writer = new EventWriter(deps.db, (deliveries) => enqueueOrLeaveInOutbox(deps, deliveries));
  }

  /**
   * The REST door: a repeated idempotency key within the window answers with the first event (200) and
   * stores nothing.
   */
  async ingest(projectId: string, input: EventInput): Promise<IngestResult> {
    if (input.idempotencyKey) {
      const earlier = await this.earlierResult(projectId, input.idempotencyKey);
      if (earlier) return earlier;
    }
    const event = this.prepare(projectId, input, await this.deps.lookups.enabledWebhooks(projectId));
    // Free again after the window; the capture door's keys are held as long as their event exists.
    event.idempotencyExpiresAt = new Date(event.createdAt.getTime() + IDEMPOTENCY_WINDOW_MS);
    if (!(await this.writer.write(event))) {
      // A concurrent request with the same idempotency key won the race: answer with its result.
      const earlier = input.idempotencyKey ? await this.earlierResult(projectId, input.idempotencyKey) : null;
      if (!earlier) throw new Error("event was not stored and no earlier event holds its idempotency key");
      return earlier;
    }
    this.deps.onStored?.(1);
    return {
      created: true,
      body: {
        event_id: event.id,
        event_type: event.eventType,
        created_at: event.createdAt.toISOString(),
        deliveries: event.deliveries.length,
      },
    };
  }

  /**
   * The capture door: stores each event unless one with its idempotency key already exists (never
   * released, whatever its age), in the order given, all committed before this resolves. Offering the
   * same events again after a crash stores nothing twice. Returns how many were new.
   *
   * Order is kept even through failures: the events go in statements one after the other (not through the
   * group commit, whose row-by-row fallback would store events after one that failed), and the first
   * failure stops the rest. Offered again, the events already stored are skipped and the rest get later
   * ids than theirs.
   */
  async ingestOnce(projectId: string, inputs: EventInput[]): Promise<number> {
    const { db, lookups } = this.deps;
    // One lookup, then ids in the order given: event ids follow the order of the inputs.
    const webhooks = await lookups.enabledWebhooks(projectId);
    const events = inputs.map((input) => this.prepare(projectId, input, webhooks));
    let created = 0;
    for (let start = 0; start < events.length; ) {
      const length = insertChunkLength(
        events.length - start,
        (index) => events[start + index]?.deliveries.length ?? 0,
      );
      const chunk = events.slice(start, start + length);
      start += length;
      let inserted: Set<string>;
      try {
        inserted = await insertEventsWithDeliveries(db, chunk, { inOutbox: true });
      } catch (error) {
        // A webhook deleted since the lookup: the next offer fans out to the webhooks as they are then.
        if (postgresErrorCode(error) === FOREIGN_KEY_VIOLATION) lookups.changed();
        throw error;
      }
      await enqueueFromOutbox(this.deps, deliveriesOf(chunk, inserted));
      created += inserted.size;
    }
    if (created > 0) this.deps.onStored?.(created);
    return created;
  }

  private prepare(projectId: string, input: EventInput, webhooks: FanOutTarget[]): NewEvent {
    const createdAt = new Date();
    const id = newId("event", createdAt.getTime());
    // Parsed once per event, and only when a webhook of its type has a payload filter.
    let envelope: FilterEnvelope | undefined;
    const envelopeOf = () => {
      envelope ??= filterEnvelope(id, input.eventType, createdAt, projectId, JSON.parse(input.dataJson));
      return envelope;
    };
    return {
      id,
      projectId,
      eventType: input.eventType,
      dataJson: input.dataJson,
      payload: serializeEnvelope(id, input.eventType, createdAt, projectId, input.dataJson),
      idempotencyKey: input.idempotencyKey,
      createdAt,
      deliveries: webhooks
        .filter(
          (webhook) =>
            webhook.id !== input.excludeWebhookId &&
            matchesEventType(webhook.event_types, input.eventType) &&
            (webhook.matches === null || webhook.matches(envelopeOf())),
        )
        .map((webhook) => ({ id: newId("delivery", createdAt.getTime()), webhookId: webhook.id })),
    };
  }

  /**
   * The first answer for this key while it is held (for the window). An expired key is taken over by the
   * insert of the new event (insertEventsWithDeliveries), atomically.
   */
  private async earlierResult(projectId: string, idempotencyKey: string): Promise<IngestResult | null> {
    const event = await idempotencyKeyHolder(this.deps.db, { projectId, key: idempotencyKey });
    if (!event) return null;
    return {
      created: false,
      body: {
        event_id: event.id,
        event_type: event.eventType,
        created_at: event.createdAt.toISOString(),
        deliveries: event.deliveries,
      },
    };
  }
}
