/**
 * The envelope every delivery of an event sends: serialized once, stored, signed and replayed as is.
 * `dataJson` is spliced in as text, so a captured row's JSON from PostgreSQL reaches receivers unparsed
 * (a bigint beyond 2^53 keeps its digits). For data that came in as JSON.stringify's output, the bytes are
 * the same as JSON.stringify of the whole envelope.
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
