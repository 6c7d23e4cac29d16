-- Time-partitioned events, deliveries and attempts (issue 12). Written by hand: Prisma does not model
-- partitioning, so prisma/schema.prisma keeps the columns and relations and this migration the partitioning.
--
-- Why: retention deleted old rows one by one (with their ON DELETE actions), which cannot keep up with
-- millions of deliveries a day; dropping a whole partition costs the same whatever it holds. Ids are
-- time-sortable (prefix + ULID), so a range of ids is a range of time and keyset pagination by id is
-- unchanged. `events` and `deliveries` are partitioned by their id, `attempts` by its delivery's id, so a
-- delivery's attempts and the (delivery_id, attempt_number) key live in the partition of that delivery,
-- and partition k of the three tables covers the same time range: retention drops them together
-- (attempts, then deliveries, then events; packages/db/src/partitions.ts).
--
-- What changes because of it:
-- - A unique index of a partitioned table must include the partition key: the (project_id,
--   idempotency_key) constraint of events moves to a small unpartitioned table, `idempotency_keys`, and the
--   primary key of attempts is (id, delivery_id) (ids are still unique: they are generated).
-- - The existing tables are not copied: each becomes the partition `<table>_legacy` for every id up to the
--   start of the next 7-day period, which retention empties row by row and drops once all of it has
--   expired. Newer rows go to the 7-day partitions the dispatcher's maintenance job creates ahead of time,
--   or to `<table>_default` should it not have, so an insert never fails for want of a partition.
-- - Cost on an existing install: no row is copied; the migration reads every row to check the partition
--   bounds and the foreign keys, and builds the attempts' (id, delivery_id) key. Measured (2-core box,
--   PostgreSQL 15, 0.5 M events / 1 M deliveries / 3 M attempts, 1.9 GB): 5.3 s in all, of which 2.9 s
--   attaching the legacy tables, 1.2 s the foreign keys, 0.85 s copying 100 k idempotency keys; it grows
--   with the rows (about 5 s per million deliveries with their attempts). It runs as one transaction:
--   ingest waits (or times out) meanwhile, so run it in a quiet moment.
-- - No rolling deploy across this migration: api instances from before it insert events with
--   `ON CONFLICT (project_id, idempotency_key)`, whose unique index it drops, so once it has run every
--   event they post fails (PostgreSQL finds no constraint matching the ON CONFLICT) until they are
--   stopped. Stop the old api instances (and dispatchers: an old dispatcher's capture writes events the
--   same way, and it creates no partitions) before migrating, then start the new ones.

-- 1. Idempotency keys.
CREATE TABLE "idempotency_keys" (
    "project_id" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "event_id" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3),
    CONSTRAINT "idempotency_keys_pkey" PRIMARY KEY ("project_id","key")
);
CREATE INDEX "idempotency_keys_event_id_idx" ON "idempotency_keys"("event_id");
CREATE INDEX "idempotency_keys_expires_at_idx" ON "idempotency_keys"("expires_at");
-- A key posted through the API is free again after 24 h; a change source's is held as long as its event
-- exists. Told apart by the key, not by the event type: API clients may post `db.*` types too. A change
-- source's key is `<source id>:<transaction id>:<change id>` (apps/dispatcher/src/capture/change-events.ts),
-- its source id `src_` and 26 lower-case ULID characters (packages/shared/src/ids.ts), and its event's type
-- `db.<schema>.<table>.<op>`: anything else came through the API.
INSERT INTO "idempotency_keys" ("project_id", "key", "event_id", "created_at", "expires_at")
SELECT "project_id", "idempotency_key", "id", "created_at",
       CASE WHEN "idempotency_key" ~ '^src_[0-9a-hjkmnp-tv-z]{26}:[0-9]+:[0-9]+$' AND "event_type" LIKE 'db.%'
            THEN NULL ELSE "created_at" + interval '24 hours' END
FROM "events" WHERE "idempotency_key" IS NOT NULL;

-- 2. The foreign keys between the three tables are re-created on the partitioned tables below.
ALTER TABLE "attempts" DROP CONSTRAINT "attempts_delivery_id_fkey";
ALTER TABLE "deliveries" DROP CONSTRAINT "deliveries_event_id_fkey";
ALTER TABLE "deliveries" DROP CONSTRAINT "deliveries_replay_of_fkey";
DROP INDEX "events_project_id_idempotency_key_key";

-- 3. The existing tables (and their indexes) become <table>_legacy.
DO $$
DECLARE
  t text;
  i record;
BEGIN
  FOREACH t IN ARRAY ARRAY['events', 'deliveries', 'attempts'] LOOP
    EXECUTE format('ALTER TABLE %I RENAME TO %I', t, t || '_legacy');
    FOR i IN SELECT c.relname FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid
             WHERE x.indrelid = (t || '_legacy')::regclass LOOP
      EXECUTE format('ALTER INDEX %I RENAME TO %I', i.relname, t || '_legacy' || substr(i.relname, length(t) + 1));
    END LOOP;
  END LOOP;
END $$;

