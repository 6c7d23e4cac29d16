import type { Database } from "./client.js";

// hookrelay's own bookkeeping of database change sources, written by the capturing dispatcher. Raw SQL on
// purpose: these writes must not move `updated_at`, which tells dispatchers the configuration changed.

export interface CapturableSource {
  id: string;
  projectId: string;
  databaseUrlCiphertext: string;
  enabled: boolean;
  updatedAt: Date;
}

/** Every source, with what a dispatcher needs to capture it. */
export function listCapturableSources(db: Database): Promise<CapturableSource[]> {
  return db.$queryRaw<CapturableSource[]>`
    SELECT id, project_id AS "projectId", database_url_ciphertext AS "databaseUrlCiphertext", enabled,
           updated_at AS "updatedAt"
    FROM sources ORDER BY id`;
}

/**
 * `active` with no error, or `error` with the reason; written only when it changes. With
 * `unlessMeasuredWithinMs`, not written if a capturing dispatcher measured the source's backlog that recently.
 */
export async function recordSourceStatus(
  db: Database,
  sourceId: string,
  lastError: string | null,
  { unlessMeasuredWithinMs }: { unlessMeasuredWithinMs?: number } = {},
): Promise<void> {
  const status = lastError === null ? "active" : "error";
  const measuredAfter = new Date(Date.now() - (unlessMeasuredWithinMs ?? 0));
  await db.$executeRaw`
    UPDATE sources SET status = ${status}, last_error = ${lastError}
    WHERE id = ${sourceId}
      AND (status IS DISTINCT FROM ${status} OR last_error IS DISTINCT FROM ${lastError})
      AND (${unlessMeasuredWithinMs === undefined} OR backlog_checked_at IS NULL
           OR backlog_checked_at < ${measuredAfter})`;
}

export async function recordSourceBacklog(
  db: Database,
  sourceId: string,
  backlog: { pending: number; oldestAt: Date | null },
): Promise<void> {
  await db.$executeRaw`
    UPDATE sources SET pending_changes = ${backlog.pending}, oldest_pending_at = ${backlog.oldestAt},
           backlog_checked_at = now()
    WHERE id = ${sourceId}`;
}
