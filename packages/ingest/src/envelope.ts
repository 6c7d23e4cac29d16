import type { FilterEnvelope } from "@hookrelay/shared";

/**
 * The envelope every delivery of an event sends: serialized once, stored, signed and replayed as is.
 * `dataJson` is spliced in as text, so what reaches receivers is the text each door offered: a captured
 * row's JSON from PostgreSQL, or the producer's own `data` as posted (a bigint beyond 2^53 keeps its digits,
 * `1.0` stays `1.0`, whitespace stays). Both doors hand over text that is one JSON value; the REST door has
 * checked it (apps/api json-body.ts). For data that came in as JSON.stringify's output, the bytes are the
 * same as JSON.stringify of the whole envelope.
 */
export function serializeEnvelope(
  eventId: string,
  eventType: string,
  createdAt: Date,
  projectId: string,
  dataJson: string,
): string {
  const head = JSON.stringify({
    event_id: eventId,
    event_type: eventType,
    created_at: createdAt.toISOString(),
    project_id: projectId,
  });
  return `${head.slice(0, -1)},"data":${dataJson}}`;
}

/** What a payload filter reads: the envelope's fields, with `data` parsed. */
export function filterEnvelope(
  eventId: string,
  eventType: string,
  createdAt: Date,
  projectId: string,
  data: unknown,
): FilterEnvelope {
  return {
    event_id: eventId,
    event_type: eventType,
    created_at: createdAt.toISOString(),
    project_id: projectId,
    data,
  };
}