-- 4. The partitioned tables, with the indexes and foreign keys Prisma's schema declares. Creating each
-- index on the parent first lets ATTACH PARTITION adopt the legacy table's identical index instead of
-- building it again.
CREATE TABLE "events" (LIKE "events_legacy" INCLUDING DEFAULTS) PARTITION BY RANGE ("id");
ALTER TABLE "events" ADD CONSTRAINT "events_pkey" PRIMARY KEY ("id");
CREATE INDEX "events_project_id_id_idx" ON "events"("project_id", "id");
CREATE INDEX "events_project_id_event_type_id_idx" ON "events"("project_id", "event_type", "id");
ALTER TABLE "events" ADD CONSTRAINT "events_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "deliveries" (LIKE "deliveries_legacy" INCLUDING DEFAULTS) PARTITION BY RANGE ("id");
ALTER TABLE "deliveries" ADD CONSTRAINT "deliveries_pkey" PRIMARY KEY ("id");
CREATE INDEX "deliveries_webhook_id_id_idx" ON "deliveries"("webhook_id", "id");
CREATE INDEX "deliveries_webhook_id_status_id_idx" ON "deliveries"("webhook_id", "status", "id");
CREATE INDEX "deliveries_webhook_id_event_type_id_idx" ON "deliveries"("webhook_id", "event_type", "id");
CREATE INDEX "deliveries_event_id_idx" ON "deliveries"("event_id");
CREATE INDEX "deliveries_replay_of_idx" ON "deliveries"("replay_of");
CREATE INDEX "deliveries_status_created_at_idx" ON "deliveries"("status", "created_at");
CREATE INDEX "deliveries_status_next_attempt_at_created_at_idx" ON "deliveries"("status", "next_attempt_at", "created_at");
CREATE INDEX "deliveries_status_enqueued_at_created_at_idx" ON "deliveries"("status", "enqueued_at", "created_at");
CREATE INDEX "deliveries_status_id_idx" ON "deliveries"("status", "id");
ALTER TABLE "deliveries" ADD CONSTRAINT "deliveries_webhook_id_fkey" FOREIGN KEY ("webhook_id") REFERENCES "webhooks"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "attempts" (LIKE "attempts_legacy" INCLUDING DEFAULTS) PARTITION BY RANGE ("delivery_id");
-- Its primary key must include the partition key: (id, delivery_id), built on the legacy rows when attached.
ALTER TABLE "attempts_legacy" DROP CONSTRAINT "attempts_legacy_pkey";
ALTER TABLE "attempts" ADD CONSTRAINT "attempts_pkey" PRIMARY KEY ("id","delivery_id");
CREATE UNIQUE INDEX "attempts_delivery_id_attempt_number_key" ON "attempts"("delivery_id", "attempt_number");

-- 5. The legacy partitions hold every id before the start of the next 7-day period (counted from the Unix
-- epoch, as packages/db/src/partitions.ts counts them); the default partitions hold what no partition
-- covers. The bounds are ids of the period's first millisecond, as idAtTime (packages/shared/src/ids.ts)
-- makes them: the prefix, the millisecond in 10 Crockford base-32 characters (lower case), 16 zeros.
-- The three periods after it are created here too, named and bounded as ensurePartitions
-- (partitions.ts, PARTITIONS_AHEAD = 3) makes them (`<table>_p<yyyymmdd of the period's start, UTC>`): were
-- the migration run shortly before a period's end, rows of the next period written before the
-- dispatcher's maintenance first ran would land in the default partitions, and a period with rows there can
-- no longer get its own partitions.
DO $$
DECLARE
  period_ms constant bigint := 7 * 86400000;
  ahead constant int := 3;
  boundary_ms constant bigint := (floor(extract(epoch FROM clock_timestamp()) * 1000 / period_ms)::bigint + 1) * period_ms;
  alphabet constant text := '0123456789abcdefghjkmnpqrstvwxyz';
  bounds text[] := '{}';
  time_part text;
  at_ms bigint;
  t text;
  prefix text;
BEGIN
  -- bounds[k + 1]: the time part of the id at the start of the k-th period from the boundary.
  FOR k IN 0..ahead LOOP
    at_ms := boundary_ms + k * period_ms;
    time_part := '';
    FOR n IN REVERSE 9..0 LOOP
      time_part := time_part || substr(alphabet, ((at_ms >> (5 * n)) & 31)::int + 1, 1);
    END LOOP;
    bounds := bounds || time_part;
  END LOOP;
  FOREACH t IN ARRAY ARRAY['events', 'deliveries', 'attempts'] LOOP
    prefix := CASE t WHEN 'events' THEN 'evt' ELSE 'dlv' END;
    EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I FOR VALUES FROM (MINVALUE) TO (%L)',
                   t, t || '_legacy', prefix || '_' || bounds[1] || repeat('0', 16));
    EXECUTE format('CREATE TABLE %I PARTITION OF %I DEFAULT', t || '_default', t);
    FOR k IN 1..ahead LOOP
      EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)',
                     t || '_p' || to_char(to_timestamp((boundary_ms + (k - 1) * period_ms) / 1000.0) AT TIME ZONE 'UTC', 'YYYYMMDD'),
                     t, prefix || '_' || bounds[k] || repeat('0', 16), prefix || '_' || bounds[k + 1] || repeat('0', 16));
    END LOOP;
  END LOOP;
END $$;

-- 6. Foreign keys between the partitioned tables (each checks the existing rows once).
ALTER TABLE "deliveries" ADD CONSTRAINT "deliveries_event_id_fkey" FOREIGN KEY ("event_id") REFERENCES "events"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "deliveries" ADD CONSTRAINT "deliveries_replay_of_fkey" FOREIGN KEY ("replay_of") REFERENCES "deliveries"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "attempts" ADD CONSTRAINT "attempts_delivery_id_fkey" FOREIGN KEY ("delivery_id") REFERENCES "deliveries"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "idempotency_keys" ADD CONSTRAINT "idempotency_keys_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "idempotency_keys" ADD CONSTRAINT "idempotency_keys_event_id_fkey" FOREIGN KEY ("event_id") REFERENCES "events"("id") ON DELETE CASCADE ON UPDATE CASCADE;
