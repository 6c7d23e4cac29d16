import { OPERATIONAL_EVENT_TYPES } from "@hookrelay/shared";
import { Prisma } from "./generated/prisma/client.js";
import { type RawClient, type RowOf, rawQuery } from "./raw-rows.js";

// hookrelay's own bookkeeping of database change sources, written by the capturing dispatcher. Raw SQL on
// purpose: these writes must not move `updated_at`, which tells dispatchers the configuration changed.

const capturableSources = rawQuery({
  name: "capturable sources",
  columns: { sources: ["id", "project_id", "database_url_ciphertext", "enabled", "updated_at"] },
  row: {
    id: "text",
    projectId: "text",
    databaseUrlCiphertext: "text",
    enabled: "bool",
    updatedAt: "timestamptz",
  },
  sql: () => Prisma.sql`
    SELECT id, project_id AS "projectId", database_url_ciphertext AS "databaseUrlCiphertext", enabled,
           updated_at AS "updatedAt"
    FROM sources ORDER BY id`,
});

export type CapturableSource = RowOf<typeof capturableSources.row>;

/** Every source, with what a dispatcher needs to capture it. */
export function listCapturableSources(db: RawClient): Promise<CapturableSource[]> {
  return capturableSources.rows(db);
}

const sourceHealth = rawQuery({
  name: "source health",
  columns: { sources: ["id", "status", "pending_changes", "oldest_pending_at"] },
  row: { id: "text", status: "text", pending_changes: "int4", oldest_pending_at: "timestamptz | null" },
  sql: () => Prisma.sql`SELECT id, status, pending_changes, oldest_pending_at FROM sources`,
});

export type SourceHealthRow = RowOf<typeof sourceHealth.row>;

/** Each source's health as its capturing dispatcher last recorded it (the source gauges). */
export function sourceHealthRows(db: RawClient): Promise<SourceHealthRow[]> {
  return sourceHealth.rows(db);
}

const statusUpdate = rawQuery({
  name: "record source status",
  columns: {
    sources: ["id", "status", "last_error", "backlog_checked_at", "project_id"],
    operational_events: ["id", "project_id", "event_type", "data", "about_webhook_id"],
  },
  row: {},
  sql: (
    sourceId: string,
    status: "active" | "error",
    lastError: string | null,
    measuredAfter: Date | null,
    at: Date,
  ) =>
    // A change between active and error is announced in the same statement (hookrelay.source.error /
    // .recovered); a new reason while in error is not a new event.
    Prisma.sql`
      WITH before AS (SELECT id, status FROM sources WHERE id = ${sourceId} FOR UPDATE),
      changed AS (
        UPDATE sources s SET status = ${status}, last_error = ${lastError}
        FROM before b
        WHERE s.id = b.id
          AND (s.status IS DISTINCT FROM ${status} OR s.last_error IS DISTINCT FROM ${lastError})
          AND (${measuredAfter === null} OR s.backlog_checked_at IS NULL OR s.backlog_checked_at < ${measuredAfter})
        RETURNING s.id, s.project_id, b.status AS was
      )
      INSERT INTO operational_events (id, project_id, event_type, data)
      SELECT ${`source.${status}:${sourceId}:${at.getTime()}`}, c.project_id,
             ${status === "error" ? OPERATIONAL_EVENT_TYPES.sourceError : OPERATIONAL_EVENT_TYPES.sourceRecovered},
             ${status === "error" ? Prisma.sql`jsonb_build_object('source_id', c.id, 'error', ${lastError}::text)` : Prisma.sql`jsonb_build_object('source_id', c.id)`}
      FROM changed c
      WHERE c.was IS DISTINCT FROM ${status}
      ON CONFLICT (id) DO NOTHING`,
});

/**
 * `active` with no error, or `error` with the reason; written only when it changes. With
 * `unlessMeasuredWithinMs`, not written if a capturing dispatcher measured the source's backlog that recently.
 */
export async function recordSourceStatus(
  db: RawClient,
  sourceId: string,
  lastError: string | null,
  { unlessMeasuredWithinMs }: { unlessMeasuredWithinMs?: number } = {},
): Promise<void> {
  const status = lastError === null ? "active" : "error";
  const measuredAfter =
    unlessMeasuredWithinMs === undefined ? null : new Date(Date.now() - unlessMeasuredWithinMs);
  await statusUpdate.execute(db, sourceId, status, lastError, measuredAfter, new Date());
}

const backlogUpdate = rawQuery({
  name: "record source backlog",
  columns: { sources: ["id", "pending_changes", "oldest_pending_at", "backlog_checked_at"] },
  row: {},
  sql: (sourceId: string, pending: number, oldestAt: Date | null) => Prisma.sql`
    UPDATE sources SET pending_changes = ${pending}, oldest_pending_at = ${oldestAt}, backlog_checked_at = now()
    WHERE id = ${sourceId}`,
});

export async function recordSourceBacklog(
  db: RawClient,
  sourceId: string,
  backlog: { pending: number; oldestAt: Date | null },
): Promise<void> {
  await backlogUpdate.execute(db, sourceId, backlog.pending, backlog.oldestAt);
}
