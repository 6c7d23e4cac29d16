import pg from "pg";
import { destroySocket } from "../pg-socket.js";
import { CAPTURE_CHANNEL, CAPTURE_SCHEMA } from "./capture-sql.js";

/** Bounds on every connection to a source database: it may be slow, unreachable or black-holed. */
export interface SourceTimeouts {
  connectMs: number;
  /** Server-side statement_timeout and the client's own query timeout (which also fires on a dead link). */
  statementMs: number;
}

/** One recorded change, as read from the change table: row JSON kept as PostgreSQL's text. */
export interface RecordedChange {
  /** The change id (bigint, as text). */
  id: string;
  op: "INSERT" | "UPDATE" | "DELETE";
  schema: string;
  table: string;
  rowJson: string | null;
  oldRowJson: string | null;
  /** ISO 8601, UTC, microseconds. */
  changedAt: string;
  xid: string;
}

export interface ChangeBacklog {
  pending: number;
  oldestAt: Date | null;
}

const CLOSE_TIMEOUT_MS = 1_000;
const SCRIPT_TIMEOUT_FACTOR = 6;

// Connection-string parameters pg would apply over hookrelay's own bounds; they are dropped.
const OVERRIDDEN_PARAMETERS = [
  "statement_timeout",
  "query_timeout",
  "lock_timeout",
  "connect_timeout",
  "connectionTimeoutMillis",
  "keepalives",
  "keepalives_idle",
  "options",
  "application_name",
];

function withoutOverrides(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  for (const name of OVERRIDDEN_PARAMETERS) url.searchParams.delete(name);
  return url.toString();
}

// The backlog count stops here: counting a huge backlog exactly would cost a scan on every check.
const BACKLOG_COUNT_CAP = 1_000_000;

/** `<host>:<port>/<dbname>` of a connection string: what is shown instead of it. */
export function describeDatabase(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  return `${url.hostname}:${url.port || "5432"}/${decoded(url.pathname.slice(1)) || decoded(url.username)}`;
}

function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The role a connection string logs in as, if it names one. */
export function databaseRole(databaseUrl: string): string | null {
  const user = new URL(databaseUrl).username;
  return user ? decoded(user) : null;
}

/**
 * A connection to a source database with hookrelay's timeouts: connect, statement, query, TCP keepalive
 * on our side, and short server-side keepalives so PostgreSQL drops (and releases the capture lock of) a
 * dispatcher that vanished without closing its socket.
 */
export class SourceConnection {
  private constructor(
    private readonly client: pg.Client,
    private readonly timeouts: SourceTimeouts,
  ) {}

  static async open(databaseUrl: string, timeouts: SourceTimeouts): Promise<SourceConnection> {
    const client = new pg.Client({
      connectionString: withoutOverrides(databaseUrl),
      connectionTimeoutMillis: timeouts.connectMs,
      statement_timeout: timeouts.statementMs,
      query_timeout: timeouts.statementMs + 1_000,
      keepAlive: true,
      keepAliveInitialDelayMillis: 5_000,
      application_name: "hookrelay-capture",
    });
    const connection = new SourceConnection(client, timeouts);
    // Errors after connect surface through the next query; this keeps an idle socket's error from crashing.
    client.on("error", () => undefined);
    try {
      await client.connect();
      // Unacknowledged data (a NOTIFY per change) suspends keepalive probes: tcp_user_timeout bounds that.
      await client.query(
        "SET tcp_keepalives_idle = 10; SET tcp_keepalives_interval = 5; SET tcp_keepalives_count = 3; " +
          "SET tcp_user_timeout = 25000",
      );
    } catch (error) {
      await connection.close();
      throw error;
    }
    return connection;
  }

  /**
   * Runs a multi-statement script (simple query protocol), e.g. an install or uninstall script. The server
   * bounds each statement (statement_timeout, and the scripts' own lock_timeout); the client waits longer
   * than that for the whole script, so it times out only when the server does not answer at all.
   */
  async runScript(sql: string): Promise<void> {
    // pg reads a per-query `query_timeout` (client.js) that its type definitions do not list.
    const query = { text: sql, query_timeout: this.timeouts.statementMs * SCRIPT_TIMEOUT_FACTOR };
    await this.client.query(query as pg.QueryConfig);
  }

