import { type Database, forgetOperationalEvents, waitingOperationalEvents } from "@hookrelay/db";
import type { EventIngest } from "@hookrelay/ingest";
import { type Logger, OPERATIONAL_KEY_PREFIX } from "@hookrelay/shared";
import { startPollLoop } from "./poll-loop.js";

const BATCH = 100;

/**
 * Moves operational events from their outbox into the normal pipeline: each is ingested like a captured
 * change (`ingestOnce`: stored unless its idempotency key — the announcement's id — is already held), fanned
 * out to the webhooks that list it except the one it is about, then forgotten. One that fails is logged and
 * left for the next relay without holding up the others. No transaction is held across the ingest (it needs
 * connections of its own from the same pool: holding one meanwhile starved a small pool).
 *
 * Crash windows: dies before ingesting — the rows wait for the next relay (any dispatcher's); after
 * ingesting, before forgetting — the next relay offers them again and their keys store nothing twice; two
 * dispatchers relaying the same rows — likewise one event each. Returns how many rows it read.
 */
export async function relayOperationalEvents(
  db: Database,
  ingest: EventIngest,
  logger: Logger,
): Promise<number> {
  const waiting = await waitingOperationalEvents(db, BATCH);
  const relayed: string[] = [];
  for (const event of waiting) {
    try {
      await ingest.ingestOnce(event.projectId, [
        {
          eventType: event.eventType,
          dataJson: event.dataJson,
          idempotencyKey: `${OPERATIONAL_KEY_PREFIX}${event.id}`,
          excludeWebhookId: event.aboutWebhookId,
        },
      ]);
      relayed.push(event.id);
    } catch (error) {
      logger.warn({ id: event.id, err: (error as Error).message }, "operational event not relayed yet");
    }
  }
  if (relayed.length > 0) await forgetOperationalEvents(db, relayed);
  return waiting.length;
}

/** Relays every `intervalMs` (at once again while a batch was full). Returns a stop function. */
export function startOperationalRelay(
  { db, ingest, logger }: { db: Database; ingest: EventIngest; logger: Logger },
  intervalMs: number,
): () => Promise<void> {
  return startPollLoop(
    async () => (await relayOperationalEvents(db, ingest, logger)) === BATCH,
    intervalMs,
    (error) => logger.warn({ err: error.message }, "operational events: relay failed; trying again"),
  );
}
