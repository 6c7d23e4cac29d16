import {
  type CapturableSource,
  type Database,
  type RecordedChange,
  recordSourceBacklog,
  recordSourceStatus,
  SourceConnection,
  type SourceTimeouts,
} from "@hookrelay/db";
import type { EventIngest } from "@hookrelay/ingest";
import { type Logger, type SecretBox, sourceInstallSqlPath } from "@hookrelay/shared";
import type { DispatcherMetrics } from "../metrics.js";
import { changeDataJson, changeEvent, columnsToOmit } from "./change-events.js";

export interface CaptureSettings {
  pollIntervalMs: number;
  batchSize: number;
  backlogIntervalMs: number;
  maxPayloadBytes: number;
  sourceTimeouts: SourceTimeouts;
}

export interface CaptureContext {
  db: Database;
  ingest: EventIngest;
  secretBox: SecretBox;
  logger: Logger;
  metrics: DispatcherMetrics;
  settings: CaptureSettings;
}

// Retries after a failure back off up to this, so a source that comes back is captured again within seconds.
const MAX_RETRY_DELAY_MS = 5_000;

/**
 * Captures one source: connects to its database, waits for the source's advisory lock (one capturing
 * dispatcher per source; PostgreSQL releases the lock when the holder's connection ends, and another
 * dispatcher takes over on its next try), then repeats: read the oldest changes in id order, ingest them
 * as events, delete them. It wakes on NOTIFY and polls, since a NOTIFY sent while nobody listened is gone.
 *
 * If the process dies: after reading, nothing happened; after storing events (their deliveries committed
 * in the outbox) and before enqueueing them, the outbox sweep enqueues them; after ingesting and before
 * deleting, the changes are read again by whoever captures next and their events are not stored twice
 * (each change's idempotency key is unique and never released); after deleting, the batch is done.
 */
export class SourceCapture {
  private stopped = false;
  private wake: (() => void) | undefined;
  /** A NOTIFY (or a resume) came while no one slept: the next sleep returns at once. */
  private hinted = false;
  private lastBacklogAt = 0;
  private lastPending = 0;
  private readonly done: Promise<void>;

  constructor(
    private readonly ctx: CaptureContext,
    private source: CapturableSource,
  ) {
    this.done = this.run();
  }

  get sourceId(): string {
    return this.source.id;
  }

