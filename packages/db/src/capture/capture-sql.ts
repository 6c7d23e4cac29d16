import type { SourceTable } from "@hookrelay/shared";

// What a database change source installs in the product's database, as SQL text: the api runs exactly this
// script, and `GET …/install.sql` serves it to a DBA when hookrelay's role may not create triggers.
// Identifiers are validated by the source schema (plain names) and quoted here all the same.

export const CAPTURE_SCHEMA = "hookrelay_capture";
/** The NOTIFY channel the trigger hints on (payload: the source id); the capture also polls. */
export const CAPTURE_CHANNEL = "hookrelay_capture";

export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function quoteLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** One trigger per captured table and source, named after the source. */
export function triggerName(sourceId: string): string {
  return `hookrelay_${sourceId}`;
}

function qualified(table: Pick<SourceTable, "schema" | "table">): string {
  return `${quoteIdentifier(table.schema)}.${quoteIdentifier(table.table)}`;
}

// The change table: `id` orders changes (a row's later change always gets a later id, since its writer
// waits for the earlier writer's commit on the row lock); `xid` makes the event's idempotency key unique
// even if the schema is dropped and the sequence starts again.
const CHANGE_TABLE = `
CREATE TABLE IF NOT EXISTS hookrelay_capture.changes (
  source_id   text        NOT NULL,
  id          bigserial   NOT NULL,
  op          text        NOT NULL,
  schema_name text        NOT NULL,
  table_name  text        NOT NULL,
  row_data    jsonb,
  old_row     jsonb,
  changed_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
  xid         xid8        NOT NULL DEFAULT pg_current_xact_id(),
  PRIMARY KEY (source_id, id)
);`;

// Two functions, versioned by name (a later version installs beside this one). The trigger function runs
// with the rights of whoever changed the row: it renders the rows (to_jsonb may call a table owner's own
// casts, which must never run with more rights than the writer has) and applies the columns filter. Only
// the append runs as the function's owner (SECURITY DEFINER), so the product's roles need no privilege on
// the change table; it accepts changes only for a table that carries the source's trigger.
// Trigger arguments: the source id, the captured table's schema and name (a partition reports its parent's),
// then the columns whose change makes an UPDATE count (none: any column).
const RECORD_CHANGE = `
CREATE FUNCTION hookrelay_capture.record_change_v1() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
  new_row jsonb;
  old_row jsonb;
  changed boolean := false;
BEGIN
  IF TG_OP <> 'DELETE' THEN new_row := to_jsonb(NEW); END IF;
  IF TG_OP <> 'INSERT' THEN old_row := to_jsonb(OLD); END IF;
  IF TG_OP = 'UPDATE' THEN
    IF new_row = old_row THEN RETURN NULL; END IF;
    IF TG_NARGS > 3 THEN
      FOR i IN 3 .. TG_NARGS - 1 LOOP
        IF (new_row -> TG_ARGV[i]) IS DISTINCT FROM (old_row -> TG_ARGV[i]) THEN
          changed := true;
          EXIT;
        END IF;
      END LOOP;
      IF NOT changed THEN RETURN NULL; END IF;
    END IF;
  END IF;
  PERFORM hookrelay_capture.append_change_v1(TG_ARGV[0], TG_OP, TG_ARGV[1], TG_ARGV[2], TG_RELID, new_row, old_row);
  RETURN NULL;
END
$fn$`;

const APPEND_CHANGE = `
CREATE FUNCTION hookrelay_capture.append_change_v1(
  p_source text, p_op text, p_schema text, p_table text, p_relid oid, p_row jsonb, p_old_row jsonb
) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
BEGIN
  IF NOT EXISTS (
    SELECT 1 FROM pg_catalog.pg_trigger t WHERE t.tgrelid = p_relid AND t.tgname = 'hookrelay_' || p_source
  ) THEN
    RAISE EXCEPTION 'hookrelay_capture: no capture trigger of % on relation %', p_source, p_relid;
  END IF;
  INSERT INTO hookrelay_capture.changes (source_id, op, schema_name, table_name, row_data, old_row)
  VALUES (p_source, p_op, p_schema, p_table, p_row, p_old_row);
  PERFORM pg_catalog.pg_notify('${CAPTURE_CHANNEL}', p_source);
END
$fn$`;

// Installs and uninstalls of any source in one database wait for each other (two first installs would both
// create the schema; an uninstall dropping the schema would take a new source's trigger with it).
const SERIALIZE_INSTALLS = `SELECT pg_advisory_xact_lock(hashtext('hookrelay_capture install'));`;
// A trigger change waits for the table's lock, and the product's writes queue behind that wait: bounded.
const LOCK_TIMEOUT = `SET LOCAL lock_timeout = '2s';`;

