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

// Runs as its owner (SECURITY DEFINER), so the product's own roles need no privilege on the change table.
// Arguments: the source id, then the columns whose change makes an UPDATE count (none: any column).
const RECORD_CHANGE = `
CREATE FUNCTION hookrelay_capture.record_change() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
  new_row jsonb;
  old_row jsonb;
  changed boolean := false;
BEGIN
  IF TG_OP <> 'DELETE' THEN new_row := to_jsonb(NEW); END IF;
  IF TG_OP <> 'INSERT' THEN old_row := to_jsonb(OLD); END IF;
  IF TG_OP = 'UPDATE' THEN
    IF new_row = old_row THEN RETURN NULL; END IF;
    IF TG_NARGS > 1 THEN
      FOR i IN 1 .. TG_NARGS - 1 LOOP
        IF (new_row -> TG_ARGV[i]) IS DISTINCT FROM (old_row -> TG_ARGV[i]) THEN
          changed := true;
          EXIT;
        END IF;
      END LOOP;
      IF NOT changed THEN RETURN NULL; END IF;
    END IF;
  END IF;
  INSERT INTO hookrelay_capture.changes (source_id, op, schema_name, table_name, row_data, old_row)
  VALUES (TG_ARGV[0], TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME, new_row, old_row);
  PERFORM pg_notify('${CAPTURE_CHANNEL}', TG_ARGV[0]);
  RETURN NULL;
END
$fn$`;

/** Drops every trigger of this source, on whatever table it is (tables may have been removed from it). */
function dropSourceTriggers(sourceId: string): string {
  return `DO $drop$
DECLARE t record;
BEGIN
  FOR t IN SELECT tgrelid::regclass AS rel FROM pg_trigger WHERE tgname = ${quoteLiteral(triggerName(sourceId))} LOOP
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
  const args = [sourceId, ...(table.columns ?? [])].map(quoteLiteral).join(", ");
  return `${checkColumns(table)}CREATE TRIGGER ${quoteIdentifier(triggerName(sourceId))}
  AFTER ${table.events.join(" OR ")} ON ${qualified(table)}
  FOR EACH ROW EXECUTE FUNCTION hookrelay_capture.record_change(${args});`;
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
CREATE SCHEMA IF NOT EXISTS hookrelay_capture;
${CHANGE_TABLE.trim()}
DO $install$
BEGIN
  IF to_regprocedure('hookrelay_capture.record_change()') IS NULL THEN
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
