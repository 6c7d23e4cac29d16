/** PostgreSQL's SQLSTATE of a failed query, whether Prisma wrapped it (raw queries) or not. */
export function postgresErrorCode(error: unknown): string | undefined {
  const meta = (error as { meta?: { driverAdapterError?: { cause?: { code?: unknown } } } })?.meta;
  const wrapped = meta?.driverAdapterError?.cause?.code;
  if (typeof wrapped === "string") return wrapped;
  const cause = (error as { cause?: { code?: unknown } })?.cause?.code;
  return typeof cause === "string" ? cause : undefined;
}
