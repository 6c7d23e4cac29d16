import {
  type Database,
  enabledWebhookTargets,
  type ListenerTimings,
  listenForConfigChanges,
  projectIdForKeyHash,
  type WebhookTarget,
} from "@hookrelay/db";
import type { CompiledFilter, Logger } from "@hookrelay/shared";
import { compileStoredFilter } from "./stored-filter.js";

// Bounds memory whatever keys clients send: only live keys are cached, and past this the cache restarts.
const MAX_ENTRIES = 10_000;

/** A webhook an event may fan out to: its event types, and its payload filter compiled (null: none). */
export interface FanOutTarget {
  id: string;
  event_types: string[];
  matches: CompiledFilter | null;
}

/**
 * The two lookups every event request makes — the project of an API key, and the project's enabled
 * webhooks — answered from memory while this process is LISTENing for changes to those rows (triggers
 * notify on commit, whichever process or person made the change). Without a listening connection every
 * lookup goes to PostgreSQL. Writes made through the api also clear the cache at once (`changed`), so a
 * client never sees its own change missing.
 */
export class ProjectLookups {
  private readonly keys = new Map<string, string>();
  private readonly webhooks = new Map<string, FanOutTarget[]>();
  /** Compiled payload filters by webhook id, with the filter's text they were compiled from. */
  private readonly filters = new Map<string, { text: string; matches: CompiledFilter | null }>();
  /** Bumped by every change: a lookup that started before one must not fill the cache. */
  private generation = 0;
  private listening = false;
  private stopListening: (() => Promise<void>) | undefined;

  constructor(private readonly db: Database) {}

  /**
   * Starts caching, kept correct by LISTEN on its own connection to `databaseUrl`. The cache is trusted
   * only while that connection proves alive (its heartbeat): a connection lost silently makes it stale for
   * at most `heartbeatMs + timeoutMs` (15 s by default).
   */
  listen(databaseUrl: string, logger: Logger, timings?: ListenerTimings): void {
    this.stopListening = listenForConfigChanges(
      databaseUrl,
      {
        onChange: () => this.changed(),
        onListening: (listening) => {
          this.changed();
          this.listening = listening;
        },
        onError: (error) =>
          logger.warn({ err: error.message }, "config change listener lost; lookups uncached"),
      },
      timings,
    );
  }

  async close(): Promise<void> {
    await this.stopListening?.();
  }

  /** Drops everything cached. */
  changed(): void {
    this.generation += 1;
    this.keys.clear();
    this.webhooks.clear();
  }

  /** The project of a live (not revoked) API key, by the key's hash. */
  async projectForKeyHash(keyHash: string): Promise<string | null> {
    const cached = this.keys.get(keyHash);
    if (cached !== undefined) return cached;
    const generation = this.generation;
    const projectId = await projectIdForKeyHash(this.db, keyHash);
    if (projectId && this.cacheable(generation, this.keys)) this.keys.set(keyHash, projectId);
    return projectId;
  }

  async enabledWebhooks(projectId: string): Promise<FanOutTarget[]> {
    const cached = this.webhooks.get(projectId);
    if (cached) return cached;
    const generation = this.generation;
    const rows = (await enabledWebhookTargets(this.db, projectId)).map((row) => this.fanOutTarget(row));
    if (this.cacheable(generation, this.webhooks)) this.webhooks.set(projectId, rows);
    return rows;
  }

  /**
   * Compiles a webhook's filter once: kept by webhook id (and the filter's text, which a PATCH changes), so
   * that even with the cache off (no listening connection) a filter is not compiled again per event.
   */
  private fanOutTarget({ id, event_types, filter }: WebhookTarget): FanOutTarget {
    if (filter === null || filter === undefined) return { id, event_types, matches: null };
    const text = JSON.stringify(filter);
    let compiled = this.filters.get(id);
    if (compiled?.text !== text) {
      if (this.filters.size >= MAX_ENTRIES) this.filters.clear();
      compiled = { text, matches: compileStoredFilter(filter) };
      this.filters.set(id, compiled);
    }
    return { id, event_types, matches: compiled.matches };
  }

  private cacheable(generation: number, map: Map<string, unknown>): boolean {
    if (!this.listening || generation !== this.generation) return false;
    if (map.size >= MAX_ENTRIES) map.clear();
    return true;
  }
}
