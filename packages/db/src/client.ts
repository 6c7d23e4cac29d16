import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/prisma/client.js";

export interface DatabaseOptions {
  /** Pool size; the dispatcher raises it to match its concurrency. */
  maxConnections?: number;
}

/** The one way both apps open PostgreSQL: Prisma's Rust-free client over node-postgres. */
export function createPrismaClient(databaseUrl: string, { maxConnections = 10 }: DatabaseOptions = {}) {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl, max: maxConnections }) });
}

export type Database = ReturnType<typeof createPrismaClient>;