  /** New settings of the same source (enabled, for one); a new database URL needs a new capture. */
  update(source: CapturableSource): void {
    const resumed = source.enabled && !this.source.enabled;
    this.source = source;
    if (resumed) this.hint();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.hint();
    await this.done;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      let connection: SourceConnection | undefined;
      let holder = false;
      // A hint left by the previous connection's end is not news for the next one.
      this.hinted = false;
      try {
        const databaseUrl = this.ctx.secretBox.decrypt(this.source.databaseUrlCiphertext);
        connection = await SourceConnection.open(databaseUrl, this.ctx.settings.sourceTimeouts);
        if (await this.holdLock(connection)) {
          failures = 0;
          holder = true;
          await this.capture(connection);
        }
      } catch (error) {
        if (this.stopped) break;
        failures += 1;
        await this.recordError(error, holder);
        await this.sleep(
          Math.min(MAX_RETRY_DELAY_MS, this.ctx.settings.pollIntervalMs * 2 ** (failures - 1)),
        );
      } finally {
        await connection?.close();
      }
    }
  }

  /** Waits (as a standby) until this dispatcher holds the source's lock; false when stopped first. */
  private async holdLock(connection: SourceConnection): Promise<boolean> {
    while (!this.stopped) {
      if (await connection.tryCaptureLock(this.source.id)) {
        this.ctx.logger.info({ sourceId: this.source.id }, "capturing database source");
        return true;
      }
      await this.sleep(this.ctx.settings.pollIntervalMs);
    }
    return false;
  }

  private async capture(connection: SourceConnection): Promise<void> {
    let lost = false;
    connection.onEnd(() => {
      lost = true;
      this.hint();
    });
    await connection.listen(this.source.id, () => this.hint());
    this.lastBacklogAt = 0;
    let healthy = false;
    while (!this.stopped && !lost) {
      // A paused (disabled) source is not captured, but its backlog is still measured.
      const drained = this.source.enabled ? await this.captureBatch(connection) : true;
      // The first pass always measures the backlog, which also proves the change table is there.
      await this.measureBacklog(connection, drained);
      if (!healthy) await recordSourceStatus(this.ctx.db, this.source.id, null);
      healthy = true;
      if (drained) await this.sleep(this.ctx.settings.pollIntervalMs);
    }
    if (lost && !this.stopped) throw new Error("connection to the source database was lost");
  }

  /** One batch: read, ingest, delete. true when the change table had no more than one batch. */
  private async captureBatch(connection: SourceConnection): Promise<boolean> {
    const { batchSize, maxPayloadBytes } = this.ctx.settings;
    const changes = await connection.readChanges(this.source.id, batchSize);
    if (changes.length === 0) return true;
    const events = [];
    for (const change of changes) {
      events.push(
        changeEvent(this.source.id, change, await this.dataJson(connection, change, maxPayloadBytes)),
      );
    }
    await this.ctx.ingest.ingestOnce(this.source.projectId, events);
    await connection.deleteChanges(
      this.source.id,
      changes.map((change) => change.id),
    );
    this.ctx.metrics.changesCaptured(changes.length);
    return changes.length < batchSize;
  }

  /** The change's data; a change too large for MAX_PAYLOAD_BYTES loses its largest columns (named). */
  private async dataJson(
    connection: SourceConnection,
    change: RecordedChange,
    maxBytes: number,
  ): Promise<string> {
    const omitted = columnsToOmit(change, maxBytes);
    if (omitted.length === 0) return changeDataJson(change);
    const trim = (json: string | null) =>
      json ? connection.withoutKeys(json, omitted) : Promise.resolve(null);
    const trimmed = {
      ...change,
      rowJson: await trim(change.rowJson),
      oldRowJson: await trim(change.oldRowJson),
    };
    this.ctx.logger.warn(
      { sourceId: this.source.id, changeId: change.id, omitted },
      "captured row over MAX_PAYLOAD_BYTES: its largest columns are left out",
    );
    return changeDataJson(trimmed, omitted);
  }

  /** Every backlog interval, and once more when a backlog was just drained (so it reads 0 soon). */
  private async measureBacklog(connection: SourceConnection, drained: boolean): Promise<void> {
    const now = Date.now();
    const due = now - this.lastBacklogAt >= this.ctx.settings.backlogIntervalMs;
    if (!due && !(drained && this.lastPending > 0)) return;
    this.lastBacklogAt = now;
    const backlog = await connection.backlog(this.source.id);
    this.lastPending = backlog.pending;
    await recordSourceBacklog(this.ctx.db, this.source.id, backlog);
    // A standby that failed to connect may have marked the source in error meanwhile.
    await recordSourceStatus(this.ctx.db, this.source.id, null);
  }

  /**
   * Records the failure as the source's status. A dispatcher that was not capturing it (it could not
   * connect, or lost the race for the lock) does so only while no capturing dispatcher has recently
   * measured the source, so one standby's trouble does not flip a healthy source to `error` and back.
   */
  private async recordError(error: unknown, holder: boolean): Promise<void> {
    const message = describeCaptureError(error, sourceInstallSqlPath(this.source.projectId, this.source.id));
    // The api records a source before installing it: a capture that starts in between finds no change
    // table, which is not worth an error status unless it lasts.
    const installing = Date.now() - this.source.updatedAt.getTime() < INSTALL_GRACE_MS;
    if (installing && message.startsWith(NOT_INSTALLED_PREFIX)) return;
    this.ctx.logger.warn({ sourceId: this.source.id, err: message }, "database source capture failed");
    const unlessMeasuredWithinMs = holder ? undefined : 3 * this.ctx.settings.backlogIntervalMs;
    await recordSourceStatus(this.ctx.db, this.source.id, message, { unlessMeasuredWithinMs }).catch(
      () => undefined,
    );
  }

  private hint(): void {
    if (this.wake) this.wake();
    else this.hinted = true;
  }

  private sleep(ms: number): Promise<void> {
    if (this.hinted || this.stopped) {
      this.hinted = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(), ms);
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      this.wake = done;
    });
  }
}

// 42P01 undefined_table, 3F000 invalid_schema_name, 42501 insufficient_privilege on the change table.
const NOT_INSTALLED = new Set(["42P01", "3F000", "42501"]);
const NOT_INSTALLED_PREFIX = "not installed: ";
const INSTALL_GRACE_MS = 30_000;

/** What went wrong, for `last_error`: never the connection string (pg's messages do not carry it). */
export function describeCaptureError(error: unknown, installSql: string): string {
  const { code, message } = error as { code?: unknown; message?: unknown };
  const text = typeof message === "string" && message !== "" ? message : String(error);
  if (typeof code === "string" && NOT_INSTALLED.has(code)) {
    return `${NOT_INSTALLED_PREFIX}${text}; a DBA can run ${installSql}`;
  }
  return text;
}
