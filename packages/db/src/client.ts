import { PrismaPg } from "@prisma/adapter-pg";
import { releaseDebugHistoriesPeriodically } from "./debug-history.js";
import { PrismaClient } from "./generated/prisma/client.js";

export interface DatabaseTimeouts {
  /** Connecting (a new pooled connection). */
  connectMs: number;
  /** Server-side statement_timeout; the client gives up 2 s later (a black-holed link never answers). */
  statementMs: number;
}

/**
 * A transaction whose client has gone silent (a black-holed link, a process frozen mid-transaction) is
 * ended by the server after this long. Without it the server keeps its locks until TCP notices, hours
 * later: partition maintenance holds the tables' ACCESS EXCLUSIVE locks, so ingest would stall that long.
 * hookrelay's transactions never wait between their statements.
 */
const IDLE_IN_TRANSACTION_MS = 10_000;

/**
 * Settings of every session to hookrelay's PostgreSQL. The adapter sends a Date as a timestamp without a
 * zone, which PostgreSQL reads in the session's time zone: on a server whose default is not UTC every time
 * comparison would be hours off.
 */
export const SESSION_OPTIONS = `-c TimeZone=UTC -c idle_in_transaction_session_timeout=${IDLE_IN_TRANSACTION_MS}`;

/** Defaults for hookrelay's own PostgreSQL (DATABASE_CONNECT_TIMEOUT, DATABASE_STATEMENT_TIMEOUT). */
export const DATABASE_TIMEOUTS: DatabaseTimeouts = { connectMs: 5_000, statementMs: 15_000 };

export interface DatabaseOptions {
  /** Pool size; the dispatcher raises it to match its concurrency. */
  maxConnections?: number;
  timeouts?: DatabaseTimeouts;
}

/**
 * The one way both apps open PostgreSQL: Prisma's Rust-free client over node-postgres, with timeouts on
 * every connection, so a database that stops answering (a partition, a failover without RST) fails
 * requests and jobs within seconds instead of holding them for the kernel's TCP timeout.
 */
export function createPrismaClient(
  databaseUrl: string,
  { maxConnections = 10, timeouts = DATABASE_TIMEOUTS }: DatabaseOptions = {},
) {
  releaseDebugHistoriesPeriodically();
  return new PrismaClient({
    adapter: new PrismaPg({
      connectionString: databaseUrl,
      max: maxConnections,
      connectionTimeoutMillis: timeouts.connectMs,
      statement_timeout: timeouts.statementMs,
      query_timeout: timeouts.statementMs + 2_000,
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      options: SESSION_OPTIONS,
    }),
  });
}

export type Database = ReturnType<typeof createPrismaClient>;
