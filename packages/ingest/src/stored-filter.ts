import { type CompiledFilter, compilePayloadFilter, type PayloadFilter } from "@hookrelay/shared";

/**
 * A webhook's stored payload filter, compiled; null when it has none. A stored filter that does not compile
 * (written by hand, or by another version) must not stop the project's ingest or a recovery: it takes every
 * event of the webhook's types, as if it had none — nothing is lost.
 */
export function compileStoredFilter(filter: unknown): CompiledFilter | null {
  if (filter === null || filter === undefined) return null;
  try {
    return compilePayloadFilter(filter as PayloadFilter);
  } catch {
    return () => true;
  }
}