/** Drops every trigger of this source, on whatever table it is (tables may have been removed from it). */
function dropSourceTriggers(sourceId: string): string {
  return `DO $drop$
DECLARE t record;
BEGIN
  FOR t IN SELECT tgrelid::regclass AS rel FROM pg_trigger
           WHERE tgname = ${quoteLiteral(triggerName(sourceId))} AND tgparentid = 0 LOOP
    EXECUTE format('DROP TRIGGER %I ON %s', ${quoteLiteral(triggerName(sourceId))}, t.rel);
  END LOOP;
END
$drop$;`;
}

function checkColumns(table: SourceTable): string {
  if (!table.columns) return "";
  const checks = table.columns.map(
    (
      column,
    ) => `  IF NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = ${quoteLiteral(qualified(table))}::regclass
      AND attname = ${quoteLiteral(column)} AND attnum > 0 AND NOT attisdropped) THEN
    RAISE EXCEPTION USING ERRCODE = '42703',
      MESSAGE = ${quoteLiteral(`column "${column}" does not exist in ${table.schema}.${table.table}`)};
  END IF;`,
  );
  return `DO $columns$
BEGIN
${checks.join("\n")}
END
$columns$;\n`;
}

function createTrigger(sourceId: string, table: SourceTable): string {
  const args = [sourceId, table.schema, table.table, ...(table.columns ?? [])].map(quoteLiteral).join(", ");
  return `${checkColumns(table)}CREATE TRIGGER ${quoteIdentifier(triggerName(sourceId))}
  AFTER ${table.events.join(" OR ")} ON ${qualified(table)}
  FOR EACH ROW EXECUTE FUNCTION hookrelay_capture.record_change_v1(${args});`;
}

export interface InstallScriptInput {
  sourceId: string;
  tables: SourceTable[];
  /** The role hookrelay connects as, granted what capture needs (read and delete its changes). */
  captureRole: string | null;
}

/**
 * The whole installation for one source, in one transaction (a failure installs nothing), idempotent: the
 * schema, change table and function when missing, then this source's triggers replaced by the listed ones.
 */
export function installScript({ sourceId, tables, captureRole }: InstallScriptInput): string {
  const grants = captureRole
    ? `GRANT USAGE ON SCHEMA hookrelay_capture TO ${quoteIdentifier(captureRole)};
GRANT SELECT, DELETE ON hookrelay_capture.changes TO ${quoteIdentifier(captureRole)};`
    : "-- (the connection string names no role: grant USAGE on the schema and SELECT, DELETE on the table to it)";
  return `-- hookrelay: capture of row changes for source ${sourceId}
BEGIN;
${SERIALIZE_INSTALLS}
${LOCK_TIMEOUT}
CREATE SCHEMA IF NOT EXISTS hookrelay_capture;
-- The trigger function runs as whoever writes a captured table and calls append_change_v1 there; the
-- change table itself stays private to the schema's owner and the capture role.
GRANT USAGE ON SCHEMA hookrelay_capture TO PUBLIC;
${CHANGE_TABLE.trim()}
DO $install$
BEGIN
  IF to_regprocedure('hookrelay_capture.append_change_v1(text,text,text,text,oid,jsonb,jsonb)') IS NULL THEN
    EXECUTE ${dollarQuoted(APPEND_CHANGE.trim())};
  END IF;
  IF to_regprocedure('hookrelay_capture.record_change_v1()') IS NULL THEN
    EXECUTE ${dollarQuoted(RECORD_CHANGE.trim())};
  END IF;
END
$install$;
${dropSourceTriggers(sourceId)}
${tables.map((table) => createTrigger(sourceId, table)).join("\n")}
${grants}
COMMIT;
`;
}

function dollarQuoted(text: string): string {
  return `$body$${text}$body$`;
}

/**
 * Removes one source: its triggers and its recorded changes; the schema goes with the last source of the
 * database (no trigger left calling the function).
 */
export function uninstallScript(sourceId: string): string {
  return `BEGIN;
${SERIALIZE_INSTALLS}
${LOCK_TIMEOUT}
${dropSourceTriggers(sourceId)}
DO $uninstall$
BEGIN
  IF to_regclass('hookrelay_capture.changes') IS NOT NULL THEN
    DELETE FROM hookrelay_capture.changes WHERE source_id = ${quoteLiteral(sourceId)};
  END IF;
  IF to_regnamespace('hookrelay_capture') IS NOT NULL THEN
    IF NOT EXISTS (
      SELECT 1 FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
      WHERE p.pronamespace = to_regnamespace('hookrelay_capture')
    ) THEN
      DROP SCHEMA hookrelay_capture CASCADE;
    END IF;
  END IF;
END
$uninstall$;
COMMIT;
`;
}
