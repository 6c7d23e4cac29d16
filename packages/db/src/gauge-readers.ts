import type { ServiceGaugeReaders } from "@hookrelay/shared";
import { countOutboxBacklog } from "./outbox-backlog.js";
import type { RawClient } from "./raw-rows.js";
import { sourceHealthRows } from "./sources.js";

/** The statements behind the gauges both apps expose (outbox backlog, database change sources). */
export function serviceGaugeReaders(db: RawClient): ServiceGaugeReaders {
  return { outboxBacklog: () => countOutboxBacklog(db), sourceHealth: () => sourceHealthRows(db) };
}
