import type { IngestResult } from "@hookrelay/ingest";
import type { CreateEventInput } from "@hookrelay/shared";
import type { ApiContext } from "../context.js";
import { ApiError, postgresErrorCode } from "../errors.js";

// 22P05: jsonb cannot hold the NUL character (\u0000), which JSON allows.
const UNSTORABLE_CHARACTER = "22P05";

/**
 * `POST …/events`: the shared ingest path (store + fan-out + enqueue, see @hookrelay/ingest) with the HTTP
 * concerns: which idempotency key wins, and a 422 for data PostgreSQL cannot store. `dataJson` is the text
 * of `input.data` exactly as the producer sent it: receivers get those bytes, never a re-serialization.
 */
export async function ingestEvent(
  ctx: ApiContext,
  projectId: string,
  input: CreateEventInput,
  dataJson: string,
  idempotencyKeyHeader?: string,
): Promise<IngestResult> {
  try {
    return await ctx.ingest.ingest(projectId, {
      eventType: input.event_type,
      dataJson,
      idempotencyKey: idempotencyKeyHeader ?? input.event_id ?? null,
    });
  } catch (error) {
    if (postgresErrorCode(error) !== UNSTORABLE_CHARACTER) throw error;
    throw new ApiError(422, "validation_error", "data contains a character that cannot be stored (\\u0000)", [
      { path: "data", message: "the NUL character (\\u0000) is not allowed" },
    ]);
  }
}