  /** Session-level advisory lock: held until released or the connection ends (the process dies). */
  async tryCaptureLock(sourceId: string): Promise<boolean> {
    const { rows } = await this.client.query<{ locked: boolean }>(
      "SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked",
      [`${CAPTURE_SCHEMA}:${sourceId}`],
    );
    return rows[0]?.locked === true;
  }

  /** Calls `onHint` when a trigger notifies a new change of `sourceId` (a hint: the capture also polls). */
  async listen(sourceId: string, onHint: () => void): Promise<void> {
    this.client.on("notification", (message) => {
      if (message.channel === CAPTURE_CHANNEL && message.payload === sourceId) onHint();
    });
    await this.client.query(`LISTEN ${CAPTURE_CHANNEL}`);
  }

  /** Calls `onEnd` once when the connection is lost or closed. */
  onEnd(onEnd: (error?: Error) => void): void {
    let ended = false;
    const end = (error?: Error) => {
      if (ended) return;
      ended = true;
      onEnd(error);
    };
    this.client.on("error", end);
    this.client.on("end", () => end());
  }

  /** The oldest recorded changes of the source, in change order. */
  async readChanges(sourceId: string, limit: number): Promise<RecordedChange[]> {
    const { rows } = await this.client.query<RecordedChange>(
      `SELECT id::text AS id, op, schema_name AS schema, table_name AS table,
              row_data::text AS "rowJson", old_row::text AS "oldRowJson",
              to_char(changed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "changedAt",
              xid::text AS xid
       FROM hookrelay_capture.changes c WHERE source_id = $1
       -- c.id, not id: the output column \`id\` is text, and 10 would sort before 9.
       ORDER BY c.id LIMIT $2`,
      [sourceId, limit],
    );
    return rows;
  }

  async deleteChanges(sourceId: string, ids: string[]): Promise<void> {
    await this.client.query(
      "DELETE FROM hookrelay_capture.changes WHERE source_id = $1 AND id = ANY($2::bigint[])",
      [sourceId, ids],
    );
  }

  /** `json` (an object's text) without `keys`, as PostgreSQL renders it (so other values keep every digit). */
  async withoutKeys(json: string, keys: string[]): Promise<string> {
    const { rows } = await this.client.query<{ json: string }>(
      "SELECT ($1::jsonb - $2::text[])::text AS json",
      [json, keys],
    );
    return rows[0]?.json ?? json;
  }

  /** How many changes wait (counted up to a cap) and when the oldest was made. */
  async backlog(sourceId: string): Promise<ChangeBacklog> {
    const { rows } = await this.client.query<{ pending: number; oldest_at: Date | null }>(
      `SELECT (SELECT count(*)::int FROM (SELECT 1 FROM hookrelay_capture.changes WHERE source_id = $1 LIMIT $2) c)
                AS pending,
              (SELECT changed_at FROM hookrelay_capture.changes WHERE source_id = $1 ORDER BY id LIMIT 1)
                AS oldest_at`,
      [sourceId, BACKLOG_COUNT_CAP],
    );
    return { pending: rows[0]?.pending ?? 0, oldestAt: rows[0]?.oldest_at ?? null };
  }

  /** Ends the connection; a socket that does not close in time (a black-holed peer) is destroyed. */
  async close(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const ended = this.client.end().catch(() => undefined);
    const late = new Promise<"late">((resolve) => {
      timer = setTimeout(() => resolve("late"), CLOSE_TIMEOUT_MS);
    });
    if ((await Promise.race([ended, late])) === "late") destroySocket(this.client);
    clearTimeout(timer);
  }
}

/** Opens a connection, runs `work`, closes it. */
export async function withSourceConnection<T>(
  databaseUrl: string,
  timeouts: SourceTimeouts,
  work: (connection: SourceConnection) => Promise<T>,
): Promise<T> {
  const connection = await SourceConnection.open(databaseUrl, timeouts);
  try {
    return await work(connection);
  } finally {
    await connection.close();
  }
}
