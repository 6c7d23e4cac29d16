// Event types are dot-separated names (`invoice.paid`); subscriptions hold exact types, prefix wildcards
// (`invoice.*`, matching any type below `invoice.`) or `*` (everything).
const SEGMENT = "[A-Za-z0-9_-]+";
export const EVENT_TYPE_PATTERN = new RegExp(`^${SEGMENT}(\\.${SEGMENT})*$`);
export const EVENT_TYPE_FILTER_PATTERN = new RegExp(`^(\\*|${SEGMENT}(\\.${SEGMENT})*(\\.\\*)?)$`);

/** Types hookrelay emits about itself (SPEC "Operational events"): producers cannot post them. */
export const OPERATIONAL_PREFIX = "hookrelay.";
export const OPERATIONAL_EVENT_TYPES = {
  webhookDisabled: "hookrelay.webhook.disabled",
  deliveryFailed: "hookrelay.delivery.failed",
  sourceError: "hookrelay.source.error",
  sourceRecovered: "hookrelay.source.recovered",
} as const;

export function isOperationalEventType(eventType: string): boolean {
  return eventType.startsWith(OPERATIONAL_PREFIX);
}

/**
 * Whether a webhook's event types take `eventType`. Operational types are taken only by filters that name
 * them (`hookrelay.webhook.disabled`, `hookrelay.*`): `*` and other prefixes never match them.
 */
export function matchesEventType(filters: readonly string[], eventType: string): boolean {
  if (isOperationalEventType(eventType)) {
    return filters.some(
      (filter) =>
        filter.startsWith(OPERATIONAL_PREFIX) &&
        (filter === eventType || (filter.endsWith(".*") && eventType.startsWith(filter.slice(0, -1)))),
    );
  }
  return filters.some(
    (filter) =>
      filter === "*" ||
      filter === eventType ||
      (filter.endsWith(".*") && eventType.startsWith(filter.slice(0, -1))),
  );
}
