// What went wrong talking to a source database, in words for the user. Everything there is the user's
// input or their database, so it is a 422 (or a 503 while unreachable for DELETE), never a 500.

export interface SourceDatabaseFailure {
  kind: "connection" | "privilege" | "definition";
  message: string;
}

// PostgreSQL SQLSTATEs: 42501 insufficient_privilege; 28xxx authentication; 3D000 no such database;
// class 08 connection exceptions; 57P0x shutdown; 53300 too many connections.
const PRIVILEGE = "42501";
const CONNECTION_CODE = /^(08|28|3D|57P0|53300)/;

export function sourceDatabaseFailure(error: unknown): SourceDatabaseFailure {
  const { code, message } = error as { code?: unknown; message?: unknown };
  const text = typeof message === "string" && message !== "" ? message : String(error);
  if (code === PRIVILEGE) return { kind: "privilege", message: text };
  if (typeof code === "string" && CONNECTION_CODE.test(code)) {
    return { kind: "connection", message: `cannot connect to the database: ${text}` };
  }
  // No SQLSTATE: the socket (ECONNREFUSED, ENOTFOUND, a timeout, a connection cut).
  if (typeof code !== "string" || code.startsWith("E") || !/^[0-9A-Z]{5}$/.test(code)) {
    return { kind: "connection", message: `cannot connect to the database: ${text}` };
  }
  return { kind: "definition", message: text };
}
