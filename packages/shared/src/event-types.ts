// Event types are dot-separated names (`invoice.paid`); subscriptions hold exact types, prefix wildcards
// (`invoice.*`, matching any type below `invoice.`) or `*` (everything).
const SEGMENT = "[A-Za-z0-9_-]+";
export const EVENT_TYPE_PATTERN = new RegExp(`^${SEGMENT}(\\.${SEGMENT})*$`);
export const EVENT_TYPE_FILTER_PATTERN = new RegExp(`^(\\*|${SEGMENT}(\\.${SEGMENT})*(\\.\\*)?)$`);

export function matchesEventType(filters: readonly string[], eventType: string): boolean {
  return filters.some(
    (filter) =>
      filter === "*" ||
      filter === eventType ||
      (filter.endsWith(".*") && eventType.startsWith(filter.slice(0, -1))),
  );
}
